"""The scheduler's sends on a real Redis: one message per run, sent a chunk per round trip,
and only what reached the broker counts as dispatched."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from audits import AuditSettings, AuditStore, build_spec, tasks
from audits.tasks import RUN_TASK, dispatch_due, make_celery

pytestmark = pytest.mark.redis


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Iterator[AuditSettings]:
    prefix = f"cookie-audit-test-{secrets.token_hex(4)}:"
    yield AuditSettings(
        database_url=f"sqlite:///{tmp_path / 'audits.db'}",
        broker_url=redis_url,
        queue=f"dispatch-{secrets.token_hex(4)}",
        broker_prefix=prefix,
    )
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_one_message_per_run_sent_in_chunks(
    settings: AuditSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "SEND_CHUNK", 7)  # 23 runs: chunks of 7, 7, 7 and 2
    store = AuditStore.open(settings)
    store.apply(
        [build_spec({"name": f"site-{i}", "url": f"https://site-{i}.test/"}) for i in range(23)]
    )
    app = make_celery(settings)
    sent = dispatch_due(store, app)
    assert len(sent) == 23
    client = redis.Redis.from_url(settings.broker_url)
    messages = [
        json.loads(m) for m in client.lrange(settings.broker_prefix + settings.queue, 0, -1)
    ]
    client.close()
    assert sorted(m["headers"]["argsrepr"] for m in messages) == sorted(
        f"({run_id},)" for run_id in sent
    )
    assert {m["headers"]["task"] for m in messages} == {RUN_TASK}
    assert len({m["headers"]["id"] for m in messages}) == 23  # each acknowledged by itself
    assert dispatch_due(store, app) == []  # marked as dispatched: not sent twice
    store.close()


def test_a_broker_lost_between_chunks_loses_nothing(
    settings: AuditSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "SEND_CHUNK", 5)
    store = AuditStore.open(settings)
    store.apply(
        [build_spec({"name": f"site-{i}", "url": f"https://site-{i}.test/"}) for i in range(12)]
    )
    app = make_celery(settings)
    real_send = app.send_task
    calls = {"n": 0}

    def send_task(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 8:  # in the second chunk: that chunk is never flushed
            raise ConnectionError("broker went away")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(app, "send_task", send_task)
    first = dispatch_due(store, app)
    assert len(first) == 5  # the first chunk reached Redis
    monkeypatch.setattr(app, "send_task", real_send)
    rest = dispatch_due(store, app)  # the next tick sends the 7 others
    assert sorted(first + rest) == sorted(set(first + rest)) and len(first + rest) == 12
    client = redis.Redis.from_url(settings.broker_url)
    assert client.llen(settings.broker_prefix + settings.queue) == 12
    client.close()
    store.close()
