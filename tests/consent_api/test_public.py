"""Public endpoints: the contract, and a 4xx in the one error shape for each bad input."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from consent_api.validation import truncate_ip
from tests.consent_api.conftest import ORIGIN, Api, assert_error, register, ts


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
    body = api.body(choices={"analytics": True})
    response = api.post(body, headers={"Sec-GPC": "1", "User-Agent": "TestBrowser/1"})
    assert response.status_code == 201
    receipt = response.get_json()
    assert set(receipt) == {"seq", "consent_id", "recorded_at", "hash", "checkpoint"}
    assert receipt["seq"] == 1  # numbered per site
    assert receipt["consent_id"] == body["consent_id"]
    assert len(receipt["hash"]) == 64
    latest = api.client.get(f"/v1/sites/{api.site_key}/consents/{body['consent_id']}").get_json()
    # required categories are true; categories left out are false (custom)
    assert latest["choices"] == {"necessary": True, "analytics": True, "marketing": False}
    assert latest["action"] == "custom"
    assert latest["recorded_at"] == receipt["recorded_at"]
    with api.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT gpc, user_agent, ip, language, page_url, source FROM consent_records"
                " WHERE seq = :i AND site_id = (SELECT id FROM sites WHERE site_key = :k)"
            ),
            {"i": receipt["seq"], "k": api.site_key},
        ).one()
    assert bool(row.gpc) is True
    assert row.user_agent == "TestBrowser/1"
    assert row.ip is None  # default: no IP at all
    assert row.language == "fr-FR"
    assert row.page_url == "https://www.shop.test/products"
    assert row.source == "browser"


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


@pytest.mark.parametrize("length", ["declared", "chunked"])
def test_a_body_is_read_whole_with_or_without_its_length(api: Api, length: str) -> None:
    """A post that states its length is read in one call from the server's stream; one sent
    in chunks (no ``Content-Length``; the server ends the stream) through werkzeug's. Both are
    stored; past the limit, both are 413 and nothing is stored."""
    small = json.dumps(api.body()).encode()
    large = json.dumps(api.body(page_url="https://www.shop.test/" + "x" * 20000)).encode()
    answers = []
    for data in (small, large):
        if length == "declared":
            kwargs: dict[str, Any] = {"data": data}
        else:
            kwargs = {
                "input_stream": io.BytesIO(data),
                "environ_overrides": {"wsgi.input_terminated": True},
                "headers": {"Origin": ORIGIN, "Transfer-Encoding": "chunked"},
            }
        answers.append(
            api.client.post(
                f"/v1/sites/{api.site_key}/consents",
                content_type="application/json",
                **{"headers": {"Origin": ORIGIN}, **kwargs},  # chunked: its own headers
            )
        )
    assert answers[0].status_code == 201, answers[0].get_json()
    assert_error(answers[1], 413, "payload_too_large")
    assert api.count() == 1


def test_withdrawal_is_a_new_record_and_history_keeps_both(api: Api) -> None:
    body = api.body(
        action="accept_all", choices={"analytics": True, "marketing": True}, client_ts=ts()
    )
    assert api.post(body).status_code == 201
    withdraw = dict(body, action="withdraw", choices={}, client_ts=ts(1))
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
            text(
                "SELECT ip FROM consent_records WHERE seq = :i"
                " AND site_id = (SELECT id FROM sites WHERE site_key = :k)"
            ),
            {"i": response.get_json()["seq"], "k": site_key},
        ).scalar_one()
    assert ip == "203.0.113.0/24"


def test_truncate_ip() -> None:
    assert truncate_ip("192.0.2.200") == "192.0.2.0/24"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert truncate_ip("not an ip") is None


def test_page_url_keeps_origin_and_path_only_and_user_agent_is_capped(api: Api) -> None:
    """A query string or fragment may hold personal data: stripped whatever the client sends."""
    body = api.body(
        page_url="https://Alice:pw@WWW.Shop.test:443/p/" + "x" * 3000 + "?email=a@b.c#t"
    )
    response = api.post(body, headers={"User-Agent": "U" * 5000 + "\x7f"})
    assert response.status_code == 201
    with api.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT page_url, user_agent FROM consent_records WHERE seq = :i"
                " AND site_id = (SELECT id FROM sites WHERE site_key = :k)"
            ),
            {"i": response.get_json()["seq"], "k": api.site_key},
        ).one()
    assert row.page_url.startswith("https://www.shop.test/p/xxx")
    assert len(row.page_url) == 2048 and "?" not in row.page_url and "Alice" not in row.page_url
    assert len(row.user_agent) == 512
    short = api.body(page_url="http://www.shop.test:8080/a?utm=x#frag")
    assert api.post(short).status_code == 201
    with api.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT page_url FROM consent_records WHERE consent_id = :c"),
            {"c": short["consent_id"]},
        ).scalar_one()
    assert stored == "http://www.shop.test:8080/a"


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
    assert stats["periods"][0]["impressions"] == 3


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
    ("client_ts year 9999", {"body": {"client_ts": "9999-12-31T00:00:00Z"}}, 422, "invalid_field"),
    ("client_ts year 1", {"body": {"client_ts": "0001-01-01T00:00:00Z"}}, 422, "invalid_field"),
    ("client_ts two days late", {"body": {"client_ts": -2 * 86400}}, 422, "invalid_field"),
    # records that would not mean what they say
    (
        "reject_all granting marketing",
        {"body": {"action": "reject_all", "choices": {"marketing": True}}},
        422,
        "inconsistent_choices",
    ),
    (
        "accept_all refusing everything",
        {"body": {"action": "accept_all", "choices": {"analytics": False, "marketing": False}}},
        422,
        "inconsistent_choices",
    ),
    (
        "gpc granting marketing",
        {"body": {"action": "gpc", "choices": {"marketing": True}}, "headers": {"Sec-GPC": "1"}},
        422,
        "inconsistent_choices",
    ),
    (
        "gpc without the signal",
        {"body": {"action": "gpc", "choices": {}}},
        422,
        "gpc_signal_missing",
    ),
    (
        "withdraw granting analytics",
        {"body": {"action": "withdraw", "choices": {"analytics": True}}},
        422,
        "inconsistent_choices",
    ),
    (
        "refusing a required category",
        {"body": {"choices": {"necessary": False}}},
        422,
        "inconsistent_choices",
    ),
    # texts
    (
        "lone surrogate in page_url",
        {"raw": '"page_url": "https://www.shop.test/\\ud800"'},
        422,
        "invalid_field",
    ),
    (
        "NUL in page_url",
        {"body": {"page_url": "https://www.shop.test/a\u0000b"}},
        422,
        "invalid_field",
    ),
    ("NUL in language", {"body": {"language": "fr\u0000"}}, 422, "invalid_field"),
    ("page_url not http", {"body": {"page_url": "javascript:alert(1)"}}, 422, "invalid_field"),
    (
        "page_url bad port",
        {"body": {"page_url": "https://www.shop.test:99999/"}},
        422,
        "invalid_field",
    ),
    (
        "page_url too long",
        {"body": {"page_url": "https://www.shop.test/" + "a" * 9000}},
        422,
        "invalid_field",
    ),
    ("lone surrogate in consent_id", {"raw": '"consent_id": "\\ud800"'}, 422, "invalid_consent_id"),
    ("surrogate category", {"raw": '"choices": {"\\udfff": true}'}, 422, "unknown_category"),
    (
        "no Origin (not a banner)",
        {"body": {}, "headers": {"Origin": None}},
        403,
        "origin_required",
    ),
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
    api: Api, name: str, send: dict[str, Any], status: int, code: str
) -> None:
    assert api.post(api.body()).status_code == 201
    site_key = send.get("site_key", api.site_key)
    headers = {"Origin": ORIGIN, **send.get("headers", {})}
    headers = {k: v for k, v in headers.items() if v is not None}
    url = f"/v1/sites/{site_key}/consents"
    if "raw" in send:  # JSON text with escapes json.dumps would not write (lone surrogates)
        fields = ", ".join(
            f"{json.dumps(k)}: {json.dumps(v)}"
            for k, v in api.body().items()
            if k != send["raw"].split('"')[1]
        )
        text_body = "{" + fields + ", " + send["raw"] + "}"
        response = api.client.post(url, data=text_body, content_type="text/plain", headers=headers)
    elif "body" in send:
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
    body = api.body(client_ts=ts(-600))
    assert api.post(body).status_code == 201
    newer = dict(body, action="reject_all", choices={}, client_ts=ts(-300))
    assert api.post(newer).status_code == 201
    older = dict(body, action="accept_all", choices={}, client_ts=ts(-540))
    assert_error(api.post(older), 409, "out_of_order")
    assert api.count() == 2


@pytest.mark.parametrize("far", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", 253402300799000])
def test_a_client_ts_far_off_cannot_block_the_visitors_later_choices(api: Api, far: object) -> None:
    """A choice dated 9999 used to be stored and then refuse every later choice of that
    visitor with 409 out_of_order; year 1 was stored unpadded and broke the text order."""
    body = api.body(client_ts=far)
    assert_error(api.post(body), 422, "invalid_field")
    later = dict(body, action="reject_all", choices={}, client_ts=ts())
    assert api.post(later).status_code == 201
    again = dict(body, action="accept_all", choices={}, client_ts=ts(1))
    assert api.post(again).status_code == 201
    history = api.client.get(
        f"/v1/sites/{api.site_key}/consents/{body['consent_id']}/history"
    ).get_json()["records"]
    assert [r["action"] for r in history] == ["reject_all", "accept_all"]


def test_client_ts_is_stored_zero_padded_iso(api: Api) -> None:
    body = api.body(client_ts=int(datetime.now(UTC).timestamp() * 1000))
    assert api.post(body).status_code == 201
    with api.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT client_ts FROM consent_records WHERE consent_id = :c"),
            {"c": body["consent_id"]},
        ).scalar_one()
    assert len(stored) == 27 and stored[4] == "-" and stored.endswith("Z")


def test_gpc_with_the_signal_is_stored(api: Api) -> None:
    body = api.body(action="gpc", choices={})
    response = api.post(body, headers={"Sec-GPC": "1"})
    assert response.status_code == 201
    latest = api.client.get(f"/v1/sites/{api.site_key}/consents/{body['consent_id']}").get_json()
    assert latest["choices"] == {"necessary": True, "analytics": False, "marketing": False}


def test_one_rate_limit_per_client_for_the_public_endpoints_with_retry_after(
    database_url: str,
) -> None:
    from tests.consent_api.conftest import make_app

    app = make_app(database_url, RATELIMIT_ENABLED=True, RATELIMIT_PUBLIC="3 per minute")
    site_key, _, _ = register(app)
    client = app.test_client()
    origin = {"Origin": ORIGIN}
    # three different endpoints share one budget
    assert client.get(f"/v1/sites/{site_key}/config", headers=origin).status_code == 200
    assert client.post(f"/v1/sites/{site_key}/impressions", headers=origin).status_code == 204
    consent = f"/v1/sites/{site_key}/consents/{uuid.uuid4()}"
    assert client.get(consent, headers=origin).status_code == 404
    limited = client.get(f"/v1/sites/{site_key}/config", headers=origin)
    assert_error(limited, 429, "rate_limited")
    assert "Origin" in limited.vary
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    other = client.get(f"/v1/sites/{site_key}/config", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200  # per client IP
    assert client.get("/banner.js").status_code in {200, 404}  # scripts are not limited
    app.extensions["consent_api"].close()


def test_vary_origin_on_every_answer_about_a_site(api: Api) -> None:
    """A shared cache must not serve a copy made without CORS headers to a banner."""
    plain = api.client.get(f"/v1/sites/{api.site_key}/config")
    assert plain.status_code == 200 and "Origin" in plain.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in plain.headers
    refused = api.client.get(
        f"/v1/sites/{api.site_key}/config", headers={"Origin": "https://x.test"}
    )
    assert "Origin" in refused.headers["Vary"]


@pytest.mark.parametrize("origin", [ORIGIN, "https://x.test", None])
@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/v1/sites/pk_unknown/config", None, 404, "unknown_site"),
        ("GET", "/v1/sites/no.such.key/config", None, 404, "unknown_site"),
        ("POST", "/v1/sites/pk_unknown/consents", {}, 404, "unknown_site"),
        ("OPTIONS", "/v1/sites/pk_unknown/consents", None, 404, "unknown_site"),
        ("GET", "/v1/sites/{site}/consents/{consent}", None, 404, "not_found"),
        ("GET", "/v1/sites/{site}/consents/not-a-uuid/history", None, 422, None),
        ("GET", "/v1/sites/{site}/checkpoints/latest", None, 404, "not_found"),
        ("GET", "/v1/sites/{site}/declaration", None, 404, "not_found"),
        ("POST", "/v1/sites/{site}/consents", [], 400, None),
    ],
)
def test_vary_origin_on_every_error_of_the_public_endpoints(
    api: Api,
    method: str,
    path: str,
    body: object,
    status: int,
    code: str | None,
    origin: str | None,
) -> None:
    """Errors may be cached too (a 404 is cacheable by default): each one says it varies."""
    url = path.format(site=api.site_key, consent=uuid.uuid4())
    headers = {"Origin": origin} if origin else {}
    response = api.client.open(url, method=method, json=body, headers=headers)
    if origin == "https://x.test" and "{site}" in path:
        status, code = 403, "origin_not_allowed"
    if not origin and method == "POST" and "{site}" in path:
        status, code = 403, "origin_required"
    assert_error(response, status, code)
    assert "Origin" in response.vary


def test_server_side_posts_need_the_setting_and_the_sites_server_key(database_url: str) -> None:
    from tests.consent_api.conftest import make_app

    app = make_app(database_url, ALLOW_SERVER_POSTS=True)
    site_key, site_admin, _ = register(app)
    client = app.test_client()
    url = f"/v1/sites/{site_key}/consents"

    def body() -> dict[str, Any]:
        return {
            "consent_id": str(uuid.uuid4()),
            "choices": {},
            "action": "reject_all",
            "policy_version": "1",
            "banner_revision": 1,
        }

    assert_error(client.post(url, json=body()), 403, "invalid_server_key")
    made = client.post(
        f"/v1/admin/sites/{site_key}/server-key", headers={"Authorization": f"Bearer {site_admin}"}
    )
    assert made.status_code == 201
    key = made.get_json()["server_key"]
    assert key.startswith("ss_")
    wrong = {"Authorization": "Bearer ss_" + "x" * 43}
    assert_error(client.post(url, json=body(), headers=wrong), 403, "invalid_server_key")
    posted = body()
    response = client.post(url, json=posted, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 201
    engine = app.extensions["consent_api"].engine
    with engine.connect() as conn:
        source = conn.execute(
            text("SELECT source FROM consent_records WHERE consent_id = :c"),
            {"c": posted["consent_id"]},
        ).scalar_one()
    assert source == "server"
    app.extensions["consent_api"].close()
    # the setting off (default): no post without Origin, key or not
    strict = make_app(database_url)
    response = strict.test_client().post(
        url, json=body(), headers={"Authorization": f"Bearer {key}"}
    )
    assert_error(response, 403, "origin_required")
    strict.extensions["consent_api"].close()


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
    from consent_api.scripts import STATIC

    response = api.client.get("/banner.js")
    if (STATIC / "banner.js").is_file():
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
    else:
        assert_error(response, 404, "not_found")
    assert_error(api.client.get("/adapters/..%2Fapp.js"), 404, "not_found")
    assert_error(api.client.get("/adapters/nope.js"), 404, "not_found")
    assert_error(api.client.get("/adapters/_shared.js"), 404, "not_found")  # a part, not a script


@pytest.mark.parametrize("name", ["klaro", "tarteaucitron", "vanilla-cookieconsent"])
def test_adapters_are_served_whole_cacheable_and_conditional(api: Api, name: str) -> None:
    response = api.client.get(f"/adapters/{name}.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    source = response.get_data(as_text=True)
    assert "@shared" not in source and "CookieAuditAdapter" in source  # the shared part is in
    assert source.startswith("/* cookie-audit adapter for ")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in response.headers["Cache-Control"]
    again = api.client.get(
        f"/adapters/{name}.js", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.redis
def test_rate_limits_can_live_in_redis(redis_url: str, tmp_path: Path) -> None:
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
        each.extensions["consent_api"].close()
