"""`cairn credentials`: named dbt Cloud credential blocks from the command line.

The API key goes in through stdin or DBT_CLOUD_API_KEY and never comes out:
not on stdout or stderr, not in the catalog file, not in the argv that `ps`
shows while the command waits for the key.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

CAIRN = os.environ.get("CAIRN_BIN", "../build/src/cli/cairn")

# Exit codes (core/error.cc).
EX_USAGE, EX_NOINPUT = 64, 66
API_KEY = "dbtc_CliTestKeyNeverToBeSeen_9f3Qwxyz"
OTHER_KEY = "dbtc_EnvTestKeyNeverToBeSeen_77Hk5678"


class CredentialsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="cairn-credentials-")
        self.db = "sqlite:" + os.path.join(self.dir, "cairn.db")
        # No DBT_CLOUD_API_KEY or CAIRN_SECRET_KEY from the caller's environment.
        self.env = {k: v for k, v in os.environ.items() if k not in ("DBT_CLOUD_API_KEY", "CAIRN_SECRET_KEY")}

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def cairn(self, *args, stdin="", env=None):
        proc = subprocess.run([CAIRN, "credentials", *args, "--db", self.db], input=stdin, capture_output=True,
                              text=True, timeout=60, env={**self.env, **(env or {})})
        for key in (API_KEY, OTHER_KEY):
            self.assertNotIn(key, proc.stdout)
            self.assertNotIn(key, proc.stderr)
        return proc

    def ok(self, *args, **kwargs):
        proc = self.cairn(*args, **kwargs)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc

    def catalog_bytes(self):
        data = b""
        for name in os.listdir(self.dir):
            if name.startswith("cairn.db") and not name.endswith(".secret-key"):
                with open(os.path.join(self.dir, name), "rb") as f:
                    data += f.read()
        return data

    def test_create_from_stdin_then_list_show_and_delete(self):
        created = self.ok("create", "dbt-cloud", "prod", "--account-id", "43", "--access-url",
                          "https://ab123.us1.dbt.com", "--json", stdin=API_KEY + "\n")
        block = json.loads(created.stdout)
        self.assertEqual(block["name"], "prod")
        self.assertEqual(block["type"], "dbt-cloud")
        self.assertEqual(block["account_id"], "43")
        self.assertEqual(block["domain"], "cloud.getdbt.com")
        self.assertEqual(block["access_url"], "https://ab123.us1.dbt.com")
        self.assertEqual(block["api_key"], "****wxyz")

        listed = json.loads(self.ok("list", "--json").stdout)["items"]
        self.assertEqual([(b["name"], b["api_key"]) for b in listed], [("prod", "****wxyz")])
        text = self.ok("list").stdout
        self.assertIn("prod", text)
        self.assertIn("****wxyz", text)
        shown = self.ok("show", "prod").stdout
        self.assertIn("account id:    43", shown)
        self.assertIn("****wxyz", shown)
        self.assertEqual(json.loads(self.ok("show", "prod", "--json").stdout)["api_key"], "****wxyz")

        self.assertNotIn(API_KEY.encode(), self.catalog_bytes())
        self.assertNotIn(b"CliTestKeyNeverToBeSeen", self.catalog_bytes())

        self.assertEqual(json.loads(self.ok("delete", "prod", "--json").stdout), {"deleted": "prod"})
        self.assertEqual(json.loads(self.ok("list", "--json").stdout)["items"], [])
        gone = self.cairn("show", "prod")
        self.assertEqual(gone.returncode, EX_NOINPUT, gone.stderr)
        self.assertIn("no credential block 'prod'", gone.stderr)
        again = self.cairn("delete", "prod")
        self.assertEqual(again.returncode, EX_NOINPUT, again.stderr)

    def test_create_from_the_environment_variable(self):
        created = self.ok("create", "dbt-cloud", "emea", "--account-id", "7", "--domain", "emea.dbt.com",
                          env={"DBT_CLOUD_API_KEY": OTHER_KEY})
        self.assertIn("Created credential block emea", created.stdout)
        self.assertIn("****5678", created.stdout)
        block = json.loads(self.ok("show", "emea", "--json").stdout)
        self.assertEqual(block["domain"], "emea.dbt.com")
        self.assertEqual(block["api_key"], "****5678")
        self.assertNotIn(OTHER_KEY.encode(), self.catalog_bytes())

    def test_key_is_not_in_argv_while_the_command_waits_for_it(self):
        proc = subprocess.Popen([CAIRN, "credentials", "create", "dbt-cloud", "waiting", "--account-id", "43",
                                 "--db", self.db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env)
        try:
            # Blocked in read(2) on stdin: still running after a moment.
            time.sleep(0.5)
            self.assertIsNone(proc.poll(), "cairn exited before it was given a key")
            with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            self.assertIn(b"waiting", argv)
            ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, timeout=30).stdout
            self.assertIn(str(proc.pid), ps)
            out, err = proc.communicate(API_KEY.encode() + b"\n", timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn(API_KEY.encode(), b"\0".join(argv))
        self.assertNotIn(API_KEY, ps)
        self.assertNotIn(API_KEY.encode(), out + err)
        self.assertEqual(json.loads(self.ok("show", "waiting", "--json").stdout)["api_key"], "****wxyz")

    def test_empty_key_unknown_type_duplicate_and_bad_name_are_refused(self):
        empty = self.cairn("create", "dbt-cloud", "prod", "--account-id", "43", stdin="\n")
        self.assertEqual(empty.returncode, EX_USAGE, empty.stderr)
        self.assertIn("the API key is empty", empty.stderr)
        from_env = self.cairn("create", "dbt-cloud", "prod", "--account-id", "43", env={"DBT_CLOUD_API_KEY": ""})
        self.assertEqual(from_env.returncode, EX_USAGE, from_env.stderr)

        unknown = self.cairn("create", "snowflake", "prod", "--account-id", "43", stdin=API_KEY)
        self.assertEqual(unknown.returncode, EX_USAGE, unknown.stderr)
        self.assertIn("unknown credential block type 'snowflake'", unknown.stderr)
        self.assertIn("the allowed types are: dbt-cloud", unknown.stderr)

        bad_name = self.cairn("create", "dbt-cloud", "no/slashes", "--account-id", "43", stdin=API_KEY)
        self.assertEqual(bad_name.returncode, EX_USAGE, bad_name.stderr)
        self.assertIn("not a credential block name", bad_name.stderr)

        self.ok("create", "dbt-cloud", "prod", "--account-id", "43", stdin=API_KEY)
        duplicate = self.cairn("create", "dbt-cloud", "prod", "--account-id", "43", stdin=OTHER_KEY)
        self.assertEqual(duplicate.returncode, EX_USAGE, duplicate.stderr)
        self.assertIn("'prod' exists", duplicate.stderr)
        self.assertEqual(json.loads(self.ok("show", "prod", "--json").stdout)["api_key"], "****wxyz")

    def test_not_found_lists_the_blocks_there_are(self):
        self.ok("create", "dbt-cloud", "dev", "--account-id", "1", stdin=API_KEY)
        self.ok("create", "dbt-cloud", "staging", "--account-id", "1", stdin=OTHER_KEY)
        missing = self.cairn("show", "prod")
        self.assertEqual(missing.returncode, EX_NOINPUT, missing.stderr)
        self.assertIn("no credential block 'prod'; there are: dev, staging", missing.stderr)

    def test_key_never_given_in_argv_is_refused(self):
        # There is no option for the key: passing one is a usage error, not a stored key.
        proc = self.cairn("create", "dbt-cloud", "prod", "--account-id", "43", "--api-key", "dbtc_x", stdin=API_KEY)
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(json.loads(self.ok("list", "--json").stdout)["items"], [])

    def test_secret_key_from_the_environment_and_a_wrong_one(self):
        env = {"CAIRN_SECRET_KEY": "11" * 32}
        self.ok("create", "dbt-cloud", "prod", "--account-id", "43", stdin=API_KEY, env=env)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "cairn.db.secret-key")))
        self.assertEqual(json.loads(self.ok("show", "prod", "--json", env=env).stdout)["api_key"], "****wxyz")
        wrong = self.cairn("show", "prod", env={"CAIRN_SECRET_KEY": "22" * 32})
        self.assertNotEqual(wrong.returncode, 0)
        self.assertIn("does not open with this secret key", wrong.stderr)
        self.assertIn("'prod'", wrong.stderr)
        # Without the variable, the key file beside the catalog is used: another key.
        no_env = self.cairn("show", "prod")
        self.assertNotEqual(no_env.returncode, 0)
        self.assertIn("does not open with this secret key", no_env.stderr)


if __name__ == "__main__":
    unittest.main()
