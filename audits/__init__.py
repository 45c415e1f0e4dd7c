"""Scheduled audits: registry, history, runs, what changed, alerts (see docs/architecture.md)."""

from __future__ import annotations

__all__: list[str] = []
