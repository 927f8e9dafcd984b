#!/usr/bin/env bash
# Interoperability test: third-party LTI implementations (lti1p3platform for LTI 1.3,
# oauthlib for LTI 1.1) launch modules on the already-built server, started on a fresh
# database. See tests/interop/README.md.
#
#   cargo build && tests/interop/run.sh
#
# Environment: BLACKBELT_DATABASE_URL (optional; default is a temp SQLite file; with an
# existing database set BB_KEY/BB_SECRET too, as no bootstrap credential is printed),
# BB_BIN (server binary, default target/debug/blackbelt), BB_PYTHON (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

bin="${BB_BIN:-target/debug/blackbelt}"
if [[ ! -x "$bin" ]]; then
  echo "interop: $bin not found; run 'cargo build' first" >&2
  exit 1
fi

# The Python side: a virtualenv here (gitignored) with the pinned requirements.
python="${BB_PYTHON:-python3}"
if ! "$python" -m venv --help >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "interop: installing python3-venv" >&2
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  else
    echo "interop: $python has no venv module: apt-get install python3-venv" >&2
    exit 1
  fi
fi
venv="tests/interop/.venv"
requirements="tests/interop/requirements.txt"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
  echo "interop: installing $requirements into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
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
    echo "interop: failed (exit $rc); server log tail ($log):" >&2
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
    echo "interop: server exited during start-up" >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS -o /dev/null "$base/readyz" || { echo "interop: $base/readyz not ready after 30 s" >&2; exit 1; }

# The bootstrap credential is printed once, on first start against an empty database.
key="${BB_KEY:-$(sed -n 's/^  key: *\(bb_[^ ]*\).*$/\1/p' "$log" | head -n 1)}"
secret="${BB_SECRET:-$(sed -n 's/^  secret: *\([^ ]*\).*$/\1/p' "$log" | head -n 1)}"
if [[ -z "$key" || -z "$secret" ]]; then
  echo "interop: no bootstrap credential in the server output (database not empty? set BB_KEY and BB_SECRET)" >&2
  exit 1
fi

# lti_interop.py prints one line per test and the closing `interop: N passed, M failed`.
out="$tmp/interop.out"
set +e
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" "$venv/bin/python" tests/interop/lti_interop.py 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
if ! grep -Eq '^interop: [0-9]+ passed, [0-9]+ failed$' "$out"; then
  echo "interop: lti_interop.py stopped before its summary (exit $rc)" >&2
  echo "interop: 0 passed, 1 failed"
  [[ $rc -ne 0 ]] || rc=1
fi
exit "$rc"
