#!/usr/bin/env bash
# `npm start`: install, build, migrate and seed the demo data, then run casemail.
# With no database configured (DATABASE_URL / CASEMAIL__DATABASE__URL / config), the
# embedded PostgreSQL (PGlite) in data/pglite is used.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
npx tsc -p tsconfig.build.json
exec node --enable-source-maps dist/src/cli/main.js start --demo "$@"
