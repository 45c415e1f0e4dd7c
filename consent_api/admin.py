"""Admin endpoints: register and update sites, export, statistics, purge, verify.

Authenticated with ``Authorization: Bearer <admin key>``. A global key (made with
``cookie-audit sites key``) may do everything; a site key (printed once by ``sites add`` or
returned once by ``POST /v1/admin/sites``) only touches its own site.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from consent_api import export as export_format
from consent_api import ledger
from consent_api.db import state
from consent_api.errors import ApiError
from consent_api.sites import (
    AdminIdentity,
    SiteView,
    check_admin_key,
    create_admin_key,
    create_site,
    get_site,
    list_sites,
    update_site,
)
from database import write_transaction

admin = Blueprint("admin", __name__, url_prefix="/v1/admin")


@admin.before_request
def authenticate() -> None:
    with state().engine.connect() as conn:
        g.admin = check_admin_key(conn, request.headers.get("Authorization"))


def _identity() -> AdminIdentity:
    identity = g.admin
    assert isinstance(identity, AdminIdentity)
    return identity


def _site(site_key: str) -> SiteView:
    with state().engine.connect() as conn:
        site = get_site(conn, site_key)
    scope = _identity().site_id
    if scope is not None and scope != site.id:
        raise ApiError(403, "forbidden", "This admin key is for another site.")
    return site


def _body() -> Any:
    if request.mimetype not in {"application/json", ""}:
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        return json.loads(request.get_data(cache=False) or b"{}")
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None


@admin.post("/sites")
def add_site() -> tuple[Response, int]:
    if _identity().site_id is not None:
        raise ApiError(403, "forbidden", "Only a global admin key can register sites.")
    body = _body()
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    with state().engine.begin() as conn:
        site = create_site(conn, body)
        key = create_admin_key(conn, site.id, f"site {site.site_key}")
    return jsonify({**site.admin_json(), "admin_key": key}), 201


@admin.get("/sites")
def sites() -> Response:
    with state().engine.connect() as conn:
        found = list_sites(conn)
    scope = _identity().site_id
    return jsonify({"sites": [s.admin_json() for s in found if scope in (None, s.id)]})


@admin.get("/sites/<site_key>")
def site(site_key: str) -> Response:
    return jsonify(_site(site_key).admin_json())


@admin.patch("/sites/<site_key>")
def patch_site(site_key: str) -> Response:
    _site(site_key)
    body = _body()
    engine = state().engine
    with write_transaction(engine) as conn:
        updated = update_site(conn, site_key, body)
    return jsonify(updated.admin_json())


@admin.get("/sites/<site_key>/export")
def export(site_key: str) -> Response:
    site = _site(site_key)
    fmt = request.args.get("format", "jsonl")
    if fmt not in {"csv", "jsonl"}:
        raise ApiError(422, "invalid_field", "format must be csv or jsonl.", field="format")
    start = ledger.parse_day(request.args.get("from"), "from")
    end = ledger.parse_day(request.args.get("to"), "to")
    engine = state().engine

    name = f"consents-{site.site_key}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    body = export_format.render(fmt, ledger.iter_records(engine, site, start, end))
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin.get("/sites/<site_key>/stats")
def stats(site_key: str) -> Response:
    site = _site(site_key)
    start = ledger.parse_day(request.args.get("from"), "from")
    end = ledger.parse_day(request.args.get("to"), "to")
    with state().engine.connect() as conn:
        return jsonify(ledger.stats(conn, site, start, end))


@admin.post("/sites/<site_key>/purge")
def purge(site_key: str) -> Response:
    _site(site_key)
    return jsonify(ledger.purge(state().engine, site_key))


@admin.get("/sites/<site_key>/verify")
def verify(site_key: str) -> Response:
    _site(site_key)
    return jsonify(ledger.verify(state().engine, site_key))
