#!/usr/bin/env python3
"""Ingestion benchmark: `cairn ingest dbt` against Python's json.load.

For each project size N (models), generate a synthetic dbt project once with
shared/tools/gen_manifest.py (reused when already generated for the same N and
the same generator), then repeat --runs times, interleaving the baseline with
Cairn so that machine noise hits both alike:

  1. baseline   python3 -c "import json; json.load(open(MANIFEST))"    wall time
  2. fresh      cairn ingest dbt DIR --db sqlite:FILE --service bench   wall time,
                into a new SQLite file                                   peak RSS
  3. re-ingest  the same command again, unchanged project, same file   wall time,
                                                                         peak RSS
  4. search     cairn search customer --db sqlite:FILE                  wall time

Peak RSS is the child's ru_maxrss from os.wait4 (KiB on Linux).  Reported
values are medians over the runs.  Standard library only.

Usage:
  python3 bench/ingest_bench.py --models 1000,10000,50000 --runs 5
  python3 bench/ingest_bench.py --models 10000 --runs 3 --json bench-10k.json
"""

import argparse
import hashlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json")
SEARCH_QUERY = "customer"

# Targets (see bench/README.md); checked on every size, headline at 10k models.
TARGET_FULL_S = 3.0          # fresh ingest + first search, 10k-model project
TARGET_RSS_RATIO = 1.5       # peak RSS / manifest size
TARGET_SPEEDUP = 5.0         # python json.load(manifest) / cairn fresh ingest
TARGET_REINGEST_RATIO = 0.30  # unchanged re-ingest / fresh ingest


