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
from urllib.parse import unquote, urlsplit

from scanner.classify.knowledge import (
    FALLBACK_LAYER,
    CookieEntry,
    DomainEntry,
    KnowledgeBase,
    VendorRole,
)
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
#: a weak name token: the vendor whose script set the cookie still decides
STATE_WHY = "state of the interface or of a process"
NO_DOMAIN_NOTE = "; the source gives no domain, and no other vendor we know documents the name"
#: hosts that serve the site's own copies of open-source libraries (a consent banner, jQuery
#: plugins): a script from them is not another party's tag
PUBLIC_CDNS = frozenset(
    {
        "cdn.jsdelivr.net",
        "fastly.jsdelivr.net",
        "cdnjs.cloudflare.com",
        "unpkg.com",
        "ajax.googleapis.com",
        "code.jquery.com",
        "stackpath.bootstrapcdn.com",
        "cdn.skypack.dev",
        "esm.sh",
    }
)
PERCENT_NOTE = "; the name as set is percent-encoded"
SECURE_NOTE = "; the name as set carries the browser's __Secure- or __Host- prefix"
_SECURE_PREFIXES = ("__Secure-", "__Host-")
#: shortest name (without leading underscores) looked up as an underscore variant
MIN_VARIANT = 5
#: shortest name a vendor documents on its own domain that decides when the domain is unknown
MIN_SCOPED = 4
#: a documented prefix this short ("s_") decides only when the site shows its vendor
SHORT_PREFIX = 2
#: names that are themselves a hash (Joomla, some PHP frameworks name the session cookie so)
_HASH_NAME = re.compile(r"[0-9a-f]{32,64}")
#: technical name tokens strong enough to hold even on a tracking vendor's domain
_STRONG_TECHNICAL = re.compile(
    r"consent|csrf|xsrf|captcha|samesite|(^|[_.-])(lang|language|locale)($|[_.-])"
)
#: a word then a hash ("PrestaShop-<md5>", Drupal's "SSESS<md5>"): how CMSs name the session
_WORD_HASH_NAME = re.compile(r"[A-Za-z]+[-_]?[0-9a-f]{32,64}")

# Name tokens, matched on word boundaries of the cookie name (split on _ - . and case).
_TOKEN_RULES: tuple[tuple[re.Pattern[str], Category, str], ...] = (
    (
        re.compile(
            # "cookies-analytics", "cookie_marketing": a banner's choice for that category
            r"consent|cookie[a-z]*_?(law|notice|policy|banner|pref|accept|analytics?|marketing|"
            r"statistics?|necessary|essential|functional|performance|advertis|targeting|social)"
            # "__hs_cookie_cat_pref": a category preference a word or two after "cookie"
            r"|cookie_[a-z]{1,8}_pref"
            r"|gdpr|opt_?out|opt_?in|privacy|cmp|do_?not_?track"
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
            r"theme|dark_?mode|colou?r_?(mode|scheme)|font|accessib|contrast|cookie_?test|test_?cookie"
            r"|has_js|resolution|screen"
        ),
        Category.TECHNICAL,
        "display preference or capability check",
    ),
    (
        re.compile(r"(^|_)auth|login|logged|remember|token|jwt|(^|_)(sso|saml)($|_)"),
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
            r"(^|_)(ad|ads|adv|advert|campaign|gcl|gclid|fbclid|msclkid|click|affiliate|aff|retarget|remarketing|pixel|conversion|marketing)($|_)"
        ),
        Category.TRACKING,
        "advertising or campaign attribution",
    ),
    (
        re.compile(r"track|trk|visitor|(^|_)(vid|uid|uuid|cid)($|_)|fingerprint|segment|audience"),
        Category.ANALYTICS,
        "visitor identifier",
    ),
    (
        # UTM parameters are what analytics tools keep to attribute a visit to its campaign
        # "stat" as in statistics, not "state", "status" or "static"
        re.compile(r"analytic|stat(?!e|us|ic)|metric|measure|(^|_)(hit|visit|pageview|utm)s?($|_)"),
        Category.ANALYTICS,
        "audience measurement",
    ),
    (
        # last: only a name nothing else explains ("KC_STATE_CHECKER", "lists-state")
        re.compile(r"(^|_)(state|states|status)($|_)"),
        Category.TECHNICAL,
        STATE_WHY,
    ),
)
#: literals at least one of which every match of a token rule contains (a test checks it on
#: every listed name): one pass finds those present (longest first, at every position), and
#: only the rules that contain them run, in order; most names contain none
_KEYWORDS = (  # noqa: SIM905 - a word list reads better as words
    "consent cookie gdpr opt privacy cmp csrf xsrf antiforgery verificationtoken lang locale "
    "lng i18n currency country region timezone tz cart basket wishlist checkout compare lb "
    "balancer affinity sticky route server node backend captcha bot waf challenge fraud theme "
    "dark colo font accessib contrast test has_js resolution screen auth login logged remember "
    "token jwt sso saml sess sid user ad campaign utm gcl fbclid msclkid click aff retarget "
    "pixel conversion marketing track trk visitor vid uid cid fingerprint segment audience "
    "analytic stat metric measure hit visit pageview state status"
).split()
_ANY_TOKEN = re.compile("(?=(" + "|".join(sorted(_KEYWORDS, key=len, reverse=True)) + "))")
#: keyword -> indexes of the rules whose pattern holds it or a keyword inside it
_RULES_OF = {
    word: tuple(
        i
        for i, (pattern, _, _) in enumerate(_TOKEN_RULES)
        if any(inner in word and inner in pattern.pattern for inner in _KEYWORDS)
    )
    for word in _KEYWORDS
}
#: word starts inside a name: "myCookie" and "MSPAuth" (an acronym before a capitalised word)
_CAMEL = re.compile(r"(?=[A-Z])(?:(?<=[a-z])|(?<=[A-Z])(?=.[a-z]))")  # capital first: quick
_SPLIT = re.compile(r"[-.\s]+")


