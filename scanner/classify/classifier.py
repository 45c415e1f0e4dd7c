"""Give every cookie the category a privacy policy uses, its vendor, and the reason why.

Order of evidence, strongest first: a knowledge-base entry for the name (domain-specific, then
generic, then the longest documented prefix), the vendor that owns the cookie's domain, the
vendor whose script set it, then heuristics on the name, value shape, lifetime and party. A
verdict reached by heuristics says "guess" and carries a low confidence.

Consent exemption follows the CNIL / EDPB reading of ePrivacy art. 5(3): technical and session
cookies are exempt; audience measurement only when the vendor and its configuration qualify
(which a cookie cannot show), so analytics cookies are reported as not exempt, with that said.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from scanner.classify.knowledge import CookieEntry, DomainEntry, KnowledgeBase
from scanner.model import Category, Classification, Party, ValueInfo, ValueShape

EXEMPT = frozenset({Category.TECHNICAL, Category.SESSION})
ID_SHAPES = frozenset(
    {ValueShape.UUID, ValueShape.HEX, ValueShape.BASE64, ValueShape.GA, ValueShape.FB}
)
ANALYTICS_NOTE = (
    "; audience measurement can be consent-exempt only if the tool is configured per the "
    "CNIL exemption, which a cookie alone cannot show"
)

SESSION_WHY = "session"
#: names that are themselves a hash (Joomla, some PHP frameworks name the session cookie so)
_HASH_NAME = re.compile(r"[0-9a-f]{32,64}")
#: technical name tokens strong enough to hold even on a tracking vendor's domain
_STRONG_TECHNICAL = re.compile(r"consent|csrf|xsrf|captcha|samesite")

# Name tokens, matched on word boundaries of the cookie name (split on _ - . and case).
_TOKEN_RULES: tuple[tuple[re.Pattern[str], Category, str], ...] = (
    (
        re.compile(
            r"consent|cookie_?(law|notice|policy|banner|pref|accept)|gdpr|optout|opt_?in|privacy|cmp"
        ),
        Category.TECHNICAL,
        "consent or privacy choice",
    ),
    (re.compile(r"csrf|xsrf|antiforgery|verificationtoken"), Category.TECHNICAL, "CSRF protection"),
    (
        re.compile(
            r"(^|_)(lang|language|locale|lng|i18n|currency|country|region|timezone|tz)($|_)"
        ),
        Category.TECHNICAL,
        "language, region or currency preference",
    ),
    (
        re.compile(r"(^|_)(cart|basket|wishlist|checkout|compare)($|_)"),
        Category.TECHNICAL,
        "shopping cart",
    ),
    (
        re.compile(r"(^|_)(lb|balancer|affinity|sticky|route|server|node|backend)($|_)|alb|elb"),
        Category.TECHNICAL,
        "load balancing",
    ),
    (
        re.compile(r"captcha|bot|waf|challenge|fraud"),
        Category.TECHNICAL,
        "security / bot protection",
    ),
    (
        re.compile(
            r"theme|dark_?mode|font|accessib|contrast|cookie_?test|test_?cookie|has_js|resolution|screen"
        ),
        Category.TECHNICAL,
        "display preference or capability check",
    ),
    (
        re.compile(r"(^|_)auth|login|logged|remember|token|jwt"),
        Category.SESSION,
        "login or authentication",
    ),
    (
        re.compile(r"sess(ion)?($|_|id)|(^|_)sid($|_)|user_?id"),
        Category.SESSION,
        SESSION_WHY,
    ),
    (
        re.compile(
            r"(^|_)(ad|ads|adv|advert|campaign|utm|gclid|fbclid|msclkid|click|affiliate|aff|retarget|remarketing|pixel|conversion|marketing)($|_)"
        ),
        Category.TRACKING,
        "advertising or campaign attribution",
    ),
    (
        re.compile(r"track|visitor|(^|_)(vid|uid|uuid|cid)($|_)|fingerprint|segment|audience"),
        Category.ANALYTICS,
        "visitor identifier",
    ),
    (
        re.compile(r"analytic|stat|metric|measure|(^|_)(hit|visit|pageview)s?($|_)"),
        Category.ANALYTICS,
        "audience measurement",
    ),
)
#: one pass that tells whether any token rule can match (most names match none)
_ANY_TOKEN = re.compile("|".join(f"(?:{p.pattern})" for p, _, _ in _TOKEN_RULES))
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[-.\s]+")


def _normalise_name(name: str) -> str:
    return _SPLIT.sub("_", _CAMEL.sub("_", name)).lower()


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _lifetime_bucket(days: float | None) -> int:
    if days is None:
        return -1
    return 0 if days < 1 else 1 if days < 31 else 2 if days < 366 else 3


def default_user_dirs() -> list[Path]:
    """Where `kb import` writes the user layer: $COOKIE_AUDIT_KB_DIR or the XDG data dir."""
    explicit = os.environ.get("COOKIE_AUDIT_KB_DIR")
    if explicit:
        return [Path(explicit)]
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return [Path(base) / "cookie-audit" / "kb"]


class Classifier:
    """Classifies cookies against a compiled knowledge base; results are memoised."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._cached = lru_cache(maxsize=1 << 18)(self._classify)

    @classmethod
    def default(cls) -> Classifier:
        return _default_classifier()

    @property
    def version(self) -> str:
        return self.kb.version

    def classify(
        self,
        name: str,
        domain: str,
        *,
        party: Party | None = None,
        value: ValueInfo | None = None,
        lifetime_days: float | None = None,
        set_by: str | None = None,
        site: str | None = None,
    ) -> Classification:
        shape = value.shape if value is not None else None
        length = value.length if value is not None else None
        return self._cached(
            name,
            domain.lstrip(".").lower(),
            party,
            shape,
            length,
            _lifetime_bucket(lifetime_days),
            _host(set_by),
            site,
        )

    # -- the decision ---------------------------------------------------------------------

    def _classify(
        self,
        name: str,
        domain: str,
        party: Party | None,
        shape: ValueShape | None,
        length: int | None,
        lifetime: int,
        setter_host: str,
        site: str | None,
    ) -> Classification:
        entry = self.kb.lookup_name(name, domain)
        if entry is not None:
            return _from_entry(entry)
        owner = self.kb.lookup_domain(domain) if domain else None
        if party is None and site and domain:
            party = Party.FIRST if domain == site or domain.endswith("." + site) else Party.THIRD
        guess = _name_guess(name, lifetime)
        if owner is not None and party is not Party.FIRST:
            if (
                guess is not None
                and guess[0] is Category.TECHNICAL
                and owner.category is not Category.TECHNICAL
                and _STRONG_TECHNICAL.search(name.lower())
            ):
                # a vendor's own consent / CSRF / captcha cookie is still technical
                return _verdict(
                    Category.TECHNICAL,
                    owner.vendor,
                    0.5,
                    f"guess from the name ({guess[1]}) on {owner.vendor}'s domain",
                )
            return _from_domain(owner, "the cookie's domain belongs to", 0.8)
        if party is Party.THIRD and guess is not None and guess[0] is not Category.TECHNICAL:
            # On an unknown third-party domain a session or visitor id is a cross-site id.
            return _verdict(
                Category.TRACKING,
                None,
                0.4,
                f"guess: a third-party cookie whose name says {guess[1]}, i.e. a cross-site id",
            )
        setter = self.kb.lookup_domain(setter_host) if setter_host else None
        if setter is not None and setter.category not in EXEMPT and guess is None:
            return _from_domain(setter, "set by a script of", 0.6)
        if guess is not None:
            category, why = guess
            return _verdict(category, None, 0.5, f"guess from the name ({why})")
        identifier = shape in ID_SHAPES and (length or 0) >= 16
        if party is not Party.THIRD and lifetime == -1 and _HASH_NAME.fullmatch(name):
            return _verdict(
                Category.SESSION,
                None,
                0.4,
                "guess: a browser-session cookie named by a hash, how some CMS name the session",
            )
        if party is Party.THIRD:
            if identifier or lifetime >= 2:
                return _verdict(
                    Category.TRACKING,
                    None,
                    0.45,
                    "guess: a third-party cookie holding an identifier or kept for months",
                )
            return _verdict(Category.TRACKING, None, 0.3, "guess: an unknown third-party cookie")
        if party is Party.FIRST and name.startswith("_") and lifetime != 0:
            # A site's own technical cookies tend to have readable names; underscore-prefixed
            # cryptic ones are what vendor tags (analytics, ads) write into the first party.
            return _verdict(
                Category.ANALYTICS,
                None,
                0.3,
                "guess: an underscore-prefixed first-party cookie, the naming of vendor tags",
            )
        if identifier and lifetime >= 2:
            return _verdict(
                Category.ANALYTICS,
                None,
                0.35,
                "guess: a long-lived first-party identifier (visitor id)",
            )
        if lifetime == -1 and party is Party.FIRST:
            return _verdict(
                Category.TECHNICAL,
                None,
                0.3,
                "guess: a first-party cookie kept only for the browser session",
            )
        if party is Party.FIRST and shape is not None and shape not in ID_SHAPES:
            return _verdict(
                Category.TECHNICAL,
                None,
                0.3,
                "guess: a first-party cookie holding a short setting, not an identifier",
            )
        return _verdict(Category.UNKNOWN, None, 0.1, "no knowledge entry or signal decides")


