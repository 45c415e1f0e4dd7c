"""The cookie declaration of a site, generated from its latest successful audit.

What commercial banners publish beside their consent dialog: every cookie the site sets,
grouped by category, with its vendor, purpose, lifetime and party. It is built from a stored
scan (never from what the site says of itself), in English and French, as a JSON document
(what the consent API serves at `GET /v1/sites/KEY/declaration`) and as an HTML fragment to
paste into a policy page (`consent_api/static/declaration.js` renders the JSON the same way).

When the audit is linked to a consent-API site, the banner's categories are known: a cookie
that needs consent but whose category no banner category covers is *named* in
`not_in_banner`, because the visitor was never asked about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from reports import Lang
from reports.facts import CATEGORY_ORDER
from reports.i18n import EN as REPORT_EN
from reports.i18n import FR as REPORT_FR
from reports.i18n import parse_lang
from scanner.model import Category, ClassifiedCookie, Scan

DECLARATION_VERSION = 1
#: banner category ids (as banner.js maps them to Consent Mode) that cover each cookie category
BANNER_IDS: dict[Category, frozenset[str]] = {
    Category.ANALYTICS: frozenset(
        {"analytics", "statistics", "performance", "measurement", "audience"}
    ),
    Category.GOOGLE_ANALYTICS: frozenset(
        {"analytics", "statistics", "performance", "measurement", "audience", "google_analytics"}
    ),
    Category.TRACKING: frozenset({"marketing", "advertising", "ads", "tracking", "targeting"}),
}

TEXT: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "title": "Cookies used on {site}",
        "intro": "This list comes from an automated audit of the site on {date}.",
        "name": "Name",
        "vendor": "Provider",
        "purpose": "Purpose",
        "lifetime": "Lifetime",
        "party": "Set by",
        "first": "this site",
        "third": "a third party",
        "session": "until the browser is closed",
        "days": "{n} days",
        "day": "1 day",
        "hours": "less than a day",
        "months": "{n} months",
        "years": "{n} years",
        "consent": "needs your consent",
        "no_consent": "no consent needed",
        "unknown_purpose": "not documented",
        "not_in_banner": "Needs consent but is not covered by a category of the consent "
        "banner: {names}.",
    },
    Lang.FR: {
        "title": "Cookies utilisés sur {site}",
        "intro": "Cette liste provient d\u2019un audit automatisé du site le {date}.",
        "name": "Nom",
        "vendor": "Fournisseur",
        "purpose": "Finalité",
        "lifetime": "Durée de vie",
        "party": "Déposé par",
        "first": "ce site",
        "third": "un tiers",
        "session": "jusqu\u2019à la fermeture du navigateur",
        "days": "{n} jours",
        "day": "1 jour",
        "hours": "moins d\u2019un jour",
        "months": "{n} mois",
        "years": "{n} ans",
        "consent": "soumis à votre consentement",
        "no_consent": "sans consentement",
        "unknown_purpose": "non documentée",
        "not_in_banner": "Soumis au consentement mais couvert par aucune catégorie du bandeau "
        ": {names}.",
    },
}


class DeclaredCookieEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    domain: str
    path: str = "/"
    vendor: str | None
    purpose: str | None
    lifetime_days: float | None = Field(description="what the site asks for; None = session")
    lifetime: str = Field(description="the lifetime in words, in the declaration's language")
    party: str = Field(description="first | third")
    consent_required: bool


class DeclarationCategory(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    cookies: list[DeclaredCookieEntry]


class Declaration(BaseModel):
    """The JSON document (one language; build both for FR and EN)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = DECLARATION_VERSION
    lang: str
    site: str
    url: str
    scanned_at: datetime
    generated_at: datetime
    audit: str
    run: int
    categories: list[DeclarationCategory]
    banner_categories: list[str] | None = Field(
        default=None, description="the consent banner's category ids, when known"
    )
    not_in_banner: list[str] | None = Field(
        default=None, description="name@domain of cookies needing consent no banner category covers"
    )


def lifetime_words(days: float | None, lang: Lang) -> str:
    text = TEXT[lang]
    if days is None:
        return text["session"]
    if days < 1:
        return text["hours"]
    if days < 1.5:
        return text["day"]
    if days < 60:
        return text["days"].format(n=round(days))
    if days < 730:
        return text["months"].format(n=round(days / 30.44))
    return text["years"].format(n=round(days / 365.25))


def _days(cookie: ClassifiedCookie) -> float | None:
    if cookie.requested_lifetime_days is not None:
        return cookie.requested_lifetime_days
    return cookie.lifetime_days


def not_covered(cookies: Iterable[ClassifiedCookie], banner_categories: Sequence[str]) -> list[str]:
    """Cookies that need consent whose category no banner category covers."""
    ids = {c.lower() for c in banner_categories}
    out = []
    for c in cookies:
        if c.classification.exempt:
            continue
        covering = BANNER_IDS.get(c.classification.category, frozenset())
        if not covering & ids:
            out.append(f"{c.name}@{c.domain.lstrip('.')}")
    return sorted(set(out))


def build_declaration(
    scan: Scan,
    *,
    audit: str,
    run: int,
    lang: str | Lang = Lang.EN,
    banner_categories: Sequence[str] | None = None,
    now: datetime | None = None,
) -> Declaration:
    language = parse_lang(lang)
    labels = REPORT_EN if language is Lang.EN else REPORT_FR
    groups: dict[Category, list[DeclaredCookieEntry]] = {}
    listed: set[tuple[str, str, str]] = set()
    for c in sorted(scan.cookies, key=lambda c: (c.name.lower(), *c.key)):
        if c.key[:3] in listed:
            continue  # the same cookie in another partition (CHIPS): one line for visitors
        listed.add(c.key[:3])
        days = _days(c)
        groups.setdefault(c.classification.category, []).append(
            DeclaredCookieEntry(
                name=c.name,
                domain=c.domain.lstrip("."),
                path=c.path,
                vendor=c.classification.vendor,
                purpose=c.classification.purpose,
                lifetime_days=None if days is None else round(days, 2),
                lifetime=lifetime_words(days, language),
                party=c.party.value,
                consent_required=not c.classification.exempt,
            )
        )
    return Declaration(
        lang=language.value,
        site=scan.site,
        url=scan.target,
        scanned_at=scan.started_at,
        generated_at=now or datetime.now(UTC),
        audit=audit,
        run=run,
        categories=[
            DeclarationCategory(
                id=cat.value, label=labels[f"category.{cat.value}"], cookies=groups[cat]
            )
            for cat in CATEGORY_ORDER
            if cat in groups
        ],
        banner_categories=list(banner_categories) if banner_categories is not None else None,
        not_in_banner=(
            not_covered(scan.cookies, banner_categories) if banner_categories is not None else None
        ),
    )


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
)


def render_fragment(declaration: Declaration) -> str:
    """The HTML fragment (no <html>, no style, no script): everything a site controls is
    escaped, so a cookie named `<script>` is text."""
    template = _ENV.get_template("declaration.html.j2")
    return template.render(d=declaration, t=_Text(TEXT[Lang(declaration.lang)]))


class _Text:
    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> str:
        return self._values[name]


def declaration_documents(
    scan: Scan, *, audit: str, run: int, banner_categories: Sequence[str] | None = None
) -> dict[str, Any]:
    """Both languages, as published to the consent API: {"en": {...}, "fr": {...}}."""
    return {
        lang.value: build_declaration(
            scan, audit=audit, run=run, lang=lang, banner_categories=banner_categories
        ).model_dump(mode="json")
        for lang in Lang
    }
