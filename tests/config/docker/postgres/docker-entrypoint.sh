#!/bin/sh
# The official postgres image's first start, in short: an empty data folder gets
# `initdb` with POSTGRES_USER as superuser and POSTGRES_PASSWORD as its password,
# then POSTGRES_DB; then the server runs as `postgres`, listening on every address
# with scram passwords for network logins and trust on the local socket.
# The database is created in single-user mode, with no server listening, so a
# health check can never see the server up before the first start is done.
set -e
if [ "$1" = "postgres" ]; then
    as_postgres="setpriv --reuid=postgres --regid=postgres --init-groups"
    if [ "$(id -u)" = "0" ]; then
        mkdir -p "$PGDATA" /var/run/postgresql
        chown postgres:postgres "$PGDATA" /var/run/postgresql
        chmod 700 "$PGDATA"
    else
        as_postgres=""
    fi
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (as the official image asks)}"
        user="${POSTGRES_USER:-postgres}"
        db="${POSTGRES_DB:-$user}"
        pwfile="$(mktemp)"
        printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
        chown postgres "$pwfile" 2>/dev/null || true
        $as_postgres initdb --username="$user" --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 >/dev/null
        rm -f "$pwfile"
        printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
        printf "listen_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
        if [ "$db" != "postgres" ]; then
            echo "CREATE DATABASE \"$db\" OWNER \"$user\";" \
                | $as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
        fi
        echo "PostgreSQL init process complete; ready for start up."
    fi
    exec $as_postgres "$@"
fi
exec "$@"
