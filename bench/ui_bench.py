#!/usr/bin/env python3
"""Web UI benchmark: Cairn's UI against dbt's own docs site, same project.

For each project size N (synthetic, shared/tools/gen_manifest.py, generated
once and reused as ingest_bench.py does), this

  1. ingests the project into a fresh SQLite store and starts `cairn serve`;
  2. serves dbt's docs site (the single index.html `dbt docs generate` writes,
     passed with --dbt-docs; see bench/README.md for where to get it) beside
     the same manifest.json and catalog.json from a static file server;
  3. runs bench/ui_measure.mjs in Debian's Chromium: in fresh browser
     contexts, alternating which goes first, it times Cairn's home page, a
     search typed there and a search URL opened directly, and dbt docs' first
     usable page (the project tree drawn) and the same search typed there;
     after each it reads the page's JS heap (after a forced GC).

It prints medians and the ratios, and writes every sample with --json.

    python3 bench/ui_bench.py --dbt-docs /tmp/dbt-docs/index.html --models 10000,50000 --runs 3
"""

import argparse
import http.server
import json
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import ingest_bench  # noqa: E402  (project generation)
import server_bench  # noqa: E402  (a `cairn serve` process)

TARGET_SEARCH_MS = 1000  # search result visible at 50k models
TARGET_RATIO = 10  # at least 10x faster than dbt docs' first usable page


class StaticServer:
    """A threaded static file server on 127.0.0.1 for the docs site."""

    def __init__(self, root):
        handler = lambda *a, **kw: _QuietHandler(*a, directory=root, **kw)  # noqa: E731
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietServer(socketserver.ThreadingTCPServer):
    def handle_error(self, request, client_address):
        pass  # a browser that gives up on a 1 GB manifest resets the connection


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def median(samples, key):
    values = [s[key] for s in samples if key in s]
    return statistics.median(values) if values else None


def measure(args, n, gen):
    project = ingest_bench.ensure_project(n, args.work, gen, 3600)
    work = tempfile.mkdtemp(prefix="cairn-ui-bench-", dir=args.work)
    db = os.path.join(work, "cairn.db")
    print("  ingesting %d models ..." % n, file=sys.stderr)
    subprocess.run([args.cairn, "ingest", "dbt", project, "--db", "sqlite:" + db, "--service", "bench"],
                   check=True, capture_output=True)
    docs = os.path.join(work, "docs")
    os.makedirs(docs)
    shutil.copy(args.dbt_docs, os.path.join(docs, "index.html"))
    for artifact in ("manifest.json", "catalog.json"):
        os.symlink(os.path.join(project, artifact), os.path.join(docs, artifact))
    cairn = server_bench.Cairn(args.cairn, db, work, 64)
    static = StaticServer(docs)
    try:
        argv = ["node", os.path.join(REPO, "bench", "ui_measure.mjs"), "--cairn", cairn.url.rstrip("/"),
                "--token", server_bench.TOKEN, "--docs", static.url, "--query", args.query,
                "--runs", str(args.runs), "--chromium", args.chromium,
                "--timeout", str(int(args.timeout * 1000))]
        if args.docs_runs is not None:
            argv += ["--docs-runs", str(args.docs_runs)]
        out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
        samples = json.loads(out)
    finally:
        static.stop()
        cairn.stop()
        shutil.rmtree(work, ignore_errors=True)
    manifest_mb = os.path.getsize(os.path.join(project, "manifest.json")) / 1e6
    return {"models": n, "manifest_mb": manifest_mb, "samples": samples}


def report(result):
    cairn, docs = result["samples"]["cairn"], result["samples"]["docs"]
    row = {
        "models": result["models"],
        "manifest_mb": round(result["manifest_mb"], 1),
        "cairn_home_ms": median(cairn, "home_ms"),
        "cairn_search_url_ms": median(cairn, "search_url_ms"),
        "cairn_search_typed_ms": median(cairn, "search_typed_ms"),
        "cairn_heap_mb": (median(cairn, "heap_bytes") or 0) / 2**20,
        "docs_usable_ms": median(docs, "usable_ms"),
        "docs_search_typed_ms": median(docs, "search_typed_ms"),
        "docs_heap_mb": (median(docs, "heap_bytes") or 0) / 2**20 or None,
        "docs_failed": [s["failed"] for s in docs if "failed" in s],
    }
    if row["docs_usable_ms"] and row["cairn_search_url_ms"]:
        row["ratio_usable"] = row["docs_usable_ms"] / row["cairn_search_url_ms"]
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="10000,50000", help="comma-separated sizes (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--query", default="customer", help="the search typed in both UIs")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds a page may take to become usable before it counts as failed (default: %(default)s)")
    ap.add_argument("--docs-runs", type=int,
                    help="runs of dbt docs, when fewer than --runs (it takes minutes on large projects)")
    ap.add_argument("--dbt-docs", required=True, help="dbt docs' index.html (see bench/README.md)")
    ap.add_argument("--cairn", default=os.path.join(REPO, "build", "src", "cli", "cairn"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--work", default="/tmp/cairn-bench")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--json", help="also write every sample here")
    args = ap.parse_args()
    for path, hint in ((args.cairn, "build it: scripts/build.sh build"),
                       (args.chromium, "run scripts/install-deps.sh --bench"),
                       (args.dbt_docs, "see bench/README.md, 'Web UI benchmark'"),
                       (os.path.join(REPO, "web", "node_modules", "playwright-core"), "run scripts/install-deps.sh")):
        if not os.path.exists(path):
            sys.exit("missing %s: %s" % (path, hint))
    os.makedirs(args.work, exist_ok=True)
    gen = os.path.abspath(os.path.join(args.shared, "tools", "gen_manifest.py"))
    rows, results = [], []
    for n in (int(x) for x in args.models.split(",")):
        print("== %d models" % n, file=sys.stderr)
        result = measure(args, n, gen)
        results.append(result)
        rows.append(report(result))

    fmt = lambda v, d=0: "—" if v is None else ("%.*f" % (d, v))  # noqa: E731
    print("| models | manifest MB | Cairn home ms | Cairn search (URL) ms | Cairn search typed ms | Cairn heap MiB "
          "| dbt docs usable ms | dbt docs search typed ms | dbt docs heap MiB | dbt docs usable / Cairn search |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        docs_usable = fmt(r["docs_usable_ms"]) if not r["docs_failed"] else "failed: " + r["docs_failed"][0]
        print("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["models"], fmt(r["manifest_mb"], 1), fmt(r["cairn_home_ms"]), fmt(r["cairn_search_url_ms"]),
            fmt(r["cairn_search_typed_ms"]), fmt(r["cairn_heap_mb"], 1), docs_usable,
            fmt(r["docs_search_typed_ms"]), fmt(r["docs_heap_mb"], 1),
            fmt(r.get("ratio_usable"), 1) + "×" if r.get("ratio_usable") else "—"))
    for r in rows:
        if r["models"] >= 50000:
            ok = r["cairn_search_url_ms"] is not None and r["cairn_search_url_ms"] < TARGET_SEARCH_MS
            print("target: search result visible < %d ms at %d models: %s" % (
                TARGET_SEARCH_MS, r["models"], "met" if ok else "MISSED"))
        if r.get("ratio_usable") is not None:
            ok = r["ratio_usable"] >= TARGET_RATIO
            print("target: >= %dx faster than dbt docs' first usable page at %d models: %s (%.1fx)" % (
                TARGET_RATIO, r["models"], "met" if ok else "MISSED", r["ratio_usable"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
