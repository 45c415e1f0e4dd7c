"""Scoring the policy extractor against a careful reader's annotations.

The annotations (tests/policy/devset/*.yaml) list what each policy text declares; this module
turns both the annotation and an extracted `DeclaredPolicy` into comparable items per kind and
counts true positives, false positives and misses. Used by `python -m benchmarks policy` and
by the regression test tests/policy/test_devset.py.

Item kinds and how they match:
- category: the category value.
- cookie: the cookie name (case-insensitive).
- cookie_lifetime: (name, "session" or days), days equal within 3 % (or 0.01 day).
- cookie_category: (name, group) with the 3 groups exempt (technical, session), analytics
  (analytics, google_analytics), tracking.
- vendor: the annotated name or one of its aliases (case-insensitive, exact); a product of the
  vendor catalogue whose company sells nothing else in it also stands for that company (the
  extractor's "Meta Pixel" is the reader's "Meta" or "Facebook", "Pinterest Tag" is
  "Pinterest": vendors are companies, README), never for a company of several products
  (Google, Microsoft); a legal form ("Ltd", "S.r.l.") is ignored on both sides.
- personal_data, anonymised, exempt, storage_in_eu: the flag's value.
- transfer: "none", "outside", "country:XX", "safeguard:scc|adequacy|bcr|dpf".
- retention: days, equal within 3 %.
- contact: "email|role".
Optional items (`optional:` in the annotation) are neither counted as missed nor as wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from scanner.model import Category
from scanner.policy import DeclaredPolicy, TransferKind, extract_policy
from scanner.policy.text import html_to_lines
from scanner.policy.vendor_lists import without_legal_form
from scanner.policy.vendors import VENDORS, Vendor

ROOT = Path(__file__).resolve().parents[1]
DEVSET_TEXTS = ROOT.parent / "shared" / "policy-devset"
DEVSET_ANNOTATIONS = ROOT / "tests" / "policy" / "devset" / "annotations.yaml"
SEED_TEXTS = ROOT / "tests" / "policy" / "data"
SEED_ANNOTATIONS = ROOT / "tests" / "policy" / "devset" / "seed.yaml"
AUTHORED_TEXTS = ROOT / "tests" / "policy" / "authored" / "texts"
AUTHORED_ANNOTATIONS = ROOT / "tests" / "policy" / "authored" / "annotations.yaml"
FRESH_TEXTS = ROOT / "tests" / "policy" / "fresh" / "texts"
FRESH_ANNOTATIONS = ROOT / "tests" / "policy" / "fresh" / "annotations.yaml"
FRESH2_TEXTS = ROOT / "tests" / "policy" / "fresh2" / "texts"
FRESH2_ANNOTATIONS = ROOT / "tests" / "policy" / "fresh2" / "annotations.yaml"
FRESH3_TEXTS = ROOT / "tests" / "policy" / "fresh3" / "texts"
FRESH3_ANNOTATIONS = ROOT / "tests" / "policy" / "fresh3" / "annotations.yaml"

KINDS = (
    "category",
    "cookie",
    "cookie_lifetime",
    "cookie_category",
    "vendor",
    "personal_data",
    "anonymised",
    "exempt",
    "storage_in_eu",
    "transfer",
    "retention",
    "contact",
)
_GROUP = {
    Category.TECHNICAL.value: "exempt",
    Category.SESSION.value: "exempt",
    Category.ANALYTICS.value: "analytics",
    Category.GOOGLE_ANALYTICS.value: "analytics",
    Category.TRACKING.value: "tracking",
}

Item = tuple[Any, ...]


@dataclass(frozen=True)
class Annotation:
    file: str
    language: str
    split: str
    items: dict[str, list[Item]]
    optional: dict[str, list[Item]]
    vendor_aliases: dict[str, frozenset[str]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.wrong += other.wrong
        self.missed += other.missed

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def _days(value: object) -> str | float:
    if value == "session":
        return "session"
    return float(value)  # type: ignore[arg-type]


def _close(a: object, b: object) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    x, y = float(a), float(b)  # type: ignore[arg-type]
    return abs(x - y) <= max(0.01, 0.03 * max(abs(x), abs(y)))


def _name(name: str) -> str:
    return name.strip().casefold()


def _parse_optional(raw: Iterable[str]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for entry in raw:
        kind, _, value = entry.partition(":")
        value = value or "true"
        if kind == "vendor":
            out.setdefault(kind, []).append((_name(value),))
        elif kind == "retention":
            out.setdefault(kind, []).append((float(value),))
        else:
            out.setdefault(kind, []).append((value,))
    return out


def _annotation(file: str, raw: dict[str, Any]) -> Annotation:
    items: dict[str, list[Item]] = {k: [] for k in KINDS}
    items["category"] = [(c,) for c in raw.get("categories") or []]
    aliases: dict[str, frozenset[str]] = {}
    for c in raw.get("cookies") or []:
        name = _name(str(c["name"]))
        items["cookie"].append((name,))
        if "lifetime" in c:
            items["cookie_lifetime"].append((name, _days(c["lifetime"])))
        if c.get("category"):
            items["cookie_category"].append((name, _GROUP[c["category"]]))
    for v in raw.get("vendors") or []:
        canonical = _name(v["name"])
        items["vendor"].append((canonical,))
        aliases[canonical] = frozenset({canonical, *(_name(a) for a in v.get("aliases") or [])})
    for flag in ("personal_data", "anonymised", "exempt", "storage_in_eu"):
        if raw.get(flag) is not None:
            items[flag].append((str(bool(raw[flag])).lower(),))
    transfers = raw.get("transfers") or {}
    if transfers.get("none"):
        items["transfer"].append(("none",))
    if transfers.get("outside"):
        items["transfer"].append(("outside",))
    items["transfer"] += [(f"country:{c}",) for c in transfers.get("countries") or []]
    items["transfer"] += [(f"safeguard:{s}",) for s in transfers.get("safeguards") or []]
    items["retention"] = [(float(d),) for d in raw.get("retention") or []]
    items["contact"] = [(f"{c['email'].lower()}|{c['role']}",) for c in raw.get("contacts") or []]
    return Annotation(
        file=file,
        language=raw["language"],
        split=raw["split"],
        items=items,
        optional=_parse_optional(raw.get("optional") or []),
        vendor_aliases=aliases,
    )


def load_annotations(path: Path) -> list[Annotation]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [_annotation(file, entry) for file, entry in sorted(raw.items())]


def read_text(path: Path) -> str:
    """A dev-set file without its two `#` header lines (source and excerpt note)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith(("# source:", "# excerpt")):
        lines.pop(0)
    return "\n".join(lines)


