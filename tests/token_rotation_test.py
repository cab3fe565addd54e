"""`cairn tokens rotate` end to end: against a real `cairn serve` (--target
cairn) and the local dbt Cloud (--target dbt-cloud), into moto_server's
Secrets Manager and a sealed file; interrupted after each step (the
CAIRN_FAILPOINT) and resumed; the team's notebook (requests + boto3) run
unchanged on the same secret; no key or token string in any output or argv."""

import json
import os
import socket
import subprocess
import sys
import time
import unittest

import boto3
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "server"))

from harness import ADMIN_TOKEN, CAIRN, ServerTestCase  # noqa: E402
from fake_dbt_cloud import common as fake_common  # noqa: E402
from fake_dbt_cloud.app import create_app, serve_in_thread  # noqa: E402

STEPS = ["rotate.after_create", "rotate.after_write", "rotate.after_revoke", "rotate.after_duplicates"]
DBT_KEY = "dbtc_admin_key_for_the_rotation_test_5521"
NOTEBOOK = os.path.join(HERE, "server", "clients", "token_rotation_notebook.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if requests.post(self.url + "/moto-api/reset", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise AssertionError("moto_server did not start")

    def env(self):
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.url}

    def secret(self, name):
        client = boto3.client("secretsmanager", endpoint_url=self.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        return json.loads(client.get_secret_value(SecretId=name)["SecretString"])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class RotationCase(ServerTestCase):
    """Runs `cairn tokens rotate` and keeps everything it printed and its argv."""

    def setUp(self):
        super().setUp()
        self.outputs = []
        self.secrets_seen = set()

    def rotate(self, args, env, failpoint=None, expect=0):
        run_env = dict(os.environ, **env)
        run_env.pop("CAIRN_FAILPOINT", None)
        if failpoint:
            run_env["CAIRN_FAILPOINT"] = failpoint
        argv = [CAIRN, "tokens", "rotate", *args]
        result = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=120)
        self.outputs += [result.stdout, result.stderr, " ".join(argv)]
        self.assertEqual(result.returncode, 75 if failpoint else expect, result.stdout + result.stderr)
        return result

    def assertNoSecretsShown(self, extra=()):
        ps = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
        texts = self.outputs + [ps] + [server.logs() for server in self.servers] + list(extra)
        for secret in self.secrets_seen:
            for text in texts:
                self.assertNotIn(secret, text)


