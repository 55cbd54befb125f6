#!/usr/bin/env bash
# Local testnet of the `local` chain spec on loopback.
#
#   scripts/testnet.sh start [N] [--dir D] [--bin PATH]   start N nodes (default 4)
#   scripts/testnet.sh stop [--dir D]                     stop them
#   scripts/testnet.sh status [--dir D]                   best/finalized/peers of each node
#
# Node i (0-based): RPC 127.0.0.1:(9944+i), p2p port 30333+i, Prometheus metrics
# 127.0.0.1:(9615+i)/metrics, data in D/node<i>, pid in
# D/node<i>/pid, log in D/node<i>/log. Nodes 0-3 validate with the dev keys Alith, Baltathar,
# Charleth and Dorothy (the `local` spec's validator set); further nodes are full nodes. Every
# node boots from node 0. D defaults to ./testnet.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CMD="${1:-}"; shift || true
N=4
DIR="$PWD/testnet"
BIN="${ARCHIVECHAIN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/archivechain}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --bin) BIN="$2"; shift 2 ;;
    [0-9]*) N="$1"; shift ;;
    *) echo "testnet.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
KEYS=(alith baltathar charleth dorothy)

rpc() { # port method [params-json]
  curl -sf -m 5 -H 'content-type: application/json' \
    -d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$2\",\"params\":${3:-[]}}" "http://127.0.0.1:$1"
}

wait_rpc() {
  local port="$1" i
  for i in $(seq 1 120); do
    rpc "$port" system_health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "testnet.sh: node on RPC port $port did not start; see its log" >&2
  return 1
}

start_node() { # index bootnode-or-empty
  local i="$1" boot="$2" d="$DIR/node$1"
  mkdir -p "$d"
  local args=(--chain local --base-path "$d" --rpc-port $((9944 + i)) --port $((30333 + i)) --listen-addr 127.0.0.1
              --prometheus-port $((9615 + i)) --name "node$i" --rpc-methods unsafe)
  if (( i < ${#KEYS[@]} )); then args+=(--validator --dev-key "${KEYS[$i]}"); fi
  if [[ -n "$boot" ]]; then args+=(--bootnodes "$boot"); fi
  nohup "$BIN" "${args[@]}" >>"$d/log" 2>&1 &
  echo $! > "$d/pid"
}

case "$CMD" in
  start)
    [[ -x "$BIN" ]] || { echo "testnet.sh: no binary at $BIN (cargo build -p archivechain, or --bin)" >&2; exit 1; }
    mkdir -p "$DIR"
    start_node 0 ""
    wait_rpc 9944
    id=$(rpc 9944 system_localPeerId | sed -E 's/.*"result":"([^"]+)".*/\1/')
    boot="/ip4/127.0.0.1/tcp/30333/p2p/$id"
    for i in $(seq 1 $((N - 1))); do start_node "$i" "$boot"; done
    for i in $(seq 0 $((N - 1))); do
      wait_rpc $((9944 + i))
      pid=$(rpc $((9944 + i)) system_localPeerId | sed -E 's/.*"result":"([^"]+)".*/\1/')
      echo "node$i  rpc http://127.0.0.1:$((9944 + i))  ws://127.0.0.1:$((9944 + i))  peer $pid"
    done
    ;;
  stop)
    for pidf in "$DIR"/node*/pid; do
      [[ -f "$pidf" ]] || continue
      pid=$(cat "$pidf")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidf"
    done
    echo "stopped nodes in $DIR"
    ;;
  status)
    for d in "$DIR"/node*; do
      i=${d##*node}
      port=$((9944 + i))
      best=$(rpc $port chain_getHeader | sed -E 's/.*"number":"(0x[0-9a-f]+)".*/\1/' || echo "?")
      fin=$(rpc $port chain_getFinalizedHead | sed -E 's/.*"result":"(0x[0-9a-f]+)".*/\1/' || echo "?")
      peers=$(rpc $port system_health | sed -E 's/.*"peers":([0-9]+).*/\1/' || echo "?")
      echo "node$i best=$((best)) finalized=${fin:0:12}… peers=$peers"
    done
    ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
