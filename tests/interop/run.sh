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

LABEL=interop
# The Python side: a virtualenv here (gitignored) with the pinned requirements.
venv="tests/interop/.venv"
# shellcheck source=../support/venv.sh
source tests/support/venv.sh
make_venv "$venv" tests/interop/requirements.txt

# shellcheck source=../support/server.sh
source tests/support/server.sh
start_server "$bin"

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
