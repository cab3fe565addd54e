"""A real `cairn serve` on 127.0.0.1 for end-to-end tests.

The server picks a free port itself (--port 0) and prints its URL; tests stop
it by PID. Logs go to a file in the test's directory, printed when a test
fails, so a failure shows what the server said.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import requests

CAIRN = os.environ.get("CAIRN_BIN", os.path.join(os.path.dirname(__file__), "..", "..", "build", "src", "cli", "cairn"))
SHARED = os.environ.get("CAIRN_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
PROJECTS = os.path.join(SHARED, "fixtures", "dbt", "projects")
JAFFLE = os.path.join(PROJECTS, "jaffle_shop_duckdb_dbt-1.12.0")

# A fixed admin token for tests (CAIRN_ADMIN_TOKEN); the printed-once flow has
# its own test.
ADMIN_TOKEN = "cairn_test_admin_token_0123456789abcdefghijklmnop"


class CairnServer:
    """One `cairn serve` process over a catalog file in `workdir`, or over the
    database `db_url` (given in CAIRN_DB, never on the command line, where
    `ps` would show its password)."""

    def __init__(self, workdir, env=None, args=(), tls=None, db_url=None):
        self.workdir = workdir
        self.db = os.path.join(workdir, "cairn.db")
        self.db_url = db_url
        self.log_path = os.path.join(workdir, "server.log")
        self.env = dict(os.environ)
        self.env.setdefault("CAIRN_ADMIN_TOKEN", ADMIN_TOKEN)
        self.env.update(env or {})
        if db_url:
            self.env["CAIRN_DB"] = db_url
        self.args = list(args)
        self.tls = tls  # (cert, key) paths
        self.proc = None
        self.url = None
        self.printed = []  # stdout lines up to the "serving" line

    def start(self, timeout=60):
        database = [] if self.db_url else ["--db", "sqlite:" + self.db]
        cmd = [CAIRN, "serve", *database, "--host", "127.0.0.1", "--port", "0",
               "--data-dir", os.path.join(self.workdir, "data"), *self.args]
        if self.tls:
            cmd += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, env=self.env, text=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(f"cairn serve exited with {self.proc.wait()}:\n{self.logs()}")
            self.printed.append(line.rstrip("\n"))
            match = re.search(r"serving (https?://\S+)", line)
            if match:
                self.url = match.group(1).rstrip("/")
                return self
        raise AssertionError("cairn serve did not start in time:\n" + self.logs())

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.kill(self.proc.pid, sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return code

    def logs(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()[-20000:]
        except OSError:
            return ""

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    # Requests with a token ("Bearer" unless told otherwise).
    def request(self, method, path, token=ADMIN_TOKEN, scheme="Bearer", **kwargs):
        headers = kwargs.pop("headers", {})
        if token is not None:
            headers["Authorization"] = f"{scheme} {token}"
        kwargs.setdefault("timeout", 60)
        return requests.request(method, self.url + path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)


def ingest(db, directory, service="shop"):
    subprocess.run([CAIRN, "ingest", "dbt", directory, "--db", "sqlite:" + db, "--service", service],
                   check=True, capture_output=True, timeout=300)


class ServerTestCase(unittest.TestCase):
    """A fresh directory per test, and servers stopped at the end whatever happens."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-server-")
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop(signal.SIGKILL)

    def run(self, result=None):
        # The directory outlives tearDown so that a failing test can show
        # what its servers logged.
        failed_before = len(result.failures) + len(result.errors) if result else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > failed_before:
            for server in getattr(self, "servers", []):
                print(f"\n--- cairn serve log ({server.log_path}) ---\n{server.logs()}")
        if getattr(self, "dir", None):
            shutil.rmtree(self.dir, ignore_errors=True)
        return outcome

    def serve(self, workdir=None, **kwargs):
        server = CairnServer(workdir or self.dir, **kwargs)
        self.servers.append(server)
        return server.start()

    def assertError(self, response, status, fragment=None):
        self.assertEqual(response.status_code, status, response.text)
        body = response.json()
        message = body["error"]["message"] if "error" in body else body["status"]["user_message"]
        if fragment:
            self.assertIn(fragment, message)
        return message


def wait_for(predicate, timeout=60, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")
