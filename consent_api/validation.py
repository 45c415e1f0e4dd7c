"""Request validation: a posted choice becomes a :class:`Draft`, a record that means what it
says, or a domain error naming the field. Pure: no database, no Flask.

What is checked, and why:

- ``action`` agrees with ``choices``: ``accept_all`` grants every category, ``reject_all``,
  ``withdraw`` and ``gpc`` refuse every optional one, a required category is never refused;
  ``gpc`` needs the browser's Global Privacy Control signal (``Sec-GPC: 1``). A category left
  out takes the value the action implies (``custom``: refused).
- ``client_ts`` is within ``CLIENT_TS_MAX_SKEW_SECONDS`` of the server's time, both ways (a
  choice dated 9999 would otherwise block every later one of that visitor), and is stored
  zero-padded ISO 8601 so that text order is time order.
- Every text is a string of valid Unicode (no lone surrogates) without NUL or other control
  characters, within its length; ``page_url`` keeps scheme, host, port and path only (a query
  string or fragment may hold personal data, whatever the client sends).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from consent_api.errors import Conflict, InvalidInput, MalformedRequest
from consent_api.models import Action, IpPolicy, Source
from consent_api.sites import SiteView
from consent_api.verifier import dumps

ACTIONS = frozenset(a.value for a in Action)
_ACTION = {a.value: a for a in Action}
#: actions after which no optional category may be granted
REFUSING = frozenset({Action.REJECT_ALL, Action.WITHDRAW, Action.GPC})
# Unicode category Cc is exactly these two ranges; Cs (surrogates) cannot be encoded.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROL_OR_SURROGATE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: ASCII letters, digits and hyphens, 1 to 35 of them (a BCP 47 tag's alphabet and length)
LANGUAGE_TAG = re.compile("[A-Za-z0-9-]{1,35}")
SPACE = re.compile(r"\s")  # the same characters as str.isspace()
#: the canonical form of a version-4 UUID (any case); others are checked by uuid.UUID
UUID4 = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
)


def iso(moment: datetime) -> str:
    """UTC, microseconds, 'Z', the year always four digits: one fixed form so that hashes are
    reproducible on any database and text order is time order."""
    # isoformat pads the year to four digits too
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Limits:
    page_url_max: int = 2048
    user_agent_max: int = 512
    client_ts_max_skew: float = 86400.0
    replay_window: float = 30.0


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the server itself adds to a record."""

    user_agent: str | None
    gpc: bool
    remote_addr: str | None
    source: Source = Source.BROWSER


@dataclass(frozen=True, slots=True)
class Draft:
    """A validated choice, ready to be chained (``seq``, ``recorded_at`` and the hashes are
    added under the chain's lock)."""

    site_id: int
    fields: dict[str, Any]  # the record's columns but seq, recorded_at, prev_hash, hash
    idempotency_key: str

    @property
    def consent_id(self) -> str:
        return str(self.fields["consent_id"])

    @property
    def client_ts(self) -> str | None:
        value = self.fields["client_ts"]
        return None if value is None else str(value)


def _invalid(field: str, message: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code, field=field)


def parse_consent_id(value: Any) -> str:
    if isinstance(value, str) and UUID4.fullmatch(value):
        return value.lower()  # what str(uuid.UUID(value)) gives, without making one
    if isinstance(value, str) and len(value) == 36:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.version == 4:
            return str(parsed)
    raise _invalid("consent_id", "consent_id must be a UUID (version 4).", "invalid_consent_id")


