#!/usr/bin/env bash
# Client-compatibility tests: runs real Substrate clients against a freshly started ArchiveChain dev node.
#
#   scripts/compat.sh [PATH_TO_ARCHIVECHAIN_BINARY]
#
# Builds nothing. The binary defaults to ${CARGO_TARGET_DIR:-target}/debug/archivechain.
#   1. node with --instant-seal: py-substrate-interface 1.8.1 over HTTP and WS, then @polkadot/api 16.5.6 (WS);
#   2. node without --instant-seal (a block every 2 s): @polkadot/api again, so default mortal eras are
#      signed against blocks that really move on.
# Clients are installed under ${ARCHIVECHAIN_CACHE:-$HOME/.cache/archivechain}: a Python venv (venv/) and
# npm's cache (npm/); node_modules lives in tests/compat/ (git-ignored).
# Environment: COMPAT_SKIP_INSTALL=1 reuses what is installed; COMPAT_ONLY=py|js runs one client;
# COMPAT_NO_SLOT_RUN=1 skips the second (2 s blocks) run; COMPAT_DEBUG=1 prints client tracebacks.
# Exit status: 0 when every suite passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/archivechain}"
CACHE="${ARCHIVECHAIN_CACHE:-$HOME/.cache/archivechain}"
VENV="$CACHE/venv"
COMPAT_DIR="$ROOT/tests/compat"
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/archivechain-compat.XXXXXX")"
ONLY="${COMPAT_ONLY:-}"

