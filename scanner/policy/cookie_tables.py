"""Cookie lists in policies: the tables (HTML or markdown) of name / duration / purpose.

Many cookie policies list every cookie in a table; reading it gives the rules a declared
cookie list (undeclared cookies, lifetimes longer than declared, "session" cookies that persist).
"""

from __future__ import annotations

import re

from scanner.policy.declared import DeclaredCookie
from scanner.policy.text import normalise
from scanner.policy.vocab import category_from_label, parse_lifetime

_NAME_COL = re.compile(
    r"^(?:nom|name|cookie|cookies|nom du cookie|cookie name|nom des cookies|nombre|nome|"
    r"bezeichnung|cookie-name|identifiant|traceur)\b"
)
_LIFETIME_COL = re.compile(
    r"dure|expir|lifetime|conservation|retention|validit|lebensdauer|speicherdauer|ablauf|"
    r"duracion|caducidad|scadenza|durata|storage period|period"
)
_CATEGORY_COL = re.compile(r"categ|type|finalit|purpose|zweck|tipo|finalidad|objet|but|usage")
_DOMAIN_COL = re.compile(
    r"domain|domaine|fournisseur|provider|host|emetteur|editeur|anbieter|proveedor|fornitore|"
    r"tiers|third|source|vendor|service"
)
#: how sure a cookie read from a table row is (its row is its quote)
TABLE_CONFIDENCE = 0.85
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9_\-.*\[\]<>#$]{1,64}$")
_MAX_ROWS = 2000


def _cookies_from_rows(rows: list[list[str]], source: str | None) -> list[DeclaredCookie]:
    out: list[DeclaredCookie] = []
    header: dict[str, int] | None = None
    for cells in rows[:_MAX_ROWS]:
        norm = [normalise(c) for c in cells]
        if header is None or (norm and _NAME_COL.match(norm[0] if norm else "")):
            cols = _header(norm)
            if cols is not None:
                header = cols
                continue
        if header is None or len(cells) <= header["name"]:
            continue
        names = [n.strip() for n in re.split(r"[,/\s]+", cells[header["name"]]) if n.strip()]
        names = [n for n in names if _COOKIE_NAME.match(n)]
        if not names or len(names) > 12:
            continue
        lifetimes: list[tuple[float | None, bool]] = [(None, False)] * len(names)
        if "lifetime" in header and header["lifetime"] < len(cells):
            lifetimes = _lifetimes(cells[header["lifetime"]], len(names))
        category = None
        if "category" in header and header["category"] < len(cells):
            category = category_from_label(cells[header["category"]])
        domain = None
        if "domain" in header and header["domain"] < len(cells):
            cell = cells[header["domain"]].strip()
            if re.fullmatch(r"\.?[a-z0-9-]+(?:\.[a-z0-9-]+)+", cell.lower()):
                domain = cell.lower()
        quote = " | ".join(c.strip() for c in cells if c.strip())[:300]
        for name, (lifetime, session) in zip(names, lifetimes, strict=True):
            out.append(
                DeclaredCookie(
                    name=name,
                    domain=domain,
                    category=category,
                    lifetime_days=lifetime,
                    session=session,
                    quote=quote,
                    source=source,
                    confidence=TABLE_CONFIDENCE,
                )
            )
    return out


def _lifetimes(cell: str, count: int) -> list[tuple[float | None, bool]]:
    """One lifetime per cookie of the row: "Session / 6 months" for "YSC, VISITOR_INFO1_LIVE"
    pairs them in order; a single lifetime applies to every cookie of the row."""
    parts = [p for p in re.split(r"\s*[/;,]\s*|\s+(?:and|et|und|y|e)\s+", cell) if p.strip()]
    if count > 1 and len(parts) == count:
        return [parse_lifetime(p) for p in parts]
    return [parse_lifetime(cell)] * count


def _header(norm: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, cell in enumerate(norm):
        if "name" not in cols and _NAME_COL.match(cell):
            cols["name"] = i
        elif "lifetime" not in cols and _LIFETIME_COL.search(cell):
            cols["lifetime"] = i
        elif "category" not in cols and _CATEGORY_COL.search(cell):
            cols["category"] = i
        elif "domain" not in cols and _DOMAIN_COL.search(cell):
            cols["domain"] = i
    if "name" in cols and ("lifetime" in cols or "category" in cols):
        return cols
    return None


def cookies_from_html_tables(document: str, source: str | None) -> list[DeclaredCookie]:
    if "<table" not in document.lower():
        return []
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(document, "lxml")
    out: list[DeclaredCookie] = []
    for table in soup.find_all("table"):
        rows = [
            [" ".join(cell.get_text(" ").split()) for cell in tr.find_all(("td", "th"))]
            for tr in table.find_all("tr")
        ]
        out.extend(_cookies_from_rows([r for r in rows if r], source))
    return _dedupe(out)


def cookies_from_markdown(lines: list[str], source: str | None) -> list[DeclaredCookie]:
    rows: list[list[str]] = []
    for line in lines:
        if line.count("|") >= 2:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
        elif line.count("\t") >= 1:
            cells = [c.strip() for c in line.split("\t")]
        else:
            continue
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        rows.append(cells)
    return _dedupe(_cookies_from_rows(rows, source)) if rows else []


def _dedupe(cookies: list[DeclaredCookie]) -> list[DeclaredCookie]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for c in cookies:
        if (c.name, c.domain) not in seen:
            seen.add((c.name, c.domain))
            out.append(c)
    return out
