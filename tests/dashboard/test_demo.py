"""Which scan `dashboard-demo` hands to the runner instead of scanning the demo shop again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dashboard.demo import FRESH, fresh_demo_scan
from scanner.demo.site import DEMO_URL
from scanner.model import Phase, Scan
from tests.reports.sample_scans import shop_scan


def _saved(tmp_path: Path, scan: Scan) -> Path:
    path = tmp_path / "scan.json"
    scan.save(path)
    return path


def test_a_fresh_complete_scan_of_the_demo_is_handed_over(tmp_path: Path) -> None:
    scan = shop_scan().model_copy(update={"target": DEMO_URL})
    assert scan.finished_at is not None
    now = scan.finished_at + FRESH - timedelta(seconds=1)
    given = fresh_demo_scan(_saved(tmp_path, scan), now)
    assert given is not None and given.target == DEMO_URL


def test_anything_else_is_scanned_again(tmp_path: Path) -> None:
    demo = shop_scan().model_copy(update={"target": DEMO_URL})
    assert demo.finished_at is not None
    now = demo.finished_at + timedelta(minutes=5)
    assert fresh_demo_scan(None, now) is None
    assert fresh_demo_scan(tmp_path / "missing.json", now) is None
    assert fresh_demo_scan(_saved(tmp_path, demo), demo.finished_at + FRESH * 2) is None
    other_site = shop_scan()
    assert fresh_demo_scan(_saved(tmp_path, other_site), now) is None
    interrupted = demo.model_copy(update={"interrupted": True})
    assert fresh_demo_scan(_saved(tmp_path, interrupted), now) is None
    one_phase = demo.model_copy(update={"phases": [demo.phase(Phase.NONE)]})
    assert fresh_demo_scan(_saved(tmp_path, one_phase), now) is None


def test_a_scan_already_stored_is_not_handed_over_again(tmp_path: Path) -> None:
    from audits import AuditSettings, AuditStore, build_spec
    from dashboard.demo import _stored_already
    from tests.dashboard.history_seed import add_run

    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    scan = shop_scan().model_copy(update={"target": DEMO_URL})
    store.add(build_spec({"name": "tea-demo", "url": DEMO_URL}))
    assert not _stored_already(store.engine, scan)
    add_run(store.engine, "tea-demo", scan)
    assert _stored_already(store.engine, scan)
    assert not _stored_already(store.engine, scan.model_copy(update={"interrupted": True}))
    store.close()
