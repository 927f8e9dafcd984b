# Sourced by tests/e2e/run.sh and tests/interop/run.sh: starts the already-built
# server on a free port and a fresh database, and reads its bootstrap credential.
#
#   LABEL=e2e; source tests/support/server.sh; start_server "$bin"
#   → sets base, key, secret, tmp, log; stops the server and cleans up on exit. Also
#     exports BB_DATABASE_URL (the server's database, for CLI calls such as
#     `blackbelt users create`) and BB_BIN, and sets setup_link (the first console
#     admin's one-time link, printed on first start).
#
# BLACKBELT_DATABASE_URL, when set, replaces the temp SQLite file (then the database
# must be empty, or BB_KEY and BB_SECRET given).

tmp="$(mktemp -d)"
log="$tmp/server.log"
server_pid=""

cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f "$log" ]]; then
    echo "$LABEL: failed (exit $rc); server log tail ($log):" >&2
    tail -n 60 "$log" | sed -e 's/^\(  secret: \).*/\1<redacted>/' -e 's/^\(  setup link: \).*/\1<redacted>/' >&2
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() {
  local bin="$1"
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  base="http://127.0.0.1:$port"
  local db_args=()
  if [[ -z "${BLACKBELT_DATABASE_URL:-}" ]]; then
    db_args=(--database-url "sqlite://$tmp/bb.db?mode=rwc")
    BB_DATABASE_URL="sqlite://$tmp/bb.db?mode=rwc"
  else
    BB_DATABASE_URL="$BLACKBELT_DATABASE_URL"
  fi
  # The browser tests run CLI commands (`users create`) against the server's database.
  BB_BIN="$bin"
  export BB_DATABASE_URL BB_BIN
  # The test LMS platforms (JWKS, token URLs, grade services) listen on 127.0.0.1, which
  # the outbound address policy refuses by default. Passback polls often and backs off
  # briefly, so scores reach the test platforms within the tests' waits.
  BLACKBELT_OUTBOUND_ALLOW_PRIVATE="${BLACKBELT_OUTBOUND_ALLOW_PRIVATE:-true}" \
  BLACKBELT_PASSBACK_POLL_MS="${BLACKBELT_PASSBACK_POLL_MS:-50}" \
  BLACKBELT_PASSBACK_BACKOFF_BASE_SECS="${BLACKBELT_PASSBACK_BACKOFF_BASE_SECS:-1}" \
  "$bin" "${db_args[@]}" serve --bind "127.0.0.1:$port" --public-url "$base" --import-packages >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$LABEL: server exited during start-up" >&2
      exit 1
    fi
    sleep 0.2
  done
  curl -fsS -o /dev/null "$base/readyz" || { echo "$LABEL: $base/readyz not ready after 30 s" >&2; exit 1; }
  # The bootstrap credential is printed once, on first start against an empty database.
  key="${BB_KEY:-$(sed -n 's/^  key: *\(bb_[^ ]*\).*$/\1/p' "$log" | head -n 1)}"
  secret="${BB_SECRET:-$(sed -n 's/^  secret: *\([^ ]*\).*$/\1/p' "$log" | head -n 1)}"
  # The first console admin's one-time password link, printed next to it.
  setup_link="$(sed -n 's/^  setup link: *\([^ ]*\).*$/\1/p' "$log" | head -n 1)"
  if [[ -z "$key" || -z "$secret" ]]; then
    echo "$LABEL: no bootstrap credential in the server output (database not empty? set BB_KEY and BB_SECRET)" >&2
    exit 1
  fi
}
