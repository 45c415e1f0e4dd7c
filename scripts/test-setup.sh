#!/usr/bin/env bash
# What the tests need beyond the virtualenv: the real consent banners from npm (and the Adaptive
# Cards library that checks the Teams alert cards, and axe-core for the dashboard's
# accessibility checks), pinned, cached
# in .cache/npm (never committed). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=.cache/npm
# adaptivecards: Microsoft's Adaptive Cards library, parses the Teams alert cards in tests
# axe-core: the accessibility engine the dashboard's browser tests run
PACKAGES=(tarteaucitronjs@1.34.0 klaro@0.7.22 vanilla-cookieconsent@3.1.0 cookieconsent@3.1.1 adaptivecards@3.0.6 axe-core@4.11.0)
if [ ! -f "$CACHE/.done-${#PACKAGES[@]}" ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to fetch the consent banners the tests use" >&2; exit 1; }
  mkdir -p "$CACHE"
  echo "==> fetching consent banners from npm: ${PACKAGES[*]}"
  [ -f "$CACHE/package.json" ] || echo '{"name":"cookie-audit-test-banners","private":true}' > "$CACHE/package.json"
  (cd "$CACHE" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error "${PACKAGES[@]}")
  touch "$CACHE/.done-${#PACKAGES[@]}"
fi
