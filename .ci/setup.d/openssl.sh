#!/usr/bin/env bash
# tests/evidence: a real RFC 3161 timestamp authority is OpenSSL's `openssl ts -reply` (Debian package openssl).
set -euo pipefail
if ! command -v openssl >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q openssl
fi
