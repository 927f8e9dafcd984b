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
# shellcheck source=../support/chromium.sh
source "$here/../support/chromium.sh"
ensure_browser_tools e2e
if [[ ! -d tests/e2e/node_modules/playwright-core || ! -d tests/e2e/node_modules/axe-core ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund)
fi

LABEL=e2e
# shellcheck source=../support/server.sh
source tests/support/server.sh
start_server "$bin"

BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/take-module.mjs
BB_URL="$base" node tests/e2e/docs-page.mjs
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/badge-page.mjs
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" BB_SETUP_LINK="$setup_link" node tests/e2e/console-sign-in.mjs
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/console-learners.mjs
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/console-admin.mjs
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/survey.mjs
# Last: it imports a second program, which the scripts above must not see.
BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret" node tests/e2e/console-review.mjs
