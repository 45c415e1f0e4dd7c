"""www.spa.test: a single-page app whose router intercepts its links (history.pushState).

Every path serves the same shell; the router renders the route from `location.pathname`, on
load and after each intercepted click. Two trackers fire on route changes only (never on the
first load of a URL), as history-change triggers of tag managers do:

* `ra` (px.route-analytics.test): every route change, consent or not;
* `rt` (px.route-tracker.test): every route change after "accept all".

The banner has the reference banner's markup; the choice is stored in `spa_consent`. The
server sets `spa_sid`. `/pricing` is in sitemap.xml only.
"""

from __future__ import annotations

from flask import Flask, Response, make_response

SHELL = """<!doctype html><html><head><title>spa</title></head><body>
<nav><a href="/">Home</a> <a href="/products">Products</a> <a href="/team">Team</a></nav>
<main id="view"></main>
<div id="ca-banner" role="dialog" style="position:fixed;bottom:0;left:0;right:0;background:#eee">
  We use cookies to measure our audience.
  <button id="ca-reject">Reject all</button> <button id="ca-accept">Accept all</button>
</div>
<script>
const consent = () => (document.cookie.match(/spa_consent=(\\w+)/) || [])[1];
const banner = document.getElementById('ca-banner');
if (consent()) banner.remove();
const choose = (v) => {
  document.cookie = 'spa_consent=' + v + '; path=/; max-age=15552000';
  banner.remove();
};
document.getElementById('ca-accept').onclick = () => choose('accept');
document.getElementById('ca-reject').onclick = () => choose('reject');

const render = () => {
  document.getElementById('view').innerHTML = '<h1>route ' + location.pathname + '</h1>';
  document.title = 'spa ' + location.pathname;
};
const routeChanged = () => {
  const path = encodeURIComponent(location.pathname);
  new Image().src = 'https://px.route-analytics.test/pv?p=' + path;
  if (consent() === 'accept') new Image().src = 'https://px.route-tracker.test/pv?p=' + path;
};
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.origin !== location.origin) return;
  e.preventDefault();
  if (a.href === location.href) return;
  history.pushState({}, '', a.href);
  render();
  routeChanged();
});
window.addEventListener('popstate', render);
render();
</script></body></html>"""

site = Flask("spa")


@site.get("/")
@site.get("/<path:path>")
def shell(path: str = "") -> Response:
    if path == "sitemap.xml":
        return Response(
            "<urlset><url><loc>/pricing</loc></url></urlset>", mimetype="application/xml"
        )
    resp = make_response(SHELL)
    resp.set_cookie("spa_sid", "0123456789abcdef", secure=True, httponly=True)
    return resp


def pixel(name: str, value: str) -> Flask:
    app = Flask(name)

    @app.get("/pv")
    def pv() -> Response:
        resp = Response(b"GIF89a", mimetype="image/gif")
        resp.set_cookie(value, "1", max_age=30 * 86400, secure=True, samesite="None")
        return resp

    return app


SITES = {
    "www.spa.test": site.wsgi_app,
    "px.route-analytics.test": pixel("route-analytics", "ra").wsgi_app,
    "px.route-tracker.test": pixel("route-tracker", "rt").wsgi_app,
}
