# Sourced by tests/interop/run.sh and tests/schemathesis/run.sh: a virtualenv with the
# pinned requirements, remade when they change.
#
#   source tests/support/venv.sh; make_venv tests/interop/.venv tests/interop/requirements.txt

make_venv() {
  local venv="$1" requirements="$2"
  local python="${BB_PYTHON:-python3}"
  if ! "$python" -m venv --help >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "$LABEL: installing python3-venv" >&2
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
      echo "$LABEL: $python has no venv module: apt-get install python3-venv" >&2
      exit 1
    fi
  fi
  if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
    echo "$LABEL: installing $requirements into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
}
