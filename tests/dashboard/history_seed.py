"""Runs in the audit history made through the audits' own store (create, claim, finish with a
scan document), the way the runner stores them."""

from __future__ import annotations

from typing import Any

from audits import AuditSettings, AuditStore, build_spec
from scanner.model import Scan


def audit_store(engine: Any) -> AuditStore:
    return AuditStore(engine, AuditSettings(database_url=str(engine.url)))


def add_audit(engine: Any, name: str, url: str, **spec: Any) -> None:
    audit_store(engine).add(build_spec({"name": name, "url": url, **spec}))


def add_run(engine: Any, name: str, scan: Scan) -> int:
    store = audit_store(engine)
    run = store.create_run(name)
    claim = store.claim(run.id, "test-worker")
    assert claim.run is not None, claim
    finished = store.finish(claim.run, scan)
    assert finished is not None
    return finished.number
