#!/usr/bin/env bash
# The load bench of the live Kubernetes source: kmock with 100, 1,000 and 10,000 pods and the
# release-built cockpit watching it; prints requests/min to the API server by verb, CPU
# seconds per minute and peak RSS (see tests/live_bench.rs). Takes ~10 minutes.
#
#   scripts/bench-live.sh                          # 60 s of steady state per size
#   COCKPIT_BENCH_SECS=20 COCKPIT_BENCH_PODS=100,1000 scripts/bench-live.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-peers.sh
cargo test --release --test live_bench -- --ignored --nocapture --test-threads=1