@lru_cache(maxsize=4096)
def _verdict(
    category: Category,
    vendor: str | None,
    confidence: float,
    reason: str,
    purpose: str | None = None,
    source: str | None = None,
) -> Classification:
    if category is Category.ANALYTICS:
        reason += ANALYTICS_NOTE
    return Classification(
        category=category,
        vendor=vendor,
        purpose=purpose,
        exempt=category in EXEMPT,
        confidence=confidence,
        reason=reason,
        source=source,
    )


@cache
def _from_entry(entry: CookieEntry) -> Classification:
    how = "name" if entry.match == "exact" else f"name prefix {entry.pattern!r}"
    where = f" on {entry.domain}" if entry.domain else ""
    layer = "" if entry.layer == "packaged" else f" ({entry.layer})"
    confidence = 0.95 if entry.match == "exact" else 0.9
    return _verdict(
        entry.category,
        entry.vendor or None,
        confidence,
        f"knowledge base{layer}: {entry.vendor} documents the {how}{where}",
        purpose=entry.purpose or None,
        source=entry.source or None,
    )


@cache
def _from_domain(owner: DomainEntry, how: str, confidence: float) -> Classification:
    return _verdict(
        owner.category,
        owner.vendor,
        confidence,
        f"{how} {owner.vendor} ({owner.domain}), a known {owner.category.value} vendor",
        source=owner.source or None,
    )


@lru_cache(maxsize=1 << 16)
def _name_guess(name: str, lifetime: int = -1) -> tuple[Category, str] | None:
    normalised = _normalise_name(name)
    if _ANY_TOKEN.search(normalised) is None:
        return None
    for pattern, category, why in _TOKEN_RULES:
        if pattern.search(normalised):
            if why == SESSION_WHY and lifetime >= 2:
                # a "session"/"user id" kept for months identifies the visitor, not a login
                return Category.ANALYTICS, "a long-lived visitor or session identifier"
            return category, why
    return None


@lru_cache(maxsize=1)
def _default_classifier() -> Classifier:
    return Classifier(KnowledgeBase.load(default_user_dirs()))
