"""Signed checkpoints at an interval: every site whose head moved, never over tampering."""

from __future__ import annotations

import stat
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from consent_api.checkpoints import CheckpointScheduler, create_checkpoint
from consent_api.errors import ConfigError
from tests.consent_api.conftest import ORIGIN, Api, engine_of, make_app, register
from tests.consent_api.test_ledger import _fill


def _body() -> dict[str, Any]:
    return {
        "consent_id": str(uuid.uuid4()),
        "choices": {},
        "action": "reject_all",
        "policy_version": "1",
        "banner_revision": 1,
    }


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


def test_the_signing_key_is_a_private_file_and_rotates_with_the_old_key_trusted(
    database_url: str, tmp_path: Path
) -> None:
    """The key lives in a file of its own (mode 0600), never in the database. After a rotation
    (a new file, the old public key in TRUSTED_PUBLIC_KEYS) the old checkpoints still verify
    and both keys are published; a server that does not trust the old key any more names its
    checkpoints."""
    old_file, new_file = tmp_path / "old.pem", tmp_path / "new.pem"
    app = make_app(database_url, SIGNING_KEY_FILE=str(old_file))
    assert stat.S_IMODE(old_file.stat().st_mode) == 0o600
    site_key, admin_key, _ = register(app)
    origin = {"Origin": ORIGIN}
    client = app.test_client()
    assert (
        client.post(f"/v1/sites/{site_key}/consents", json=_body(), headers=origin).status_code
        == 201
    )
    old = create_checkpoint(engine_of(app), site_key, app.extensions["consent_api"].key, {})
    assert old is not None
    old_public = app.extensions["consent_api"].key.public_key
    app.extensions["consent_api"].close()

    rotated = make_app(database_url, SIGNING_KEY_FILE=str(new_file), TRUSTED_PUBLIC_KEYS=old_public)
    client = rotated.test_client()
    assert (
        client.post(f"/v1/sites/{site_key}/consents", json=_body(), headers=origin).status_code
        == 201
    )
    auth = {"Authorization": f"Bearer {admin_key}"}
    new = client.post(f"/v1/admin/sites/{site_key}/checkpoints", headers=auth).get_json()
    assert new["key_id"] != old["key_id"] and new["seq"] == 2
    keys = {k["public_key"] for k in client.get("/v1/ledger/keys").get_json()["keys"]}
    assert keys == {old_public, new["public_key"]}
    report = client.get(f"/v1/admin/sites/{site_key}/verify", headers=auth).get_json()
    assert report["ok"] is True and report["checkpoints_checked"] >= 2, report
    rotated.extensions["consent_api"].close()

    forgetful = make_app(database_url, SIGNING_KEY_FILE=str(new_file))
    report = (
        forgetful.test_client().get(f"/v1/admin/sites/{site_key}/verify", headers=auth).get_json()
    )
    assert [(p["seq"], p["code"]) for p in report["problems"]] == [(1, "bad_checkpoint")]
    forgetful.extensions["consent_api"].close()


def test_a_signing_key_file_that_is_not_a_key_stops_the_start(tmp_path: Path) -> None:
    bad = tmp_path / "key.pem"
    bad.write_text("not a key")
    with pytest.raises(ConfigError, match="SIGNING_KEY_FILE"):
        make_app(f"sqlite:///{tmp_path / 'c.db'}", SIGNING_KEY_FILE=str(bad))
