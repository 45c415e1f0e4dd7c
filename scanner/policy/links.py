"""Which links of a site lead to its privacy, cookie or legal pages (FR/EN/DE/ES/IT).

The crawler asks this for every same-site link and visits the hits first, so the extractor
gets the policy text without a separate crawl. Link text is more reliable than URLs (which are
often `/page/123`), so both are read; the most specific kind wins: cookies, then privacy, then
legal.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from scanner.policy.text import normalise

_COOKIES = re.compile(
    r"\bcookies?\b|\btraceurs?\b|temoins de connexion|cookie-?richtlinie|"
    r"cookie-?(policy|richtlinie|hinweis|einstellungen|settings|preferences)"
)
_PRIVACY = re.compile(
    r"confidentialit|vie privee|donnees (a caractere )?personnelles|protection des donnees|"
    r"\brgpd\b|\bgdpr\b|\bdsgvo\b|privacy|data protection|personal data|personal information|"
    r"datenschutz|privatsphare|privacidad|proteccion de datos|datos personales|"
    r"informativa|riservatezza|protezione dei dati|dati personali|politique de protection"
)
_LEGAL = re.compile(
    r"mentions? legales?|informations? legales?|legal notice|legal information|\blegal\b|"
    r"impressum|\bimprint\b|aviso legal|nota legal|note legali|avvertenze legali|"
    r"rechtliche hinweise|\bmentions\b"
)
_URL_COOKIES = re.compile(r"cookie|traceur")
_URL_PRIVACY = re.compile(
    r"privacy|privacidad|confidentialit|datenschutz|donnees-personnelles|rgpd|gdpr|dsgvo|"
    r"data-protection|protection-des-donnees|informativa|vie-privee|privacybeleid"
)
_URL_LEGAL = re.compile(
    r"mentions-legales|mentions_legales|legal-notice|legal|impressum|imprint|aviso-legal|"
    r"note-legali"
)
_NOT_A_PAGE = re.compile(r"\.(js|css|png|jpe?g|gif|svg|webp|ico|woff2?|mp4|zip)$")


def policy_link_kind(url: str, link_text: str) -> str | None:
    """ "privacy" | "cookies" | "legal" | None for a link (its URL and its visible text)."""
    if url.lower().startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(url)
    path = unquote(parts.path + ("?" + parts.query if parts.query else "")).lower()
    if _NOT_A_PAGE.search(parts.path.lower()):
        return None
    text = normalise(link_text)[:200]
    if text:
        if _COOKIES.search(text):
            return "cookies"
        if _PRIVACY.search(text):
            return "privacy"
        if _LEGAL.search(text):
            return "legal"
    if _URL_COOKIES.search(path):
        return "cookies"
    if _URL_PRIVACY.search(path):
        return "privacy"
    if _URL_LEGAL.search(path):
        return "legal"
    return None
