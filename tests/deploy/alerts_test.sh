#!/usr/bin/env bash
# deploy/prometheus/xiaoerd-alerts.yml: promtool checks the rules and runs
# their unit tests (tests/deploy/alerts_test.yml). promtool is Debian's
# (package prometheus; `make promtool` unpacks it into BUILD_DIR/tools).
# Without it the test skips (exit 77), except under CI=true, where it fails.
# Usage: alerts_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
promtool=$(command -v promtool || true)
[ -n "$promtool" ] || { [ -x "$build/tools/promtool" ] && promtool="$build/tools/promtool"; }
if [ -z "$promtool" ]; then
  [ "${CI:-}" = "true" ] && { echo "FAIL: promtool not found (make promtool)" >&2; exit 1; }
  echo "SKIP: promtool not found (make promtool)"
  exit 77
fi
"$promtool" check rules "$source/deploy/prometheus/xiaoerd-alerts.yml"
cd "$source/tests/deploy" && "$promtool" test rules alerts_test.yml
