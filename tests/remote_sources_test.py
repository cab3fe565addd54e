"""`cairn ingest` from dbtConfigSource http, s3 and gcs, against real peers on loopback.

HTTP: a local server that can answer 404, fail with 500 a few times, or hang.
S3: moto_server from the machine's Python, seeded with boto3, behind a
recording proxy, so what Cairn asked for is seen from outside Cairn: an
unchanged bucket costs one LIST and no GET.
"""

import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import unittest

import boto3

from cli_test import EX_CONFIG, EX_NOINPUT, JAFFLE, CairnTestCase, digest, run

EX_IOERR = 74
ARTIFACTS = ("manifest.json", "run_results.json", "catalog.json")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A ThreadingHTTPServer on 127.0.0.1 with a free port, in a thread."""

    def __init__(self, handler):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class ArtifactHandler(http.server.BaseHTTPRequestHandler):
    """Serves `files` (path -> bytes); `failures[path]` 500s first; `hang` paths never answer."""

    files, failures, hang, requests, release = {}, {}, set(), [], threading.Event()

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        if self.path in self.hang:
            self.release.wait(30)
            return
        if self.failures.get(self.path, 0) > 0:
            self.failures[self.path] -= 1
            self.send_error(500, "try again")
            return
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class MotoServer:
    """moto_server from the machine's Python on a free port, stopped by PID; seeded with boto3."""

    def __init__(self):
        port = free_port()
        self.address = ("127.0.0.1", port)
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                socket.create_connection(self.address, timeout=1).close()
                return
            except OSError:  # not listening yet
                time.sleep(0.1)

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def workflow_text(config_source, service="jaffle"):
    lines = ["source:", "  type: dbt", f"  serviceName: {service}", "  sourceConfig:", "    config:",
             "      type: DBT", "      dbtConfigSource:"]
    lines += [f"        {line}" for line in config_source]
    lines += ["sink:", "  type: metadata-store", "  config: {}"]
    return "\n".join(lines) + "\n"


class HttpSource(CairnTestCase):
    def setUp(self):
        super().setUp()
        ArtifactHandler.files = {f"/target/{name}": read(os.path.join(JAFFLE, name)) for name in ARTIFACTS}
        ArtifactHandler.failures, ArtifactHandler.hang, ArtifactHandler.requests = {}, set(), []
        ArtifactHandler.release = threading.Event()
        self.server = Server(ArtifactHandler)
        # Where cairn puts its downloads, to see that none are left behind.
        self.tmp = os.path.join(self.dir, "tmp")
        os.makedirs(self.tmp)
        self.saved_tmpdir = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self.tmp

    def tearDown(self):
        if self.saved_tmpdir is None:
            os.environ.pop("TMPDIR")
        else:
            os.environ["TMPDIR"] = self.saved_tmpdir
        ArtifactHandler.release.set()
        self.server.stop()
        super().tearDown()

    def http_workflow(self, *extra, catalog="/target/catalog.json"):
        lines = ["dbtConfigType: http", f"dbtManifestHttpPath: {self.server.url}/target/manifest.json",
                 f"dbtRunResultsHttpPath: {self.server.url}/target/run_results.json"]
        if catalog:
            lines.append(f"dbtCatalogHttpPath: {self.server.url}{catalog}")
        return self.write("http.yaml", workflow_text(lines + list(extra)))

    def test_reads_what_a_local_ingest_reads_and_an_unchanged_project_is_not_rewritten(self):
        local = json.loads(run("ingest", "dbt", JAFFLE, "--service", "jaffle", "--db",
                               "sqlite:" + os.path.join(self.dir, "local.db"), "--json", check=True).stdout)
        report = self.ingest_json("-c", self.http_workflow())
        self.assertFalse(report["unchanged"])
        for key in ("tables_seen", "nodes_seen", "catalog"):
            self.assertEqual(report[key], local[key], key)
        self.assertEqual(sorted(ArtifactHandler.requests),
                         sorted(f"/target/{name}" for name in ARTIFACTS))
        before = digest(self.db)
        again = self.ingest_json("-c", self.http_workflow())
        self.assertTrue(again["unchanged"], again)
        self.assertEqual(digest(self.db), before)
        self.assertEqual(os.listdir(self.tmp), [], "downloads are removed")

    def test_a_missing_file_names_its_url(self):
        self.ingest_json("-c", self.http_workflow())
        self.assert_fails_unchanged(["ingest", "-c", self.http_workflow(catalog="/target/nope.json"),
                                     "--db", self.url], EX_NOINPUT,
                                    f"{self.server.url}/target/nope.json", "HTTP 404")

    def test_a_bad_manifest_is_named_by_its_url_not_a_temporary_file(self):
        self.ingest_json("-c", self.http_workflow())
        ArtifactHandler.files["/target/manifest.json"] = b'{"metadata": {"dbt_schema_version": '
        stderr = self.assert_fails_unchanged(["ingest", "-c", self.http_workflow(), "--db", self.url], 65,
                                             f"{self.server.url}/target/manifest.json")
        self.assertNotIn("cairn-dbt-artifacts", stderr)

    def test_server_errors_are_retried(self):
        ArtifactHandler.failures = {"/target/manifest.json": 2}
        report = self.ingest_json("-c", self.http_workflow())
        self.assertGreater(report["tables_seen"], 0)
        self.assertEqual(ArtifactHandler.requests.count("/target/manifest.json"), 3)

    def test_a_hung_server_times_out_and_the_catalog_stays(self):
        self.ingest_json("-c", self.http_workflow())
        ArtifactHandler.hang = {"/target/catalog.json"}
        start = time.monotonic()
        self.assert_fails_unchanged(
            ["ingest", "-c", self.http_workflow("stallTimeoutSeconds: 1", "maxAttempts: 2"), "--db", self.url,
             "--force"], EX_IOERR, "/target/catalog.json", "after 2 attempts")
        self.assertLess(time.monotonic() - start, 15)


class RecordingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to moto unchanged and records method, path and body."""

    upstream, log = None, []

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).log.append((self.command, self.path, body.decode(errors="replace")))
        connection = http.client.HTTPConnection(*self.upstream, timeout=30)
        connection.request(self.command, self.path, body=body, headers=dict(self.headers.items()))
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        connection.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = forward

    def log_message(self, *args):
        pass


class RecordedMotoTestCase(CairnTestCase):
    """One moto_server behind a RecordingProxy per class, filled by `seed`; the log is cleared per test."""

    @classmethod
    def setUpClass(cls):
        cls.moto = MotoServer()
        RecordingProxy.upstream = cls.moto.address
        cls.proxy = Server(RecordingProxy)
        cls.seed()

    @classmethod
    def seed(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.moto.stop()

    def setUp(self):
        super().setUp()
        RecordingProxy.log = []


class BucketSource(RecordedMotoTestCase):
    @classmethod
    def seed(cls):
        cls.s3 = cls.moto.client("s3")
        cls.s3.create_bucket(Bucket="dbt-ci")
        for name in ARTIFACTS:
            cls.s3.upload_file(os.path.join(JAFFLE, name), "dbt-ci", f"jaffle/prod/target/{name}")
        cls.s3.put_object(Bucket="dbt-ci", Key="jaffle/prod/logs/dbt.log", Body=b"log")

    def s3_workflow(self, prefix="jaffle/prod", bucket="dbt-ci", keys=True, *security):
        lines = ["dbtConfigType: s3", "dbtSecurityConfig:", "  awsRegion: us-east-1",
                 f"  endPointURL: {self.proxy.url}"]
        if keys:
            lines += ["  awsAccessKeyId: AKIAIOSFODNN7EXAMPLE", "  awsSecretAccessKey: wJalrXUtnFEMI/K7MDENG"]
        lines += [f"  {line}" for line in security]
        lines += ["dbtPrefixConfig:", f"  dbtBucketName: {bucket}", f"  dbtObjectPrefix: {prefix}",
                  "stallTimeoutSeconds: 5", "maxAttempts: 2"]
        return self.write("s3.yaml", workflow_text(lines))

    def object_requests(self):
        return [(method, path) for method, path, _ in RecordingProxy.log]

    def test_reads_the_project_and_an_unchanged_bucket_costs_one_list_and_no_get(self):
        report = self.ingest_json("-c", self.s3_workflow())
        self.assertFalse(report["unchanged"])
        self.assertGreater(report["tables_seen"], 0)
        gets = sorted(path for method, path in self.object_requests() if "list-type=2" not in path)
        self.assertEqual(gets, sorted(f"/dbt-ci/jaffle/prod/target/{name}" for name in ARTIFACTS))
        self.assertNotIn("/dbt-ci/jaffle/prod/logs/dbt.log", gets, "only dbt artifacts are read")

        RecordingProxy.log = []
        before = digest(self.db)
        again = self.ingest_json("-c", self.s3_workflow())
        self.assertTrue(again["unchanged"], again)
        self.assertEqual(digest(self.db), before)
        requests = self.object_requests()
        self.assertEqual(len(requests), 1, requests)
        self.assertEqual(requests[0][0], "GET")
        self.assertIn("list-type=2", requests[0][1])

    def test_a_changed_object_is_downloaded_and_applied(self):
        self.ingest_json("-c", self.s3_workflow())
        results = json.loads(read(os.path.join(JAFFLE, "run_results.json")))
        results["metadata"]["invocation_id"] = "00000000-0000-0000-0000-0000000000aa"
        self.s3.put_object(Bucket="dbt-ci", Key="jaffle/prod/target/run_results.json",
                           Body=json.dumps(results).encode())
        try:
            report = self.ingest_json("-c", self.s3_workflow())
            self.assertFalse(report["unchanged"])
            self.assertGreater(report["applied"]["runs_added"], 0)
        finally:
            self.s3.upload_file(os.path.join(JAFFLE, "run_results.json"), "dbt-ci",
                                "jaffle/prod/target/run_results.json")

    def test_an_assumed_role_with_an_external_id(self):
        report = self.ingest_json("-c", self.s3_workflow(
            "jaffle/prod", "dbt-ci", True, "assumeRoleArn: arn:aws:iam::123456789012:role/cairn-reader",
            "assumeRoleExternalId: cairn-ext-42", f"stsEndPointURL: {self.proxy.url}"))
        self.assertGreater(report["tables_seen"], 0)
        sts = [body for method, path, body in RecordingProxy.log if "Action=AssumeRole" in body]
        self.assertEqual(len(sts), 1)
        self.assertIn("ExternalId=cairn-ext-42", sts[0])
        self.assertIn("RoleSessionName=OpenMetadataSession", sts[0])

    def test_a_missing_bucket_or_an_empty_prefix_says_so_and_the_secret_never_shows(self):
        self.ingest_json("-c", self.s3_workflow())
        stderr = self.assert_fails_unchanged(["ingest", "-c", self.s3_workflow(bucket="no-such-bucket"), "--db",
                                              self.url], EX_IOERR, "no such bucket")
        self.assertNotIn("wJalrXUtnFEMI", stderr)
        self.assert_fails_unchanged(["ingest", "-c", self.s3_workflow(prefix="jaffle/dev"), "--db", self.url],
                                    EX_NOINPUT, "no manifest.json under s3://dbt-ci/jaffle/dev/")

    def test_keys_by_halves_and_gcs_service_accounts_are_config_errors(self):
        half = self.s3_workflow("jaffle/prod", "dbt-ci", False, "awsAccessKeyId: AKIAIOSFODNN7EXAMPLE")
        proc = run("ingest", "-c", half, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("dbtSecurityConfig.awsSecretAccessKey", proc.stderr)
        gcs = self.write("gcs.yaml", workflow_text([
            "dbtConfigType: gcs", "dbtSecurityConfig:", "  gcpConfig: {type: service_account}",
            "dbtPrefixConfig:", "  dbtBucketName: dbt-ci"]))
        proc = run("ingest", "-c", gcs, "--db", self.url)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("HMAC key", proc.stderr)

    def test_a_variant_field_error_names_its_line_and_path(self):
        wrong = self.write("wrong.yaml", workflow_text([
            "dbtConfigType: s3", "dbtSecurityConfig:", "  awsRegion: us-east-1",
            "dbtPrefixConfig:", "  dbtBucket: dbt-ci"]))
        proc = run("ingest", "-c", wrong, "--db", self.url)
        self.assertEqual(proc.returncode, EX_CONFIG, proc.stderr)
        self.assertIn("wrong.yaml:12: at $.source.sourceConfig.config.dbtConfigSource.dbtPrefixConfig", proc.stderr)


class GcsSource(CairnTestCase):
    """GCS is S3's protocol at another endpoint with HMAC keys: moto stands in for it."""

    def test_hmac_keys_at_a_custom_endpoint(self):
        moto = MotoServer()
        try:
            s3 = moto.client("s3")
            s3.create_bucket(Bucket="gcs-dbt")
            s3.upload_file(os.path.join(JAFFLE, "manifest.json"), "gcs-dbt", "manifest.json")
            source = ["dbtConfigType: gcs", "dbtSecurityConfig:", "  hmacAccessId: GOOG1EXAMPLE",
                      "  hmacSecret: bGoa+V7g/yqDXvKRqq+JTFn4uQZbPiQJo4pf9RzJ",
                      f"  endPointURL: {moto.url}", "dbtPrefixConfig:", "  dbtBucketName: gcs-dbt"]
            config = self.write("gcs.yaml", workflow_text(source))
            report = self.ingest_json("-c", config)
            self.assertGreater(report["nodes_seen"], 0)
            missing = self.write("gcs-missing.yaml",
                                 workflow_text(source + ["  dbtObjectPrefix: nothing/here"]))
            proc = run("ingest", "-c", missing, "--db", self.url)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn("gs://gcs-dbt/nothing/here/", proc.stderr, "named as GCS at any endpoint")
        finally:
            moto.stop()


if __name__ == "__main__":
    unittest.main()
