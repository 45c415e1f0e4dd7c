"""Admin endpoints: register and update sites, export, statistics, purge, verify, checkpoints.

Authenticated with ``Authorization: Bearer <admin key>``. A global key (made with
``cookie-audit sites key``) may do everything; a site key (printed once by ``sites add`` or
returned once by ``POST /v1/admin/sites``) only touches its own site.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from consent_api import chain, export, stats
from consent_api.checkpoints import create_checkpoint
from consent_api.db import state
from consent_api.errors import Forbidden, InvalidInput, MalformedRequest, UnsupportedMediaType
from consent_api.sites import (
    AdminIdentity,
    SiteView,
    check_admin_key,
    create_admin_key,
    create_server_key,
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
        raise Forbidden("This admin key is for another site.")
    return site


def _body() -> Any:
    if request.mimetype not in {"application/json", ""}:
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        return json.loads(request.get_data(cache=False) or b"{}")
    except (ValueError, RecursionError):
        raise MalformedRequest("The body is not valid JSON.") from None


def _choice(name: str, enum: Any, default: Any) -> Any:
    value = request.args.get(name)
    if value in (None, ""):
        return default
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise InvalidInput(f"{name} must be one of {allowed}.", field=name) from None


@admin.post("/sites")
def add_site() -> tuple[Response, int]:
    if _identity().site_id is not None:
        raise Forbidden("Only a global admin key can register sites.")
    body = _body()
    if not isinstance(body, dict):
        raise MalformedRequest("The body must be a JSON object.")
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
    with write_transaction(state().engine) as conn:
        updated = update_site(conn, site_key, body)
    state().sites.forget(site_key)
    return jsonify(updated.admin_json())


@admin.post("/sites/<site_key>/server-key")
def server_key(site_key: str) -> tuple[Response, int]:
    """A new key for the site's own server (replaces the old one; shown once)."""
    _site(site_key)
    with write_transaction(state().engine) as conn:
        key = create_server_key(conn, site_key)
    state().sites.forget(site_key)
    return jsonify({"site_key": site_key, "server_key": key}), 201


@admin.get("/sites/<site_key>/export")
def export_records(site_key: str) -> Response:
    site = _site(site_key)
    fmt = request.args.get("format", "jsonl")
    start = export.parse_day(request.args.get("from"), "from")
    end = export.parse_day(request.args.get("to"), "to")
    current = state()
    body = export.render(fmt, current.engine, site, start, end, current.trusted_keys)
    suffix = "csv" if fmt == "csv" else "jsonl"
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(stream_with_context(body), mimetype=mimetype)
    name = f"consents-{site.site_key}{'-ledger' if fmt == 'ledger' else ''}.{suffix}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin.get("/sites/<site_key>/stats")
def site_stats(site_key: str) -> Response:
    site = _site(site_key)
    start = export.parse_day(request.args.get("from"), "from")
    end = export.parse_day(request.args.get("to"), "to")
    period = _choice("period", stats.Period, stats.Period.DAY)
    split = _choice("split", stats.Split, None)
    with state().engine.connect() as conn:
        return jsonify(stats.summary(conn, site, start, end, period, split))


@admin.post("/sites/<site_key>/purge")
def purge(site_key: str) -> Response:
    _site(site_key)
    current = state()
    result = chain.purge(current.engine, site_key, current.key, current.trusted_keys)
    if result["deleted"]:
        result["checkpoint"] = create_checkpoint(
            current.engine, site_key, current.key, current.trusted_keys
        )
    return jsonify(result)


@admin.get("/sites/<site_key>/verify")
def verify(site_key: str) -> Response:
    _site(site_key)
    current = state()
    return jsonify(chain.verify(current.engine, site_key, current.trusted_keys).json())


@admin.get("/sites/<site_key>/checkpoints")
def checkpoints(site_key: str) -> Response:
    """Every signed checkpoint after ``after`` (JSON lines): the copy an auditor keeps."""
    site = _site(site_key)
    raw = request.args.get("after", "0")
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("after must be an entry number.", field="after")
    with state().engine.connect() as conn:
        found = chain.checkpoints_of(conn, site, int(raw))
    body = "".join(json.dumps(cp, separators=(",", ":")) + "\n" for cp in found)
    return Response(body, mimetype="application/x-ndjson")


@admin.post("/sites/<site_key>/checkpoints")
def new_checkpoint(site_key: str) -> tuple[Response, int]:
    """Sign the chain's head now (after verifying what came since the last checkpoint)."""
    _site(site_key)
    current = state()
    checkpoint = create_checkpoint(current.engine, site_key, current.key, current.trusted_keys)
    if checkpoint is None:
        raise InvalidInput("The chain is empty: there is nothing to sign yet.", "empty_chain")
    return jsonify(checkpoint), 201
