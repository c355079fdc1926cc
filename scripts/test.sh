#!/usr/bin/env bash
# Runs every test: installs the test peers (redis-server, PostgreSQL 15, moto, kmock, kubectl)
# if they are missing, then the whole suite. Tests start their own peers on loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-peers.sh
cargo test --all-targets "$@"
