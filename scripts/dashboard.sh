#!/usr/bin/env bash
# Starts the dashboard on the demo ledger, building it on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
db="${LEDGER_DB:-data/ledger.duckdb}"
if [ ! -f "$db" ]; then
  echo "Building the demo ledger in $db ..."
  .venv/bin/python -m etl init --demo --db "$db"
fi
export LEDGER_DB="$db"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true "$@"
