#!/usr/bin/env bash
# Interoperability check of archive-warc output against the reference Python tools.
#
# Builds and runs `cargo run -p archive-warc --example write-sample`, which stores a few
# captures (identical payloads -> revisit, a gzip-encoded body, non-UTF-8 bodies, a truncated
# capture, a de-chunked body, a redirect) and exports sample.warc.gz and sample.wacz. Then:
#   - warcio check -v   on the export and on every store file (digests),
#   - warcio index      on the export,
#   - wacz validate -f  on the WACZ,
#   - cdxj-indexer (pywb's indexer) must produce the same CDXJ lines as our index.cdx and
#     store index.cdxj, and the records must carry the features above.
# Any failure exits non-zero.
#
# Usage: scripts/warc-check.sh [work-dir]     (default: a temporary directory, removed on exit)
#        scripts/warc-check.sh --files OUT.warc.gz OUT.wacz
#                                   check given exports (e.g. `archivechain archive export`):
#                                   warcio check, wacz validate, and replay of every captured URL
#                                   in pywb (installed from PyPI into the same venv)
# Env:   ARCHIVECHAIN_CACHE   cache root (default ~/.cache/archivechain); the Python venv lives
#                             in $ARCHIVECHAIN_CACHE/warc-venv and is created on first use
#        CARGO_TARGET_DIR     respected as usual by cargo
#        WARC_CHECK_WORKSPACE directory to run cargo in (default: the repository root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKSPACE="${WARC_CHECK_WORKSPACE:-$ROOT}"
CACHE="${ARCHIVECHAIN_CACHE:-$HOME/.cache/archivechain}"
VENV="$CACHE/warc-venv"

fail() {
    echo "warc-check: FAIL: $*" >&2
    exit 1
}

