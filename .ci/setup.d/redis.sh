#!/usr/bin/env bash
# tests/cluster: the cluster's queue is Redis. CI machines run one on 127.0.0.1:6379; start one if not.
set -euo pipefail
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q redis-server
fi
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && exit 0; sleep 0.1; done
echo "CI: Redis did not start on 127.0.0.1:6379" >&2
exit 1
