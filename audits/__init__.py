"""Scheduled audits: the registry, the history store, runs (embedded or on Celery workers),
what changed between runs, and the cookie declaration.

The history query API (`History`) is what dashboards read; everything else goes through
`AuditStore` and the runner.
"""

from __future__ import annotations

from audits.errors import AuditError, AuditInputError, AuditNotFoundError, StoreUnavailableError
from audits.history import History
from audits.models import RunState, Trigger
from audits.records import ApplyReport, AuditInfo, FindingInfo, RunInfo, TrendPoint
from audits.schedule import Schedule, parse_schedule
from audits.settings import AuditSettings, load_settings
from audits.spec import AuditSpec, build_spec, consent_api_key_reference
from audits.store import AuditStore

__all__ = [
    "ApplyReport",
    "AuditError",
    "AuditInfo",
    "AuditInputError",
    "AuditNotFoundError",
    "AuditSettings",
    "AuditSpec",
    "AuditStore",
    "FindingInfo",
    "History",
    "RunInfo",
    "RunState",
    "Schedule",
    "StoreUnavailableError",
    "TrendPoint",
    "Trigger",
    "build_spec",
    "consent_api_key_reference",
    "load_settings",
    "parse_schedule",
]
