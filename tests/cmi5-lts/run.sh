#!/usr/bin/env bash
# ADL's CATAPULT cmi5 LMS Test Suite (lts/) against the already-built server on a fresh
# database: the package tests (__tests__/package.js) and the runtime tests
# (__tests__/runtime.js), driven through our adapter lms.blackbelt.js. The suite itself
# is not in this repository; see tests/cmi5-lts/README.md for getting it.
#
#   cargo build && tests/cmi5-lts/run.sh
#
# Environment:
#   CATAPULT_LTS_DIR   the suite's lts/ folder (default: extracted from CATAPULT_GIT_DIR into
#                      tests/cmi5-lts/.suite/lts, gitignored)
#   CATAPULT_GIT_DIR   a git clone or bare mirror of adlnet/CATAPULT
#                      (default /work/.mirror/adlnet+CATAPULT/repo)
#   CATAPULT_REF       commit to extract (default 806c0ba, the one the README's results are for)
#   LTS_SUITES         which test files to run (default "package runtime")
#   LTS_TEST_TIMEOUT   jest's per-test timeout in ms (default 30000)
#   LTS_SKIP_IF_MISSING=1  exit 0 with a note when the suite cannot be found (machines
#                      without a copy of adlnet/CATAPULT); default: that is an error
#   BB_BIN             server binary (default target/debug/blackbelt)
#   BB_CHROMIUM        browser (default /usr/bin/chromium)
#   BLACKBELT_DATABASE_URL / BB_KEY / BB_SECRET   as in tests/support/server.sh (an empty
#                      PostgreSQL database selects PostgreSQL)
#   BB_LTS_WAIVE=0, BB_LTS_ABANDON=0   tell the suite waive / abandon are not available
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

bin="${BB_BIN:-target/debug/blackbelt}"
if [[ ! -x "$bin" ]]; then
  echo "cmi5-lts: $bin not found; run 'cargo build' first" >&2
  exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

# shellcheck source=../support/chromium.sh
source "$here/../support/chromium.sh"
ensure_browser_tools cmi5-lts

# --- the suite -------------------------------------------------------------------------
ref="${CATAPULT_REF:-806c0ba}"
if [[ -z "${CATAPULT_LTS_DIR:-}" ]]; then
  git_dir="${CATAPULT_GIT_DIR:-/work/.mirror/adlnet+CATAPULT/repo}"
  CATAPULT_LTS_DIR="$here/.suite/lts"
  if [[ ! -f "$CATAPULT_LTS_DIR/package.json" ]]; then
    if ! git --git-dir="$git_dir" rev-parse --verify -q "$ref^{commit}" >/dev/null 2>&1; then
      if [[ -d "$git_dir/.git" ]]; then git_dir="$git_dir/.git"; fi
    fi
    if ! git --git-dir="$git_dir" rev-parse --verify -q "$ref^{commit}" >/dev/null 2>&1; then
      echo "cmi5-lts: no CATAPULT commit $ref in $git_dir; get the suite (README) and set CATAPULT_GIT_DIR or CATAPULT_LTS_DIR" >&2
      if [[ "${LTS_SKIP_IF_MISSING:-0}" == 1 ]]; then
        echo "cmi5-lts: suite not available, nothing run (LTS_SKIP_IF_MISSING=1)"
        exit 0
      fi
      exit 1
    fi
    echo "cmi5-lts: extracting lts/ of CATAPULT $ref into $CATAPULT_LTS_DIR"
    mkdir -p "$here/.suite"
    git --git-dir="$git_dir" archive --prefix=lts/ "$ref:lts" | tar -x -C "$here/.suite"
  fi
fi
lts="$(cd "$CATAPULT_LTS_DIR" && pwd)"
export CATAPULT_LTS_DIR="$lts"
if [[ "$lts" == "$here/.suite/lts" ]]; then suite_label="CATAPULT $ref"; else suite_label="CATAPULT lts/ at $lts"; fi

if [[ ! -d "$lts/node_modules/jest" || ! -d "$lts/node_modules/puppeteer" ]]; then
  echo "cmi5-lts: npm ci in $lts (puppeteer downloads no browser)"
  (cd "$lts" && PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ ! -f "$lts/pkg/dist/001-essentials.zip" || ! -f "$lts/pkg/dist/101-one-thousand-aus.xml" ]]; then
  echo "cmi5-lts: building the package library (pkg/dist)"
  # webpack 5.45 hashes with md4, which Node 17+ only has with the legacy OpenSSL provider.
  (cd "$lts/pkg" && NODE_OPTIONS=--openssl-legacy-provider npx webpack >/dev/null)
