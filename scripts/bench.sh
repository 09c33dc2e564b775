#!/usr/bin/env bash
# `npm run bench`: every benchmark on the real servers, one after the other (they would
# distort each other in parallel on a small machine). Pass names to run a subset:
#   npm run bench -- ingest render
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/install-test-servers.sh >/dev/null
all=(ingest outbound render kb-search threading)
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=("${all[@]}")
for name in "${wanted[@]}"; do
  if [ -f "bench/$name.ts" ]; then
    echo "== bench: $name"
    node --import tsx "bench/$name.ts"
  else
    echo "== bench: $name (not present, skipped)"
  fi
done
