"""The Scan document and its records: the contract between crawl, classify, policy and reports.

Every stage reads and writes these immutable pydantic models; `scan.json` is
`Scan.model_dump_json()`. The JSON Schema in `schemas/scan.schema.json` is generated from
them (`make schema`), and a test fails when the two drift apart.

Bump `SCHEMA_VERSION` (minor for additive fields, major for anything a reader could trip on).
Stable for scripts: top-level `phases[]` with `name`, `banner`, `pages`, `cookies`, and cookie
items with at least `name`, `domain`, `path`, `expires`, `party`, `set_by`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.5"


class Record(BaseModel):
    """Base of every record: immutable, unknown fields refused (typos fail loudly)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- closed vocabularies -------------------------------------------------------------------


class Phase(StrEnum):
    """The three consent states a site is visited in, each in a fresh browser profile."""

    NONE = "none"  # banner untouched
    REJECT = "reject"  # "reject all" clicked
    ACCEPT = "accept"  # "accept all" clicked


class Party(StrEnum):
    FIRST = "first"
    THIRD = "third"


class Category(StrEnum):
    """The categories of the seed policy (In2cloud, Article 10) plus other analytics and unknown."""

    TECHNICAL = "technical"
    SESSION = "session"
    TRACKING = "tracking"
    GOOGLE_ANALYTICS = "google_analytics"
    ANALYTICS = "analytics"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class ValueShape(StrEnum):
    """What a cookie or storage value looks like, kept instead of the value itself."""

    EMPTY = "empty"
    BOOLEAN = "boolean"  # true/false/yes/no/0/1
    NUMERIC = "numeric"
    TIMESTAMP = "timestamp"  # 10 or 13 digit epoch
    UUID = "uuid"
    HEX = "hex"
    BASE64 = "base64"
    JWT = "jwt"
    JSON = "json"
    URLENCODED = "urlencoded"
    GA = "ga"  # GA1.1.123456789.1700000000 and GS1/GS2 session strings
    FB = "fb"  # fb.1.1700000000000.123456789
    TEXT = "text"


class SetByKind(StrEnum):
    HTTP = "http"  # a Set-Cookie response header: set_by is the response URL
    SCRIPT = "script"  # document.cookie or CookieStore: set_by is the script URL
    UNKNOWN = "unknown"


class Navigation(StrEnum):
    """How a page was reached."""

    URL = "url"  # loaded by its URL
    CLICK = "click"  # a link click the site's own router handled (history.pushState)


class StorageKind(StrEnum):
    LOCAL = "local"
    SESSION = "session"


class BannerStatus(StrEnum):
    NOT_ATTEMPTED = "not_attempted"  # phase `none`: the banner is left alone on purpose
    NO_BANNER = "no_banner"  # no consent banner found: nothing was clicked
    SUCCEEDED = "succeeded"  # the click was made and the banner went away
    FAILED = "failed"  # a banner was found but the click did not work


class BannerLayer(StrEnum):
    """Where the choice was made (how a "reject all" was reached)."""

    FIRST = "first_layer"  # a button of the banner as it first shows
    SECOND = "second_layer"  # inside the settings layer, opened first
    PLATFORM_API = "platform_api"  # through the consent platform's own script (Klaro's API)


class SkipReason(StrEnum):
    DNS = "dns"
    TLS = "tls"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    CRASH = "crash"
    DOWNLOAD = "download"
    HTTP_ERROR = "http_error"
    REDIRECT_LOOP = "redirect_loop"
    NOT_HTML = "not_html"
    TOO_LARGE = "too_large"
    BUDGET = "budget"  # the whole-scan timeout ran out before this page
    INTERRUPTED = "interrupted"  # Ctrl-C
    OTHER = "other"


class ScanStatus(StrEnum):
    COMPLETE = "complete"
    PARTIAL = "partial"  # some pages skipped, time budget hit, or interrupted
    FAILED = "failed"  # the start URL could not be visited at all


