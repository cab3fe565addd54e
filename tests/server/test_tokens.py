"""Service tokens in dbt Cloud's v3 shape, permission sets enforced, and the
dbt Cloud token-rotation client code running unchanged over HTTPS."""

import os
import subprocess
import sys
import time

import requests

from harness import ADMIN_TOKEN, JAFFLE, ServerTestCase, ingest

HERE = os.path.dirname(os.path.abspath(__file__))
CUSTOMERS = "shop.jaffle_shop.main.customers"


def make_test_ca(directory):
    """A CA and a server certificate for 127.0.0.1/localhost signed by it."""
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=directory)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Cairn Test CA",
            "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
            "-out", "server.csr")
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem")
    return tuple(os.path.join(directory, name) for name in ("ca.pem", "server.pem", "server.key"))


class ServiceTokenTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        ingest(f"{self.dir}/cairn.db", JAFFLE)

    def create(self, server, name, *permission_sets, **extra):
        body = {"name": name, "permission_grants": [{"permission_set": p} for p in permission_sets], **extra}
        response = server.post("/api/v3/accounts/1/service-tokens/", json=body)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["data"]

    def test_rotation_client_runs_unchanged_over_https(self):
        ca, cert, key = make_test_ca(self.dir)
        server = self.serve(tls=(cert, key))
        self.assertTrue(server.url.startswith("https://"))
        host = server.url[len("https://"):]
        env = dict(os.environ, DBT_CLOUD_HOST=host, DBT_CLOUD_ACCOUNT_ID="1", DBT_CLOUD_API_TOKEN=ADMIN_TOKEN,
                   REQUESTS_CA_BUNDLE=ca)
        client = os.path.join(HERE, "clients", "dbt_cloud_token_rotation.py")

        first = subprocess.run([sys.executable, client, "catalog-reader", "metadata_only"], env=env,
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(first.returncode, 0, first.stderr)
        first_id, first_secret = first.stdout.split()
        self.assertTrue(first_secret.startswith("cairn_"))
        reader = requests.get(f"{server.url}/api/v1/entities/{CUSTOMERS}",
                              headers={"Authorization": f"Bearer {first_secret}"}, verify=ca, timeout=10)
        self.assertEqual(reader.status_code, 200)

        second = subprocess.run([sys.executable, client, "catalog-reader", "metadata_only"], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(second.returncode, 0, second.stderr)
        second_id, second_secret = second.stdout.split()
        self.assertNotEqual(first_id, second_id)
        # The old secret is revoked at once; the new one works; the old record stays for audit.
        old = requests.get(f"{server.url}/api/v1/search?q=x", headers={"Authorization": f"Token {first_secret}"},
                           verify=ca, timeout=10)
        self.assertEqual(old.status_code, 401)
        new = requests.get(f"{server.url}/api/v1/search?q=x", headers={"Authorization": f"Token {second_secret}"},
                           verify=ca, timeout=10)
        self.assertEqual(new.status_code, 200)
        audit = requests.get(f"{server.url}/api/v3/accounts/1/service-tokens/{first_id}/",
                             headers={"Authorization": f"Token {ADMIN_TOKEN}"}, verify=ca, timeout=10).json()
        self.assertEqual(audit["data"]["state"], 2)
        self.assertNotIn("token_string", audit["data"])

    def test_token_string_is_shown_only_on_create_and_never_logged(self):
        server = self.serve()
        created = self.create(server, "ci", "job_admin")
        secret = created["token_string"]
        self.assertEqual(created["state"], 1)
        self.assertEqual(created["permission_grants"][0]["permission_set"], "job_admin")
        listed = server.get("/api/v3/accounts/1/service-tokens/").json()
        self.assertTrue(listed["status"]["is_success"])
        self.assertTrue(all("token_string" not in t for t in listed["data"]))
        self.assertIn(created["id"], [t["id"] for t in listed["data"]])
        server.get("/api/v1/search?q=x", token=secret)
        server.get("/api/v1/search?q=x", token=secret + "x")
        server.stop()
        logs = server.logs()
        self.assertNotIn(secret, logs)
        self.assertNotIn(ADMIN_TOKEN, logs)
        with open(server.db, "rb") as f:
            self.assertNotIn(secret.encode(), f.read())

    def test_permission_sets_are_enforced(self):
        server = self.serve()
        reader = self.create(server, "reader", "metadata_only")["token_string"]
        writer = self.create(server, "writer", "job_admin")["token_string"]
        nothing = self.create(server, "billing", "billing_admin")["token_string"]
        edit = {"description": "x"}
        path = f"/api/v1/entities/{CUSTOMERS}"

        self.assertEqual(server.get(path, token=reader).status_code, 200)
        self.assertError(server.request("PATCH", path, token=reader, json=edit), 403)
        self.assertError(server.get("/api/v3/accounts/1/service-tokens/", token=reader), 403)

        self.assertEqual(server.request("PATCH", path, token=writer, json=edit).status_code, 200)
        self.assertError(server.post("/api/v3/accounts/1/service-tokens/", token=writer,
                                     json={"name": "x", "permission_grants": []}), 403)

        self.assertError(server.get(path, token=nothing), 403)

    def test_bad_requests_name_the_problem(self):
        server = self.serve()
        response = server.post("/api/v3/accounts/1/service-tokens/",
                               json={"name": "x", "permission_grants": [{"permission_set": "superuser"}]})
        self.assertError(response, 400, "superuser")
        self.assertError(server.post("/api/v3/accounts/1/service-tokens/", json={"permission_grants": []}), 400,
                         "name")
        self.assertError(server.get("/api/v3/accounts/999/service-tokens/"), 404)

    def test_expired_tokens_are_refused(self):
        server = self.serve()
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
        token = self.create(server, "short", "metadata_only", expires_at=soon)["token_string"]
        self.assertEqual(server.get("/api/v1/search?q=x", token=token).status_code, 200)
        time.sleep(3)
        self.assertError(server.get("/api/v1/search?q=x", token=token), 401)

    def test_bootstrap_token_is_printed_once(self):
        env = {"CAIRN_ADMIN_TOKEN": ""}
        server = self.serve(env=env)
        printed = "\n".join(server.printed)
        token = next(word for word in printed.split() if word.startswith("cairn_"))
        self.assertEqual(server.get("/api/v3/accounts/1/service-tokens/", token=token).status_code, 200)
        server.stop()
        again = self.serve(env=env)
        self.assertNotIn(token, "\n".join(again.printed))
        self.assertEqual(again.get("/api/v1/search?q=x", token=token).status_code, 200)
        self.assertNotIn(token, again.logs())
