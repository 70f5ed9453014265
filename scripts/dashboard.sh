#!/usr/bin/env bash
# Starts the dashboard.
#   scripts/dashboard.sh                      the demo ledger (data/demo/ledger.duckdb), built on first run
#   LEDGER_DB=PATH scripts/dashboard.sh       that ledger as it is; a missing one is created empty
#                                             (then add the first 督查室 account, as printed)
#   scripts/dashboard.sh --network            listen on every interface (behind the office's HTTPS
#                                             reverse proxy); by default only on 127.0.0.1
# Other arguments go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
address=127.0.0.1
passed=()
for argument in "$@"; do
  if [ "$argument" = "--network" ]; then address=0.0.0.0; else passed+=("$argument"); fi
done
if [ -n "${LEDGER_DB:-}" ]; then
  db="$LEDGER_DB"
  if [ ! -f "$db" ]; then
    .venv/bin/python -m etl init --db "$db"
  fi
else
  db=data/demo/ledger.duckdb
  if [ ! -f "$db" ]; then
    echo "Building the demo ledger in $db ..."
    .venv/bin/python -m etl init --demo --db "$db"
  fi
fi
export LEDGER_DB="$db"
exec .venv/bin/python -m streamlit run dashboard.py --server.headless true --server.address "$address" "${passed[@]}"
