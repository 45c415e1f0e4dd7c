"""The shortcuts a post takes (issue 12, part 4) give what the general code gave: a consent id's
canonical form, the receipt's JSON, ``Vary``, a lone writer's append beside a batch."""

from __future__ import annotations

import inspect
import threading
import uuid
from typing import Any

import pytest
from flask import Flask, Response, jsonify

from consent_api.errors import InvalidInput
from consent_api.public import cors_headers, json_response
from consent_api.validation import LANGUAGE_TAG, parse_consent_id
from tests.consent_api.conftest import ORIGIN, Api

V4 = "0b6f3c51-6f2a-4c8e-9d0e-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    "value",
    [
        V4,
        V4.upper(),
        "0B6f3C51-6f2a-4C8e-Ad0e-1a2b3c4d5e6F",
        "0b6f3c516-f2a-4c8e-9d0e-1a2b3c4d5e6f",  # hyphens elsewhere: uuid.UUID takes it
        "{0b6f3c516f2a4c8e9d0e1a2b3c4d5e6f}-",
        "0b6f3c51-6f2a-1c8e-9d0e-1a2b3c4d5e6f",  # version 1
        "0b6f3c51-6f2a-4c8e-7d0e-1a2b3c4d5e6f",  # not the RFC 4122 variant
        "0b6f3c51-6f2a-4c8e-9d0e-1a2b3c4d5e6g",
        V4 + " ",
        "",
    ],
)
def test_a_consent_id_is_read_as_uuid_would_read_it(value: str) -> None:
    try:
        parsed = uuid.UUID(value)
        expected: str | None = str(parsed) if len(value) == 36 and parsed.version == 4 else None
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(InvalidInput):
            parse_consent_id(value)
    else:
        assert parse_consent_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"consent_id": V4, "seq": 3, "hash": "ab" * 32, "checkpoint": None},
        {"checkpoint": {"site": "pk_x", "seq": 2, "signature": "é\u2028<>&'"}, "seq": 10**12},
    ],
)
def test_the_receipt_is_the_json_jsonify_writes(value: dict[str, Any]) -> None:
    app = Flask("t")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # as the API's factory sets it
    with app.app_context():
        expected = jsonify(value)
    ours = json_response(value, 201)
    assert ours.get_data() == expected.get_data()
    assert ours.status_code == 201
    assert ours.headers["Content-Type"] == expected.headers["Content-Type"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "Origin"),
        ("Accept-Encoding", "Accept-Encoding, Origin"),
        ("accept-encoding, origin", "accept-encoding, origin"),
        ("Origin", "Origin"),
        (["Accept-Encoding", "Cookie"], "Accept-Encoding, Cookie, Origin"),
        (["Cookie", "origin"], ["Cookie", "origin"]),
    ],
)
def test_vary_names_origin_once(before: str | list[str] | None, after: str | list[str]) -> None:
    """Every ``Vary`` header the view set is kept (joined into one when Origin is added)."""
    app = Flask("t")
    response = Response("x")
    for value in [before] if isinstance(before, str) else before or []:
        response.headers.add("Vary", value)
    with app.test_request_context("/"):
        assert cors_headers(response).headers.get_all("Vary") == (
            [after] if isinstance(after, str) else after
        )


def test_a_lone_writer_and_a_batch_of_threads_build_one_chain(api: Api) -> None:
    """One thread appending alone writes without the batch queue; threads that come while it
    writes queue for a batch. Both kinds of append land in one chain that verifies."""
    assert api.post(api.body()).status_code == 201  # alone
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        client = api.app.test_client()
        barrier.wait()
        for _ in range(5):
            response = client.post(
                f"/v1/sites/{api.site_key}/consents",
                json=api.body(),
                headers={"Origin": ORIGIN},
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 40
    assert api.post(api.body()).get_json()["seq"] == 42
    verified = api.admin("GET", f"/sites/{api.site_key}/verify").get_json()
    assert verified["ok"] is True, verified


def test_the_app_asks_once_whether_a_function_is_a_coroutine(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flask.app

    asked: list[object] = []

    def counting(func: object) -> bool:
        asked.append(func)
        return inspect.iscoroutinefunction(func)

    monkeypatch.setattr(flask.app, "iscoroutinefunction", counting)

    def view() -> str:
        return "x"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert asked == [view]


@pytest.mark.parametrize(
    "value",
    ["fr-FR", "en", "x" * 35, "x" * 36, "", "fr_FR", "fr FR", "fr\n", "٣", "é", "zh-Hant-TW"],
)
def test_a_language_tag_is_ascii_letters_digits_and_hyphens(value: str) -> None:
    accepted = 0 < len(value) <= 35 and all(
        c.isascii() and (c.isalnum() or c == "-") for c in value
    )
    assert bool(LANGUAGE_TAG.fullmatch(value)) == accepted
