"""Public endpoints used by banners in visitors' browsers.

CORS is done with two request hooks instead of flask-cors because the allowed origins are per
site and live in the database: ``before_request`` loads the site named in the URL, refuses a
request (or preflight) whose ``Origin`` is not registered for it with 403 ``origin_not_allowed``
before anything is written, and answers preflights itself; ``after_request`` echoes the allowed
origin. Requests without an ``Origin`` header (curl, server-to-server) are not browser
cross-origin requests and pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, g, jsonify, request, send_from_directory

from consent_api import ledger
from consent_api.db import state
from consent_api.errors import ApiError
from consent_api.sites import SiteView, get_site

public = Blueprint("public", __name__)

STATIC = Path(__file__).with_name("static")
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Content-Type"


def check_origin(site: SiteView) -> None:
    g.site = site
    origin = request.headers.get("Origin")
    if origin is not None and origin not in site.origins:
        raise ApiError(403, "origin_not_allowed", "This origin is not registered for this site.")


@public.before_request
def load_site_and_check_origin() -> Response | None:
    site_key = (request.view_args or {}).get("site_key")
    if site_key is None:
        return None
    if request.endpoint == "public.post_consent" and request.method == "POST":
        return None  # checked inside the append transaction (ledger.append check_site)
    with state().engine.connect() as conn:
        check_origin(get_site(conn, site_key))
    if request.method == "OPTIONS":
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    return None


@public.after_request
def cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    site: SiteView | None = g.get("site")
    if site is not None and origin is not None and origin in site.origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    return response


def _site() -> SiteView:
    site = g.site
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


def _json_body() -> object:
    mimetype = request.mimetype
    if mimetype not in {"application/json", "text/plain", ""}:
        raise ApiError(
            415,
            "unsupported_media_type",
            "Send the body as application/json or text/plain (JSON text).",
        )
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None


@public.post("/v1/sites/<site_key>/consents")
def post_consent(site_key: str) -> tuple[Response, int]:
    body = _json_body()
    settings = state().settings
    context = ledger.RequestContext(
        user_agent=request.headers.get("User-Agent"),
        gpc=request.headers.get("Sec-GPC", "").strip() == "1",
        remote_addr=request.remote_addr,
    )
    receipt = ledger.append(
        state().engine,
        site_key,
        body,
        context,
        page_url_max=settings.page_url_max_length,
        user_agent_max=settings.user_agent_max_length,
        replay_window=settings.replay_window_seconds,
        check_site=check_origin,
    )
    response = jsonify(receipt.json())
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
        return response, 200
    return response, 201


@public.get("/v1/sites/<site_key>/consents/<consent_id>")
def get_consent(site_key: str, consent_id: str) -> Response:
    with state().engine.connect() as conn:
        return jsonify(ledger.latest(conn, _site(), consent_id))


@public.get("/v1/sites/<site_key>/consents/<consent_id>/history")
def get_history(site_key: str, consent_id: str) -> Response:
    with state().engine.connect() as conn:
        return jsonify({"records": ledger.history(conn, _site(), consent_id)})


@public.post("/v1/sites/<site_key>/impressions")
def post_impression(site_key: str) -> Response:
    ledger.count_impression(state().engine, site_key)
    return Response(status=204)


def _script(directory: Path, name: str) -> Response:
    if not (directory / name).is_file():
        raise ApiError(404, "not_found", f"{name} is not available.")
    response = send_from_directory(directory, name, mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public.get("/banner.js")
def banner_js() -> Response:
    return _script(STATIC, "banner.js")


@public.get("/adapters/<name>.js")
def adapter_js(name: str) -> Response:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ApiError(404, "not_found", "No such adapter.")
    return _script(STATIC / "adapters", f"{name}.js")
