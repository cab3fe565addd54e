"""Faults around uploads and extraction runs: a client that goes away
mid-upload, many uploads at once while others read, kill -9 during an
extraction, and a graceful stop that lets a run finish."""

import concurrent.futures
import glob
import os
import signal
import socket
import subprocess
import sys
import time

from harness import ADMIN_TOKEN, JAFFLE, SHARED, CairnServer, ServerTestCase, wait_for
from test_uploads import MANIFEST, RUN_RESULTS, UploadTestCase

CUSTOMERS = "shop.jaffle_shop.main.customers"


def synthetic_project(directory, models):
    """A dbt project large enough that its extraction takes a while."""
    out = os.path.join(directory, f"synthetic_{models}")
    if not os.path.exists(os.path.join(out, "manifest.json")):
        subprocess.run([sys.executable, os.path.join(SHARED, "tools", "gen_manifest.py"), "--models", str(models),
                        "--out", out], check=True, capture_output=True, timeout=300)
    return out


class FaultTest(UploadTestCase):
    def upload_dir_files(self):
        return glob.glob(os.path.join(self.dir, "data", "uploads", "*"))

    def test_client_disconnecting_mid_upload_leaves_no_run_and_no_file(self):
        host, port = self.server.url[len("http://"):].split(":")
        boundary = "cut"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"integration\"\r\n\r\n{self.integration}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"manifest_file\"; filename=\"m.json\"\r\n\r\n")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall((f"POST /integration/dbt/manifest/ HTTP/1.1\r\nHost: {host}\r\n"
                          f"Authorization: Bearer {ADMIN_TOKEN}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {50 << 20}\r\n\r\n").encode() + head.encode())
            sock.sendall(b"x" * (4 << 20))
            wait_for(lambda: self.upload_dir_files(), timeout=30)  # the body is landing in a temp file
        wait_for(lambda: not self.upload_dir_files(), timeout=30)
        time.sleep(0.5)
        self.assertEqual(self.runs(), [])
        self.assertEqual(self.server.get("/healthz").status_code, 200)

    def test_fifty_concurrent_uploads_serialise_per_integration(self):
        other = self.create_integration(name="other", service="other")

        def upload(i):
            integration = self.integration if i % 2 == 0 else other
            path, part, kind = (MANIFEST, "manifest_file", "manifest") if i % 3 else \
                (RUN_RESULTS, "run_result_file", "run_result")
            return self.upload(path, part, kind, integration=integration).status_code

        def read(_):
            return self.server.get(f"/api/v1/search?q=customers").status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
            uploads = [pool.submit(upload, i) for i in range(50)]
            reads = [pool.submit(read, i) for i in range(200)]
            statuses = [f.result() for f in uploads]
            read_statuses = [f.result() for f in reads]
        self.assertEqual(statuses, [200] * 50)
        self.assertEqual(set(read_statuses), {200})
        runs = self.finished_runs(25) + self.finished_runs(25, other)
        self.assertEqual(len(runs), 50)
        for integration in (self.integration, other):
            ordered = sorted(self.runs(integration), key=lambda r: r["id"])
            # One at a time, in the order they were queued.
            for before, after in zip(ordered, ordered[1:]):
                self.assertLessEqual(before["finished_at"], after["started_at"])
        self.assertNotIn('status="5', self.server.get("/metrics").text.replace('status="503"', ""))

    def test_kill_during_extraction_keeps_the_last_complete_catalog(self):
        self.upload(MANIFEST, "manifest_file", "manifest")
        self.finished_runs(1)
        before = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        counts = self.server.get("/api/v1/stats").json()
        big = synthetic_project(self.dir, 3000)
        self.upload(os.path.join(big, "manifest.json"), "manifest_file", "manifest")
        wait_for(lambda: self.runs()[0]["status"] == "running", interval=0.01)
        time.sleep(0.3)
        self.server.stop(signal.SIGKILL)

        restarted = self.serve()
        runs = restarted.get(f"/api/v1/integrations/{self.integration}/runs").json()["items"]
        self.assertEqual(runs[0]["status"], "failed")
        self.assertIn("interrupted", runs[0]["error"])
        self.assertEqual(restarted.get(f"/api/v1/entities/{CUSTOMERS}").json(), before)
        self.assertEqual(restarted.get("/api/v1/stats").json(), counts)
        self.assertEqual(restarted.get("/api/v1/search?q=stg_salesforce__territories").json()["total"], 0)

    def test_sigterm_lets_the_running_extraction_finish(self):
        big = synthetic_project(self.dir, 3000)
        self.upload(os.path.join(big, "manifest.json"), "manifest_file", "manifest")
        wait_for(lambda: self.runs()[0]["status"] == "running", interval=0.01)
        self.assertEqual(self.server.stop(signal.SIGTERM, timeout=300), 0)
        restarted = self.serve()
        [run] = restarted.get(f"/api/v1/integrations/{self.integration}/runs").json()["items"]
        self.assertEqual(run["status"], "succeeded", run)
        self.assertGreater(restarted.get("/api/v1/stats").json()["tables"], 3000)
        self.assertGreater(restarted.get("/api/v1/search?q=stg_salesforce__territories").json()["total"], 0)