#: name, domain without the leading dot (lower case), path, partition's top-level site ("" when
#: not partitioned), cross-site ancestor bit: one stored cookie. Two cookies with the same name,
#: domain and path in two partitions (a widget embedded on two sites, or a site's own frame
#: inside a third party's) are two cookies, as they are in the browser.
CookieKey = tuple[str, str, str, str, bool]


def cookie_key(
    name: str,
    domain: str,
    path: str,
    partition_site: str | None = None,
    partition_cross_site: bool | None = None,
) -> CookieKey:
    """The one rule for `Cookie.key` and `ClassifiedCookie.key`."""
    return (
        name,
        domain.lstrip(".").lower(),
        path,
        partition_site or "",
        bool(partition_cross_site),
    )


# --- observations ------------------------------------------------------------------------


class ValueInfo(Record):
    """A value reduced to what an audit needs; the value itself only with --keep-values."""

    length: int
    entropy: float = Field(description="Shannon entropy in bits per character")
    shape: ValueShape
    value: str | None = None


class Cookie(Record):
    """One cookie as the browser stored it, seen in one phase."""

    name: str
    domain: str = Field(description="as the browser stores it: '.example.com' for domain cookies")
    path: str = "/"
    host_only: bool
    expires: datetime | None = Field(description="None for a browser-session cookie")
    lifetime_days: float | None = Field(
        description="expiry as stored minus time first seen; None for a session cookie"
    )
    requested_lifetime_days: float | None = Field(
        default=None,
        description="what the site asked for (Max-Age/Expires) before Chrome's 400-day cap",
    )
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None  # Strict | Lax | None | null when unset
    partitioned: bool = False
    partition_site: str | None = Field(
        default=None,
        description="top-level site of the partition a partitioned (CHIPS) cookie lives in",
    )
    partition_cross_site: bool | None = Field(
        default=None,
        description="the partition of frames with a cross-site ancestor (Chromium's ancestor "
        "chain bit: a site's own frame inside a third party's keeps other cookies than its "
        "top-level pages); None: not partitioned, or not reported",
    )
    party: Party
    set_by: str | None = Field(description="response URL (HTTP) or script URL (JS)")
    set_by_kind: SetByKind = SetByKind.UNKNOWN
    first_seen_page: str | None = None
    value: ValueInfo

    @property
    def key(self) -> CookieKey:
        """Identity of a cookie across phases and scans."""
        return cookie_key(
            self.name, self.domain, self.path, self.partition_site, self.partition_cross_site
        )


class BlockedCookie(Record):
    """A `Set-Cookie` header the browser refused to store, with Chromium's reasons."""

    name: str
    domain: str = Field(description="the Domain attribute, or the response's host")
    set_by: str = Field(description="the URL of the response that carried the header")
    reasons: list[str] = Field(description="Chromium's blockedReasons, e.g. DomainMismatch")
    page: str | None = Field(default=None, description="the page being visited")


class StorageEntry(Record):
    origin: str
    kind: StorageKind
    key: str
    value: ValueInfo
    first_seen_page: str | None = None


class ThirdPartyHost(Record):
    host: str
    registrable_domain: str
    requests: int
    first_seen_page: str | None = None
    resource_types: list[str] = Field(default_factory=list)


class PageVisit(Record):
    url: str
    final_url: str | None = None
    status: int | None = None
    title: str | None = None
    depth: int = 0
    load_ms: float | None = None
    navigation: Navigation = Field(
        default=Navigation.URL,
        description="url: loaded by its URL; click: a route the site's router took",
    )


class SkippedPage(Record):
    """A page that could not be visited: recorded, never an exception that ends the scan."""

    url: str
    reason: SkipReason
    detail: str = ""


