"""The YAML declaration a site owner writes (schema in docs/policy.md), and a starter from a scan.

The file format is friendlier than DeclaredPolicy (plain strings where a record would be
verbose, lifetimes like "13 months"), so it has its own strict pydantic models: unknown keys
and wrong types are refused with the field's path in the message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.errors import UsageError
from scanner.inputs import FileTooLargeError, load_yaml, read_limited
from scanner.model import Category, Scan
from scanner.policy.declared import (
    DeclaredCategory,
    DeclaredContact,
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredRetention,
    DeclaredRight,
    DeclaredTransfer,
    DeclaredVendor,
    Flag,
    Origin,
    TransferKind,
)
from scanner.policy.vendors import vendor_by_name, vendor_country
from scanner.policy.vocab import parse_lifetime

MAX_DECLARATION_BYTES = 1_000_000


class DeclarationError(UsageError):
    """A YAML declaration that cannot be read: the message names the file and the field."""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Quoted(_File):
    quote: str | None = None


class CategoryEntry(_Quoted):
    category: Category


class VendorEntry(_Quoted):
    name: str
    country: str | None = Field(default=None, min_length=2, max_length=2)


class CookieEntry(_Quoted):
    name: str = Field(min_length=1)
    domain: str | None = None
    category: Category | None = None
    lifetime: float | str | None = Field(
        default=None, description='days (number), "13 months", "2 years" or "session"'
    )


class AudienceEntry(_Quoted):
    anonymised: bool | None = None
    consent_exempt: bool | None = None


class TransferEntry(_Quoted):
    kind: TransferKind | None = None
    countries: list[str] = Field(default_factory=list)
    safeguards: list[Literal["scc", "adequacy", "bcr", "dpf", "consent"]] = Field(
        default_factory=list
    )


class RetentionEntry(_Quoted):
    data: str
    kind: str = "personal_data"
    days: float | None = Field(default=None, ge=0)
    period: str | None = None


class ContactEntry(_Quoted):
    email: str
    role: Literal["dpo", "contact", "authority"] = "contact"


class DeclarationFile(_File):
    """The YAML document, as written by a site owner."""

    version: Literal[1] = 1
    site: str | None = None
    mentions_cookies: bool | None = None
    categories: list[Category | CategoryEntry] = Field(default_factory=list)
    vendors: list[str | VendorEntry] = Field(default_factory=list)
    cookies: list[CookieEntry] = Field(default_factory=list)
    collects_personal_data: bool | None = None
    audience_measurement: AudienceEntry | None = None
    storage_in_eu: bool | None = None
    transfers: Literal["none"] | list[TransferEntry] | None = None
    retention: list[RetentionEntry] = Field(default_factory=list)
    contacts: list[ContactEntry] = Field(default_factory=list)
    dpo_email: str | None = None
    rights: list[
        Literal[
            "access",
            "rectification",
            "erasure",
            "restriction",
            "portability",
            "objection",
            "withdraw_consent",
            "complaint",
            "post_mortem",
        ]
    ] = Field(default_factory=list)


def _lifetime(value: float | str | None, where: str) -> tuple[float | None, bool]:
    if value is None:
        return None, False
    if isinstance(value, int | float):
        return float(value), False
    days, session = parse_lifetime(value)
    if days is None and not session:
        raise DeclarationError(
            f"{where}: lifetime {value!r} is not a duration (use days, '13 months', "
            "'2 years' or 'session')"
        )
    return days, session


def declaration_to_policy(data: DeclarationFile, source: str) -> DeclaredPolicy:
    q = "declared in " + source

    def flag(value: bool | None, quote: str | None = None) -> Flag | None:
        return None if value is None else Flag(value=value, quote=quote or q, source=source)

    categories = [
        DeclaredCategory(category=c, quote=q, source=source)
        if isinstance(c, Category)
        else DeclaredCategory(category=c.category, quote=c.quote or q, source=source)
        for c in data.categories
    ]
    vendors = []
    for v in data.vendors:
        entry = VendorEntry(name=v) if isinstance(v, str) else v
        known = vendor_by_name(entry.name)
        vendors.append(
            DeclaredVendor(
                name=entry.name,
                country=entry.country or (vendor_country(known) if known else None),
                kind=known.kind if known else None,
                quote=entry.quote or q,
                source=source,
            )
        )
    cookies = []
    for i, c in enumerate(data.cookies):
        days, session = _lifetime(c.lifetime, f"{source}: cookies.{i}.lifetime")
        cookies.append(
            DeclaredCookie(
                name=c.name,
                domain=c.domain,
                category=c.category,
                lifetime_days=days,
                session=session,
                quote=c.quote or q,
                source=source,
            )
        )
        if c.category is not None and c.category not in {x.category for x in categories}:
            categories.append(DeclaredCategory(category=c.category, quote=q, source=source))
    transfers: list[DeclaredTransfer] = []
    if data.transfers == "none":
        transfers.append(DeclaredTransfer(kind=TransferKind.NONE, quote=q, source=source))
    elif data.transfers:
        for t in data.transfers:
            kind = t.kind or (
                TransferKind.SAFEGUARDS
                if t.safeguards
                else TransferKind.COUNTRIES
                if t.countries
                else TransferKind.OUTSIDE_EU
            )
            transfers.append(
                DeclaredTransfer(
                    kind=kind,
                    countries=[c.upper() for c in t.countries],
                    safeguards=list(t.safeguards),
                    quote=t.quote or q,
                    source=source,
                )
            )
    retention = []
    for i, r in enumerate(data.retention):
        days = r.days
        if days is None and r.period is not None:
            days, _ = _lifetime(r.period, f"{source}: retention.{i}.period")
        if days is None:
            raise DeclarationError(f"{source}: retention.{i}: give 'days' or 'period'")
        retention.append(
            DeclaredRetention(
                data=r.data, kind=r.kind, days=days, quote=r.quote or q, source=source
            )
        )
    contacts = [
        DeclaredContact(email=c.email, role=c.role, quote=c.quote or q, source=source)
        for c in data.contacts
    ]
    if data.dpo_email:
        contacts.append(DeclaredContact(email=data.dpo_email, role="dpo", quote=q, source=source))
    audience = data.audience_measurement
    mentions = data.mentions_cookies
    if mentions is None:
        mentions = bool(categories or cookies)
    return DeclaredPolicy(
        origin=Origin.DECLARATION,
        owner_declaration=True,
        sources=[source],
        mentions_cookies=mentions,
        categories=categories,
        vendors=vendors,
        cookies=cookies,
        collects_personal_data=flag(data.collects_personal_data),
        audience_anonymised=flag(audience.anonymised, audience.quote) if audience else None,
        consent_exemption=flag(audience.consent_exempt, audience.quote) if audience else None,
        storage_in_eu=flag(data.storage_in_eu),
        transfers=transfers,
        retention=retention,
        contacts=contacts,
        rights=[DeclaredRight(right=r, quote=q, source=source) for r in data.rights],
    )


def _is_branch_tag(part: object) -> bool:
    """pydantic names union branches in error paths ("CategoryEntry", "list[...]")."""
    text = str(part)
    return text[:1].isupper() or "[" in text or text in ("str", "float", "int", "bool")


def _field_errors(exc: ValidationError) -> str:
    seen: set[str] = set()
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"] if not _is_branch_tag(x))
        if loc in seen:
            continue
        seen.add(loc)
        parts.append(f"field '{loc or '(top level)'}': {err['msg']}")
    more = len(parts) - 5
    return "; ".join(parts[:5]) + (f"; and {more} more" if more > 0 else "")


def parse_declaration(text: str, source: str) -> DeclaredPolicy:
    try:
        raw: Any = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DeclarationError(f"{source}: not valid YAML{where}: {problem}") from exc
    if raw is None:
        raise DeclarationError(f"{source}: the declaration is empty")
    if not isinstance(raw, dict):
        raise DeclarationError(
            f"{source}: a declaration is a YAML mapping (keys such as categories, cookies, "
            f"transfers), not a {type(raw).__name__}"
        )
    try:
        data = DeclarationFile.model_validate(raw)
    except ValidationError as exc:
        raise DeclarationError(f"{source}: {_field_errors(exc)}") from exc
    return declaration_to_policy(data, source)


def load_declaration(path: Path) -> DeclaredPolicy:
    """Read a YAML declaration; a UsageError (exit 2) names the file and the faulty field."""
    path = Path(path)
    try:
        text = read_limited(path, MAX_DECLARATION_BYTES).decode("utf-8")
    except FileTooLargeError as exc:
        raise DeclarationError(
            f"{path}: more than {MAX_DECLARATION_BYTES:,} bytes is too large for a declaration"
        ) from exc
    except FileNotFoundError as exc:
        raise DeclarationError(f"{path}: no such declaration file") from exc
    except UnicodeDecodeError as exc:
        raise DeclarationError(f"{path}: not UTF-8 text") from exc
    except OSError as exc:
        raise DeclarationError(f"{path}: cannot be read: {exc.strerror}") from exc
    return parse_declaration(text, str(path))


def starter_declaration(scan: Scan) -> str:
    """A YAML declaration listing what the scan observed, for the owner to correct."""
    categories = sorted(
        {c.classification.category for c in scan.cookies} - {Category.UNKNOWN},
        key=list(Category).index,
    )
    vendors = sorted({c.classification.vendor for c in scan.cookies if c.classification.vendor})
    cookies: list[dict[str, Any]] = []
    listed: set[tuple[str, str, str]] = set()
    for c in sorted(scan.cookies, key=lambda c: (c.domain.lstrip("."), c.name, c.path, *c.key)):
        if c.key[:3] in listed:
            continue  # the same cookie in another partition (CHIPS)
        listed.add(c.key[:3])
        entry: dict[str, Any] = {"name": c.name, "domain": c.domain}
        if c.classification.category is not Category.UNKNOWN:
            entry["category"] = c.classification.category.value
        days = (
            c.requested_lifetime_days
            if c.requested_lifetime_days is not None
            else (c.lifetime_days)
        )
        entry["lifetime"] = "session" if days is None else round(days, 1)
        cookies.append(entry)
    doc: dict[str, Any] = {
        "version": 1,
        "site": scan.site,
        "categories": [c.value for c in categories],
        "vendors": vendors,
        "cookies": cookies,
        "collects_personal_data": None,
        "audience_measurement": {"anonymised": None, "consent_exempt": None},
        "transfers": None,
        "retention": [],
        "contacts": [],
        "rights": [],
    }
    header = (
        f"# Cookie and data declaration for {scan.site} (schema: docs/policy.md).\n"
        f"# Started from the scan of {scan.target} ({scan.started_at:%Y-%m-%d}): it lists what\n"
        "# was OBSERVED. Edit it to say what the site DECLARES: remove what should not be\n"
        "# there, fill in transfers ('none' or a list), retention, contacts and rights.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
