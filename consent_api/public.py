"""Public endpoints used by banners in visitors' browsers (and, when allowed, by sites' servers).

CORS is done with two request hooks instead of flask-cors because the allowed origins are per
site and live in the database: ``before_request`` loads the site named in the URL and refuses
a request (or preflight) whose ``Origin`` is not registered for it with 403
``origin_not_allowed`` before anything is written; ``after_request`` echoes the allowed origin
and adds ``Vary: Origin`` to every answer of the blueprint, errors included (an unknown site's
404 too), whether an ``Origin`` was sent or not (a shared cache must never serve an answer made
for one origin to another).

A choice posted without ``Origin`` is not a banner's: it is refused with 403
``origin_required`` unless ``ALLOW_SERVER_POSTS`` is on and the post carries the site's server
key (``Authorization: Bearer ss_...``); it is then recorded with ``source: server``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Request, Response, g, jsonify, request
from werkzeug.http import http_date

from consent_api import records, stats
from consent_api.chain import latest_checkpoint
from consent_api.db import state
from consent_api.declarations import current_declaration
from consent_api.errors import (
    Forbidden,
    MalformedRequest,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
)
from consent_api.models import Source
from consent_api.settings import Settings
from consent_api.sites import SiteView, server_key_matches
from consent_api.validation import RequestContext, validate

public = Blueprint("public", __name__)

CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Content-Type"
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # what jsonify writes outside debug mode


def _request() -> Request:
    """The request itself rather than Flask's proxy to it: each attribute read through
    ``flask.request`` looks the request up again, and a post reads a dozen."""
    return request._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _site_of_request() -> SiteView | None:
    """The site ``load_site_and_check_origin`` found, if any, read from ``g`` itself: through
    its proxy, a read first fails on the proxy (an AttributeError made and dropped)."""
    site: SiteView | None = g._get_current_object().get("site")
    return site


def _origin(req: Request) -> str | None:
    """The request's ``Origin`` header (as ``request.headers.get("Origin")``, from the environ)."""
    origin = req.environ.get("HTTP_ORIGIN")
    return origin if origin is None else str(origin)


@public.before_request
def load_site_and_check_origin() -> Response | None:
    req = _request()
    site_key = (req.view_args or {}).get("site_key")
    if site_key is None:
        return None
    site = state().sites.get(site_key)
    g.site = site
    origin = _origin(req)
    if origin is not None and origin not in site.origins:
        raise Forbidden("This origin is not registered for this site.", "origin_not_allowed")
    if req.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    return None


@public.after_request
def cors_headers(response: Response) -> Response:
    headers = response.headers
    # getlist, not get: werkzeug's get builds an HTTP exception for every missing header
    vary = ", ".join(headers.getlist("Vary"))
    if not vary:
        headers["Vary"] = "Origin"
    elif "origin" not in {v.strip().lower() for v in vary.split(",")}:
        headers["Vary"] = f"{vary}, Origin"
    site = _site_of_request()
    if site is None:
        return response
    origin = _origin(_request())
    if origin is not None and origin in site.origins:
        headers["Access-Control-Allow-Origin"] = origin
    return response


def json_response(value: object, status: int = 200) -> Response:
    """What ``jsonify`` answers (compact JSON and a newline), without its detour through the
    app's JSON provider: the receipt of every post is made here."""
    text = _COMPACT.encode(value) + "\n"
    return Response(text, status=status, content_type="application/json")


def _site() -> SiteView:
    site = _site_of_request()
    assert isinstance(site, SiteView)
    return site


