#!/usr/bin/env bash
# The app as a user runs it on a fresh clone: no configuration, embedded defaults, fresh data dir.
# Logs go to a file that the last spec scans for leaked secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf "$E2E_DATA_DIR"
mkdir -p "$E2E_DATA_DIR"
unset DATABASE_URL S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY AUTH_SECRET ENCRYPTION_KEY
# The app may reach only the test stand-ins (CSV host and Slack sink, see e2e/stand-ins.ts).
export DATA_DIR="$E2E_DATA_DIR" PORT="$E2E_PORT" LOG_LEVEL=debug OUTBOUND_ALLOW_HOSTS="$E2E_OUTBOUND_ALLOW_HOSTS"
exec node --import tsx scripts/launch.ts start >"$E2E_DATA_DIR/app.log" 2>&1