fi

# --- the server ------------------------------------------------------------------------
LABEL=cmi5-lts
# shellcheck source=../support/server.sh
source tests/support/server.sh
start_server "$bin"
echo "cmi5-lts: Black Belt at $base ($([[ -n "${BLACKBELT_DATABASE_URL:-}" ]] && echo "${BLACKBELT_DATABASE_URL%%://*}" || echo sqlite))"

# --- the tests -------------------------------------------------------------------------
export BB_URL="$base" BB_KEY="$key" BB_SECRET="$secret"
export CATAPULT_LMS="$here/lms.blackbelt.js"
export JEST_PUPPETEER_CONFIG="$here/jest-puppeteer.config.js"
export PUPPETEER_EXECUTABLE_PATH="$BB_CHROMIUM"

out="${LTS_OUT:-$tmp}"
mkdir -p "$out"
failed_any=0
summary=()
total_p=0 total_f=0 total_s=0
for suite in ${LTS_SUITES:-package runtime}; do
  echo
  echo "== cmi5-lts: __tests__/$suite.js"
  set +e
  export BB_LTS_IMPORT_LOG="$out/$suite.imports.log"
  : >"$BB_LTS_IMPORT_LOG"
  export BB_LTS_DUMP="$out/$suite.statements.txt"
  export BB_LTS_RESULTS="$out/$suite.au-results.txt"
  : >"$BB_LTS_RESULTS"
  : >"$BB_LTS_DUMP"
  (cd "$lts" && npx jest "__tests__/$suite.js" --runInBand --ci --colors=false \
     --testTimeout="${LTS_TEST_TIMEOUT:-30000}" \
     --json --outputFile="$out/$suite.json") 2>&1 | tee "$out/$suite.log"
  rc=${PIPESTATUS[0]}
  set -e
  if [[ ! -s "$out/$suite.json" ]]; then
    echo "cmi5-lts: $suite: jest wrote no results (exit $rc)" >&2
    failed_any=1
    summary+=("$suite: no results (jest exit $rc)")
    continue
  fi
  line="$(node -e '
    const r = require(process.argv[1]);
    let p = r.numPassedTests, f = r.numFailedTests, s = r.numPendingTests + r.numTodoTests;
    // A suite that fails before its tests (setup) counts as one failure.
    for (const t of r.testResults) if (t.status === "failed" && t.assertionResults.length === 0) f++;
    console.log(`${p} ${f} ${s}`);
    for (const t of r.testResults) {
      if (t.status === "failed" && t.assertionResults.length === 0) console.error(`  FAIL (suite) ${t.message.split("\n")[0]}`);
      for (const a of t.assertionResults) if (a.status === "failed") console.error(`  FAIL ${a.ancestorTitles.join(" > ")} > ${a.title}`);
    }' "$out/$suite.json" 2>"$out/$suite.failures")"
  read -r p f s <<<"$line"
  total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
  summary+=("$suite: $p passed, $f failed, $s skipped")
  if [[ $rc -ne 0 || $f -ne 0 ]]; then failed_any=1; fi
done

echo
echo "== cmi5-lts summary ($suite_label, $([[ -n "${BLACKBELT_DATABASE_URL:-}" ]] && echo "${BLACKBELT_DATABASE_URL%%://*}" || echo sqlite))"
for l in "${summary[@]}"; do echo "  $l"; done
if [[ -s "$out/package.imports.log" ]]; then
  echo "  package imports (what the server answered):"
  sed 's/^/    /' "$out/package.imports.log"
fi
for suite in ${LTS_SUITES:-package runtime}; do
  [[ -s "$out/$suite.failures" ]] && { echo "  $suite failures:"; cat "$out/$suite.failures"; }
  if grep -q ": FAIL" "$out/$suite.au-results.txt" 2>/dev/null; then
    echo "  $suite: what the failing AUs reported:"
    grep ": FAIL" "$out/$suite.au-results.txt" | sed 's/^/    /'
  fi
done
echo "cmi5-lts: $total_p passed, $total_f failed, $total_s skipped"
exit "$failed_any"
