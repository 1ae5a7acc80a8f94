#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's postgresql package) on a loopback port, with its
# data in DIR (new or empty), and prints the URL of its `ledger` database.
# usage: Tools/postgres-server.sh DIR [PORT]   (PORT default 55432)
#        Tools/postgres-server.sh --stop DIR
#
# The cluster uses the C collation (text sorts by code point, as SQLite's BINARY does) and
# trust authentication on 127.0.0.1 only. initdb refuses to run as root: as root, the server runs
# as the `postgres` user the package creates, and DIR is given to it.
set -euo pipefail
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as=()
if [ "$(id -u)" = 0 ]; then
  as=(runuser -u postgres --)
fi
if [ "${1:-}" = "--stop" ]; then
  "${as[@]}" "$bin/pg_ctl" -D "$2" -m fast -w stop
  exit
fi
dir="$1"
port="${2:-55432}"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/PG_VERSION" ]; then
  "${as[@]}" "$bin/initdb" -D "$dir" -U ledger --auth=trust -E UTF8 --locale=C >"$dir.initdb.log" 2>&1 ||
    { cat "$dir.initdb.log" >&2; exit 1; }
fi
"${as[@]}" "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
"$bin/psql" -h 127.0.0.1 -p "$port" -U ledger -d postgres -q -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'ledger'" | grep -q 1 ||
  "$bin/psql" -h 127.0.0.1 -p "$port" -U ledger -d postgres -q -c "CREATE DATABASE ledger"
echo "postgres://ledger@127.0.0.1:$port/ledger"
