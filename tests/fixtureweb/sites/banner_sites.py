"""Sites guarded by REAL consent banners from npm (see tests/fixtureweb/npm_assets.py).

One honest and one dishonest site per banner library, plus a banner with accept but no reject
on its first layer. Honest sites load Google Analytics (`gtag/js`) and the Facebook pixel only
through the banner's own mechanism, after consent. Dishonest sites also load GA with a plain
script tag, so `_ga` is set whatever the visitor chooses. The trackers themselves are the
simulated ones on their real host names (tests/fixtureweb/sites/trackers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tests.fixtureweb.npm_assets import serve_npm

GA = "https://www.googletagmanager.com/gtag/js?id=G-{id}"
FB = "https://connect.facebook.net/en_US/fbevents.js"

GTAG_BOOT = (
    "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
    "gtag('js',new Date());gtag('config','G-{id}');</script>"
)


def _dishonest(ga_id: str) -> str:
    """What a site that ignores the banner does: GA and the Facebook pixel loaded straight away.

    tarteaucitron deletes the first-party cookies of refused services on every page, so only the
    third-party `fr` (on .facebook.com, out of its reach) is sure to survive there.
    """
    return (
        GTAG_BOOT.replace("{id}", ga_id)
        + f'<script async src="{GA.format(id=ga_id)}"></script>'
        + f'<script async src="{FB}"></script>'
    )


def _page(title: str, head: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body><h1>{title}</h1><p>We use cookies for analytics and ads."
        f" <a href='/about'>About us</a></p>{body}</body></html>"
    )


def tarteaucitron(dishonest: bool, deny_on_first_layer: bool = True) -> str:
    ga_id = "TARTE" + ("BAD" if dishonest else "OK")
    head = (
        "<script src='/npm/tarteaucitronjs/tarteaucitron.js'></script>"
        "<script>tarteaucitron.init({privacyUrl:'',bodyPosition:'bottom',hashtag:'#tarteaucitron',"
        "cookieName:'tarteaucitron',orientation:'middle',groupServices:false,showDetailsOnClick:true,"
        "serviceDefaultState:'wait',showAlertSmall:false,cookieslist:false,closePopup:false,"
        "showIcon:true,iconPosition:'BottomRight',adblocker:false,"
        f"DenyAllCta:{'true' if deny_on_first_layer else 'false'},AcceptAllCta:true,"
        "highPrivacy:true,alwaysNeedConsent:false,handleBrowserDNTRequest:false,removeCredit:true,"
        "moreInfoLink:true,useExternalCss:false,useExternalJs:false,readmoreLink:'',"
        "mandatory:true,mandatoryCta:true,googleConsentMode:false,partnersList:false});"
        f"tarteaucitron.user.gtagUa='G-{ga_id}';"
        "tarteaucitron.user.facebookpixelId='1234567890';tarteaucitron.user.facebookpixelMore=function(){};"
        "(tarteaucitron.job=tarteaucitron.job||[]).push('gtag');"
        "tarteaucitron.job.push('facebookpixel');</script>"
    )
    if dishonest:
        head += _dishonest(ga_id)
    return _page("tarteaucitron " + ("dishonest" if dishonest else "honest"), head, "")


def klaro(dishonest: bool) -> str:
    ga_id = "KLARO" + ("BAD" if dishonest else "OK")
    head = (
        "<script>window.klaroConfig={version:1,elementID:'klaro',storageMethod:'cookie',"
        "cookieName:'klaro',cookieExpiresAfterDays:180,default:false,mustConsent:false,"
        "acceptAll:true,hideDeclineAll:false,hideLearnMore:false,noticeAsModal:false,lang:'en',"
        "services:[{name:'google-analytics',title:'Google Analytics',purposes:['analytics'],"
        "cookies:[/^_ga/]},{name:'facebook-pixel',title:'Facebook Pixel',purposes:['marketing'],"
        "cookies:['_fbp']}]};</script>"
        "<script defer src='/npm/klaro/dist/klaro.js'></script>"
        + GTAG_BOOT.replace("{id}", ga_id)
        + "<script type='text/plain' data-type='application/javascript'"
        f" data-name='google-analytics' data-src='{GA.format(id=ga_id)}'></script>"
        + "<script type='text/plain' data-type='application/javascript'"
        f" data-name='facebook-pixel' data-src='{FB}'></script>"
    )
    if dishonest:
        head += _dishonest(ga_id)
    return _page("klaro " + ("dishonest" if dishonest else "honest"), head, "")


def vanilla(dishonest: bool) -> str:
    ga_id = "VANILLA" + ("BAD" if dishonest else "OK")
    head = (
        "<link rel='stylesheet' href='/npm/vanilla-cookieconsent/dist/cookieconsent.css'>"
        + GTAG_BOOT.replace("{id}", ga_id)
        + "<script type='text/plain' data-category='analytics'"
        f" src='{GA.format(id=ga_id)}'></script>"
        + f"<script type='text/plain' data-category='marketing' src='{FB}'></script>"
    )
    if dishonest:
        head += _dishonest(ga_id)
    body = (
        "<script src='/npm/vanilla-cookieconsent/dist/cookieconsent.umd.js'></script>"
        "<script>CookieConsent.run({categories:{necessary:{enabled:true,readOnly:true},"
        "analytics:{},marketing:{}},language:{default:'en',translations:{en:{consentModal:{"
        "title:'We use cookies',description:'Analytics and ads, with your consent.',"
        "acceptAllBtn:'Accept all',acceptNecessaryBtn:'Reject all',showPreferencesBtn:'Manage'},"
        "preferencesModal:{title:'Preferences',acceptAllBtn:'Accept all',"
        "acceptNecessaryBtn:'Reject all',savePreferencesBtn:'Save',sections:["
        "{title:'Necessary',linkedCategory:'necessary'},{title:'Analytics',linkedCategory:'analytics'},"
        "{title:'Marketing',linkedCategory:'marketing'}]}}}}});</script>"
    )
    return _page("vanilla-cookieconsent " + ("dishonest" if dishonest else "honest"), head, body)


def osano(kind: str, dishonest: bool) -> str:
    """Osano's cookieconsent 3: `opt-in` has Allow/Decline; `info` has only "Got it!"."""
    ga_id = "OSANO" + ("BAD" if dishonest else "OK") + kind.replace("-", "").upper()
    head = (
        "<link rel='stylesheet' href='/npm/cookieconsent/build/cookieconsent.min.css'>"
        + GTAG_BOOT.replace("{id}", ga_id)
    )
    if dishonest:
        head += _dishonest(ga_id)
    body = (
        "<script src='/npm/cookieconsent/build/cookieconsent.min.js'></script>"
        "<script>function caLoad(){for(const src of ["
        f"'{GA.format(id=ga_id)}','{FB}']){{const s=document.createElement('script');"
        "s.async=true;s.src=src;document.head.appendChild(s);}}"
        f"window.addEventListener('load',function(){{window.cookieconsent.initialise({{type:'{kind}',"
        "revokable:false,law:{regionalLaw:false},location:false,"
        "onInitialise:function(status){if(this.hasConsented())caLoad();},"
        "onStatusChange:function(status){if(this.hasConsented())caLoad();}});});</script>"
    )
    title = f"osano cookieconsent {kind} " + ("dishonest" if dishonest else "honest")
    return _page(title, head, body)


