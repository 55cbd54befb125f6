#!/usr/bin/env bash
# Keeps the runtime side pure: the runtime, its primitives, support library and pallets must not depend
# (as normal dependencies, on any target) on node-side or heavyweight crates.
#
#   scripts/check-runtime-deps.sh
#
# Fails, naming the offending crate and the path that pulls it in, if `cargo tree -e normal` of any
# runtime-side package contains tokio, libp2p, rocksdb, tantivy, candle or reqwest (and their
# -sys/-util/-core companions).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PACKAGES=(archive-runtime archive-primitives archive-support archive-pallet-system archive-pallet-balances archive-pallet-session archive-pallet-parameters archive-pallet-identity archive-pallet-staking archive-pallet-governance archive-pallet-archive archive-consensus)
# Crate names (not substrings of other names): tokio, tokio-*, libp2p, libp2p-*, rocksdb, librocksdb-sys,
# tantivy, tantivy-*, candle-*, reqwest.
BANNED='^(tokio(-[a-z0-9-]+)?|libp2p(-[a-z0-9-]+)?|rocksdb|librocksdb-sys|tantivy(-[a-z0-9-]+)?|candle(-[a-z0-9-]+)?|reqwest)$'

status=0
for pkg in "${PACKAGES[@]}"; do
  if ! tree="$(cargo tree -p "$pkg" -e normal --target all --prefix none --format '{p}' 2>&1)"; then
    echo "check-runtime-deps: cargo tree -p $pkg failed:" >&2
    echo "$tree" >&2
    status=1
    continue
  fi
  bad="$(awk '{print $1}' <<<"$tree" | sort -u | grep -E "$BANNED" || true)"
  if [[ -n "$bad" ]]; then
    status=1
    for crate in $bad; do
      echo "check-runtime-deps: FAIL $pkg depends on '$crate'; it is pulled in by:" >&2
      cargo tree -p "$pkg" -e normal --target all -i "$crate" 2>&1 | head -n 20 >&2 || true
    done
  else
    echo "check-runtime-deps: ok $pkg ($(awk '{print $1}' <<<"$tree" | sort -u | wc -l) crates, none banned)"
  fi
done
exit "$status"
