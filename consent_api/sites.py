"""Sites and admin keys: validation of site settings, registration, updates, key checks.

Admin keys look like ``ca_<key_id>_<secret>``: the id finds the row, the secret is compared as
SHA-256 digests with :func:`hmac.compare_digest` (constant time); only the digest is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, Table, insert, select, update
from sqlalchemy.engine import RowMapping

from consent_api.errors import InvalidInput, MalformedRequest, NotFound, Unauthenticated
from consent_api.models import GENESIS_HASH, AdminKey, IpPolicy, Site

SITES = cast(Table, Site.__table__)
KEYS = cast(Table, AdminKey.__table__)

CATEGORY_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
#: what a site key can look like (``pk_`` + URL-safe base64); anything else is unknown without
#: a query (a NUL byte in a URL would otherwise reach PostgreSQL, which refuses it with an error)
SITE_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")

DEFAULT_CATEGORIES: list[dict[str, Any]] = [
    {
        "id": "necessary",
        "label": {"en": "Strictly necessary", "fr": "Strictement nécessaires"},
        "required": True,
        "description": {
            "en": "Needed for the site to work and to remember your choice.",
            "fr": "Indispensables au fonctionnement du site et à la mémorisation de votre choix.",
        },
    },
    {
        "id": "analytics",
        "label": {"en": "Audience measurement", "fr": "Mesure d'audience"},
        "required": False,
        "description": {
            "en": "Help us understand how the site is used.",
            "fr": "Nous aident à comprendre l'utilisation du site.",
        },
    },
    {
        "id": "marketing",
        "label": {"en": "Advertising", "fr": "Publicité"},
        "required": False,
        "description": {
            "en": "Let partners show you ads based on your browsing.",
            "fr": "Permettent à des partenaires de vous montrer des publicités ciblées.",
        },
    },
]


def now_utc() -> datetime:
    return datetime.now(UTC)


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces (also what record hashes are computed over)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class SiteView:
    """A site row decoded once (JSON columns parsed)."""

    id: int
    site_key: str
    name: str
    origins: tuple[str, ...]
    categories: tuple[dict[str, Any], ...]
    policy_version: str
    policy_versions: tuple[str, ...]
    banner_revision: int
    banner_revisions: tuple[int, ...]
    retention_days: int
    ip_policy: IpPolicy
    reconsent_after_days: int
    created_at: datetime
    head_seq: int
    head_hash: str
    server_key_sha256: str | None = None

    @classmethod
    def from_row(cls, row: RowMapping) -> SiteView:
        return cls(
            id=row["id"],
            site_key=row["site_key"],
            name=row["name"],
            origins=tuple(json.loads(row["origins"])),
            categories=tuple(json.loads(row["categories"])),
            policy_version=row["policy_version"],
            policy_versions=tuple(json.loads(row["policy_versions"])),
            banner_revision=row["banner_revision"],
            banner_revisions=tuple(json.loads(row["banner_revisions"])),
            retention_days=row["retention_days"],
            ip_policy=IpPolicy(row["ip_policy"]),
            reconsent_after_days=row["reconsent_after_days"],
            created_at=row["created_at"],
            head_seq=row["head_seq"],
            head_hash=row["head_hash"],
            server_key_sha256=row.get("server_key_sha256"),
        )

    @property
    def category_ids(self) -> tuple[str, ...]:
        return tuple(c["id"] for c in self.categories)

    def admin_json(self) -> dict[str, Any]:
        created = self.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return {
            "site_key": self.site_key,
            "name": self.name,
            "origins": list(self.origins),
            "categories": list(self.categories),
            "policy_version": self.policy_version,
            "policy_versions": list(self.policy_versions),
            "banner_revision": self.banner_revision,
            "banner_revisions": list(self.banner_revisions),
            "retention_days": self.retention_days,
            "ip_policy": self.ip_policy.value,
            "reconsent_after_days": self.reconsent_after_days,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "server_key": self.server_key_sha256 is not None,
        }


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)


def _plain(field: str, value: str, *, breaks: bool = False) -> str:
    """Valid Unicode without NUL or other control characters (line breaks and tabs allowed if
    ``breaks``). PostgreSQL refuses NUL in text and no database stores a lone surrogate: both
    would otherwise end as a 500."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(field, "not valid Unicode (lone surrogate)") from None
    allowed = "\n\r\t" if breaks else ""
    if any((ord(c) < 32 or 127 <= ord(c) < 160) and c not in allowed for c in value):
        raise _invalid(field, "contains NUL or other control characters")
    return value


