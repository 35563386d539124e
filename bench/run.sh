#!/usr/bin/env bash
# `make bench`: makes sure PostgreSQL, Redis and wrk are there and running (installing
# them from Debian's packages when missing, as CI does), then hands over to bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../.ci/services.sh
. .ci/services.sh
services_install wrk:wrk
services_postgresql "${BENCH_DATABASE:-newsite_bench}"
services_redis
# `make hotspots TARGET=…` profiles one target in-process (bench/hotspots.py) instead.
exec "${BENCH_PYTHON:-.venv/bin/python}" "${BENCH_SCRIPT:-bench/run.py}" "$@"
