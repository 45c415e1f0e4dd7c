"""Honest sites in five languages, and two sites with real problems, for findings precision.

Every honest site has a banner with "reject" on its first layer (the reference banner markup,
`#ca-banner` / `#ca-accept` / `#ca-reject`), sets only a session cookie and a language cookie
before any choice (plus the consent cookie once chosen), loads the Facebook pixel, Hotjar and a
YouTube video only after "accept all", and declares every cookie by name in its policy with
the words real policies use for the categories ("publicité", "réseaux sociaux", "mesure
d'audience", "Marketing", "Statistik", "analítica", "profilazione"...), each lifetime no shorter
than what the cookie asks for, and the transfers to the United States with their safeguards.
Not one finding is expected on them (tests/fixtureweb/expected_findings.yaml).

The two problem sites break rules on purpose (trackers before any choice, a "no transfer outside
the EU" promise broken, lifetimes longer than declared, a "session" cookie that persists, a
banner without reject on its first layer); every problem is listed in the expectations.

Written for these tests (typical wording of real policies, not copied from any site).
"""

from __future__ import annotations

from flask import Flask, Response, make_response, request

from scanner.demo.server import WSGIApp

FB = "https://connect.facebook.net/en_US/fbevents.js"
HOTJAR = "https://static.hotjar.com/c/hotjar-{id}.js"
YOUTUBE = "https://www.youtube.com/embed/{video}"


def _banner(texts: dict[str, str], *, reject: bool = True) -> str:
    """The reference banner; accept loads the scripts held in `data-src` and the video."""
    reject_button = f"<button id='ca-reject'>{texts['reject']}</button> " if reject else ""
    return f"""
<div id="ca-banner" role="dialog" aria-label="Cookies" style="position:fixed;bottom:0;left:0;
 right:0;padding:1em;background:#fff;border-top:2px solid #333">
 <p>{texts["text"]} <a href="{texts["policy_url"]}">{texts["policy_link"]}</a></p>
 {reject_button}<button id="ca-accept">{texts["accept"]}</button>
 <button id="ca-customise">{texts["customise"]}</button>
</div>
<script>
(function () {{
  var banner = document.getElementById('ca-banner');
  function load() {{
    document.querySelectorAll('script[type="text/plain"][data-src]').forEach(function (s) {{
      var n = document.createElement('script'); n.src = s.getAttribute('data-src');
      document.head.appendChild(n);
    }});
    document.querySelectorAll('[data-video]').forEach(function (d) {{
      var f = document.createElement('iframe'); f.src = d.getAttribute('data-video');
      f.width = 320; f.height = 180; d.appendChild(f);
    }});
  }}
  function choose(all) {{
    document.cookie = 'ca_consent=' + (all ? 'all' : 'none') + '; path=/; max-age=' +
      180 * 86400 + '; SameSite=Lax';
    banner.remove();
    if (all) load();
  }}
  var m = document.cookie.match(/(?:^|; )ca_consent=(all|none)/);
  if (m) {{ banner.remove(); if (m[1] === 'all') load(); }}
  var r = document.getElementById('ca-reject');
  if (r) r.onclick = function () {{ choose(false); }};
  document.getElementById('ca-accept').onclick = function () {{ choose(true); }};
  document.getElementById('ca-customise').onclick = function () {{ choose(false); }};
}})();
</script>
"""


def _held(src: str) -> str:
    return f"<script type='text/plain' data-src='{src}'></script>"


