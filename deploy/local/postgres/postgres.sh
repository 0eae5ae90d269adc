#!/usr/bin/env bash
# A real PostgreSQL from Debian's package, no Docker: postgres.sh up|down|restart|status.
#   up    installs the package if missing, starts the cluster on 127.0.0.1:5432, sets the password of
#         `postgres` to "postgres" and waits until it answers; a no-op when it already runs.
#   down  stops the cluster.
#   restart  down, then up (fault tests: the services must reconnect by themselves).
# Connect with postgresql://postgres:postgres@127.0.0.1:5432/postgres
set -euo pipefail

PORT=5432
PASSWORD=postgres

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_if_missing() {
  command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ] && return
  echo "installing postgresql (Debian package)"
  # Try the cached package lists first; refresh them only when that fails.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
    || { as_root apt-get update -q >/dev/null \
         && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
}

version() { ls /etc/postgresql | sort -V | tail -n1; }

ready() { pg_isready -q -h 127.0.0.1 -p "$PORT"; }

up() {
  if ready; then echo "PostgreSQL already running on 127.0.0.1:$PORT"; return 0; fi
  install_if_missing
  local ver
  ver="$(version)"
  as_root pg_ctlcluster "$ver" main start -o "-c listen_addresses=127.0.0.1 -c port=$PORT" \
    || as_root pg_ctlcluster "$ver" main start
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { echo "PostgreSQL $ver did not become ready on 127.0.0.1:$PORT" >&2; exit 1; }
  # Local socket connections as the postgres OS user use peer auth; TCP uses the password set here.
  as_root su postgres -c "psql -q -p $PORT -c \"ALTER USER postgres PASSWORD '$PASSWORD'\"" >/dev/null
  echo "PostgreSQL $ver ready on 127.0.0.1:$PORT"
}

down() {
  [ -n "$(ls /etc/postgresql 2>/dev/null)" ] || return 0
  local ver
  ver="$(version)"
  if ready; then as_root pg_ctlcluster "$ver" main stop -m fast; fi
  echo "PostgreSQL stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  restart) down; up ;;
  status) ready && echo "running" || { echo "stopped"; exit 3; } ;;
  *) echo "usage: $0 up|down|restart|status" >&2; exit 2 ;;
esac
