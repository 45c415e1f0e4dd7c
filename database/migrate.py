"""One Alembic environment for the whole product, one branch per package that owns tables.

Every branch keeps its revision files in its own package and is listed in :data:`BRANCHES`
(label, and the dotted name of the folder with its revisions). :func:`upgrade` applies every
branch to ``heads`` at once, serialised between processes. A branch whose package is not
installed is skipped, so this package never imports the packages it migrates.

To add a branch: create ``yourpkg/migrations/versions/`` (a folder, no ``__init__`` needed)
with a first revision whose ``down_revision = None`` and ``branch_labels = ("yourlabel",)``,
prefix revision ids with the label (``"audits_0001"``) so that they never collide, and add
``Branch("yourlabel", "yourpkg.migrations.versions")`` below. A revision that needs another
branch's tables says so with ``depends_on = "0001"`` (a revision id of that branch).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from database.engine import is_sqlite

ENVIRONMENT = Path(__file__).with_name("migrations")

#: PostgreSQL advisory lock id that serialises concurrent migrations (several workers start).
MIGRATION_LOCK = 0x636F6E73


@dataclass(frozen=True, slots=True)
class Branch:
    label: str
    versions: str  # dotted name of the folder holding the branch's revision files


#: Every package that owns tables. Keep the consent ledger first: it is the oldest branch.
BRANCHES: tuple[Branch, ...] = (
    Branch("consent", "consent_api.migrations.versions"),
    Branch("audits", "audits.migrations.versions"),
    Branch("accounts", "dashboard.migrations.versions"),
)


def _folder(dotted: str) -> Path | None:
    """The folder of a dotted name, found without importing the package (an import could pull
    in Flask or Celery just to migrate)."""
    top, *rest = dotted.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        folder = Path(base).joinpath(*rest)
        if folder.is_dir():
            return folder
    return None


def version_locations(branches: Iterable[Branch] = BRANCHES) -> list[Path]:
    """The revision folders of the branches whose package is installed."""
    return [folder for b in branches if (folder := _folder(b.versions)) is not None]


def sibling_revision(revision_file: str, name: str) -> ModuleType:
    """The revision file ``name`` beside ``revision_file`` (a revision's ``__file__``), loaded
    as a module: a revision that restores or changes an earlier one's SQL reads it from there
    (a revision file's name, ``0004_append_plans.py``, is not an importable module name)."""
    spec = importlib.util.spec_from_file_location(
        f"revision_{Path(name).stem}", Path(revision_file).with_name(name)
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _escape(value: str) -> str:
    """Alembic's Config is a ConfigParser: a '%' in a path would be read as interpolation."""
    return value.replace("%", "%%")


def alembic_config(
    connection: Connection | None = None, locations: Iterable[Path] | None = None
) -> Config:
    """The Alembic configuration of the product (also usable with ``alembic`` commands to write
    a new revision: ``command.revision(alembic_config(), "msg", head="audits@head")``).

    The database URL is never written into it: migrations run on the connection handed in,
    so a ``%`` or ``'`` in a database path cannot break the configuration parser.
    """
    cfg = Config()
    cfg.set_main_option("script_location", _escape(str(ENVIRONMENT)))
    folders = list(locations) if locations is not None else version_locations()
    # One folder per line: paths may contain spaces, commas or colons.
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option("version_locations", _escape("\n".join(str(f) for f in folders)))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(
    engine: Engine, revision: str = "heads", locations: Iterable[Path] | None = None
) -> None:
    """Apply every branch's migrations up to ``revision`` (default: all heads), serialised
    against other processes doing the same (PostgreSQL advisory lock; SQLite ``BEGIN
    IMMEDIATE``), in one transaction."""
    with engine.connect() as connection:
        if is_sqlite(connection):
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if not is_sqlite(connection):
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            command.upgrade(alembic_config(connection, locations), revision)


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """The revisions the database is at (one per branch), sorted; empty when never migrated."""
    with engine.connect() as connection:
        return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def head_revisions(locations: Iterable[Path] | None = None) -> tuple[str, ...]:
    """The newest revision of every installed branch."""
    script = ScriptDirectory.from_config(alembic_config(locations=locations))
    return tuple(sorted(script.get_heads()))


def pending(engine: Engine, locations: Iterable[Path] | None = None) -> bool:
    """True when some installed revision is not applied yet. (A revision that ``depends_on``
    another branch's head replaces it in ``alembic_version``, so the current revisions are not
    simply the heads: a head counts as applied when it is an ancestor of a current one.)"""
    script = ScriptDirectory.from_config(alembic_config(locations=locations))
    current = current_revisions(engine)
    applied = {r.revision for r in script.iterate_revisions(current, "base") if r is not None}
    return not set(script.get_heads()) <= applied
