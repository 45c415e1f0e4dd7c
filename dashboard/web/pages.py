"""The pages people read: overview, a site, its consent statistics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from dashboard.accounts import Role
from dashboard.web.auth import requires
from dashboard.web.i18n import translator
from dashboard.web.state import reading

bp = Blueprint("pages", __name__)


def init_pages(app: Flask) -> None:
    @app.context_processor
    def common() -> dict[str, Any]:
        t = translator()
        signed_in = current_user.is_authenticated
        return {
            "t": t,
            "lang": t.lang.value,
            "can_edit": signed_in
            and current_user.can(Role.EDITOR)
            and "manage.audits" in app.view_functions,
            "active": None,
        }

    app.register_blueprint(bp)


@bp.get("/")
@requires(Role.VIEWER)
def overview() -> str:
    from consent_api.sites import list_sites

    with reading() as conn:
        sites = list_sites(conn)
    return render_template("overview.html.j2", sites=sites, active="overview")
