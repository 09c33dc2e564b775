# Sourced by install-test-servers.sh: keeps Debian packages from starting their daemons
# while they install (invoke-rc.d asks /usr/sbin/policy-rc.d; exit 101 means "do not").
# A policy already on the machine is its owner's: it is left exactly as it is, and only a
# file this script created is removed afterwards, on any exit.
# CASEMAIL_POLICY_RC_D moves the file elsewhere; only tests set it.
policy_rc_d="${CASEMAIL_POLICY_RC_D:-/usr/sbin/policy-rc.d}"
policy_rc_d_ours='#!/bin/sh
# written by casemail scripts/install-test-servers.sh while it installs test servers
exit 101'
policy_rc_d_created=0

block_service_starts() {
  if [ -e "$policy_rc_d" ] || [ -L "$policy_rc_d" ]; then
    echo "casemail: keeping the existing $policy_rc_d" >&2
    return 0
  fi
  # noclobber: never replace a file that appeared meanwhile.
  if ( set -o noclobber; printf '%s\n' "$policy_rc_d_ours" > "$policy_rc_d" ) 2>/dev/null; then
    chmod 755 "$policy_rc_d"
    policy_rc_d_created=1
    trap release_service_starts EXIT
  fi
}

release_service_starts() {
  if [ "$policy_rc_d_created" = 1 ] && [ "$(cat "$policy_rc_d" 2>/dev/null)" = "$policy_rc_d_ours" ]; then
    rm -f "$policy_rc_d"
  fi
  policy_rc_d_created=0
}
