"""Bucket integrations end to end: a real `cairn serve` syncing dbt's target/
from moto_server through a recording proxy (which counts the LISTs and GETs
Cairn makes, and injects 500s and hangs), test connection with its precise
reasons, and secrets that never come back."""

import os
import signal
import time

from buckets import Moto, RecordingProxy, first_run, s3_settings, seed_project, sync_now, wait_run
from harness import JAFFLE, CairnServer, ServerTestCase, wait_for

CUSTOMERS = "shop.jaffle_shop.main.customers"
SECRET = "cairnTestSecret/DoNotPrint+0123456789abcdef"
ROLE = "arn:aws:iam::123456789012:role/cairn-reader"


class BucketTestCase(ServerTestCase):
    noise_keys = 0  # log files beside the project under the prefix

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.s3 = cls.moto.client("s3")
        seed_project(cls.s3, "ci-artifacts", "shop/", JAFFLE, noise_keys=cls.noise_keys)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        super().setUp()
        self.proxy = RecordingProxy(self.moto.url)
        self.addCleanup(self.proxy.close)

    def create(self, settings, name="shop bucket", expect=201):
        response = self.server.post("/api/v1/integrations",
                                    json={"name": name, "type": "dbt_core", "settings": settings})
        self.assertEqual(response.status_code, expect, response.text)
        return response.json()

    def check_unsaved(self, settings):
        response = self.server.post("/api/v1/integrations/test", json={"settings": settings})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()


