"""Cookie lists in policies: the tables (HTML or markdown) of name / duration / purpose.

Many cookie policies list every cookie in a table; reading it gives the rules a declared
cookie list (undeclared cookies, lifetimes longer than declared, "session" cookies that persist).
"""

from __future__ import annotations

import re

from scanner.model import Category
from scanner.policy.declared import DeclaredCookie
from scanner.policy.text import normalise
from scanner.policy.vocab import (
    category_from_label,
    category_from_purpose,
    label_groups,
    paired_lifetimes,
    parse_lifetime,
)

_NAME_COL = re.compile(
    r"^(?:nom|name|cookie|cookies|nom du cookie|cookie name|nom des cookies|nombre|nome|"
    r"bezeichnung|cookie-name|identifiant|traceur|noms? des cookies|nombre de la cookie|"
    r"nome del cookie|cookie-bezeichnung)\b"
)
#: a header that says "name" outright wins over a bare "Cookie" column (which then holds the
#: vendor: "Cookie | Cookie name | Expiry")
_EXPLICIT_NAME_COL = re.compile(r"\b(?:nom|name|nombre|nome|bezeichnung|identifiant)\b")
_LIFETIME_COL = re.compile(
    r"dure|expir|lifetime|conservation|retention|validit|lebensdauer|speicherdauer|ablauf|"
    r"duracion|duration|caducidad|scadenza|durata|dauer|laufzeit|storage period|period|"
    r"vencimiento|plazo"
)
_CATEGORY_COL = re.compile(r"categ|\btype\b|\btyp\b|\btipo|kategorie|tipologia|\bart\b|cookie-art")
_PURPOSE_COL = re.compile(
    r"finalit|purpose|zweck|finalidad|objet|\bbut\b|usage|scopo|descri|what (?:it|they) do|"
    r"\bused for|\bfunction|funktion|funzione"
)
_DOMAIN_COL = re.compile(
    r"domain|domaine|fournisseur|provider|host|emetteur|editeur|anbieter|proveedor|fornitore|"
    r"tiers|third|source|vendor|service|societe|company|titular|titolare|partner|set by|"
    r"placed by|depose par|gesetzt von|instalada por|installato da"
)
#: how sure a cookie read from a table row is (its row is its quote)
TABLE_CONFIDENCE = 0.85
_COOKIE_NAME = re.compile(r"^[A-Za-z0-9_\-.*\[\]<>#$:]{1,64}$")
_MAX_ROWS = 2000


def _cookie_names(cell: str) -> list[str]:
    """The cookie names of a name cell: "_ga, _gid", "rc::a / rc::c", "_pk_id.*"; a cell of
    several words ("Cookies de session") names a kind of cookie, not a cookie."""
    pieces = [p.strip() for p in re.split(r"\s*[,/;]\s*|\s+(?:and|et|und|y|e|o|or|ou)\s+", cell)]
    pieces = [p.strip("`'\"«» ") for p in pieces if p.strip()]
    if any(" " in p for p in pieces):
        return []
    return [p for p in pieces if _COOKIE_NAME.match(p) and not p.isdigit()]


def _aligned(cells: list[str], header: dict[str, int]) -> list[str] | None:
    """A row whose leading cells are missing (a "Cookie" / vendor cell spanning several rows
    in the original table): "_gid | Session | Analytics" under "Cookie | Cookie name | Expiry |
    Purpose" starts at the name column. None: the row is not shifted."""
    col = header["name"]
    if col == 0 or not cells or not _cookie_names(cells[0]):
        return None
    at_col = cells[col] if len(cells) > col else ""
    lifetime, session = parse_lifetime(at_col)
    if _cookie_names(at_col) and lifetime is None and not session:
        return None
    return [""] * col + cells