def clean_text(field: str, value: Any, max_length: int) -> str:
    """A string of valid Unicode, without NUL or control characters, at most ``max_length``."""
    if not isinstance(value, str):
        raise _invalid(field, f"{field} must be a string.")
    if len(value) > max_length:
        raise _invalid(field, f"{field} is longer than {max_length} characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(field, f"{field} is not valid Unicode (lone surrogate).") from None
    if CONTROL.search(value):
        raise _invalid(field, f"{field} contains control characters (NUL, line breaks...).")
    return value


@functools.lru_cache(maxsize=1024)
def clean_header(value: str | None, max_length: int) -> str | None:
    """A header we record but never refuse a choice for (the User-Agent): control characters
    and invalid Unicode are dropped, the rest cut to ``max_length``. (Cached: a site's
    visitors send a few hundred distinct user agents, not one each.)"""
    if not value:
        return None
    return CONTROL_OR_SURROGATE.sub("", value[: max_length * 2])[:max_length] or None


def clean_page_url(value: Any, max_length: int) -> str | None:
    """``scheme://host[:port]/path`` of an http(s) URL; query, fragment and credentials are
    removed whatever the client sends."""
    if value is None:
        return None
    if type(value) is str:
        return _cached_page_url(value, max_length)
    return _clean_page_url(value, max_length)  # the error for a value that is not a string


@functools.lru_cache(maxsize=1024)
def _cached_page_url(value: str, max_length: int) -> str:
    """A site's posts come from a few pages: each is parsed once (errors are not cached)."""
    return _clean_page_url(value, max_length)


def _clean_page_url(value: Any, max_length: int) -> str:
    text = clean_text("page_url", value, 8192)
    if SPACE.search(text):
        raise _invalid("page_url", "page_url must not contain spaces.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _invalid("page_url", "page_url is not a URL.") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise _invalid("page_url", "page_url must be an http or https URL.")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme.lower()]
    netloc = host + (f":{port}" if port and port != default else "")
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"[:max_length]


def parse_client_ts(value: Any, now: datetime, max_skew: float) -> str | None:
    if value is None:
        return None
    message = "client_ts must be an ISO 8601 time or milliseconds since 1970."
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError
            moment = datetime.fromtimestamp(value / 1000, UTC)
        elif isinstance(value, str) and len(value) <= 40:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        raise _invalid("client_ts", message) from None
    skew = (moment - now).total_seconds()
    if abs(skew) > max_skew:
        direction = "ahead of" if skew > 0 else "behind"
        raise _invalid(
            "client_ts",
            f"client_ts is {abs(skew) / 3600:.1f} hours {direction} the server's time "
            f"(at most {max_skew / 3600:g} hours either way).",
        )
    return iso(moment)


def _choices(raw: Any, action: Action, site: SiteView, gpc: bool) -> dict[str, bool]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or not all(isinstance(v, bool) for v in raw.values()):
        raise _invalid(
            "choices", "choices must be an object category -> true/false.", "invalid_choices"
        )
    known = site.category_ids
    unknown = sorted(k for k in raw if k not in known)
    if unknown:
        raise _invalid(
            "choices",
            f"Unknown category {unknown[0]!r}; this site has: {', '.join(known)}.",
            "unknown_category",
        )
    if action is Action.GPC and not gpc:
        raise _invalid(
            "action",
            "action gpc needs the browser's Global Privacy Control signal (Sec-GPC: 1).",
            "gpc_signal_missing",
        )
    choices: dict[str, bool] = {}
    for category in site.categories:
        cid = category["id"]
        given = raw.get(cid)
        if category["required"]:
            if given is False:
                raise _invalid(
                    "choices", f"{cid!r} is required: it cannot be refused.", "inconsistent_choices"
                )
            choices[cid] = True
        elif action is Action.ACCEPT_ALL:
            if given is False:
                raise _invalid(
                    "choices",
                    f"accept_all cannot refuse {cid!r}: send action custom.",
                    "inconsistent_choices",
                )
            choices[cid] = True
        elif action in REFUSING:
            if given is True:
                raise _invalid(
                    "choices",
                    f"{action.value} cannot grant {cid!r}: send action custom.",
                    "inconsistent_choices",
                )
            choices[cid] = False
        else:
            choices[cid] = bool(given)
    return choices


def _language(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not LANGUAGE_TAG.fullmatch(value):
        raise _invalid("language", "language must be a language tag like 'fr-FR'.")
    return value


def _versions(body: dict[str, Any], site: SiteView) -> tuple[str, int]:
    policy = body.get("policy_version")
    if not isinstance(policy, str) or policy not in site.policy_versions:
        raise Conflict(
            f"Unknown policy_version; the current one is {site.policy_version!r}.",
            "unknown_policy_version",
        )
    revision = body.get("banner_revision")
    if isinstance(revision, str) and revision.isdigit() and len(revision) < 10:
        revision = int(revision)
    if (
        isinstance(revision, bool)
        or not isinstance(revision, int)
        or revision not in site.banner_revisions
    ):
        raise Conflict(
            f"Unknown banner_revision; the current one is {site.banner_revision}.",
            "unknown_banner_revision",
        )
    return policy, revision


@functools.lru_cache(maxsize=4096)
def truncate_ip(address: str | None) -> str | None:
    """/24 for IPv4, /48 for IPv6 (the network, never the host). (Cached: parsing an address
    costs more than the rest of a post's checks.)"""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def validate(
    body: Any, site: SiteView, context: RequestContext, limits: Limits, now: datetime
) -> Draft:
    """Check a posted choice against its site; nothing is written unless all of it is valid."""
    if not isinstance(body, dict):
        raise MalformedRequest("The body must be a JSON object.")
    consent_id = parse_consent_id(body.get("consent_id"))
    action_value = body.get("action")
    action = _ACTION.get(action_value) if isinstance(action_value, str) else None
    if action is None:
        raise _invalid(
            "action", f"action must be one of {', '.join(sorted(ACTIONS))}.", "invalid_action"
        )
    choices = _choices(body.get("choices"), action, site, context.gpc)
    policy, revision = _versions(body, site)
    client_ts = parse_client_ts(body.get("client_ts"), now, limits.client_ts_max_skew)
    fields: dict[str, Any] = {
        "site_id": site.id,
        "consent_id": consent_id,
        "choices": dumps(choices),
        "action": action.value,
        "policy_version": policy,
        "banner_revision": revision,
        "language": _language(body.get("language")),
        "page_url": clean_page_url(body.get("page_url"), limits.page_url_max),
        "user_agent": clean_header(context.user_agent, limits.user_agent_max),
        "gpc": context.gpc,
        "ip": truncate_ip(context.remote_addr) if site.ip_policy is IpPolicy.TRUNCATED else None,
        "client_ts": client_ts,
        "source": context.source.value,
        "hash_version": 2,
    }
    return Draft(site.id, fields, idempotency_key(fields, now, limits.replay_window))


def idempotency_key(fields: dict[str, Any], now: datetime, window: float) -> str:
    """The same post sent twice (a beacon retried, a double click) gets the same key, which is
    unique in the database. With ``client_ts`` the banner's own time identifies the post;
    without it, the server's time rounded to ``window`` seconds does."""
    when = fields["client_ts"] or f"~{int(now.timestamp() // max(window, 1.0))}"
    payload = [
        fields["consent_id"],
        when,
        fields["choices"],
        fields["action"],
        fields["policy_version"],
        fields["banner_revision"],
        fields["language"],
        fields["page_url"],
        fields["source"],
    ]
    return hashlib.sha256(dumps(payload).encode()).hexdigest()
