"""The registry on SQLite and PostgreSQL: add, edit, pause, remove, apply, export."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from audits import AuditInputError, AuditNotFoundError, AuditStore, RunState, build_spec
from audits.files import dump, load_file

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
POLICY = "version: 1\nsite: shop.test\ncategories: [technical, session]\n"


def spec(name: str = "shop", url: str = "https://www.shop.test/", **extra: object):  # type: ignore[no-untyped-def]
    return build_spec({"name": name, "url": url, **extra})


def test_add_find_list(store: AuditStore) -> None:
    info = store.add(spec(every="daily"), now=NOW)
    assert info.name == "shop" and info.run_count == 0 and not info.paused
    # a new audit is due at once: its first slot is the latest one
    assert info.next_due_at is not None and info.next_due_at <= NOW
    assert store.find("shop").id == info.id
    assert store.find("https://www.shop.test/").id == info.id
    assert store.find("shop.test").id == info.id  # host, www. optional
    assert [a.name for a in store.list_audits()] == ["shop"]
    with pytest.raises(AuditInputError, match="exists already"):
        store.add(spec(), now=NOW)
    with pytest.raises(AuditNotFoundError, match="no audit named 'nope'"):
        store.find("nope")


def test_two_audits_of_one_host_need_the_name(store: AuditStore) -> None:
    store.add(spec("a"), now=NOW)
    store.add(spec("b"), now=NOW)
    with pytest.raises(AuditInputError, match="several audits"):
        store.find("www.shop.test")


def test_edit_changes_only_what_is_given(store: AuditStore) -> None:
    store.add(spec(max_pages=5, alerts=["email:dpo@shop.test"]), now=NOW)
    info = store.edit("shop", {"every": "0 3 * * *", "policy": POLICY}, now=NOW)
    assert info.spec.max_pages == 5 and info.spec.alerts == ("email:dpo@shop.test",)
    assert info.spec.schedule.cron == "0 3 * * *"
    assert info.spec.policy is not None and "technical" in info.spec.policy
    with pytest.raises(AuditInputError, match="max_pages"):
        store.edit("shop", {"max_pages": 0}, now=NOW)
    assert store.find("shop").spec.max_pages == 5  # nothing half-applied
    renamed = store.edit("shop", {"name": "shop-fr"}, now=NOW)
    assert renamed.name == "shop-fr" and renamed.id == info.id


def test_pause_cancels_queued_runs_and_resume_restarts_the_schedule(store: AuditStore) -> None:
    store.add(spec(every="daily"), now=NOW)
    [run_id] = store.enqueue_due(now=NOW)
    paused = store.set_paused("shop", True, now=NOW)
    assert paused.paused and paused.spec.paused
    assert store.claim(run_id, "w1", now=NOW).reason == "already cancelled"
    assert store.enqueue_due(now=NOW + timedelta(days=3)) == []
    resumed = store.set_paused("shop", False, now=NOW + timedelta(days=3))
    assert resumed.next_due_at is not None and resumed.next_due_at > NOW + timedelta(days=3)


def test_remove_keeps_history_and_purge_deletes_it(store: AuditStore) -> None:
    store.add(spec(), now=NOW)
    store.create_run("shop", now=NOW)
    assert store.remove("shop", now=NOW) == 0
    assert store.list_audits() == []
    with pytest.raises(AuditNotFoundError):
        store.find("shop")
    back = store.add(spec(every="daily"), now=NOW)  # same name: the history comes back
    assert back.run_count == 1
    store.remove("shop", now=NOW)
    assert store.remove("shop", purge=True, now=NOW) == 1
    assert store.list_audits(include_removed=True) == []


def test_apply_is_idempotent_and_prunes(store: AuditStore, tmp_path: Path) -> None:
    (tmp_path / "shop-policy.yaml").write_text(POLICY)
    file = tmp_path / "audits.yaml"
    file.write_text(
        yaml.safe_dump(
            {
                "audits": [
                    {
                        "name": "shop",
                        "url": "https://www.shop.test/",
                        "every": "daily",
                        "policy": "shop-policy.yaml",
                    },
                    {"name": "blog", "url": "https://blog.test/", "alerts": ["email:a@b.test"]},
                ]
            }
        )
    )
    store.add(spec("old", "https://old.test/"), now=NOW)
    first = store.apply(load_file(file), prune=True, now=NOW)
    assert first.added == ("shop", "blog") and first.removed == ("old",)
    again = store.apply(load_file(file), prune=True, now=NOW)
    assert again.nothing_changed and set(again.unchanged) == {"shop", "blog"}
    # export -> apply changes nothing either, policy inline this time
    exported = tmp_path / "export.yaml"
    exported.write_text(dump(store.export()))
    assert store.apply(load_file(exported), prune=True, now=NOW).nothing_changed
    assert yaml.safe_load(exported.read_text())["audits"][1]["policy"]["site"] == "shop.test"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("audits: [{name: a, url: 'not a url'}]", "audit 1 (a): url: "),
        ("audits: [{name: a, url: 'https://a.test/', every: 'sometimes'}]", "every: "),
        ("audits: [{name: a, url: 'https://a.test/', alerts: ['sms:123']}]", "alerts"),
        ("audits: [{name: a, url: 'https://a.test/', colour: red}]", "colour: Extra inputs"),
        (
            "audits: [{name: a, url: 'https://a.test/'}, {name: a, url: 'https://b.test/'}]",
            "'a' appears more than once",
        ),
        ("audits: [{name: a, url: 'https://a.test/', policy: missing.yaml}]", "no such file"),
        ("audits: [{name: a, url: 'https://a.test/', policy: {cookies: 3}}]", "policy: "),
        ("audits: {a: 1}", "expected a list of audits"),
        ("audits: [a", "not valid YAML (line 1"),
        ("audits: " + "[" * 10_000, "not valid YAML: nested too deeply"),
        ("audits: [{name: a, url: 'https://a.test/', policy: '/dev/zero'}]", "larger than"),
        (
            "audits: [{name: a, url: 'https://a.test/', policy: \"a:\\n " + "[" * 10_000 + '"}]',
            "nested too deeply",
        ),
        ("audits: ['x']", "audit 1: expected a mapping"),
        ("audits: [{name: a, url: 'https://127.0.0.1/'}]", "private or loopback"),
    ],
)
def test_apply_refuses_bad_files_whole(
    store: AuditStore, tmp_path: Path, content: str, message: str
) -> None:
    store.add(spec("keep", "https://keep.test/"), now=NOW)
    file = tmp_path / "audits.yaml"
    file.write_text(content)
    with pytest.raises(AuditInputError, match=re.escape(message)):
        store.apply(load_file(file), prune=True, now=NOW)
    assert [a.name for a in store.list_audits()] == ["keep"]


def test_enqueue_due_is_once_per_slot(store: AuditStore) -> None:
    store.add(spec(every="*/15 * * * *"), now=NOW)
    first = store.enqueue_due(now=NOW)
    assert len(first) == 1
    assert store.enqueue_due(now=NOW) == []  # same slot again: nothing
    assert store.enqueue_due(now=NOW + timedelta(minutes=14)) == []
    # the scheduler was down for two hours: one run for the latest slot, not eight
    later = store.enqueue_due(now=NOW + timedelta(hours=2, minutes=1))
    assert len(later) == 1


def test_claim_is_exclusive_and_a_dead_worker_is_taken_over(store: AuditStore) -> None:
    store.add(spec(), now=NOW)
    run = store.create_run("shop", now=NOW)
    first = store.claim(run.id, "w1", now=NOW)
    assert first.outcome == "claimed" and first.run is not None and first.run.attempt == 1
    busy = store.claim(run.id, "w2", now=NOW + timedelta(seconds=1))
    assert busy.outcome == "busy" and busy.retry_in > 0
    # w1 stops beating (kill -9): after three missed heartbeats w2 takes over
    taken = store.claim(run.id, "w2", now=NOW + timedelta(seconds=10))
    assert taken.outcome == "claimed" and taken.run is not None and taken.run.attempt == 2
    assert not store.heartbeat(first.run, now=NOW + timedelta(seconds=11))  # w1 lost it
    assert store.fail(first.run, "late", "x") is None  # and cannot write its result
    info = store.fail(taken.run, "boom", "scan", now=NOW + timedelta(seconds=12))
    assert info is not None and info.state is RunState.FAILED


def test_one_scan_per_site_at_a_time(store: AuditStore) -> None:
    store.add(spec("shop-fr", "https://www.shop.test/fr/"), now=NOW)
    store.add(spec("shop-en", "https://shop.test/en/"), now=NOW)
    a = store.create_run("shop-fr", now=NOW)
    b = store.create_run("shop-en", now=NOW)
    claimed = store.claim(a.id, "w1", now=NOW)
    assert claimed.outcome == "claimed" and claimed.run is not None
    blocked = store.claim(b.id, "w2", now=NOW)
    assert blocked.outcome == "busy" and "shop.test" in blocked.reason
    store.fail(claimed.run, "x", "scan", now=NOW)
    assert store.claim(b.id, "w2", now=NOW).outcome == "claimed"