def _cookies_from_rows(
    rows: list[list[str]],
    source: str | None,
    context: Category | None = None,
    header: dict[str, int] | None = None,
) -> list[DeclaredCookie]:
    """Cookies of the rows under a header row; `context` is the category the text above the
    table names ("Cookies de mesure d'audience"), for rows that say none themselves."""
    out: list[DeclaredCookie] = []
    previous: Category | None = None
    for cells in rows[:_MAX_ROWS]:
        filled = [c for c in cells if c.strip()]
        if len(filled) == 1 and len(cells) > 1:
            # a section row inside the table: "Cookies estrictamente necesarias | | | |"
            context = category_from_label(filled[0]) or context
            continue
        norm = [normalise(c) for c in cells]
        if header is None or (norm and _NAME_COL.match(norm[0] if norm else "")):
            cols = _header(norm)
            if cols is not None:
                header = cols
                continue
        if header is None:
            continue
        shifted = _aligned(cells, header)
        if shifted is not None:
            cells = shifted
        if len(cells) <= header["name"]:
            continue
        names = _cookie_names(cells[header["name"]])
        if not names or len(names) > 12:
            continue
        lifetimes: list[tuple[float | None, bool]] = [(None, False)] * len(names)
        if "lifetime" in header and header["lifetime"] < len(cells):
            lifetimes = paired_lifetimes(cells[header["lifetime"]], len(names))
        category = None
        for col in ("category", "purpose"):
            if category is None and col in header and header[col] < len(cells):
                read = category_from_label if col == "category" else category_from_purpose
                category = read(cells[header[col]])
        if category is None and "domain" in header and header["domain"] < len(cells):
            # "Our website (strictly necessary) | csrftoken", "Google Analytics | _ga, _gid"
            category = _category_of_provider(cells[header["domain"]])
        if category is None and shifted is not None:
            category = previous  # the spanning vendor cell: same group as the row above
        category = category or context
        previous = category
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


def _category_of_provider(cell: str) -> Category | None:
    """The category a provider cell gives: its own words, else the kind of the vendor it names
    (Hotjar: analytics; Meta Pixel: advertising)."""
    from scanner.policy.vendors import category_of_vendors

    return category_from_label(cell) or category_of_vendors(normalise(cell))


#: "Cookie Subgroup | Cookies | Cookies used | Lifetime" (OneTrust): the names are in
#: "Cookies"; the subgroup is the domain, "Cookies used" says first or third party
_NOT_NAME_COL = re.compile(r"subgroup|sous-groupe|\bused\b|utilises|verwendet|utilizad|utilizzat")


