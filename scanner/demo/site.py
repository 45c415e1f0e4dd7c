"""The bundled demo site for `cookie-audit demo`: a small tea shop with a consent banner.

Everything is in the package (no test code, no npm code), so `make run` works offline on a
clean machine. The banner is our own few lines with the reference banner's markup
(`#ca-banner`, `#ca-accept`, `#ca-reject`, `#ca-customise`), which `scanner.consent` knows.
Analytics and the Facebook pixel wait for "Accept all"; Hotjar loads before any choice, on
purpose, so the demo report has something to say.
"""

from __future__ import annotations

from flask import Flask, Response, make_response, request

from scanner.demo.server import WSGIApp
from scanner.demo.trackers import SITES as TRACKERS

DEMO_HOST = "www.tea-demo.test"
DEMO_URL = f"https://{DEMO_HOST}/"

_BANNER = """
<div id="ca-banner" role="dialog" aria-label="Cookies" style="position:fixed;bottom:0;left:0;
 right:0;padding:1em;background:#fff;border-top:2px solid #333;font-family:sans-serif">
 <p>We use cookies to measure our audience and for advertising.
 <a href="/cookies">Cookie policy</a></p>
 <button id="ca-reject">Reject all</button> <button id="ca-accept">Accept all</button>
 <button id="ca-customise">Customise</button>
</div>
<script>
(function () {
  var banner = document.getElementById('ca-banner');
  function load() {
    document.querySelectorAll('script[type="text/plain"][data-category]').forEach(function (s) {
      var n = document.createElement('script'); n.src = s.getAttribute('data-src');
      document.head.appendChild(n);
    });
  }
  function choose(all) {
    var v = encodeURIComponent(JSON.stringify({choices: {analytics: all, tracking: all},
      ts: Date.now()}));
    document.cookie = 'ca_consent=' + v + '; path=/; max-age=' + 182 * 86400 + '; SameSite=Lax';
    banner.remove();
    if (all) load();
  }
  var m = document.cookie.match(/(?:^|; )ca_consent=([^;]*)/);
  if (m) { banner.remove(); if (JSON.parse(decodeURIComponent(m[1])).choices.analytics) load(); }
  document.getElementById('ca-accept').onclick = function () { choose(true); };
  document.getElementById('ca-reject').onclick = function () { choose(false); };
  document.getElementById('ca-customise').onclick = function () { choose(false); };
})();
</script>
"""

_HEAD = (
    "<script type='text/plain' data-category='analytics' "
    "data-src='https://www.googletagmanager.com/gtag/js?id=G-TEADEMO'></script>"
    "<script type='text/plain' data-category='tracking' "
    "data-src='https://connect.facebook.net/en_US/fbevents.js'></script>"
    "<script src='https://static.hotjar.com/c/hotjar-4242.js' async></script>"
)

#: `cookie-audit demo --serve --plugin-update`: the shop after a plugin update that loads the
#: Facebook pixel on every page before any choice (what a scheduled audit must notice)
PLUGIN_UPDATE = {"on": False}
_PIXEL_NOW = "<script src='https://connect.facebook.net/en_US/fbevents.js' async></script>"

demo = Flask("tea-demo")

_PAGES = {
    "/": ("Tea demo shop", "<p>Fine teas, delivered.</p>"),
    "/teas": ("Our teas", "<p><a href='/teas/green'>Green</a> <a href='/teas/black'>Black</a></p>"),
    "/teas/green": ("Green tea", "<p>Sencha.</p>"),
    "/teas/black": ("Black tea", "<p>Assam.</p>"),
    "/cart": ("Cart", "<script>localStorage.setItem('cart', '[]')</script><p>Empty.</p>"),
    "/privacy": (
        "Privacy policy",
        "<p>We process your orders. Contact: privacy@tea-demo.test.</p>",
    ),
    "/cookies": (
        "Cookie policy",
        "<h2>Cookies</h2><p>PHPSESSID keeps your session (session cookie). ca_consent stores "
        "your cookie choice for 6 months. With your consent we use Google Analytics (_ga, 13 "
        "months) to measure our audience.</p>",
    ),
}


def _render(path: str) -> Response:
    title, body = _PAGES[path]
    nav = "<nav><a href='/'>Home</a> <a href='/teas'>Teas</a> <a href='/cart'>Cart</a></nav>"
    foot = "<footer><a href='/privacy'>Privacy policy</a> <a href='/cookies'>Cookies</a></footer>"
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>{_HEAD}"
        f"{_PIXEL_NOW if PLUGIN_UPDATE['on'] else ''}"
        f"</head><body>{nav}<h1>{title}</h1>{body}{foot}{_BANNER}</body></html>"
    )
    resp = make_response(html)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    if "PHPSESSID" not in request.cookies:
        resp.set_cookie(
            "PHPSESSID",
            "4c0ffee4c0ffee4c0ffee4c0ffee4c0f",
            httponly=True,
            secure=True,
            samesite="Lax",
        )
    return resp


for _path in _PAGES:
    demo.add_url_rule(_path, f"page{len(demo.view_functions)}", lambda p=_path: _render(p))


@demo.get("/sitemap.xml")
def sitemap() -> Response:
    body = (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        + "".join(f"<url><loc>https://{DEMO_HOST}{p}</loc></url>" for p in _PAGES)
        + "</urlset>"
    )
    return Response(body, content_type="application/xml")


SITES: dict[str, WSGIApp] = {DEMO_HOST: demo.wsgi_app, **TRACKERS}
