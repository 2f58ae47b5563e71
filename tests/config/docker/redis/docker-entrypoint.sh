#!/bin/sh
# As the official redis image's entrypoint: a bare `redis-server ...` runs as the
# redis user, owning /data, and with protected mode off unless a config says more.
set -e
if [ "$1" = "redis-server" ]; then
    shift
    if [ "$(id -u)" = "0" ]; then
        chown -R redis:redis /data
        exec setpriv --reuid=redis --regid=redis --init-groups \
            redis-server --protected-mode no "$@"
    fi
    exec redis-server --protected-mode no "$@"
fi
exec "$@"
