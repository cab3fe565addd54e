"""Several `cairn serve` on one PostgreSQL database, end to end: what one
instance is given (a token, an upload) the other serves; a scheduled bucket
sync runs on one of them only, and the advisory lock it holds goes with an
instance that is killed; the database password never shows.

Needs the ctest fixture `postgres` (CAIRN_TEST_POSTGRES_URL_FILE names the
file holding its cluster's URL); registered as server_postgres_test.
"""

import os
import signal
import subprocess
import time
import urllib.parse
import uuid

from buckets import Moto, RecordingProxy, first_run, s3_settings, seed_project, sync_now
from harness import JAFFLE, CairnServer, ServerTestCase, wait_for

CUSTOMERS = "shop.jaffle_shop.main.customers"
SECRET_KEY = "7f" * 32  # CAIRN_SECRET_KEY: the same for every instance


def cluster_url():
    path = os.environ.get("CAIRN_TEST_POSTGRES_URL_FILE")
    if not path or not os.path.exists(path):
        raise AssertionError("no PostgreSQL: run through ctest, which starts the `postgres` fixture "
                             f"(CAIRN_TEST_POSTGRES_URL_FILE={path!r})")
    with open(path) as f:
        return f.read().strip()


def psql(url, sql):
    """Runs `sql` with psql, the password in PGPASSWORD rather than on argv."""
    parts = urllib.parse.urlsplit(url)
    env = dict(os.environ, PGPASSWORD=urllib.parse.unquote(parts.password or ""))
    bare = parts._replace(netloc=f"{parts.username}@{parts.hostname}:{parts.port}").geturl()
    return subprocess.run(["psql", "-d", bare, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", sql],
                          check=True, env=env, capture_output=True, text=True, timeout=60).stdout


def new_database():
    """A database of this test's own on the fixture's cluster, and its URL."""
    cluster = cluster_url()
    name = f"cairn_e2e_{uuid.uuid4().hex[:12]}"
    psql(cluster, f'CREATE DATABASE "{name}"')
    return urllib.parse.urlsplit(cluster)._replace(path="/" + name).geturl()


class PostgresInstancesTestCase(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.db_url = new_database()
        self.password = urllib.parse.unquote(urllib.parse.urlsplit(self.db_url).password)

    def instance(self, name, args=(), env=None):
        workdir = os.path.join(self.dir, name)  # its own artifacts directory
        os.makedirs(workdir)
        server = CairnServer(workdir, db_url=self.db_url, args=args,
                             env={"CAIRN_SECRET_KEY": SECRET_KEY, **(env or {})})
        self.servers.append(server)
        return server.start()

    def assertPasswordNeverShown(self, server):
        self.assertNotIn(self.password, "\n".join(server.printed))
        self.assertNotIn(self.password, server.logs())
        with open(f"/proc/{server.pid}/cmdline", "rb") as f:
            self.assertNotIn(self.password.encode(), f.read())


class SharedStateTest(PostgresInstancesTestCase):
    def setUp(self):
        super().setUp()
        self.first = self.instance("first")
        self.second = self.instance("second")

    def test_the_start_up_line_names_the_database_without_its_password(self):
        for server in (self.first, self.second):
            serving = [line for line in server.printed if "Cairn is serving" in line]
            self.assertEqual(len(serving), 1, server.printed)
            self.assertIn("postgresql://cairn:****@127.0.0.1", serving[0])
            self.assertPasswordNeverShown(server)

    def test_a_token_made_on_one_instance_works_on_the_other(self):
        response = self.first.post("/api/v3/accounts/1/service-tokens/",
                                   json={"name": "ci", "permission_grants": [{"permission_set": "readonly"}]})
        self.assertEqual(response.status_code, 200, response.text)
        token = response.json()["data"]["token_string"]
        self.assertEqual(self.second.get("/api/v1/entities", token=token).status_code, 200)
        listed = self.second.get("/api/v3/accounts/1/service-tokens/").json()["data"]
        self.assertEqual(sorted(t["name"] for t in listed), ["bootstrap", "ci"])
        self.assertEqual(self.first.get("/api/v1/entities", token=token).status_code, 200)
        # Deactivated on the second: refused there at once, and on the first
        # once its index of tokens is older than a second.
        token_id = response.json()["data"]["id"]
        self.assertEqual(self.second.request("DELETE", f"/api/v3/accounts/1/service-tokens/{token_id}/").status_code,
                         204)
        self.assertEqual(self.second.get("/api/v1/entities", token=token).status_code, 401)
        deactivated = time.monotonic()
        while self.first.get("/api/v1/entities", token=token).status_code != 401:
            self.assertLess(time.monotonic() - deactivated, 10, "the first instance still takes the token")
            time.sleep(0.1)

    def test_an_upload_to_one_instance_is_served_by_the_other(self):
        response = self.first.post("/api/v1/integrations",
                                   json={"name": "jaffle", "type": "dbt_core", "settings": {"service": "shop"}})
        self.assertEqual(response.status_code, 201, response.text)
        integration = response.json()["id"]
        with open(os.path.join(JAFFLE, "manifest.json"), "rb") as f:
            response = self.first.post("/integration/dbt/manifest/?wait=true", files={"manifest_file": f},
                                       data={"integration": integration})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["run"]["status"], "succeeded", response.text)
        entity = self.second.get(f"/api/v1/entities/{CUSTOMERS}")
        self.assertEqual(entity.status_code, 200, entity.text)
        runs = self.second.get(f"/api/v1/integrations/{integration}/runs").json()["items"]
        self.assertEqual([run["status"] for run in runs], ["succeeded"])


class ScheduledSyncTest(PostgresInstancesTestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        seed_project(cls.moto.client("s3"), "ci-artifacts", "shop/", JAFFLE)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        super().setUp()
        self.proxy = RecordingProxy(self.moto.url)
        self.addCleanup(self.proxy.close)
        args = ["--bucket-stall-timeout", "20", "--bucket-attempts", "1"]
        self.first = self.instance("first", args=args)
        self.second = self.instance("second", args=args)

    def create(self, server):
        response = server.post("/api/v1/integrations", json={
            "name": "shop bucket", "type": "dbt_core",
            "settings": s3_settings(self.proxy.url, "ci-artifacts", "shop", sync_interval_minutes=60)})
        self.assertEqual(response.status_code, 201, response.text)
        return response.json()["id"]

    def runs(self, server, integration):
        return server.get(f"/api/v1/integrations/{integration}/runs").json()["items"]

    def holder_and_other(self, integration):
        """The instance whose scheduler began the due sync, and the other one.

        Either scheduler may begin it (the integration is due on creation and
        both look at the shared database), so each is asked to sync now: the
        holder of the lock answers with its running sync, the other is refused.
        """
        first, second = (server.post(f"/api/v1/integrations/{integration}/sync")
                         for server in (self.first, self.second))
        statuses = [first.status_code, second.status_code]
        self.assertIn(409, statuses, (first.text, second.text))
        if second.status_code == 409:
            holder, other, held, refused = self.first, self.second, first, second
        else:
            holder, other, held, refused = self.second, self.first, second, first
        self.assertError(refused, 409, "another Cairn process is syncing integration")
        self.assertEqual(held.status_code, 200, held.text)
        self.assertEqual(held.json()["run"]["trigger"], "bucket_sync:scheduled")
        return holder, other

    def test_a_scheduled_sync_runs_on_one_instance_only(self):
        self.proxy.hang = True  # the sync holds its lock while the bucket does not answer
        integration = self.create(self.first)
        wait_for(lambda: self.proxy.requests, timeout=30)
        self.holder_and_other(integration)
        self.proxy.hang = False
        run = first_run(self.second, integration)
        self.assertEqual(run["status"], "succeeded", run)
        self.assertEqual(run["trigger"], "bucket_sync:scheduled")
        self.assertEqual(self.second.get(f"/api/v1/entities/{CUSTOMERS}").status_code, 200)
        # Both schedulers look at the integration again (a restart looks at
        # once); the sync is not due for an hour, so neither begins another.
        restarted = self.instance("third", args=["--bucket-stall-timeout", "20"])
        time.sleep(3)
        self.assertEqual(len(self.runs(restarted, integration)), 1)
        self.assertEqual(len(self.proxy.lists()), 1, self.proxy.lists())

    def test_the_lock_of_a_killed_instance_is_released_at_once(self):
        self.proxy.hang = True
        integration = self.create(self.first)
        wait_for(lambda: self.proxy.requests, timeout=30)
        holder, other = self.holder_and_other(integration)
        holder.stop(signal.SIGKILL)  # its session ends, and the advisory lock with it
        self.proxy.hang = False
        run = wait_for(lambda: self.try_sync(other, integration), timeout=60)
        self.assertEqual(run["status"], "succeeded", run)
        self.assertEqual(run["trigger"], "bucket_sync:manual")

    @staticmethod
    def try_sync(server, integration):
        """The finished run of a sync asked for now; None while another holds the lock."""
        response = server.post(f"/api/v1/integrations/{integration}/sync", params={"wait": "true"})
        return response.json()["run"] if response.status_code == 200 else None


class SecretKeyTest(PostgresInstancesTestCase):
    def test_without_cairn_secret_key_serve_refuses_to_start_and_says_why(self):
        env = {k: v for k, v in os.environ.items() if k != "CAIRN_SECRET_KEY"}
        env["CAIRN_DB"] = self.db_url
        proc = subprocess.run([os.environ.get("CAIRN_BIN", "cairn"), "serve", "--port", "0",
                               "--data-dir", os.path.join(self.dir, "data")],
                              env=env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("CAIRN_SECRET_KEY", proc.stderr)
        self.assertIn("postgresql://cairn:****@", proc.stderr)
        self.assertNotIn(self.password, proc.stderr + proc.stdout)


if __name__ == "__main__":
    import unittest
    unittest.main()
