#!/usr/bin/env bash
# End-to-end test: start the already-built server on a fresh database, have a learner take
# one AU in headless Chromium, then check statements and progress. See tests/e2e/README.md.
#
#   cargo build && tests/e2e/run.sh
#
# Environment: BLACKBELT_DATABASE_URL (optional; default is a temp SQLite file; with an
# existing database set BB_KEY/BB_SECRET too, as no bootstrap credential is printed),
# BB_AU (AU IRI to take), BB_BIN (server binary, default target/debug/blackbelt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

bin="${BB_BIN:-target/debug/blackbelt}"
if [[ ! -x "$bin" ]]; then
  echo "e2e: $bin not found; run 'cargo build' first" >&2
  exit 1
fi

# Chromium from Debian; playwright-core drives it (it never downloads a browser of its own).
chromium_bin="${BB_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium_bin" ]]; then
  if command -v chromium >/dev/null 2>&1; then
    chromium_bin="$(command -v chromium)"
  elif [[ "$(id -u)" == 0 ]]; then
    echo "e2e: installing chromium" >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    chromium_bin=/usr/bin/chromium
  else
    echo "e2e: chromium is missing: apt-get install chromium" >&2
    exit 1
  fi
fi
export BB_CHROMIUM="$chromium_bin"

if ! command -v node >/dev/null 2>&1; then
  echo "e2e: node is missing (Node.js 20 or newer)" >&2
  exit 1
fi
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
tmp="$(mktemp -d)"
log="$tmp/server.log"
server_pid=""

db_args=()
if [[ -z "${BLACKBELT_DATABASE_URL:-}" ]]; then
  db_args=(--database-url "sqlite://$tmp/bb.db?mode=rwc")
fi

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$log" ]]; then
    echo "e2e: failed (exit $rc); server log tail ($log):" >&2
    tail -n 60 "$log" | sed -e 's/^\(  secret: \).*/\1<redacted>/' >&2
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" "${db_args[@]}" serve --bind "127.0.0.1:$port" --public-url "$base" --import-packages >"$log" 2>&1 &
server_pid=$!

for _ in $(seq 1 150); do
  if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: server exited during start-up" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS -o /dev/null "$base/readyz" || { echo "e2e: $base/readyz not ready after 30 s" >&2; exit 1; }

# The bootstrap credential is printed once, on first start against an empty database.
key="${BB_KEY:-$(sed -n 's/^  key: *\(bb_[^ ]*\).*$/\1/p' "$log" | head -n 1)}"
secret="${BB_SECRET:-$(sed -n 's/^  secret: *\([^ ]*\).*$/\1/p' "$log" | head -n 1)}"
if [[ -z "$key" || -z "$secret" ]]; then
  echo "e2e: no bootstrap credential in the server output (database not empty? set BB_KEY and BB_SECRET)" >&2
  exit 1
fi

BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/take-module.mjs
