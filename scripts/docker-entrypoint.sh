#!/bin/sh
# `gunicorn` runs the consent API for production; anything else is a cookie-audit sub-command.
set -e
if [ "$1" = "gunicorn" ]; then
  shift
  cookie-audit consents migrate
  exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-4}" \
    --worker-class gthread --threads 4 "$@" 'consent_api:create_app()'
fi
exec cookie-audit "$@"
