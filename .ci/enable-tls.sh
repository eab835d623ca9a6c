#!/usr/bin/env bash
# Turns on TLS in the local test PostgreSQL server (127.0.0.1:5432), so the restore-test
# TLS check can pass against a real TLS connection as it must on RDS (rds.force_ssl=1).
# Plain connections keep working: pg_hba is not changed. Idempotent; needs root.
set -euo pipefail
psql_() { psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc "$1"; }
if [ "$(psql_ 'SHOW ssl')" = "on" ]; then
  echo "enable-tls: ssl already on"
  exit 0
fi
data_dir="$(psql_ 'SHOW data_directory')"
owner="$(stat -c %U "$data_dir")"
if [ ! -f "$data_dir/rds-dr-test.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$data_dir/rds-dr-test.key" -out "$data_dir/rds-dr-test.crt" 2>/dev/null
  chown "$owner" "$data_dir/rds-dr-test.key" "$data_dir/rds-dr-test.crt"
  chmod 600 "$data_dir/rds-dr-test.key"
fi
psql_ "ALTER SYSTEM SET ssl_cert_file = '$data_dir/rds-dr-test.crt'"
psql_ "ALTER SYSTEM SET ssl_key_file = '$data_dir/rds-dr-test.key'"
psql_ "ALTER SYSTEM SET ssl = on"
psql_ "SELECT pg_reload_conf()" >/dev/null
for _ in $(seq 1 20); do
  [ "$(psql_ 'SHOW ssl')" = "on" ] && { echo "enable-tls: ssl on"; exit 0; }
  sleep 0.5
done
echo "enable-tls: ssl did not turn on (see the server log)" >&2
exit 1
