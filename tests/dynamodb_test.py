"""`cairn ingest -c` with `source.type: dynamodb`, against moto_server on loopback.

moto stands behind the recording proxy of remote_sources_test, so what Cairn asked
DynamoDB for is seen from outside Cairn: ListTables pages, and which tables were
described (filtered ones never are). A small local server plays a DynamoDB that
refuses the credentials or the permission.
"""

import http.server
import json
import unittest

from cli_test import EX_CONFIG, EX_NOINPUT, CairnTestCase, run
from remote_sources_test import EX_IOERR, RecordedMotoTestCase, RecordingProxy, Server, free_port

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EVENT_TABLES = 105  # more than one ListTables page (at most 100 names each)

# OpenMetadata's own example (ingestion/src/metadata/examples/workflows/dynamodb.yaml),
# commented option and placeholder values included.
OPENMETADATA_SAMPLE = """\
source:
  type: dynamodb
  serviceName: local_dynamodb
  serviceConnection:
    config:
      type: DynamoDB
      awsConfig:
        awsAccessKeyId: aws_access_key_id
        awsSecretAccessKey: aws_secret_access_key
        awsRegion: aws region
        endPointURL: https://dynamodb.region_name.amazonaws.com
      databaseName: custom_database_name
  sourceConfig:
    config:
      type: DatabaseMetadata
      tableFilterPattern:
        includes:
        - ''
sink:
  type: metadata-rest
  config: {}
workflowConfig:
#  loggerLevel: INFO # DEBUG, INFO, WARN or ERROR
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: "eyJraWQiOiJHYjM4OWEtOWY3Ni1nZGpzLWE5MmotMDI0MmJrOTQzNTYiLCJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9"
"""


def workflow_text(endpoint, *connection, pipeline=(), service="ddb"):
    lines = ["source:", "  type: dynamodb", f"  serviceName: {service}", "  serviceConnection:", "    config:",
             "      type: DynamoDB", "      awsConfig:", "        awsRegion: us-east-1",
             f"        endPointURL: {endpoint}", "        awsAccessKeyId: AKIAIOSFODNN7EXAMPLE",
             f"        awsSecretAccessKey: {SECRET}"]
    lines += [f"      {line}" for line in connection]
    lines += ["  sourceConfig:", "    config:", "      type: DatabaseMetadata"]
    lines += [f"      {line}" for line in pipeline]
    lines += ["sink:", "  type: metadata-store", "  config: {}", "workflowConfig:", "  loggerLevel: INFO"]
    return "\n".join(lines) + "\n"