class CairnTargetTest(RotationCase):
    def setUp(self):
        super().setUp()
        self.moto = Moto()
        self.server = self.serve()
        self.env = dict(self.moto.env(), CAIRN_TOKEN=ADMIN_TOKEN)
        self.args = ["--target", "cairn", "--url", self.server.url, "--secret", "aws-secretsmanager:cairn/reader"]
        self.secrets_seen.add(ADMIN_TOKEN)

    def tearDown(self):
        self.moto.stop()
        super().tearDown()

    def tokens(self):
        body = self.server.get("/api/v3/accounts/1/service-tokens/?state=1&limit=100").json()
        return [t for t in body["data"] if t["name"] == "reader"]

    def works(self, token_string):
        return self.server.get("/api/v1/session", token=token_string).status_code == 200

    def check(self, old=None):
        secret = self.moto.secret("cairn/reader")
        self.secrets_seen.add(secret["service_token"])
        self.assertTrue(self.works(secret["service_token"]))
        active = self.tokens()
        self.assertEqual([t["id"] for t in active], [secret["service_token_id"]])
        if old:
            self.assertNotEqual(old["service_token_id"], secret["service_token_id"])
            self.assertFalse(self.works(old["service_token"]))
            state = self.server.get(f"/api/v3/accounts/1/service-tokens/{old['service_token_id']}/").json()
            self.assertEqual(state["data"]["state"], 2)
        return secret

    def test_rotates_resumes_after_each_step_and_works_with_the_notebook(self):
        first = self.rotate(self.args + ["--name", "reader", "--permission-set", "metadata_only"], self.env)
        self.assertIn("rotated service token 'reader'", first.stdout)
        secret = self.check()
        for step in STEPS:
            with self.subTest(step=step):
                self.rotate(self.args, self.env, failpoint=step)
                # Whatever the stop, the secret still holds a working token.
                now = self.moto.secret("cairn/reader")
                self.secrets_seen.add(now["service_token"])
                self.assertTrue(self.works(now["service_token"]))
                resumed = self.rotate(self.args, self.env)
                expected = "rotated" if step == "rotate.after_create" else "completed the rotation"
                self.assertTrue(resumed.stdout.startswith(expected), resumed.stdout)
                secret = self.check(old=secret)

        # The team's notebook rotates the same secret, unchanged; then Cairn again.
        env = dict(os.environ, **self.moto.env(), DBT_CLOUD_HOST_URL=self.server.url, DBT_CLOUD_ACCOUNT_ID="1",
                   DBT_CLOUD_ADMIN_TOKEN=ADMIN_TOKEN, SECRET_NAME="cairn/reader")
        notebook = subprocess.run([sys.executable, NOTEBOOK], env=env, capture_output=True, text=True, timeout=120)
        self.outputs += [notebook.stdout, notebook.stderr]
        self.assertEqual(notebook.returncode, 0, notebook.stderr)
        secret = self.check(old=secret)
        self.assertEqual(set(secret), {"service_token_id", "service_token", "last_rotated_datetime_utc"})
        self.rotate(self.args, self.env)
        secret = self.check(old=secret)
        notebook = subprocess.run([sys.executable, NOTEBOOK], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(notebook.returncode, 0, notebook.stderr)
        self.check(old=secret)
        self.assertNoSecretsShown()

    def test_the_key_comes_from_the_environment_only(self):
        env = dict(self.moto.env())
        result = self.rotate(self.args + ["--name", "reader", "--permission-set", "metadata_only"], env, expect=64)
        self.assertIn("set CAIRN_TOKEN", result.stderr)
        env["CAIRN_TOKEN"] = "cairn_wrong_token_value_000000000000000000"
        self.secrets_seen.add(env["CAIRN_TOKEN"])
        result = self.rotate(self.args + ["--name", "reader", "--permission-set", "metadata_only"], env, expect=64)
        self.assertIn("HTTP 401", result.stderr)
        self.assertNoSecretsShown()


class DbtCloudTargetTest(RotationCase):
    def setUp(self):
        super().setUp()
        self.state = fake_common.State(account_id=7, api_tokens={DBT_KEY: 7})
        self.fake, self.url = serve_in_thread(create_app(self.state))
        self.path = os.path.join(self.dir, "dbt.secret")
        self.env = {"DBT_CLOUD_API_KEY": DBT_KEY, "CAIRN_SECRET_KEY": ""}
        self.args = ["--target", "dbt-cloud", "--account-id", "7", "--access-url", self.url,
                     "--secret", "file:" + self.path]
        self.secrets_seen.add(DBT_KEY)

    def tearDown(self):
        self.fake.shutdown()
        super().tearDown()

    def read_secret(self):
        # The file is sealed; the only way in is the key beside it, so the
        # test reads it with the same cipher (AES-256-GCM) in Python.
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        with open(self.path) as f:
            sealed = f.read()
        self.assertTrue(sealed.startswith("sealed:v1:"))
        with open(self.path + ".key") as f:
            key = bytes.fromhex(f.read().strip())
        raw = bytes.fromhex(sealed[len("sealed:v1:"):])
        secret = json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], None))
        self.secrets_seen.add(secret["service_token"])
        return secret

    def active(self):
        return [t for t in self.state.service_tokens.values() if t["state"] == 1 and t["name"] == "ci-runner"]

    def check(self, old=None):
        secret = self.read_secret()
        self.assertIn(secret["service_token"], self.state.api_tokens)  # it works
        self.assertEqual([t["id"] for t in self.active()], [secret["service_token_id"]])
        if old:
            self.assertNotIn(old["service_token"], self.state.api_tokens)
            self.assertEqual(self.state.service_tokens[old["service_token_id"]]["state"], 2)
        return secret

    def test_rotates_into_a_sealed_file_and_resumes_after_each_step(self):
        self.rotate(self.args + ["--name", "ci-runner", "--permission-set", "job_runner",
                                 "--permission-set", "metadata_only"], self.env)
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o600)
        secret = self.check()
        # Enough other tokens for two pages of the list; then a duplicate made
        # by hand, on the second page, which the next rotation removes.
        for i in range(105):
            requests.post(f"{self.url}/api/v3/accounts/7/service-tokens/", json={"name": f"other-{i}"},
                          headers={"Authorization": f"Bearer {DBT_KEY}"}, timeout=10).raise_for_status()
        requests.post(f"{self.url}/api/v3/accounts/7/service-tokens/", json={"name": "ci-runner"},
                      headers={"Authorization": f"Bearer {DBT_KEY}"}, timeout=10).raise_for_status()
        for step in STEPS:
            with self.subTest(step=step):
                self.rotate(self.args, self.env, failpoint=step)
                self.assertIn(self.read_secret()["service_token"], self.state.api_tokens)
                self.rotate(self.args, self.env)
                secret = self.check(old=secret)
        others = [t for t in self.state.service_tokens.values() if t["name"].startswith("other-")]
        self.assertEqual(len(others), 105)
        self.assertTrue(all(t["state"] == 1 for t in others))
        listed = [q for m, p, q, _ in self.state.requests if m == "GET" and "service-tokens" in p]
        self.assertIn("state=1&limit=100&offset=100", listed)
        grants = self.state.service_tokens[secret["service_token_id"]]["permission_grants"]
        self.assertEqual([g["permission_set"] for g in grants], ["job_runner", "metadata_only"])
        with open(self.path) as f:
            self.assertNotIn("dbtc_", f.read())
        # Throttling and a server error on the way are retried.
        for status in (429, 503):
            requests.post(f"{self.url}/_fake/faults", json={"path": "service-tokens", "status": status},
                          timeout=10).raise_for_status()
        self.rotate(self.args, self.env)
        secret = self.check(old=secret)
        # A wrong key fails clearly and changes nothing.
        wrong = self.rotate(self.args, dict(self.env, CAIRN_SECRET_KEY="ab" * 32), expect=64)
        self.assertIn("does not decrypt", wrong.stderr)
        self.check()
        self.assertNoSecretsShown()

    def test_a_credential_block_stands_for_the_account_and_key(self):
        db = "sqlite:" + os.path.join(self.dir, "cairn.db")
        env = {k: v for k, v in os.environ.items() if k != "DBT_CLOUD_API_KEY"}
        create = subprocess.run([CAIRN, "credentials", "create", "dbt-cloud", "admin", "--account-id", "7",
                                 "--access-url", self.url, "--db", db], input=DBT_KEY + "\n",
                                capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(create.returncode, 0, create.stderr)
        args = ["--target", "dbt-cloud", "--credentials", "admin", "--db", db, "--secret", "file:" + self.path]
        self.rotate(args + ["--name", "ci-runner", "--permission-set", "job_runner"], {"CAIRN_SECRET_KEY": ""})
        first = self.check()
        self.rotate(args, {"CAIRN_SECRET_KEY": ""})
        self.check(old=first)
        unknown = self.rotate(["--target", "dbt-cloud", "--credentials", "nope", "--db", db, "--secret",
                               "file:" + self.path], {}, expect=66)
        self.assertIn("nope", unknown.stderr)
        self.assertNoSecretsShown()


if __name__ == "__main__":
    unittest.main()
