"""Signed checkpoints at an interval: every site whose head moved, never over tampering."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from consent_api.checkpoints import CheckpointScheduler
from tests.consent_api.conftest import Api, make_app, register
from tests.consent_api.test_ledger import _fill


def _scheduler(api: Api, interval: float = 60) -> CheckpointScheduler:
    state = api.state
    return CheckpointScheduler(api.engine, state.key, state.trusted_keys, interval)


def test_tick_signs_every_site_whose_head_moved(api: Api) -> None:
    other, _, _ = register(api.app)
    _fill(api, 3)
    scheduler = _scheduler(api, interval=0.01)
    assert scheduler.tick() >= 1
    latest = api.client.get(f"/v1/sites/{api.site_key}/checkpoints/latest").get_json()
    assert latest["seq"] == 3
    assert api.client.get(f"/v1/sites/{other}/checkpoints/latest").status_code == 404  # empty
    time.sleep(0.02)
    before = api.admin("GET", f"/sites/{api.site_key}/checkpoints").get_data(as_text=True)
    scheduler.tick()  # nothing new: nothing signed
    after = api.admin("GET", f"/sites/{api.site_key}/checkpoints").get_data(as_text=True)
    assert before == after
    _fill(api, 1)
    time.sleep(0.02)
    scheduler.tick()
    assert api.client.get(f"/v1/sites/{api.site_key}/checkpoints/latest").get_json()["seq"] == 4


def test_a_tampered_chain_is_not_signed_and_is_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    _fill(api, 3)
    with api.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE consent_records SET action = 'custom' WHERE seq = 2"
                " AND site_id = (SELECT id FROM sites WHERE site_key = :k)"
            ),
            {"k": api.site_key},
        )
    scheduler = _scheduler(api, interval=0.01)
    scheduler.tick()
    assert api.client.get(f"/v1/sites/{api.site_key}/checkpoints/latest").status_code == 404
    assert "does not verify, not signed" in caplog.text


def test_the_app_signs_at_its_interval(database_url: str) -> None:
    app = make_app(database_url, CHECKPOINT_INTERVAL_SECONDS=0.2)
    try:
        site_key, _, _ = register(app)
        client = app.test_client()
        body = {
            "consent_id": "3f1c9c3e-8d43-4c55-9a3b-6d1c2a0b9e11",
            "choices": {},
            "action": "reject_all",
            "policy_version": "1",
            "banner_revision": 1,
        }
        origin = {"Origin": "https://www.shop.test"}
        assert (
            client.post(f"/v1/sites/{site_key}/consents", json=body, headers=origin).status_code
            == 201
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            latest = client.get(f"/v1/sites/{site_key}/checkpoints/latest", headers=origin)
            if latest.status_code == 200:
                break
            time.sleep(0.1)
        assert latest.status_code == 200 and latest.get_json()["seq"] == 1
        keys = client.get("/v1/ledger/keys").get_json()["keys"]
        assert latest.get_json()["key_id"] in {k["key_id"] for k in keys}
    finally:
        app.extensions["consent_api"].close()
