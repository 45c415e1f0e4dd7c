#!/usr/bin/env bash
# Sets up everything on a fresh machine that has Python 3.11+: a virtualenv with the project
# and its dev tools, Chromium for Playwright (Playwright's own download first; the system
# package as the fallback, as on these machines without internet), and the pinned npm consent
# banners the tests serve. Idempotent: steps already done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
fi
if [ ! -f "$STAMP" ]; then
  echo "==> installing cookie-audit and its dev tools into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -m pip install --quiet -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
  "$VENV/bin/python" -c "import scanner, playwright, flask" # fail here, not later, if pip failed
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi

# Chromium: an explicit COOKIE_AUDIT_CHROMIUM wins; then Playwright's build; then the system's.
have_browser() {
  "$VENV/bin/python" - <<'PY'
import os, sys
from pathlib import Path
from playwright.sync_api import sync_playwright
explicit = os.environ.get("COOKIE_AUDIT_CHROMIUM")
if explicit:
    sys.exit(0 if Path(explicit).is_file() else 1)
with sync_playwright() as p:
    if Path(p.chromium.executable_path).is_file():
        sys.exit(0)
for c in ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"):
    if Path(c).is_file():
        sys.exit(0)
sys.exit(1)
PY
}
if ! have_browser; then
  echo "==> downloading Chromium with Playwright"
  if ! timeout 300 "$VENV/bin/python" -m playwright install chromium >/tmp/cookie-audit-pw-install.log 2>&1; then
    echo "    Playwright's download failed (no internet?); trying the system package"
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
  have_browser || { echo "error: no Chromium could be installed; set COOKIE_AUDIT_CHROMIUM" >&2; exit 1; }
fi
echo "==> ready"