def extracted_items(policy: DeclaredPolicy) -> dict[str, list[Item]]:
    items: dict[str, list[Item]] = {k: [] for k in KINDS}
    items["category"] = [(c.category.value,) for c in policy.categories]
    for c in policy.cookies:
        name = _name(c.name)
        items["cookie"].append((name,))
        if c.session:
            items["cookie_lifetime"].append((name, "session"))
        elif c.lifetime_days is not None:
            items["cookie_lifetime"].append((name, c.lifetime_days))
        if c.category is not None and c.category is not Category.UNKNOWN:
            items["cookie_category"].append((name, _GROUP[c.category.value]))
    items["vendor"] = [(_name(v.name),) for v in policy.vendors]
    flags = {
        "personal_data": policy.collects_personal_data,
        "anonymised": policy.audience_anonymised,
        "exempt": policy.consent_exemption,
        "storage_in_eu": policy.storage_in_eu,
    }
    for kind, flag in flags.items():
        if flag is not None:
            items[kind].append((str(flag.value).lower(),))
    transfer: set[str] = set()
    for t in policy.transfers:
        if t.kind is TransferKind.NONE:
            transfer.add("none")
        else:
            transfer.add("outside")
        transfer.update(f"country:{c}" for c in t.countries)
        transfer.update(f"safeguard:{s}" for s in t.safeguards)
    items["transfer"] = [(t,) for t in sorted(transfer)]
    retention: list[Item] = []
    for r in policy.retention:
        if not any(_close(r.days, x[0]) for x in retention):
            retention.append((r.days,))
    items["retention"] = retention
    items["contact"] = [(f"{c.email.lower()}|{c.role}",) for c in policy.contacts]
    return items


@cache
def _single_product_companies() -> dict[str, Vendor]:
    """Catalogue products (casefolded name) whose company has no other product in the catalogue."""
    per_company = Counter(v.company for v in VENDORS)
    return {_name(v.name): v for v in VENDORS if per_company[v.company] == 1}


