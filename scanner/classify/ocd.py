"""Import a data set in the Open Cookie Database CSV format as a user knowledge layer.

Columns: ID, Platform, Category, Cookie / Data Key name, Domain, Description, Retention period,
Data Controller, User Privacy & GDPR Rights Portals, Wildcard match. Its categories map onto
ours: Functional/Security -> technical, Analytics -> analytics (google_analytics when the
platform is Google Analytics), Marketing -> tracking, Preferences/Personalization -> technical.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scanner.classify.knowledge import COOKIE_COLUMNS, KnowledgeError
from scanner.model import Category

OCD_COLUMNS = (
    "ID",
    "Platform",
    "Category",
    "Cookie / Data Key name",
    "Domain",
    "Description",
    "Retention period",
    "Data Controller",
    "User Privacy & GDPR Rights Portals",
    "Wildcard match",
)
CATEGORY_MAP = {
    "functional": Category.TECHNICAL,
    "security": Category.TECHNICAL,
    "preferences": Category.TECHNICAL,
    "personalization": Category.TECHNICAL,
    "personalisation": Category.TECHNICAL,
    "analytics": Category.ANALYTICS,
    "marketing": Category.TRACKING,
    "advertising": Category.TRACKING,
}


@dataclass(frozen=True)
class ImportResult:
    path: Path
    imported: int
    skipped: int


def _category(raw: str, platform: str, name: str) -> Category | None:
    category = CATEGORY_MAP.get(raw.strip().lower())
    if category is Category.ANALYTICS and "google analytics" in platform.lower():
        return Category.GOOGLE_ANALYTICS
    if category is Category.TECHNICAL and "sess" in name.lower():
        return Category.SESSION
    return category


def _domain(raw: str) -> str:
    domain = raw.strip().lstrip(".").lower()
    # OCD writes "(3rd party)" or a description for cookies set on many domains
    if not domain or " " in domain or "(" in domain or "." not in domain:
        return ""
    return domain


def read_ocd(data: bytes, origin: str) -> tuple[list[dict[str, str]], int]:
    """Rows in our cookies.csv columns, and how many source rows were skipped."""
    if not data.strip():
        raise KnowledgeError(f"{origin}: the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(
            f"{origin}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry"
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in OCD_COLUMNS if c not in header]
    if missing:
        raise KnowledgeError(
            f"{origin}: not an Open Cookie Database CSV, missing columns: {', '.join(missing)}"
        )
    rows, skipped = [], 0
    for row in reader:
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        name = cells["Cookie / Data Key name"]
        category = _category(cells["Category"], cells["Platform"], name)
        if not name or category is None:
            skipped += 1
            continue
        wildcard = cells["Wildcard match"] in {"1", "true", "True", "yes"}
        if wildcard and len(name) < 2:
            skipped += 1
            continue
        rows.append(
            {
                "pattern": name,
                "match": "prefix" if wildcard else "exact",
                "domain": _domain(cells["Domain"]),
                "category": category.value,
                "vendor": cells["Data Controller"] or cells["Platform"],
                "purpose": cells["Description"][:200],
                "source": f"Open Cookie Database ({cells['ID'] or 'no id'})",
            }
        )
    if not rows:
        raise KnowledgeError(f"{origin}: no usable rows (all {skipped} skipped)")
    return rows, skipped


def import_open_cookie_database(source: Path, kb_dir: Path) -> ImportResult:
    """Convert `source` into `kb_dir/cookies.csv` (replacing a previous import atomically)."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{source}: cannot read ({exc.strerror or exc})") from None
    rows, skipped = read_ocd(data, str(source))
    kb_dir.mkdir(parents=True, exist_ok=True)
    target = kb_dir / "cookies.csv"
    tmp = target.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COOKIE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(target)
    return ImportResult(path=target, imported=len(rows), skipped=skipped)