def _normalise_name(name: str) -> str:
    return _SPLIT.sub("_", _CAMEL.sub("_", name)).lower()


@lru_cache(maxsize=1 << 12)
def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


#: lifetime buckets: -2 not known, -1 browser session, 0 < 1 day, 1 < 31 days, 2 < 1 year, 3
LIFETIME_UNKNOWN = -2


def _lifetime_bucket(days: float | None, known: bool = True) -> int:
    if not known:
        return LIFETIME_UNKNOWN
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
        self._vendors = lru_cache(maxsize=256)(self._vendors_of)  # one per scan context
        # documented exact names by their core (leading underscores dropped): one lookup per
        # unknown name finds "hjX" for `_hjX`
        self._by_core: dict[str, list[CookieEntry]] = {}
        for pattern, entries in kb.exact.items():
            core = pattern.lstrip("_")
            if len(core) >= MIN_VARIANT:
                self._by_core.setdefault(core, []).extend(entries)
        # names documented only on their vendor's domain, for sources that give no domain
        # (a consent platform's declarations, a policy's table): one vendor category each
        self._scoped: dict[str, CookieEntry] = {}
        for pattern, entries in kb.exact.items():
            categories = {e.category for e in entries}
            if (
                len(pattern) >= MIN_SCOPED
                and len(categories) == 1
                and all(e.domain for e in entries)
            ):
                self._scoped[pattern] = entries[0]

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
        lifetime_known: bool = True,
        set_by: str | None = None,
        site: str | None = None,
        context: frozenset[str] | None = None,
    ) -> Classification:
        """`lifetime_days` None is a browser-session cookie, unless `lifetime_known` is false
        (a list that does not say); `context`: every host the same site was seen loading (its
        scan), when known."""
        shape = value.shape if value is not None else None
        length = value.length if value is not None else None
        return self._cached(
            name,
            domain.lstrip(".").lower(),
            party,
            shape,
            length,
            _lifetime_bucket(lifetime_days, lifetime_known),
            _host(set_by) if set_by else "",
            site,
            context,
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
        context: frozenset[str] | None,
    ) -> Classification:
        verdict = self._decide(
            name, domain, party, shape, length, lifetime, setter_host, site, context
        )
        role = self.kb.roles.get(verdict.vendor or "")
        if role is None or verdict.category not in (Category.ANALYTICS, Category.TRACKING):
            return verdict
        return _with_role(verdict, role, context is not None, self._seen(context, role.evidence))

    def _decide(
        self,
        name: str,
        domain: str,
        party: Party | None,
        shape: ValueShape | None,
        length: int | None,
        lifetime: int,
        setter_host: str,
        site: str | None,
        context: frozenset[str] | None,
    ) -> Classification:
        entry = self.kb.lookup_name(name, domain)
        weak: CookieEntry | None = None
        if entry is None and ("%" in name or name.startswith(_SECURE_PREFIXES)):
            written = self._written_otherwise(name, domain)
            if written is not None:
                return written
        if entry is None:
            variant = self._underscore_variant(name, domain)
            if variant is not None:
                return variant
        if entry is not None:
            if entry.match == "exact" or len(entry.pattern) > SHORT_PREFIX:
                return _from_entry(entry)
            # a two-character prefix ("s_") names a vendor only when the site shows the vendor
            if self._vendor_on_site(entry.vendor, setter_host, context):
                return _from_entry(entry, "; the site loads that vendor", 0.8)
            weak = entry
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
        if setter is not None and setter.category not in EXEMPT:
            if guess is None or guess[1] == STATE_WHY:
                return _from_domain(setter, "set by a script of", 0.6)
            visit = _visit_id(setter, guess)
            if visit is not None:
                return visit
        if not domain and guess is None:
            scoped = self._scoped.get(name)
            if scoped is not None:
                return _from_entry(scoped, NO_DOMAIN_NOTE, 0.6)
        listed = self.kb.lookup_fallback(name, domain)
        if listed is not None:
            return _from_entry(listed)
        if setter is not None and setter.category in EXEMPT:
            own = _tool_id(setter, guess)
            if own is not None:
                return own
        if setter is None and setter_host:
            tag = _other_party_tag(setter_host, site, guess)
            if tag is not None:
                return tag
        if guess is not None:
            category, why = guess
            return _verdict(category, None, 0.5, f"guess from the name ({why})")
        verdict = self._shape_guess(name, party, shape, length, lifetime)
        if verdict.category is Category.UNKNOWN and weak is not None:
            return _from_entry(weak, "; only a short prefix, nothing else decides", 0.4)
        return verdict

    def _written_otherwise(self, name: str, domain: str) -> Classification | None:
        """A documented name as a script writes it percent-encoded (Crisp's
        `crisp-client%2Fsession%2F<id>` is `crisp-client/session/<id>`) or behind the
        browser's `__Secure-` / `__Host-` prefix (`__Host-PHPSESSID`): the plain name's entry,
        when it is exact or a prefix long enough to name its vendor alone."""
        plain, note = name, PERCENT_NOTE
        if name.startswith(_SECURE_PREFIXES):
            plain, note = name.partition("-")[2], SECURE_NOTE
        plain = unquote(plain) if "%" in plain else plain
        entry = self.kb.lookup_name(plain, domain) if plain and plain != name else None
        if entry is None or (entry.match == "prefix" and len(entry.pattern) <= SHORT_PREFIX):
            return None
        return _from_entry(entry, note)

    def _underscore_variant(self, name: str, domain: str) -> Classification | None:
        """A documented name written with or without its leading underscores
        ("hjClosedSurveyInvites" for Hotjar's `_hjClosedSurveyInvites`): consent platforms and
        some tag versions drop or add them. Only exact documented names of five characters or
        more (without underscores) count, so a short word never borrows a vendor's entry."""
        entries = self._by_core.get(name.lstrip("_"))
        if not entries:
            return None
        entry = next((e for e in entries if e.pattern != name and e.domain_matches(domain)), None)
        if entry is None:
            return None
        return _from_entry(
            entry, f"; written {name!r}, without or with its leading underscore", 0.8
        )

    def _vendor_on_site(
        self, vendor: str, setter_host: str, context: frozenset[str] | None
    ) -> bool:
        setter = self.kb.lookup_domain(setter_host) if setter_host else None
        if setter is not None and setter.vendor == vendor:
            return True
        return context is not None and vendor in self._vendors(context)

    def _vendors_of(self, context: frozenset[str]) -> frozenset[str]:
        found = (self.kb.lookup_domain(host) for host in context)
        return frozenset(owner.vendor for owner in found if owner is not None)

    @staticmethod
    @lru_cache(maxsize=1024)
    def _seen(context: frozenset[str] | None, evidence: tuple[str, ...]) -> str | None:
        """The first host of `context` that is (under) one of the `evidence` domains."""
        if not context or not evidence:
            return None
        for host in sorted(context):
            if any(host == d or host.endswith("." + d) for d in evidence):
                return host
        return None

    @staticmethod
    def _shape_guess(
        name: str,
        party: Party | None,
        shape: ValueShape | None,
        length: int | None,
        lifetime: int,
    ) -> Classification:
        identifier = shape in ID_SHAPES and (length or 0) >= 16
        if party is not Party.THIRD and lifetime == -1 and _HASH_NAME.fullmatch(name):
            return _verdict(
                Category.SESSION,
                None,
                0.4,
                "guess: a browser-session cookie named by a hash, how some CMS name the session",
            )
        if len(name) > 32 and party is not Party.THIRD and _WORD_HASH_NAME.fullmatch(name):
            return _verdict(
                Category.SESSION,
                None,
                0.4,
                "guess: a first-party name ending in a hash, how CMSs and shops name their "
                "session cookie (PrestaShop-<hash>, SSESS<hash>)",
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


def _visit_id(setter: DomainEntry, guess: tuple[Category, str]) -> Classification | None:
    """A "session" or visitor id written by an analytics or ad script is that tool's visit id
    (the name alone would call it a login session)."""
    if guess[1] != SESSION_WHY and guess[0] is not Category.ANALYTICS:
        return None
    return _verdict(
        setter.category,
        setter.vendor,
        0.55,
        f"set by a script of {setter.vendor} ({setter.domain}), a known "
        f"{setter.category.value} vendor; the name ({guess[1]}) is its visit id",
        source=setter.source or None,
    )


def _tool_id(setter: DomainEntry, guess: tuple[Category, str] | None) -> Classification | None:
    """An id written by a script of a known technical vendor (a chat widget, a payment or bot
    protection script) serves that tool's function; a name that says more still decides."""
    if guess is not None and guess[1] != SESSION_WHY and guess[0] is not Category.ANALYTICS:
        return None
    return _verdict(
        setter.category,
        setter.vendor,
        0.45,
        f"set by a script of {setter.vendor} ({setter.domain}), a known "
        f"{setter.category.value} vendor: an id its script keeps serves that tool",
        source=setter.source or None,
    )


def _other_party_tag(
    setter_host: str, site: str | None, guess: tuple[Category, str] | None
) -> Classification | None:
    """A cookie an unknown script of another host writes: what tags keep is visit and
    visitor ids (a name that says consent, CSRF, cart... still decides)."""
    if site and (setter_host == site or setter_host.endswith("." + site)):
        return None
    if setter_host in PUBLIC_CDNS:
        return None
    if guess is not None and guess[1] != SESSION_WHY and guess[0] is not Category.ANALYTICS:
        return None
    return _verdict(
        Category.ANALYTICS,
        None,
        0.35,
        f"guess: written by a script from {setter_host}, another party's tag; tags keep visit "
        "and visitor ids to measure the audience",
    )


@cache
def _with_role(
    verdict: Classification, role: VendorRole, scanned: bool, seen: str | None
) -> Classification:
    """The category a role-dependent vendor's cookie has on this site, and why."""
    confidence = verdict.confidence
    if seen is not None:
        category = role.with_evidence
        why = f"; the site also loads {seen}, {role.vendor}'s ad retargeting"
    elif scanned:
        category, confidence = role.without, min(confidence, 0.8)
        why = f"; the site loads no ad-retargeting host of {role.vendor}: audience measurement"
    else:
        category, confidence = role.without, min(confidence, 0.6)
        why = (
            f"; without a scan of the site, {role.vendor} is taken as audience measurement "
            "(it is tracking where the site also loads its ad retargeting)"
        )
    return _verdict(
        category,
        verdict.vendor,
        confidence,
        verdict.reason.removesuffix(ANALYTICS_NOTE) + why,
        purpose=verdict.purpose,
        source=verdict.source,
    )


@cache
def _from_entry(entry: CookieEntry, note: str = "", confidence: float = 0.0) -> Classification:
    how = "name" if entry.match == "exact" else f"name prefix {entry.pattern!r}"
    where = f" on {entry.domain}" if entry.domain else ""
    if entry.layer == FALLBACK_LAYER:
        confidence = confidence or (0.7 if entry.match == "exact" else 0.65)
        reason = (
            f"{FALLBACK_LAYER} (consulted when no entry of ours matches): lists the {how}"
            f"{where} as {entry.vendor}'s"
        )
    else:
        layer = "" if entry.layer == "packaged" else f" ({entry.layer})"
        confidence = confidence or (0.95 if entry.match == "exact" else 0.9)
        reason = f"knowledge base{layer}: {entry.vendor} documents the {how}{where}{note}"
    return _verdict(
        entry.category,
        entry.vendor or None,
        confidence,
        reason,
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
    present = _ANY_TOKEN.findall(normalised)
    if not present:
        return None
    candidates = sorted({i for word in present for i in _RULES_OF[word]})
    for i in candidates:
        pattern, category, why = _TOKEN_RULES[i]
        if pattern.search(normalised):
            if why == SESSION_WHY and lifetime >= 2:
                # a "session"/"user id" kept for months identifies the visitor, not a login
                return Category.ANALYTICS, "a long-lived visitor or session identifier"
            return category, why
    return None


@lru_cache(maxsize=1)
def _default_classifier() -> Classifier:
    return Classifier(KnowledgeBase.load(default_user_dirs()))
