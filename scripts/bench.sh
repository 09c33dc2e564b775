#!/usr/bin/env bash
# `npm run bench`: every benchmark in turn on the real servers, then one summary table.
#   npm run bench -- ingest threading        (a subset)
# The service is built first: the ingest benchmark runs casemail as built, like production.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-test-servers.sh >/dev/null
npm run --silent build
exec node --import tsx bench/all.ts "$@"
