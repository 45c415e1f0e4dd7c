"""The labelled cookie sets the classifier is measured on, and their tuning / held-out split.

Labels come from others, never from us:

- `site_declared.csv`: cookies that real sites list in their own cookie tables
  (`../shared/policy-devset/`), with the site's own category (one row per declared cookie; the
  policy texts stay in `../shared`).
- `cmp_tarteaucitron.csv`: the cookie declarations a consent platform ships (tarteaucitron.js
  1.34.0 from npm, MIT): every service's cookie names with the consent category the platform
  files the service under. Sites that use it show visitors exactly these categories.
  Regenerate with `python -m benchmarks.classify_sets rebuild PATH/tarteaucitron.services.js`.
- the Open Cookie Database (`../shared/data/open-cookie-database.csv`, Apache-2.0), read from
  `../shared` at run time: its maintainers' labels, a separate agreement measurement.
- `crawl_shaped.csv`: the cookies real sites most often set, each row as a crawl records it
  (name with its real suffix, domain, party, lifetime, a typical value, the setter's host, the
  scan's hosts), labelled with the group the big consent platforms' public cookie repositories
  and the vendors' own documentation give. **Written by the team** from that knowledge: a check
  of knowledge coverage on crawl-shaped input, not an independent evaluation. Rows where the
  sources disagree say so in `ambiguous`. Split by vendor like the others.

The split is by the unit a label comes from (a site, a consent-platform service, an OCD
platform), so no site or vendor sits on both sides: `split_of(unit)` is the parity of a
salted SHA-256, fixed before anything was measured. Tuning looks only at the `tune` part; the
`holdout` part is reported, never inspected row by row.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
SITE_SET = DATA / "site_declared.csv"
CRAWL_SET = DATA / "crawl_shaped.csv"
CMP_SET = DATA / "cmp_tarteaucitron.csv"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
OCD_PATH = SHARED / "data" / "open-cookie-database.csv"

TECHNICAL, ANALYTICS, TRACKING = "technical+session", "analytics", "tracking"
#: tarteaucitron's service types; the others (api, support, other, comment) name what a
#: service is, not what its cookies are for, so they get no 3-group label
CMP_GROUP = {"analytic": ANALYTICS, "ads": TRACKING, "social": TRACKING, "video": TRACKING}
#: the Open Cookie Database's categories
OCD_GROUP = {
    "functional": TECHNICAL,
    "security": TECHNICAL,
    "personalization": TECHNICAL,
    "preferences": TECHNICAL,
    "analytics": ANALYTICS,
    "marketing": TRACKING,
}
SET_COLUMNS = (
    "name",
    "match",
    "site",
    "domain",
    "lifetime_days",
    "label",
    "group",
    "unit",
    "hosts",
    "split",
)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled cookie: what the classifier is given and the label it should reach."""

    name: str  # for a declared prefix ("_pk_id."), the prefix followed by "1"
    domain: str
    site: str | None
    lifetime_days: float | None
    label: str  # the labeller's own words
    group: str  # technical+session | analytics | tracking
    unit: str  # the site / service / platform the label comes from
    hosts: tuple[str, ...]  # hosts the same source shows loading (for role evidence)
    split: str  # tune | holdout
    party: str = ""  # first | third when the source says
    lifetime_known: bool = True  # False: the source does not say (None is then not "session")
    value: str = ""  # an example value when the source gives one
    set_by: str = ""  # the host of the script or response that set it, when the source says
    ambiguous: str = ""  # where the labelling sources disagree, how


#: chosen among five salts for the most even sizes, before any accuracy was measured
SPLIT_SALT = "split-5:"


def split_of(unit: str) -> str:
    digest = hashlib.sha256((SPLIT_SALT + unit).encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "holdout"


def _instance(name: str, match: str) -> str:
    return name + "1" if match == "prefix" else name


def _days(cell: str) -> float | None:
    """A lifetime cell: days, "session" (a browser-session cookie) or empty (not said)."""
    return None if cell in ("", "session") else float(cell)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _common(row: dict[str, str]) -> dict[str, Any]:
    """The fields every labelled set's row gives the same way."""
    return {
        "site": row["site"] or None,
        "lifetime_days": _days(row["lifetime_days"]),
        "label": row["label"],
        "group": row["group"],
        "unit": row["unit"],
        "hosts": tuple(row["hosts"].split()),
        "split": row["split"],
    }


def load_set(path: Path) -> list[Labelled]:
    return [
        Labelled(
            name=_instance(row["name"], row["match"]),
            domain=row["domain"],
            lifetime_known=row["lifetime_days"] != "",
            **_common(row),
        )
        for row in _rows(path)
        if row["group"]
    ]


def load_crawl(path: Path = CRAWL_SET) -> list[Labelled]:
    """The crawl-shaped check set: every field a crawl records, with the label's sources."""
    return [
        Labelled(
            name=row["name"],
            domain=row["domain"].lstrip("."),
            party=row["party"],
            value=row["value"],
            set_by=row["set_by"],
            ambiguous=row["ambiguous"],
            **_common(row),
        )
        for row in _rows(path)
    ]


_RETENTION = re.compile(r"(\d+)\s*(minute|hour|day|week|month|year)", re.I)
_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.4, "year": 365}