def _origin(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 255:
        raise _invalid("origins", "each origin must be a string like https://www.example.com")
    if any(c.isspace() for c in _plain("origins", value)):
        raise _invalid("origins", f"{value!r} contains spaces")
    parts = urlsplit(value)
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise _invalid("origins", f"{value!r} is not an origin like https://www.example.com")
    try:
        port = parts.port
    except ValueError:
        raise _invalid("origins", f"{value!r} has an invalid port") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def _texts(field: str, value: Any, *, required: bool) -> dict[str, str]:
    """A label (``required``: one line) or a description (optional, may hold line breaks)."""
    breaks = not required
    if value is None and not required:
        return {}
    if isinstance(value, str) and value:
        return {"en": _plain(field, value, breaks=breaks)}
    if (
        not isinstance(value, dict)
        or not value
        or not all(
            isinstance(k, str) and 0 < len(k) <= 35 and isinstance(v, str) and len(v) <= 2000
            for k, v in value.items()
        )
    ):
        raise _invalid(field, "expected a string or an object language -> text")
    return {_plain(field, k): _plain(field, v, breaks=breaks) for k, v in value.items()}


def _categories(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not 1 <= len(value) <= 32:
        raise _invalid("categories", "expected a list of 1 to 32 category objects")
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            raise _invalid("categories", "each category must be an object with an id")
        cid = item.get("id")
        if not isinstance(cid, str) or not CATEGORY_ID.match(cid):
            raise _invalid("categories", f"category id {cid!r} must match {CATEGORY_ID.pattern}")
        if cid in seen:
            raise _invalid("categories", f"duplicate category id {cid!r}")
        seen.add(cid)
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise _invalid("categories", f"{cid}.required must be a boolean")
        out.append(
            {
                "id": cid,
                "label": _texts("categories.label", item.get("label", cid), required=True),
                "required": required,
                "description": _texts(
                    "categories.description", item.get("description"), required=False
                ),
            }
        )
    return out


def _int_field(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(field, f"expected an integer from {low} to {high}")
    return value


def _str_field(field: str, value: Any, high: int) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= high:
        raise _invalid(field, f"expected a non-empty string of at most {high} characters")
    return _plain(field, value.strip())


def validate_settings(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Site settings from an admin request or the CLI, checked field by field."""
    known = {
        "name",
        "origins",
        "categories",
        "policy_version",
        "banner_revision",
        "retention_days",
        "ip_policy",
        "reconsent_after_days",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(unknown)}", "unknown_field", field=unknown[0]
        )
    out: dict[str, Any] = {}
    if "name" in data or not partial:
        out["name"] = _str_field("name", data.get("name"), 200)
    if "origins" in data or not partial:
        origins = data.get("origins", [])
        if not isinstance(origins, list) or len(origins) > 50:
            raise _invalid("origins", "expected a list of at most 50 origins")
        out["origins"] = sorted({_origin(o) for o in origins})
    if "categories" in data or not partial:
        out["categories"] = _categories(data.get("categories", DEFAULT_CATEGORIES))
    if "policy_version" in data or not partial:
        out["policy_version"] = _str_field("policy_version", data.get("policy_version", "1"), 64)
    if "banner_revision" in data or not partial:
        out["banner_revision"] = _int_field(
            "banner_revision", data.get("banner_revision", 1), 1, 2**31 - 1
        )
    if "retention_days" in data or not partial:
        out["retention_days"] = _int_field(
            "retention_days", data.get("retention_days", 1825), 1, 36500
        )
    if "reconsent_after_days" in data or not partial:
        out["reconsent_after_days"] = _int_field(
            "reconsent_after_days", data.get("reconsent_after_days", 182), 1, 3650
        )
    if "ip_policy" in data or not partial:
        policy = data.get("ip_policy", "none")
        if policy not in {p.value for p in IpPolicy}:
            raise _invalid("ip_policy", "expected 'none' or 'truncated'")
        out["ip_policy"] = policy
    return out


def unknown_site() -> NotFound:
    return NotFound("No site is registered with this key.", "unknown_site")


def get_site(conn: Connection, site_key: str, *, lock: bool = False) -> SiteView:
    if not isinstance(site_key, str) or not SITE_KEY.fullmatch(site_key):
        raise unknown_site()
    query = select(SITES).where(SITES.c.site_key == site_key)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    if row is None:
        raise unknown_site()
    return SiteView.from_row(row)


class SiteCache:
    """Sites as the hot path sees them, kept ``ttl`` seconds per process: a site's settings
    (origins, categories, versions) change rarely, and decoding them on every post cost more
    than the post's SQL. The chain's head is never taken from here (it is read under the
    chain's lock). A change reaches every worker within ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self.engine = engine
        self.ttl = ttl
        self._sites: dict[str, tuple[float, SiteView]] = {}
        self._lock = threading.Lock()

    def get(self, site_key: str) -> SiteView:
        if not isinstance(site_key, str) or not SITE_KEY.fullmatch(site_key):
            raise unknown_site()
        now = time.monotonic()
        cached = self._sites.get(site_key)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        with self.engine.connect() as conn:
            site = get_site(conn, site_key)
        with self._lock:
            if len(self._sites) > 10000:
                self._sites.clear()
            self._sites[site_key] = (now, site)
        return site

    def forget(self, site_key: str) -> None:
        self._sites.pop(site_key, None)


def list_sites(conn: Connection) -> list[SiteView]:
    rows = conn.execute(select(SITES).order_by(SITES.c.id)).mappings()
    return [SiteView.from_row(r) for r in rows]


def new_site_key() -> str:
    return "pk_" + secrets.token_urlsafe(16)


def create_site(conn: Connection, data: Mapping[str, Any]) -> SiteView:
    values = validate_settings(data, partial=False)
    site_key = new_site_key()
    conn.execute(
        insert(SITES).values(
            site_key=site_key,
            name=values["name"],
            origins=dumps(values["origins"]),
            categories=dumps(values["categories"]),
            policy_version=values["policy_version"],
            policy_versions=dumps([values["policy_version"]]),
            banner_revision=values["banner_revision"],
            banner_revisions=dumps([values["banner_revision"]]),
            retention_days=values["retention_days"],
            ip_policy=values["ip_policy"],
            reconsent_after_days=values["reconsent_after_days"],
            created_at=now_utc(),
            head_seq=0,
            head_hash=GENESIS_HASH,
        )
    )
    return get_site(conn, site_key)


def update_site(conn: Connection, site_key: str, data: Mapping[str, Any]) -> SiteView:
    """Change a site's settings. A new policy version or banner revision becomes current and
    the old ones stay known (banners cached in browsers may still post them)."""
    if not isinstance(data, Mapping):
        raise MalformedRequest("The body must be a JSON object.")
    values = validate_settings(data, partial=True)
    site = get_site(conn, site_key, lock=True)
    changes: dict[str, Any] = {}
    for field in ("name", "retention_days", "ip_policy", "reconsent_after_days"):
        if field in values:
            changes[field] = values[field]
    if "origins" in values:
        changes["origins"] = dumps(values["origins"])
    if "categories" in values:
        changes["categories"] = dumps(values["categories"])
    if "policy_version" in values:
        changes["policy_version"] = values["policy_version"]
        known = [v for v in site.policy_versions if v != values["policy_version"]]
        changes["policy_versions"] = dumps([*known, values["policy_version"]])
    if "banner_revision" in values:
        changes["banner_revision"] = values["banner_revision"]
        revs = [r for r in site.banner_revisions if r != values["banner_revision"]]
        changes["banner_revisions"] = dumps([*revs, values["banner_revision"]])
    if changes:
        conn.execute(update(SITES).where(SITES.c.id == site.id).values(**changes))
    return get_site(conn, site_key)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_admin_key(conn: Connection, site_id: int | None, label: str) -> str:
    """Store a new admin key (hashed) and return the only copy of it in clear."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        insert(KEYS).values(
            key_id=key_id,
            secret_sha256=_sha256(secret),
            site_id=site_id,
            label=label[:200],
            created_at=now_utc(),
            revoked=False,
        )
    )
    return f"ca_{key_id}_{secret}"


KEY_FORMAT = re.compile(r"^ca_([0-9a-f]{16})_([A-Za-z0-9_-]{20,100})$")


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    key_id: str
    site_id: int | None  # None: global key


def check_admin_key(conn: Connection, authorization: str | None) -> AdminIdentity:
    if not authorization:
        raise Unauthenticated("Send the admin key as 'Authorization: Bearer <key>'.")
    scheme, _, key = authorization.partition(" ")
    match = KEY_FORMAT.match(key.strip()) if scheme.lower() == "bearer" else None
    row = None
    if match:
        row = conn.execute(select(KEYS).where(KEYS.c.key_id == match.group(1))).mappings().first()
    # Compare digests even when the id is unknown, so timing says nothing about which ids exist.
    stored = row["secret_sha256"] if row is not None else "0" * 64
    given = _sha256(match.group(2)) if match else "1" * 64
    if not hmac.compare_digest(stored, given) or row is None or row["revoked"]:
        raise Unauthenticated("The admin key is not valid.", "invalid_admin_key")
    return AdminIdentity(key_id=row["key_id"], site_id=row["site_id"])


SERVER_KEY_FORMAT = re.compile(r"^ss_[A-Za-z0-9_-]{20,100}$")


def create_server_key(conn: Connection, site_key: str) -> str:
    """A new key for the site's own server to post choices without an ``Origin`` (replaces the
    previous one); only its SHA-256 is stored, the key is shown once."""
    site = get_site(conn, site_key, lock=True)
    key = "ss_" + secrets.token_urlsafe(32)
    conn.execute(update(SITES).where(SITES.c.id == site.id).values(server_key_sha256=_sha256(key)))
    return key


def server_key_matches(stored_sha256: str | None, authorization: str | None) -> bool:
    """``Authorization: Bearer ss_...`` against the site's stored digest (constant time)."""
    scheme, _, key = (authorization or "").partition(" ")
    key = key.strip()
    given = (
        _sha256(key) if scheme.lower() == "bearer" and SERVER_KEY_FORMAT.match(key) else "1" * 64
    )
    return hmac.compare_digest(stored_sha256 or "0" * 64, given) and stored_sha256 is not None
