#!/usr/bin/env bash
# What the test suite needs from the operating system, found or installed from Debian:
#
#   python3-websockets  PROTOCOL.md's Python client runs against a live server (outsider test)
#   chromium            the client runs in a real browser (browser test)
#   redis-server        a Redis-backed pub/sub engine (tests to come)
#   nginx               a reverse proxy in front of the server (tests to come)
#
# `pnpm test` runs this first and `.ci/run` runs it before anything else. Whatever is missing
# is installed with apt-get when that can work (root, and apt-get present); otherwise the
# script fails and prints the command to run. It never lets a test skip: a test whose
# program is missing fails. VOLLEY_PYTHON and VOLLEY_CHROMIUM point the tests at another
# interpreter or browser; when set, they are checked and nothing is installed for them.
set -euo pipefail

python=${VOLLEY_PYTHON:-/usr/bin/python3}
chromium=${VOLLEY_CHROMIUM:-/usr/bin/chromium}

# Fills `missing` (Debian packages to install) and `unusable` (overrides that point at
# something that does not work: installing a package cannot mend those).
check() {
  missing=()
  unusable=()
  if ! "$python" -c 'import websockets' >/dev/null 2>&1; then
    if [ -n "${VOLLEY_PYTHON:-}" ]; then
      unusable+=("VOLLEY_PYTHON=$VOLLEY_PYTHON cannot 'import websockets' (install the websockets package for that interpreter, or unset VOLLEY_PYTHON to use Debian's python3-websockets)")
    else
      missing+=(python3-websockets)
    fi
  fi
  if [ ! -x "$chromium" ]; then
    if [ -n "${VOLLEY_CHROMIUM:-}" ]; then
      unusable+=("VOLLEY_CHROMIUM=$VOLLEY_CHROMIUM is not an executable file (point it at a Chromium or Chrome binary, or unset it to use Debian's chromium)")
    else
      missing+=(chromium)
    fi
  fi
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  # nginx lives in /usr/sbin, which is not on every user's PATH.
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
}

fail() {
  echo "system-deps: $*" >&2
  exit 1
}

check
if [ "${#unusable[@]}" -gt 0 ]; then
  for problem in "${unusable[@]}"; do echo "system-deps: $problem" >&2; done
  exit 1
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${missing[*]} from Debian" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    check
    [ "${#missing[@]}" -eq 0 ] || fail "still missing after apt-get install: ${missing[*]}"
  elif command -v apt-get >/dev/null 2>&1; then
    fail "the test suite needs ${missing[*]}. Install them with:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  else
    fail "the test suite needs ${missing[*]} (Debian package names) and there is no apt-get here.
Install them with your system's package manager. VOLLEY_PYTHON and VOLLEY_CHROMIUM can point
the tests at a python3 that has websockets and at a Chromium or Chrome binary."
  fi
fi

echo "system-deps: python3-websockets ($python), chromium ($chromium), redis-server, nginx: present" >&2
