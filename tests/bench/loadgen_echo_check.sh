#!/usr/bin/env bash
# End-to-end check of the load generator against echo_server on free
# loopback ports:
#   * a wrong token is refused (loadgen exits 1);
#   * closed loop and open loop, --count 2000 each (about a second): exit 0,
#     every message answered once; the open loop's --timeline counts each of
#     them once, in the second its message was due;
#   * a server that leaves every 500th message of a connection unanswered:
#     exit 1, and the report counts the unanswered ones;
#   * a server that answers every 500th message twice: exit 1, duplicates
#     counted as malformed.
# (900 messages a connection there: the faulty 500th is not the last, so its
# duplicate arrives while the run still reads.)
# Every step is bounded in time; the servers are stopped on any exit.
#
#   loadgen_echo_check.sh ECHO_SERVER LOADGEN MESSAGES_FILE
set -euo pipefail
echo_server=$1 loadgen=$2 messages=$3
dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

echo "check-token-$$" > "$dir/token"

# start_server NAME [echo_server options]: sets PORT.
start_server() {
  local name=$1
  shift
  timeout 60 "$echo_server" --port 0 --threads 1 --token-file "$dir/token" "$@" > "$dir/$name.out" 2>&1 &
  pids+=($!)
  PORT=""
  for _ in $(seq 200); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/$name.out" 2>/dev/null || true)
    [[ -n $PORT ]] && return 0
    sleep 0.05
  done
  echo "echo_server ($name) did not start:"
  cat "$dir/$name.out"
  exit 1
}

# loadgen_to PORT [loadgen options]: runs it bounded in time.
loadgen_to() {
  local port=$1
  shift
  timeout 30 "$loadgen" --url "ws://127.0.0.1:$port/v1/gateway" --messages "$messages" "$@"
}

start_server good
good=$PORT

if loadgen_to "$good" --token wrong --count 1 --drain-timeout 1 > "$dir/refused.out" 2>&1; then
  echo "FAIL: loadgen succeeded with a wrong token:"; cat "$dir/refused.out"; exit 1
fi
grep -q "1 failed" "$dir/refused.out" || { echo "FAIL: no connect failure reported:"; cat "$dir/refused.out"; exit 1; }

loadgen_to "$good" --token-file "$dir/token" --connections 4 --chats 40 --window 8 --count 2000 \
  --drain-timeout 5 --no-errors
loadgen_to "$good" --token-file "$dir/token" --connections 4 --chats 40 --rate 2000 --count 2000 \
  --drain-timeout 5 --no-errors --json --timeline 5 | tee "$dir/open.json"
grep -q '"sent":2000,"answered":2000,' "$dir/open.json"
node -e '
const run = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const seconds = run.timeline;
const fail = (why) => { console.error("FAIL: timeline: " + why + ": " + JSON.stringify(seconds)); process.exit(1); };
// 2,000 messages at 2,000/s are all due in the first second.
if (seconds.length !== 1) fail("expected one second");
if (seconds.reduce((n, s) => n + s.answers, 0) !== 2000) fail("expected 2000 answers");
if (!seconds.every((s) => s.slow >= 0 && s.slow <= s.answers && s.max_ms >= 0)) fail("bad counts");
' "$dir/open.json"
grep -q '"malformed":0,"unanswered":0,' "$dir/open.json"
grep -q '"ok":true' "$dir/open.json"

# The drain timeout is how long loadgen waits without progress before it
# gives up: the two dropped answers cost all of it, and on a loaded machine a
# shorter one can end the run before the answers that do come.
start_server dropping --drop-every 500
status=0
loadgen_to "$PORT" --token-file "$dir/token" --connections 2 --chats 2 --window 8 --count 1800 \
  --drain-timeout 3 --json > "$dir/drop.json" 2> "$dir/drop.err" || status=$?
cat "$dir/drop.json"
[[ $status -eq 1 ]] || { echo "FAIL: exit $status with answers missing"; cat "$dir/drop.err"; exit 1; }
grep -q '"answered":1798,' "$dir/drop.json" || { echo "FAIL: expected 1798 answered"; exit 1; }
grep -q '"unanswered":2,' "$dir/drop.json" || { echo "FAIL: expected 2 unanswered"; exit 1; }

start_server duplicating --duplicate-every 500
status=0
loadgen_to "$PORT" --token-file "$dir/token" --connections 2 --chats 2 --window 8 --count 1800 \
  --drain-timeout 5 --json > "$dir/dup.json" 2> "$dir/dup.err" || status=$?
cat "$dir/dup.json"
[[ $status -eq 1 ]] || { echo "FAIL: exit $status with duplicate answers"; cat "$dir/dup.err"; exit 1; }
grep -q '"answered":1800,' "$dir/dup.json" || { echo "FAIL: expected 1800 answered"; exit 1; }
grep -q '"malformed":2,"unanswered":0,' "$dir/dup.json" || { echo "FAIL: expected 2 malformed"; exit 1; }
grep -q "duplicate" "$dir/dup.err" || { echo "FAIL: the duplicate is not named"; cat "$dir/dup.err"; exit 1; }

echo "loadgen against echo_server: ok"
