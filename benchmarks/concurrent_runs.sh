#!/usr/bin/env bash
# Issue 13, item 5: the concurrent-writer tests, N times in a row in one pytest session (default 50):
# two `marsad run` at once on one store, same input and near copies, on SQLite and (with
# MARSAD_TEST_PG set) PostgreSQL. Stops at the first failure; prints pytest's count at the end.
#   bash benchmarks/concurrent_runs.sh [N] [pytest -k expression]
set -euo pipefail
cd "$(dirname "$0")/.."
export MARSAD_REPEAT="${1:-50}"
python -m pytest -q -x -p no:cacheprovider tests/test_run_resilience.py \
  -k "${2:-two_runs_at_once or near_copies}"
