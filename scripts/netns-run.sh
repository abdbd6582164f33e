#!/usr/bin/env bash
# Runs a command inside a fresh, isolated network namespace: only lo plus a veth pair, veth0 =
# 198.18.0.1/24 (RFC 2544 benchmarking range) with the default route. Nothing can leave it.
#
# Why (DESIGN §11): headless Chromium offers no WebRTC candidates on a loopback-only host (it never
# uses 127.0.0.1), and on a real interface it would send mDNS multicast and could reach outside
# addresses. Inside this namespace tabs connect through 198.18.0.1 and all traffic stays local.
# Chromium also needs --disable-features=WebRtcHideLocalIpsWithMdns here (test/e2e/harness.ts).
#
# Usage: bash scripts/netns-run.sh <command...>    e.g. bash scripts/netns-run.sh npx vitest run
# Needs root (unshare -n) and iproute2; .ci/run installs iproute2 and runs as root. If the
# namespace cannot be made, this fails: it never falls back to running on the real network.
set -euo pipefail

ADDR=198.18.0.1

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/netns-run.sh <command...>" >&2
  exit 2
fi

# Already inside (a nested call, e.g. `bash scripts/netns-run.sh npm test`): run as is.
if ip -4 -o addr show dev veth0 2>/dev/null | grep -q " $ADDR/"; then
  exec "$@"
fi

fail() {
  echo "netns-run: $*" >&2
  echo "netns-run: the WebRTC tests must run in an isolated network namespace; not running them on the real network." >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root to create a network namespace (unshare -n); run as root or through sudo"
command -v unshare >/dev/null 2>&1 || fail "unshare not found (package util-linux)"
command -v ip >/dev/null 2>&1 || fail "ip not found (apt-get install -y iproute2)"
unshare -n true 2>/dev/null || fail "unshare -n failed: this environment does not allow new network namespaces (CAP_SYS_ADMIN)"

exec unshare -n bash -c '
  setup() {
    set -e
    # IPv6 link-local addresses appear 1-2 s after link-up, and Chromium then sees a network
    # change (ERR_NETWORK_CHANGED) in the middle of a test. A kernel without IPv6 has nothing to disable.
    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    ip link set lo up
    ip link add veth0 type veth peer name veth1
    ip addr add '"$ADDR"'/24 dev veth0
    ip link set veth1 up
    ip link set veth0 up
    ip route add default dev veth0
  }
  if ! (setup); then
    echo "netns-run: could not set up the veth pair in the new namespace (see the error above)" >&2
    exit 1
  fi
  exec "$@"' netns-run "$@"