def _retention_days(text: str) -> float | None:
    found = _RETENTION.search(text)
    if found is None:
        return None
    return int(found.group(1)) * _DAYS[found.group(2).lower()]


def load_ocd(path: Path = OCD_PATH) -> list[Labelled]:
    """The Open Cookie Database as labelled cookies (wildcard names as prefix instances)."""
    out = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            group = OCD_GROUP.get(row["Category"].strip().lower())
            name = row["Cookie / Data Key name"].strip()
            if not group or not name:
                continue
            domain = row["Domain"].strip().lstrip(".").lower()
            if " " in domain or "(" in domain or "." not in domain:
                domain = ""
            platform = row["Platform"].strip()
            out.append(
                Labelled(
                    name=_instance(name, "prefix" if row["Wildcard match"] == "1" else "exact"),
                    domain=domain,
                    site=None,
                    lifetime_days=_retention_days(row["Retention period"]),
                    lifetime_known=_retention_days(row["Retention period"]) is not None
                    or "session" in row["Retention period"].lower(),
                    label=row["Category"].strip(),
                    group=group,
                    unit=platform,
                    hosts=(),
                    split=split_of(platform),
                )
            )
    return out


# -- building the consent-platform set ----------------------------------------------------

_SERVICE = re.compile(r"^tarteaucitron\.services\.(\w+)\s*=\s*\{", re.M)
_FIELD = re.compile(r'"(key|type|name)":\s*"([^"]*)"')
_COOKIES = re.compile(r'"cookies":\s*\[(.*?)\]', re.S)
_STRING = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_SCRIPT_HOST = re.compile(r"addScript\(\s*['\"](?:https?:)?//([a-z0-9.-]+)", re.I)


def read_tarteaucitron(source: str) -> list[dict[str, str]]:
    """One row per (service, cookie) of tarteaucitron.services.js, with the service's type."""
    starts = [m.start() for m in _SERVICE.finditer(source)] + [len(source)]
    rows = []
    for begin, end in itertools.pairwise(starts):
        block = source[begin:end]
        fields = dict(_FIELD.findall(block))
        cookies = _COOKIES.search(block)
        if "key" not in fields or "type" not in fields or cookies is None:
            continue
        hosts = " ".join(dict.fromkeys(h.lower() for h in _SCRIPT_HOST.findall(block)))
        for single, double in _STRING.findall(cookies.group(1)):
            name = (single or double).strip()
            if not name:
                continue
            # a trailing separator is how the platform writes a prefix ("intercom-id-")
            match = "prefix" if name.endswith(("-", "_")) and len(name) > 3 else "exact"
            rows.append(
                {
                    "name": name,
                    "match": match,
                    "site": "",
                    "domain": "",
                    "lifetime_days": "",
                    "label": f"{fields['type']} ({fields.get('name', fields['key'])})",
                    "group": CMP_GROUP.get(fields["type"], ""),
                    "unit": fields["key"],
                    "hosts": hosts,
                    "split": split_of(fields["key"]),
                }
            )
    return rows


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SET_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    if argv[:1] == ["rebuild"] and len(argv) == 2:
        declarations = read_tarteaucitron(Path(argv[1]).read_text(encoding="utf-8"))
        write_rows(CMP_SET, declarations)
        print(f"{len(declarations)} declarations -> {CMP_SET}")
        return 0
    sets = {"site_declared": load_set(SITE_SET), "cmp_tarteaucitron": load_set(CMP_SET)}
    sets["crawl_shaped"] = load_crawl()
    if OCD_PATH.is_file():
        sets["open_cookie_database"] = load_ocd()
    for title, rows in sets.items():
        tune = sum(1 for r in rows if r.split == "tune")
        units = len({r.unit for r in rows})
        print(
            f"{title}: {len(rows)} labelled ({tune} tune, {len(rows) - tune} held out), "
            f"{units} units"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
