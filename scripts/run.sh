#!/usr/bin/env bash
# Command 1 of the README: install, build, and run Cairn's main job on the
# embedded default store: ingest the bundled example dbt project (Cairn
# Outfitters) into ./cairn.db, then show what the catalog holds.
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
echo "The catalog is in ${db#sqlite:}. Try: $cairn search <words>, $cairn show <fqn>, $cairn lineage <fqn>"