def reference_banner() -> str:
    """The markup contract of our own banner (consent_api/static/banner.js): `#ca-banner` with
    `#ca-accept` / `#ca-reject` / `#ca-customise`. Static here so the scanner test needs no API;
    the real banner.js is tested against the API in tests/consent_api."""
    body = (
        "<div id='ca-banner' role='dialog'><h2>Cookies</h2><p>We would like to measure visits.</p>"
        "<button id='ca-accept'>Accept all</button><button id='ca-reject'>Reject all</button>"
        "<button id='ca-customise'>Customise</button></div><script>"
        "const ok=document.cookie.match(/ca_consent=([^;]+)/);"
        "function done(all){"
        "document.cookie='ca_consent='+(all?'all':'none')+';path=/;max-age=3600';"
        "document.getElementById('ca-banner').remove();if(all)caLoad();}"
        "function caLoad(){const s=document.createElement('script');"
        f"s.src='{GA.format(id='REF')}';"
        "document.head.appendChild(s);}"
        "if(ok){document.getElementById('ca-banner').remove();if(ok[1]==='all')caLoad();}"
        "document.getElementById('ca-accept').onclick=()=>done(true);"
        "document.getElementById('ca-reject').onclick=()=>done(false);</script>"
    )
    return _page("reference banner", GTAG_BOOT.replace("{id}", "REF"), body)


