"""The hash chain against an attacker with write access to the database: every attack of the
issue is played in SQL and verification must name what was done. Purges keep the chain
verifiable; concurrent appends never fork it."""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from consent_api import chain
from consent_api.checkpoints import create_checkpoint
from consent_api.cli import consents
from consent_api.errors import ChainBroken
from consent_api.sites import get_site
from consent_api.validation import parse_iso
from consent_api.verifier import key_id_of, purge_hash, record_hash, statement
from tests.consent_api.conftest import Api, assert_error, register


def _fill(api: Api, n: int) -> list[dict[str, Any]]:
    receipts = []
    for _ in range(n):
        response = api.post(api.body(action="accept_all", choices={}))
        assert response.status_code == 201, response.get_json()
        receipts.append(response.get_json())
    return receipts


def _verify(api: Api) -> dict[str, Any]:
    response = api.admin("GET", f"/sites/{api.site_key}/verify")
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, dict), body
    return body


def _codes(result: dict[str, Any]) -> list[tuple[int | None, str]]:
    return [(p["seq"], p["code"]) for p in result["problems"]]


def _sql(api: Api, statement_: str, **params: object) -> None:
    with api.engine.begin() as conn:
        conn.execute(text(statement_), {"k": api.site_key, **params})


SITE = "(SELECT id FROM sites WHERE site_key = :k)"


def _checkpoint(api: Api) -> dict[str, Any]:
    response = api.admin("POST", f"/sites/{api.site_key}/checkpoints")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body, dict), body
    return body


def _rows(api: Api) -> list[dict[str, Any]]:
    with api.engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                text(f"SELECT * FROM consent_records WHERE site_id = {SITE} ORDER BY seq"),
                {"k": api.site_key},
            ).mappings()
        ]


def _site_id(api: Api) -> int:
    with api.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM sites WHERE site_key = :k"), {"k": api.site_key}
            ).scalar_one()
        )


def _rehash_from(api: Api, seq: int) -> None:
    """What an attacker who knows the hash formula does after editing or deleting records:
    recompute every hash and link from ``seq`` on, and move the site's head to match."""
    rows = [r for r in _rows(api) if r["seq"] >= seq]
    previous = next((r["hash"] for r in _rows(api) if r["seq"] == seq - 1), "0" * 64)
    site_id = _site_id(api)
    for row in rows:
        row["prev_hash"] = previous
        row["hash"] = record_hash(row, api.site_key, site_id)
        _sql(
            api,
            "UPDATE consent_records SET prev_hash = :p, hash = :h WHERE id = :i",
            p=row["prev_hash"],
            h=row["hash"],
            i=row["id"],
        )
        previous = row["hash"]
    last = _rows(api)[-1]
    _sql(
        api,
        f"UPDATE sites SET head_seq = :s, head_hash = :h WHERE id = {SITE}",
        s=last["seq"],
        h=last["hash"],
    )


def test_intact_chain_verifies_and_receipts_number_per_site(api: Api) -> None:
    receipts = _fill(api, 5)
    assert [r["seq"] for r in receipts] == [1, 2, 3, 4, 5]
    result = _verify(api)
    assert result["ok"] is True, result
    assert result["records"] == 5
    assert result["last_hash"] == receipts[-1]["hash"]


def test_each_site_numbers_its_own_records(api: Api) -> None:
    """A receipt's number says nothing about another site's volume (record_id used to count
    across every tenant)."""
    other_key, other_admin, _ = register(api.app)
    other = Api(api.app, api.client, other_key, other_admin, api.global_key)
    mine, theirs = [], []
    for _ in range(3):
        mine.append(api.post(api.body()).get_json()["seq"])
        theirs += [other.post(other.body()).get_json()["seq"] for _ in range(2)]
    assert mine == [1, 2, 3] and theirs == [1, 2, 3, 4, 5, 6]
    assert _verify(api)["ok"] and _verify(other)["records"] == 6


def test_edited_record_is_named(api: Api) -> None:
    _fill(api, 5)
    _sql(
        api,
        f"UPDATE consent_records SET choices = :c WHERE seq = 3 AND site_id = {SITE}",
        c='{"analytics":false,"marketing":false,"necessary":true}',
    )
    result = _verify(api)
    assert result["ok"] is False
    assert _codes(result) == [(3, "altered")]


