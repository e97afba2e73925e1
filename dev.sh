#!/usr/bin/env bash
# Carrefour's two entry points, from a clean clone:
#   ./dev.sh serve   set up, publish the bundled data (curated dataset, partner samples), serve http://127.0.0.1:8080/
#                    (PORT=8090 ./dev.sh serve: on port 8090, every IRI under http://127.0.0.1:8090/)
#   ./dev.sh test    set up (Python packages and the test servers), run ruff and the tests
set -euo pipefail
cd "$(dirname "$0")"

python_bin() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))'; then
      echo "$candidate"; return
    fi
  done
  echo "Python 3.11 or newer is needed" >&2; exit 2
}

setup_python() {
  if [ ! -x .venv/bin/python ]; then "$(python_bin)" -m venv .venv; fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
}

# Debian packages the test suite drives for real: a headless browser, a Virtuoso
# server, a load generator and npm (for the LDES reference client).  Installed when
# missing and when we may (root or sudo).
setup_system() {
  local wanted=() pkg
  command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || wanted+=(chromium-driver)
  command -v virtuoso-t >/dev/null 2>&1 || wanted+=(virtuoso-opensource)
  command -v wrk >/dev/null 2>&1 || wanted+=(wrk)
  command -v npm >/dev/null 2>&1 || wanted+=(npm)
  [ ${#wanted[@]} -eq 0 ] && return
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      echo "note: cannot install ${wanted[*]} (not root): the tests that need them will say so and skip" >&2; return
    fi
  fi
  if command -v apt-get >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    for pkg in "${wanted[@]}"; do
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null \
        || echo "note: could not install $pkg" >&2
    done
  fi
}

# npm packages the tests run (tests/support/node/package.json): the LDES reference client.
setup_node() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: npm not found: the tests that need the LDES client will say so and skip" >&2; return
  fi
  npm install --prefix tests/support/node --no-audit --no-fund --loglevel=error >/dev/null \
    || echo "note: could not install the npm test clients: the tests that need them will say so and skip" >&2
}

case "${1:-}" in
  serve)
    setup_python
    export CARREFOUR_BASE_URL="${CARREFOUR_BASE_URL:-http://127.0.0.1:${PORT:-8080}/}"  # IRIs dereference where served
    # A store published before under another base (served on another port) moves to this one, saying so.
    if env -u CARREFOUR_BASE_URL .venv/bin/carrefour stats >/dev/null 2>&1; then
      .venv/bin/carrefour rebase "$CARREFOUR_BASE_URL"
    fi
    .venv/bin/carrefour init
    .venv/bin/carrefour harvest || echo "note: some partners could not be harvested (see the table above); serving what was published" >&2
    exec .venv/bin/carrefour serve --host 127.0.0.1 --port "${PORT:-8080}"
    ;;
  test)
    setup_python
    setup_system
    setup_node
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest "${@:2}"
    ;;
  *)
    echo "usage: ./dev.sh serve | ./dev.sh test [pytest options]" >&2; exit 2
    ;;
esac
