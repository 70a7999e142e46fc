#!/usr/bin/env bash
# fuzz/run.sh: builds the libFuzzer targets (clang, ASan+UBSan) and runs each
# one for FUZZ_SECONDS. `make fuzz` calls it after installing clang
# (make deps-fuzz); this script installs nothing. docs/testing.md explains.
#
# Environment (all optional):
#   FUZZ_SECONDS    seconds per target (default 60)
#   FUZZ_RUNS       also stop a target after this many executions (the long
#                   runs: FUZZ_RUNS=10000000 FUZZ_SECONDS=1200)
#   FUZZ_BUILD_ONLY 1: configure and build, run nothing
#   FUZZ_TARGETS    which targets, space-separated (default: every fuzz/fuzz_*.cpp)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 10)
#   FUZZ_RSS_MB     memory limit of a target, MB (default 2048)
#   FUZZ_JOBS       parallel compile jobs (default 1)
#   FUZZ_BUILD_DIR  build directory (default build-fuzz)
#   FUZZ_WORK_DIR   where corpora, logs and crashers go (default: a new temp
#                   dir, removed afterwards unless something failed); give a
#                   fixed one to grow a corpus over several long runs
#   XIAOER_SHARED_DATA  the evaluation data (default ../shared/data): when
#                   buyer_messages.txt is there, its lines seed the text
#                   targets; they are only ever copied into the temp dir
#
# Prints, per target, the executions run (libFuzzer's final
# stat::number_of_executed_units) and the path of any crasher; exits 1 when
# a target crashed, hung or ran out of memory, 2 when it cannot build.
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
FUZZ_RSS_MB="${FUZZ_RSS_MB:-2048}"
FUZZ_JOBS="${FUZZ_JOBS:-1}"
FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
case "$FUZZ_BUILD_DIR" in /*) BUILD="$FUZZ_BUILD_DIR" ;; *) BUILD="$ROOT/$FUZZ_BUILD_DIR" ;; esac
SHARED_DATA="${XIAOER_SHARED_DATA:-$ROOT/../shared/data}"

case "$FUZZ_SECONDS" in
  '' | *[!0-9]* | 0) echo "fuzz: FUZZ_SECONDS must be a positive number of seconds" >&2; exit 2 ;;
esac
case "${FUZZ_RUNS:-}" in
  *[!0-9]* | 0*) echo "fuzz: FUZZ_RUNS must be a positive number of executions" >&2; exit 2 ;;
esac
if [ -z "${FUZZ_TARGETS:-}" ]; then
  FUZZ_TARGETS=""
  for f in "$ROOT"/fuzz/fuzz_*.cpp; do FUZZ_TARGETS+="$(basename "$f" .cpp) "; done
fi
for t in $FUZZ_TARGETS; do
  [ -f "$ROOT/fuzz/$t.cpp" ] || { echo "fuzz: no target '$t' (fuzz/$t.cpp)" >&2; exit 2; }
done

for tool in clang++ cmake; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool not found: run 'make deps-fuzz'" >&2; exit 2; }
done

# ---- build ------------------------------------------------------------------
echo "fuzz: configuring $BUILD (clang, XIAOER_FUZZ=ON)"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DXIAOER_FUZZ=ON -DXIAOER_BENCHMARKS=OFF >/dev/null || exit 2
# shellcheck disable=SC2086  # FUZZ_TARGETS is a list
cmake --build "$BUILD" -j "$FUZZ_JOBS" --target $FUZZ_TARGETS || exit 2
if [ "${FUZZ_BUILD_ONLY:-0}" = 1 ]; then
  echo "fuzz: built $FUZZ_TARGETS in $BUILD/fuzz"
  exit 0
fi

# ---- work dir ---------------------------------------------------------------
if [ -n "${FUZZ_WORK_DIR:-}" ]; then
  WORK="$FUZZ_WORK_DIR"
  KEEP_WORK=1
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/xiaoer-fuzz.XXXXXX")"
  KEEP_WORK=0
fi
mkdir -p "$WORK"/{seeds,corpus,crashes,logs,tmp}
# The targets' own temp files (the journal under replay) stay in here too.
export TMPDIR="$WORK/tmp"
export XIAOER_SOURCE_DIR="$ROOT"

# One file per non-empty line of $1, named $3-<line number>, into $2.
lines_to_files() {
  [ -f "$1" ] || return 0
  awk -v dir="$2" -v prefix="$3" 'length($0) > 0 {
    f = sprintf("%s/%s-%05d", dir, prefix, NR); printf "%s", $0 > f; close(f) }' "$1"
}

# Each line of $1 as a gateway message frame, into $2.
lines_to_frames() {
  [ -f "$1" ] || return 0
  awk -v dir="$2" -v prefix="$3" 'length($0) > 0 {
    text = $0; gsub(/\\/, "\\\\", text); gsub(/"/, "\\\"", text)
    f = sprintf("%s/%s-%05d", dir, prefix, NR)
    printf "{\"type\":\"message\",\"id\":\"%s-%d\",\"chat\":\"shop:buyer\",\"text\":\"%s\"}", prefix, NR, text > f
    close(f) }' "$1"
}

# Seeds: ours (fuzz/corpus/<target>/) plus the repo's own files, and the
# buyer messages when present; built fresh each run, never in the repo.
build_seeds() {
  local t="$1" dir="$WORK/seeds/$1" buyers="$SHARED_DATA/buyer_messages.txt"
  mkdir -p "$dir"
  if [ -d "$ROOT/fuzz/corpus/$t" ]; then cp "$ROOT/fuzz/corpus/$t"/* "$dir"/ 2>/dev/null; fi
  case "$t" in
    fuzz_normalizer | fuzz_classifier)
      lines_to_files "$ROOT/bench/sample_messages.txt" "$dir" sample
      lines_to_files "$buyers" "$dir" buyer ;;
    fuzz_gateway_frame)
      lines_to_frames "$ROOT/bench/sample_messages.txt" "$dir" sample ;;
    fuzz_intent_loader)
      cp "$ROOT"/intents/*.yaml "$dir"/ ;;
    fuzz_config_loader)
      cp "$ROOT/config/xiaoerd.yaml" "$dir/config-xiaoerd.yaml"
      [ -f "$ROOT/deploy/xiaoerd.yaml" ] && cp "$ROOT/deploy/xiaoerd.yaml" "$dir/deploy-xiaoerd.yaml" ;;
    fuzz_shop_loader)
      cp "$ROOT/config/shop.yaml" "$dir/shop.yaml" ;;
    fuzz_template)
      # The shipped replies with placeholders, one a file.
      grep -ho "'[^']*{[a-z_]*}[^']*'" "$ROOT"/intents/*.yaml | tr -d "'" > "$WORK/templates.txt"
      lines_to_files "$WORK/templates.txt" "$dir" shipped ;;
  esac
}

dict_for() {
  case "$1" in
    fuzz_gateway_frame | fuzz_journal_replay | fuzz_push_frames | fuzz_agent_http) echo "$ROOT/fuzz/dicts/json.dict" ;;
    fuzz_intent_loader | fuzz_config_loader | fuzz_shop_loader) echo "$ROOT/fuzz/dicts/yaml.dict" ;;
    fuzz_template) echo "$ROOT/fuzz/dicts/template.dict" ;;
    fuzz_normalizer | fuzz_classifier) echo "$ROOT/fuzz/dicts/text.dict" ;;
  esac
}

# ---- run --------------------------------------------------------------------
passed=0
failed=0
summary=""
for t in $FUZZ_TARGETS; do
  build_seeds "$t"
  mkdir -p "$WORK/corpus/$t" "$WORK/crashes/$t"
  log="$WORK/logs/$t.log"
  dict="$(dict_for "$t")"
  echo "fuzz: $t for ${FUZZ_SECONDS}s ($(find "$WORK/seeds/$t" -type f | wc -l) seeds)"
  # New inputs go to the first corpus dir (the temp one); seeds are only read.
  started=$SECONDS
  "$BUILD/fuzz/$t" -max_total_time="$FUZZ_SECONDS" -runs="${FUZZ_RUNS:--1}" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
    -print_final_stats=1 -artifact_prefix="$WORK/crashes/$t/" ${dict:+-dict="$dict"} \
    "$WORK/corpus/$t" "$WORK/seeds/$t" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - started))
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')"
  crashers="$(find "$WORK/crashes/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'leak-*' \) 2>/dev/null)"
  if [ "$rc" -eq 0 ] && [ -z "$crashers" ]; then
    passed=$((passed + 1))
    result="ok"
  else
    failed=$((failed + 1))
    result="FAILED (exit $rc)"
    echo "fuzz: $t FAILED (exit $rc); the end of $log:"
    # The cause first (a sanitizer's report, or the property a body found
    # broken), then how libFuzzer ended.
    grep -E -A 4 '^(==[0-9]+==ERROR|==fuzz_[a-z_]+== property violated)|runtime error' "$log" | head -n 12
    grep -E '^(SUMMARY|MS:|artifact_prefix|stat::number_of_executed_units)' "$log"
    for c in $crashers; do echo "fuzz: $t crasher: $c"; done
  fi
  line="$(printf '%-22s %12s executions %6ss  %s' "$t" "${execs:-?}" "$took" "$result")"
  echo "fuzz: $line"
  summary+="$line"$'\n'
done

echo
echo "fuzz: executions per target (at most ${FUZZ_SECONDS}s${FUZZ_RUNS:+ or $FUZZ_RUNS executions} each)"
printf '%s' "$summary"
if [ "$failed" -gt 0 ] || [ "$KEEP_WORK" -eq 1 ]; then
  echo "fuzz: corpora, logs and crashers kept in $WORK"
else
  rm -rf "$WORK"
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
