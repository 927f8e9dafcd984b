#!/usr/bin/env bash
# Independent verification of the Open Badges 3.0 credentials: the already-built server
# issues them, verifiers nobody on this project wrote check them (verify.mjs). See
# tests/badges/README.md.
#
#   cargo build && tests/badges/run.sh
#
# Environment: BLACKBELT_DATABASE_URL (optional; default a temp SQLite file; the database
# must be empty), BB_BIN (server binary, default target/debug/blackbelt).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
LABEL=badges

bin="${BB_BIN:-target/debug/blackbelt}"
if [[ ! -x "$bin" ]]; then
  echo "$LABEL: $bin not found; run 'cargo build' first" >&2
  exit 1
fi
command -v node >/dev/null || { echo "$LABEL: node is missing (Node.js 20 or newer)" >&2; exit 1; }
# libfaketime runs the server three years in the past once, to issue a credential that
# has expired by now (no API moves an award's validity into the past, on purpose). It is
# preloaded through `env`, which execs the server: its pid is the server's.
faketime_lib() { dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketimeMT\.so\.1$' || true; }
if [[ -z "$(faketime_lib)" ]]; then
  if [[ "$(id -u)" == 0 ]]; then
    echo "$LABEL: installing libfaketime" >&2
    apt-get update -qq && apt-get install -y -qq libfaketime >/dev/null
  else
    echo "$LABEL: libfaketime is missing: apt-get install libfaketime" >&2
    exit 1
  fi
fi
faketime="$(faketime_lib)"
if [[ ! -d tests/badges/node_modules/@digitalcredentials/verifier-core ]]; then
  (cd tests/badges && npm ci --no-audit --no-fund --loglevel=error)
fi

tmp="$(mktemp -d)"
log="$tmp/server.log"
server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  local rc=$?
  stop_server
  if [[ $rc -ne 0 && -f "$log" ]]; then
    echo "$LABEL: failed (exit $rc); server log tail ($log):" >&2
    tail -n 40 "$log" | sed -e 's/^\(  secret: \).*/\1<redacted>/' >&2
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One port for both runs: the credentials name their issuer, keys and status list by URL.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
db_args=()
if [[ -z "${BLACKBELT_DATABASE_URL:-}" ]]; then
  db_args=(--database-url "sqlite://$tmp/bb.db?mode=rwc")
fi
# Its own secrets key (it seals the badge signing keys), the same for both runs.
python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' >"$tmp/secrets.key"
export BLACKBELT_SECRETS_KEY_FILE="$tmp/secrets.key"

# start_server [COMMAND PREFIX…]: the server on $base, e.g. under faketime.
start_server() {
  echo "== server ($*)" >>"$log"
  "$@" "$bin" "${db_args[@]}" serve --bind "127.0.0.1:$port" --public-url "$base" --import-packages >>"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "$LABEL: server exited during start-up" >&2; exit 1; }
    sleep 0.2
  done
  echo "$LABEL: $base/readyz not ready after 30 s" >&2
  exit 1
}

api() { # METHOD PATH [JSON BODY]
  local args=(-fsS -u "$key:$secret" -X "$1" "$base$2")
  if [[ $# -ge 3 ]]; then args+=(-H 'Content-Type: application/json' --data-binary "$3"); fi
  curl "${args[@]}"
}
json() { python3 -c 'import json, sys; print(json.load(sys.stdin)'"$1"')'; }

# A learner is known once a statement of theirs is stored: one share from the advocacy tool.
award_belt() { # NAME BELT → award id
  local actor="{\"objectType\":\"Agent\",\"name\":\"$1\",\"account\":{\"homePage\":\"https://lms.example.com\",\"name\":\"$1\"}}"
  curl -fsS -o /dev/null -u "$key:$secret" -H 'X-Experience-API-Version: 1.0.3' -H 'Content-Type: application/json' \
    --data-binary "{\"actor\":$actor,\"verb\":{\"id\":\"http://activitystrea.ms/schema/1.0/share\"},\"object\":{\"id\":\"https://social.example.com/posts/$1\"}}" \
    "$base/xapi/statements"
  api POST /api/certification/awards \
    "{\"learner\":\"account:https://lms.example.com|$1\",\"belt\":\"$2\",\"reason\":\"tests/badges\"}" | json '["id"]'
}

# The award's credential (the admin list makes it on first need): JSON with its Data
# Integrity proof, and the VC-JWT, from its public URL as anyone would fetch them.
fetch_credential() { # LEARNER BELT OUT_PREFIX
  local url
  url="$(api GET "/api/badges/credentials?belt=$2&learner=account:https://lms.example.com%7C$1" \
    | json '["credentials"][0]["links"]["credential"]')"
  curl -fsS -H 'Accept: application/vc+ld+json' "$url" >"$3.json"
  curl -fsS -H 'Accept: application/vc+jwt' "$url" >"$3.jwt"
}

verify() { # EXPECT PREFIX [CASE NAME]
  BB_CASE="${3:-$1}" BB_URL="$base" node tests/badges/verify.mjs "$1" "$2.json" "$2.jwt"
}

backend=SQLite; [[ -n "${BLACKBELT_DATABASE_URL:-}" ]] && backend="${BLACKBELT_DATABASE_URL%%://*}"
echo "$LABEL: issuing on $base ($backend)"
# 1. Three years ago: a White belt (valid 24 months) is awarded and its credential issued.
start_server env LD_PRELOAD="$faketime" FAKETIME=-1095d FAKETIME_DONT_FAKE_MONOTONIC=1
key="${BB_KEY:-$(sed -n 's/^  key: *\(bb_[^ ]*\).*$/\1/p' "$log" | head -n 1)}"
secret="${BB_SECRET:-$(sed -n 's/^  secret: *\([^ ]*\).*$/\1/p' "$log" | head -n 1)}"
if [[ -z "$key" || -z "$secret" ]]; then
  echo "$LABEL: no bootstrap credential in the server output (database not empty?)" >&2
  exit 1
fi
award_belt ada white >/dev/null
fetch_credential ada white "$tmp/expired"
stop_server

# 2. Now: the same server and database.
start_server
award="$(award_belt bob white)"
fetch_credential bob white "$tmp/valid"

status=0
verify valid "$tmp/valid" || status=1
verify tampered "$tmp/valid" || status=1
verify wrong-key "$tmp/valid" || status=1
verify expired "$tmp/expired" || status=1
# Key rotation: what the retired keys signed still verifies; the credential is signed
# again with the new keys when next served.
api POST /api/badges/keys/rotate >/dev/null
verify valid "$tmp/valid" old-keys || status=1
fetch_credential bob white "$tmp/rotated"
vm() { python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["proof"]; print((p[0] if isinstance(p, list) else p)["verificationMethod"])' "$1"; }
if [[ "$(vm "$tmp/valid.json")" == "$(vm "$tmp/rotated.json")" ]]; then
  echo "FAIL rotated: the credential served after rotation is still signed by $(vm "$tmp/valid.json")"
  status=1
fi
verify valid "$tmp/rotated" new-keys || status=1
api POST "/api/certification/awards/$award/revoke" '{"reason":"tests/badges: revocation must reach the verifiers"}' >/dev/null
verify revoked "$tmp/valid" || status=1
verify revoked "$tmp/rotated" revoked-new || status=1

if [[ $status -ne 0 ]]; then
  echo "$LABEL: a verifier disagreed with the expected outcome (lines marked FAIL)" >&2
  exit 1
fi
echo "$LABEL: every verifier agreed (valid, tampered, wrong key, expired, after key rotation, revoked)"
