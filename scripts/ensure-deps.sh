#!/usr/bin/env bash
# Installs the exact dependencies from package-lock.json when node_modules is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat node_modules/.casemail-lock 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "casemail: installing dependencies (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.casemail-lock
fi