class _Site:
    """One fixture site: a home page, a products page with a video, a policy page."""

    def __init__(
        self,
        host: str,
        lang: str,
        texts: dict[str, str],
        policy_html: str,
        *,
        session_cookie: str = "sessionid",
        lang_cookie: str = "lang",
        hotjar_id: str = "4242",
        before_consent: str = "",
        reject: bool = True,
        extra_cookies: tuple[tuple[str, str, int | None], ...] = (),
    ) -> None:
        self.host = host
        self.app = Flask(host)
        held = _held(FB) + _held(HOTJAR.format(id=hotjar_id))
        banner = _banner(texts, reject=reject)

        def page(title: str, body: str) -> Response:
            html = (
                f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
                f"<title>{title}</title>{held}{before_consent}</head><body><h1>{title}</h1>"
                f"{body}<footer><a href='{texts['policy_url']}'>{texts['policy_link']}</a>"
                f"</footer>{banner}</body></html>"
            )
            resp = make_response(html)
            resp.headers["Content-Type"] = "text/html; charset=utf-8"
            if session_cookie not in request.cookies:
                resp.set_cookie(session_cookie, "9f8e7d6c5b4a3928", httponly=True, samesite="Lax")
            if lang_cookie not in request.cookies:
                resp.set_cookie(lang_cookie, lang, max_age=180 * 86400, samesite="Lax")
            for name, value, max_age in extra_cookies:
                if name not in request.cookies:
                    resp.set_cookie(name, value, max_age=max_age, samesite="Lax")
            return resp

        @self.app.get("/")
        def home() -> Response:
            return page(texts["home"], f"<p><a href='/products'>{texts['products']}</a></p>")

        @self.app.get("/products")
        def products() -> Response:
            video = YOUTUBE.format(video="honest" + lang)
            return page(texts["products"], f"<div data-video='{video}'></div>")

        @self.app.get(texts["policy_url"])
        def policy() -> Response:
            return page(texts["policy_link"], policy_html)


# --- FR: a cookie table with "Nécessaire", "Mesure d'audience", "Publicité", "Réseaux sociaux"

FR_POLICY = """
<h2>Les cookies que nous utilisons</h2>
<p>Les cookies nécessaires au fonctionnement du site sont déposés sans consentement. Les
cookies de mesure d'audience, de publicité et de réseaux sociaux ne sont déposés qu'avec votre
accord, que vous pouvez retirer à tout moment.</p>
<table>
<tr><th>Cookie</th><th>Catégorie</th><th>Finalité</th><th>Durée</th><th>Émetteur</th></tr>
<tr><td>sessionid</td><td>Nécessaire</td><td>Maintient votre panier</td><td>Session</td>
<td>boutique-honnete.test</td></tr>
<tr><td>lang</td><td>Nécessaire</td><td>Mémorise votre langue</td><td>6 mois</td>
<td>boutique-honnete.test</td></tr>
<tr><td>ca_consent</td><td>Nécessaire</td><td>Conserve vos choix de cookies</td><td>6 mois</td>
<td>boutique-honnete.test</td></tr>
<tr><td>_hjSessionUser_4242</td><td>Mesure d'audience</td><td>Hotjar : visiteur unique</td>
<td>1 an</td><td>Hotjar</td></tr>
<tr><td>_hjSession_4242</td><td>Mesure d'audience</td><td>Hotjar : visite en cours</td>
<td>30 minutes</td><td>Hotjar</td></tr>
<tr><td>_fbp</td><td>Publicité</td><td>Pixel Meta : mesure des campagnes</td><td>3 mois</td>
<td>Meta</td></tr>
<tr><td>fr</td><td>Publicité</td><td>Ciblage publicitaire de Meta</td><td>3 mois</td>
<td>facebook.com</td></tr>
<tr><td>YSC</td><td>Réseaux sociaux</td><td>Vidéos YouTube</td><td>Session</td>
<td>youtube.com</td></tr>
<tr><td>VISITOR_INFO1_LIVE</td><td>Réseaux sociaux</td><td>Vidéos YouTube</td><td>6 mois</td>
<td>youtube.com</td></tr>
</table>
<h2>Transferts</h2>
<p>Meta Platforms et Google (YouTube) sont établis aux États-Unis : les transferts sont
encadrés par le Data Privacy Framework et les clauses contractuelles types.</p>
<p>Contact : dpo@boutique-honnete.test.</p>
"""

