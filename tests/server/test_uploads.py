"""dbt Core artifacts pushed the way Secoda documents it: integrations,
multipart uploads, extraction runs and their outcome in the catalog."""

import json
import os
import subprocess
import sys
import time

from harness import ADMIN_TOKEN, JAFFLE, ServerTestCase, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(JAFFLE, "manifest.json")
RUN_RESULTS = os.path.join(JAFFLE, "run_results.json")
CATALOG = os.path.join(JAFFLE, "catalog.json")
CUSTOMERS = "shop.jaffle_shop.main.customers"


class UploadTestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.serve()
        self.integration = self.create_integration()

    def create_integration(self, name="jaffle", service="shop"):
        response = self.server.post("/api/v1/integrations",
                                    json={"name": name, "type": "dbt_core", "settings": {"service": service}})
        self.assertEqual(response.status_code, 201, response.text)
        return response.json()["id"]

    def runs(self, integration=None):
        response = self.server.get(f"/api/v1/integrations/{integration or self.integration}/runs",
                                   params={"limit": 500})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["items"]

    def finished_runs(self, count, integration=None):
        """Waits until `count` runs exist and none is queued or running; newest first."""
        def done():
            runs = self.runs(integration)
            return runs if len(runs) >= count and all(r["status"] in ("succeeded", "failed") for r in runs) else None
        return wait_for(done, timeout=120)

    def upload(self, path, part, kind, field="integration", integration=None, **kwargs):
        with open(path, "rb") as f:
            return self.server.post(f"/integration/dbt/{kind}/", files={part: f},
                                    data={field: integration or self.integration}, **kwargs)


class SecodaUploadTest(UploadTestCase):
    def test_secoda_sample_code_runs_unchanged(self):
        env = dict(os.environ, SECODA_API_KEY=ADMIN_TOKEN, SECODA_INTEGRATION_ID=self.integration,
                   SECODA_HOST=self.server.url, SECODA_MANIFEST=MANIFEST)
        proc = subprocess.run([sys.executable, os.path.join(HERE, "clients", "secoda_upload_manifest.py")],
                              env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("'message':", proc.stdout)
        [run] = self.finished_runs(1)
        self.assertEqual(run["status"], "succeeded", run)
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}")
        self.assertEqual(entity.status_code, 200)

    def test_run_results_before_manifest_fails_then_succeeds(self):
        response = self.upload(RUN_RESULTS, "run_result_file", "run_result")
        self.assertEqual(response.status_code, 200, response.text)
        [failed] = self.finished_runs(1)
        self.assertEqual(failed["status"], "failed")
        self.assertIn("manifest", failed["error"])

        self.assertEqual(self.upload(MANIFEST, "manifest_file", "manifest", field="integration_id").status_code, 200)
        # rev. A spells the run-results path with an s.
        self.assertEqual(self.upload(RUN_RESULTS, "run_result_file", "run_results").status_code, 200)
        runs = self.finished_runs(3)
        self.assertEqual([r["status"] for r in runs], ["succeeded", "succeeded", "failed"])
        self.assertGreater(runs[0]["counts"]["runs_added"], 0)
        detail = self.server.get(f"/api/v1/integrations/{self.integration}/runs/{runs[0]['id']}").json()
        self.assertTrue(detail["log"])
        invocations = self.server.get("/api/v1/invocations").json()["items"]
        self.assertEqual(len(invocations), 1)

    def test_bad_manifest_fails_its_run_and_leaves_the_catalog(self):
        self.upload(MANIFEST, "manifest_file", "manifest")
        self.finished_runs(1)
        before = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        broken = os.path.join(self.dir, "manifest.json")
        with open(MANIFEST, "rb") as src, open(broken, "wb") as dst:
            dst.write(src.read()[:100000])  # truncated JSON
        self.assertEqual(self.upload(broken, "manifest_file", "manifest").status_code, 200)
        runs = self.finished_runs(2)
        self.assertEqual(runs[0]["status"], "failed")
        self.assertIn("manifest.json", runs[0]["error"])
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").json(), before)
        # The last good manifest is still what a run_results upload is read with.
        self.upload(RUN_RESULTS, "run_result_file", "run_result")
        self.assertEqual(self.finished_runs(3)[0]["status"], "succeeded")

    def test_combined_upload_then_trigger(self):
        with open(MANIFEST, "rb") as m, open(RUN_RESULTS, "rb") as r, open(CATALOG, "rb") as c:
            response = self.server.post(f"/integration/dbt/{self.integration}/upload_artifacts/",
                                        files={"manifest": m, "run_results": r, "catalog": c})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.runs(), [])  # staged, not run
        self.assertEqual(self.server.post(f"/integration/dbt/{self.integration}/trigger/").status_code, 200)
        [run] = self.finished_runs(1)
        self.assertEqual(run["status"], "succeeded", run)
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        self.assertEqual(entity["table"]["columns"][0]["data_type"], "VARCHAR")  # from catalog.json

    def test_wait_returns_the_final_status(self):
        with open(MANIFEST, "rb") as f:
            response = self.server.post("/integration/dbt/manifest/?wait=true", files={"manifest_file": f},
                                        data={"integration": self.integration})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["run"]["status"], "succeeded")


class UploadFaultTest(UploadTestCase):
    def test_missing_part_or_field_names_it(self):
        with open(MANIFEST, "rb") as f:
            response = self.server.post("/integration/dbt/manifest/", files={"file": f},
                                        data={"integration": self.integration})
        self.assertError(response, 400, "manifest_file")
        with open(MANIFEST, "rb") as f:
            response = self.server.post("/integration/dbt/manifest/", files={"manifest_file": f})
        self.assertError(response, 400, "integration")
        self.assertError(self.upload(MANIFEST, "manifest_file", "manifest", integration="nope"), 404)
        self.assertEqual(self.runs(), [])

    def test_an_empty_upload_is_answered_at_once(self):
        # Content-Length: 0 on a streamed-upload route: nothing to wait for.
        start = time.time()
        response = self.server.post("/integration/dbt/manifest/", data=b"",
                                    headers={"Content-Type": "multipart/form-data; boundary=x"}, timeout=10)
        self.assertLess(time.time() - start, 5)
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(self.runs(), [])

    def test_wrong_content_type_is_refused(self):
        with open(MANIFEST, "rb") as f:
            response = self.server.post("/integration/dbt/manifest/", data=f.read(),
                                        headers={"Content-Type": "application/json"})
        self.assertError(response, 400, "multipart/form-data")

    def test_truncated_multipart_is_refused(self):
        boundary = "cairnboundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"integration\"\r\n\r\n{self.integration}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"manifest_file\"; filename=\"m.json\"\r\n"
                f"\r\n{{\"metadata\": ").encode()
        response = self.server.post("/integration/dbt/manifest/", data=body,
                                    headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        self.assertError(response, 400, "closing boundary")
        self.assertEqual(self.runs(), [])

    def test_oversized_body_is_refused_before_reading_it(self):
        small = os.path.join(self.dir, "small")
        os.makedirs(small)
        server = self.serve(workdir=small, args=["--max-upload-mb", "1"])
        integration = server.post("/api/v1/integrations", json={"name": "x", "type": "dbt_core"}).json()["id"]
        with open(MANIFEST, "rb") as f:
            response = server.post("/integration/dbt/manifest/", files={"manifest_file": f},
                                   data={"integration": integration})
        self.assertError(response, 413)
        response = server.request("PATCH", f"/api/v1/entities/{CUSTOMERS}", data="x" * (2 << 20),
                                  headers={"Content-Type": "application/json"})
        self.assertError(response, 413)