class BucketSyncTest(BucketTestCase):
    noise_keys = 1100  # more than one LIST page

    def setUp(self):
        super().setUp()
        # Generous: a loaded machine must not turn a slow answer into a retried GET.
        self.server = self.serve(args=["--bucket-stall-timeout", "20", "--bucket-attempts", "3"])

    def test_more_than_a_thousand_keys_synced_then_an_unchanged_bucket_costs_one_list_and_no_get(self):
        integration = self.create(s3_settings(self.proxy.url, "ci-artifacts", "shop"))["id"]
        run = first_run(self.server, integration)  # the scheduler syncs a new integration at once
        self.assertEqual(run["status"], "succeeded", run)
        self.assertEqual(run["trigger"], "bucket_sync:scheduled")
        self.assertEqual(run["counts"]["sync"]["objects_listed"], 1103)
        self.assertEqual(len(self.proxy.lists()), 2)  # 1103 keys: two pages of one LIST
        self.assertEqual(sorted(r["path"] for r in self.proxy.object_gets()),
                         [f"/ci-artifacts/shop/target/{n}.json" for n in ("catalog", "manifest", "run_results")])
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").status_code, 200)

        self.proxy.reset()
        unchanged = sync_now(self.server, integration)
        self.assertEqual(unchanged["status"], "succeeded", unchanged)
        self.assertEqual(unchanged["trigger"], "bucket_sync:manual")
        self.assertTrue(unchanged["counts"]["sync"]["nothing_changed"])
        self.assertEqual(unchanged["counts"]["sync"]["get_requests"], 0)
        self.assertEqual(len(self.proxy.lists()), 2)
        self.assertEqual(self.proxy.object_gets(), [])  # seen on the wire, not only in Cairn's counts
        log = self.server.get(unchanged["url"]).json()["log"]
        self.assertTrue(any("nothing changed" in line["message"] for line in log), log)

        # A new dbt run rewrites run_results.json only.
        with open(f"{JAFFLE}/run_results.json", "rb") as f:
            self.s3.put_object(Bucket="ci-artifacts", Key="shop/target/run_results.json", Body=f.read() + b"\n")
        self.proxy.reset()
        changed = sync_now(self.server, integration)
        self.assertEqual(changed["status"], "succeeded", changed)
        self.assertEqual(changed["counts"]["sync"]["changed"], ["run_results"])
        self.assertEqual([r["path"] for r in self.proxy.object_gets()],
                         ["/ci-artifacts/shop/target/run_results.json"])

    def test_assumed_role_is_asked_with_the_external_id_cairn_generated(self):
        settings = s3_settings(self.proxy.url, "ci-artifacts", "shop/", key="AKIABASEKEY000000000",
                               auth="assume_role", role_arn=ROLE, sts_endpoint=self.proxy.url)
        created = self.create(settings)
        external_id = created["settings"]["bucket"]["external_id"]
        self.assertGreaterEqual(len(external_id), 32)
        run = first_run(self.server, created["id"])
        self.assertEqual(run["status"], "succeeded", run)
        [assume] = [r for r in self.proxy.requests if "Action=AssumeRole" in r["body"]]
        self.assertIn(f"ExternalId={external_id}", assume["body"])
        self.assertIn("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcairn-reader", assume["body"])
        self.assertEqual(assume["key"], "AKIABASEKEY000000000")
        s3_keys = {r["key"] for r in self.proxy.requests if r["path"].startswith("/ci-artifacts")}
        self.assertEqual(len(s3_keys), 1)
        self.assertNotIn("AKIABASEKEY000000000", s3_keys)  # the role's temporary keys sign S3 requests
        # Cairn chooses the external id; a client cannot.
        settings["bucket"]["external_id"] = "mine"
        message = self.assertError(self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_core", "settings": settings}), 400)
        self.assertIn("settings.bucket.external_id is chosen by Cairn", message)

    def test_test_connection_reports_the_project_or_the_precise_reason(self):
        found = self.check_unsaved(s3_settings(self.moto.url, "ci-artifacts", "shop"))
        self.assertTrue(found["ok"], found)
        self.assertEqual(found["directory"], "shop/target/")
        self.assertEqual(found["objects_listed"], 1103)
        self.assertEqual([a["kind"] for a in found["artifacts"]], ["manifest", "run_results", "catalog"])
        self.assertTrue(all(a["bytes"] > 0 for a in found["artifacts"]))
        self.assertIn("Found manifest.json", found["message"])

        missing = self.check_unsaved(s3_settings(self.moto.url, "no-such-artifacts", "shop"))
        self.assertFalse(missing["ok"])
        self.assertIn("no such bucket (HTTP 404, NoSuchBucket)", missing["message"])

        empty = self.check_unsaved(s3_settings(self.moto.url, "ci-artifacts", "shop/logs"))
        self.assertFalse(empty["ok"])
        self.assertIn("no manifest.json under s3://ci-artifacts/shop/logs/ (1100 objects listed)", empty["message"])

        created = self.create(s3_settings(self.moto.url, "ci-artifacts", "shop"))
        saved = self.server.post(f"/api/v1/integrations/{created['id']}/test").json()
        self.assertTrue(saved["ok"], saved)

    def test_settings_change_by_merge_patch_and_secrets_rotate_alone(self):
        created = self.create(s3_settings(self.moto.url, "ci-artifacts", "shop/logs", secret=SECRET))
        url = f"/api/v1/integrations/{created['id']}"
        self.assertFalse(self.server.post(f"{url}/test").json()["ok"])
        moved = self.server.patch(url, json={"settings": {"bucket": {"prefix": "shop"}}})
        self.assertEqual(moved.status_code, 200, moved.text)
        bucket = moved.json()["settings"]["bucket"]
        self.assertEqual(bucket["prefix"], "shop")
        self.assertEqual(bucket["access_key_id"], "testing", "what the patch leaves out stays")
        self.assertTrue(bucket["secret_access_key_set"])
        self.assertTrue(self.server.post(f"{url}/test").json()["ok"])

        rotated = self.server.patch(url, json={"name": "renamed",
                                               "settings": {"bucket": {"secret_access_key": "testing"}}})
        self.assertEqual(rotated.status_code, 200, rotated.text)
        self.assertEqual(rotated.json()["name"], "renamed")
        self.assertNotIn('"secret_access_key":', rotated.text)
        self.assertTrue(self.server.post(f"{url}/test").json()["ok"])

        self.assertError(self.server.patch(url, json={"settings": {"bucket": {"sync_interval_minutes": 1}}}),
                         400, "settings.bucket.sync_interval_minutes")
        self.assertError(self.server.patch(url, json={"settings": {"bucket": {"external_id": "mine"}}}),
                         400, "external_id")
        self.assertError(self.server.patch(url, json={"type": "other"}), 400, "'type' cannot be changed")
        self.assertError(self.server.patch("/api/v1/integrations/nope", json={"name": "x"}), 404)
        after = self.server.get(url).json()
        self.assertEqual(after["settings"]["bucket"]["prefix"], "shop", "a refused change changes nothing")
        self.assertNotIn("sync_interval_minutes", after["settings"]["bucket"])
        self.assertNotIn(SECRET, self.server.logs())

    def test_gcs_is_read_through_its_s3_compatible_api_with_hmac_keys(self):
        # moto stands in for storage.googleapis.com: the same XML API, region "auto".
        settings = {"service": "shop", "bucket": {"provider": "gcs", "bucket": "ci-artifacts", "prefix": "shop",
                                                  "endpoint": self.proxy.url, "access_key_id": "GOOG1EHMACID",
                                                  "secret_access_key": SECRET}}
        found = self.check_unsaved(settings)
        self.assertTrue(found["ok"], found)
        self.assertEqual(found["directory"], "shop/target/")
        self.assertIn("/auto/s3/aws4_request", self.proxy.requests[-1]["auth"])
        created = self.create(settings)
        self.assertTrue(created["settings"]["bucket"]["secret_access_key_set"])
        self.assertEqual(first_run(self.server, created["id"])["status"], "succeeded")

    def test_settings_errors_name_the_field(self):
        settings = s3_settings(self.moto.url, "ci-artifacts", "shop", secret=SECRET)
        del settings["bucket"]["bucket"]
        message = self.assertError(self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_core", "settings": settings}), 400)
        self.assertEqual(message, "settings.bucket.bucket is required (the bucket's name)")
        settings = s3_settings(self.moto.url, "b", "", secret=SECRET, sync_interval_minutes=1)
        message = self.assertError(self.server.post("/api/v1/integrations/test", json={"settings": settings}), 400)
        self.assertIn("settings.bucket.sync_interval_minutes must be a whole number of minutes from 5", message)
        self.assertNotIn(SECRET, message)

    def test_five_hundred_twice_then_success_is_retried(self):
        self.proxy.fail_next = 2
        integration = self.create(s3_settings(self.proxy.url, "ci-artifacts", "shop"))["id"]
        run = first_run(self.server, integration)
        self.assertEqual(run["status"], "succeeded", run)
        self.assertEqual(self.proxy.failed, 2)
        first_list = [r for r in self.proxy.requests[:3]]
        self.assertTrue(all("list-type=2" in r["query"] for r in first_list), first_list)

    def test_secrets_are_never_returned_logged_or_quoted(self):
        created = self.create(s3_settings(self.moto.url, "ci-artifacts", "shop", key="AKIAVISIBLEKEYID0000",
                                          secret=SECRET))
        self.assertTrue(created["settings"]["bucket"]["secret_access_key_set"])
        self.assertEqual(created["settings"]["bucket"]["access_key_id"], "AKIAVISIBLEKEYID0000")
        first_run(self.server, created["id"])
        wrong = self.create(s3_settings(self.proxy.url, "no-such-artifacts", "shop", secret=SECRET), name="wrong")
        failed = first_run(self.server, wrong["id"])
        self.assertEqual(failed["status"], "failed")
        bodies = [
            self.server.get("/api/v1/integrations").text,
            self.server.get(f"/api/v1/integrations/{created['id']}").text,
            self.server.post(f"/api/v1/integrations/{created['id']}/test").text,
            self.server.get(f"/api/v1/integrations/{wrong['id']}/runs/{failed['id']}").text,
            self.server.post("/api/v1/integrations/test", json={"settings": {"bucket": {
                "provider": "s3", "bucket": "b", "access_key_id": "k", "secret_access_key": SECRET,
                "endpoint": "not a url"}}}).text,
        ]
        for run in self.server.get(f"/api/v1/integrations/{created['id']}/runs").json()["items"]:
            bodies.append(self.server.get(run["url"]).text)
        for body in bodies:
            self.assertNotIn(SECRET, body)
        self.assertNotIn(SECRET, "\n".join(self.server.printed) + self.server.logs())
        # Sealed in the catalog file (and its WAL) with the key beside it, never in clear.
        catalog_files = [name for name in os.listdir(self.dir) if name.startswith("cairn.db")]
        self.assertIn("cairn.db.secret-key", catalog_files)
        for name in catalog_files:
            with open(os.path.join(self.dir, name), "rb") as f:
                self.assertNotIn(SECRET.encode(), f.read(), name)


class BucketFaultTest(BucketTestCase):
    """A bucket that hangs, with a stall timeout short enough for a test."""

    def setUp(self):
        super().setUp()
        self.server = self.serve(args=["--bucket-stall-timeout", "1", "--bucket-attempts", "3"])

    def test_a_hung_bucket_fails_the_run_and_leaves_the_catalog_as_it_was(self):
        integration = self.create(s3_settings(self.proxy.url, "ci-artifacts", "shop"))["id"]
        self.assertEqual(first_run(self.server, integration)["status"], "succeeded")
        before = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        stats = self.server.get("/api/v1/stats").json()

        with open(f"{JAFFLE}/manifest.json", "rb") as f:
            self.s3.put_object(Bucket="ci-artifacts", Key="shop/target/manifest.json", Body=f.read() + b" ")
        self.proxy.hang = True
        started = time.time()
        run = sync_now(self.server, integration)
        self.proxy.hang = False
        self.assertEqual(run["status"], "failed", run)
        self.assertRegex(run["error"], r"^GET http://127\.0\.0\.1:\d+/ci-artifacts/?: .*\(after 3 attempts\)$")
        self.assertLess(time.time() - started, 30)
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").json(), before)
        self.assertEqual(self.server.get("/api/v1/stats").json(), stats)
        # The next sync reads what the failed one could not.
        again = sync_now(self.server, integration)
        self.assertEqual(again["status"], "succeeded", again)
        self.assertEqual(again["counts"]["sync"]["changed"], ["manifest"])

    def test_a_graceful_stop_ends_a_sync_in_flight(self):
        self.proxy.hang = True
        integration = self.create(s3_settings(self.proxy.url, "ci-artifacts", "shop"))["id"]
        wait_for(lambda: self.proxy.requests, timeout=30)
        started = time.time()
        self.assertEqual(self.server.stop(signal.SIGTERM), 0)
        self.assertLess(time.time() - started, 20)
        self.proxy.hang = False
        restarted = self.serve()
        [run] = restarted.get(f"/api/v1/integrations/{integration}/runs").json()["items"][-1:]
        self.assertEqual(run["status"], "failed", run)


class ServerCredentialsTest(BucketTestCase):
    def setUp(self):
        super().setUp()
        self.server = self.serve(env={"AWS_ACCESS_KEY_ID": "AKIASERVERCHAIN00000",
                                      "AWS_SECRET_ACCESS_KEY": "server-chain-secret"})

    def test_without_base_keys_the_role_is_assumed_with_the_servers_credentials(self):
        settings = {"service": "shop", "bucket": {
            "provider": "s3", "auth": "assume_role", "bucket": "ci-artifacts", "prefix": "shop/",
            "endpoint": self.proxy.url, "sts_endpoint": self.proxy.url, "role_arn": ROLE}}
        created = self.create(settings)
        self.assertFalse(created["settings"]["bucket"]["secret_access_key_set"])
        run = first_run(self.server, created["id"])
        self.assertEqual(run["status"], "succeeded", run)
        [assume] = [r for r in self.proxy.requests if "Action=AssumeRole" in r["body"]]
        self.assertEqual(assume["key"], "AKIASERVERCHAIN00000")
        log = [line["message"] for line in self.server.get(run["url"]).json()["log"]]
        self.assertIn(f"credentials: environment, assuming {ROLE}", log[0])


class BucketAuthTest(BucketTestCase):
    """moto checking keys and IAM policies: bad keys and access denied."""

    @classmethod
    def setUpClass(cls):
        # Four unauthenticated actions seed it; every request after them is checked.
        cls.moto = Moto(no_auth_actions=4)
        s3 = cls.moto.client("s3")
        iam = cls.moto.client("iam")
        s3.create_bucket(Bucket="locked-artifacts")
        s3.put_object(Bucket="locked-artifacts", Key="manifest.json", Body=b"{}")
        iam.create_user(UserName="no-permissions")
        key = iam.create_access_key(UserName="no-permissions")["AccessKey"]
        cls.powerless = (key["AccessKeyId"], key["SecretAccessKey"])

    def setUp(self):
        super().setUp()
        self.server = self.serve()

    def test_wrong_keys_say_bad_credentials(self):
        result = self.check_unsaved(s3_settings(self.moto.url, "locked-artifacts", "", key="AKIAWRONG0000000000",
                                                     secret=SECRET))
        self.assertFalse(result["ok"])
        self.assertIn("the access key or secret is wrong (HTTP 403, InvalidAccessKeyId)", result["message"])
        self.assertNotIn(SECRET, result["message"])

    def test_keys_without_permission_say_access_denied(self):
        result = self.check_unsaved(s3_settings(self.moto.url, "locked-artifacts", "", *self.powerless))
        self.assertFalse(result["ok"])
        self.assertIn("access denied: the credentials may not read this bucket or prefix (HTTP 403, AccessDenied)",
                      result["message"])
        integration = self.create(s3_settings(self.moto.url, "locked-artifacts", "", *self.powerless))["id"]
        run = first_run(self.server, integration)
        self.assertEqual(run["status"], "failed")
        self.assertIn("access denied", run["error"])


class CrossProcessLeaseTest(BucketTestCase):
    def test_a_second_server_on_the_same_catalog_does_not_sync_what_the_first_is_syncing(self):
        first = self.server = self.serve(args=["--bucket-stall-timeout", "5", "--bucket-attempts", "1"])
        # The second server shares the catalog file, with its own artifact directory.
        second = CairnServer(os.path.join(self.dir, "second"))
        os.makedirs(second.workdir)
        second.db = first.db
        self.servers.append(second)
        second.start()
        self.proxy.hang = True
        integration = self.create(s3_settings(self.proxy.url, "ci-artifacts", "shop"))["id"]
        wait_for(lambda: self.proxy.requests, timeout=30)  # the first server's sync holds the lease
        response = second.post(f"/api/v1/integrations/{integration}/sync")
        self.assertError(response, 409, "another Cairn process is syncing integration")
        self.proxy.hang = False
        run = first_run(first, integration)
        self.assertEqual(run["trigger"], "bucket_sync:scheduled")
