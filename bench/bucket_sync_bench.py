#!/usr/bin/env python3
"""Bucket sync benchmark: `cairn serve` syncing a dbt project from moto_server.

On the synthetic N-model project (default 10k: a ~230 MB manifest.json,
generated with shared/tools/gen_manifest.py) uploaded to a bucket in
moto_server, behind a recording proxy that counts the requests Cairn makes:

  1. changed   a new bucket integration's first sync downloads every artifact
               (the scheduler begins it at once) and runs the extraction: the
               server's RSS sampled every 20 ms, split into the download phase
               (while data/uploads/sync-RUN/ holds a growing file) and the
               extraction after it; growth over the idle RSS vs the manifest size.
  2. unchanged `POST /api/v1/integrations/{id}/sync?wait=true` with nothing changed,
               --runs times: wall time, the LIST and GET requests the proxy saw.

Usage:
  python3 bench/bucket_sync_bench.py --models 10000 --runs 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))

from buckets import Moto, RecordingProxy, s3_settings, sync_now, wait_run  # noqa: E402
import harness  # noqa: E402


def generate(shared, work, models):
    out = os.path.join(work, f"synthetic_{models}")
    if not os.path.exists(os.path.join(out, "manifest.json")):
        subprocess.run([sys.executable, os.path.join(shared, "tools", "gen_manifest.py"), "--models", str(models),
                        "--out", out], check=True, timeout=1800)
    return out


class RssSampler:
    """The server's RSS every 20 ms, with whether a sync download was under way."""

    def __init__(self, server, uploads):
        self.server, self.uploads = server, uploads
        self.samples = []  # (seconds, rss KiB, downloading)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def downloading(self):
        try:
            return any(name.startswith("sync-") and os.listdir(os.path.join(self.uploads, name))
                       for name in os.listdir(self.uploads))
        except OSError:
            return False

    def run(self):
        started = time.time()
        while not self.stop.is_set():
            self.samples.append((time.time() - started, self.server.rss_kib(), self.downloading()))
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cairn", default=os.path.join(ROOT, "build", "src", "cli", "cairn"))
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--work", default="/tmp/cairn-bench")
    parser.add_argument("--json", help="write every sample here")
    args = parser.parse_args()
    if not os.path.exists(args.cairn):
        sys.exit(f"no {args.cairn}: build it with ninja -C build cairn")
    harness.CAIRN = args.cairn
    os.makedirs(args.work, exist_ok=True)
    project = generate(args.shared, args.work, args.models)
    sizes = {name: os.path.getsize(os.path.join(project, name))
             for name in ("manifest.json", "run_results.json", "catalog.json")}

    moto = Moto()
    proxy = RecordingProxy(moto.url)
    workdir = tempfile.mkdtemp(prefix="cairn-bucket-bench-", dir=args.work)
    server = harness.CairnServer(workdir).start()
    try:
        s3 = moto.client("s3")
        s3.create_bucket(Bucket="bench-artifacts")
        for name in sizes:
            s3.upload_file(os.path.join(project, name), "bench-artifacts", f"prod/target/{name}")
        time.sleep(1)
        idle = server.rss_kib()

        started = time.time()
        with RssSampler(server, os.path.join(workdir, "data", "uploads")) as sampler:
            response = server.post("/api/v1/integrations", json={
                "name": "bench", "type": "dbt_core",
                "settings": s3_settings(proxy.url, "bench-artifacts", "prod/")})
            integration = response.json()["id"]
            run = None
            while run is None:
                items = server.get(f"/api/v1/integrations/{integration}/runs").json()["items"]
                run = items[0] if items else time.sleep(0.05)
            run = wait_run(server, integration, run["id"], timeout=1800)
        changed_seconds = time.time() - started
        if run["status"] != "succeeded":
            sys.exit(f"the first sync failed: {run['error']}")
        downloads = [line["message"] for line in server.get(run["url"]).json()["log"]
                     if line["message"].startswith("downloaded")]
        download = [rss for _, rss, downloading in sampler.samples if downloading]
        everything = [rss for _, rss, _ in sampler.samples]
        changed = {
            "seconds": changed_seconds,
            "idle_rss_kib": idle,
            "download_peak_rss_kib": max(download) if download else None,
            "download_samples": len(download),
            "peak_rss_kib": max(everything),
            "get_requests": len(proxy.object_gets()),
            "list_requests": len(proxy.lists()),
            "bytes_downloaded": run["counts"]["sync"]["bytes_downloaded"],
            "log": downloads,
        }

        unchanged = []
        for _ in range(args.runs):
            proxy.reset()
            started = time.time()
            result = sync_now(server, integration)
            unchanged.append({"seconds": time.time() - started, "status": result["status"],
                              "nothing_changed": result["counts"]["sync"]["nothing_changed"],
                              "list_requests": len(proxy.lists()), "get_requests": len(proxy.object_gets()),
                              "requests": len(proxy.requests)})
    finally:
        server.stop()
        proxy.close()
        moto.stop()

    print(f"project: {args.models} models, manifest {sizes['manifest.json'] / 1e6:.0f} MB, "
          f"run_results {sizes['run_results.json'] / 1e6:.1f} MB, catalog {sizes['catalog.json'] / 1e6:.1f} MB")
    growth = (changed["download_peak_rss_kib"] or idle) - idle
    print(f"changed sync (download + extraction): {changed['seconds']:.1f} s, {changed['list_requests']} LIST, "
          f"{changed['get_requests']} GET, {changed['bytes_downloaded'] / 1e6:.0f} MB downloaded")
    print(f"  RSS idle {idle / 1024:.0f} MiB; during the download peak {(changed['download_peak_rss_kib'] or 0) / 1024:.0f}"
          f" MiB (growth {growth / 1024:.1f} MiB = {growth * 1024 / sizes['manifest.json'] * 100:.1f} % of the manifest,"
          f" {changed['download_samples']} samples); whole sync peak {changed['peak_rss_kib'] / 1024:.0f} MiB"
          f" (the extraction's)")
    for line in changed["log"]:
        print(f"  {line}")
    seconds = statistics.median(u["seconds"] for u in unchanged)
    print(f"unchanged sync x{len(unchanged)}: median {seconds * 1000:.0f} ms; requests per sync "
          f"{sorted({u['requests'] for u in unchanged})} ({sorted({u['list_requests'] for u in unchanged})} LIST,"
          f" {sorted({u['get_requests'] for u in unchanged})} GET), all nothing_changed: "
          f"{all(u['nothing_changed'] for u in unchanged)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sizes": sizes, "changed": changed, "unchanged": unchanged,
                       "samples": sampler.samples}, f, indent=2)


if __name__ == "__main__":
    main()
