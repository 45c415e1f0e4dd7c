"""Admin endpoints: keys, site registration and updates, export, statistics."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from sqlalchemy import text

from consent_api.verifier import record_hash
from tests.consent_api.conftest import Api, assert_error


def test_admin_needs_a_valid_key(api: Api) -> None:
    path = f"/v1/admin/sites/{api.site_key}"
    assert_error(api.client.get(path), 401, "missing_admin_key")
    response = api.client.get(path, headers={"Authorization": "Bearer nope"})
    error = assert_error(response, 401, "invalid_admin_key")
    assert "admin key" in error["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    key_id = api.site_admin_key.split("_")[1]
    forged = f"ca_{key_id}_{'A' * 43}"
    assert_error(
        api.client.get(path, headers={"Authorization": f"Bearer {forged}"}),
        401,
        "invalid_admin_key",
    )
    assert_error(
        api.client.get(path, headers={"Authorization": f"Basic {api.site_admin_key}"}),
        401,
        "invalid_admin_key",
    )
    assert api.admin("GET", f"/sites/{api.site_key}").status_code == 200


def test_keys_are_stored_hashed(api: Api) -> None:
    with api.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT secret_sha256 FROM admin_keys"))]
    secret = api.site_admin_key.split("_", 2)[2]
    assert all(secret not in s for s in stored)
    assert len(stored[0]) == 64


def test_register_site_with_a_global_key(api: Api) -> None:
    data = {
        "name": "Blog",
        "origins": ["https://blog.test", "HTTPS://Blog.test:443/"],
        "categories": [
            {"id": "necessary", "label": {"en": "Necessary"}, "required": True},
            {"id": "statistics", "label": "Statistics"},
        ],
        "policy_version": "2026-01",
        "ip_policy": "truncated",
    }
    response = api.admin("POST", "/sites", key=api.global_key, json=data)
    assert response.status_code == 201
    site = response.get_json()
    assert site["origins"] == ["https://blog.test"]
    assert site["admin_key"].startswith("ca_")
    assert [c["id"] for c in site["categories"]] == ["necessary", "statistics"]
    own = api.admin("GET", f"/sites/{site['site_key']}", key=site["admin_key"])
    assert own.status_code == 200
    # a site key sees only its own site and cannot register sites
    assert_error(api.admin("GET", f"/sites/{site['site_key']}"), 403, "forbidden")
    assert_error(api.admin("POST", "/sites", json=data), 403, "forbidden")
    listed = api.admin("GET", "/sites", key=site["admin_key"]).get_json()["sites"]
    assert [s["site_key"] for s in listed] == [site["site_key"]]
    everything = api.admin("GET", "/sites", key=api.global_key).get_json()["sites"]
    assert {api.site_key, site["site_key"]} <= {s["site_key"] for s in everything}


def test_invalid_site_settings_are_422(api: Api) -> None:
    bad = [
        ({"name": ""}, "invalid_field"),
        ({"name": "x", "origins": ["javascript:alert(1)"]}, "invalid_field"),
        ({"name": "x", "origins": ["https://a.test/path"]}, "invalid_field"),
        ({"name": "x", "categories": [{"id": "Bad Id"}]}, "invalid_field"),
        ({"name": "x", "categories": [{"id": "a"}, {"id": "a"}]}, "invalid_field"),
        ({"name": "x", "retention_days": 0}, "invalid_field"),
        ({"name": "x", "ip_policy": "full"}, "invalid_field"),
        ({"name": "x", "colour": "red"}, "unknown_field"),
    ]
    for data, code in bad:
        assert_error(api.admin("POST", "/sites", key=api.global_key, json=data), 422, code)
    assert_error(
        api.admin("POST", "/sites", key=api.global_key, data="{", content_type="application/json"),
        400,
        "invalid_json",
    )
    assert_error(api.admin("PATCH", f"/sites/{api.site_key}", json=[1]), 400, "invalid_json")
    assert_error(
        api.admin("PATCH", f"/sites/{api.site_key}", json={"banner_revision": "x"}),
        422,
        "invalid_field",
    )
    assert_error(api.admin("GET", "/sites/pk_missing", key=api.global_key), 404, "unknown_site")


def test_patch_updates_origins_and_revision(api: Api) -> None:
    response = api.admin(
        "PATCH",
        f"/sites/{api.site_key}",
        json={"origins": ["https://shop.test"], "banner_revision": 2},
    )
    assert response.status_code == 200
    site = response.get_json()
    assert site["origins"] == ["https://shop.test"]
    assert site["banner_revisions"] == [1, 2]
    api.origin = "https://shop.test"
    assert api.post(api.body(banner_revision=2)).status_code == 201
    api.origin = "https://www.shop.test"
    assert_error(api.post(api.body()), 403, "origin_not_allowed")


def test_export_jsonl_and_csv_by_date_range(api: Api) -> None:
    receipts = []
    for action in ("accept_all", "reject_all", "custom"):
        response = api.post(api.body(action=action, choices={}), headers={"User-Agent": "=cmd|x"})
        receipts.append(response.get_json())
    response = api.admin("GET", f"/sites/{api.site_key}/export?format=jsonl")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [r["seq"] for r in lines] == [r["seq"] for r in receipts]
    assert lines[0]["user_agent"] == "=cmd|x"
    assert lines[1]["prev_hash"] == lines[0]["hash"]
    # every field a hash covers is exported, the site's key and id included
    assert {"site_key", "site_id", "source", "hash_version"} <= set(lines[0])
    assert lines[0]["site_key"] == api.site_key and "record_id" not in lines[0]
    # so each exported line recomputes to its hash with nothing guessed
    for line in lines:
        assert record_hash(line, line["site_key"], line["site_id"]) == line["hash"]
    day = lines[0]["recorded_at"][:10]
    response = api.admin("GET", f"/sites/{api.site_key}/export?format=csv&from={day}&to={day}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    assert rows[0]["user_agent"] == "'=cmd|x"  # no formula injection in spreadsheets
    assert rows[0]["site_id"] == str(lines[0]["site_id"]) and rows[0]["site_key"] == api.site_key
    response = api.admin("GET", f"/sites/{api.site_key}/export?format=csv&to=2000-01-01")
    assert response.get_data(as_text=True).count("\n") == 1  # header only
    assert_error(api.admin("GET", f"/sites/{api.site_key}/export?format=xml"), 422, "invalid_field")
    assert_error(
        api.admin("GET", f"/sites/{api.site_key}/export?from=yesterday"), 422, "invalid_field"
    )
    assert_error(
        api.admin("GET", f"/sites/{api.site_key}/export?format=ledger&from={day}"),
        422,
        "invalid_field",
    )


def test_stats_per_day_and_category(api: Api) -> None:
    api.post(api.body(action="accept_all", choices={}))
    api.post(api.body(action="reject_all", choices={}))
    api.post(api.body(action="reject_all", choices={}))
    api.post(api.body(action="custom", choices={"analytics": True}))
    api.client.post(f"/v1/sites/{api.site_key}/impressions", headers={"Origin": api.origin})
    stats = api.admin("GET", f"/sites/{api.site_key}/stats").get_json()
    assert len(stats["periods"]) == 1
    day = stats["periods"][0]
    assert (day["impressions"], day["records"]) == (1, 4)
    assert day["actions"] == {
        "accept_all": 1,
        "reject_all": 2,
        "custom": 1,
        "withdraw": 0,
        "gpc": 0,
    }
    assert day["categories"]["analytics"] == {"granted": 2, "refused": 2, "opt_in_rate": 0.5}
    assert day["categories"]["marketing"]["opt_in_rate"] == 0.25
    assert day["categories"]["necessary"]["opt_in_rate"] == 1.0


def test_stats_split_by_revision_and_language_per_week(api: Api) -> None:
    api.admin("PATCH", f"/sites/{api.site_key}", json={"banner_revision": 2})
    api.post(api.body(action="accept_all", choices={}, banner_revision=1, language="fr"))
    api.post(api.body(action="reject_all", choices={}, banner_revision=2, language="en"))
    api.post(api.body(action="reject_all", choices={}, banner_revision=2, language=None))
    stats = api.admin(
        "GET", f"/sites/{api.site_key}/stats?period=week&split=banner_revision"
    ).get_json()
    week = stats["periods"][0]
    assert (stats["period"], stats["split"]) == ("week", "banner_revision")
    assert date.fromisoformat(week["start"]).weekday() == 0  # weeks start on Monday
    assert week["by"]["1"]["actions"]["accept_all"] == 1
    assert week["by"]["2"]["actions"]["reject_all"] == 2
    assert week["by"]["2"]["categories"]["marketing"]["opt_in_rate"] == 0.0
    by_language = api.admin("GET", f"/sites/{api.site_key}/stats?split=language").get_json()
    assert set(by_language["periods"][0]["by"]) == {"fr", "en", ""}
    assert_error(
        api.admin("GET", f"/sites/{api.site_key}/stats?split=colour"), 422, "invalid_field"
    )
    assert_error(api.admin("GET", f"/sites/{api.site_key}/stats?period=year"), 422, "invalid_field")


def test_stats_of_an_empty_window(api: Api) -> None:
    empty = api.admin("GET", f"/sites/{api.site_key}/stats?from=2001-01-01&to=2001-01-02")
    assert empty.get_json()["periods"] == []