def _header(norm: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    names = [
        i for i, cell in enumerate(norm) if _NAME_COL.match(cell) and not _NOT_NAME_COL.search(cell)
    ]
    explicit = [i for i in names if _EXPLICIT_NAME_COL.search(norm[i])]
    if not names:
        return None
    cols["name"] = (explicit or names)[0]
    for i, cell in enumerate(norm):
        if i == cols["name"]:
            continue
        if i in names and "domain" not in cols:
            cols["domain"] = i  # "Cookie" beside "Cookie name": the vendor
        elif "lifetime" not in cols and _LIFETIME_COL.search(cell):
            cols["lifetime"] = i
        elif "category" not in cols and _CATEGORY_COL.search(cell):
            cols["category"] = i
        elif "purpose" not in cols and _PURPOSE_COL.search(cell):
            cols["purpose"] = i
        elif "domain" not in cols and _DOMAIN_COL.search(cell):
            cols["domain"] = i
    if "lifetime" in cols or "category" in cols or "purpose" in cols:
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
        before = table.find_previous(("h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "li"))
        context = _context_category([before.get_text(" ")] if before is not None else [])
        out.extend(_cookies_from_rows([r for r in rows if r], source, context))
    return _dedupe(out)


def _context_category(lines: list[str]) -> Category | None:
    """The category named by the short text just above a table (a heading or a lead-in)."""
    for line in reversed(lines):
        if 0 < len(line) <= 300 and len(label_groups(line)) <= 1:
            found = category_from_label(line)
            if found is not None:
                return found
        if line.startswith("#"):
            return None  # the table's own heading ("## Others") ends the search
    return None


def cookies_from_markdown(lines: list[str], source: str | None) -> list[DeclaredCookie]:
    """Markdown / pipe tables, tab-separated rows, and tables flattened one cell per line
    ("Nom |", "Durée |", ... as text copied out of an HTML table gives)."""
    out: list[DeclaredCookie] = []
    block: list[list[str]] = []
    recent: list[str] = []  # the text lines just above the current table
    context: Category | None = None
    header: dict[str, int] | None = None

    def flush() -> None:
        nonlocal header
        if block:
            cookies = _cookies_from_rows(block, source, context, header)
            out.extend(cookies)
            header = _last_header(block) or header
            block.clear()

    in_table = False
    for line in lines:
        if line.count("|") >= 2 or (in_table and line.count("|") == 1 and "|" in line[1:]):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
        elif line.count("\t") >= 1:
            cells = [c.strip() for c in line.split("\t")]
        else:
            if in_table:
                flush()
            in_table = False
            if line.strip():
                recent = [*recent[-1:], line.strip()]
            continue
        if not in_table:
            context = _context_category(recent)
        in_table = True
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            continue
        block.append(cells)
    flush()
    for rows, above in _flattened_tables(lines):
        out += _cookies_from_rows(rows, source, _context_category(above))
    return _dedupe(out)


def _last_header(rows: list[list[str]]) -> dict[str, int] | None:
    found = None
    for cells in rows:
        cols = _header([normalise(c) for c in cells])
        if cols is not None:
            found = cols
    return found


def _flattened_tables(lines: list[str]) -> list[tuple[list[list[str]], list[str]]]:
    """Tables whose cells each sit on their own line ending with "|", with the two text lines
    above each: a line that is only "|" ends a row; without such lines, rows are as wide as
    the header."""
    tables: list[tuple[list[list[str]], list[str]]] = []
    run: list[str | None] = []  # None marks a row break
    recent: list[str] = []

    def flush() -> None:
        cells = [c for c in run if c is not None]
        rows: list[list[str]] = []
        if len(cells) >= 4:
            if any(c is None for c in run):
                row: list[str] = []
                for c in run:
                    if c is None:
                        if row:
                            rows.append(row)
                        row = []
                    else:
                        row.append(c)
                if row:
                    rows.append(row)
            else:
                width = _header_width(cells)
                if width:
                    rows.extend(cells[i : i + width] for i in range(0, len(cells), width))
        if rows:
            tables.append((rows, list(recent)))
        run.clear()

    for line in lines:
        stripped = line.strip()
        if stripped == "|":
            run.append(None)
        elif stripped.endswith("|") and stripped.count("|") == 1:
            run.append(stripped[:-1].strip())
        elif stripped:
            if run and not stripped.startswith("|"):
                # a cell cut off mid-sentence (the last one of an excerpt) still counts
                run.append(stripped)
            flush()
            recent = [*recent[-1:], stripped]
    flush()
    return tables


def _header_width(cells: list[str]) -> int:
    """How many of the first cells form a header (name + lifetime / category / purpose)."""
    for width in range(2, min(len(cells), 8) + 1):
        head = [normalise(c) for c in cells[:width]]
        nxt = normalise(cells[width]) if width < len(cells) else ""
        if _header(head) is not None and not (
            _LIFETIME_COL.search(nxt)
            or _PURPOSE_COL.search(nxt)
            or _CATEGORY_COL.search(nxt)
            or _DOMAIN_COL.search(nxt)
            or _NAME_COL.match(nxt)
        ):
            return width
    return 0


def _dedupe(cookies: list[DeclaredCookie]) -> list[DeclaredCookie]:
    seen: set[tuple[str, str | None]] = set()
    out = []
    for c in cookies:
        if (c.name, c.domain) not in seen:
            seen.add((c.name, c.domain))
            out.append(c)
    return out
