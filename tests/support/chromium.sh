# Sourced by the browser test scripts: sets BB_CHROMIUM to Debian's Chromium, installing
# it with apt-get when running as root and it is missing, and checks that node is there.
# Usage: ensure_browser_tools PREFIX   (PREFIX names the caller in messages)
ensure_browser_tools() {
  local prefix="$1"
  local chromium_bin="${BB_CHROMIUM:-/usr/bin/chromium}"
  if [[ ! -x "$chromium_bin" ]]; then
    if command -v chromium >/dev/null 2>&1; then
      chromium_bin="$(command -v chromium)"
    elif [[ "$(id -u)" == 0 ]]; then
      echo "$prefix: installing chromium" >&2
      apt-get update -qq && apt-get install -y -qq chromium >/dev/null
      chromium_bin=/usr/bin/chromium
    else
      echo "$prefix: chromium is missing: apt-get install chromium" >&2
      exit 1
    fi
  fi
  export BB_CHROMIUM="$chromium_bin"
  if ! command -v node >/dev/null 2>&1; then
    echo "$prefix: node is missing (Node.js 20 or newer)" >&2
    exit 1
  fi
}
