#!/bin/sh
# One database and one owner per service: no service can read another's tables.
# Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
# Each service's password is a Compose secret mounted under /run/secrets.
set -eu
for service in lookup gateway tracker; do
  password="$(cat "/run/secrets/${service}_db_password")"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="onceonly_${service}" -v password="$password" -v db="onceonly_${service}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done
