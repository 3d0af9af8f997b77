#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from their Go module, for `npm run test:production`
# (and CI): the production topology runs the same server release as docker-compose.yml's image, on
# PostgreSQL, without Docker. Cached in .tools/temporal-server/<version>/ and skipped once there:
#
#   bin/temporal-server        go.temporal.io/server/cmd/server        (≈160 MB)
#   bin/temporal-sql-tool      go.temporal.io/server/cmd/tools/sql     (≈60 MB)
#   schema/postgresql/v12/     the module's schemas, which the sql tool applies
#
# A cold build takes about 4-5 minutes on 2 cores and 1.7 GB of Go modules (Go module proxy only).
# `npm run dev` and `npm test` never need it. The version is read by test/production/versions.ts and
# compared with docker-compose.yml's images by test/unit/production-parity.test.ts.
set -euo pipefail

TEMPORAL_SERVER_VERSION=1.32.2
GO_TOOLCHAIN=go1.27.3

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/.tools/temporal-server/$TEMPORAL_SERVER_VERSION"
say() { printf 'temporal-server: %s\n' "$*"; }
die() { printf 'temporal-server: error: %s\n' "$*" >&2; exit 1; }

if [ -x "$dest/bin/temporal-server" ] && [ -x "$dest/bin/temporal-sql-tool" ] && [ -d "$dest/schema/postgresql/v12" ] \
    && [ "$(cat "$dest/.version" 2>/dev/null)" = "$TEMPORAL_SERVER_VERSION" ]; then
  exit 0
fi

go=$(command -v go || true)
[ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; }
if [ -z "$go" ]; then
  [ "$(id -u)" = 0 ] || die "no Go toolchain: install Debian's golang-go (any Go >= 1.21 fetches $GO_TOOLCHAIN itself)"
  say "installing golang-go (apt) to fetch the pinned toolchain"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go ca-certificates >/dev/null
  go=$(command -v go)
fi
export GOTOOLCHAIN=$GO_TOOLCHAIN GOFLAGS=-mod=mod
mkdir -p "$root/.tools/logs"
log="$root/.tools/logs/temporal-server-build.log"

started=$(date +%s)
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp/bin"
if [ -n "${TEMPORAL_SERVER_PREBUILT_DIR:-}" ]; then
  # A directory holding `server` and `sql` built by exactly the command below (saves the build on a
  # machine that already has them); the version is still checked against the module.
  install -m 0755 "$TEMPORAL_SERVER_PREBUILT_DIR/server" "$dest.tmp/bin/temporal-server"
  install -m 0755 "$TEMPORAL_SERVER_PREBUILT_DIR/sql" "$dest.tmp/bin/temporal-sql-tool"
else
  say "building server and sql tool v$TEMPORAL_SERVER_VERSION with $GO_TOOLCHAIN (a few minutes; log: $log)"
  if ! GOBIN="$dest.tmp/bin" "$go" install \
      "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "go install failed (full log: $log)"
  fi
  mv "$dest.tmp/bin/server" "$dest.tmp/bin/temporal-server"
  mv "$dest.tmp/bin/sql" "$dest.tmp/bin/temporal-sql-tool"
fi
moddir=$("$go" mod download -json "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$moddir/schema/postgresql/v12" ] || die "module source of go.temporal.io/server@v$TEMPORAL_SERVER_VERSION has no schema/postgresql/v12"
mkdir -p "$dest.tmp/schema"
cp -R "$moddir/schema/postgresql" "$dest.tmp/schema/"
chmod -R u+w "$dest.tmp/schema"
got=$("$dest.tmp/bin/temporal-server" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' | head -n1)
[ "$got" = "$TEMPORAL_SERVER_VERSION" ] || die "built temporal-server reports version '$got', expected $TEMPORAL_SERVER_VERSION"
printf '%s\n' "$TEMPORAL_SERVER_VERSION" >"$dest.tmp/.version"
rm -rf "$dest" && mv "$dest.tmp" "$dest"
say "installed Temporal server $TEMPORAL_SERVER_VERSION -> .tools/temporal-server/$TEMPORAL_SERVER_VERSION ($(( $(date +%s) - started )) s)"
