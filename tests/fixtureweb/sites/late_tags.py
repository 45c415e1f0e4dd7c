"""www.late.test: tags that fire late, as page-speed plugins and tag managers make them.

* a "delayed" pixel injected 2.5 s after `load` (ignores consent): third-party `dly` on
  .delayed-ads.test. Only a page that stays open long enough (the dwell) sees it.
* a tag that waits for the visitor's first interaction (mouse move, key press, scroll, touch)
  and respects consent: after "accept all" it loads cdn.lazy-analytics.test/tag.js, which
  writes the first-party `_lz`.
* a scroll-depth tag (ignores consent): when the visitor scrolls to the bottom of the page it
  calls px.scrolldepth.test, which sets the third-party `sd`.

A banner with the reference banner's markup (`#ca-banner`, found by the `cookie-audit` rule)
stores the choice in `late_consent`. Two pages: / and /about.
"""

from __future__ import annotations

from flask import Flask, Response, make_response

PAGE = """<!doctype html><html><head><title>late {path}</title></head><body>
<h1>Late tags {path}</h1><a href="/about">About us</a>
<div style="height: 4000px">{filler}</div><footer id="end">the end</footer>
<div id="ca-banner" role="dialog" style="position:fixed;bottom:0;left:0;right:0">
  We use cookies for analytics.
  <button id="ca-reject">Reject all</button> <button id="ca-accept">Accept all</button>
</div>
<script>
const choice = (document.cookie.match(/late_consent=(\\w+)/) || [])[1];
const banner = document.getElementById('ca-banner');
if (choice) banner.remove();
const choose = (value) => {{
  document.cookie = 'late_consent=' + value + '; path=/; max-age=15552000';
  banner.remove();
}};
document.getElementById('ca-accept').onclick = () => choose('accept');
document.getElementById('ca-reject').onclick = () => choose('reject');

window.addEventListener('load', () => setTimeout(() => {{
  new Image().src = 'https://px.delayed-ads.test/px?page=' + encodeURIComponent(location.pathname);
}}, 2500));

const events = ['mousemove', 'keydown', 'scroll', 'touchstart'];
const onFirst = () => {{
  events.forEach((e) => window.removeEventListener(e, onFirst));
  if ((document.cookie.match(/late_consent=(\\w+)/) || [])[1] !== 'accept') return;
  const s = document.createElement('script');
  s.src = 'https://cdn.lazy-analytics.test/tag.js';
  document.head.appendChild(s);
}};
events.forEach((e) => window.addEventListener(e, onFirst, {{passive: true}}));

let depthSent = false;
window.addEventListener('scroll', () => {{
  const seen = window.scrollY + window.innerHeight;
  if (!depthSent && seen >= 0.9 * document.documentElement.scrollHeight) {{
    depthSent = true;
    fetch('https://px.scrolldepth.test/hit?d=90', {{credentials: 'include', mode: 'no-cors'}});
  }}
}}, {{passive: true}});
</script></body></html>"""

site = Flask("late")


@site.get("/")
@site.get("/about")
def page() -> Response:
    from flask import request

    return make_response(PAGE.format(path=request.path, filler="<p>text</p>" * 50))


ads = Flask("delayed-ads")


@ads.get("/px")
def pixel() -> Response:
    resp = Response(b"GIF89a", mimetype="image/gif")
    resp.set_cookie("dly", "d-123456789", max_age=90 * 86400, secure=True, samesite="None")
    return resp


lazy = Flask("lazy-analytics")


@lazy.get("/tag.js")
def tag() -> Response:
    js = "document.cookie = '_lz=lz.' + Date.now() + '; path=/; max-age=31536000';"
    return Response(js, mimetype="text/javascript")


depth = Flask("scrolldepth")


@depth.get("/hit")
def hit() -> Response:
    resp = Response(b"", status=204)
    resp.set_cookie("sd", "s-42", max_age=30 * 86400, secure=True, samesite="None")
    return resp


SITES = {
    "www.late.test": site.wsgi_app,
    "px.delayed-ads.test": ads.wsgi_app,
    "cdn.lazy-analytics.test": lazy.wsgi_app,
    "px.scrolldepth.test": depth.wsgi_app,
}