FR_TEXTS = {
    "home": "Boutique honnête",
    "products": "Nos produits",
    "policy_url": "/politique-cookies",
    "policy_link": "Politique cookies",
    "text": "Nous utilisons des cookies de mesure d'audience, de publicité et de réseaux sociaux.",
    "accept": "Tout accepter",
    "reject": "Tout refuser",
    "customise": "Personnaliser",
}

# --- EN: a table with "Strictly necessary", "Analytics", "Marketing", "Social media" ---------

EN_POLICY = """
<h2>Cookies on this site</h2>
<p>Strictly necessary cookies are always on. Analytics, marketing and social media cookies are
only set if you accept them in our banner.</p>
<table>
<thead><tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Type</th><th>Expiry</th></tr>
</thead><tbody>
<tr><td>PHPSESSID</td><td>honest-news.test</td><td>Keeps you signed in</td>
<td>Strictly necessary</td><td>Session</td></tr>
<tr><td>lang</td><td>honest-news.test</td><td>Remembers your language</td>
<td>Strictly necessary</td><td>6 months</td></tr>
<tr><td>ca_consent</td><td>honest-news.test</td><td>Remembers your cookie choices</td>
<td>Strictly necessary</td><td>6 months</td></tr>
<tr><td>_hjSessionUser_*</td><td>Hotjar</td><td>Counts returning visitors</td>
<td>Analytics</td><td>1 year</td></tr>
<tr><td>_hjSession_*</td><td>Hotjar</td><td>Groups the pages of one visit</td>
<td>Analytics</td><td>30 minutes</td></tr>
<tr><td>_fbp</td><td>Meta</td><td>Measures our ads on Facebook and Instagram</td>
<td>Marketing</td><td>3 months</td></tr>
<tr><td>fr</td><td>facebook.com</td><td>Ad delivery and retargeting</td>
<td>Marketing</td><td>3 months</td></tr>
<tr><td>YSC, VISITOR_INFO1_LIVE</td><td>YouTube</td><td>Embedded videos</td>
<td>Social media</td><td>Session / 6 months</td></tr>
</tbody></table>
<h2>International transfers</h2>
<p>Meta and Google are based in the United States; transfers rely on the EU-US Data Privacy
Framework.</p>
"""

EN_TEXTS = {
    "home": "Honest news",
    "products": "Videos",
    "policy_url": "/cookie-policy",
    "policy_link": "Cookie policy",
    "text": "We use analytics, marketing and social media cookies with your consent.",
    "accept": "Accept all",
    "reject": "Reject all",
    "customise": "Settings",
}

# --- DE: cookies named in a list and in prose: "Notwendig", "Statistik", "Marketing" ---------

DE_POLICY = """
<h2>Cookies</h2>
<p>Notwendige Cookies setzen wir ohne Einwilligung. Das Sitzungs-Cookie PHPSESSID hält Ihren
Warenkorb bis zum Schließen des Browsers; das technische Cookie lang speichert Ihre Sprache
für 6 Monate; ca_consent speichert Ihre Cookie-Auswahl für 6 Monate.</p>
<p>Nur mit Ihrer Einwilligung:</p>
<ul>
<li>Statistik (Hotjar): _hjSessionUser_4242 (1 Jahr) und _hjSession_4242 (30 Minuten)</li>
<li>Marketing (Meta-Pixel): _fbp (3 Monate) und fr auf facebook.com (3 Monate)</li>
<li>Soziale Medien (YouTube-Videos): YSC (Sitzung) und VISITOR_INFO1_LIVE (6 Monate)</li>
</ul>
<p>Meta und Google (YouTube) übermitteln Daten in die USA; Grundlage ist das EU-US Data Privacy
Framework.</p>
"""

DE_TEXTS = {
    "home": "Ehrlicher Laden",
    "products": "Produkte",
    "policy_url": "/datenschutz",
    "policy_link": "Datenschutzerklärung",
    "text": "Wir verwenden Cookies für Statistik und Marketing, nur mit Ihrer Einwilligung.",
    "accept": "Alle akzeptieren",
    "reject": "Alle ablehnen",
    "customise": "Einstellungen",
}

