#!/usr/bin/env python3
"""Store benchmark: `cairn ingest dbt` into SQLite and into PostgreSQL.

For each project size N (models) the synthetic project of ingest_bench.py
(shared/tools/gen_manifest.py, reused when already generated) is ingested
--runs times into a new SQLite file and into a new database on a throwaway
PostgreSQL 15 cluster (tests/postgres_server.py: 127.0.0.1, a free port,
stopped by PID at the end), the two alternating so that machine noise hits
both alike. Reported: the median wall time of each and their ratio
(PostgreSQL / SQLite), with an unchanged re-ingest (--force, so that the
artifacts are read and applied again rather than stopped by their
fingerprint) beside it.

Usage:
  python3 bench/store_bench.py --models 1000,10000 --runs 3
"""

import argparse
import json
import os
import statistics
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
sys.path.insert(0, os.path.join(REPO, "tests"))

import ingest_bench  # noqa: E402  (run_child, check_ok, ensure_project, remove_db)
from postgres_server import PostgresServer  # noqa: E402

TARGET_RATIO = 3.0  # PostgreSQL fresh ingest / SQLite fresh ingest, 10k models


def ingest(args, project, db, tag, force=False):
    argv = [args.cairn, "ingest", "dbt", project, "--db", db, "--service", "bench"]
    if force:
        argv.append("--force")
    out = os.path.join(args.work, tag + ".stdout")
    err = os.path.join(args.work, tag + ".stderr")
    wall, _, rc = ingest_bench.run_child(argv, out, err, args.timeout)
    ingest_bench.check_ok(tag, argv, rc, err)
    return wall


def bench_size(n, args, gen_script, server):
    project = ingest_bench.ensure_project(n, args.work, gen_script, args.timeout)
    samples = {"sqlite": [], "postgres": [], "sqlite_again": [], "postgres_again": []}
    for r in range(args.runs):
        sqlite_file = os.path.join(args.work, "store-%d-%d.db" % (n, r))
        ingest_bench.remove_db(sqlite_file)
        url = server.create_database("bench_%d_%d" % (n, r))
        order = ["sqlite", "postgres"] if r % 2 == 0 else ["postgres", "sqlite"]
        for backend in order:
            db = "sqlite:" + sqlite_file if backend == "sqlite" else url
            samples[backend].append(ingest(args, project, db, "%s-%d-%d" % (backend, n, r)))
            samples[backend + "_again"].append(
                ingest(args, project, db, "%s-again-%d-%d" % (backend, n, r), force=True))
            print("  %d models, run %d, %s: %.3f s, again %.3f s" %
                  (n, r + 1, backend, samples[backend][-1], samples[backend + "_again"][-1]),
                  file=sys.stderr)
        if not args.keep_db:
            ingest_bench.remove_db(sqlite_file)
            server.psql('DROP DATABASE "bench_%d_%d"' % (n, r))
    medians = {k: statistics.median(v) for k, v in samples.items()}
    return {"models": n, "samples": samples, "medians": medians,
            "ratio": medians["postgres"] / medians["sqlite"],
            "ratio_again": medians["postgres_again"] / medians["sqlite_again"]}


def markdown(results, runs):
    lines = ["Medians of %d runs." % runs, "",
             "| models | SQLite fresh s | PostgreSQL fresh s | PostgreSQL / SQLite |"
             " SQLite re-apply s | PostgreSQL re-apply s | PostgreSQL / SQLite |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for res in results:
        m = res["medians"]
        lines.append("| {:,} | {:.3f} | {:.3f} | {:.2f}× | {:.3f} | {:.3f} | {:.2f}× |".format(
            res["models"], m["sqlite"], m["postgres"], res["ratio"], m["sqlite_again"],
            m["postgres_again"], res["ratio_again"]))
    return "\n".join(lines)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="1000,10000", help="comma-separated sizes")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--cairn", default=os.path.join(REPO, "build", "src", "cli", "cairn"))
    p.add_argument("--work", default="/tmp/cairn-bench")
    p.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    p.add_argument("--json", help="write every sample here")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--timeout", type=float, default=1800)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isfile(args.cairn):
        print("no cairn binary at %s; build it: ninja -C build cairn" % args.cairn,
              file=sys.stderr)
        return 2
    os.makedirs(args.work, exist_ok=True)
    gen_script = os.path.abspath(os.path.join(args.shared, "tools", "gen_manifest.py"))
    server = PostgresServer()
    try:
        results = [bench_size(int(n), args, gen_script, server)
                   for n in args.models.split(",")]
    except ingest_bench.BenchError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    finally:
        server.stop()
    print(markdown(results, args.runs))
    for res in results:
        if res["models"] == 10000:
            met = "met" if res["ratio"] <= TARGET_RATIO else "NOT met"
            print("target PostgreSQL within %.0f× of SQLite at 10k models: %s (%.2f×)" %
                  (TARGET_RATIO, met, res["ratio"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
