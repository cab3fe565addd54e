"""End-to-end tests of the `cairn` binary on real dbt artifacts.

Every fixture under shared/fixtures/dbt ingests; bad input fails with a clear
message naming the file and the place, a non-zero exit code, and a store whose
bytes are exactly what they were before.
"""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

CAIRN = os.environ.get("CAIRN_BIN", "../build/src/cli/cairn")
SHARED = os.environ.get("CAIRN_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
FIXTURES = os.path.join(SHARED, "fixtures", "dbt")
VERSIONS = os.path.join(FIXTURES, "versions")
PROJECTS = os.path.join(FIXTURES, "projects")
JAFFLE = os.path.join(PROJECTS, "jaffle_shop_duckdb_dbt-1.12.0")

# Exit codes (core/error.cc).
EX_DATAERR, EX_NOINPUT, EX_CONFIG = 65, 66, 78


def run(*args, check=False):
    proc = subprocess.run([CAIRN, *args], capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"cairn {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}{proc.stdout}")
    return proc


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CairnTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-cli-")
        self.db = os.path.join(self.dir, "cairn.db")
        self.url = "sqlite:" + self.db

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w" if isinstance(content, str) else "wb") as f:
            f.write(content)
        return path

    def workflow(self, manifest, run_results=None, catalog=None, sources=None, service="svc"):
        lines = ["source:", "  type: dbt", f"  serviceName: {service}", "  sourceConfig:", "    config:",
                 "      type: DBT", "      dbtConfigSource:", "        dbtConfigType: local",
                 f"        dbtManifestFilePath: {manifest}"]
        for key, value in (("dbtRunResultsFilePath", run_results), ("dbtCatalogFilePath", catalog),
                           ("dbtSourcesFilePath", sources)):
            if value:
                lines.append(f"        {key}: {value}")
        lines += ["sink:", "  type: metadata-store", "  config: {}", "workflowConfig:", "  loggerLevel: INFO"]
        return self.write("workflow.yaml", "\n".join(lines) + "\n")

    def ingest_json(self, *args):
        proc = run("ingest", *args, "--db", self.url, "--json", check=True)
        return json.loads(proc.stdout)

    def assert_fails_unchanged(self, args, code, *fragments):
        """Runs a failing ingest against a store holding jaffle_shop; checks the message and the bytes."""
        before = digest(self.db)
        proc = run(*args)
        self.assertEqual(proc.returncode, code, proc.stderr)
        for fragment in fragments:
            self.assertIn(fragment, proc.stderr)
        self.assertEqual(digest(self.db), before, "the store changed")
        return proc.stderr


class EveryFixtureIngests(CairnTestCase):
    def test_every_manifest_alone(self):
        manifests = sorted(glob.glob(os.path.join(VERSIONS, "**", "manifest_v*.json"), recursive=True))
        manifests += sorted(glob.glob(os.path.join(PROJECTS, "*", "manifest.json")))
        self.assertGreaterEqual(len(manifests), 30)
        for manifest in manifests:
            with self.subTest(manifest=os.path.relpath(manifest, FIXTURES)):
                report = self.ingest_json("-c", self.workflow(manifest, service="m"))
                counts = self.count_manifest(manifest)
                self.assertEqual(report["nodes_seen"], counts["resources"])
                self.assertEqual(report["tables_seen"], counts["relations"])

    @staticmethod
    def count_manifest(path):
        """What the catalog should hold for a manifest, counted independently of Cairn."""
        with open(path) as f:
            m = json.load(f)
        resources = 0
        relations = set()
        for section in ("nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries",
                        "unit_tests", "functions"):
            for node in (m.get(section) or {}).values():
                resources += 1
                kind = node["resource_type"]
                materialized = (node.get("config") or {}).get("materialized")
                if kind in ("seed", "snapshot", "source") or (kind == "model" and materialized != "ephemeral"):
                    name = node.get("identifier") if kind == "source" else (node.get("alias") or node["name"])
                    relations.add(((node.get("database") or "default").lower(), node["schema"].lower(), name.lower()))
        return {"resources": resources, "relations": len(relations)}

    def test_every_project_with_all_its_files(self):
        for project in sorted(glob.glob(os.path.join(PROJECTS, "*"))):
            files = {name: os.path.join(project, name + ".json")
                     for name in ("manifest", "run_results", "catalog", "sources")}
            files = {k: v for k, v in files.items() if os.path.exists(v)}
            with self.subTest(project=os.path.basename(project)):
                report = self.ingest_json("-c", self.workflow(files["manifest"], files.get("run_results"),
                                                              files.get("catalog"), files.get("sources"),
                                                              service=os.path.basename(project).split("_dbt")[0]))
                expected_runs = 0
                for name in ("run_results", "sources"):
                    if name in files:
                        with open(files[name]) as f:
                            expected_runs += len(json.load(f)["results"])
                self.assertEqual(report["applied"]["runs_added"], expected_runs)

    def test_version_files_with_the_manifest_of_their_run(self):
        # Pairs whose unique_ids resolve (the others belong to no manifest here).
        pairs = [("manifest_v1.json", "run_results_v1.json"), ("manifest_v2.json", "run_results_v2.json"),
                 ("manifest_v3.json", "run_results_v3.json"), ("manifest_v11.json", "run_results_v5.json"),
                 ("dbt-core-state/manifest_v12.json", "dbt-core-state/run_results_v4.json"),
                 ("dbt-core-state/manifest_v12.json", "dbt-core-state/run_results_v5.json"),
                 ("dbt-core-state/manifest_v12.json", "dbt-core-state/run_results_v6.json")]
        for manifest, results in pairs:
            with self.subTest(manifest=manifest, run_results=results):
                report = self.ingest_json("-c", self.workflow(os.path.join(VERSIONS, manifest),
                                                              os.path.join(VERSIONS, results)))
                with open(os.path.join(VERSIONS, results)) as f:
                    self.assertEqual(report["applied"]["runs_added"], len(json.load(f)["results"]))


class LookingAtTheCatalog(CairnTestCase):
    def setUp(self):
        super().setUp()
        run("ingest", "dbt", JAFFLE, "--db", self.url, "--service", "jaffle", check=True)

    def test_show_model_with_columns_and_tests(self):
        entity = json.loads(run("show", "jaffle.jaffle_shop.main.customers", "--db", self.url, "--json",
                                check=True).stdout)
        self.assertEqual(entity["dbt"]["unique_id"], "model.jaffle_shop.customers")
        self.assertEqual(entity["dbt"]["depends_on"], ["model.jaffle_shop.stg_customers", "model.jaffle_shop.orders"])
        columns = [c["name"] for c in entity["table"]["columns"]]
        self.assertEqual(columns[0], "customer_id")
        tests = {t["test_name"] for t in entity["tests"]}
        self.assertIn("unique", tests)
        # This run_results comes from `dbt docs generate`: compile results, all "success".
        self.assertEqual({t["latest_status"] for t in entity["tests"]}, {"success"})
        self.assertEqual(len(entity["tests"]), 4)
        text = run("show", "jaffle.jaffle_shop.main.customers", "--db", self.url, check=True).stdout
        self.assertIn("customer_id", text)
        self.assertIn("Tests (", text)

    def test_show_by_unique_id(self):
        entity = json.loads(run("show", "model.jaffle_shop.orders", "--db", self.url, "--json", check=True).stdout)
        self.assertEqual(entity["table"]["fqn"], "jaffle.jaffle_shop.main.orders")

    def test_search(self):
        page = json.loads(run("search", "customer", "--db", self.url, "--json", check=True).stdout)
        self.assertGreater(page["total"], 0)
        self.assertIn("jaffle.jaffle_shop.main.customers", [h["fqn"] for h in page["hits"]])
        models = json.loads(run("search", "customer", "--type", "model", "--db", self.url, "--json",
                                check=True).stdout)
        self.assertTrue(all(h["resource_type"] == "model" for h in models["hits"]))

    def test_lineage(self):
        graph = json.loads(run("lineage", "jaffle.jaffle_shop.main.customers", "--upstream", "--depth", "1",
                               "--db", self.url, "--json", check=True).stdout)
        upstream = {n["fqn"] for n in graph["nodes"] if n["distance"] < 0}
        self.assertEqual(upstream, {"jaffle.jaffle_shop.main.stg_customers", "jaffle.jaffle_shop.main.orders"})
        deeper = json.loads(run("lineage", "jaffle.jaffle_shop.main.customers", "--upstream", "--depth", "3",
                                "--db", self.url, "--json", check=True).stdout)
        self.assertGreater(len(deeper["nodes"]), len(graph["nodes"]))

    def test_unknown_fqn(self):
        proc = run("show", "jaffle.nope", "--db", self.url)
        self.assertEqual(proc.returncode, EX_NOINPUT)
        self.assertIn("no table or dbt resource 'jaffle.nope'", proc.stderr)

    def test_reingest_is_idempotent(self):
        before = json.loads(run("search", "order", "--db", self.url, "--json", "--limit", "100").stdout)
        report = self.ingest_json("dbt", JAFFLE, "--service", "jaffle")
        self.assertEqual(report["applied"]["tables"]["unchanged"], report["tables_seen"])
        self.assertEqual(report["applied"]["runs_added"], 0)
        after = json.loads(run("search", "order", "--db", self.url, "--json", "--limit", "100").stdout)
        self.assertEqual(before, after)


class BadInput(CairnTestCase):
    """Each case: a clear error naming the file and place, non-zero exit, store bytes unchanged."""

    def setUp(self):
        super().setUp()
        run("ingest", "dbt", JAFFLE, "--db", self.url, "--service", "jaffle", check=True)
        with open(os.path.join(JAFFLE, "manifest.json"), "rb") as f:
            self.manifest = f.read()

    def ingest_manifest(self, content, **files):
        path = self.write("bad/manifest.json", content)
        return ["ingest", "-c", self.workflow(path, service="jaffle", **files), "--db", self.url]

    def test_truncated_manifest(self):
        args = self.ingest_manifest(self.manifest[: len(self.manifest) // 2])
        self.assert_fails_unchanged(args, EX_DATAERR, "bad/manifest.json", "offset")

    def test_malformed_json_in_the_middle(self):
        # A bare word where a string value should be, in the last test node.
        needle = b'"resource_type": "test"'
        at = self.manifest.rfind(needle)
        self.assertGreater(at, 0)
        broken = self.manifest[:at] + b'"resource_type": test' + self.manifest[at + len(needle):]
        self.assert_fails_unchanged(self.ingest_manifest(broken), EX_DATAERR, "bad/manifest.json", "offset")

    def test_not_a_dbt_artifact(self):
        stderr = self.assert_fails_unchanged(self.ingest_manifest(b'{"hello": "world"}'), EX_DATAERR,
                                             "bad/manifest.json")
        self.assertIn("dbt_schema_version", stderr)

    def test_wrong_kind_of_artifact(self):
        with open(os.path.join(JAFFLE, "run_results.json"), "rb") as f:
            stderr = self.assert_fails_unchanged(self.ingest_manifest(f.read()), EX_DATAERR, "bad/manifest.json")
        self.assertIn("run-results", stderr)

    def test_future_schema_version(self):
        future = self.manifest.replace(b"dbt/manifest/v12.json", b"dbt/manifest/v13.json", 1)
        self.assert_fails_unchanged(self.ingest_manifest(future), EX_DATAERR, "bad/manifest.json", "v13")

    def test_run_results_of_another_project(self):
        args = self.ingest_manifest(self.manifest, run_results=os.path.join(VERSIONS, "run_results_v4.json"))
        self.assert_fails_unchanged(args, EX_DATAERR, "run_results_v4.json", "not in the manifest")

    def test_missing_file(self):
        args = self.ingest_manifest(self.manifest, catalog=os.path.join(self.dir, "no", "catalog.json"))
        self.assert_fails_unchanged(args, EX_NOINPUT, "no/catalog.json", "does not exist")

    def test_empty_file(self):
        self.assert_fails_unchanged(self.ingest_manifest(b""), EX_DATAERR, "bad/manifest.json")

    def test_directory_without_manifest(self):
        os.makedirs(os.path.join(self.dir, "empty"))
        self.assert_fails_unchanged(["ingest", "dbt", os.path.join(self.dir, "empty"), "--db", self.url],
                                    EX_NOINPUT, "no manifest.json")


class BadWorkflow(CairnTestCase):
    """A bad config names file, line and JSON path, and creates no store at all."""

    def check(self, text, *fragments, code=EX_CONFIG):
        path = self.write("workflow.yaml", text)
        proc = run("ingest", "-c", path, "--db", self.url)
        self.assertEqual(proc.returncode, code, proc.stderr)
        for fragment in fragments:
            self.assertIn(fragment, proc.stderr)
        self.assertFalse(os.path.exists(self.db), "a bad config must write nothing")

    def test_unknown_source_type(self):
        self.check("source:\n  type: snowflake\n  serviceName: s\n  sourceConfig: {}\nsink:\n  type: metadata-store\n",
                   "workflow.yaml:2: at $.source.type: unknown source type 'snowflake'")

    def test_wrong_field_type(self):
        self.check("source:\n  type: dbt\n  serviceName: s\n  sourceConfig:\n    config:\n      includeTags: 3\n"
                   "      dbtConfigSource: {dbtManifestFilePath: m.json}\nsink:\n  type: metadata-store\n",
                   "workflow.yaml:6: at $.source.sourceConfig.config.includeTags: expected a boolean, found an integer")


class UnchangedReingest(CairnTestCase):
    """A re-ingest of byte-identical artifacts stops before parsing; anything else is applied."""

    def setUp(self):
        super().setUp()
        self.project = self.copy_project("project")

    def copy_project(self, name):
        target = os.path.join(self.dir, name)
        os.makedirs(target)
        for file in os.listdir(JAFFLE):
            shutil.copyfile(os.path.join(JAFFLE, file), os.path.join(target, file))
        return target

    def ingest(self, *args, project=None):
        return self.ingest_json("dbt", project or self.project, *args)

    def assert_skipped(self, report, first):
        self.assertTrue(report["unchanged"], report)
        self.assertEqual(report["service"], first["service"])
        self.assertEqual(report["tables_seen"], first["tables_seen"])
        self.assertEqual(report["nodes_seen"], first["nodes_seen"])
        self.assertEqual(report["applied"]["tables"]["unchanged"], first["tables_seen"])
        self.assertEqual(report["applied"]["nodes"]["unchanged"], first["nodes_seen"])
        self.assertEqual(report["applied"]["lineage_edges"], first["applied"]["lineage_edges"])
        self.assertEqual(report["applied"]["runs_added"], 0)
        self.assertEqual(report["catalog"], first["catalog"])

    def test_unchanged_project_is_skipped_and_the_store_untouched(self):
        first = self.ingest("--service", "jaffle")
        self.assertFalse(first["unchanged"])
        before = digest(self.db)
        self.assert_skipped(self.ingest("--service", "jaffle"), first)
        self.assertEqual(digest(self.db), before, "a skipped ingest wrote to the store")
        text = run("ingest", "dbt", self.project, "--service", "jaffle", "--db", self.url, check=True).stdout
        self.assertIn("Service 'jaffle' is unchanged", text)
        self.assertIn("--force", text)

    def test_service_named_by_the_manifest(self):
        first = self.ingest()
        self.assertEqual(first["service"], "jaffle_shop")
        self.assert_skipped(self.ingest(), first)

    def test_touched_or_copied_but_identical_is_skipped(self):
        first = self.ingest("--service", "jaffle")
        for file in os.listdir(self.project):
            os.utime(os.path.join(self.project, file), (1_700_000_000, 1_700_000_000))
        self.assert_skipped(self.ingest("--service", "jaffle"), first)
        self.assert_skipped(self.ingest("--service", "jaffle", project=self.copy_project("copy")), first)

    def test_changed_content_is_applied(self):
        first = self.ingest("--service", "jaffle")
        path = os.path.join(self.project, "manifest.json")
        with open(path) as f:
            manifest = json.load(f)
        model = next(n for n in manifest["nodes"].values() if n["resource_type"] == "model")
        model["description"] = "Changed after the first ingest"
        with open(path, "w") as f:
            json.dump(manifest, f)
        report = self.ingest("--service", "jaffle")
        self.assertFalse(report["unchanged"])
        self.assertGreaterEqual(report["applied"]["nodes"]["updated"], 1)
        self.assertTrue(self.ingest("--service", "jaffle")["unchanged"])
        self.assertEqual(report["catalog"]["tables"], first["catalog"]["tables"])

    def test_other_files_service_or_options_are_applied(self):
        self.ingest("--service", "jaffle")
        self.assertFalse(self.ingest("--service", "jaffle", "--no-tags")["unchanged"])
        self.assertFalse(self.ingest("--service", "jaffle")["unchanged"])  # tags back
        self.assertFalse(self.ingest("--service", "other")["unchanged"])
        self.assertTrue(self.ingest("--service", "jaffle")["unchanged"])  # still as it was
        os.remove(os.path.join(self.project, "catalog.json"))
        self.assertFalse(self.ingest("--service", "jaffle")["unchanged"])

    def test_force_reads_and_applies(self):
        first = self.ingest("--service", "jaffle")
        report = self.ingest("--service", "jaffle", "--force")
        self.assertFalse(report["unchanged"])
        self.assertEqual(report["applied"]["tables"]["unchanged"], first["tables_seen"])
        self.assertTrue(self.ingest("--service", "jaffle")["unchanged"])
        self.assertIn("--force", run("ingest", "--help").stdout)
        self.assertIn("--force", run("ingest", "dbt", "--help").stdout)

    def test_a_failed_ingest_is_not_taken_for_the_last_good_one(self):
        self.ingest("--service", "jaffle")
        path = os.path.join(self.project, "run_results.json")
        with open(path) as f:
            good = f.read()
        results = json.loads(good)
        results["results"][0]["unique_id"] = "model.elsewhere.unknown"
        with open(path, "w") as f:
            json.dump(results, f)
        before = digest(self.db)
        proc = run("ingest", "dbt", self.project, "--service", "jaffle", "--db", self.url)
        self.assertEqual(proc.returncode, 65, proc.stderr)
        self.assertEqual(digest(self.db), before)
        proc = run("ingest", "dbt", self.project, "--service", "jaffle", "--db", self.url)
        self.assertEqual(proc.returncode, 65, "the failed input was skipped as unchanged")
        with open(path, "w") as f:
            f.write(good)
        self.assertTrue(self.ingest("--service", "jaffle")["unchanged"])

    def test_workflow_is_skipped_too(self):
        config = self.workflow(os.path.join(self.project, "manifest.json"),
                               run_results=os.path.join(self.project, "run_results.json"), service="jaffle")
        self.assertFalse(self.ingest_json("-c", config)["unchanged"])
        self.assertTrue(self.ingest_json("-c", config)["unchanged"])
        self.assertFalse(self.ingest_json("-c", config, "--force")["unchanged"])


if __name__ == "__main__":
    unittest.main()
