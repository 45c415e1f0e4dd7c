# One image for every part: the scanner (with Debian's Chromium), the consent API and dashboard
# (gunicorn), the Celery workers and the scheduler. docker-compose.yml runs them together.
#   docker build -t cookie-audit .
#   docker run --rm -v "$PWD/results:/data" cookie-audit demo --out /data/demo
#   docker run --rm -v "$PWD/results:/data" cookie-audit scan https://www.example.com --out /data
#   docker run --rm -p 8000:8000 -v cookie-audit-data:/data cookie-audit gunicorn
# Data (the SQLite database by default, the knowledge base's user layer) lives in /data; set
# COOKIE_AUDIT_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
# The project is installed from its wheel, without dev extras: exactly what
# tests/test_packaging.py installs in a fresh virtualenv and runs.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COOKIE_AUDIT_CHROMIUM=/usr/bin/chromium \
    COOKIE_AUDIT_NO_SANDBOX=1 \
    COOKIE_AUDIT_DATABASE_URL=sqlite:////data/cookie-audit.db \
    XDG_DATA_HOME=/data/share

# Debian's Chromium (Playwright drives it through executable_path), fonts for PDF reports,
# tini as PID 1 (signals reach gunicorn and Celery; Chromium's children are reaped).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-liberation tini \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 audit \
 && mkdir -p /data/share && chown -R audit /data

COPY --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
USER audit
WORKDIR /data
EXPOSE 8000
ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]
CMD ["--help"]
