#!/usr/bin/env bash
# Real services the tests talk to, started on localhost. Each block is idempotent.
set -euo pipefail

# --- PostgreSQL for the experiment ledger's store tests -------------------------------------------
# Debian's postgresql, a cluster on 127.0.0.1:5432, role/password unstuck/unstuck, database unstuck_test.
# tests/ledger reads UNSTUCK_TEST_POSTGRES_URL (exported by .ci/run) and falls back to the same URL.
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -1)"
PG_STATUS="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}')"
if [ -z "$PG_STATUS" ]; then
    pg_createcluster "$PG_VERSION" main >/dev/null
    PG_STATUS=down
fi
if [ "$PG_STATUS" != online ]; then
    pg_ctlcluster "$PG_VERSION" main start
fi
for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
done
if [ "$(su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='unstuck'\"")" != 1 ]; then
    su postgres -c "psql -qc \"CREATE ROLE unstuck LOGIN SUPERUSER PASSWORD 'unstuck'\""
fi
if [ "$(su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='unstuck_test'\"")" != 1 ]; then
    su postgres -c "createdb -O unstuck unstuck_test"
fi

# --- Chromium for the HTML report's browser test --------------------------------------------------
# Debian's chromium, driven headless over the DevTools protocol by tests/test_render_browser.py.
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