def _company_of(got: str, expected: str) -> bool:
    vendor = _single_product_companies().get(got)
    return vendor is not None and (
        expected == _name(vendor.company) or re.fullmatch(vendor.text, expected) is not None
    )


def _matcher(kind: str, ann: Annotation) -> Callable[[Item, Item], bool]:
    if kind == "vendor":

        def vendor(expected: Item, got: Item) -> bool:
            names = ann.vendor_aliases.get(expected[0], frozenset({expected[0]}))
            return (
                got[0] in names
                or without_legal_form(str(got[0])) in {without_legal_form(str(n)) for n in names}
                or _company_of(str(got[0]), str(expected[0]))
            )

        return vendor
    if kind == "cookie_lifetime":
        return lambda e, g: e[0] == g[0] and _close(e[1], g[1])
    if kind == "retention":
        return lambda e, g: _close(e[0], g[0])
    return lambda e, g: e == g


def score(ann: Annotation, policy: DeclaredPolicy) -> dict[str, Counts]:
    got = extracted_items(policy)
    result: dict[str, Counts] = {}
    for kind in KINDS:
        match = _matcher(kind, ann)
        expected = list(dict.fromkeys(ann.items.get(kind, [])))
        optional = ann.optional.get(kind, [])
        counts = Counts()
        remaining = list(expected)
        for item in dict.fromkeys(got[kind]):
            hit = next((e for e in remaining if match(e, item)), None)
            if hit is not None:
                remaining.remove(hit)
                counts.tp += 1
            elif any(match(o, item) for o in optional) or (
                kind == "vendor" and any(o[0] == item[0] for o in optional)
            ):
                continue
            elif any(match(e, item) for e in expected):
                continue  # a second extraction of an item already counted
            else:
                counts.fp += 1
                counts.wrong.append(f"{ann.file}: {kind} {_show(item)}")
        counts.fn = len(remaining)
        counts.missed += [f"{ann.file}: {kind} {_show(e)}" for e in remaining]
        result[kind] = counts
    return result


def _show(item: Item) -> str:
    return " ".join(str(x) for x in item)


def _flat(text: str) -> str:
    """Whitespace, table pipes and markdown markup flattened: "[a](mailto:a)" reads "a"."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<((?:https?://|mailto:)[^<>\s]+)>", r"\1", text)
    return re.sub(r"[\s|*_#]+", " ", text).strip()


def quotes_verbatim(policy: DeclaredPolicy, text: str) -> tuple[int, int, list[str]]:
    """How many extracted items carry a quote found word for word in the source text."""
    if text.lstrip()[:1] == "<":
        text = "\n".join(html_to_lines(text))  # the words of an HTML page, not its markup
    source = _flat(text)
    items: list[Any] = [
        *policy.categories,
        *policy.vendors,
        *policy.cookies,
        *policy.transfers,
        *policy.retention,
        *policy.contacts,
    ]
    items += [
        f
        for f in (
            policy.collects_personal_data,
            policy.audience_anonymised,
            policy.consent_exemption,
            policy.storage_in_eu,
        )
        if f is not None
    ]
    ok, bad = 0, []
    for item in items:
        quote = item.quote or ""
        pieces = [_flat(p) for p in quote.split(" … ")]
        if quote and all(p in source for p in pieces):
            ok += 1
        else:
            bad.append(quote[:80])
    return ok, len(items), bad


@dataclass(frozen=True)
class FileResult:
    annotation: Annotation
    counts: dict[str, Counts]
    language_detected: str | None
    quotes_ok: int
    quotes_total: int


def evaluate(annotations: list[Annotation], texts: Path) -> list[FileResult]:
    out = []
    for ann in annotations:
        text = read_text(texts / ann.file)
        policy = extract_policy(text, ann.file, "text/plain")
        ok, total, _ = quotes_verbatim(policy, text)
        out.append(FileResult(ann, score(ann, policy), policy.language, ok, total))
    return out


def aggregate(results: Iterable[FileResult]) -> dict[str, Counts]:
    total: dict[str, Counts] = {k: Counts() for k in KINDS}
    for r in results:
        for kind, c in r.counts.items():
            total[kind].add(c)
    return total


def overall(counts: dict[str, Counts]) -> Counts:
    total = Counts()
    for c in counts.values():
        total.add(c)
    return total