def test_edited_timestamp_is_named(api: Api) -> None:
    _fill(api, 3)
    _sql(
        api,
        f"UPDATE consent_records SET recorded_at = :t WHERE seq = 1 AND site_id = {SITE}",
        t="2020-01-01T00:00:00.000000Z",
    )
    assert _codes(_verify(api)) == [(1, "altered")]


def test_deleted_record_is_named(api: Api) -> None:
    _fill(api, 5)
    _sql(api, f"DELETE FROM consent_records WHERE seq = 3 AND site_id = {SITE}")
    result = _verify(api)
    assert _codes(result) == [(3, "missing")]
    assert "entry 3 is missing" in result["problems"][0]["problem"]


def test_deleted_newest_record_is_named_by_the_head(api: Api) -> None:
    _fill(api, 3)
    _sql(api, f"DELETE FROM consent_records WHERE seq = 3 AND site_id = {SITE}")
    assert _codes(_verify(api)) == [(3, "head_mismatch")]


def test_deleted_tail_with_the_head_moved_back_is_caught_by_a_checkpoint(
    api: Api, tmp_path: Path
) -> None:
    """Attack: delete the last records and set the site's head to the new last one. Nothing in
    the database disagrees any more; a signed checkpoint (the auditor's copy) does."""
    _fill(api, 6)
    checkpoint = _checkpoint(api)
    assert checkpoint["seq"] == 6
    copy = tmp_path / "auditor-checkpoints.jsonl"
    copy.write_text(json.dumps(checkpoint) + "\n")
    _sql(api, f"DELETE FROM consent_records WHERE seq > 3 AND site_id = {SITE}")
    _sql(api, f"DELETE FROM checkpoints WHERE site_id = {SITE}")  # the attacker's too
    last = _rows(api)[-1]
    _sql(
        api,
        f"UPDATE sites SET head_seq = 3, head_hash = :h WHERE id = {SITE}",
        h=last["hash"],
    )
    assert _verify(api)["ok"] is True  # without anything from outside, nothing can tell
    runner = CliRunner()
    url = str(api.engine.url.render_as_string(hide_password=False))
    out = runner.invoke(consents, ["verify", api.site_key, "--checkpoint", str(copy), "--db", url])
    assert out.exit_code != 0
    assert "entry 6 [tail_deleted]" in out.output and "entries 4..6 were deleted" in out.output


def test_deleted_records_with_a_fake_purge_log_row_are_refused(api: Api) -> None:
    """Attack: delete records and insert a purge_log row claiming they were purged."""
    _fill(api, 5)
    rows = _rows(api)
    _sql(api, f"DELETE FROM consent_records WHERE seq <= 2 AND site_id = {SITE}")
    _sql(
        api,
        "INSERT INTO purge_log (site_id, purged_at, cutoff, up_to_seq, deleted, anchor_hash)"
        f" VALUES ({SITE}, CURRENT_TIMESTAMP, '2020-01-01T00:00:00.000000Z', 2, 2, :a)",
        a=rows[1]["hash"],
    )
    result = _verify(api)
    assert result["ok"] is False
    assert (None, "unsigned_purge") in _codes(result)


