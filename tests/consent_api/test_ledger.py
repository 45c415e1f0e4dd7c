"""The hash chain: tampering with SQL directly is detected; purge keeps it verifiable;
concurrent appends never fork it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from consent_api import ledger
from consent_api.cli import consents
from tests.consent_api.conftest import Api, assert_error


def _fill(api: Api, n: int) -> list[dict]:
    return [api.post(api.body(action="accept_all")).get_json() for _ in range(n)]


def _verify(api: Api) -> dict:
    response = api.admin("GET", f"/sites/{api.site_key}/verify")
    assert response.status_code == 200
    return response.get_json()


def _sql(api: Api, statement: str, **params: object) -> None:
    with api.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_intact_chain_verifies(api: Api) -> None:
    receipts = _fill(api, 5)
    result = _verify(api)
    assert result["ok"] is True
    assert result["records"] == 5
    assert result["head_hash"] == receipts[-1]["hash"]


def test_altered_record_is_detected(api: Api) -> None:
    receipts = _fill(api, 5)
    _sql(
        api,
        "UPDATE consent_records SET choices = :c WHERE id = :i",
        c='{"analytics":false,"marketing":false,"necessary":true}',
        i=receipts[2]["record_id"],
    )
    result = _verify(api)
    assert result["ok"] is False
    assert any("does not match its hash" in p["problem"] for p in result["problems"])
    assert result["problems"][0]["record_id"] == receipts[2]["record_id"]


def test_altered_timestamp_is_detected(api: Api) -> None:
    receipts = _fill(api, 3)
    _sql(
        api,
        "UPDATE consent_records SET recorded_at = :t WHERE id = :i",
        t="2020-01-01T00:00:00.000000Z",
        i=receipts[0]["record_id"],
    )
    assert _verify(api)["ok"] is False


def test_deleted_record_is_detected(api: Api) -> None:
    receipts = _fill(api, 5)
    _sql(api, "DELETE FROM consent_records WHERE id = :i", i=receipts[2]["record_id"])
    result = _verify(api)
    assert result["ok"] is False
    problems = " ".join(p["problem"] for p in result["problems"])
    assert "missing" in problems and "previous-record hash" in problems


def test_deleted_newest_record_is_detected(api: Api) -> None:
    receipts = _fill(api, 3)
    _sql(api, "DELETE FROM consent_records WHERE id = :i", i=receipts[-1]["record_id"])
    result = _verify(api)
    assert result["ok"] is False
    assert "head" in result["problems"][-1]["problem"]


def test_cli_verify_exit_codes(api: Api, database_url: str) -> None:
    receipts = _fill(api, 3)
    runner = CliRunner()
    ok = runner.invoke(consents, ["verify", api.site_key, "--db", database_url])
    assert ok.exit_code == 0, ok.output
    assert "ok: 3 records" in ok.output
    _sql(
        api,
        "UPDATE consent_records SET action = 'reject_all' WHERE id = :i",
        i=receipts[1]["record_id"],
    )
    broken = runner.invoke(consents, ["verify", api.site_key, "--db", database_url])
    assert broken.exit_code != 0
    assert "BROKEN" in str(broken.exception)


def test_purge_past_retention_keeps_the_chain_verifiable(api: Api) -> None:
    _fill(api, 6)
    # nothing is past the 5-year retention yet
    response = api.admin("POST", f"/sites/{api.site_key}/purge")
    assert response.status_code == 200 and response.get_json()["deleted"] == 0
    # records 1..4 fall behind the cutoff when "now" is retention + a moment later
    with api.engine.connect() as conn:
        stamps = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT recorded_at FROM consent_records r JOIN sites s ON s.id = r.site_id "
                    "WHERE s.site_key = :k ORDER BY seq"
                ),
                {"k": api.site_key},
            )
        ]
    later = ledger._parse_iso(stamps[4]) + timedelta(days=1825)
    result = ledger.purge(api.engine, api.site_key, now=later)
    assert result["deleted"] == 4 and result["up_to_seq"] == 4
    assert api.count() == 2
    verified = _verify(api)
    assert verified["ok"] is True, verified
    assert verified["anchor"]["up_to_seq"] == 4
    # appends continue the chain; a second purge with nothing new is a no-op
    _fill(api, 2)
    assert _verify(api)["ok"] is True
    assert ledger.purge(api.engine, api.site_key, now=later)["deleted"] == 0
    # deleting a kept record after a purge is still detected
    _sql(
        api,
        "DELETE FROM consent_records WHERE seq = 5 AND site_id = "
        "(SELECT id FROM sites WHERE site_key = :k)",
        k=api.site_key,
    )
    assert _verify(api)["ok"] is False
    # and purging across the hole is refused rather than hiding it
    with pytest.raises(ledger.ApiError) as refused:
        ledger.purge(api.engine, api.site_key, now=datetime.now(UTC) + timedelta(days=4000))
    assert refused.value.code == "chain_broken"


def test_concurrent_appends_never_fork_the_chain(api: Api) -> None:
    errors: list[BaseException] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        client = api.app.test_client()
        try:
            for _ in range(15):
                response = client.post(f"/v1/sites/{api.site_key}/consents", json=api.body())
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
    assert result["records"] == 90 and result["head_seq"] == 90


def test_purge_and_verify_need_the_sites_key(api: Api) -> None:
    assert_error(api.client.post(f"/v1/admin/sites/{api.site_key}/purge"), 401, "missing_admin_key")
    assert_error(api.admin("GET", "/sites/pk_none/verify", key=api.global_key), 404, "unknown_site")
