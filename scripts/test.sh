#!/usr/bin/env bash
# `npm test`: the whole suite as CI runs it. Installs what it needs, then: type check, lint,
# unit + integration + end-to-end tests (real PostgreSQL, Dovecot, SMTP), and a smoke run of
# the migrations and demo seed on the embedded PGlite through the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-test-servers.sh
echo "== type check"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint . --max-warnings=0
echo "== build"; npx tsc -p tsconfig.build.json
echo "== tests"; npx vitest run "$@"
echo "== smoke: migrations and demo seed on the embedded PGlite"
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
export CASEMAIL__DATABASE__DATA_DIR="$smoke/pglite"
node dist/src/cli/main.js migrate
node dist/src/cli/main.js seed --demo
node dist/src/cli/main.js seed --demo
node dist/src/cli/main.js migrate --rollback
node dist/src/cli/main.js migrate
echo "smoke: 1 passed, 0 failed"
