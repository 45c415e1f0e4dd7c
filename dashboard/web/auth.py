"""Signing in and out, one's own password and language, and who may do what.

Flask-Login keeps, in the signed session cookie, the token of a server-side session row
(:mod:`dashboard.accounts`); the row is checked on every request, so logging out, a password
change or a removed account ends the session at once, even for a copied cookie.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_login import logout_user as _logout_user
from werkzeug.wrappers import Response

from dashboard import accounts
from dashboard.accounts import Role, User
from dashboard.errors import InvalidInput
from dashboard.web.forms import LoginForm, PasswordForm, PostForm
from dashboard.web.i18n import translate as t
from dashboard.web.state import state, writing

P = ParamSpec("P")
R = TypeVar("R")


class SignedIn(UserMixin):  # type: ignore[misc]  # flask-login ships no types
    """The person behind the current request, with the token of their session row."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def role(self) -> Role:
        return self.user.role

    def can(self, role: Role) -> bool:
        return self.user.role.allows(role)


def me() -> SignedIn:
    value = current_user._get_current_object()
    assert isinstance(value, SignedIn)
    return value


def requires(role: Role) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Signed in (else the sign-in page) and at least ``role`` (else 403: a refusal is never
    hidden behind a redirect)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            if not current_user.is_authenticated:
                response = current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
                assert isinstance(response, Response)
                return response
            if not me().can(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by the tests
        return wrapper

    return decorate


#: set on `g` by `forget_user`: the rest of the request is nobody's
_NOBODY = "dashboard_nobody"


def forget_user() -> None:
    """The rest of this request is nobody's (the session cookie is untouched): a page drawn
    after the database failed must not ask for the account again, which would wait for the
    database again or fail inside the error page. Flask-Login's public API only: the user
    loader answers None without the database from now on (an account not read yet is never
    read), and `viewer()`, which the templates get as ``current_user``, is anonymous (an
    account read before the failure is not shown)."""
    setattr(g, _NOBODY, True)


def viewer() -> Any:
    """`current_user`, or an anonymous user once `forget_user` was called."""
    if g.get(_NOBODY):
        return current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    return current_user._get_current_object()


def _account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def init_auth(app: Flask) -> Limiter:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = None
    manager.session_protection = "basic"

    def load(token: str) -> SignedIn | None:
        if g.get(_NOBODY):
            return None
        with writing() as conn:
            user = accounts.session_user(conn, token, state().settings.session_idle)
        return SignedIn(user, token) if user else None

    manager.user_loader(load)

    settings = app.extensions["dashboard"].settings
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.ratelimit_storage_uri,
        enabled=settings.ratelimit_enabled,
        headers_enabled=True,
    )
    failed: Callable[[Response], bool] = lambda response: response.status_code == 401  # noqa: E731
    # per client: every attempt counts; per account: only failed ones (so a user who signs in
    # often is never locked out, while guessing one account's password from many clients is)
    limited_login = limiter.limit(settings.login_ratelimit_client, methods=["POST"])(
        limiter.limit(
            settings.login_ratelimit_account,
            key_func=_account_key,
            methods=["POST"],
            deduct_when=failed,
        )(login)
    )
    # one blueprint per app: the limits come from this app's settings
    bp = Blueprint("auth", __name__)
    bp.add_url_rule("/login", view_func=limited_login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", view_func=logout, methods=["POST"])
    bp.add_url_rule("/account", view_func=account, methods=["GET", "POST"])
    bp.add_url_rule("/lang/<lang>", view_func=set_lang, methods=["POST"])
    app.register_blueprint(bp)
    return limiter


def _safe_next(target: str | None) -> str:
    """Only a path of this dashboard: never an open redirect to another host, and no control
    character (a newline cannot go into the Location header: it was a 500)."""
    if target:
        parts = urlsplit(target)
        root = request.script_root or ""
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith(root + "/")
            and not target.startswith("//")
            and "\\" not in target
            and not any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
        ):
            return target
    return url_for("pages.overview")


def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("pages.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        with writing() as conn:
            user = accounts.authenticate(conn, form.username.data or "", form.password.data or "")
            token = (
                accounts.start_session(conn, user.id, state().settings.session_lifetime)
                if user
                else None
            )
        if user and token:
            session.clear()
            if user.lang:
                session["lang"] = user.lang
            login_user(SignedIn(user, token))
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append("!" + t("login.failed"))
        return render_template("login.html.j2", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("login.html.j2", form=form), status


@requires(Role.VIEWER)
def logout() -> Response:
    form = PostForm()
    if not form.validate_on_submit():
        abort(400)
    with writing() as conn:
        accounts.end_session(conn, me().token)
    _logout_user()
    session.clear()
    return redirect(url_for("auth.login"), code=303)


@requires(Role.VIEWER)
def account() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        user = me().user
        with writing() as conn:
            if accounts.authenticate(conn, user.username, form.current.data or "") is None:
                form.current.errors.append("!" + t("account.wrong_password"))
                return render_template("account.html.j2", form=form), 422
            try:
                accounts.set_password(conn, user.username, form.new.data or "")
            except InvalidInput as exc:
                form.new.errors.append("!" + t("account.weak_password", rule=exc.message))
                return render_template("account.html.j2", form=form), 422
        # every session ended with the old password, this one too: sign in again
        _logout_user()
        session.clear()
        flash(t("account.password_changed"))
        return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account.html.j2", form=form), status


def set_lang(lang: str) -> Response:
    """Language switch (a form on every page); remembered for the account when signed in."""
    form = PostForm()
    if lang not in {"en", "fr"} or not form.validate_on_submit():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        with writing() as conn:
            accounts.set_lang(conn, me().user.id, lang)
    return redirect(_safe_next(request.form.get("next")), code=303)
