"""Fixture sites mirroring the seed companies, for the policy checker (issue 4).

- www.cloudtemple-docs.test: the Cloud Temple policy ("does not collect any personal data",
  anonymised audience measurement, CNIL exemption) on a docs site that nonetheless loads
  Google Analytics (gtag) on every page, before any choice, with no banner.
- www.in2cloud.test: the In2cloud policy (technical, session, tracking cookies; Google
  Analytics with transfer to the United States) with a banner whose first layer has
  "Tout accepter" and "Tout refuser"; accept loads Google Analytics, but reject still loads the
  Meta pixel (a tracking cookie after "reject all").
- www.honest.test: a French policy declaring technical cookies only and no transfer outside
  the EU; it sets one session cookie and one language preference, and nothing else.
- 127.0.0.1: serves the Cloud Temple policy, for `cookie-audit policy extract URL` tests.

Trackers are included by URL (contracts.md): the tracker fixtures are served by
`tests/fixtureweb/sites/trackers.py` (owner: scanner-core).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import Flask, make_response, request

DATA = Path(__file__).resolve().parents[2] / "policy" / "data"
CLOUD_TEMPLE = DATA / "000_a97ace09c4fba608.txt"  # seed: Cloud Temple (EN)
IN2CLOUD = DATA / "001_164db397119dfc90.txt"  # seed: In2cloud SRL (FR)

GA_ID = "G-CTDOCS1"
GA_ID_IN2 = "G-IN2CLOUD"


def markdown_to_html(text: str, title: str) -> str:
    """Just enough markdown for the seed texts: headings, lists, paragraphs, bold."""
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        "</title></head><body><nav><a href='/'>Home</a></nav><main>"
    ]
    paragraph: list[str] = []
    in_list = False

    def inline(s: str) -> str:
        s = html.escape(s)
        s = re.sub(
            r"\*\*\*?(.+?)\*\*\*?|___?(.+?)___?",
            lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>",
            s,
        )
        return re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"<a href='\2'>\1</a>", s)

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            out.append("<p>" + " ".join(inline(p) for p in paragraph) + "</p>")
            paragraph = []

    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("---",) or stripped.startswith("title:"):
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading or stripped.startswith("- ") or not stripped:
            flush()
        if in_list and not stripped.startswith("- "):
            out.append("</ul>")
            in_list = False
        if heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2).strip('*'))}</h{level}>")
        elif stripped.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(stripped[2:])}</li>")
        elif stripped:
            paragraph.append(stripped)
    flush()
    if in_list:
        out.append("</ul>")
    out.append("</main></body></html>")
    return "\n".join(out)


def _gtag(ga_id: str) -> str:
    return (
        f"<script async src='https://www.googletagmanager.com/gtag/js?id={ga_id}'></script>"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        f"gtag('js',new Date());gtag('config','{ga_id}');</script>"
    )


# --- www.cloudtemple-docs.test ----------------------------------------------------------------

cloudtemple = Flask("cloudtemple_docs")


@cloudtemple.get("/")
def ct_home():  # type: ignore[no-untyped-def]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Cloud Temple docs</title>"
        + _gtag(GA_ID)
        + "</head><body><h1>Documentation</h1><p>Welcome to the documentation.</p>"
        "<p><a href='/guides/start'>Getting started</a></p>"
        "<footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )


@cloudtemple.get("/guides/start")
def ct_guide():  # type: ignore[no-untyped-def]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Getting started</title>"
        + _gtag(GA_ID)
        + "</head><body><h1>Getting started</h1><p>Create a tenant.</p>"
        "<footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )


@cloudtemple.get("/privacy")
def ct_privacy():  # type: ignore[no-untyped-def]
    page = markdown_to_html(CLOUD_TEMPLE.read_text(encoding="utf-8"), "Privacy")
    return page.replace("</head>", _gtag(GA_ID) + "</head>", 1)


# --- www.in2cloud.test ------------------------------------------------------------------------

_BANNER = """
<div id="cookie-banner" class="cookie-banner" role="dialog" aria-modal="false"
     aria-label="Cookies" style="position:fixed;bottom:0;left:0;right:0;padding:16px;
     background:#fff;border-top:1px solid #333;z-index:1000">
  <p>Nous utilisons des cookies pour mesurer l'audience et personnaliser le contenu.
     <a href="/politique-de-confidentialite">En savoir plus</a></p>
  <button id="cookie-accept" type="button">Tout accepter</button>
  <button id="cookie-reject" type="button">Tout refuser</button>
