"""`cookie-audit classify FILE` and `cookie-audit kb ...`."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from scanner.classify.classifier import Classifier, default_user_dirs
from scanner.classify.knowledge import KnowledgeBase, KnowledgeError
from scanner.classify.ocd import import_open_cookie_database
from scanner.errors import UsageError
from scanner.model import Party, ValueInfo
from scanner.values import describe_value

OUTPUT_COLUMNS = ("category", "vendor", "exempt", "confidence", "reason")


def _read_rows(path: Path) -> tuple[list[dict[str, Any]], str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise UsageError(f"{path}: the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise UsageError(f"{path}: malformed JSON (nested too deeply)") from None
        if isinstance(loaded, dict) and isinstance(loaded.get("cookies"), list):
            loaded = loaded["cookies"]
        if not isinstance(loaded, list) or not all(isinstance(r, dict) for r in loaded):
            raise UsageError(f"{path}: expected a JSON list of objects with name and domain")
        rows, fmt = loaded, "json"
    else:
        reader = csv.DictReader(io.StringIO(text))
        rows, fmt = [dict(r) for r in reader], "csv"
    if not rows:
        raise UsageError(f"{path}: no cookies in the file")
    for number, row in enumerate(rows, start=1):
        if not str(row.get("name") or "").strip() or "domain" not in row:
            raise UsageError(
                f"{path}: row {number} needs `name` and `domain` columns "
                f"(found: {', '.join(map(str, row)) or 'none'})"
            )
    return rows, fmt


def _formula_safe(value: Any) -> Any:
    """Cookie names come from the sites that set them: a text a spreadsheet would run as a
    formula gets a leading quote in the CSV (the reports' rule; JSON keeps the exact text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def classify_row(classifier: Classifier, row: dict[str, Any]) -> dict[str, Any]:
    raw_value = row.get("value")
    value: ValueInfo | None = (
        describe_value(str(raw_value)) if raw_value not in (None, "") else None
    )
    party_raw = str(row.get("party") or "").strip().lower()
    party = Party(party_raw) if party_raw in ("first", "third") else None
    # an empty or missing lifetime is not known; "session" is a browser-session cookie
    raw_lifetime = str(row.get("lifetime_days") or "").strip().lower()
    lifetime = _float(raw_lifetime)
    verdict = classifier.classify(
        str(row["name"]).strip(),
        str(row.get("domain") or "").strip(),
        party=party,
        value=value,
        lifetime_days=lifetime,
        lifetime_known=lifetime is not None or raw_lifetime == "session",
        set_by=str(row.get("set_by") or "") or None,
        site=str(row.get("site") or "").strip().lower() or None,
    )
    return {
        **row,
        "category": verdict.category.value,
        "vendor": verdict.vendor or "",
        "exempt": verdict.exempt,
        "confidence": verdict.confidence,
        "reason": verdict.reason,
    }


@click.command("classify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "out", default="-", help="Output file (default: standard output).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="Output format (default: the input's).",
)
def classify(file: Path, out: str, fmt: str | None) -> None:
    """Classify a CSV or JSON list of cookies (name, domain; value, lifetime_days or
    "session", party, site, set_by when known) and write the same rows with category, vendor,
    exempt, confidence and reason."""
    rows, input_fmt = _read_rows(file)
    classifier = Classifier.default()
    results = [classify_row(classifier, row) for row in rows]
    fmt = fmt or input_fmt
    if fmt == "json":
        text = json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        columns = list(dict.fromkeys([*rows[0].keys(), *OUTPUT_COLUMNS]))
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: _formula_safe(v) for k, v in row.items()} for row in results)
        text = buffer.getvalue()
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"{len(results)} cookies classified -> {out}", err=True)


@click.group("kb")
def kb() -> None:
    """Manage the cookie knowledge base (packaged data plus your imports)."""


_KB_DIR = click.option(
    "--kb-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="User knowledge folder (default: $COOKIE_AUDIT_KB_DIR or ~/.local/share/cookie-audit/kb).",
)


@kb.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_KB_DIR
def kb_import(file: Path, kb_dir: Path | None) -> None:
    """Import an Open Cookie Database CSV as the user layer (consulted before ours)."""
    target = kb_dir or default_user_dirs()[0]
    try:
        result = import_open_cookie_database(file, target)
        KnowledgeBase.load([target])  # proves the written layer loads
    except KnowledgeError as exc:
        raise UsageError(str(exc)) from None
    click.echo(f"imported {result.imported} cookies ({result.skipped} skipped) into {result.path}")


@kb.command("stats")
@_KB_DIR
def kb_stats(kb_dir: Path | None) -> None:
    """How many entries the knowledge base holds, by category."""
    base = _load(kb_dir)
    counts: dict[str, int] = {}
    for table in (base.exact, base.prefixes):
        for entries in table.values():
            for entry in entries:
                counts[entry.category.value] = counts.get(entry.category.value, 0) + 1
    click.echo(
        f"knowledge base {base.version}: {base.size} cookie entries, "
        f"{len(base.domains)} vendor domains"
    )
    for category, count in sorted(counts.items()):
        click.echo(f"  {category:18} {count}")
    if base.fallback is not None:
        click.echo(f"fallback layer (Open Cookie Database): {base.fallback.size} cookie entries")
    click.echo(f"vendors whose role depends on the site: {', '.join(sorted(base.roles))}")


@kb.command("show")
@click.argument("name")
@click.option("--domain", default="", help="The cookie's domain (some entries depend on it).")
@_KB_DIR
def kb_show(name: str, domain: str, kb_dir: Path | None) -> None:
    """Show how a cookie name is classified and why."""
    verdict = Classifier(_load(kb_dir)).classify(name, domain)
    click.echo(json.dumps(verdict.model_dump(mode="json"), indent=2, ensure_ascii=False))


def _load(kb_dir: Path | None) -> KnowledgeBase:
    try:
        return KnowledgeBase.load([kb_dir] if kb_dir else default_user_dirs())
    except KnowledgeError as exc:
        raise UsageError(str(exc)) from None
