#!/usr/bin/env bash
# `make run`: gunicorn and the background-task worker (`manage.py db_worker`) side by side.
# Ctrl+C (or TERM) stops both; if either one stops, the other is stopped too, so a worker
# that cannot start never leaves a site whose imports wait forever (docs/operations.md).
# With a TASKS_BACKEND other than the database one, only gunicorn starts: that backend's
# own worker (or none, for the immediate backend) runs elsewhere.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings}

backend=$("$BIN/python" -c 'import django; django.setup()
from django.conf import settings
print(settings.TASKS["default"]["BACKEND"])') || exit 1

pids=()
stop() {
  trap - INT TERM
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null
  wait
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

if [ "$backend" = "django_tasks_db.DatabaseBackend" ]; then
  "$BIN/python" manage.py db_worker --no-reload --interval 2 &
  pids+=($!)
fi
"$BIN/gunicorn" -c config/gunicorn.conf.py &
pids+=($!)

wait -n
status=$?
echo "run_site: a process stopped (status $status); stopping the others." >&2
stop
exit "$status"
