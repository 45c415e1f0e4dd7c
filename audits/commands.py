"""The `cookie-audit audit` group with every sub-command registered (the CLI's entry)."""

from __future__ import annotations

from audits import cli_runs
from audits.cli import audit

__all__ = ["audit", "cli_runs"]