log() { printf '[compat %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[compat] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$BIN" ]] || die "node binary not found or not executable: $BIN (build it first: cargo build -p archivechain)"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
command -v python3 >/dev/null || die "python3 is missing (scripts/setup.sh installs it)"
command -v node >/dev/null || die "node is missing (scripts/setup.sh installs it)"
command -v npm >/dev/null || die "npm is missing (scripts/setup.sh installs it)"
command -v curl >/dev/null || die "curl is missing (scripts/setup.sh installs it)"
mkdir -p "$CACHE"

# ---------------------------------------------------------------------------------------------------------
# Client installs (idempotent; a stamp with the hash of the pin file skips a reinstall)
# ---------------------------------------------------------------------------------------------------------
install_python_client() {
  local want have=""
  want="$(sha256sum "$COMPAT_DIR/requirements.txt" | cut -d' ' -f1)"
  [[ -f "$VENV/.requirements.sha256" ]] && have="$(cat "$VENV/.requirements.sha256")"
  if [[ -x "$VENV/bin/python" && "$want" == "$have" ]]; then
    log "python client: venv $VENV is up to date"
    return
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "python client: creating venv $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  fi
  log "python client: pip install -r tests/compat/requirements.txt"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$COMPAT_DIR/requirements.txt"
  echo "$want" >"$VENV/.requirements.sha256"
}

install_js_client() {
  local want have=""
  want="$(sha256sum "$COMPAT_DIR/package-lock.json" | cut -d' ' -f1)"
  [[ -f "$COMPAT_DIR/node_modules/.archivechain-lock.sha256" ]] && have="$(cat "$COMPAT_DIR/node_modules/.archivechain-lock.sha256")"
  if [[ "$want" == "$have" && -d "$COMPAT_DIR/node_modules/@polkadot/api" ]]; then
    log "js client: tests/compat/node_modules is up to date"
    return
  fi
  log "js client: npm ci in tests/compat (cache $CACHE/npm)"
  (
    cd "$COMPAT_DIR"
    export npm_config_cache="$CACHE/npm" npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    npm ci --no-audit --no-fund || { log "npm ci failed; trying npm install"; npm install --no-audit --no-fund; }
  )
  echo "$want" >"$COMPAT_DIR/node_modules/.archivechain-lock.sha256"
}

if [[ "${COMPAT_SKIP_INSTALL:-0}" != 1 ]]; then
  [[ "$ONLY" == js ]] || install_python_client
  [[ "$ONLY" == py ]] || install_js_client
fi

# ---------------------------------------------------------------------------------------------------------
# Node lifecycle: one node at a time, always stopped on exit (success, failure or signal)
# ---------------------------------------------------------------------------------------------------------
NODE_PID=""
NODE_LOG=""

stop_node() {
  if [[ -n "$NODE_PID" ]] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill -TERM "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$NODE_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$NODE_PID" 2>/dev/null; then
      log "node $NODE_PID did not stop on SIGTERM; sending SIGKILL"
      kill -KILL "$NODE_PID" 2>/dev/null || true
    fi
    wait "$NODE_PID" 2>/dev/null || true
  fi
  NODE_PID=""
}

on_exit() {
  local rc=$?
  stop_node
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

show_node_log() {
  [[ -n "$NODE_LOG" && -f "$NODE_LOG" ]] || return 0
  echo "----- last 60 lines of $NODE_LOG -----" >&2
  tail -n 60 "$NODE_LOG" >&2 || true
  echo "----- end of node log -----" >&2
}

# start_node NAME EXTRA_ARGS... ; sets NODE_PID, NODE_LOG, PORT
start_node() {
  local name="$1"; shift
  PORT="$(free_port)"
  NODE_LOG="$LOG_DIR/node-$name.log"
  log "starting node ($name): $BIN --dev --tmp --rpc-port $PORT $*  (log: $NODE_LOG)"
  "$BIN" --dev --tmp --rpc-port "$PORT" "$@" >"$NODE_LOG" 2>&1 &
  NODE_PID=$!
  local body='{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}'
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      local rc=0
      wait "$NODE_PID" || rc=$?
      NODE_PID=""
      show_node_log
      die "node ($name) exited with status $rc before answering system_health"
    fi
    if curl -sf --max-time 2 -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$PORT" 2>/dev/null \
      | grep -q '"result"'; then
      log "node ($name) is ready on port $PORT after $((60 - (deadline - SECONDS)))s"
      return 0
    fi
    sleep 0.5
  done
  show_node_log
  die "node ($name) did not answer system_health on 127.0.0.1:$PORT within 60s"
}

# ---------------------------------------------------------------------------------------------------------
# Suites
# ---------------------------------------------------------------------------------------------------------
PASSED=()
FAILED=()

run_suite() {
  local name="$1"; shift
  local start=$SECONDS rc=0
  log "running $name"
  "$@" || rc=$?
  if ((rc == 0)); then
    PASSED+=("$name")
    log "$name: passed ($((SECONDS - start))s)"
  else
    FAILED+=("$name")
    log "$name: FAILED with status $rc ($((SECONDS - start))s)"
    show_node_log
  fi
}

# 1. instant-seal node
start_node instant-seal --instant-seal
if [[ "$ONLY" != js ]]; then
  run_suite "py (http+ws, instant-seal)" \
    timeout 600 "$VENV/bin/python" "$COMPAT_DIR/py_compat.py" "http://127.0.0.1:$PORT" "ws://127.0.0.1:$PORT"
fi
if [[ "$ONLY" != py ]]; then
  run_suite "js (ws, instant-seal)" timeout 180 node "$COMPAT_DIR/js_compat.mjs" "ws://127.0.0.1:$PORT"
fi
stop_node

# 2. slot-authoring node (a block every 2 s): mortal eras against a moving chain
if [[ "$ONLY" != py && "${COMPAT_NO_SLOT_RUN:-0}" != 1 ]]; then
  start_node slots
  run_suite "js (ws, 2 s blocks)" timeout 180 node "$COMPAT_DIR/js_compat.mjs" "ws://127.0.0.1:$PORT"
  stop_node
fi

log "node logs are in $LOG_DIR"
for s in "${PASSED[@]}"; do log "PASS $s"; done
for s in "${FAILED[@]}"; do log "FAIL $s"; done
echo "compat: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
((${#FAILED[@]} == 0))
