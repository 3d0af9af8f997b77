#!/bin/sh
# Temporal's persistence and visibility schemas on PostgreSQL, created or brought up to the server's
# version: run before the first start and after every server upgrade (update-schema is incremental
# and a no-op when current). Used by docker-compose.yml's temporal-schema job (admin-tools image) and
# by `npm run test:production` (the sql tool built from the same release).
#
#   SQL_HOST, SQL_PORT (5432), SQL_USER (temporal), SQL_PASSWORD, SCHEMA_DIR (/etc/temporal/schema),
#   SQL_TOOL (temporal-sql-tool)
set -eu
: "${SQL_HOST:?}" "${SQL_PASSWORD:?}"
tool=${SQL_TOOL:-temporal-sql-tool}
schema=${SCHEMA_DIR:-/etc/temporal/schema}/postgresql/v12
export SQL_PASSWORD
for db in temporal temporal_visibility; do
  T="$tool --plugin postgres12 --ep $SQL_HOST -p ${SQL_PORT:-5432} -u ${SQL_USER:-temporal} --db $db"
  # create and setup-schema fail when already done; update-schema below must succeed.
  $T create >/dev/null 2>&1 || true
  $T setup-schema -v 0.0 >/dev/null 2>&1 || true
  case $db in temporal) dir=$schema/temporal/versioned ;; *) dir=$schema/visibility/versioned ;; esac
  $T update-schema -d "$dir"
done