class BenchError(Exception):
    pass


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_child(argv, stdout_path, stderr_path, timeout):
    """Run argv; return (wall seconds, peak RSS KiB, exit status). Output goes to files."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    if timed_out:
        raise BenchError("timed out after %ss: %s" % (timeout, " ".join(argv)))
    return wall, usage.ru_maxrss, proc.returncode


def check_ok(what, argv, rc, stderr_path):
    if rc == 0:
        return
    with open(stderr_path, "rb") as f:
        tail = f.read()[-4000:].decode("utf-8", "replace")
    raise BenchError("%s failed (exit %s): %s\n%s" % (what, rc, " ".join(argv), tail))


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def ensure_project(n, work, gen_script, timeout):
    """Generate the N-model project unless a matching one is already there."""
    base = os.path.join(work, "m%d" % n)
    out = os.path.join(base, "target")  # only the artifacts: what `cairn ingest dbt` reads
    stamp_path = os.path.join(base, "bench-stamp.json")
    want = {"models": n, "generator_sha256": file_sha256(gen_script)}
    try:
        with open(stamp_path) as f:
            have = json.load(f)
        if have == want and all(os.path.isfile(os.path.join(out, a)) for a in ARTIFACTS):
            print("  reusing %s" % out, file=sys.stderr)
            return out
    except (FileNotFoundError, ValueError):
        pass
    os.makedirs(out, exist_ok=True)
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    print("  generating %d models into %s ..." % (n, out), file=sys.stderr)
    argv = [sys.executable, gen_script, "--models", str(n), "--out", out]
    wall, _, rc = run_child(argv, os.path.join(base, "gen.stdout"),
                            os.path.join(base, "gen.stderr"), timeout)
    check_ok("project generation", argv, rc, os.path.join(base, "gen.stderr"))
    for a in ARTIFACTS:
        if not os.path.isfile(os.path.join(out, a)):
            raise BenchError("%s did not write %s" % (gen_script, os.path.join(out, a)))
    with open(stamp_path, "w") as f:
        json.dump(want, f)
    print("  generated in %.1f s" % wall, file=sys.stderr)
    return out


def bench_size(n, args, gen_script):
    project = ensure_project(n, args.work, gen_script, args.timeout)
    manifest = os.path.join(project, "manifest.json")
    manifest_bytes = os.path.getsize(manifest)
    artifact_bytes = sum(os.path.getsize(os.path.join(project, a)) for a in ARTIFACTS)
    base = os.path.dirname(project)
    logs = os.path.join(base, "logs")
    os.makedirs(logs, exist_ok=True)

    samples = {k: [] for k in ("json_load_s", "json_load_rss_kib", "fresh_s", "fresh_rss_kib",
                               "reingest_s", "reingest_rss_kib", "search_s", "search_lines")}
    baseline_argv = [sys.executable, "-c", "import json; json.load(open(%r))" % manifest]

    def baseline(r):
        so, se = os.path.join(logs, "json.%d.out" % r), os.path.join(logs, "json.%d.err" % r)
        wall, rss, rc = run_child(baseline_argv, so, se, args.timeout)
        check_ok("python json.load baseline", baseline_argv, rc, se)
        samples["json_load_s"].append(wall)
        samples["json_load_rss_kib"].append(rss)

    def cairn_runs(r):
        db = os.path.join(base, "bench.%d.db" % r)
        remove_db(db)
        ingest = [args.cairn, "ingest", "dbt", project, "--db", "sqlite:" + db, "--service", "bench"]
        for phase in ("fresh", "reingest"):
            so = os.path.join(logs, "%s.%d.out" % (phase, r))
            se = os.path.join(logs, "%s.%d.err" % (phase, r))
            wall, rss, rc = run_child(ingest, so, se, args.timeout)
            check_ok("%s ingest" % phase, ingest, rc, se)
            samples["%s_s" % phase].append(wall)
            samples["%s_rss_kib" % phase].append(rss)
        search = [args.cairn, "search", SEARCH_QUERY, "--db", "sqlite:" + db]
        so, se = os.path.join(logs, "search.%d.out" % r), os.path.join(logs, "search.%d.err" % r)
        wall, _, rc = run_child(search, so, se, args.timeout)
        check_ok("search", search, rc, se)
        samples["search_s"].append(wall)
        with open(so, "rb") as f:
            samples["search_lines"].append(f.read().count(b"\n"))
        if not args.keep_db:
            remove_db(db)

    for r in range(args.runs):
        # Alternate which goes first so that warm-up and drift do not favour either.
        if r % 2 == 0:
            baseline(r)
            cairn_runs(r)
        else:
            cairn_runs(r)
            baseline(r)
        print("  run %d/%d: json.load %.3f s, fresh %.3f s (%.0f MiB), re-ingest %.3f s, search %.3f s"
              % (r + 1, args.runs, samples["json_load_s"][-1], samples["fresh_s"][-1],
                 samples["fresh_rss_kib"][-1] / 1024, samples["reingest_s"][-1],
                 samples["search_s"][-1]), file=sys.stderr)

    med = {k: statistics.median(v) for k, v in samples.items()}
    fresh_rss_bytes = med["fresh_rss_kib"] * 1024
    result = {
        "models": n,
        "project_dir": project,
        "manifest_bytes": manifest_bytes,
        "artifact_bytes": artifact_bytes,
        "median": med,
        "samples": samples,
        "mb_per_s": artifact_bytes / 1e6 / med["fresh_s"],
        "rss_over_manifest": fresh_rss_bytes / manifest_bytes,
        "json_load_over_fresh": med["json_load_s"] / med["fresh_s"],
        "reingest_over_fresh": med["reingest_s"] / med["fresh_s"],
        "fresh_plus_search_s": med["fresh_s"] + med["search_s"],
    }
    result["targets"] = {
        "rss_over_manifest_lt_1_5": result["rss_over_manifest"] < TARGET_RSS_RATIO,
        "speedup_ge_5": result["json_load_over_fresh"] >= TARGET_SPEEDUP,
        "reingest_lt_30pct": result["reingest_over_fresh"] < TARGET_REINGEST_RATIO,
    }
    if n == 10000:
        result["targets"]["ingested_and_searchable_lt_3s"] = result["fresh_plus_search_s"] < TARGET_FULL_S
    return result


def markdown(results, runs):
    mb = 1e6
    lines = [
        "Medians of %d runs. MB = 10^6 bytes; MB/s = (manifest + catalog + run_results) / fresh "
        "ingest wall time; RSS = peak resident set of the `cairn` process." % runs,
        "",
        "| models | manifest MB | artifacts MB | json.load s | fresh ingest s | MB/s "
        "| peak RSS MiB | RSS / manifest | json.load / fresh | re-ingest s | re-ingest / fresh "
        "| search s | fresh + search s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        m = r["median"]
        lines.append("| %s | %.1f | %.1f | %.3f | %.3f | %.0f | %.0f | %.2f | %.1f× | %.3f | %.0f %% | %.3f | %.3f |" % (
            format(r["models"], ","), r["manifest_bytes"] / mb, r["artifact_bytes"] / mb,
            m["json_load_s"], m["fresh_s"], r["mb_per_s"], m["fresh_rss_kib"] / 1024,
            r["rss_over_manifest"], r["json_load_over_fresh"], m["reingest_s"],
            100 * r["reingest_over_fresh"], m["search_s"], r["fresh_plus_search_s"]))
    lines += ["", "| models | target | result |", "|---:|---|---|"]
    names = {
        "ingested_and_searchable_lt_3s": "fully ingested and searchable < 3 s",
        "rss_over_manifest_lt_1_5": "peak RSS < 1.5 × manifest",
        "speedup_ge_5": "≥ 5× faster than json.load(manifest)",
        "reingest_lt_30pct": "unchanged re-ingest < 30 % of fresh",
    }
    for r in results:
        for key, ok in r["targets"].items():
            lines.append("| %s | %s | %s |" % (format(r["models"], ","), names[key],
                                                "met" if ok else "**missed**"))
    return "\n".join(lines)


def machine_info(cairn):
    info = {
        "platform": platform.platform(), "machine": platform.machine(),
        "cpus": os.cpu_count(), "python": platform.python_version(), "cairn": cairn,
    }
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["mem_total_kib"] = int(line.split()[1])
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def parse_args(argv):
    ap = argparse.ArgumentParser(description="Benchmark `cairn ingest dbt` on generated projects.")
    ap.add_argument("--models", default="1000,10000,50000",
                    help="comma-separated project sizes in models (default: %(default)s)")
    ap.add_argument("--runs", type=int, default=5, help="repetitions per size (default: %(default)s)")
    ap.add_argument("--cairn", default=os.path.join(REPO, "build", "src", "cli", "cairn"),
                    help="the cairn binary (default: <repo>/build/src/cli/cairn)")
    ap.add_argument("--work", default="/tmp/cairn-bench",
                    help="generated projects and SQLite files go here (default: %(default)s)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"),
                    help="the shared/ folder holding tools/gen_manifest.py (default: <repo>/../shared)")
    ap.add_argument("--json", metavar="OUT", help="also write the results as JSON to OUT")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds before a child process is killed (default: %(default)s)")
    ap.add_argument("--keep-db", action="store_true", help="keep the SQLite files of each run")
    args = ap.parse_args(argv)
    try:
        args.sizes = [int(s) for s in args.models.split(",") if s.strip()]
    except ValueError:
        ap.error("--models must be comma-separated integers, got %r" % args.models)
    if not args.sizes or any(s <= 0 for s in args.sizes):
        ap.error("--models needs at least one positive size")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.cairn = os.path.abspath(args.cairn)
    args.work = os.path.abspath(args.work)
    return args


def main(argv=None):
    args = parse_args(argv)
    if not (os.path.isfile(args.cairn) and os.access(args.cairn, os.X_OK)):
        print("error: cairn binary not found or not executable: %s\n"
              "Build it first (Release):\n"
              "  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build cairn\n"
              "or pass --cairn PATH." % args.cairn, file=sys.stderr)
        return 2
    gen_script = os.path.abspath(os.path.join(args.shared, "tools", "gen_manifest.py"))
    if not os.path.isfile(gen_script):
        print("error: project generator not found: %s (pass --shared DIR)" % gen_script,
              file=sys.stderr)
        return 2
    os.makedirs(args.work, exist_ok=True)

    results = []
    try:
        for n in args.sizes:
            print("%s models:" % format(n, ","), file=sys.stderr)
            results.append(bench_size(n, args, gen_script))
    except BenchError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1

    print(markdown(results, args.runs))
    if args.json:
        doc = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": machine_info(args.cairn), "runs": args.runs,
               "search_query": SEARCH_QUERY, "results": results}
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print("wrote %s" % args.json, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
