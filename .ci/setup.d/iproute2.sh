#!/usr/bin/env bash
# tests/security/test_ssrf_netns.py builds network namespaces with `ip netns` (iproute2).
set -euo pipefail
if ! command -v ip >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q iproute2
fi