def create_tables(dynamodb):
    def table(name, keys, attributes, **extra):
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": a, "KeyType": k} for a, k in keys],
                              AttributeDefinitions=[{"AttributeName": a, "AttributeType": t}
                                                    for a, t in attributes], **extra)

    table("orders", [("customer_id", "HASH"), ("order_id", "RANGE")],
          [("customer_id", "S"), ("order_id", "N"), ("status", "S"), ("placed_at", "N")],
          GlobalSecondaryIndexes=[{"IndexName": "by_status",
                                   "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                                                 {"AttributeName": "placed_at", "KeyType": "RANGE"}],
                                   "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}}],
          LocalSecondaryIndexes=[{"IndexName": "by_placed_at",
                                  "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"},
                                                {"AttributeName": "placed_at", "KeyType": "RANGE"}],
                                  "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(2):
        dynamodb.put_item(TableName="orders", Item={"customer_id": {"S": "c1"}, "order_id": {"N": str(i)},
                                                    "status": {"S": "open"}, "placed_at": {"N": "5"}})
    table("staging_orders", [("id", "HASH")], [("id", "B")])
    for i in range(EVENT_TABLES):
        table(f"events_{i:03d}", [("id", "HASH")], [("id", "S")])


class DynamoDbSource(RecordedMotoTestCase):
    @classmethod
    def seed(cls):
        create_tables(cls.moto.client("dynamodb"))

    def workflow(self, *connection, pipeline=(), endpoint=None):
        return self.write("dynamodb.yaml", workflow_text(endpoint or self.proxy.url, *connection,
                                                         pipeline=pipeline))

    def show(self, fqn):
        return json.loads(run("show", fqn, "--db", self.url, "--json", check=True).stdout)

    def assert_absent(self, fqn):
        proc = run("show", fqn, "--db", self.url)
        self.assertEqual(proc.returncode, EX_NOINPUT, proc.stdout)

    def described(self):
        """The tables Cairn asked DescribeTable for, from the bodies the proxy saw."""
        names = []
        for _, _, body in RecordingProxy.log:
            request = json.loads(body) if body.startswith("{") else {}  # STS bodies are forms
            if "TableName" in request:
                names.append(request["TableName"])
        return names

    def test_every_table_with_its_keys_indexes_and_statistics(self):
        report = self.ingest_json("-c", self.workflow())
        self.assertEqual(report["tables_seen"], EVENT_TABLES + 2)
        self.assertEqual(report["applied"]["tables"]["added"], EVENT_TABLES + 2)
        pages = [body for _, _, body in RecordingProxy.log if "Limit" in body]
        self.assertEqual(len(pages), 2, "two ListTables pages")
        self.assertIn("ExclusiveStartTableName", pages[1])
        self.assertEqual(len(self.described()), EVENT_TABLES + 2)

        orders = self.show("ddb.default.default.orders")["table"]
        self.assertEqual(orders["table_type"], "table")
        self.assertEqual([(c["name"], c["data_type"]) for c in orders["columns"]],
                         [("customer_id", "string"), ("order_id", "number"), ("status", "string"),
                          ("placed_at", "number")])
        constraints = {c["name"]: c["constraints"] for c in orders["columns"]}
        self.assertEqual(constraints["customer_id"], [
            {"type": "primary_key", "key_type": "HASH"},
            {"type": "index_key", "index": "by_placed_at", "index_type": "local", "key_type": "HASH"}])
        self.assertEqual(constraints["order_id"], [{"type": "primary_key", "key_type": "RANGE"}])
        self.assertEqual(constraints["status"], [
            {"type": "index_key", "index": "by_status", "index_type": "global", "key_type": "HASH"}])
        self.assertEqual(orders["columns"][0]["meta"], {"attribute_type": "S"})
        stats = orders["stats"]
        self.assertEqual(stats["row_count"]["value"], 2)
        self.assertEqual(stats["billing_mode"]["value"], "PAY_PER_REQUEST")
        self.assertEqual(stats["status"]["value"], "ACTIVE")
        self.assertEqual(stats["arn"]["value"], "arn:aws:dynamodb:us-east-1:123456789012:table/orders")
        gsi = stats["global_secondary_indexes"]["value"]
        self.assertEqual([(i["name"], i["projection"], i.get("non_key_attributes")) for i in gsi],
                         [("by_status", "INCLUDE", ["total"])])
        self.assertEqual(stats["local_secondary_indexes"]["value"][0]["name"], "by_placed_at")
        self.assertEqual(self.show("ddb.default.default.staging_orders")["table"]["columns"][0]["data_type"],
                         "binary")
        text = run("show", "ddb.default.default.orders", "--db", self.url, check=True).stdout
        self.assertIn("customer_id", text)

        page = json.loads(run("search", "orders", "--db", self.url, "--json", check=True).stdout)
        self.assertIn("ddb.default.default.orders", [h["fqn"] for h in page["hits"]])
        again = self.ingest_json("-c", self.workflow())
        self.assertFalse(again["unchanged"], "DynamoDB has no fingerprint: every run reads the region")
        self.assertEqual(again["applied"]["tables"]["unchanged"], EVENT_TABLES + 2, "re-ingesting changes nothing")

    def test_includes_keep_only_what_matches_and_the_rest_is_never_described(self):
        report = self.ingest_json("-c", self.workflow(
            pipeline=["tableFilterPattern:", "  includes: ['ORDERS$', 'events_00[0-4]']"]))
        self.assertEqual(report["tables_seen"], 6)
        self.assertEqual(sorted(self.described()), ["events_000", "events_001", "events_002", "events_003",
                                                    "events_004", "orders"])
        self.show("ddb.default.default.events_004")
        self.assert_absent("ddb.default.default.events_005")
        self.assert_absent("ddb.default.default.staging_orders")

    def test_excludes_drop_what_matches(self):
        report = self.ingest_json("-c", self.workflow(pipeline=["tableFilterPattern:", "  excludes: [events_]"]))
        self.assertEqual(report["tables_seen"], 2)
        self.assertEqual(sorted(self.described()), ["orders", "staging_orders"])
        self.show("ddb.default.default.staging_orders")
        self.assert_absent("ddb.default.default.events_000")

    def test_no_tables_without_include_tables(self):
        report = self.ingest_json("-c", self.workflow(pipeline=["includeTables: false"]))
        self.assertEqual(report["tables_seen"], 0)
        self.assertEqual(self.described(), [])
        self.assert_absent("ddb.default.default.orders")

    def test_database_name_names_the_database(self):
        self.ingest_json("-c", self.workflow("databaseName: shop", pipeline=[
            "tableFilterPattern:", "  includes: ['orders$']"]))
        table = self.show("ddb.shop.default.orders")["table"]
        self.assertEqual((table["database"], table["schema"]), ("shop", "default"))

    def test_an_assumed_role_signs_the_dynamodb_calls(self):
        text = workflow_text(self.proxy.url, pipeline=["tableFilterPattern:", "  includes: ['orders$']"])
        text = text.replace("        awsAccessKeyId:",
                            "        assumeRoleArn: arn:aws:iam::123456789012:role/catalog-reader\n"
                            f"        stsEndPointURL: {self.proxy.url}\n        awsAccessKeyId:")
        report = self.ingest_json("-c", self.write("role.yaml", text))
        self.assertEqual(report["tables_seen"], 1)
        bodies = [body for _, _, body in RecordingProxy.log]
        self.assertIn("Action=AssumeRole", bodies[0])
        self.assertIn("RoleSessionName=OpenMetadataSession", bodies[0])
        self.assertEqual(sum("Action=AssumeRole" in body for body in bodies), 1, "assumed once per run")
        self.assertEqual(self.described(), ["orders"])

    def test_no_server_at_the_endpoint_fails_clearly_and_the_store_stays(self):
        self.ingest_json("-c", self.workflow(pipeline=["tableFilterPattern:", "  includes: ['orders$']"]))
        endpoint = f"http://127.0.0.1:{free_port()}"
        stderr = self.assert_fails_unchanged(["ingest", "-c", self.workflow(endpoint=endpoint), "--db", self.url],
                                             EX_IOERR, f"{endpoint}/")
        self.assertNotIn(SECRET, stderr)
        self.show("ddb.default.default.orders")

    def test_a_bad_regex_or_keys_by_halves_are_config_errors(self):
        proc = run("ingest", "-c", self.workflow(pipeline=["tableFilterPattern:", "  includes: ['(']"]),
                   "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("$.source.sourceConfig.config.tableFilterPattern", proc.stderr)
        half = self.write("half.yaml", workflow_text(self.proxy.url).replace(f"        awsSecretAccessKey: {SECRET}\n",
                                                                             ""))
        proc = run("ingest", "-c", half, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("awsConfig.awsSecretAccessKey", proc.stderr)
        unknown = self.write("unknown.yaml", workflow_text(self.proxy.url, "databaseNmae: shop"))
        proc = run("ingest", "-c", unknown, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("$.source.serviceConnection.config", proc.stderr)
        self.assertEqual(RecordingProxy.log, [], "nothing is asked before the config is valid")

    def test_openmetadatas_sample_validates_up_to_its_sink(self):
        sample = self.write("om.yaml", OPENMETADATA_SAMPLE)
        # The whole sample validates, its metadata-rest sink included: what
        # stops this run before reading is --db, which that sink refuses.
        proc = run("ingest", "-c", sample, "--db", self.url)
        self.assertEqual(proc.returncode, 64, proc.stderr)  # EX_USAGE
        self.assertIn("--db names a local store, but this workflow's sink is metadata-rest", proc.stderr)
        self.assertEqual(RecordingProxy.log, [])

        # The same sample with a sink of this version, pointed at moto, ingests
        # into its databaseName; its include of '' keeps every table.
        local = OPENMETADATA_SAMPLE.replace("type: metadata-rest", "type: metadata-store")
        local = local.replace("awsRegion: aws region", "awsRegion: us-east-1")
        local = local.replace("https://dynamodb.region_name.amazonaws.com", self.proxy.url)
        report = self.ingest_json("-c", self.write("om_local.yaml", local))
        self.assertEqual(report["tables_seen"], EVENT_TABLES + 2)
        self.show("local_dynamodb.custom_database_name.default.orders")


class RefusingDynamoDb(http.server.BaseHTTPRequestHandler):
    """Answers every call with the error `reply` = (code, message)."""

    reply = ("UnrecognizedClientException", "The security token included in the request is invalid.")

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        code, message = self.reply
        body = json.dumps({"__type": f"com.amazon.coral.service#{code}", "message": message}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class RefusedRequests(CairnTestCase):
    def setUp(self):
        super().setUp()
        self.server = Server(RefusingDynamoDb)

    def tearDown(self):
        self.server.stop()
        super().tearDown()

    def ingest_refused(self, code, message):
        RefusingDynamoDb.reply = (code, message)
        proc = run("ingest", "-c", self.write("refused.yaml", workflow_text(self.server.url)), "--db", self.url)
        self.assertEqual(proc.returncode, EX_IOERR, proc.stderr)
        self.assertIn(f"DynamoDB ListTables at {self.server.url}", proc.stderr)
        self.assertNotIn(SECRET, proc.stderr)
        return proc.stderr

    def test_refused_credentials_say_so(self):
        stderr = self.ingest_refused("UnrecognizedClientException", "The security token included in the "
                                     "request is invalid. Canonical request: x-amz-security-token:SESSION")
        self.assertIn("the credentials were refused", stderr)
        self.assertIn("UnrecognizedClientException", stderr)
        self.assertNotIn("SESSION", stderr, "a refusal's message may echo the signed request")

    def test_a_missing_permission_is_named(self):
        stderr = self.ingest_refused("AccessDeniedException", "User: arn:aws:iam::123456789012:user/cairn is not "
                                     "authorized to perform: dynamodb:ListTables")
        self.assertIn("access denied", stderr)
        self.assertIn("not authorized to perform: dynamodb:ListTables", stderr)


if __name__ == "__main__":
    unittest.main()
