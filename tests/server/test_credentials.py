"""Credential blocks over the REST API: admin tokens only, the API key taken
on create and never given back (masked), never in the server's log, and the
same blocks as `cairn credentials` on the command line."""

import json
import os
import subprocess

from harness import CAIRN, ServerTestCase

API_KEY = "dbtc_ServerTestKeyNeverToBeSeen_4kQwxyz"
BASE = "/api/v1/credentials"


class CredentialRoutesTest(ServerTestCase):
    def token(self, server, name, permission_set):
        body = {"name": name, "permission_grants": [{"permission_set": permission_set}]}
        response = server.post("/api/v3/accounts/1/service-tokens/", json=body)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["data"]["token_string"]

    def assertKeyNeverShown(self, server, *responses):
        for response in responses:
            self.assertNotIn(API_KEY, response.text)
        self.assertNotIn(API_KEY, server.logs())
        self.assertNotIn("ServerTestKeyNeverToBeSeen", server.logs())

    def test_create_list_get_and_delete_with_the_key_masked(self):
        server = self.serve()
        created = server.post(BASE, json={"type": "dbt-cloud", "name": "prod", "account_id": 43,
                                          "api_key": API_KEY, "domain": "emea.dbt.com",
                                          "access_url": "https://ab123.us1.dbt.com"})
        self.assertEqual(created.status_code, 201, created.text)
        block = created.json()
        self.assertEqual(block["name"], "prod")
        self.assertEqual(block["type"], "dbt-cloud")
        self.assertEqual(block["account_id"], "43")
        self.assertEqual(block["domain"], "emea.dbt.com")
        self.assertEqual(block["access_url"], "https://ab123.us1.dbt.com")
        self.assertEqual(block["api_key"], "****wxyz")

        listed = server.get(BASE)
        self.assertEqual(listed.status_code, 200, listed.text)
        self.assertEqual([(b["name"], b["api_key"]) for b in listed.json()["items"]], [("prod", "****wxyz")])
        one = server.get(BASE + "/prod")
        self.assertEqual(one.status_code, 200, one.text)
        self.assertEqual(one.json()["api_key"], "****wxyz")

        duplicate = server.post(BASE, json={"name": "prod", "account_id": "43", "api_key": API_KEY})
        self.assertError(duplicate, 400, "'prod' exists")
        unknown = server.post(BASE, json={"type": "snowflake", "name": "x", "account_id": "1", "api_key": API_KEY})
        self.assertError(unknown, 400, "the allowed types are: dbt-cloud")
        no_key = server.post(BASE, json={"name": "x", "account_id": "1"})
        self.assertError(no_key, 400, "'api_key' is required")
        missing = server.get(BASE + "/staging")
        self.assertError(missing, 404, "no credential block 'staging'; there are: prod")

        deleted = server.request("DELETE", BASE + "/prod")
        self.assertEqual(deleted.status_code, 204, deleted.text)
        self.assertEqual(server.get(BASE).json()["items"], [])
        self.assertError(server.request("DELETE", BASE + "/prod"), 404, "'prod'")
        self.assertKeyNeverShown(server, created, listed, one, duplicate, unknown, missing)

        with open(server.db, "rb") as f:
            self.assertNotIn(API_KEY.encode(), f.read())

    def test_only_admin_tokens_may_see_or_change_blocks(self):
        server = self.serve()
        created = server.post(BASE, json={"name": "prod", "account_id": "43", "api_key": API_KEY})
        self.assertEqual(created.status_code, 201, created.text)
        for permission_set in ("account_viewer", "job_admin"):  # read, then ingest access
            token = self.token(server, f"not-admin-{permission_set}", permission_set)
            responses = [server.get(BASE, token=token), server.get(BASE + "/prod", token=token),
                         server.post(BASE, token=token, json={"name": "x", "account_id": "1", "api_key": API_KEY}),
                         server.request("DELETE", BASE + "/prod", token=token)]
            for response in responses:
                self.assertError(response, 403)
            self.assertKeyNeverShown(server, *responses)
        self.assertEqual(server.get(BASE, token=None).status_code, 401)
        self.assertEqual([b["name"] for b in server.get(BASE).json()["items"]], ["prod"])

    def test_the_cli_and_the_server_read_the_same_blocks(self):
        server = self.serve()
        env = {k: v for k, v in os.environ.items() if k not in ("DBT_CLOUD_API_KEY", "CAIRN_SECRET_KEY")}
        made = subprocess.run([CAIRN, "credentials", "create", "dbt-cloud", "from-cli", "--account-id", "9",
                               "--db", "sqlite:" + server.db], input=API_KEY + "\n", capture_output=True, text=True,
                              timeout=60, env=env)
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual(server.get(BASE + "/from-cli").json()["api_key"], "****wxyz")
        over_api = server.post(BASE, json={"name": "from-api", "account_id": "10", "api_key": API_KEY})
        self.assertEqual(over_api.status_code, 201, over_api.text)
        shown = subprocess.run([CAIRN, "credentials", "list", "--json", "--db", "sqlite:" + server.db],
                               capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertEqual([(b["name"], b["api_key"]) for b in json.loads(shown.stdout)["items"]],
                         [("from-api", "****wxyz"), ("from-cli", "****wxyz")])
        self.assertNotIn(API_KEY, shown.stdout + shown.stderr)
        self.assertKeyNeverShown(server, over_api)