FILES_WARC=""
FILES_WACZ=""
if [ "${1:-}" = "--files" ]; then
    [ $# -eq 3 ] || fail "usage: $0 --files OUT.warc.gz OUT.wacz"
    FILES_WARC="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
    FILES_WACZ="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
    set --
fi
if [ $# -ge 1 ]; then
    WORK="$1"
    mkdir -p "$WORK"
else
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/warc-check.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
fi
WORK="$(cd "$WORK" && pwd)"

# 1. Python tools (warcio, wacz; wacz brings cdxj-indexer).
if [ ! -x "$VENV/bin/python" ]; then
    mkdir -p "$CACHE"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import warcio, wacz, cdxj_indexer' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check warcio wacz
fi
PY="$VENV/bin/python"
if [ -n "$FILES_WARC" ]; then
    out="$("$VENV/bin/warcio" check -v "$FILES_WARC" 2>&1)" || { echo "$out" >&2; fail "warcio check $FILES_WARC"; }
    bad="$(echo "$out" | grep -E '^    ' | grep -vE 'digest pass|digest present but not checked \(revisit\)|no digest to check' || true)"
    [ -z "$bad" ] || { echo "$out" >&2; fail "warcio check $FILES_WARC reported: $bad"; }
    pass="$(echo "$out" | grep -c 'digest pass' || true)"
    [ "$pass" -gt 0 ] || { echo "$out" >&2; fail "warcio found no digest to check in $FILES_WARC"; }
    echo "warc-check: warcio check -v $FILES_WARC: $pass digest pass"
    "$VENV/bin/wacz" validate -f "$FILES_WACZ" >"$WORK/validate.log" 2>&1 || { cat "$WORK/validate.log" >&2; fail "wacz validate $FILES_WACZ"; }
    echo "warc-check: wacz validate -f $FILES_WACZ: $(tr '\n' ' ' <"$WORK/validate.log")"
    # Replay in pywb: every captured URL of the WARC answers with its archived response.
    if ! "$PY" -c 'import pywb' 2>/dev/null; then
        "$VENV/bin/pip" install --quiet --disable-pip-version-check pywb
    fi
    mkdir -p "$WORK/pywb" && cd "$WORK/pywb"
    "$VENV/bin/wb-manager" init replay >/dev/null 2>&1 || fail "wb-manager init"
    "$VENV/bin/wb-manager" add replay "$FILES_WARC" >/dev/null 2>&1 || fail "wb-manager add"
    port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "$VENV/bin/wayback" --port "$port" -b 127.0.0.1 >wayback.log 2>&1 &
    wb=$!
    trap 'kill $wb 2>/dev/null || true; rm -rf "$WORK"' EXIT
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.2
    done
    # (Truncated captures are skipped: their HTTP headers promise more bytes than were kept.)
    urls="$("$VENV/bin/warcio" index -f warc-type,warc-target-uri,warc-truncated "$FILES_WARC" | "$PY" -c '
import json, sys
seen = []
for line in sys.stdin:
    r = json.loads(line)
    if r.get("warc-type") == "response" and not r.get("warc-truncated") and r.get("warc-target-uri") not in seen:
        seen.append(r["warc-target-uri"])
print("\n".join(seen))')"
    replayed=0
    while IFS= read -r u; do
        [ -n "$u" ] || continue
        code="$(curl -s --max-time 20 -o "$WORK/replayed" -w '%{http_code}' "http://127.0.0.1:$port/replay/2id_/$u" || true)"
        # Archived pages answer 200 with their payload; archived redirects answer 3xx.
        if ! { [ "$code" = 200 ] && [ -s "$WORK/replayed" ]; } && ! [[ "$code" =~ ^30[1278]$ ]]; then
            cat wayback.log >&2
            fail "pywb replay of $u answered $code"
        fi
        replayed=$((replayed + 1))
    done <<<"$urls"
    [ "$replayed" -gt 0 ] || fail "no response record to replay"
    echo "warc-check: pywb replayed $replayed URL(s) from $FILES_WARC"
    echo "warc-check: OK"
    exit 0
fi
echo "warc-check: tools: $("$VENV/bin/pip" list 2>/dev/null | grep -Ei '^(warcio|wacz|cdxj.indexer) ' | tr -s ' ' | paste -sd ',' -)"

# 2. The sample.
if ! (cd "$WORKSPACE" && cargo run --quiet -p archive-warc --example write-sample -- "$WORK") \
    >"$WORK/write-sample.log" 2>&1; then
    cat "$WORK/write-sample.log" >&2
    fail "write-sample example failed"
fi
tail -n 3 "$WORK/write-sample.log"
cd "$WORK"

# 3. warcio check: digests of every record (revisits are reported as not checked).
checked=0
for f in sample.warc.gz store/archive-*.warc.gz; do
    if ! out="$("$VENV/bin/warcio" check -v "$f" 2>&1)"; then
        echo "$out" >&2
        fail "warcio check $f"
    fi
    bad="$(echo "$out" | grep -E '^    ' | grep -vE 'digest pass|digest present but not checked \(revisit\)|no digest to check' || true)"
    [ -z "$bad" ] || { echo "$out" >&2; fail "warcio check $f reported: $bad"; }
    n="$(echo "$out" | grep -c 'WARC-Record-ID' || true)"
    pass="$(echo "$out" | grep -c 'digest pass' || true)"
    echo "warc-check: warcio check -v $f: $n records, $pass digest pass, $((n - pass)) revisit(s) not checked"
    checked=$((checked + n))
done

# 4. warcio index.
"$VENV/bin/warcio" index sample.warc.gz >warcio-index.jsonl || fail "warcio index"
indexed="$(wc -l <warcio-index.jsonl)"
[ "$indexed" -gt 0 ] || fail "warcio index found no records"
echo "warc-check: warcio index sample.warc.gz: $indexed records"

# 5. wacz validate.
if ! out="$("$VENV/bin/wacz" validate -f sample.wacz 2>&1)"; then
    echo "$out" >&2
    fail "wacz validate"
fi
echo "$out" | grep -q 'Validation succeeded' || { echo "$out" >&2; fail "wacz validate did not succeed"; }
echo "warc-check: wacz validate -f sample.wacz: $(echo "$out" | grep -E 'Version detected|Validation' | paste -sd ';' -)"

# 6. Index and content cross-checks.
"$PY" - "$VENV/bin/cdxj-indexer" <<'PY' || fail "cross-checks"
import json, os, subprocess, sys, zipfile
from warcio.archiveiterator import ArchiveIterator

indexer = sys.argv[1]

def norm(line):
    key, ts, body = line.split(" ", 2)
    d = json.loads(body)
    d.pop("redirect", None)
    return (key, ts, json.dumps(d, sort_keys=True))

def cdxj_indexer(path, cwd):
    out = subprocess.run([indexer, path], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.splitlines()

def same(ours, theirs, what):
    a, b = sorted(map(norm, ours)), sorted(map(norm, theirs))
    if a != b:
        print(f"{what}: our CDXJ differs from cdxj-indexer", file=sys.stderr)
        for x in sorted(set(a) ^ set(b)):
            print("  ", x, file=sys.stderr)
        sys.exit(1)
    print(f"warc-check: {what}: {len(a)} CDXJ lines identical to cdxj-indexer")

z = zipfile.ZipFile("sample.wacz")
os.makedirs("wacz", exist_ok=True)
z.extract("archive/data.warc.gz", "wacz")
ours = z.read("indexes/index.cdx").decode().splitlines()
if ours != sorted(ours):
    sys.exit("indexes/index.cdx is not sorted")
same(ours, cdxj_indexer("data.warc.gz", "wacz/archive"), "WACZ indexes/index.cdx")

store_index = open("store/index.cdxj").read().splitlines()
theirs = []
for f in sorted(os.listdir("store")):
    if f.startswith("archive-") and f.endswith(".warc.gz"):
        theirs += cdxj_indexer(f, "store")
same(store_index, theirs, "store index.cdxj")

pages = z.read("pages/pages.jsonl").decode().splitlines()
if json.loads(pages[0]) != {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}:
    sys.exit("bad pages.jsonl header")
for p in map(json.loads, pages[1:]):
    if not p.get("url") or not p.get("ts"):
        sys.exit(f"page without url/ts: {p}")

seen = {"revisit": 0, "truncated": 0, "gzip": 0, "non_utf8": 0, "warcinfo_first": False}
with open("sample.warc.gz", "rb") as fh:
    for i, rec in enumerate(ArchiveIterator(fh)):
        h = rec.rec_headers
        if i == 0:
            seen["warcinfo_first"] = rec.rec_type == "warcinfo"
        if rec.rec_type == "revisit":
            assert h.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
            assert h.get_header("WARC-Refers-To") and h.get_header("WARC-Refers-To-Date")
            seen["revisit"] += 1
        if rec.rec_type == "response":
            assert h.get_header("WARC-Concurrent-To"), "response without WARC-Concurrent-To"
            body = rec.raw_stream.read()
            if h.get_header("WARC-Truncated") == "length":
                seen["truncated"] += 1
            if (rec.http_headers.get_header("Content-Encoding") or "").lower() == "gzip":
                seen["gzip"] += 1
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                seen["non_utf8"] += 1
missing = [k for k, v in seen.items() if not v]
if missing:
    sys.exit(f"sample lacks: {missing} ({seen})")
print(f"warc-check: sample features: {seen}")
PY

echo "warc-check: OK ($checked records checked by warcio; WACZ valid; CDXJ matches cdxj-indexer)"
