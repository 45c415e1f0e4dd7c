# One image for both jobs: the scanner (with its Chromium) and the consent API (gunicorn).
#   docker build -t cookie-audit .
#   docker run --rm -v "$PWD/results:/data" cookie-audit scan https://www.example.com --out /data
#   docker run --rm -p 8000:8000 -e COOKIE_AUDIT_DATABASE_URL=postgresql+psycopg://... \
#       cookie-audit gunicorn
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COOKIE_AUDIT_CHROMIUM=/usr/bin/chromium \
    COOKIE_AUDIT_NO_SANDBOX=1

# Debian's Chromium (Playwright drives it through executable_path) and fonts for PDF reports.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fonts-liberation tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scanner ./scanner
COPY consent_api ./consent_api
COPY reports ./reports
RUN pip install . \
 && useradd --create-home --uid 10001 audit \
 && mkdir -p /data && chown audit /data

USER audit
WORKDIR /data
EXPOSE 8000
COPY --chmod=0755 scripts/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["tini", "--", "docker-entrypoint.sh"]
CMD ["--help"]
