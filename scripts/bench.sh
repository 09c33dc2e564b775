#!/usr/bin/env bash
# `npm run bench`: every benchmark in turn on the real servers, then one summary table.
#   npm run bench -- ingest threading        (a subset)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-test-servers.sh >/dev/null
exec node --import tsx bench/all.ts "$@"
