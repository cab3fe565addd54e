"""dbt_cloud integrations end to end: a real `cairn serve` syncing the latest
successful run of chosen jobs from the local dbt Cloud (tests/fake_dbt_cloud)
through a credential block: at once on creation, again on demand without a
download when the run is the same, a newer run read, test connection, and
clear failures that never show the API key."""

import json
import os
import sys

from buckets import first_run, sync_now
from harness import JAFFLE, ServerTestCase

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fake_dbt_cloud import common as fake_common  # noqa: E402
from fake_dbt_cloud.app import create_app, serve_in_thread  # noqa: E402

API_KEY = "dbtc_SyncTestKeyNeverToBeSeen_Zq81"
CUSTOMERS = "shop.jaffle_shop.main.customers"


class DbtCloudSyncTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.fake_server, self.base = serve_in_thread(create_app(fake_common.State(api_tokens={API_KEY: 1})))
        self.addCleanup(self.fake_server.shutdown)
        self.fake("/_fake/artifacts", {"dir": JAFFLE})
        self.server = self.serve()
        block = self.server.post("/api/v1/credentials", json={"type": "dbt-cloud", "name": "cloud", "account_id": 1,
                                                               "api_key": API_KEY, "access_url": self.base})
        self.assertEqual(block.status_code, 201, block.text)

    def fake(self, path, body=None):
        return fake_common.control(self.base, path, body)

    def create(self, dbt_cloud, expect=201):
        response = self.server.post("/api/v1/integrations", json={
            "name": "shop in dbt Cloud", "type": "dbt_cloud", "settings": {"service": "shop", "dbt_cloud": dbt_cloud}})
        self.assertEqual(response.status_code, expect, response.text)
        self.assertNotIn(API_KEY, response.text)
        return response.json()

    def artifact_gets(self, since=0):
        return [r["path"] for r in self.fake("/_fake/requests")[since:] if "/artifacts/" in r["path"]]

    def test_the_latest_successful_run_is_synced_at_once_then_only_when_a_newer_one_finishes(self):
        [older] = self.fake("/_fake/runs", {"job_id": 100, "count": 1})
        self.fake("/_fake/runs", {"job_id": 200, "count": 1, "status": 20})  # newer, but failed
        integration = self.create({"credentials": "cloud", "job_ids": [100, 200]})["id"]
        run = first_run(self.server, integration)
        self.assertEqual(run["status"], "succeeded", run)
        self.assertEqual(run["trigger"], "dbt_cloud_sync:scheduled")
        self.assertEqual(run["counts"]["sync"]["dbt_cloud_run"], older)
        self.assertFalse(run["counts"]["sync"]["nothing_changed"])
        self.assertEqual(sorted(p.rsplit("/", 1)[1] for p in self.artifact_gets() if p.endswith(".json")),
                         ["catalog.json", "manifest.json", "run_results.json"])
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}")
        self.assertEqual(entity.status_code, 200, entity.text)
        listing = [r["query"] for r in self.fake("/_fake/requests") if r["path"] == "/api/v2/accounts/1/runs/"]
        self.assertTrue(all("status__in=%5B10%5D" in q and "order_by=-finished_at" in q for q in listing), listing)

        seen = len(self.fake("/_fake/requests"))
        unchanged = sync_now(self.server, integration)
        self.assertEqual(unchanged["status"], "succeeded", unchanged)
        self.assertEqual(unchanged["trigger"], "dbt_cloud_sync:manual")
        self.assertTrue(unchanged["counts"]["sync"]["nothing_changed"])
        self.assertEqual(self.artifact_gets(seen), [])
        log = self.server.get(unchanged["url"]).json()["log"]
        self.assertTrue(any("up to date" in line["message"] for line in log), log)

        [newer] = self.fake("/_fake/runs", {"job_id": 100, "count": 1})
        tested = self.server.post(f"/api/v1/integrations/{integration}/test")
        self.assertEqual(tested.status_code, 200, tested.text)
        self.assertTrue(tested.json()["ok"], tested.text)
        self.assertEqual(tested.json()["run"]["id"], newer)
        changed = sync_now(self.server, integration)
        self.assertEqual(changed["status"], "succeeded", changed)
        self.assertEqual(changed["counts"]["sync"]["dbt_cloud_run"], newer)
        self.assertFalse(changed["counts"]["sync"]["nothing_changed"])
        self.assertNotIn(API_KEY, self.server.logs())

    def test_settings_errors_name_the_field(self):
        self.assertError(self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_cloud", "settings": {"service": "shop"}}), 400, "settings.dbt_cloud is required")
        response = self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_cloud", "settings": {"dbt_cloud": {"credentials": "cloud", "job_ids": []}}})
        self.assertError(response, 400, "settings.dbt_cloud.job_ids is required")
        response = self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_cloud", "settings": {"dbt_cloud": {"credentials": "cloud", "job_ids": [1],
                                                                          "sync_interval_minutes": 1}}})
        self.assertError(response, 400, "settings.dbt_cloud.sync_interval_minutes")
        response = self.server.post("/api/v1/integrations", json={
            "name": "x", "type": "dbt_cloud", "settings": {"bucket": {}, "dbt_cloud": {"credentials": "c", "job_ids": [1]}}})
        self.assertError(response, 400, "unknown setting 'bucket' for a dbt_cloud integration")

    def test_no_successful_run_or_an_unknown_block_fails_the_sync_with_the_reason(self):
        self.fake("/_fake/runs", {"job_id": 200, "count": 1, "status": 20})
        integration = self.create({"credentials": "cloud", "job_ids": [200]})["id"]
        run = first_run(self.server, integration)
        self.assertEqual(run["status"], "failed", run)
        self.assertIn("no successful run of job 200", run["error"])
        integration = self.create({"credentials": "staging", "job_ids": [100]})["id"]
        run = first_run(self.server, integration)
        self.assertEqual(run["status"], "failed", run)
        self.assertIn("staging", run["error"])
        self.assertEqual(self.server.get(f"/api/v1/entities/{CUSTOMERS}").status_code, 404)
        self.assertNotIn(API_KEY, self.server.logs())
