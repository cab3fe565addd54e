"""`cairn dbt-cloud run` against the local dbt Cloud (tests/fake_dbt_cloud) on
127.0.0.1 and a free port: runs polled through slow statuses, artifacts
ingested, throttling and 5xx retried, erroring jobs, and the API key kept
out of everything printed."""

import json
import os
import subprocess
import unittest

from cli_test import CAIRN, JAFFLE, CairnTestCase, run
from fake_dbt_cloud import common
from fake_dbt_cloud.app import create_app, serve_in_thread

API_KEY = "dbtc_test_api_key"


class DbtCloudTest(CairnTestCase):
    def setUp(self):
        super().setUp()
        state = common.State(api_tokens={API_KEY: 1})
        state.discovery_projects = {"7": JAFFLE}
        self.server, self.base = serve_in_thread(create_app(state))
        os.environ["DBT_CLOUD_API_KEY"] = API_KEY

    def tearDown(self):
        self.server.shutdown()
        super().tearDown()

    def fake(self, path, body=None):
        return common.control(self.base, path, body)

    def cairn(self, *args):
        proc = run("dbt-cloud", "run", "--access-url", self.base, "--account-id", "1", "--db", self.url, *args)
        self.assertNotIn(API_KEY, proc.stdout + proc.stderr)
        return proc

    def test_a_run_is_polled_through_its_statuses_and_its_artifacts_ingested(self):
        proc = self.cairn("--job-id", "100", "--wait", "--cause", "test", "--steps-override", "dbt build",
                          "--service", "jaffle")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for status in ("Queued", "Running", "Success"):
            self.assertIn(status, proc.stderr)
        shown = run("show", "jaffle.jaffle_shop.main.customers", "--json", "--db", self.url)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("customers", shown.stdout)
        paths = [r["path"] for r in self.fake("/_fake/requests")]
        self.assertIn("/api/v2/accounts/1/runs/1000/artifacts/manifest.json", paths)
        self.assertTrue(all(r["scheme"] == "Token" for r in self.fake("/_fake/requests")))

    def test_throttling_with_retry_after_and_server_errors_are_retried(self):
        self.fake("/_fake/faults", {"path": "/jobs/100/run/$", "status": 429, "retry_after": 1})
        self.fake("/_fake/faults", {"path": "/runs/1000/$", "status": 503, "count": 2})
        proc = self.cairn("--job-id", "100", "--wait")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        triggers = [r for r in self.fake("/_fake/requests") if r["path"].endswith("/jobs/100/run/")]
        self.assertEqual(len(triggers), 2)

    def test_an_erroring_job_exits_non_zero_naming_the_run(self):
        proc = self.cairn("--job-id", "200", "--wait")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("run 1000", proc.stderr)
        self.assertIn("error", proc.stderr)

    def test_a_timeout_exits_non_zero(self):
        self.fake("/_fake/jobs", {"id": 300, "run_seconds": 60})
        proc = self.cairn("--job-id", "300", "--wait", "--timeout", "1")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("did not finish", proc.stderr)

    def test_runs_are_listed_across_pages(self):
        self.fake("/_fake/runs", {"job_id": 100, "count": 130})
        self.fake("/_fake/runs", {"job_id": 200, "count": 5, "status": 20})
        proc = run("dbt-cloud", "runs", "--access-url", self.base, "--account-id", "1", "--job-id", "100",
                   "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(json.loads(proc.stdout)), 130)
        pages = [r["query"] for r in self.fake("/_fake/requests") if r["path"] == "/api/v2/accounts/1/runs/"]
        self.assertEqual(len(pages), 2)
        self.assertIn("offset=100", pages[1])
        self.assertNotIn(API_KEY, proc.stdout + proc.stderr)

    def test_a_missing_api_key_is_refused(self):
        del os.environ["DBT_CLOUD_API_KEY"]
        proc = self.cairn("--job-id", "100")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("DBT_CLOUD_API_KEY", proc.stderr)

    def discovery(self, command, *args):
        proc = run("dbt-cloud", command, "--account-id", "1", "--discovery-url", self.base + "/graphql", *args)
        self.assertNotIn(API_KEY, proc.stdout + proc.stderr)
        return proc

    def test_a_graphql_query_prints_the_discovery_answer(self):
        proc = self.discovery("query", "query($id: BigInt!) { environment(id: $id) { applied { models(first: 2) "
                              "{ totalCount edges { node { name } } } } } }", "--variables", '{"id": 7}')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        models = json.loads(proc.stdout)["data"]["environment"]["applied"]["models"]
        self.assertEqual(len(models["edges"]), 2)
        self.assertGreater(models["totalCount"], 2)

    def test_graphql_errors_and_bad_variables_are_clear(self):
        proc = self.discovery("query", "{ environment(id: 404) { applied { models(first: 1) { totalCount } } } }")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("404", proc.stderr)
        proc = self.discovery("query", "{ x }", "--variables", "[1]")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("--variables must be a JSON object", proc.stderr)

    def test_an_environment_is_ingested_without_artifacts(self):
        proc = self.discovery("ingest", "--environment-id", "7", "--service", "jaffle", "--db", self.url)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        shown = run("show", "jaffle.jaffle_shop.main.customers", "--json", "--db", self.url)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        entity = json.loads(shown.stdout)
        self.assertEqual(entity["table"]["columns"][0]["name"], "customer_id")
        self.assertEqual(entity["dbt"]["unique_id"], "model.jaffle_shop.customers")

    def test_a_credential_block_stands_for_the_flags(self):
        create = subprocess.run([CAIRN, "credentials", "create", "dbt-cloud", "local", "--account-id", "1",
                                 "--access-url", self.base, "--discovery-url", self.base + "/graphql",
                                 "--db", self.url], input=API_KEY + "\n", capture_output=True, text=True,
                                env={k: v for k, v in os.environ.items() if k != "DBT_CLOUD_API_KEY"})
        self.assertEqual(create.returncode, 0, create.stderr)
        del os.environ["DBT_CLOUD_API_KEY"]
        proc = run("dbt-cloud", "run", "--credentials", "local", "--job-id", "100", "--wait", "--service",
                   "jaffle", "--db", self.url)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("Success", proc.stderr)
        proc = run("dbt-cloud", "query", "--credentials", "local", "--db", self.url,
                   "{ environment(id: 7) { applied { models(first: 1) { totalCount } } } }")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        proc = run("dbt-cloud", "runs", "--credentials", "nope", "--db", self.url)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("nope", proc.stderr)

    def workflow(self, **fields):
        config = {"dbtConfigType": "cloud", "dbtCloudAuthToken": API_KEY, "dbtCloudAccountId": "1",
                  "dbtCloudUrl": self.base, **fields}
        path = os.path.join(self.dir, "dbt_cloud.yaml")
        with open(path, "w") as out:
            # JSON is YAML: the workflow exactly as a user would write its fields.
            json.dump({"source": {"type": "dbt", "serviceName": "jaffle",
                                  "sourceConfig": {"config": {"type": "DBT", "dbtConfigSource": config}}},
                       "sink": {"type": "metadata-store", "config": {}}}, out)
        return path

    def ingest_workflow(self, path):
        proc = run("ingest", "-c", path, "--db", self.url, "--json")
        self.assertNotIn(API_KEY, proc.stdout + proc.stderr)
        return proc

    def test_a_workflow_reads_the_latest_finished_run_of_its_job_and_stops_when_it_is_the_same(self):
        self.fake("/_fake/jobs", {"id": 300, "project_id": 11})
        self.fake("/_fake/runs", {"job_id": 100, "count": 2})
        [job_300_run] = self.fake("/_fake/runs", {"job_id": 300, "count": 1})
        path = self.workflow(dbtCloudProjectId="11", dbtCloudJobId=300)
        proc = self.ingest_workflow(path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        report = json.loads(proc.stdout)
        self.assertFalse(report["unchanged"])
        shown = json.loads(run("show", "model.jaffle_shop.customers", "--json", "--db", self.url).stdout)
        self.assertEqual(shown["dbt"]["depends_on"], ["model.jaffle_shop.stg_customers", "model.jaffle_shop.orders"])
        requests = self.fake("/_fake/requests")
        listing = [r["query"] for r in requests if r["path"] == "/api/v2/accounts/1/runs/"]
        self.assertEqual(len(listing), 1)
        for wanted in ("job_definition_id=300", "project_id=11", "order_by=-finished_at", "limit=1"):
            self.assertIn(wanted, listing[0])
        self.assertIn(f"/api/v2/accounts/1/runs/{job_300_run}/artifacts/manifest.json",
                      [r["path"] for r in requests])

        # The same run again: one listing, nothing downloaded or written.
        before = len(requests)
        proc = self.ingest_workflow(path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(json.loads(proc.stdout)["unchanged"])
        later = self.fake("/_fake/requests")[before:]
        self.assertEqual([r["path"] for r in later if "/api/v2/" in r["path"]], ["/api/v2/accounts/1/runs/"])

        # A newer run of the job is read.
        self.fake("/_fake/runs", {"job_id": 300, "count": 1})
        trigger = run("dbt-cloud", "run", "--access-url", self.base, "--account-id", "1", "--job-id", "300",
                      "--wait", "--db", os.path.join(self.dir, "other.db"))
        self.assertEqual(trigger.returncode, 0, trigger.stderr)
        proc = self.ingest_workflow(path)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(json.loads(proc.stdout)["unchanged"])

    def test_a_workflow_without_a_finished_run_or_with_a_bad_id_fails_clearly(self):
        proc = self.ingest_workflow(self.workflow(dbtCloudJobId="100"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no finished run of job 100", proc.stderr)
        proc = self.ingest_workflow(self.workflow(dbtCloudJobId="12x"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("dbtCloudJobId", proc.stderr)
        proc = self.ingest_workflow(self.workflow(dbtCloudAuthToken="dbtc_wrong_token"))
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("HTTP 401", proc.stderr)
        self.assertNotIn("dbtc_wrong_token", proc.stdout + proc.stderr)

    def test_a_queued_run_is_cancelled_and_a_finished_one_left_alone(self):
        self.fake("/_fake/jobs", {"id": 300, "run_seconds": 60})
        queued = json.loads(self.cairn("--job-id", "300", "--json").stdout)
        cancel = run("dbt-cloud", "cancel", "--run-id", str(queued["id"]), "--access-url", self.base,
                     "--account-id", "1", "--json")
        self.assertEqual(cancel.returncode, 0, cancel.stderr)
        self.assertEqual(json.loads(cancel.stdout)["status"], 30)
        [done] = self.fake("/_fake/runs", {"job_id": 100, "count": 1})
        cancel = run("dbt-cloud", "cancel", "--run-id", str(done), "--access-url", self.base, "--account-id", "1")
        self.assertEqual(cancel.returncode, 0, cancel.stderr)
        self.assertIn("Success", cancel.stdout)
        self.assertIn("already finished", cancel.stderr)


if __name__ == "__main__":
    unittest.main()
