"""pyproject.toml declares what the code imports: runtime packages import only runtime
dependencies, tests and benchmarks only runtime or dev ones, and every runtime dependency is
used (imported, or named in `USED_BY_NAME` with where it is used)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME_PACKAGES = [
    p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
]
LOCAL = {*RUNTIME_PACKAGES, "tests", "benchmarks"}

#: declared for the runtime without an import: where each one is used
USED_BY_NAME = {
    "lxml": 'BeautifulSoup(document, "lxml") in scanner/policy',
    "psycopg": "SQLAlchemy's postgresql+psycopg:// driver",
    "gunicorn": "the production WSGI server (Dockerfile, docker-compose.yml)",
    "redis": "Celery's broker and the rate limits' storage (redis://)",
    "kombu": "Celery's messaging: Producer.batch in audits.tasks.dispatch_due (kombu 5.7)",
}


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match is not None
    return match.group(0).lower().replace("_", "-")


RUNTIME = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
DEV = {_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}


@cache
def _distributions() -> dict[str, list[str]]:
    return {
        k: [d.lower().replace("_", "-") for d in v] for k, v in packages_distributions().items()
    }


def _imports(folders: list[str]) -> dict[str, set[str]]:
    """Top-level third-party module -> files importing it."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in LOCAL:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _distribution(module: str) -> str:
    dists = _distributions().get(module)
    assert dists, f"{module} is imported but no installed distribution provides it"
    return dists[0]


def test_runtime_code_imports_only_runtime_dependencies() -> None:
    for module, files in _imports(RUNTIME_PACKAGES).items():
        dist = _distribution(module)
        assert dist in RUNTIME, (
            f"{dist} ({module}) is imported by {sorted(files)[:3]} but not a runtime dependency"
        )


def test_tests_and_benchmarks_import_only_declared_dependencies() -> None:
    for module, files in _imports(["tests", "benchmarks"]).items():
        dist = _distribution(module)
        assert dist in RUNTIME | DEV, (
            f"{dist} ({module}) used by {sorted(files)[:3]} is not declared"
        )


def test_every_runtime_dependency_is_used() -> None:
    imported = {_distribution(m) for m in _imports(RUNTIME_PACKAGES)}
    for dist in sorted(RUNTIME):
        assert dist in imported or dist in USED_BY_NAME, (
            f"{dist} is a runtime dependency that no runtime code imports (move it to dev?)"
        )


def test_dev_only_tools_are_not_runtime_dependencies() -> None:
    runtime_imports = {_distribution(m) for m in _imports(RUNTIME_PACKAGES)}
    for dist in sorted(DEV):
        assert dist not in RUNTIME, f"{dist} is declared twice"
    assert "jsonschema" not in runtime_imports and "jsonschema" in DEV  # only tests use it
    assert "cryptography" in RUNTIME  # `cookie-audit demo` makes a certificate
