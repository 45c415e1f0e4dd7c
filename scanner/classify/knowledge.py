"""The knowledge base: what vendors document about their cookies and domains, as data.

Two layers, each a pair of CSV files (`cookies.csv`, `domains.csv`): the packaged layer in
`scanner/classify/data/` (written by us from each vendor's public cookie documentation; every
row names its source) and an optional user layer (an imported Open Cookie Database, say) that
is consulted first. Below both sits a fallback layer, the Open Cookie Database as packaged
(`data/ocd_cookies.csv`, Apache-2.0, see `data/NOTICE.txt`): consulted only when no name of ours
matches, because its maintainers' categories disagree with sites' own more often than ours.
`data/roles.csv` names the vendors whose cookies' purpose depends on how the site uses them
(a CRM's visitor id is analytics, or tracking when the same site loads the vendor's ad
retargeting), with the hosts that show the second use.
Rows are compiled once into dictionaries keyed for O(1) lookups.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from scanner.model import Category

FALLBACK_FILE = "ocd_cookies.csv"
FALLBACK_LAYER = "Open Cookie Database"
COOKIE_COLUMNS = ("pattern", "match", "domain", "category", "vendor", "purpose", "source")
DOMAIN_COLUMNS = ("domain", "category", "vendor", "country", "source")
ROLE_COLUMNS = ("vendor", "without", "with", "evidence", "source")
MIN_PREFIX = 2


class KnowledgeError(ValueError):
    """A knowledge file is malformed (the message names the file and row)."""


@dataclass(frozen=True, slots=True)
class CookieEntry:
    pattern: str
    match: str  # exact | prefix
    domain: str  # "" = any domain; else a domain suffix the cookie's domain must end with
    category: Category
    vendor: str
    purpose: str
    source: str
    layer: str = "packaged"

    def domain_matches(self, domain: str) -> bool:
        return not self.domain or domain == self.domain or domain.endswith("." + self.domain)


@dataclass(frozen=True, slots=True)
class DomainEntry:
    domain: str
    category: Category
    vendor: str
    country: str
    source: str


@dataclass(frozen=True, slots=True)
class VendorRole:
    """A vendor whose cookies are `without` unless a host in `evidence` is on the site."""

    vendor: str
    without: Category
    with_evidence: Category
    evidence: tuple[str, ...]
    source: str


@dataclass
class KnowledgeBase:
    """Compiled lookup tables; build with `KnowledgeBase.load()`."""

    exact: dict[str, list[CookieEntry]] = field(default_factory=dict)
    exact_folded: dict[str, list[CookieEntry]] = field(default_factory=dict)
    prefixes: dict[str, list[CookieEntry]] = field(default_factory=dict)  # by first 2 chars
    domains: dict[str, DomainEntry] = field(default_factory=dict)
    version: str = ""
    size: int = 0
    fallback: KnowledgeBase | None = None  # names consulted after every other signal
    roles: dict[str, VendorRole] = field(default_factory=dict)  # by vendor name

    def add_cookie(self, entry: CookieEntry) -> None:
        self.size += 1
        if entry.match == "exact":
            self.exact.setdefault(entry.pattern, []).append(entry)
            self.exact_folded.setdefault(entry.pattern.lower(), []).append(entry)
        else:
            bucket = self.prefixes.setdefault(entry.pattern[:MIN_PREFIX], [])
            bucket.append(entry)
            # longest prefix first, then domain-specific before generic
            bucket.sort(key=lambda e: (-len(e.pattern), e.domain == ""))

    def add_domain(self, entry: DomainEntry) -> None:
        self.domains.setdefault(entry.domain, entry)

    def lookup_name(self, name: str, domain: str) -> CookieEntry | None:
        """Exact name (domain-specific entries first), then the longest matching prefix."""
        for table, key in ((self.exact, name), (self.exact_folded, name.lower())):
            entries = table.get(key)
            if entries:
                best = _best_for_domain(entries, domain)
                if best is not None:
                    return best
        for entry in self.prefixes.get(name[:MIN_PREFIX], ()):
            if name.startswith(entry.pattern) and entry.domain_matches(domain):
                return entry
        return None

    def lookup_domain(self, domain: str) -> DomainEntry | None:
        """The most specific known vendor domain that `domain` is (or is under)."""
        domain = domain.lstrip(".").lower()
        while domain:
            entry = self.domains.get(domain)
            if entry is not None:
                return entry
            _, _, domain = domain.partition(".")
        return None

    def lookup_fallback(self, name: str, domain: str) -> CookieEntry | None:
        return self.fallback.lookup_name(name, domain) if self.fallback is not None else None

    @classmethod
    def load(cls, user_dirs: Iterable[Path] = (), *, fallback: bool = True) -> KnowledgeBase:
        """The packaged layer, with user layers (consulted first) on top, and the packaged
        Open Cookie Database as the fallback layer unless `fallback` is false."""
        kb = cls()
        digest = hashlib.sha256()
        layers: list[tuple[str, str, str]] = []
        for directory in user_dirs:
            for name in ("cookies.csv", "domains.csv"):
                path = directory / name
                if path.is_file():
                    layers.append((f"user:{directory}", name, path.read_text(encoding="utf-8")))
        data = files("scanner.classify") / "data"
        for name in ("cookies.csv", "domains.csv"):
            layers.append(("packaged", name, (data / name).read_text(encoding="utf-8")))
        for layer, name, text in layers:
            digest.update(text.encode())
            origin = f"{layer}/{name}"
            if name == "cookies.csv":
                for entry in parse_cookie_rows(text, origin, layer):
                    kb.add_cookie(entry)
            else:
                for dentry in parse_domain_rows(text, origin):
                    kb.add_domain(dentry)
        roles = (data / "roles.csv").read_text(encoding="utf-8")
        digest.update(roles.encode())
        for role in parse_role_rows(roles, "packaged/roles.csv"):
            kb.roles[role.vendor] = role
        if fallback:
            text = (data / FALLBACK_FILE).read_text(encoding="utf-8")
            digest.update(text.encode())
            kb.fallback = cls()
            for entry in parse_cookie_rows(text, f"packaged/{FALLBACK_FILE}", FALLBACK_LAYER):
                kb.fallback.add_cookie(entry)
        kb.version = digest.hexdigest()[:12]
        return kb


def _best_for_domain(entries: list[CookieEntry], domain: str) -> CookieEntry | None:
    generic: CookieEntry | None = None
    for entry in entries:
        if entry.domain:
            if entry.domain_matches(domain):
                return entry
        elif generic is None:
            generic = entry
    return generic


def _category(value: str, origin: str, line: int) -> Category:
    try:
        return Category(value.strip())
    except ValueError:
        allowed = ", ".join(c.value for c in Category)
        raise KnowledgeError(
            f"{origin}:{line}: unknown category {value!r} (allowed: {allowed})"
        ) from None


def _rows(text: str, origin: str, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise KnowledgeError(f"{origin}: missing columns {', '.join(missing)}")
    for line, row in enumerate(reader, start=2):
        yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}


def parse_cookie_rows(text: str, origin: str, layer: str = "packaged") -> Iterable[CookieEntry]:
    for line, row in _rows(text, origin, COOKIE_COLUMNS):
        pattern, match = row["pattern"], row["match"] or "exact"
        if not pattern:
            raise KnowledgeError(f"{origin}:{line}: empty pattern")
        if match not in ("exact", "prefix"):
            raise KnowledgeError(f"{origin}:{line}: match must be exact or prefix, not {match!r}")
        if match == "prefix" and len(pattern) < MIN_PREFIX:
            raise KnowledgeError(f"{origin}:{line}: prefix {pattern!r} is too short")
        yield CookieEntry(
            pattern=pattern,
            match=match,
            domain=row["domain"].lstrip(".").lower(),
            category=_category(row["category"], origin, line),
            vendor=row["vendor"],
            purpose=row["purpose"],
            source=row["source"],
            layer=layer,
        )


def parse_domain_rows(text: str, origin: str) -> Iterable[DomainEntry]:
    for line, row in _rows(text, origin, DOMAIN_COLUMNS):
        if not row["domain"]:
            raise KnowledgeError(f"{origin}:{line}: empty domain")
        yield DomainEntry(
            domain=row["domain"].lstrip(".").lower(),
            category=_category(row["category"], origin, line),
            vendor=row["vendor"],
            country=row["country"],
            source=row["source"],
        )


def parse_role_rows(text: str, origin: str) -> Iterable[VendorRole]:
    for line, row in _rows(text, origin, ROLE_COLUMNS):
        if not row["vendor"]:
            raise KnowledgeError(f"{origin}:{line}: empty vendor")
        yield VendorRole(
            vendor=row["vendor"],
            without=_category(row["without"], origin, line),
            with_evidence=_category(row["with"], origin, line),
            evidence=tuple(h.lower() for h in row["evidence"].split()),
            source=row["source"],
        )
