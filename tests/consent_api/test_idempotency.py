"""Replays and concurrency: the database stores a post once, whoever sends it how often."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from consent_api import chain
from tests.consent_api.conftest import ORIGIN, Api, assert_error, make_app, ts


def _storm(api: Api, body: dict[str, Any], apps: int = 2, threads: int = 6) -> list[int]:
    """``apps`` apps (each its own engine and batch queue, as gunicorn workers are) with
    ``threads`` threads each post the identical body at the same instant."""
    workers = [api.app] + [
        make_app(str(api.engine.url.render_as_string(False))) for _ in range(apps - 1)
    ]
    barrier = threading.Barrier(apps * threads)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(app: Any) -> None:
        client = app.test_client()
        barrier.wait(10)
        response = client.post(
            f"/v1/sites/{api.site_key}/consents", json=body, headers={"Origin": ORIGIN}
        )
        with lock:
            statuses.append(response.status_code)

    pool = [threading.Thread(target=post, args=(app,)) for app in workers for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(30)
    for app in workers[1:]:
        app.extensions["consent_api"].close()
    return sorted(statuses)


@pytest.mark.parametrize("with_client_ts", [True, False])
def test_concurrent_identical_posts_store_one_record(api: Api, with_client_ts: bool) -> None:
    for trial in range(4):
        body = api.body(client_ts=ts()) if with_client_ts else api.body()
        statuses = _storm(api, body)
        assert statuses == [200] * 11 + [201], f"trial {trial}: {statuses}"
        with api.engine.connect() as conn:
            stored = conn.execute(
                text("SELECT count(*) FROM consent_records WHERE consent_id = :c"),
                {"c": body["consent_id"]},
            ).scalar_one()
        assert stored == 1, f"trial {trial}: {stored} records"
    state = api.state
    assert chain.verify(api.engine, api.site_key, state.trusted_keys).ok


def test_replays_answer_the_stored_receipt_later_too(api: Api) -> None:
    body = api.body(client_ts=ts())
    first = api.post(body)
    assert first.status_code == 201
    api.post(api.body())  # other choices in between
    again = api.post(body)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert {k: v for k, v in again.get_json().items() if k != "checkpoint"} == {
        k: v for k, v in first.get_json().items() if k != "checkpoint"
    }
    changed = api.post(dict(body, action="reject_all", choices={}))
    assert changed.status_code == 201  # a different choice is a new record


def test_the_unique_key_is_in_the_database(api: Api) -> None:
    """Even a writer that skips the API cannot store the same post twice."""
    api.post(api.body())
    with api.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT site_id, consent_id, idempotency_key FROM consent_records"
                " WHERE site_id = (SELECT id FROM sites WHERE site_key = :k)"
            ),
            {"k": api.site_key},
        ).one()
    with pytest.raises(IntegrityError), api.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO consent_records (site_id, seq, consent_id, recorded_at, choices,"
                " action, policy_version, banner_revision, gpc, prev_hash, hash, hash_version,"
                " idempotency_key) VALUES (:s, 99, :c, 'x', '{}', 'custom', '1', 1, false,"
                " 'p', 'h', 2, :i)"
            ),
            {"s": row.site_id, "c": row.consent_id, "i": row.idempotency_key},
        )


def test_a_key_conflict_the_locked_read_cannot_see_stores_nothing(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The ledger writes through the drivers, so a unique-key conflict raises the driver's own
    error, not SQLAlchemy's. Under the chain's lock it needs a row changed outside the ledger
    (here: a stored record given another consent_id, so the read by consent_id misses it);
    the batch rolls back whole, the head stays, and the next post is stored."""
    body = api.body(client_ts=ts())
    assert api.post(body).status_code == 201
    with api.engine.begin() as conn:
        conn.execute(
            text("UPDATE consent_records SET consent_id = :other WHERE consent_id = :c"),
            {"other": str(uuid.uuid4()), "c": body["consent_id"]},
        )
    head = api.admin("GET", f"/sites/{api.site_key}").get_json()["head_seq"]

    assert_error(api.post(body), 500, "internal_error")

    errors = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert len(errors) == 1
    assert isinstance(errors[0], sqlite3.IntegrityError | psycopg.errors.UniqueViolation)
    assert "idempotency" in str(errors[0])
    assert api.count() == 1
    assert api.admin("GET", f"/sites/{api.site_key}").get_json()["head_seq"] == head
    assert api.post(api.body()).get_json()["seq"] == head + 1
