#!/usr/bin/env python3
"""Server benchmark: `cairn serve` against nginx on the same machine, same run.

On a store holding the synthetic N-model project (default 10k, generated with
shared/tools/gen_manifest.py and ingested with `cairn ingest dbt`):

  1. entity    wrk -t2 -c64 -d10s GET /api/v1/entities/{fqn} of one model, and
               in the same round nginx serving a static file of the same size:
               req/s ratio and p99 latency.
  2. search    wrk over 500 different search URLs (/api/v1/search?q=WORD),
               response cache off (--cache-mb 0) so every request runs FTS5: p99.
  3. lineage   wrk over 500 different models' 3-hop upstream+downstream
               lineage, cache off: p99.
  4. upload    the N-model manifest.json POSTed to /integration/dbt/{id}/upload_artifacts/
               (staged, no extraction): the server's RSS sampled every 20 ms
               while it receives; growth over the idle RSS vs the file size.

Rounds alternate cairn and nginx so that machine noise hits both alike;
reported values are medians over --runs rounds. Needs wrk and nginx
(`bash scripts/install-deps.sh --bench`).

Usage:
  python3 bench/server_bench.py --models 10000 --runs 3
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import ingest_bench  # noqa: E402  (reuses its project generation)

TOKEN = "cairn_bench_admin_token_0123456789abcdefghijkl"
WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("CAIRN_BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("CAIRN_BENCH_TOKEN")
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url, path):
    req = urllib.request.Request(url + path, headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


class Cairn:
    def __init__(self, cairn, db, work, cache_mb):
        self.log = open(os.path.join(work, "serve.log"), "ab")
        env = dict(os.environ, CAIRN_ADMIN_TOKEN=TOKEN)
        self.proc = subprocess.Popen(
            [cairn, "serve", "--db", "sqlite:" + db, "--port", "0", "--data-dir", os.path.join(work, "data"),
             "--cache-mb", str(cache_mb)],
            stdout=subprocess.PIPE, stderr=self.log, env=env, text=True)
        for line in self.proc.stdout:
            m = re.search(r"serving (http://\S+)", line)
            if m:
                self.url = m.group(1)
                return
        raise RuntimeError("cairn serve did not start; see " + self.log.name)

    def rss_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=120)
        self.log.close()


class Nginx:
    def __init__(self, work, body_size):
        root = os.path.join(work, "nginx")
        os.makedirs(os.path.join(root, "www"), exist_ok=True)
        # Started as root, nginx serves from worker processes running as
        # www-data, which must be able to reach the file (mkdtemp makes 0700).
        for d in (work, root, os.path.join(root, "www")):
            os.chmod(d, 0o755)
        with open(os.path.join(root, "www", "entity.json"), "wb") as f:
            f.write(b"x" * body_size)
        os.chmod(os.path.join(root, "www", "entity.json"), 0o644)
        self.port = free_port()
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp;
  proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp; uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  default_type application/json;
  server {{ listen 127.0.0.1:{self.port}; root {root}/www; }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", root], stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/entity.json", timeout=1).read()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        self.proc.wait(timeout=30)


def wrk(url, paths, work, duration, connections=64, threads=2):
    """Runs wrk over `paths` (cycled); returns (req/s, p99 ms, non-2xx count)."""
    paths_file = os.path.join(work, "paths.txt")
    with open(paths_file, "w") as f:
        f.write("\n".join(paths) + "\n")
    script = os.path.join(work, "paths.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    env = dict(os.environ, CAIRN_BENCH_PATHS=paths_file, CAIRN_BENCH_TOKEN=TOKEN)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency",
                          "-s", script, url], capture_output=True, text=True, env=env, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0


def upload_rss(cairn, manifest, work):
    """Peak RSS growth (KiB) of the server while it receives `manifest`."""
    req = urllib.request.Request(cairn.url + "/api/v1/integrations", method="POST",
                                 data=json.dumps({"name": "bench", "type": "dbt_core"}).encode(),
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    integration = json.load(urllib.request.urlopen(req, timeout=60))["id"]
    idle = cairn.rss_kib()
    peak = [idle]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], cairn.rss_kib())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        subprocess.run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "-H", "Authorization: Bearer " + TOKEN,
                        "-F", "manifest=@" + manifest, cairn.url + "/integration/dbt/%s/upload_artifacts/" % integration],
                       check=True, capture_output=True)
    finally:
        done.set()
        sampler.join()
    return peak[0] - idle


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--cairn", default=os.path.join(REPO, "build-release", "src", "cli", "cairn"))
    ap.add_argument("--work", default="/tmp/cairn-bench")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    for tool in ("wrk", "nginx", "curl"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: run `bash scripts/install-deps.sh --bench`")

    gen = os.path.abspath(os.path.join(args.shared, "tools", "gen_manifest.py"))
    project = ingest_bench.ensure_project(args.models, args.work, gen, 1800)
    work = tempfile.mkdtemp(prefix="cairn-server-bench-", dir=args.work)
    db = os.path.join(work, "cairn.db")
    subprocess.run([args.cairn, "ingest", "dbt", project, "--db", "sqlite:" + db, "--service", "bench"],
                   check=True, capture_output=True)

    # What to ask for: one model's page, and many search words and lineage roots.
    probe = Cairn(args.cairn, db, work, 64)
    models = json.loads(get_json(probe.url, "/api/v1/entities?type=model&limit=500"))["hits"]
    rng = random.Random(7)
    entity_path = "/api/v1/entities/" + models[len(models) // 2]["fqn"]
    body_size = len(get_json(probe.url, entity_path))
    words = sorted({w for m in models for w in re.split(r"[^a-z0-9]+", m["name"]) if len(w) > 2})
    search_paths = ["/api/v1/search?q=%s&limit=20" % rng.choice(words) for _ in range(500)]
    lineage_paths = ["/api/v1/lineage/%s?depth=3" % m["fqn"] for m in models]
    probe.stop()

    rows = {k: [] for k in ("nginx_rps", "cairn_rps", "ratio", "cairn_p99", "nginx_p99", "search_p99",
                            "lineage_p99", "upload_growth_mib", "errors")}
    manifest = os.path.join(project, "manifest.json")
    for r in range(args.runs):
        nginx = Nginx(work, body_size)
        try:
            n_rps, n_p99, _ = wrk(nginx.url, ["/entity.json"], work, args.duration)
        finally:
            nginx.stop()
        cairn = Cairn(args.cairn, db, work, 64)
        try:
            c_rps, c_p99, c_err = wrk(cairn.url, [entity_path], work, args.duration)
            growth = upload_rss(cairn, manifest, work)
        finally:
            cairn.stop()
        uncached = Cairn(args.cairn, db, work, 0)
        try:
            _, s_p99, s_err = wrk(uncached.url, search_paths, work, args.duration)
            _, l_p99, l_err = wrk(uncached.url, lineage_paths, work, args.duration)
        finally:
            uncached.stop()
        for key, value in (("nginx_rps", n_rps), ("cairn_rps", c_rps), ("ratio", c_rps / n_rps),
                           ("cairn_p99", c_p99), ("nginx_p99", n_p99), ("search_p99", s_p99),
                           ("lineage_p99", l_p99), ("upload_growth_mib", growth / 1024),
                           ("errors", c_err + s_err + l_err)):
            rows[key].append(value)
        print("round %d: nginx %.0f req/s, cairn %.0f req/s (%.0f%%), p99 %.2f ms; search p99 %.2f ms; "
              "lineage p99 %.2f ms; upload RSS +%.0f MiB; non-2xx %d"
              % (r + 1, n_rps, c_rps, 100 * c_rps / n_rps, c_p99, s_p99, l_p99, growth / 1024,
                 c_err + s_err + l_err), file=sys.stderr)

    med = {k: statistics.median(v) for k, v in rows.items()}
    result = {"models": args.models, "runs": args.runs, "entity_bytes": body_size,
              "manifest_mib": os.path.getsize(manifest) / (1 << 20), "median": med, "all": rows}
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
