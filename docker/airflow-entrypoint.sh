#!/usr/bin/env bash
# Entry point of every Airflow container in docker-compose.yml (and of the `secrets-check` service).
#  1. Refuses to start while any variable still holds a `change-me-*` placeholder from .env.example:
#     it names the variables (never their values) and exits 1, so nothing runs with the example secrets.
#  2. The executor follows the compose profile: `--profile celery` starts the `redis` service, and the
#     Airflow services wait for it (depends_on ... required: false), so `redis` resolves exactly when
#     the profile is on: CeleryExecutor then, LocalExecutor otherwise. AIRFLOW_EXECUTOR in .env wins.
# `airflow-entrypoint.sh check` does step 1 only (the secrets-check service, before Elasticsearch and
# PostgreSQL start); anything else is handed to the image's own /entrypoint.
set -euo pipefail

placeholders=$(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*change-me.*/\1/p' | sort | tr '\n' ' ')
if [ -n "$placeholders" ]; then
  echo "refusing to start: replace the change-me-* example values in .env first (variables: ${placeholders% })" >&2
  exit 1
fi
if [ "${1:-}" = check ]; then
  echo "no change-me-* example values in the environment"
  exit 0
fi

if [ -n "${AIRFLOW_EXECUTOR:-}" ]; then
  export AIRFLOW__CORE__EXECUTOR="$AIRFLOW_EXECUTOR"
elif getent hosts "${CELERY_BROKER_HOST:-redis}" >/dev/null 2>&1; then
  export AIRFLOW__CORE__EXECUTOR=CeleryExecutor
else
  export AIRFLOW__CORE__EXECUTOR=LocalExecutor
fi
echo "executor: $AIRFLOW__CORE__EXECUTOR" >&2
exec "${AIRFLOW_IMAGE_ENTRYPOINT:-/entrypoint}" "$@"
