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
NONCE = "n0nce-for-tests"
NPM = Path(__file__).resolve().parents[2] / ".cache" / "npm" / "node_modules"

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Banner demo</title>
<script{nonce}>window.__order = [];</script>
<script{nonce} src="{api}/banner.js" data-site-key="{key}" data-api="{api}"
  data-policy-url="/cookies" defer></script>
</head><body>
<h1>Demo shop</h1>
<p><a href="#" id="manage" data-ca-manage>Manage cookies</a></p>
<script{nonce} type="text/plain" data-category="analytics">
window.__analyticsRan = true; window.__order.push("analytics-1");
</script>
<script{nonce} type="text/plain" data-category="analytics"
  src="https://{tracker}/t.js?c=analytics&amp;k={key}" data-extra="kept"></script>
<script{nonce} type="text/plain" data-category="analytics">
window.__order.push("analytics-2 after tracker=" + String(window.__trackerRan));
</script>
<script{nonce} type="text/plain" data-category="marketing">
window.__marketingRan = true; window.__order.push("marketing");
</script>
<script{nonce} type="text/plain" data-category="necessary">
window.__order.push("necessary");
</script>
<iframe data-src="https://{tracker}/frame?k={key}" data-category="marketing" title="ad"></iframe>
</body></html>
"""

TRACKER_JS = """
window.__trackerRan = true;
window.__trackerAttr = document.currentScript && document.currentScript.dataset.extra;
window.__order.push("tracker");
document.cookie = "_tr=" + Math.random().toString(36).slice(2) + "; path=/; max-age=3600";
"""


ADAPTER = (
    '<script src="{api}/adapters/{name}.js" data-site-key="{key}" data-api="{api}"{extra}></script>'
)

#: vanilla-cookieconsent v3: the adapter before CookieConsent.run(). hideFromBots is off because
#: the test browser's user agent says HeadlessChrome.
CC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vanilla-cookieconsent demo</title>
<link rel="stylesheet" href="/npm/vanilla-cookieconsent/dist/cookieconsent.css">
{adapter}
<script src="/npm/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>
</head><body><h1>vanilla-cookieconsent</h1>
<script>
CookieConsent.run({{
  hideFromBots: false,
  categories: {{necessary: {{enabled: true, readOnly: true}}, analytics: {{}}, ads: {{}}}},
  language: {{default: "en", translations: {{en: {{
    consentModal: {{title: "Cookies", description: "We use cookies.",
      acceptAllBtn: "Accept all", acceptNecessaryBtn: "Reject all",
      showPreferencesBtn: "Manage preferences"}},
    preferencesModal: {{title: "Preferences", acceptAllBtn: "Accept all",
      acceptNecessaryBtn: "Reject all", savePreferencesBtn: "Save preferences",
      sections: [{{title: "Necessary", linkedCategory: "necessary"}},
        {{title: "Analytics", linkedCategory: "analytics"}},
        {{title: "Ads", linkedCategory: "ads"}}]}}
  }}}}}}
}});
</script>
</body></html>
"""

#: Klaro with a local config: two services, one per purpose; the adapter after klaro.js.
KLARO_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Klaro demo</title>
<script>
window.klaroConfig = {{
  storageMethod: "cookie", lang: "en", acceptAll: true, hideDeclineAll: false,
  services: [
    {{name: "matomo", title: "Matomo", purposes: ["analytics"]}},
    {{name: "adnet", title: "Ad network", purposes: ["marketing"]}}
  ]
}};
</script>
<script defer src="/npm/klaro/dist/klaro.js"></script>
{adapter}
</head><body><h1>Klaro</h1></body></html>
"""

#: tarteaucitron with two services of its own (analytic and ads types).
TAC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tarteaucitron demo</title>
<script src="/npm/tarteaucitronjs/tarteaucitron.js"></script>
{adapter}
</head><body><h1>tarteaucitron</h1>
<script>
tarteaucitron.init({{privacyUrl: "", hashtag: "#tarteaucitron", cookieName: "tarteaucitron",
  orientation: "bottom", showAlertSmall: false, cookieslist: false, highPrivacy: true,
  DenyAllCta: true, AcceptAllCta: true, mandatory: true, useExternalCss: false}});
tarteaucitron.services.demostats = {{key: "demostats", type: "analytic", name: "Demo stats",
  uri: "", needConsent: true, cookies: [], js: function () {{ window.__statsRan = true; }}}};
tarteaucitron.services.demoads = {{key: "demoads", type: "ads", name: "Demo ads",
  uri: "", needConsent: true, cookies: [], js: function () {{ window.__adsRan = true; }}}};
(tarteaucitron.job = tarteaucitron.job || []).push("demostats", "demoads");
</script>
</body></html>
"""

ADAPTER_PAGES = {
    "vanilla-cookieconsent": (CC_PAGE, ""),
    "klaro": (KLARO_PAGE, " defer"),
    "tarteaucitron": (TAC_PAGE, ""),
}


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
        csp = request.args.get("csp") == "1"
        html = PAGE.format(
            nonce=f' nonce="{NONCE}"' if csp else "",
            lang=escape(lang),
            key=escape(key),
            api=API,
            tracker=TRACKER_HOST,
        )
        response = Response(html, mimetype="text/html")
        if csp:
            response.headers["Content-Security-Policy"] = (
                f"script-src 'nonce-{NONCE}' {API} https://{TRACKER_HOST}; "
                f"style-src 'nonce-{NONCE}'; connect-src {API}"
            )
        return response

    @app.get("/adapter/<name>")
    def adapter_page(name: str) -> Response:
        """A page using a real open-source banner plus our adapter for it."""
        if name not in ADAPTER_PAGES:
            abort(404)
        template, extra = ADAPTER_PAGES[name]
        key = escape(request.args.get("key", ""))
        tag = ADAPTER.format(api=API, name=name, key=key, extra=extra)
        map_ = request.args.get("map")
        if map_:
            tag = tag.replace("></script>", f" data-map='{escape(map_)}'></script>")
        return Response(template.format(adapter=tag), mimetype="text/html")

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
