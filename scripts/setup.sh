#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine to build and test ArchiveChain. Idempotent: it only installs what
# is missing, and says what it does.
#
#   scripts/setup.sh            install system packages and the Rust toolchain
#   scripts/setup.sh --run-dev  ... then build the release node and run a dev chain (exec, foreground)
#
# Run as root, or as a user with sudo. RocksDB is Debian's librocksdb-dev (7.8.3), linked through
# ROCKSDB_LIB_DIR in .cargo/config.toml, so no RocksDB is compiled.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DEV=0
for arg in "$@"; do
  case "$arg" in
    --run-dev) RUN_DEV=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  SUDO=()
fi
as_root() {
  if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
    echo "setup.sh: need root (or sudo) to run: $*" >&2
    exit 1
  fi
  "${SUDO[@]}" "$@"
}

# --- system packages -------------------------------------------------------------------------------------
# Always: the C toolchain and headers the -sys crates need, RocksDB, and curl for the compat tests.
PKGS=(build-essential pkg-config clang libclang-dev librocksdb-dev curl ca-certificates git)
# Python's venv module (the compat tests' py client lives in a venv).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  PKGS+=(python3 python3-venv)
fi
# Node.js and npm only when absent: a Node.js installed another way (e.g. a vendor package that bundles
# npm) must not be replaced, and Debian's npm conflicts with such packages.
command -v node >/dev/null || PKGS+=(nodejs)
command -v npm >/dev/null || PKGS+=(npm)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all present (${PKGS[*]})"
fi

# --- Rust -------------------------------------------------------------------------------------------------
if [[ -d "$HOME/.cargo/bin" && ":$PATH:" != *":$HOME/.cargo/bin:"* ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null; then
  say "cargo not found: installing the stable Rust toolchain with rustup (minimal profile + rustfmt, clippy)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain stable --component rustfmt --component clippy
  export PATH="$HOME/.cargo/bin:$PATH"
else
  say "cargo present: $(cargo --version)"
fi
if command -v rustup >/dev/null; then
  for comp in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$comp"; then
      say "adding rustup component $comp"
      rustup component add "$comp"
    fi
  done
fi

say "toolchain: $(rustc --version), node $(node --version 2>/dev/null || echo missing), $(python3 --version)"
say "done: build with 'cargo build', run the whole test suite with '.ci/run'"

# --- optional: build and run a dev node ------------------------------------------------------------------
if ((RUN_DEV)); then
  cd "$ROOT"
  say "cargo build --release -p archivechain"
  cargo build --release -p archivechain
  BIN="${CARGO_TARGET_DIR:-target}/release/archivechain"
  say "exec $BIN --dev (JSON-RPC on 127.0.0.1:9944; Ctrl-C to stop)"
  exec "$BIN" --dev
fi