def test_a_chained_purge_entry_forged_without_the_key_is_refused(api: Api) -> None:
    """Attack: delete the oldest records and append a purge entry with a correct hash, signed
    with a key of the attacker's own (the ledger's key is not in the database)."""
    _fill(api, 5)
    rows = _rows(api)
    site_id = _site_id(api)
    _sql(api, f"DELETE FROM consent_records WHERE seq <= 2 AND site_id = {SITE}")
    own = Ed25519PrivateKey.generate()
    public = base64.b64encode(own.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    key_id = key_id_of(public.decode())
    entry = {
        "seq": 6,
        "from_seq": 1,
        "up_to_seq": 2,
        "deleted": 2,
        "anchor_hash": rows[1]["hash"],
        "cutoff": "2030-01-01T00:00:00.000000Z",
        "purged_at": "2030-01-01T00:00:00.000000Z",
        "prev_hash": rows[-1]["hash"],
    }
    entry["hash"] = purge_hash(entry, api.site_key)
    message = statement("purge", api.site_key, 6, entry["hash"], entry["purged_at"], key_id)
    signature = base64.b64encode(own.sign(message)).decode()
    _sql(
        api,
        "INSERT INTO purge_log (site_id, purged_at, purged_at_iso, cutoff, seq, from_seq,"
        " up_to_seq, deleted, anchor_hash, prev_hash, hash, key_id, signature) VALUES"
        " (:s, CURRENT_TIMESTAMP, :pa, :c, 6, 1, 2, 2, :a, :p, :h, :kid, :sig)",
        s=site_id,
        pa=entry["purged_at"],
        c=entry["cutoff"],
        a=entry["anchor_hash"],
        p=entry["prev_hash"],
        h=entry["hash"],
        kid=key_id,
        sig=signature,
    )
    _sql(api, f"UPDATE sites SET head_seq = 6, head_hash = :h WHERE id = {SITE}", h=entry["hash"])
    result = _verify(api)
    assert _codes(result) == [(6, "forged_purge")]
    assert "unknown key" in result["problems"][0]["problem"]


def test_rewritten_chain_with_recomputed_hashes_is_caught_by_a_checkpoint(api: Api) -> None:
    """Attack: edit a record, then recompute every later hash and the head. The hashes agree
    again; the signed checkpoint of the old head does not."""
    _fill(api, 5)
    _checkpoint(api)
    _sql(
        api,
        f"UPDATE consent_records SET action = 'reject_all', choices = :c"
        f" WHERE seq = 2 AND site_id = {SITE}",
        c='{"analytics":false,"marketing":false,"necessary":true}',
    )
    _rehash_from(api, 2)
    result = _verify(api)
    assert _codes(result) == [(5, "checkpoint_mismatch")]
    # and the server refuses to sign the rewritten head
    refused = api.admin("POST", f"/sites/{api.site_key}/checkpoints")
    assert_error(refused, 409, "chain_broken")


def test_renumbered_and_reordered_records_are_named(api: Api) -> None:
    _fill(api, 5)
    # hide a deletion by renumbering: record 3 deleted, 4 and 5 become 3 and 4
    _sql(api, f"DELETE FROM consent_records WHERE seq = 3 AND site_id = {SITE}")
    _sql(api, f"UPDATE consent_records SET seq = seq + 1000 WHERE seq > 3 AND site_id = {SITE}")
    _sql(api, f"UPDATE consent_records SET seq = seq - 1001 WHERE seq > 1000 AND site_id = {SITE}")
    codes = _codes(_verify(api))
    assert (3, "renumbered") in codes and (4, "renumbered") in codes
    problem = _verify(api)["problems"][0]["problem"]
    assert "was entry 4" in problem


def test_a_forged_record_slipped_into_the_chain_is_named(api: Api) -> None:
    """Attack: insert a consent the visitor never gave (an accept_all) between two records,
    renumbering the later ones; then, knowing the hash formula, recompute every hash and the
    head. The first is named by the hashes, the second by the signed checkpoint."""
    _fill(api, 4)
    _checkpoint(api)
    rows = _rows(api)
    forged = {k: v for k, v in rows[1].items() if k != "id"}
    forged.update(
        seq=3,
        consent_id="5b0f3c1e-6f43-4b55-8a3b-6d1c2a0b9e11",
        idempotency_key="f" * 64,
        prev_hash=rows[1]["hash"],
    )
    forged["hash"] = record_hash(forged, api.site_key, _site_id(api))
    _sql(api, f"UPDATE consent_records SET seq = seq + 1000 WHERE seq >= 3 AND site_id = {SITE}")
    _sql(api, f"UPDATE consent_records SET seq = seq - 999 WHERE seq > 1000 AND site_id = {SITE}")
    columns = ", ".join(forged)
    _sql(
        api,
        f"INSERT INTO consent_records ({columns}) VALUES ({', '.join(':' + c for c in forged)})",
        **forged,
    )
    codes = _codes(_verify(api))
    assert (4, "renumbered") in codes and (5, "renumbered") in codes, codes
    _rehash_from(api, 3)
    assert _codes(_verify(api)) == [(4, "checkpoint_mismatch")]


def test_swapped_records_are_named(api: Api) -> None:
    _fill(api, 4)
    _sql(api, f"UPDATE consent_records SET seq = 100 WHERE seq = 2 AND site_id = {SITE}")
    _sql(api, f"UPDATE consent_records SET seq = 2 WHERE seq = 3 AND site_id = {SITE}")
    _sql(api, f"UPDATE consent_records SET seq = 3 WHERE seq = 100 AND site_id = {SITE}")
    codes = _codes(_verify(api))
    assert (2, "renumbered") in codes and (3, "renumbered") in codes
    assert {code for _, code in codes} <= {"renumbered", "relinked"}


def test_cli_verify_exit_codes(api: Api, database_url: str) -> None:
    _fill(api, 3)
    runner = CliRunner()
    ok = runner.invoke(consents, ["verify", api.site_key, "--db", database_url])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("ok: site") and "3 records" in ok.output
    _sql(
        api, f"UPDATE consent_records SET action = 'reject_all' WHERE seq = 2 AND site_id = {SITE}"
    )
    broken = runner.invoke(consents, ["verify", api.site_key, "--db", database_url])
    assert broken.exit_code != 0
    assert "entry 2 [altered]" in broken.output
    assert "BROKEN" in str(broken.exception)
    as_json = runner.invoke(consents, ["verify", api.site_key, "--json", "--db", database_url])
    report = json.loads(as_json.output[: as_json.output.rindex("}") + 1])
    assert report["problems"][0]["seq"] == 2


def _later(api: Api, index: int) -> datetime:
    stamps = [r["recorded_at"] for r in _rows(api)]
    return parse_iso(stamps[index]) + timedelta(days=1825)


def test_purge_past_retention_is_a_signed_entry_and_keeps_the_chain_verifiable(api: Api) -> None:
    _fill(api, 6)
    response = api.admin("POST", f"/sites/{api.site_key}/purge")
    assert response.status_code == 200 and response.get_json()["deleted"] == 0
    state = api.state
    later = _later(api, 4)  # records 1..4 fall behind the cutoff
    result = chain.purge(api.engine, api.site_key, state.key, state.trusted_keys, now=later)
    assert result["deleted"] == 4 and (result["from_seq"], result["up_to_seq"]) == (1, 4)
    assert result["seq"] == 7  # the purge is entry 7 of the chain
    assert api.count() == 2
    verified = _verify(api)
    assert verified["ok"] is True, verified
    assert verified["purges"] == 1 and verified["last_seq"] == 7
    # appends continue after the purge entry; a second purge with nothing new is a no-op
    receipts = _fill(api, 2)
    assert [r["seq"] for r in receipts] == [8, 9]
    assert _verify(api)["ok"] is True
    assert (
        chain.purge(api.engine, api.site_key, state.key, state.trusted_keys, now=later)["deleted"]
        == 0
    )
    # editing the purge entry (to claim fewer deletions) breaks its hash and signature
    _sql(api, f"UPDATE purge_log SET deleted = 1 WHERE seq = 7 AND site_id = {SITE}")
    assert (7, "altered") in _codes(_verify(api))
    _sql(api, f"UPDATE purge_log SET deleted = 4 WHERE seq = 7 AND site_id = {SITE}")
    # deleting a kept record after a purge is still named
    _sql(api, f"DELETE FROM consent_records WHERE seq = 5 AND site_id = {SITE}")
    assert _codes(_verify(api)) == [(5, "missing")]
    # and purging across the hole is refused rather than hiding it
    with pytest.raises(ChainBroken):
        chain.purge(
            api.engine,
            api.site_key,
            state.key,
            state.trusted_keys,
            now=datetime.now(UTC) + timedelta(days=4000),
        )


def test_second_purge_continues_from_the_first(api: Api) -> None:
    _fill(api, 4)
    state = api.state
    chain.purge(api.engine, api.site_key, state.key, state.trusted_keys, now=_later(api, 2))
    _fill(api, 3)  # entries 6, 7, 8 after the purge entry 5
    everything = datetime.now(UTC) + timedelta(days=1900)
    second = chain.purge(api.engine, api.site_key, state.key, state.trusted_keys, now=everything)
    assert (second["from_seq"], second["up_to_seq"]) == (3, 8)
    assert api.count() == 0
    result = _verify(api)
    assert result["ok"] is True, result
    assert result["purges"] == 2 and result["last_seq"] == 9
    checkpoint = create_checkpoint(api.engine, api.site_key, state.key, state.trusted_keys)
    assert checkpoint is not None and checkpoint["seq"] == 9


def test_concurrent_appends_never_fork_the_chain(api: Api) -> None:
    errors: list[BaseException] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        client = api.app.test_client()
        try:
            for _ in range(15):
                response = api.post(api.body(), client=client)
                with lock:
                    statuses.append(response.status_code)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert statuses == [201] * 90
    result = _verify(api)
    assert result["ok"] is True, result["problems"][:3]
    assert result["records"] == 90 and result["last_seq"] == 90


def test_purge_and_verify_need_the_sites_key(api: Api) -> None:
    assert_error(api.client.post(f"/v1/admin/sites/{api.site_key}/purge"), 401, "missing_admin_key")
    assert_error(api.admin("GET", "/sites/pk_none/verify", key=api.global_key), 404, "unknown_site")


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"page_url": None, "user_agent": 'Mözilla/5.0 \u00e9\u4e2d \U0001f36a "q" \\ </x>'},
        {"language": None, "ip": "203.0.113.0/24", "client_ts": "2026-12-01T10:00:00.000000Z"},
        {"choices": '{"analytics":true,"marketing":false,"z\\"":true}', "gpc": 1},
    ],
)
def test_the_hash_made_under_the_lock_is_the_verifiers(overrides: dict[str, Any]) -> None:
    """PostgreSQL hashes ``before + prev_hash + ... + seq + after`` under the chain's lock:
    it must be the text :func:`record_hash` hashes, whatever the fields hold."""
    fields: dict[str, Any] = {
        "consent_id": "0b6f3c51-6f2a-4c8e-9d0e-1a2b3c4d5e6f",
        "choices": '{"analytics":true,"marketing":false}',
        "action": "custom",
        "policy_version": "v1 «2026»",
        "banner_revision": 3,
        "language": "fr-FR",
        "page_url": "https://www.shop.test/é/42",
        "user_agent": "wrk",
        "gpc": False,
        "ip": None,
        "client_ts": None,
        "source": "browser",
        "hash_version": 2,
        **overrides,
    }
    template = chain.hash_template(fields, "site_Key-1")
    prev, at, seq = "ab" * 32, "2026-12-01T10:00:01.123456Z", 12345678901
    expected = record_hash(dict(fields, prev_hash=prev, recorded_at=at, seq=seq), "site_Key-1", 1)
    assert chain.chained_hash(template, prev, at, seq) == expected


