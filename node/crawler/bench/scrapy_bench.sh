#!/usr/bin/env bash
# Compare archive-crawler with Scrapy on the same local site (performance-anchors.md §5:
# Scrapy's own bench does 64–74 pages/s; the goal is at least 2x Scrapy on the same machine).
#
#   node/crawler/bench/scrapy_bench.sh            # PAGES=2000 CONCURRENCY=16 PORT=18631 by default
#
# 1. installs Scrapy from PyPI into ${ARCHIVECHAIN_CACHE:-$HOME/.cache/archivechain}/scrapy-venv
# 2. builds crawl-bench (release) and starts `crawl-bench --serve-only PORT` (2,000 pages, 5–20 KB)
# 3. crawls it with crawl-bench --url, then with a minimal Scrapy spider (no delay, same
#    concurrency, no autothrottle, robots off), and prints both RESULT lines and the ratio.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CRATE="$(cd "$HERE/.." && pwd)"
CACHE="${ARCHIVECHAIN_CACHE:-$HOME/.cache/archivechain}"
VENV="$CACHE/scrapy-venv"
PAGES="${PAGES:-2000}"
CONCURRENCY="${CONCURRENCY:-16}"
PORT="${PORT:-18631}"

if [[ ! -x "$VENV/bin/scrapy" ]]; then
  echo "== installing Scrapy into $VENV"
  mkdir -p "$CACHE"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet scrapy
fi

if [[ -z "${CRAWL_BENCH_BIN:-}" ]]; then
  echo "== building crawl-bench (release)"
  (cd "$CRATE" && cargo build --release --bin crawl-bench -p archive-crawler)
  TARGET="${CARGO_TARGET_DIR:-$(cd "$CRATE" && cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
  CRAWL_BENCH_BIN="$TARGET/release/crawl-bench"
fi

"$CRAWL_BENCH_BIN" --serve-only "$PORT" --pages "$PAGES" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
START="http://127.0.0.1:$PORT/page/0.html"

echo "== archive-crawler"
RUST=$("$CRAWL_BENCH_BIN" --url "$START" --pages "$PAGES" --concurrency "$CONCURRENCY" | grep '^RESULT')
echo "$RUST"
echo "== scrapy $("$VENV/bin/python" -c 'import scrapy; print(scrapy.__version__)')"
SCRAPY=$("$VENV/bin/python" "$HERE/scrapy_spider.py" "$START" "$CONCURRENCY" "$PAGES" | grep '^RESULT')
echo "$SCRAPY"

python3 - "$RUST" "$SCRAPY" <<'PY'
import sys
def field(line, key):
    return float(dict(kv.split("=", 1) for kv in line.split()[2:])[key])
rust, scrapy = (field(l, "pages_per_s") for l in sys.argv[1:3])
print(f"ratio archive-crawler / scrapy = {rust / scrapy:.2f}x (goal >= 2x)")
PY