def generic_french() -> str:
    """A home-made banner no autoconsent rule knows, in French."""
    body = (
        "<div class='bandeau'><p>Nous utilisons des cookies pour mesurer l'audience.</p>"
        "<button class='b1'>Tout accepter</button> <button class='b2'>Tout refuser</button></div>"
        "<script>const b=document.querySelector('.bandeau');"
        "const c=document.cookie.match(/choix=(\\w+)/);"
        f"function load(){{const s=document.createElement('script');s.src='{GA.format(id='FR')}';"
        "document.head.appendChild(s);}"
        "function pick(v){document.cookie='choix='+v+';path=/;max-age=3600';b.remove();"
        "if(v==='oui')load();}"
        "if(c){b.remove();if(c[1]==='oui')load();}"
        "document.querySelector('.b1').onclick=()=>pick('oui');"
        "document.querySelector('.b2').onclick=()=>pick('non');</script>"
    )
    return _page("bandeau maison", GTAG_BOOT.replace("{id}", "FR"), body)


def iframe_host() -> str:
    """A page whose banner lives in a third-party iframe (as Sourcepoint or TrustArc do)."""
    body = (
        "<iframe src='https://consent.iframe-cmp.test/frame' style='width:600px;height:200px'>"
        "</iframe><script>window.addEventListener('message',(e)=>{"
        "if(e.origin==='https://consent.iframe-cmp.test'&&e.data==='accept'){"
        "const s=document.createElement('script');"
        f"s.src='{GA.format(id='IFRAME')}';document.head.appendChild(s);}}}});</script>"
    )
    return _page("banner in an iframe", GTAG_BOOT.replace("{id}", "IFRAME"), body)


def iframe_banner() -> str:
    return (
        "<!doctype html><div id='ca-banner'><p>Cookies?</p>"
        "<button id='ca-accept'>Accept all</button><button id='ca-reject'>Reject all</button>"
        "</div><script>function done(v){document.getElementById('ca-banner').remove();"
        "parent.postMessage(v,'*');}"
        "document.getElementById('ca-accept').onclick=()=>done('accept');"
        "document.getElementById('ca-reject').onclick=()=>done('reject');</script>"
    )


def no_banner() -> str:
    return _page("no banner", "", "<p>Nothing to consent to here.</p>")


def _site(
    html: str, path: str = "/"
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    body = html.encode()
    home = path

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        path_home = home
        if path.startswith("/npm/"):
            return serve_npm(environ, start_response, path[len("/npm/") :])
        if path in {path_home, "/about"}:
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


SITES = {
    "www.tarteaucitron-honest.test": _site(tarteaucitron(False)),
    "www.tarteaucitron-dishonest.test": _site(tarteaucitron(True)),
    "www.klaro-honest.test": _site(klaro(False)),
    "www.klaro-dishonest.test": _site(klaro(True)),
    "www.vanilla-honest.test": _site(vanilla(False)),
    "www.vanilla-dishonest.test": _site(vanilla(True)),
    "www.osano-honest.test": _site(osano("opt-in", False)),
    "www.osano-dishonest.test": _site(osano("opt-in", True)),
    "www.osano-acceptonly.test": _site(osano("info", False)),
    "www.reference-banner.test": _site(reference_banner()),
    "www.generic-fr.test": _site(generic_french()),
    "www.iframe-banner.test": _site(iframe_host()),
    "consent.iframe-cmp.test": _site(iframe_banner(), path="/frame"),
    "www.nobanner.test": _site(no_banner()),
}
