#!/usr/bin/env bash
# The PostgreSQL databases of `make bench`: tsunagu_bench_<scale>, owned by the CI role
# tsunagu_ci, on the local cluster (installed and started as .ci/run does).
set -euo pipefail

SUDO=$( [ "$(id -u)" = 0 ] || echo sudo )
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sudo -u postgres sh -c "$1"; fi
}
as_postgres "psql -q -d postgres -tAc \"SELECT 1 FROM pg_roles WHERE rolname='tsunagu_ci'\"" | grep -q 1 \
  || as_postgres "psql -q -d postgres -c \"CREATE ROLE tsunagu_ci LOGIN CREATEDB PASSWORD 'tsunagu_ci'\""
for scale in small ward large; do
  db="tsunagu_bench_$scale"
  as_postgres "psql -q -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 \
    || as_postgres "createdb -O tsunagu_ci -E UTF8 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 -T template0 $db"
done
