#!/usr/bin/env python3
"""Warehouse ingestion benchmark: `cairn ingest` of a PostgreSQL database
against `pg_dump --schema-only` of the same database.

A throwaway PostgreSQL 15 cluster (Debian's, on 127.0.0.1 and a free port; the
harness of tests/warehouse_test.py) gets one database of --tables tables with
--columns columns each, spread over 10 schemas: a primary key on the first
column, a NOT NULL and a comment on every fifth, a default on every tenth, a
comment on every table, and a view per 100 tables. Then, --runs times,
interleaved so that machine noise hits all alike:

  1. baseline   pg_dump --schema-only DB > /dev/null            wall time
                (reads the same system catalogs, writes DDL)
  2. fresh      cairn ingest -c pg.yaml --db sqlite:NEW-FILE      wall time, peak RSS
  3. re-ingest  the same again into that file, nothing changed   wall time, peak RSS

Reported values are medians over the runs; ratios are against the baseline of
the same runs. Standard library only.

Usage:
  python3 bench/warehouse_bench.py --tables 10000 --columns 20 --runs 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests"))

from warehouse_test import PASSWORD, PG_BIN, PostgresServer, workflow  # noqa: E402

TARGET_FRESH_S = 10.0  # 10k tables x 20 columns (issue 6)
SCHEMAS = 10


def create_tables(server, database, tables, columns):
    """One PL/pgSQL block per schema, so the DDL runs server-side."""
    server.psql(f"CREATE DATABASE {database}")
    per_schema = tables // SCHEMAS
    for s in range(SCHEMAS):
        server.psql(f"""
CREATE SCHEMA s{s};
DO $$
DECLARE cols text;
BEGIN
  FOR t IN 1..{per_schema} LOOP
    cols := 'c1 bigint PRIMARY KEY';
    FOR c IN 2..{columns} LOOP
      cols := cols || format(', c%s %s%s%s', c,
        CASE c % 3 WHEN 0 THEN 'text' WHEN 1 THEN 'numeric(12,2)' ELSE 'timestamptz' END,
        CASE WHEN c % 5 = 0 THEN ' NOT NULL' ELSE '' END,
        CASE WHEN c % 10 = 0 AND c % 3 = 0 THEN ' DEFAULT ''x''' ELSE '' END);
    END LOOP;
    EXECUTE format('CREATE TABLE s{s}.t%s (%s)', t, cols);
    EXECUTE format('COMMENT ON TABLE s{s}.t%s IS %L', t, 'table ' || t || ' of schema s{s}');
    FOR c IN 5..{columns} BY 5 LOOP
      EXECUTE format('COMMENT ON COLUMN s{s}.t%s.c%s IS %L', t, c, 'column ' || c);
    END LOOP;
    IF t % 100 = 0 THEN
      EXECUTE format('CREATE VIEW s{s}.v%s AS SELECT c1, c2 FROM s{s}.t%s', t, t);
    END IF;
  END LOOP;
END $$;
""", database=database)
    server.psql("ANALYZE", database=database)


def timed(argv, env=None):
    """(wall seconds, peak RSS KiB) of one child; raises when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{stderr[-3000:]}")
    return wall, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=10000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cairn", default=os.path.join(REPO, "build", "src", "cli", "cairn"))
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="cairn-wh-bench-")
    server = PostgresServer()
    try:
        print(f"creating {args.tables} tables x {args.columns} columns ...", file=sys.stderr)
        start = time.perf_counter()
        create_tables(server, "bench", args.tables, args.columns)
        print(f"  created in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        config = os.path.join(work, "pg.yaml")
        connection = ["type: Postgres", "username: cairn", "authType:", f"  password: {PASSWORD}",
                      f"hostPort: 127.0.0.1:{server.port}", "database: bench"]
        with open(config, "w") as f:
            f.write(workflow("postgres", connection, service="bench"))
        pg_env = dict(os.environ, PGPASSWORD=PASSWORD)
        dump = [f"{PG_BIN}/pg_dump", "--schema-only", "-h", "127.0.0.1", "-p", str(server.port),
                "-U", "cairn", "-f", "/dev/null", "bench"]

        baseline, fresh, fresh_rss, again, again_rss = [], [], [], [], []
        for run in range(args.runs):
            db = os.path.join(work, f"run{run}.db")
            ingest = [args.cairn, "ingest", "-c", config, "--db", "sqlite:" + db]
            baseline.append(timed(dump, pg_env)[0])
            wall, rss = timed(ingest)
            fresh.append(wall)
            fresh_rss.append(rss)
            wall, rss = timed(ingest)
            again.append(wall)
            again_rss.append(rss)
            print(f"  run {run + 1}: pg_dump {baseline[-1]:.2f} s, fresh {fresh[-1]:.2f} s, "
                  f"re-ingest {again[-1]:.2f} s", file=sys.stderr)
        report = json.loads(subprocess.run(ingest + ["--json", "--force"], capture_output=True,
                                           check=True, text=True).stdout)
    finally:
        server.stop()

    med = statistics.median
    result = {
        "tables": args.tables, "columns": args.columns, "runs": args.runs,
        "tables_seen": report.get("tables_seen"),
        "pg_dump_s": med(baseline), "fresh_s": med(fresh), "reingest_s": med(again),
        "fresh_rss_mib": med(fresh_rss) / 1024, "reingest_rss_mib": med(again_rss) / 1024,
        "fresh_vs_pg_dump": med(fresh) / med(baseline), "reingest_vs_pg_dump": med(again) / med(baseline),
        "target_fresh_s": TARGET_FRESH_S, "target_met": med(fresh) < TARGET_FRESH_S,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    print(f"| {args.tables} x {args.columns} | {result['pg_dump_s']:.2f} s | {result['fresh_s']:.2f} s "
          f"({result['fresh_vs_pg_dump']:.2f}x) | {result['reingest_s']:.2f} s "
          f"({result['reingest_vs_pg_dump']:.2f}x) | {result['fresh_rss_mib']:.0f} MiB | "
          f"{'met' if result['target_met'] else 'missed'} |")


if __name__ == "__main__":
    main()