# --- ES (held out): "Técnicas", "Analíticas", "Publicidad comportamental", "Redes sociales" --

ES_POLICY = """
<h2>Política de cookies</h2>
<p>Este sitio utiliza cookies técnicas, que no requieren consentimiento, y cookies analíticas,
publicitarias y de redes sociales, que solo se instalan si usted las acepta.</p>
<table>
<tr><th>Nombre</th><th>Tipo</th><th>Finalidad</th><th>Duración</th><th>Titular</th></tr>
<tr><td>sessionid</td><td>Técnica</td><td>Mantener la sesión</td><td>Sesión</td>
<td>Propia</td></tr>
<tr><td>lang</td><td>Técnica</td><td>Recordar el idioma</td><td>6 meses</td><td>Propia</td></tr>
<tr><td>ca_consent</td><td>Técnica</td><td>Guardar sus preferencias de cookies</td>
<td>6 meses</td><td>Propia</td></tr>
<tr><td>_hjSessionUser_4242</td><td>Analítica</td><td>Hotjar</td><td>1 año</td>
<td>Hotjar Ltd.</td></tr>
<tr><td>_hjSession_4242</td><td>Analítica</td><td>Hotjar</td><td>30 minutos</td>
<td>Hotjar Ltd.</td></tr>
<tr><td>_fbp</td><td>Publicidad comportamental</td><td>Píxel de Meta</td><td>3 meses</td>
<td>Meta Platforms</td></tr>
<tr><td>fr</td><td>Publicidad comportamental</td><td>Anuncios de Meta</td><td>3 meses</td>
<td>Meta Platforms</td></tr>
<tr><td>YSC</td><td>Redes sociales</td><td>Vídeos de YouTube</td><td>Sesión</td>
<td>Google</td></tr>
<tr><td>VISITOR_INFO1_LIVE</td><td>Redes sociales</td><td>Vídeos de YouTube</td>
<td>6 meses</td><td>Google</td></tr>
</table>
<p>Meta y Google pueden tratar datos en Estados Unidos al amparo del Marco de Privacidad de
Datos UE-EE. UU. (Data Privacy Framework).</p>
"""

ES_TEXTS = {
    "home": "Tienda honesta",
    "products": "Productos",
    "policy_url": "/politica-de-cookies",
    "policy_link": "Política de cookies",
    "text": "Usamos cookies analíticas y publicitarias si usted las acepta.",
    "accept": "Aceptar todo",
    "reject": "Rechazar todo",
    "customise": "Configurar",
}

# --- IT (held out): "Tecnici", "Statistici", "Profilazione", "Social" ------------------------

IT_POLICY = """
<h2>Informativa sui cookie</h2>
<p>I cookie tecnici sono sempre attivi. I cookie statistici, di profilazione e dei social
network vengono installati solo dopo il suo consenso.</p>
<table>
<tr><th>Nome</th><th>Categoria</th><th>Scopo</th><th>Durata</th></tr>
<tr><td>PHPSESSID</td><td>Tecnico</td><td>Sessione di navigazione</td><td>Sessione</td></tr>
<tr><td>lang</td><td>Tecnico</td><td>Lingua scelta</td><td>6 mesi</td></tr>
<tr><td>ca_consent</td><td>Tecnico</td><td>Preferenze sui cookie</td><td>6 mesi</td></tr>
<tr><td>_hjSessionUser_4242</td><td>Statistico</td><td>Hotjar</td><td>1 anno</td></tr>
<tr><td>_hjSession_4242</td><td>Statistico</td><td>Hotjar</td><td>30 minuti</td></tr>
<tr><td>_fbp</td><td>Profilazione</td><td>Pixel di Meta</td><td>3 mesi</td></tr>
<tr><td>fr</td><td>Profilazione</td><td>Pubblicità di Meta</td><td>3 mesi</td></tr>
<tr><td>YSC</td><td>Social</td><td>Video di YouTube</td><td>Sessione</td></tr>
<tr><td>VISITOR_INFO1_LIVE</td><td>Social</td><td>Video di YouTube</td><td>6 mesi</td></tr>
</table>
<p>Meta e Google trasferiscono dati negli Stati Uniti sulla base del Data Privacy Framework
UE-USA e delle clausole contrattuali standard.</p>
"""

