"""The OpenAPI description: it covers every route, and fuzzing the app from it (schemathesis,
WSGI, no network) never yields a 5xx or a response that breaks the description, on SQLite and
on PostgreSQL (a database of its own: the fuzzer's admin key creates and edits sites)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Err, Result
from schemathesis.errors import InvalidSchema

from consent_api.app import OPENAPI
from tests.consent_api.conftest import make_app, register
from tests.scratch_db import scratch_database

SPEC = json.loads(OPENAPI.read_text())


def _spec_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_route_is_in_the_spec(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}")
    routes = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods or ():
            if method in {"HEAD", "OPTIONS"}:
                continue
            routes.add((_spec_path(rule.rule), method.lower()))
    documented = {
        (path, method)
        for path, ops in SPEC["paths"].items()
        for method in ops
        if method != "parameters"
    }
    assert routes - documented == set(), "routes missing from consent_api/openapi.json"
    assert documented - routes == set(), "spec documents routes the app does not have"
    app.extensions["consent_api"].engine.dispose()


def test_spec_is_served_and_identical(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}")
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == SPEC
    assert SPEC["openapi"].startswith("3.1")
    app.extensions["consent_api"].engine.dispose()


class Target:
    site_key = ""
    admin_key = ""


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def fuzz_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'c.db'}"
        else:
            server = request.getfixturevalue("postgres_url")
            url = stack.enter_context(scratch_database(server, "cookie_audit_fuzz"))
        app = make_app(url)
        Target.site_key, _, Target.admin_key = register(app)
        yield app
        app.extensions["consent_api"].close()


# Built from the file at import. One pytest item per operation, with its own id: schemathesis'
# `schema.parametrize()` gives every operation the same node id, which pytest-xdist collapses
# into one (only one operation was fuzzed under `make test`).
schema = schemathesis.openapi.from_dict(SPEC)
# generic in its parameters, responses, security and schema, which schemathesis leaves open
Operation = schemathesis.APIOperation[Any, Any, Any, Any]


def _operation(result: Result[Operation, InvalidSchema]) -> Operation:
    """An operation of the description; one schemathesis cannot read fails collection."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


OPERATIONS = [_operation(result) for result in schema.get_all_operations()]


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_fuzz_no_server_error_and_responses_conform(operation: Operation, fuzz_app: Flask) -> None:
    operation.schema.app = fuzz_app
    headers = {"Authorization": f"Bearer {Target.admin_key}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,  # per operation and database: seconds per database, not minutes
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def fuzz(case: schemathesis.Case[Operation]) -> None:
        params = case.path_parameters or {}
        # half the time aim at the registered site, so the fuzzer gets past "unknown site"
        if "site_key" in params and len(str(params["site_key"])) % 2 == 0:
            params["site_key"] = Target.site_key
        case.call_and_validate(
            headers=headers,
            app=fuzz_app,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )

    fuzz()
