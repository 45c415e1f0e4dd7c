#!/bin/sh
# `gunicorn` runs the consent API and the dashboard for production (after the migrations);
# anything else is a cookie-audit sub-command (`worker`, `scheduler`, `demo`, `scan` ...).
set -e
if [ "$1" = "gunicorn" ]; then
  shift
  cookie-audit db upgrade
  exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-4}" \
    --worker-class gthread --threads 4 --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
    "$@" 'dashboard:create_app()'
fi
exec cookie-audit "$@"
