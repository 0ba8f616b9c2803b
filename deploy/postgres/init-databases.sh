#!/bin/sh
# One login role and one database per mathnet service: role <service>, database
# mathnet_<service>, owned by the role, closed to every other role.
#
# The postgres image runs this once, on the first start of an empty data volume
# (/docker-entrypoint-initdb.d). It is idempotent: to add a service later run
#   docker compose exec -e MATHNET_SERVICE_DATABASES=<name> postgres \
#     sh /docker-entrypoint-initdb.d/10-init-databases.sh
#
# Environment: MATHNET_SERVICE_DATABASES (space separated, default "registry"),
# MATHNET_DB_PASSWORD (the services' password), POSTGRES_USER (the image's superuser).
set -eu

: "${MATHNET_DB_PASSWORD:?set MATHNET_DB_PASSWORD, the password of the service roles}"

for service in ${MATHNET_SERVICE_DATABASES:-registry}; do
  echo "mathnet: role ${service}, database mathnet_${service}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v role="$service" -v db="mathnet_${service}" -v password="$MATHNET_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \gexec
SQL
done
