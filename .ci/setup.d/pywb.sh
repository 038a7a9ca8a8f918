#!/usr/bin/env bash
# tests/evidence/test_replay.py replays exported WACZ packages in pywb, Webrecorder's replay server. pywb pins
# redis<3 (through fakeredis), which Vigie's cluster mode cannot use, so it lives in a venv of its own;
# the test finds it at /opt/vigie-pywb (or where VIGIE_TEST_PYWB points).
set -euo pipefail
VENV=/opt/vigie-pywb
if [ ! -x "$VENV/bin/wayback" ]; then
  PYTHON="${PYTHON:-$(command -v python3)}"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q "pywb>=2.8"
fi