IT_TEXTS = {
    "home": "Negozio onesto",
    "products": "Prodotti",
    "policy_url": "/cookie-policy",
    "policy_link": "Cookie policy",
    "text": "Usiamo cookie statistici e di profilazione solo con il suo consenso.",
    "accept": "Accetta tutto",
    "reject": "Rifiuta tutto",
    "customise": "Personalizza",
}

# --- problem sites -----------------------------------------------------------------------------

#: FR: promises no transfer outside the EU, loads Hotjar before any choice (not declared),
#: declares lang for 1 month (it asks for 6) and _fbp as a session cookie.
FR_PROBLEM_POLICY = """
<h2>Cookies</h2>
<p>Nous utilisons des cookies techniques et, avec votre accord, des cookies publicitaires.</p>
<table>
<tr><th>Nom</th><th>Type</th><th>Durée</th></tr>
<tr><td>sessionid</td><td>Technique</td><td>Session</td></tr>
<tr><td>lang</td><td>Technique</td><td>1 mois</td></tr>
<tr><td>ca_consent</td><td>Technique</td><td>6 mois</td></tr>
<tr><td>_fbp</td><td>Publicitaire</td><td>Session</td></tr>
</table>
<p>Vos données ne sont jamais transférées hors de l'Union européenne.</p>
"""

FR_PROBLEM_TEXTS = {**FR_TEXTS, "home": "Boutique pas nette"}

#: EN: no reject button on the banner's first layer, Hotjar before any choice and not named,
#: a 2-year first-party visitor id, no analytics category declared.
EN_PROBLEM_POLICY = """
<h2>Cookies</h2>
<p>We use strictly necessary cookies (PHPSESSID, lang, ca_consent) and, if you agree, the
Facebook pixel for advertising (_fbp, fr).</p>
"""

EN_PROBLEM_TEXTS = {**EN_TEXTS, "home": "Sloppy shop"}

_HOTJAR_NOW = f"<script async src='{HOTJAR.format(id='777')}'></script>"

_SITES = (
    _Site("www.boutique-honnete.test", "fr", FR_TEXTS, FR_POLICY),
    _Site("www.honest-news.test", "en", EN_TEXTS, EN_POLICY, session_cookie="PHPSESSID"),
    _Site("www.ehrlicher-laden.test", "de", DE_TEXTS, DE_POLICY, session_cookie="PHPSESSID"),
    _Site("www.tienda-honesta.test", "es", ES_TEXTS, ES_POLICY),
    _Site("www.negozio-onesto.test", "it", IT_TEXTS, IT_POLICY, session_cookie="PHPSESSID"),
    _Site(
        "www.boutique-pas-nette.test",
        "fr",
        FR_PROBLEM_TEXTS,
        FR_PROBLEM_POLICY,
        hotjar_id="777",
        before_consent=_HOTJAR_NOW,
    ),
    _Site(
        "www.sloppy-shop.test",
        "en",
        EN_PROBLEM_TEXTS,
        EN_PROBLEM_POLICY,
        session_cookie="PHPSESSID",
        hotjar_id="777",
        before_consent=_HOTJAR_NOW,
        reject=False,
        extra_cookies=(("visitor_id", "a81f3c9e0b7d4e21a81f3c9e", 730 * 86400),),
    ),
)

SITES: dict[str, WSGIApp] = {site.host: site.app.wsgi_app for site in _SITES}
