"""docker-compose.yml against the product (no Docker engine here: the file is checked, not
run): the services exist with healthchecks and start order, every command a container runs is
a real `cookie-audit` command whose options parse, gunicorn's app is importable and answers
/healthz, and every setting the file passes is one the code reads."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from scanner.cli import cli

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
ENTRYPOINT = (ROOT / "scripts" / "docker-entrypoint.sh").read_text("utf-8")
APP_SERVICES = sorted(name for name, s in SERVICES.items() if s.get("build") == ".")
RUNTIME_PACKAGES = ["scanner", "consent_api", "reports", "audits", "dashboard", "database"]


def test_the_services_of_a_deployment() -> None:
    assert {"api", "worker", "scheduler", "migrate", "redis", "postgres"} <= set(SERVICES)
    assert set(APP_SERVICES) == {"api", "worker", "scheduler", "migrate"}
    for name in ("postgres", "redis", "api"):
        assert SERVICES[name]["healthcheck"]["test"], name
    for name in ("api", "worker", "scheduler"):
        depends = SERVICES[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert SERVICES[name]["restart"] == "unless-stopped"
    assert SERVICES["migrate"]["restart"] == "no"
    for name, volume in (("postgres", "pgdata"), ("redis", "redisdata"), ("worker", "data")):
        assert any(v.startswith(f"{volume}:") for v in SERVICES[name]["volumes"])
    assert "entrypoint" not in SERVICES["api"]  # the image's entrypoint maps the commands
    assert SERVICES["api"]["ports"] == ["${COOKIE_AUDIT_PORT:-8000}:8000"]


def _cookie_audit_commands() -> list[list[str]]:
    """Every `cookie-audit ...` a container runs: service commands, and the entrypoint's."""
    commands = []
    for name in APP_SERVICES:
        command = SERVICES[name]["command"]
        if command[0] != "gunicorn":
            commands.append(list(command))
    for line in ENTRYPOINT.splitlines():
        words = line.strip().split()
        if words[:1] == ["cookie-audit"] and not any("$" in w for w in words):
            commands.append(words[1:])
    return commands


def _parse(command: click.Command, args: list[str], path: str) -> None:
    """Parses and converts every option as click would, without running the command (groups
    here take no options of their own: the first word is the sub-command)."""
    if isinstance(command, click.Group):
        assert args, f"{path}: a sub-command is needed"
        sub = command.get_command(click.Context(command, info_name=path), args[0])
        assert sub is not None, f"{path}: no sub-command {args[0]!r}"
        _parse(sub, args[1:], f"{path} {args[0]}")
    else:
        command.make_context(path, list(args))


@pytest.mark.parametrize("args", _cookie_audit_commands(), ids=" ".join)
def test_every_command_exists_and_its_options_parse(args: list[str]) -> None:
    _parse(cli, args, "cookie-audit")
    words = [a for a in args if not a.startswith("-")][:2]
    head = words if len(words) == 2 and words[0] in ("db", "consents") else words[:1]
    done = subprocess.run(
        [sys.executable, "-m", "scanner", *head, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr


def test_gunicorn_serves_the_composed_app_with_healthz(tmp_path: Path) -> None:
    assert SERVICES["api"]["command"] == ["gunicorn"]
    match = re.search(r"'(\w+):(\w+)\(\)'", ENTRYPOINT)
    assert match is not None, "the entrypoint names gunicorn's app factory"
    module, factory = match.groups()
    app = getattr(__import__(module), factory)(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'product.db'}"}
    )
    assert app.test_client().get("/healthz").status_code == 200
    health = SERVICES["api"]["healthcheck"]["test"]
    assert any("http://127.0.0.1:8000/healthz" in part for part in health)


def test_every_setting_passed_is_read_by_the_code() -> None:
    source = "\n".join(
        p.read_text("utf-8")
        for package in RUNTIME_PACKAGES
        if (ROOT / package).is_dir()
        for p in (ROOT / package).rglob("*.py")
    )
    environment = SERVICES["api"]["environment"]
    for name in environment:
        if not name.startswith("COOKIE_AUDIT_"):
            assert name in ENTRYPOINT, f"{name} is passed but the entrypoint does not use it"
            continue
        suffix = name.removeprefix("COOKIE_AUDIT_")
        assert f'"{suffix}' in source or f"{suffix.lower()}:" in source, (
            f"{name} is passed to the containers but no code reads it"
        )


def test_the_readme_documents_the_deployment() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "docker compose up" in readme
    variables = set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text("utf-8")))
    for variable in sorted(variables):
        assert f"`{variable}`" in readme, f"README does not document {variable}"
