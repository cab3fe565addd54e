"""The metadata-rest sink end to end: `cairn ingest -c` with a workflow whose
sink is a real `cairn serve`, authenticated as OpenMetadata's `openmetadata`
provider does (securityConfig.jwtToken, literal or a file), and the server's
PUT /api/v1/services/{service}/snapshots/{origin} that it writes to."""

import json
import os
import socket
import subprocess
import time

from harness import ADMIN_TOKEN, CAIRN, JAFFLE, ServerTestCase

CUSTOMERS = "shop.jaffle_shop.main.customers"
SNAPSHOTS = "/api/v1/services/shop/snapshots/dbt"
CAIRN_ABS = os.path.abspath(CAIRN)  # the runs below start in the test's directory

WORKFLOW = """\
source:
  type: dbt
  serviceName: shop
  sourceConfig:
    config:
      type: DBT
      dbtConfigSource:
        dbtConfigType: local
        dbtManifestFilePath: {jaffle}/manifest.json
        dbtCatalogFilePath: {jaffle}/catalog.json
        dbtRunResultsFilePath: {jaffle}/run_results.json
sink:
  type: metadata-rest
  config: {{}}
workflowConfig:
  openMetadataServerConfig:
    hostPort: {host_port}
    authProvider: {provider}
    securityConfig:
      jwtToken: {token}
"""


