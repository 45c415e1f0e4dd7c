"""Runs in this process against the fixture web: real Chromium, real scans, SQLite.

One audit of the changing shop runs three times: the first run is the baseline, the second
sees the shop's pixel replaced by a heatmap (what changed, an alert handed over), the third
sees nothing new (no alert). Then the failures: unreachable (retried, then failed, alerted),
past its timeout (failed), and the daemon running two due audits by itself.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audits import AuditSettings, AuditStore, History, RunState, build_spec
from audits.alerts import Alert, AlertTarget
from audits.embedded import Daemon, run_due
from audits.runner import Outcome, Runner
from scanner.cli import main
from scanner.demo.server import LocalWeb
from scanner.model import Scan
from tests.fixtureweb.sites import changing_shop

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("changing_shop")]

URL = f"https://{changing_shop.HOST}/"


class Recorder:
    """A `Deliver` that keeps what it is handed (the channels are the alerts' tests)."""

    def __init__(self) -> None:
        self.alerts: list[tuple[Alert, list[AlertTarget]]] = []

    def __call__(self, alert: Alert, targets: list[AlertTarget]) -> str:
        self.alerts.append((alert, targets))
        return "sent"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AuditStore]:
    settings = AuditSettings(
        database_url=f"sqlite:///{tmp_path / 'audits.db'}",
        heartbeat_s=1.0,
        retries=1,
        retry_backoff_s=0.5,
        tick_s=1.0,
    )
    store = AuditStore.open(settings)
    yield store
    store.close()


def audit(local_web: LocalWeb, name: str, url: str, **extra: object) -> object:
    return build_spec(
        {
            "name": name,
            "url": url,
            "every": "daily",
            "max_pages": 1,
            "depth": 1,
            "phases": "none",
            "resolve": list(local_web.resolve),
            "ignore_https_errors": True,
            "alerts": ["email:dpo@changing-shop.test"],
            "min_severity": "info",
            **extra,
        }
    )


def test_three_runs_what_changed_and_alerts(
    store: AuditStore, local_web: LocalWeb, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Recorder()
    runner = Runner(store, deliver=recorder)
    store.add(audit(local_web, "shop", URL))  # type: ignore[arg-type]
    history = History(store.engine)
    try:
        changing_shop.STATE.version = 1
        first = runner.execute(store.create_run("shop").id)
        assert first.outcome is Outcome.FINISHED and first.run is not None
        assert first.run.state is RunState.SUCCEEDED, first.run.error
        assert first.run.changes is None and first.run.alert == "none"
        assert first.run.worker == runner.worker and first.run.pages_visited

        changing_shop.STATE.version = 2
        second = runner.execute(store.create_run("shop").id).run
        assert second is not None and second.state is RunState.SUCCEEDED
        changes = second.changes or {}
        assert changes["baseline"] == 1
        assert any(c.startswith("_hm_session@") for c in changes["cookies_added"])
        assert any(c.startswith("_adp@") for c in changes["cookies_removed"])
        assert "static.heatmap-two.test" in changes["hosts_added"]
        assert second.alert == "sent"
        [(alert, targets)] = recorder.alerts
        assert alert.audit == "shop" and alert.run_id == 2 and alert.previous_run_id == 1
        assert "static.heatmap-two.test" in alert.hosts_added
        assert [t.spec() for t in targets] == ["email:dpo@changing-shop.test"]

        # the third run through the CLI: nothing new, so no alert
        db = ["--db", store.settings.database_url]
        assert main(["audit", "run", "shop", *db]) == 0
        out = capsys.readouterr().out
        assert "shop #3 succeeded" in out and "no change since #2" in out
        assert "alert: none" in out
    finally:
        changing_shop.STATE.version = 1
    assert main(["audit", "history", "shop", *db]) == 0
    out = capsys.readouterr().out
    assert "#3 succeeded" in out and "1 new third-party host since #1" in out
    report = tmp_path / "r.json"
    assert (
        main(
            ["audit", "report", "shop", "--run", "2", "--format", "json", "--out", str(report), *db]
        )
        == 0
    )
    assert Scan.model_validate_json(report.read_text()) == history.scan(second.id)
    diff = tmp_path / "d.json"
    assert (
        main(
            [
                "audit",
                "diff",
                "shop",
                "--from",
                "1",
                "--to",
                "2",
                "--format",
                "json",
                "--out",
                str(diff),
                *db,
            ]
        )
        == 0
    )
    assert "static.heatmap-two.test" in json.loads(diff.read_text())["hosts_added"]
    assert main(
        [
            "audit",
            "report",
            "shop",
            "--format",
            "csv",
            "--out",
            str(tmp_path / "r.csv"),
            "--fail-on",
            "info",
            *db,
        ]
    ) == (1 if history.latest_run("shop").findings else 0)  # type: ignore[union-attr]
    assert main(["audit", "diff", "shop", "--from", "9", *db]) == 2
    capsys.readouterr()
    assert [p.number for p in history.trend("shop")] == [1, 2, 3]
    assert history.scan(second.id).target == URL


def test_unreachable_is_retried_then_fails_and_alerts(
    store: AuditStore, local_web: LocalWeb
) -> None:
    recorder = Recorder()
    runner = Runner(store, deliver=recorder)
    store.add(audit(local_web, "gone", "https://www.gone.invalid/"))  # type: ignore[arg-type]
    run_id = store.create_run("gone").id
    first = runner.execute(run_id)
    assert first.outcome is Outcome.RETRY and 0.4 < first.retry_in < 0.6
    assert "dns" in first.reason
    assert runner.execute(run_id).outcome is Outcome.BUSY  # not before its backoff
    time.sleep(first.retry_in)
    final = runner.execute(run_id)
    assert final.run is not None and final.run.state is RunState.FAILED
    assert final.run.attempts == 2 and final.run.error_kind == "transient"
    assert "cannot reach" in (final.run.error or "")
    [(alert, _)] = recorder.alerts
    assert alert.state == "failed" and alert.reason == final.run.error
    # the schedule goes on: the audit is still active and due again tomorrow
    assert not store.find("gone").paused


def test_a_run_past_its_timeout_fails(store: AuditStore, local_web: LocalWeb) -> None:
    runner = Runner(store)
    store.add(audit(local_web, "slow", URL, timeout=1.0, alerts=[]))  # type: ignore[arg-type]
    result = runner.execute(store.create_run("slow").id)
    assert result.run is not None and result.run.state is RunState.FAILED
    assert result.run.error_kind == "timeout" and "timeout of 1 s" in (result.run.error or "")


def test_run_due_and_the_daemon(store: AuditStore, local_web: LocalWeb) -> None:
    runner = Runner(store)
    store.add(audit(local_web, "a", URL, alerts=[]))  # type: ignore[arg-type]
    results = run_due(runner, browsers=1)
    assert [r.run.state for r in results if r.run] == [RunState.SUCCEEDED]
    assert run_due(runner, browsers=1) == []  # that slot ran: nothing is due

    store.add(audit(local_web, "b", "https://www.shop.test/", alerts=[]))  # type: ignore[arg-type]
    daemon = Daemon(runner, browsers=2)
    thread = threading.Thread(target=daemon.run)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not daemon.results:
            time.sleep(0.5)
    finally:
        daemon.stop()
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert [(r.run.audit, r.run.state) for r in daemon.results if r.run] == [
        ("b", RunState.SUCCEEDED)
    ]
