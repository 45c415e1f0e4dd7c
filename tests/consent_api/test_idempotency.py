"""Replays and concurrency: the database stores a post once, whoever sends it how often."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from consent_api import chain
from tests.consent_api.conftest import ORIGIN, Api, make_app, ts


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


def _away_from_a_window_edge(window: float, margin: float = 3.0) -> None:
    """A post without ``client_ts`` is keyed by the server's time in windows of ``window``
    seconds (from the epoch): posts on either side of an edge are two posts, by design, and a
    storm is kept clear of one. (This case failed once in a parallel run of the suite, message
    not kept; an edge inside a storm is the one way found for it to store two records.)"""
    into = time.time() % window
    if into > window - margin:
        time.sleep(window - into + 0.05)


@pytest.mark.parametrize("with_client_ts", [True, False])
def test_concurrent_identical_posts_store_one_record(api: Api, with_client_ts: bool) -> None:
    for trial in range(4):
        if not with_client_ts:
            _away_from_a_window_edge(api.state.limits.replay_window)
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


def test_a_replay_is_found_by_its_key_even_in_a_row_changed_outside_the_ledger(api: Api) -> None:
    """Replays are looked up by their idempotency key under the chain's lock (not only through
    the consent_id): a stored record given another consent_id outside the ledger still answers
    the same post as a replay, nothing is stored twice and the unique index is never hit."""
    body = api.body(client_ts=ts())
    first = api.post(body)
    assert first.status_code == 201
    with api.engine.begin() as conn:
        conn.execute(
            text("UPDATE consent_records SET consent_id = :other WHERE consent_id = :c"),
            {"other": str(uuid.uuid4()), "c": body["consent_id"]},
        )
    head = api.admin("GET", f"/sites/{api.site_key}").get_json()["head_seq"]

    again = api.post(body)

    assert again.status_code == 200, again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["hash"] == first.get_json()["hash"]
    assert api.count() == 1
    assert api.admin("GET", f"/sites/{api.site_key}").get_json()["head_seq"] == head
    assert api.post(api.body()).get_json()["seq"] == head + 1
