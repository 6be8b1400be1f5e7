#!/usr/bin/env bash
# One database per service, each with two users (least privilege):
#   <prefix><service>_owner  owns the database and its schema; the migration step runs as it
#   <prefix><service>_app    what the running service connects as: CONNECT, and SELECT/INSERT/
#                            UPDATE/DELETE on the owner's tables and sequences; no DDL, and no
#                            access at all to another service's database
# The PostgreSQL image runs this once, on an empty data directory (docker-entrypoint-initdb.d);
# it is idempotent, so an operator (or deploy/cluster.py) may run it against an existing
# server too. Passwords come from DDT_PG_<SERVICE>_OWNER_PASSWORD / DDT_PG_<SERVICE>_APP_PASSWORD;
# DDT_PG_DATABASE_PREFIX (default ddt_) prefixes every database and role name. psql takes the
# connection from the usual PG* variables (the image's entrypoint sets them).
set -euo pipefail

prefix="${DDT_PG_DATABASE_PREFIX:-ddt_}"
services="${DDT_PG_SERVICES:-gateway declaration logistics payments stats}"

for service in $services; do
    upper="$(echo "$service" | tr '[:lower:]' '[:upper:]')"
    owner_password_var="DDT_PG_${upper}_OWNER_PASSWORD"
    app_password_var="DDT_PG_${upper}_APP_PASSWORD"
    owner_password="${!owner_password_var:?set $owner_password_var}"
    app_password="${!app_password_var:?set $app_password_var}"
    db="${prefix}${service}"
    psql -v ON_ERROR_STOP=1 -q --dbname "${POSTGRES_DB:-postgres}" \
        -v db="$db" -v owner="${db}_owner" -v app="${db}_app" \
        -v owner_password="$owner_password" -v app_password="$app_password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'owner', :'owner_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app', :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app";
-- Tables that exist already (a re-run after migrations) get the same grants.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app";
SQL
    echo "database ${db}: owner ${db}_owner, app user ${db}_app"
done