class Banner(Record):
    detected: bool = False
    cmp: str | None = Field(default=None, description="consent platform found, e.g. 'Klaro'")
    action: Phase
    status: BannerStatus
    first_layer_reject: bool | None = Field(
        default=None, description="a reject button is on the first layer (None: not known)"
    )
    layer: BannerLayer | None = Field(
        default=None, description="where the click that worked was made (None: no click worked)"
    )
    method: str | None = Field(
        default=None,
        description="what made it: 'autoconsent:<rule>', 'settings-fallback' (our second-layer "
        "fallback) or 'generic-text' (a button found by its words)",
    )
    detail: str = ""


class StoredConsent(Record):
    """A consent record as the consent API returns it when read back."""

    seq: int
    action: str
    choices: dict[str, bool]
    hash: str
    recorded_at: str | None = None


class ReadBack(StrEnum):
    """What reading a record back from the consent API (`--consent-api-key`) gave."""

    FOUND = "found"  # the record of the receipt, same number and hash
    MISSING = "missing"  # no record with the receipt's number for that consent id
    DIFFERENT = "different"  # a record with that number, but another hash
    ERROR = "error"  # the API could not be asked (key refused, unreachable...): see read_error
    SKIPPED = "skipped"  # not asked: see read_error (another API than --consent-api, no receipt)


class ConsentPost(Record):
    """One choice a banner posted to the consent API in a phase, and the API's answer."""

    page: str | None = Field(default=None, description="the page that posted it")
    consent_id: str | None = None
    action: str | None = None
    choices: dict[str, bool] = Field(default_factory=dict)
    status: int | None = Field(default=None, description="HTTP status; None: no answer")
    error: str | None = Field(default=None, description="the API's error code, or why no answer")
    seq: int | None = Field(default=None, description="receipt: the record's number in the chain")
    hash: str | None = Field(default=None, description="receipt: the record's hash")
    recorded_at: str | None = None
    read_back: ReadBack | None = Field(default=None, description="None: not read back")
    read_error: str | None = None
    stored: StoredConsent | None = Field(default=None, description="the record read back")


class ConsentApiUse(Record):
    """The site's banner talks to our consent API (banner.js or an adapter) in this phase."""

    api: str = Field(description="the API's origin, e.g. https://consent.example")
    site_key: str
    categories: list[str] = Field(
        default_factory=list, description="the site's categories (from the banner's /config)"
    )
    required: list[str] = Field(
        default_factory=list, description="the categories that are always on"
    )
    posts: list[ConsentPost] = Field(default_factory=list)


class PhaseResult(Record):
    name: Phase
    banner: Banner
    pages: list[PageVisit] = Field(default_factory=list)
    skipped: list[SkippedPage] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    blocked_cookies: list[BlockedCookie] = Field(
        default_factory=list, description="Set-Cookie headers the browser refused"
    )
    storage: list[StorageEntry] = Field(default_factory=list)
    third_party_hosts: list[ThirdPartyHost] = Field(default_factory=list)
    consent_api: ConsentApiUse | None = Field(
        default=None, description="the banner's consent API, its posts and their receipts"
    )
    started_at: datetime | None = None
    finished_at: datetime | None = None


# --- judgements --------------------------------------------------------------------------


class Classification(Record):
    category: Category
    vendor: str | None = None
    purpose: str | None = None
    exempt: bool = Field(description="may be set without consent (technical, session, ...)")
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = Field(description="which knowledge entry or rule decided, in words")
    source: str | None = Field(default=None, description="where the fact comes from (URL, doc)")


class ClassifiedCookie(Record):
    """One distinct cookie (`Cookie.key`) of the scan, across phases, with its verdict."""

    name: str
    domain: str
    path: str = "/"
    partition_site: str | None = Field(
        default=None, description="as `Cookie.partition_site`: None when not partitioned"
    )
    partition_cross_site: bool | None = Field(
        default=None, description="as `Cookie.partition_cross_site`"
    )
    party: Party
    phases: list[Phase]
    lifetime_days: float | None
    requested_lifetime_days: float | None = None
    set_by: str | None = None
    first_seen_page: str | None = None
    classification: Classification

    @property
    def key(self) -> CookieKey:
        return cookie_key(
            self.name, self.domain, self.path, self.partition_site, self.partition_cross_site
        )