_STORED_CHOICES = '{"analytics":true,"marketing":false,"necessary":true}'


@pytest.mark.parametrize(
    ("edit", "intact"),
    [
        ({}, True),
        ({"gpc": 0}, True),
        ({"choices": _STORED_CHOICES}, True),
        # the same choices in another form: not the hashed text, the same record once parsed
        ({"choices": '{"necessary": true, "marketing": false, "analytics": true}'}, True),
        ({"choices": '{"analytics":true,"marketing":true,"necessary":true}'}, False),
        ({"action": "reject_all"}, False),
        ({"gpc": 1}, False),
        ({"prev_hash": None}, False),
        ({"recorded_at": None, "seq": 0}, False),
        ({"hash_version": 1}, False),
        ({"hash_version": None}, False),
    ],
)
def test_the_servers_quick_record_hash_is_the_verifiers(
    api: Api, edit: dict[str, Any], intact: bool
) -> None:
    """``verify`` and the checkpoints hash records read from the ledger the quick way: whatever
    a record holds, intact or edited, the answer is :func:`record_hash`'s (so the server and an
    auditor's verifier never disagree)."""
    api.post(api.body(action="custom", choices={"analytics": True, "marketing": False}))
    with api.engine.connect() as conn:
        site = get_site(conn, api.site_key)
    (stored,) = list(chain.chain_records(api.engine, site))
    assert stored["choices"] == _STORED_CHOICES
    record = {**stored, **edit}
    quick = chain.stored_record_hash(record, api.site_key, site.id)
    assert quick == record_hash(record, api.site_key, site.id)
    assert (quick == stored["hash"]) is intact


@pytest.mark.parametrize(("ids", "keys"), [(1, 1), (3, 4)])
def test_sqlite_reads_a_batchs_stored_records_through_indexes(
    tmp_path: Path, ids: int, keys: int
) -> None:
    """The read under the chain's lock searches the consent and key indexes; a search by site
    alone would scan every record of the site on every append."""
    import sqlite3

    from tests.consent_api.conftest import make_app

    make_app(f"sqlite:///{tmp_path / 'c.db'}")
    sql = chain._sql(ids, keys)["stored"]
    with sqlite3.connect(tmp_path / "c.db") as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [1] * (ids + keys + 2))]
    searches = [step for step in plan if "consent_records" in step]
    assert len(searches) == 2, plan
    assert all("consent_id=?" in s or "idempotency_key=?" in s for s in searches), plan