@public.get("/v1/sites/<site_key>/config")
def config(site_key: str) -> Response:
    site = _site()
    settings = state().settings
    api_base = settings.api_base or request.host_url.rstrip("/")
    response = jsonify(
        {
            "site_key": site.site_key,
            "name": site.name,
            "categories": list(site.categories),
            "policy_version": site.policy_version,
            "banner_revision": site.banner_revision,
            "reconsent_after_days": site.reconsent_after_days,
            "api_base": api_base,
        }
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _json_body(req: Request, limit: int) -> object:
    # req.mimetype, without parsing the parameters we do not look at
    mimetype = str(req.environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    if mimetype not in {"application/json", "text/plain", ""}:
        raise UnsupportedMediaType("Send the body as application/json or text/plain (JSON text).")
    raw = _body_bytes(req, limit)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise MalformedRequest("The body is not valid JSON.") from None


def _body_bytes(req: Request, limit: int) -> bytes:
    """The body. A post of the banner's states its length: it is read in one call from the
    server's stream, within ``limit`` (413 past it). Anything else (no or a malformed
    ``Content-Length``, chunked) goes through werkzeug's limited stream (the same limit, from
    the app's ``MAX_CONTENT_LENGTH``), which cost 6 % more instructions per post."""
    environ = req.environ
    declared = environ.get("CONTENT_LENGTH")
    if declared and declared.isdigit():
        length = int(declared)
        if length > limit:
            raise TooLarge("The request body is too large.")
        data: bytes = environ["wsgi.input"].read(length)
        return data
    return req.get_data(cache=False)


def _source(req: Request, site: SiteView, settings: Settings) -> Source:
    if _origin(req) is not None:
        return Source.BROWSER
    if not settings.allow_server_posts:
        raise Forbidden(
            "A choice must come from a banner on a registered origin (no Origin header).",
            "origin_required",
        )
    if not server_key_matches(site.server_key_sha256, req.headers.get("Authorization")):
        raise Forbidden(
            "A post without Origin needs the site's server key (Authorization: Bearer ss_...).",
            "invalid_server_key",
        )
    return Source.SERVER


@public.post("/v1/sites/<site_key>/consents")
def post_consent(site_key: str) -> Response:
    site = _site()
    current = state()
    req = _request()
    source = _source(req, site, current.settings)
    body = _json_body(req, current.settings.max_content_length)
    environ = req.environ
    context = RequestContext(
        user_agent=environ.get("HTTP_USER_AGENT"),
        gpc=str(environ.get("HTTP_SEC_GPC", "")).strip() == "1",
        remote_addr=environ.get("REMOTE_ADDR"),  # ProxyFix, when on, has set it already
        source=source,
    )
    draft = validate(body, site, context, current.limits, datetime.now(UTC))
    receipt = current.ledger.append(draft, site.site_key)
    if receipt.replayed:
        response = json_response(receipt.json(), 200)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    return json_response(receipt.json(), 201)


@public.get("/v1/sites/<site_key>/consents/<consent_id>")
def get_consent(site_key: str, consent_id: str) -> Response:
    with state().engine.connect() as conn:
        return jsonify(records.latest(conn, _site(), consent_id))


@public.get("/v1/sites/<site_key>/consents/<consent_id>/history")
def get_history(site_key: str, consent_id: str) -> Response:
    with state().engine.connect() as conn:
        return jsonify({"records": records.history(conn, _site(), consent_id)})


@public.post("/v1/sites/<site_key>/impressions")
def post_impression(site_key: str) -> Response:
    stats.count_impression(state().engine, _site())
    return Response(status=204)


@public.get("/v1/sites/<site_key>/checkpoints/latest")
def get_latest_checkpoint(site_key: str) -> Response:
    """The newest signed head of the site's chain (what receipts carry)."""
    with state().engine.connect() as conn:
        checkpoint = latest_checkpoint(conn, _site())
    if checkpoint is None:
        raise NotFound("No checkpoint is signed for this site yet.")
    response = jsonify(checkpoint)
    response.headers["Cache-Control"] = "public, max-age=30"
    return response


@public.get("/v1/sites/<site_key>/declaration")
def get_declaration(site_key: str) -> Response:
    """The site's cookie declaration, as the latest audit generated it."""
    with state().engine.connect() as conn:
        declaration = current_declaration(conn, _site())
    if declaration is None:
        raise NotFound("No cookie declaration is published for this site yet.")
    response = Response(declaration.body, mimetype="application/json")
    response.set_etag(declaration.etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Last-Modified"] = _http_date(declaration.generated_at)
    response.make_conditional(request)
    return response


def _http_date(value: str) -> str:
    return http_date(datetime.fromisoformat(value.replace("Z", "+00:00")))


@public.get("/v1/ledger/keys")
def ledger_keys() -> Response:
    """The public keys that sign purges and checkpoints (pin them to verify exports)."""
    keys = state().trusted_keys
    response = jsonify({"keys": [{"key_id": k, "public_key": v} for k, v in keys.items()]})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
