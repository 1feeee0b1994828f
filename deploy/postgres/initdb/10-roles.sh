#!/bin/sh
# Run once by the postgres image, as its superuser, when the data volume is empty
# (compose.yaml): the owner role, which alone changes the schema (`capacity-exit migrate`),
# and the application role, which reads and writes rows in the tables the owner creates.
# The passwords are read from the secret files here, never passed on a command line.
set -eu
psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\set owner_password `cat /run/secrets/db_owner_password`
\set app_password `cat /run/secrets/db_app_password`
CREATE ROLE capexit_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE capexit_app LOGIN PASSWORD :'app_password';
\unset owner_password
\unset app_password
ALTER DATABASE capacity_exit OWNER TO capexit_owner;
REVOKE ALL ON DATABASE capacity_exit FROM PUBLIC;
GRANT CONNECT ON DATABASE capacity_exit TO capexit_owner, capexit_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO capexit_owner;
GRANT USAGE ON SCHEMA public TO capexit_app;
-- Every table and sequence the owner creates from now on (each migration's).
ALTER DEFAULT PRIVILEGES FOR ROLE capexit_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO capexit_app;
ALTER DEFAULT PRIVILEGES FOR ROLE capexit_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO capexit_app;
SQL
