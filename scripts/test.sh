#!/usr/bin/env bash
# Runs the whole test suite, installing what it needs first: the Python packages, and
# Debian's Chromium and CJK fonts for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  fi
fi
# Two workers, one test file each at a time: files share module-level fixtures (ledgers built
# once per file), and the machine has two cores.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