MessageParam = str | int | float | list[str] | None


class Message(Record):
    """Words to render in any report language: an id of `scanner.findings_text` + parameters."""

    id: str
    params: dict[str, MessageParam] = Field(default_factory=dict)


class FindingBasis(StrEnum):
    """What a finding's confidence is about: the weakest judgement it rests on."""

    OBSERVATION = "observation"  # what the browser recorded (and well-known tracker hosts)
    CLASSIFICATION = "classification"  # a cookie's category / exemption
    EXTRACTION = "extraction"  # what was read in the policy text


class Evidence(Record):
    kind: str = Field(description="cookie | request | banner | page | policy | storage")
    phase: Phase | None = None
    cookie: str | None = Field(default=None, description="name@domain")
    url: str | None = None
    page: str | None = None
    quote: str | None = Field(default=None, description="the policy sentence relied on")
    detail: str | None = None
    detail_message: Message | None = Field(
        default=None, description="`detail` as a message, for reports in other languages"
    )


class Finding(Record):
    rule_id: str
    severity: Severity
    title: str = Field(description="in English (reports render `message` in their language)")
    explanation: str = Field(description="in English")
    legal_reference: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    subject: str | None = Field(
        default=None, description="what it is about: name@domain of a cookie, a company, ..."
    )
    confidence: float = Field(
        default=1.0, ge=0.0, le=1.0, description="confidence of what the finding rests on"
    )
    verify: bool = Field(
        default=False,
        description="a point to check, not a violation: it rests on a low-confidence "
        "classification or reading of the policy (severity lowered)",
    )
    basis: FindingBasis | None = Field(default=None, description="what the confidence is about")
    message: Message | None = Field(
        default=None, description="title and explanation as a message id + parameters"
    )


# --- the document ------------------------------------------------------------------------


class ToolInfo(Record):
    name: str = "cookie-audit"
    version: str
    autoconsent_version: str | None = None
    knowledge_base_version: str | None = None


class BrowserInfo(Record):
    name: str = "chromium"
    version: str | None = None
    executable: str | None = None
    user_agent: str | None = None


class Summary(Record):
    status: ScanStatus
    pages_visited: int = 0
    pages_skipped: int = 0
    cookies_by_phase: dict[str, int] = Field(default_factory=dict)
    categories_by_phase: dict[str, dict[str, int]] = Field(default_factory=dict)
    third_party_hosts: int = 0
    findings_by_severity: dict[str, int] = Field(default_factory=dict)
    verdict: str = ""


class Scan(Record):
    schema_version: str = SCHEMA_VERSION
    target: str
    site: str = Field(description="registrable domain of the target")
    options: dict[str, Any] = Field(default_factory=dict)
    tool: ToolInfo
    browser: BrowserInfo
    started_at: datetime
    finished_at: datetime | None = None
    duration_s: float | None = None
    interrupted: bool = False
    phases: list[PhaseResult] = Field(default_factory=list)
    cookies: list[ClassifiedCookie] = Field(default_factory=list)
    policy_pages: list[str] = Field(default_factory=list)
    declared_policy: dict[str, Any] | None = Field(
        default=None, description="scanner.policy.DeclaredPolicy, as understood (model_dump)"
    )
    findings: list[Finding] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what was skipped or degraded")
    summary: Summary | None = None

    def phase(self, name: Phase) -> PhaseResult | None:
        return next((p for p in self.phases if p.name == name), None)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def save(self, path: Path) -> None:
        """Write atomically: a crash or Ctrl-C never leaves a half-written scan.json."""
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Scan:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def json_schema() -> dict[str, Any]:
    schema = Scan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://cookie-audit.invalid/schemas/scan-{SCHEMA_VERSION}.json"
    return schema
