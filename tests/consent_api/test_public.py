"""Public endpoints: the contract, and a 4xx in the one error shape for each bad input."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from consent_api.ledger import truncate_ip
from tests.consent_api.conftest import ORIGIN, Api, assert_error, register


def test_config_has_the_contract_fields(api: Api) -> None:
    response = api.client.get(f"/v1/sites/{api.site_key}/config", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    config = response.get_json()
    assert set(config) == {
        "site_key",
        "name",
        "categories",
        "policy_version",
        "banner_revision",
        "reconsent_after_days",
        "api_base",
    }
    assert config["site_key"] == api.site_key
    assert config["reconsent_after_days"] == 182
    assert [c["id"] for c in config["categories"]] == ["necessary", "analytics", "marketing"]
    assert config["categories"][0]["required"] is True
    assert set(config["categories"][1]["label"]) >= {"en", "fr"}
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_post_stores_a_record_and_returns_a_receipt(api: Api) -> None:
    body = api.body(choices={"analytics": True, "necessary": False})
    response = api.post(body, headers={"Sec-GPC": "1", "User-Agent": "TestBrowser/1"})
    assert response.status_code == 201
    receipt = response.get_json()
    assert set(receipt) == {"record_id", "consent_id", "recorded_at", "hash"}
    assert receipt["consent_id"] == body["consent_id"]
    assert len(receipt["hash"]) == 64
    latest = api.client.get(f"/v1/sites/{api.site_key}/consents/{body['consent_id']}").get_json()
    # required categories are forced true; categories left out are false
    assert latest["choices"] == {"necessary": True, "analytics": True, "marketing": False}
    assert latest["action"] == "custom"
    assert latest["recorded_at"] == receipt["recorded_at"]
    with api.engine.connect() as conn:
        row = conn.execute(
            text("SELECT gpc, user_agent, ip, language, page_url FROM consent_records WHERE id=:i"),
            {"i": receipt["record_id"]},
        ).one()
    assert bool(row.gpc) is True
    assert row.user_agent == "TestBrowser/1"
    assert row.ip is None  # default: no IP at all
    assert row.language == "fr-FR"
    assert row.page_url == "https://www.shop.test/products"


def test_text_plain_body_works_for_send_beacon(api: Api) -> None:
    body = api.body(action="reject_all", choices={})
    response = api.client.post(
        f"/v1/sites/{api.site_key}/consents",
        data=json.dumps(body),
        content_type="text/plain;charset=UTF-8",
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_withdrawal_is_a_new_record_and_history_keeps_both(api: Api) -> None:
    body = api.body(action="accept_all", choices={"analytics": True, "marketing": True})
    assert api.post(body).status_code == 201
    withdraw = dict(body, action="withdraw", choices={})
    assert api.post(withdraw).status_code == 201
    history = api.client.get(f"/v1/sites/{api.site_key}/consents/{body['consent_id']}/history")
    records = history.get_json()["records"]
    assert [r["action"] for r in records] == ["accept_all", "withdraw"]
    assert records[1]["choices"]["marketing"] is False


def test_replay_is_idempotent(api: Api) -> None:
    body = api.body()
    first = api.post(body)
    again = api.post(body)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.count() == 1


def test_unknown_consent_id_is_404(api: Api) -> None:
    response = api.client.get(f"/v1/sites/{api.site_key}/consents/{uuid.uuid4()}")
    assert_error(response, 404, "not_found")
    response = api.client.get(f"/v1/sites/{api.site_key}/consents/{uuid.uuid4()}/history")
    assert_error(response, 404, "not_found")
    assert_error(
        api.client.get(f"/v1/sites/{api.site_key}/consents/nope"), 422, "invalid_consent_id"
    )


def test_ip_is_truncated_only_when_the_site_asks(api: Api) -> None:
    site_key, _, _ = register(api.app, ip_policy="truncated")
    response = api.post(api.body(), site_key=site_key, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert response.status_code == 201
    with api.engine.connect() as conn:
        ip = conn.execute(
            text("SELECT ip FROM consent_records WHERE id=:i"),
            {"i": response.get_json()["record_id"]},
        ).scalar_one()
    assert ip == "203.0.113.0/24"


def test_truncate_ip() -> None:
    assert truncate_ip("192.0.2.200") == "192.0.2.0/24"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert truncate_ip("not an ip") is None


def test_page_url_and_user_agent_are_capped(api: Api) -> None:
    body = api.body(page_url="https://www.shop.test/?" + "q" * 10000)
    response = api.post(body, headers={"User-Agent": "U" * 5000})
    assert response.status_code == 201
    with api.engine.connect() as conn:
        row = conn.execute(
            text("SELECT page_url, user_agent FROM consent_records WHERE id=:i"),
            {"i": response.get_json()["record_id"]},
        ).one()
    assert len(row.page_url) == 2048
    assert len(row.user_agent) == 512


def test_policy_bump_keeps_old_versions_known_and_refuses_unknown(api: Api) -> None:
    response = api.admin("PATCH", f"/sites/{api.site_key}", json={"policy_version": "2"})
    assert response.status_code == 200
    config = api.client.get(f"/v1/sites/{api.site_key}/config").get_json()
    assert config["policy_version"] == "2"
    assert api.post(api.body(policy_version="1")).status_code == 201  # cached banner
    assert api.post(api.body(policy_version="2")).status_code == 201
    assert_error(api.post(api.body(policy_version="3")), 409, "unknown_policy_version")


def test_cors_preflight_for_a_registered_origin(api: Api) -> None:
    response = api.client.options(
        f"/v1/sites/{api.site_key}/consents",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_cors_refuses_other_origins_preflight_included(api: Api) -> None:
    evil = {"Origin": "https://evil.test", "Access-Control-Request-Method": "POST"}
    response = api.client.options(f"/v1/sites/{api.site_key}/consents", headers=evil)
    assert_error(response, 403, "origin_not_allowed")
    assert "Access-Control-Allow-Origin" not in response.headers
    response = api.client.get(f"/v1/sites/{api.site_key}/config", headers=evil)
    assert_error(response, 403, "origin_not_allowed")


def test_impressions_are_counted(api: Api) -> None:
    for _ in range(3):
        response = api.client.post(
            f"/v1/sites/{api.site_key}/impressions", headers={"Origin": ORIGIN}
        )
        assert response.status_code == 204
    stats = api.admin("GET", f"/sites/{api.site_key}/stats").get_json()
    assert stats["days"][0]["shown"] == 3


BAD_INPUTS = [
    # (name, how to send, status, code)
    (
        "malformed json",
        {"data": "{not json", "content_type": "application/json"},
        400,
        "invalid_json",
    ),
    ("json array", {"json": [1, 2]}, 400, "invalid_json"),
    ("json string", {"data": '"x"', "content_type": "text/plain"}, 400, "invalid_json"),
    (
        "deep nesting",
        {"data": "[" * 5000 + "]" * 5000, "content_type": "text/plain"},
        400,
        "invalid_json",
    ),
    (
        "form body",
        {"data": "a=b", "content_type": "application/x-www-form-urlencoded"},
        415,
        "unsupported_media_type",
    ),
    ("oversized", {"data": "x" * 17000, "content_type": "text/plain"}, 413, "payload_too_large"),
    ("invalid uuid", {"body": {"consent_id": "123"}}, 422, "invalid_consent_id"),
    (
        "uuid v1",
        {"body": {"consent_id": "a8098c1a-f86e-11da-bd1a-00112444be1e"}},
        422,
        "invalid_consent_id",
    ),
    ("missing uuid", {"body": {"consent_id": None}}, 422, "invalid_consent_id"),
    ("unknown category", {"body": {"choices": {"telemetry": True}}}, 422, "unknown_category"),
    ("choice not bool", {"body": {"choices": {"analytics": "yes"}}}, 422, "invalid_choices"),
    ("choices not object", {"body": {"choices": ["analytics"]}}, 422, "invalid_choices"),
    ("bad action", {"body": {"action": "maybe"}}, 422, "invalid_action"),
    ("unknown policy", {"body": {"policy_version": "99"}}, 409, "unknown_policy_version"),
    ("policy not string", {"body": {"policy_version": 1}}, 409, "unknown_policy_version"),
    ("unknown revision", {"body": {"banner_revision": 7}}, 409, "unknown_banner_revision"),
    ("revision bool", {"body": {"banner_revision": True}}, 409, "unknown_banner_revision"),
    ("bad language", {"body": {"language": "<script>"}}, 422, "invalid_field"),
    ("page url not string", {"body": {"page_url": 12}}, 422, "invalid_field"),
    ("bad client_ts", {"body": {"client_ts": "yesterday"}}, 422, "invalid_field"),
    ("huge client_ts", {"body": {"client_ts": 1e300}}, 422, "invalid_field"),
    (
        "disallowed origin",
        {"body": {}, "headers": {"Origin": "https://evil.test"}},
        403,
        "origin_not_allowed",
    ),
    ("unknown site", {"body": {}, "site_key": "pk_nope"}, 404, "unknown_site"),
]


@pytest.mark.parametrize(
    ("name", "send", "status", "code"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_a_4xx_and_nothing_is_written(
    api: Api, name: str, send: dict, status: int, code: str
) -> None:
    assert api.post(api.body()).status_code == 201
    site_key = send.get("site_key", api.site_key)
    headers = {"Origin": ORIGIN, **send.get("headers", {})}
    url = f"/v1/sites/{site_key}/consents"
    if "body" in send:
        response = api.client.post(url, json=api.body(**send["body"]), headers=headers)
    elif "json" in send:
        response = api.client.post(url, json=send["json"], headers=headers)
    else:
        response = api.client.post(
            url, data=send["data"], content_type=send["content_type"], headers=headers
        )
    assert_error(response, status, code)
    assert api.count() == 1
    verify = api.admin("GET", f"/sites/{api.site_key}/verify").get_json()
    assert verify["ok"] is True and verify["records"] == 1


def test_out_of_order_post_is_refused(api: Api) -> None:
    body = api.body(client_ts="2026-11-22T10:00:00Z")
    assert api.post(body).status_code == 201
    newer = dict(body, action="reject_all", choices={}, client_ts="2026-11-22T10:05:00Z")
    assert api.post(newer).status_code == 201
    older = dict(body, action="accept_all", client_ts="2026-11-22T10:01:00Z")
    assert_error(api.post(older), 409, "out_of_order")
    assert api.count() == 2


def test_rate_limit_per_client_answers_429_in_the_error_shape(database_url: str) -> None:
    from tests.consent_api.conftest import make_app

    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3 per minute")
    site_key, _, _ = register(app)
    client = app.test_client()
    url = f"/v1/sites/{site_key}/config"
    statuses = [client.get(url).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert_error(client.get(url), 429, "rate_limited")
    other = client.get(url, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200  # per client IP
    app.extensions["consent_api"].engine.dispose()


def test_unknown_route_and_method_use_the_error_shape(api: Api) -> None:
    assert_error(api.client.get("/v1/nothing"), 404, "not_found")
    assert_error(api.client.delete(f"/v1/sites/{api.site_key}/consents"), 405, "method_not_allowed")


def test_a_genuine_server_fault_is_a_logged_500_in_the_error_shape(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> str:
        raise KeyError("bug")

    api.app.add_url_rule("/boom", "boom", boom)
    response = api.client.get("/boom")
    assert_error(response, 500, "internal_error")
    assert "unhandled error" in caplog.text


def test_banner_script_is_served_or_404_in_the_error_shape(api: Api) -> None:
    from consent_api.public import STATIC

    response = api.client.get("/banner.js")
    if (STATIC / "banner.js").is_file():
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
    else:
        assert_error(response, 404, "not_found")
    assert_error(api.client.get("/adapters/..%2Fapp.js"), 404, "not_found")
    assert_error(api.client.get("/adapters/nope.js"), 404, "not_found")


@pytest.mark.redis
def test_rate_limits_can_live_in_redis(redis_url: str, tmp_path) -> None:
    from tests.consent_api.conftest import make_app

    app = make_app(
        f"sqlite:///{tmp_path / 'c.db'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC="2 per minute",
        RATELIMIT_STORAGE_URI=redis_url,
    )
    site_key, _, _ = register(app)
    client = app.test_client()
    # a client address of its own, so earlier runs sharing the Redis database do not count
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    url = f"/v1/sites/{site_key}/config"
    assert [client.get(url, environ_base={"REMOTE_ADDR": ip}).status_code for _ in range(2)] == [
        200,
        200,
    ]
    assert_error(client.get(url, environ_base={"REMOTE_ADDR": ip}), 429, "rate_limited")
    # a second app (another gunicorn worker) shares the counter through Redis
    other = make_app(
        f"sqlite:///{tmp_path / 'c.db'}",
        RATELIMIT_ENABLED=True,
        RATELIMIT_PUBLIC="2 per minute",
        RATELIMIT_STORAGE_URI=redis_url,
    )
    response = other.test_client().get(url, environ_base={"REMOTE_ADDR": ip})
    assert_error(response, 429, "rate_limited")
    for each in (app, other):
        each.extensions["consent_api"].engine.dispose()
