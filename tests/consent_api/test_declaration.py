"""The cookie declaration an audit publishes, served to the site's policy page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consent_api import InvalidInput, NotFound, TooLarge, publish_declaration
from tests.consent_api.conftest import ORIGIN, Api, assert_error

DOCUMENT = {
    "cookies": [{"name": "_ga", "category": "google_analytics", "lifetime_days": 400}],
    "note": "Généré par l'audit <hebdomadaire>",
}


def test_published_declaration_is_served_cacheable_with_cors(api: Api) -> None:
    url = f"/v1/sites/{api.site_key}/declaration"
    assert_error(api.client.get(url, headers={"Origin": ORIGIN}), 404, "not_found")
    published = publish_declaration(
        api.engine,
        api.site_key,
        DOCUMENT,
        generated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        source="audit shop, run 42",
    )
    response = api.client.get(url, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.get_json() == {
        "site_key": api.site_key,
        "generated_at": "2026-12-01T09:30:00.000000Z",
        "source": "audit shop, run 42",
        "document": DOCUMENT,
    }
    assert response.headers["ETag"] == f'"{published.etag}"'
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert "max-age" in response.headers["Cache-Control"]
    again = api.client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and "Origin" in again.headers["Vary"]
    assert_error(api.client.get(url, headers={"Origin": "https://evil.test"}), 403)
    # a newer run replaces it
    publish_declaration(
        api.engine,
        api.site_key,
        {"cookies": []},
        generated_at="2026-12-02T00:00:00Z",
        source="run 43",
    )
    newer = api.client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert newer.status_code == 200 and newer.get_json()["document"] == {"cookies": []}


def test_publish_refuses_what_it_cannot_store(api: Api) -> None:
    now = datetime.now(UTC)
    with pytest.raises(InvalidInput):
        publish_declaration(
            api.engine,
            api.site_key,
            ["not", "an object"],  # type: ignore[arg-type]  # the wrong type, on purpose
            generated_at=now,
            source="x",
        )
    with pytest.raises(TooLarge):
        publish_declaration(
            api.engine,
            api.site_key,
            {"x": "y" * 5000},
            generated_at=now,
            source="x",
            max_bytes=1024,
        )
    with pytest.raises(NotFound):
        publish_declaration(api.engine, "pk_missing", {}, generated_at=now, source="x")
    with pytest.raises(InvalidInput):
        publish_declaration(api.engine, api.site_key, {}, generated_at="yesterday", source="x")
    with pytest.raises(InvalidInput):
        publish_declaration(api.engine, api.site_key, {}, generated_at=now, source="\x00")
    with pytest.raises(InvalidInput):
        publish_declaration(
            api.engine, api.site_key, {"x": float("nan")}, generated_at=now, source="x"
        )
