"""The catalog REST API through a real `cairn serve`: auth on every route but
/healthz, entities, search, lineage, history, people's edits, OpenAPI, metrics."""

import subprocess
import urllib.parse

import requests

from harness import ADMIN_TOKEN, CAIRN, JAFFLE, ServerTestCase, ingest

CUSTOMERS = "shop.jaffle_shop.main.customers"


class CatalogApiTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        ingest(f"{self.dir}/cairn.db", JAFFLE)
        self.server = self.serve()

    def test_healthz_needs_no_token_and_everything_else_does(self):
        self.assertEqual(requests.get(self.server.url + "/healthz", timeout=10).status_code, 200)
        for path in ("/api/v1/search?q=customers", f"/api/v1/entities/{CUSTOMERS}", "/metrics",
                     "/api/v1/openapi.json", "/api/v1/integrations"):
            response = requests.get(self.server.url + path, timeout=10)
            self.assertError(response, 401)
            self.assertIn("Bearer", response.headers.get("WWW-Authenticate", ""))
            self.assertError(self.server.get(path, token="cairn_not_a_real_token_at_all_000000000"), 401)
            self.assertEqual(self.server.get(path, scheme="Token").status_code, 200, path)
            self.assertError(self.server.get(path, scheme="Basic"), 401)

    def test_only_healthz_and_the_web_ui_files_are_public(self):
        document = self.server.get("/api/v1/openapi.json").json()
        public = sorted(path for path, operations in document["paths"].items()
                        for operation in operations.values() if operation.get("security") == [])
        self.assertEqual(public, ["/", "/assets/{path}", "/healthz"])
        page = requests.get(self.server.url + "/", timeout=10)
        self.assertEqual(page.status_code, 200)
        self.assertIn("text/html", page.headers["Content-Type"])
        self.assertIn("default-src 'self'", page.headers["Content-Security-Policy"])
        self.assertError(requests.get(self.server.url + "/assets/nope.js", timeout=10), 404)
        self.assertError(requests.get(self.server.url + "/api/v1/session", timeout=10), 401)
        session = self.server.get("/api/v1/session").json()
        self.assertEqual((session["access"], session["account_id"]), ("admin", 1))

    def test_entity_by_fqn_and_unique_id(self):
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        self.assertEqual(entity["table"]["name"], "customers")
        self.assertEqual([c["name"] for c in entity["table"]["columns"]][:2], ["customer_id", "customer_name"])
        self.assertTrue({"not_null", "unique"} <= {t["test_name"] for t in entity["tests"]})
        self.assertTrue(all(t["latest_status"] for t in entity["tests"]))
        by_id = self.server.get("/api/v1/entities/model.jaffle_shop.customers").json()
        self.assertEqual(by_id["table"]["fqn"], CUSTOMERS)
        self.assertError(self.server.get("/api/v1/entities/shop.nope.nope.nope"), 404, "shop.nope.nope.nope")

    def test_search_filters_and_pages(self):
        page = self.server.get("/api/v1/search", params={"q": "customer", "type": "model", "limit": 2}).json()
        self.assertEqual(len(page["hits"]), 2)
        self.assertGreater(page["total"], 2)
        self.assertTrue(all(hit["resource_type"] == "model" for hit in page["hits"]))
        second = self.server.get("/api/v1/search", params={"q": "customer", "type": "model", "limit": 2,
                                                          "offset": 2}).json()
        self.assertFalse({h["fqn"] for h in page["hits"]} & {h["fqn"] for h in second["hits"]})
        self.assertError(self.server.get("/api/v1/search?q=x&limit=abc"), 400, "'limit'")

    def test_lineage_upstream_to_a_depth(self):
        graph = self.server.get(f"/api/v1/lineage/{urllib.parse.quote(CUSTOMERS)}",
                                params={"direction": "upstream", "depth": 3}).json()
        names = {node["name"] for node in graph["nodes"]}
        self.assertTrue({"stg_customers", "orders", "raw_customers"} <= names, names)
        one_hop = self.server.get(f"/api/v1/lineage/{CUSTOMERS}", params={"direction": "upstream"}).json()
        self.assertEqual({n["name"] for n in one_hop["nodes"] if n["distance"] == -1}, {"stg_customers", "orders"})

    def test_history_per_node_and_per_invocation(self):
        invocations = self.server.get("/api/v1/invocations").json()["items"]
        self.assertEqual(len(invocations), 1)
        runs = self.server.get(f"/api/v1/invocations/{invocations[0]['invocation_id']}").json()["runs"]
        self.assertEqual(len(runs), invocations[0]["results"])
        history = self.server.get(f"/api/v1/entities/{CUSTOMERS}/runs").json()
        self.assertEqual(history["runs"][0]["invocation_id"], invocations[0]["invocation_id"])

    def test_edits_survive_reingestion(self):
        response = self.server.request("PATCH", f"/api/v1/entities/{CUSTOMERS}",
                                       json={"description": "Edited in Cairn", "owners": ["ana@example.com"]})
        self.assertEqual(response.status_code, 200, response.text)
        # The CLI re-ingests the same project into the same file while the server runs.
        ingest(self.server.db, JAFFLE)
        entity = self.server.get(f"/api/v1/entities/{CUSTOMERS}").json()
        self.assertEqual(entity["table"]["description"], "Edited in Cairn")
        self.assertEqual(entity["table"]["owners"], ["ana@example.com"])
        edit = next(e for e in entity["edits"] if e["field"] == "description")
        self.assertTrue(edit["ingested"].startswith("Customer overview"))
        self.assertEqual(edit["edited_by"], "bootstrap")

    def test_openapi_document_lists_the_routes(self):
        document = self.server.get("/api/v1/openapi.json").json()
        self.assertEqual(document["openapi"][:2], "3.")
        for path in ("/api/v1/entities/{fqn}", "/api/v1/search", "/api/v1/lineage/{fqn}",
                     "/integration/dbt/manifest/", "/api/v3/accounts/{account_id}/service-tokens/"):
            self.assertIn(path, document["paths"])

    def test_metrics_count_requests_by_route(self):
        self.server.get(f"/api/v1/entities/{CUSTOMERS}")
        text = self.server.get("/metrics").text
        self.assertIn('cairn_http_requests_total{route="/api/v1/entities/{fqn}",method="GET",status="200"}', text)
        self.assertIn("cairn_http_request_duration_seconds_bucket", text)
        self.assertIn('cairn_catalog_entities{kind="tables"}', text)
        self.assertIn("cairn_extraction_runs", text)
