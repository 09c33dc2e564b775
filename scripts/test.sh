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
mkdir -p tmp
echo "== tests"; npx vitest run --reporter=default --reporter=json --outputFile.json=tmp/vitest.json "$@"
echo "== smoke: migrations and demo seed on the embedded PGlite"
smoke=$(mktemp -d)
trap 'rm -rf "$smoke"' EXIT
export CASEMAIL__DATABASE__DATA_DIR="$smoke/pglite"
node dist/src/cli/main.js migrate
node dist/src/cli/main.js seed --demo
node dist/src/cli/main.js seed --demo
node dist/src/cli/main.js migrate --rollback
node dist/src/cli/main.js migrate
node -e '
  const r = JSON.parse(require("fs").readFileSync("tmp/vitest.json", "utf8"));
  // The vitest totals plus the smoke run above, as one closing line.
  console.log(`tests: ${r.numPassedTests + 1} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
