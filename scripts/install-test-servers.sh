#!/usr/bin/env bash
# Installs the real servers the integration tests drive (Debian packages), without letting
# the package start a system-wide daemon: tests start their own instances on 127.0.0.1.
set -euo pipefail
# shellcheck source=scripts/policy-rc-guard.sh
. "$(dirname "$0")/policy-rc-guard.sh"
need=()
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/spamassassin ] || need+=(spamassassin)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing ${need[*]} and not root: install them first" >&2; exit 1; fi
  echo "casemail: installing ${need[*]}…"
  block_service_starts
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# PostgreSQL is expected on 127.0.0.1:5432; start the local cluster if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
