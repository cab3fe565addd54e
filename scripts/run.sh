#!/usr/bin/env bash
# Command 1 of the README: install, build, and run Cairn's main job on the
# embedded default store: ingest the bundled example dbt project (Cairn
# Outfitters) into ./cairn.db, show what the catalog holds, then serve it
# (`cairn serve`) until Ctrl-C. CAIRN_PORT (default 8080) and CAIRN_HOST
# (default 127.0.0.1) say where.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# The same build directory and type as the test command, so running both
# builds once; only the binary and the example project are needed here.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build cairn example_project

cairn=build/src/cli/cairn
db="${CAIRN_DB:-sqlite:cairn.db}"
example=build/examples/cairn_outfitters
echo
echo "== cairn ingest dbt $example/target_previous   (yesterday's dbt build, for history)"
"$cairn" ingest dbt "$example/target_previous" --service cairn_outfitters --db "$db"
echo
echo "== cairn ingest -c examples/workflow.yaml   (today's build, catalog and source freshness)"
"$cairn" ingest -c examples/workflow.yaml --db "$db"
echo
echo "== cairn search revenue"
"$cairn" search revenue --db "$db" --limit 5
echo
echo "== cairn show cairn_outfitters.analytics.marts.dim_customers"
"$cairn" show cairn_outfitters.analytics.marts.dim_customers --db "$db"
echo
echo "== cairn lineage cairn_outfitters.analytics.marts.dim_customers --upstream --depth 2"
"$cairn" lineage cairn_outfitters.analytics.marts.dim_customers --upstream --depth 2 --db "$db"
echo
echo "== cairn serve   (the catalog over HTTP; Ctrl-C stops it)"
echo "Open http://${CAIRN_HOST:-127.0.0.1}:${CAIRN_PORT:-8080}/ in a browser for the web UI and log in"
echo "with the admin token. It is printed once, when the catalog has none yet; keep it, or set"
echo "CAIRN_ADMIN_TOKEN before the first start. Or try the API:"
echo "  curl -H \"Authorization: Bearer \$TOKEN\" http://${CAIRN_HOST:-127.0.0.1}:${CAIRN_PORT:-8080}/api/v1/search?q=revenue"
exec "$cairn" serve --db "$db" --host "${CAIRN_HOST:-127.0.0.1}" --port "${CAIRN_PORT:-8080}"
