#!/usr/bin/env bash
# The war room's bench: one `cockpit collect` on kmock (1,000 pods), redis-server, PostgreSQL
# and moto, then 0, 1, 10 and 50 `cockpit watch` viewers; prints the platform-facing request
# rates per row and each viewer's CPU and memory (see tests/share_bench.rs). ~6 minutes.
#
#   scripts/bench-share.sh                                  # 60 s per row
#   COCKPIT_BENCH_SECS=20 COCKPIT_BENCH_VIEWERS=0,10 scripts/bench-share.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-peers.sh
cargo test --release --test share_bench -- --ignored --nocapture --test-threads=1
