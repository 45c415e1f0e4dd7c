"""`cookie-audit policy`: read what a site declares, start a declaration, check a saved scan."""

from __future__ import annotations

import json
from pathlib import Path

import click
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from scanner.errors import UsageError
from scanner.model import Finding, Scan
from scanner.policy.declaration import load_declaration, starter_declaration
from scanner.policy.declared import DeclaredPolicy
from scanner.policy.extract import extract_policy
from scanner.policy.merge import merge_policies
from scanner.policy.rules import check as check_scan

_TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}


@click.group("policy")
def policy() -> None:
    """Read a declared policy (YAML or policy page) and check scans against it."""


def _load_scan(path: Path) -> Scan:
    try:
        return Scan.load(path)
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: no such scan file") from exc
    except (ValidationError, ValueError) as exc:
        raise UsageError(f"{path}: not a cookie-audit scan.json ({str(exc)[:200]})") from exc


def _rows(p: DeclaredPolicy) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for c in p.categories:
        rows.append(("category", c.category.value, c.quote or ""))
    for v in p.vendors:
        rows.append(("vendor", f"{v.name} ({v.kind or '?'}, {v.country or '?'})", v.quote or ""))
    for k in p.cookies:
        life = "session" if k.session else f"{k.lifetime_days:g} days" if k.lifetime_days else "?"
        cat = k.category.value if k.category else "?"
        rows.append(("cookie", f"{k.name} {k.domain or ''} {cat} {life}", k.quote or ""))
    for label, flag in (
        ("collects personal data", p.collects_personal_data),
        ("audience measurement anonymised", p.audience_anonymised),
        ("consent exemption claimed", p.consent_exemption),
        ("storage in the EU", p.storage_in_eu),
    ):
        if flag is not None:
            rows.append((label, "yes" if flag.value else "no", flag.quote or ""))
    for t in p.transfers:
        extra = ", ".join([*t.countries, *t.safeguards])
        rows.append(
            ("transfer outside EU", t.kind.value + (f" ({extra})" if extra else ""), t.quote or "")
        )
    for r in p.retention:
        rows.append(("retention", f"{r.kind}: {r.data} = {r.days:g} days", r.quote or ""))
    for contact in p.contacts:
        rows.append(("contact", f"{contact.role}: {contact.email}", contact.quote or ""))
    for right in p.rights:
        rows.append(("right", right.right, right.quote or ""))
    return rows


def _print_policy(p: DeclaredPolicy, console: Console) -> None:
    table = Table(
        title=f"Declared policy: {', '.join(p.sources) or '-'} "
        f"(language: {p.language or 'unknown'}, cookies mentioned: "
        f"{'yes' if p.mentions_cookies else 'no'})"
    )
    table.add_column("declaration", style="bold")
    table.add_column("value")
    table.add_column("quote", overflow="fold")
    for row in _rows(p):
        table.add_row(*row)
    console.print(table)
    if p.is_empty():
        console.print("Nothing was understood in this policy.")
    for note in p.notes:
        console.print(f"note: {note}")


@policy.command("extract")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the DeclaredPolicy as JSON.")
@click.option("--content-type", default=None, help="Override the type (text/html, text/plain).")
@click.option("--allow-private", is_flag=True, help="Allow fetching private/loopback addresses.")
@click.option("--insecure", is_flag=True, help="Do not verify the TLS certificate.")
def extract(
    source: str, as_json: bool, content_type: str | None, allow_private: bool, insecure: bool
) -> None:
    """Print what a policy FILE or URL declares (categories, vendors, transfers, ...)."""
    if source.startswith(("http://", "https://")):
        from scanner.policy.fetch import fetch_policy

        fetched = fetch_policy(source, allow_private=allow_private, verify=not insecure)
        result = extract_policy(fetched.text, fetched.url, content_type or fetched.content_type)
        if fetched.truncated:
            result = result.model_copy(
                update={"notes": [*result.notes, f"{source}: only the first 5 MB were downloaded"]}
            )
    else:
        path = Path(source)
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise UsageError(f"{path}: no such file") from exc
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read: {exc.strerror}") from exc
        guessed = _TEXT_SUFFIXES.get(path.suffix.lower(), "text/html")
        if path.suffix.lower() == ".pdf" or raw[:5] == b"%PDF-":
            guessed = "application/pdf"
        result = extract_policy(
            raw.decode("utf-8", errors="replace"), str(path), content_type or guessed
        )
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        _print_policy(result, Console(width=160))


@policy.command("init")
@click.argument("scan_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the YAML here (default: print it).",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def init(scan_file: Path, out: Path | None, force: bool) -> None:
    """Write a starter YAML declaration from a saved SCAN_FILE (what it observed)."""
    text = starter_declaration(_load_scan(scan_file))
    if out is None:
        click.echo(text, nl=False)
        return
    if out.exists() and not force:
        raise UsageError(f"{out} exists; pass --force to overwrite it")
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}", err=True)


@policy.command("check")
@click.argument("scan_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="YAML declaration (merged with the scan's own, and wins).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(scan_file: Path, policy_file: Path | None, as_json: bool) -> None:
    """Check a saved SCAN_FILE against its declared policy (and/or a YAML --policy)."""
    scan = _load_scan(scan_file)
    sources: list[DeclaredPolicy] = []
    if policy_file is not None:
        sources.append(load_declaration(policy_file))
    if scan.declared_policy is not None:
        sources.append(DeclaredPolicy.model_validate(scan.declared_policy))
    findings = check_scan(scan, merge_policies(sources), policy_pages_found=bool(scan.policy_pages))
    if as_json:
        click.echo(json.dumps([f.model_dump(mode="json") for f in findings], indent=2))
        return
    _print_findings(findings, Console(width=160))


def _print_findings(findings: list[Finding], console: Console) -> None:
    if not findings:
        console.print("No finding.")
        return
    table = Table(title=f"{len(findings)} finding(s)")
    table.add_column("severity")
    table.add_column("rule")
    table.add_column("title", overflow="fold")
    table.add_column("evidence", overflow="fold")
    for f in findings:
        ev = "; ".join(filter(None, (e.cookie or e.url or e.quote or e.page for e in f.evidence)))
        table.add_row(f.severity.value, f.rule_id, f.title, ev[:300])
    console.print(table)
