# Services a new machine lacks, shared by .ci/run and bench/run.sh: source this file,
# then call
#   services_install [CHECK:PACKAGE ...]  # PostgreSQL, Redis and any extra Debian package
#   services_postgresql [DATABASE ...]    # start it; role newsite, databases (default: newsite)
#   services_redis                        # start it on 127.0.0.1:6379
# A CHECK is a command name, or an absolute path that must be executable. Needs root
# (apt-get, su postgres) when something is missing or not running.

declare -F say >/dev/null || say() { printf '\n=== %s\n' "$*"; }

services_install() {
  local missing=() wanted=(postgresql redis-server) pair check package
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  for pair in "$@"; do
    check=${pair%%:*} package=${pair#*:}
    wanted+=("$package")
    if [[ $check == /* ]]; then
      [ -x "$check" ] || missing+=("$package")
    else
      command -v "$check" >/dev/null 2>&1 || missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${wanted[@]}" >/dev/null
  fi
}

services_postgresql() {
  local pg_version database databases=("$@")
  [ ${#databases[@]} -gt 0 ] || databases=(newsite)
  say "starting PostgreSQL"
  pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$pg_version main"; then
    pg_createcluster "$pg_version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$pg_version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432
  # A role that may create the test database (pytest-django makes test_newsite).
  su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'newsite') THEN
    CREATE ROLE newsite LOGIN CREATEDB PASSWORD 'newsite';
  END IF;
END $$;
SQL
  for database in "${databases[@]}"; do
    su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='$database'\"" | grep -q 1 \
      || su postgres -c "createdb -O newsite $database"
  done
}

services_redis() {
  say "starting Redis"
  if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
    for _ in $(seq 1 30); do
      redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break
      sleep 0.5
    done
  fi
  redis-cli -h 127.0.0.1 ping
}