</div>
<script>
(function () {
  function load(src) { var s = document.createElement('script'); s.src = src; s.async = true;
    document.head.appendChild(s); }
  function choose(choice) {
    document.cookie = 'cookieconsent_status=' + choice +
      '; path=/; max-age=15552000; SameSite=Lax';
    apply(choice);
    var b = document.getElementById('cookie-banner'); if (b) { b.remove(); }
  }
  function apply(choice) {
    if (choice === 'accept') {
      window.dataLayer = window.dataLayer || [];
      window.gtag = function () { dataLayer.push(arguments); };
      gtag('js', new Date()); gtag('config', '__GA__');
      load('https://www.googletagmanager.com/gtag/js?id=__GA__');
    }
    // the defect this site exists for: the Meta pixel loads whatever the visitor chose
    load('https://connect.facebook.net/en_US/fbevents.js');
  }
  var m = document.cookie.match(/(?:^|; )cookieconsent_status=(accept|reject)/);
  if (m) { apply(m[1]); var b = document.getElementById('cookie-banner'); if (b) b.remove(); }
  var on = function (id, choice) {
    document.getElementById(id).addEventListener('click', function () { choose(choice); });
  };
  on('cookie-accept', 'accept');
  on('cookie-reject', 'reject');
})();
</script>
""".replace("__GA__", GA_ID_IN2)

in2cloud = Flask("in2cloud")


def _in2_page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><h1>{title}</h1>{body}"
        "<footer><a href='/politique-de-confidentialite'>Politique de confidentialité</a>"
        "</footer>" + _BANNER + "</body></html>"
    )


@in2cloud.get("/")
def in2_home():  # type: ignore[no-untyped-def]
    return _in2_page(
        "In2cloud",
        "<p>Solutions cloud pour les entreprises.</p><p><a href='/services'>Nos services</a></p>",
    )


@in2cloud.get("/services")
def in2_services():  # type: ignore[no-untyped-def]
    return _in2_page("Nos services", "<p>Hébergement, sauvegarde, support.</p>")


@in2cloud.get("/politique-de-confidentialite")
def in2_policy():  # type: ignore[no-untyped-def]
    page = markdown_to_html(IN2CLOUD.read_text(encoding="utf-8"), "Politique de confidentialité")
    return page.replace("</body>", _BANNER + "</body>", 1)


# --- www.honest.test --------------------------------------------------------------------------

HONEST_POLICY = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Politique de confidentialité et cookies</title></head><body>
<nav><a href="/">Accueil</a></nav>
<main>
<h1>Politique de confidentialité et cookies</h1>
<h2>Cookies</h2>
<p>Ce site utilise uniquement des cookies strictement nécessaires à son fonctionnement :
un cookie de session qui maintient votre panier, supprimé à la fermeture du navigateur, et un
cookie technique qui mémorise votre langue pendant 6 mois.</p>
<p>Ces cookies sont exemptés de consentement car ils sont strictement nécessaires au service
que vous demandez. Nous n'utilisons aucun cookie de mesure d'audience ni aucun cookie
publicitaire.</p>
<table>
<tr><th>Nom</th><th>Finalité</th><th>Durée</th></tr>
<tr><td>sessionid</td><td>Cookie de session (panier)</td><td>Session</td></tr>
<tr><td>django_language</td><td>Cookie technique (langue)</td><td>6 mois</td></tr>
</table>
<h2>Vos données</h2>
<p>Les données de vos commandes sont conservées pendant 3 ans après votre dernier achat.</p>
<p>Vos données sont hébergées en France et ne sont jamais transférées hors de l'Union
européenne.</p>
<p>Vous disposez d'un droit d'accès, de rectification et d'effacement de vos données :
écrivez à notre délégué à la protection des données, dpo@honest.test.</p>
</main></body></html>"""

honest = Flask("honest")


@honest.get("/")
def honest_home():  # type: ignore[no-untyped-def]
    resp = make_response(
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Honest shop</title>"
        "</head><body><h1>Boutique honnête</h1><p><a href='/produits'>Nos produits</a></p>"
        "<footer><a href='/confidentialite'>Politique de confidentialité</a> · "
        "<a href='/mentions-legales'>Mentions légales</a></footer></body></html>"
    )
    if "sessionid" not in request.cookies:
        resp.set_cookie("sessionid", "s3cr3t-session", httponly=True, samesite="Lax")
    if "django_language" not in request.cookies:
        resp.set_cookie("django_language", "fr", max_age=180 * 86400, samesite="Lax")
    return resp


@honest.get("/produits")
def honest_products():  # type: ignore[no-untyped-def]
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Produits</title>"
        "</head><body><h1>Produits</h1><p>Du miel.</p>"
        "<footer><a href='/confidentialite'>Politique de confidentialité</a></footer>"
        "</body></html>"
    )


@honest.get("/confidentialite")
def honest_policy():  # type: ignore[no-untyped-def]
    return HONEST_POLICY


@honest.get("/mentions-legales")
def honest_legal():  # type: ignore[no-untyped-def]
    return (
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>Mentions légales"
        "</title></head><body><h1>Mentions légales</h1><p>Éditeur : Honest SAS, Paris. "
        "Hébergeur : OVH, Roubaix.</p></body></html>"
    )


# --- 127.0.0.1 (for `policy extract URL`) ---------------------------------------------------

loopback = Flask("policy_loopback")


@loopback.get("/privacy")
def loopback_privacy():  # type: ignore[no-untyped-def]
    return markdown_to_html(CLOUD_TEMPLE.read_text(encoding="utf-8"), "Privacy")


@loopback.get("/policy.pdf")
def loopback_pdf():  # type: ignore[no-untyped-def]
    resp = make_response(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    resp.headers["Content-Type"] = "application/pdf"
    return resp


SITES = {
    "www.cloudtemple-docs.test": cloudtemple.wsgi_app,
    "www.in2cloud.test": in2cloud.wsgi_app,
    "www.honest.test": honest.wsgi_app,
    "127.0.0.1": loopback.wsgi_app,
}