def free_port():
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RestSinkTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.serve()

    def workflow(self, token=ADMIN_TOKEN, host_port=None, provider="openmetadata"):
        path = os.path.join(self.dir, "workflow.yaml")
        with open(path, "w") as f:
            f.write(WORKFLOW.format(jaffle=JAFFLE, host_port=host_port or self.server.url,
                                    provider=provider, token=json.dumps(token)))
        return path

    def ingest(self, workflow, *args, check=True):
        # No --db and CAIRN_DB pointing nowhere useful: the sink must not open a local store.
        env = dict(os.environ, CAIRN_DB="sqlite:" + os.path.join(self.dir, "local-must-not-exist.db"))
        result = subprocess.run([CAIRN_ABS, "ingest", "-c", workflow, *args], capture_output=True, text=True,
                                timeout=300, cwd=self.dir, env=env)
        if check:
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "local-must-not-exist.db")))
        return result

    def stats(self):
        return self.server.get("/api/v1/stats").json()

    def test_sends_the_project_and_a_repeat_changes_nothing(self):
        first = json.loads(self.ingest(self.workflow(), "--json").stdout)
        self.assertEqual(first["server"], self.server.url)
        self.assertEqual(first["service"], "shop")
        self.assertGreater(first["applied"]["tables"]["added"], 0)
        self.assertEqual(first["applied"]["tables"]["added"], first["tables_seen"])
        self.assertGreater(first["applied"]["runs_added"], 0)
        self.assertEqual(first["catalog"], self.stats())

        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        self.assertEqual(entity["table"]["name"], "customers")
        self.assertTrue(entity["dbt"]["compiled_code"])
        self.assertTrue({"not_null", "unique"} <= {t["test_name"] for t in entity["tests"]})

        again = json.loads(self.ingest(self.workflow(), "--json").stdout)
        applied = again["applied"]
        self.assertEqual(applied["tables"]["unchanged"], first["tables_seen"])
        self.assertEqual(applied["nodes"]["unchanged"], first["nodes_seen"])
        for kind in ("tables", "nodes"):
            self.assertEqual([applied[kind][k] for k in ("added", "updated", "removed")], [0, 0, 0])
        self.assertEqual((applied["invocations_added"], applied["runs_added"]), (0, 0))

        text = self.ingest(self.workflow()).stdout
        self.assertIn("Ingested service 'shop'", text)
        self.assertIn(f"Sent to the Cairn server at {self.server.url}", text)

    def test_token_from_a_file_and_openmetadatas_api_suffix(self):
        token_file = os.path.join(self.dir, "token")
        with open(token_file, "w") as f:
            f.write(f"\n  {ADMIN_TOKEN}  \n")
        result = self.ingest(self.workflow(token=token_file, host_port=self.server.url + "/api"), "--json")
        self.assertGreater(json.loads(result.stdout)["applied"]["tables"]["added"], 0)
        self.assertNotIn(ADMIN_TOKEN, result.stdout + result.stderr)
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").status_code, 200)

    def test_a_wrong_token_is_refused_and_never_shown(self):
        wrong = "cairn_wrong_token_that_must_never_be_printed_0000"
        result = self.ingest(self.workflow(token=wrong), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("the server refused the token", result.stderr)
        self.assertNotIn(wrong, result.stdout + result.stderr)
        self.assertNotIn(wrong, self.server.logs())
        self.assertEqual(self.stats()["tables"], 0)

    def test_a_token_without_ingest_access_is_refused(self):
        created = self.server.post("/api/v3/accounts/1/service-tokens/", json={
            "name": "reader", "permission_grants": [{"permission_set": "metadata_only"}]}).json()["data"]
        result = self.ingest(self.workflow(token=created["token_string"]), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("the server refused the token", result.stderr)
        self.assertIn("HTTP 403", result.stderr)
        self.assertNotIn(created["token_string"], result.stdout + result.stderr)
        self.assertEqual(self.stats()["tables"], 0)

    def test_a_server_that_is_down_fails_clearly_after_retries(self):
        down = f"http://127.0.0.1:{free_port()}"
        start = time.time()
        result = self.ingest(self.workflow(host_port=down), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"PUT {down}/api/v1/services/shop/snapshots/dbt", result.stderr)
        self.assertIn("after 4 attempts", result.stderr)
        self.assertNotIn(ADMIN_TOKEN, result.stdout + result.stderr)
        self.assertLess(time.time() - start, 60)

    def test_other_auth_providers_and_db_are_refused_before_reading(self):
        result = self.ingest(self.workflow(provider="basic"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("authProvider 'basic' is not supported", result.stderr)
        self.assertIn("supported: openmetadata", result.stderr)
        result = self.ingest(self.workflow(), "--db", "sqlite:" + os.path.join(self.dir, "x.db"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--db names a local store", result.stderr)
        self.assertEqual(self.stats()["tables"], 0)

    def project_then_small_document(self):
        """Sends the project through the sink, then returns a one-table document for the same
        service and origin, written by hand as any client of the endpoint may."""
        self.ingest(self.workflow())
        return {"format": "cairn-snapshot/1", "service": "shop", "service_type": "dbt", "origin": "dbt",
                "tables": [{"fqn": "shop.db.main.t", "name": "t", "database": "db", "schema": "main",
                            "columns": [{"name": "id", "ordinal": 1, "data_type": "int"}]}]}

    def test_the_endpoint_refuses_bad_documents_and_applies_nothing(self):
        before = self.stats()
        bad_type = {"format": "cairn-snapshot/1", "service": "shop", "origin": "dbt",
                    "tables": [{"fqn": "shop.db.main.t", "name": 7}]}
        response = self.server.request("PUT", SNAPSHOTS, json=bad_type)
        self.assertError(response, 400, "$.tables[0].name")
        self.assertError(self.server.request("PUT", SNAPSHOTS, data="{not json"), 400, "not JSON")
        mismatch = dict(bad_type, service="other", tables=[])
        self.assertError(self.server.request("PUT", SNAPSHOTS, json=mismatch), 400,
                         "the path's service 'shop' is not the document's service 'other'")
        foreign = dict(bad_type, tables=[{"fqn": "crm.db.main.t", "name": "t"}])
        self.assertError(self.server.request("PUT", SNAPSHOTS, json=foreign), 400, "not an FQN of service 'shop'")
        future = dict(bad_type, format="cairn-snapshot/9", tables=[])
        self.assertError(self.server.request("PUT", SNAPSHOTS, json=future), 422, "cairn-snapshot/9")
        self.assertError(self.server.request("PUT", SNAPSHOTS, json={}, token=None), 401)
        self.assertEqual(self.stats(), before)

    def test_the_endpoint_replaces_what_the_origin_said(self):
        document = self.project_then_small_document()
        response = self.server.request("PUT", SNAPSHOTS, json=document)
        self.assertEqual(response.status_code, 200, response.text)
        report = response.json()
        self.assertEqual(report["tables"]["added"], 1)
        self.assertGreater(report["tables"]["removed"], 0)  # the project's tables are gone
        self.assertEqual(report["catalog"]["tables"], 1)
        self.assertEqual(self.server.get("/api/v1/entities/shop.db.main.t").json()["table"]["columns"][0]["name"],
                         "id")
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").status_code, 404)
        self.assertEqual(self.server.request("PUT", SNAPSHOTS, json=document).json()["tables"]["unchanged"], 1)
