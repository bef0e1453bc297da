#!/bin/sh
# The official redis image's entrypoint: options alone run redis-server; redis-server runs as
# `redis` owning /data; protected mode is off unless a config file sets it (the official
# binary is built that way, Debian's is not), so other containers on the network connect.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = 'redis-server' ]; then
  protected=yes
  config=
  if [ -f "${2:-}" ]; then
    config="$2"
    if grep -q '^protected-mode' "$config"; then protected=; fi
  fi
  if [ "$protected" ]; then
    shift
    if [ "$config" ]; then shift; fi
    set -- --protected-mode no "$@"
    if [ "$config" ]; then set -- "$config" "$@"; fi
    set -- redis-server "$@"
  fi
  if [ "$(umask)" = '0022' ]; then umask 0077; fi
fi

exec "$@"
