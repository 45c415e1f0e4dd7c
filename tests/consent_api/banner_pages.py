"""Fixture web for the banner tests: a first-party shop page, a tracker CDN, the real API.

The page includes banner.js from the API host exactly as a customer site would, with held-back
scripts of each kind (inline, with a src, a marketing iframe). The page takes the site key in its
query string so every test registers its own site and sees only its own records. The tracker
counts the requests it receives, so "nothing ran" is checked on the server side too, not only
through globals the page could fake.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from flask import Flask, Response, abort, request, send_from_directory
from markupsafe import escape

PAGE_HOST = "www.banner-demo.test"
PAGE_ORIGIN = f"https://{PAGE_HOST}"
API_HOST = "consent.api.test"
API = f"https://{API_HOST}"
TRACKER_HOST = "cdn.tracker.test"
NPM = Path(__file__).resolve().parents[2] / ".cache" / "npm" / "node_modules"

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Banner demo</title>
<script>window.__order = [];</script>
<script src="{api}/banner.js" data-site-key="{key}" data-api="{api}"
  data-policy-url="/cookies" defer></script>
</head><body>
<h1>Demo shop</h1>
<p><a href="#" id="manage" data-ca-manage>Manage cookies</a></p>
<script type="text/plain" data-category="analytics">
window.__analyticsRan = true; window.__order.push("analytics-1");
</script>
<script type="text/plain" data-category="analytics"
  src="https://{tracker}/t.js?c=analytics&amp;k={key}" data-extra="kept"></script>
<script type="text/plain" data-category="analytics">
window.__order.push("analytics-2 after tracker=" + String(window.__trackerRan));
</script>
<script type="text/plain" data-category="marketing">
window.__marketingRan = true; window.__order.push("marketing");
</script>
<script type="text/plain" data-category="necessary">window.__order.push("necessary");</script>
<iframe data-src="https://{tracker}/frame?k={key}" data-category="marketing" title="ad"></iframe>
</body></html>
"""

TRACKER_JS = """
window.__trackerRan = true;
window.__trackerAttr = document.currentScript && document.currentScript.dataset.extra;
window.__order.push("tracker");
document.cookie = "_tr=" + Math.random().toString(36).slice(2) + "; path=/; max-age=3600";
"""


class Tracker:
    """A CDN that serves one script (slowly, so run order matters) and one iframe."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.app = Flask("banner-tracker")
        self.app.add_url_rule("/t.js", "script", self.script)
        self.app.add_url_rule("/frame", "frame", self.frame)

    def count(self, site_key: str, path: str) -> int:
        """Requests for `path` from the page of one site (its key is in the query string)."""
        with self._lock:
            return self.hits[site_key + path]

    def _hit(self) -> None:
        with self._lock:
            self.hits[request.args.get("k", "") + request.path] += 1

    def script(self) -> Response:
        self._hit()
        # A slow script: a banner that ran held-back scripts without awaiting each src would
        # run the next inline script before this one.
        time.sleep(0.15)
        return Response(TRACKER_JS, mimetype="text/javascript")

    def frame(self) -> Response:
        self._hit()
        return Response("<!doctype html><p>ad</p>", mimetype="text/html")


def page_site() -> Flask:
    app = Flask("banner-demo")

    @app.get("/")
    def home() -> Response:
        key = request.args.get("key", "")
        lang = request.args.get("lang", "en")
        html = PAGE.format(lang=escape(lang), key=escape(key), api=API, tracker=TRACKER_HOST)
        return Response(html, mimetype="text/html")

    @app.get("/cookies")
    def cookies() -> Response:
        return Response("<!doctype html><h1>Cookie policy</h1>", mimetype="text/html")

    @app.get("/npm/<path:path>")
    def npm(path: str) -> Response:
        """The real banners' files as installed by scripts/test-setup.sh (adapter tests)."""
        if not NPM.is_dir():
            abort(404)
        return send_from_directory(NPM, path)

    return app
