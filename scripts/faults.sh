#!/usr/bin/env bash
# `npm run test:faults`: the long versions of the fault and fuzz tests (FAULT_SCALE=long),
# each printing the counts it ended with ("[faults] …" lines). The PostgreSQL outage test
# runs last and alone, because only there is the shared server really restarted
# (pg_ctlcluster), which would break any other test using it at the same moment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-test-servers.sh
export FAULT_SCALE=long
echo "== faults (long): kill storm, relay down, Dovecot restart, fuzz, security"
npx vitest run --maxWorkers=1 tests/faults/kill-storm.test.ts tests/faults/smtp-down.test.ts \
  tests/faults/dovecot-restart.test.ts tests/faults/fuzz.test.ts tests/faults/security.test.ts "$@"
echo "== faults (long): PostgreSQL outage, with a real server restart"
FAULT_PG_RESTART=1 npx vitest run --maxWorkers=1 tests/faults/postgres-outage.test.ts "$@"
echo "== fuzz CLI: 10,000 cases on the embedded database"
npx tsx scripts/fuzz.ts 10000
