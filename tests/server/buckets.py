"""Buckets on loopback for the bucket-sync tests and benchmark: moto_server
(the machine's Python) seeded with boto3, and a recording proxy in front of it
that counts what Cairn asks for and can fail or hang on demand."""

import http.client
import http.server
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.parse

import boto3


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Moto:
    """One moto_server, stopped by PID. `no_auth_actions` sets
    INITIAL_NO_AUTH_ACTION_COUNT: after that many requests moto checks keys
    (unknown ones get InvalidAccessKeyId) and IAM policies."""

    def __init__(self, no_auth_actions=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        if no_auth_actions is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(no_auth_actions)
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                # Not /moto-api/reset: with authentication on, that would count as an action.
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("moto_server did not start")

    def client(self, service, key="testing", secret="testing"):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=key,
                            aws_secret_access_key=secret)

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


class RecordingProxy:
    """An HTTP proxy to `upstream` (path-style S3 and STS) recording each
    request as (method, path, query, access key id, body). `fail_next` answers
    that many requests with 500; `hang` holds requests unanswered until it is
    cleared or the proxy closes."""

    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.requests = []
        self.fail_next = 0
        self.failed = 0
        self.hang = False
        self.lock = threading.Lock()
        self.closing = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                try:
                    proxy.forward(self)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # Cairn gave up on a hung request: expected

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def forward(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urllib.parse.urlsplit(handler.path)
        auth = handler.headers.get("Authorization", "")
        key = auth.split("Credential=")[1].split("/")[0] if "Credential=" in auth else ""
        with self.lock:
            self.requests.append({"method": handler.command, "path": split.path, "query": split.query,
                                  "key": key, "auth": auth.split(",")[0],
                                  "body": body.decode("utf-8", "replace")})
            fail = self.fail_next > 0
            if fail:
                self.fail_next -= 1
                self.failed += 1
        while self.hang and not self.closing.is_set():
            time.sleep(0.05)
        if self.closing.is_set():
            handler.close_connection = True
            return
        if fail:
            payload = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"
            handler.send_response(500)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        headers = {k: v for k, v in handler.headers.items()}
        connection.request(handler.command, handler.path, body=body, headers=headers)
        response = connection.getresponse()
        handler.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                handler.send_header(name, value)
        # Streamed through in chunks of known total size: a 230 MB manifest
        # never sits in this process's memory either.
        total = response.getheader("Content-Length")
        if total is not None and handler.command != "HEAD":
            handler.send_header("Content-Length", total)
            handler.end_headers()
            while chunk := response.read(1 << 20):
                handler.wfile.write(chunk)
        else:
            data = response.read()
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        connection.close()

    def reset(self):
        with self.lock:
            self.requests = []
            self.failed = 0

    def lists(self):
        return [r for r in self.requests if r["method"] == "GET" and "list-type=2" in r["query"]]

    def object_gets(self):
        return [r for r in self.requests if r["method"] == "GET" and "list-type=2" not in r["query"]]

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


def seed_project(s3, bucket, prefix, project_dir, noise_keys=0):
    """A bucket with dbt's target/ under `prefix`, beside `noise_keys` log files."""
    s3.create_bucket(Bucket=bucket)
    for i in range(noise_keys):
        s3.put_object(Bucket=bucket, Key=f"{prefix}logs/{i:04d}.log", Body=b"x")
    for name in ("manifest.json", "run_results.json", "catalog.json", "sources.json"):
        path = os.path.join(project_dir, name)
        if os.path.exists(path):
            s3.upload_file(path, bucket, f"{prefix}target/{name}")


def s3_settings(endpoint, bucket, prefix, key="testing", secret="testing", **extra):
    bucket_settings = {"provider": "s3", "bucket": bucket, "prefix": prefix, "endpoint": endpoint,
                       "access_key_id": key, "secret_access_key": secret}
    bucket_settings.update(extra)
    return {"service": "shop", "bucket": bucket_settings}


def wait_run(server, integration, run_id, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = server.get(f"/api/v1/integrations/{integration}/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish")


def first_run(server, integration, timeout=120):
    """The integration's first run (the scheduler's, at creation), once finished."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        items = server.get(f"/api/v1/integrations/{integration}/runs").json()["items"]
        if items:
            return wait_run(server, integration, items[-1]["id"], timeout)
        time.sleep(0.05)
    raise AssertionError("no run began")


def sync_now(server, integration, wait=True):
    response = server.post(f"/api/v1/integrations/{integration}/sync", params={"wait": "true"} if wait else {})
    if response.status_code != 200:
        raise AssertionError(response.text)
    return response.json()["run"]

