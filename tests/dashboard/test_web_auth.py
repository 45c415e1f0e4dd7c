"""Signing in and out through the real forms of the composed app (test client over HTTPS)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask

from dashboard.accounts import Role
from tests.dashboard.conftest import PASSWORD, Browser, add_user, close_app, make_app


def test_every_page_needs_a_login(app: Flask, browser: Browser) -> None:
    dashboard = app.extensions["dashboard_app"]
    public = {"auth.login", "auth.set_lang", "static", "report_asset"}
    for rule in dashboard.url_map.iter_rules():
        if rule.endpoint in public or "GET" not in (rule.methods or set()):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", "1").replace(f"<int:{arg}>", "1")
        path = path.replace("<int:", "<").split("<")[0] if "<" in path else path
        response = browser.get(path)
        assert response.status_code == 302, (rule.rule, response.status_code)
        assert "/dashboard/login?next=" in response.headers["Location"]


def test_login_sets_a_hardened_session_cookie(browser: Browser, people: dict[Role, str]) -> None:
    response = browser.login(people[Role.VIEWER])
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-ca_dashboard=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    page = browser.get("/")
    assert page.status_code == 200
    assert "vera" in page.get_data(as_text=True)


def test_wrong_password_and_unknown_user_look_the_same(
    browser: Browser, people: dict[Role, str]
) -> None:
    wrong = browser.login(people[Role.VIEWER], PASSWORD + "x")
    unknown = browser.login("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong user name or password." in wrong.get_data(as_text=True)
    assert "Wrong user name or password." in unknown.get_data(as_text=True)
    assert browser.get("/").status_code == 302


def test_forms_without_csrf_token_are_refused(browser: Browser, people: dict[Role, str]) -> None:
    response = browser.post(
        "/login", {"username": people[Role.VIEWER], "password": PASSWORD}, token=False
    )
    assert response.status_code == 400
    assert browser.get("/").status_code == 302
    browser.login(people[Role.VIEWER])
    assert browser.post("/logout", token=False).status_code == 400
    assert browser.get("/").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(
    app: Flask, people: dict[Role, str]
) -> None:
    first = Browser(app.test_client())
    first.login(people[Role.VIEWER])
    cookie = first.client.get_cookie("__Host-ca_dashboard", domain="dash.test")
    assert cookie is not None
    thief = Browser(app.test_client())
    thief.client.set_cookie(cookie.key, cookie.value, domain="dash.test", secure=True)
    assert thief.get("/").status_code == 200
    assert first.post("/logout", token_from="/").status_code == 303
    assert first.get("/").status_code == 302
    assert thief.get("/").status_code == 302


def test_password_change_ends_every_session(app: Flask, people: dict[Role, str]) -> None:
    laptop, phone = Browser(app.test_client()), Browser(app.test_client())
    laptop.login(people[Role.EDITOR])
    phone.login(people[Role.EDITOR])
    new = PASSWORD + " again"
    bad = laptop.post(
        "/account",
        {"current": "wrong password!!", "new": new, "confirm": new},
        token_from="/account",
    )
    assert bad.status_code == 422
    assert "The current password is wrong." in bad.get_data(as_text=True)
    done = laptop.post(
        "/account", {"current": PASSWORD, "new": new, "confirm": new}, token_from="/account"
    )
    assert done.status_code == 303
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.login(people[Role.EDITOR], PASSWORD).status_code == 401
    assert laptop.login(people[Role.EDITOR], new).status_code == 303


def test_next_never_leaves_the_dashboard(browser: Browser, people: dict[Role, str]) -> None:
    token = browser.csrf()
    for target, expected in [
        ("/dashboard/account", "/dashboard/account"),
        ("https://evil.test/", "/dashboard/"),
        ("//evil.test/", "/dashboard/"),
        ("/\\evil.test", "/dashboard/"),
        ("/v1/admin/sites", "/dashboard/"),
        # a control character in a header value was a 500 ("must not contain newline")
        ("/dashboard/\n//evil.test/", "/dashboard/"),
        ("/dashboard/\r\nSet-Cookie: x=1", "/dashboard/"),
        ("/dashboard/account\x00", "/dashboard/"),
        ("/dashboard/\x7f", "/dashboard/"),
    ]:
        response = browser.client.post(
            "/dashboard/login?next=" + quote(target),
            data={"username": people[Role.VIEWER], "password": PASSWORD, "csrf_token": token},
            base_url="https://dash.test",
            headers={"Referer": "https://dash.test/dashboard/login"},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == expected, target
        browser.post("/logout", token_from="/")
        token = browser.csrf()


def test_security_headers_on_every_dashboard_page(
    browser: Browser, people: dict[Role, str]
) -> None:
    browser.login(people[Role.VIEWER])
    for path in ["/login", "/", "/account", "/nope"]:
        response = browser.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        body = response.get_data(as_text=True)
        assert "<script>" not in body and "<style" not in body and "style=" not in body


def test_language_switch_is_remembered_for_the_account(app: Flask, people: dict[Role, str]) -> None:
    browser = Browser(app.test_client())
    browser.login(people[Role.VIEWER])
    response = browser.post("/lang/fr", {"next": "/dashboard/account"}, token_from="/")
    assert response.status_code == 303 and response.headers["Location"] == "/dashboard/account"
    page = browser.get("/account").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Changer mon mot de passe" in page
    again = Browser(app.test_client())
    again.login(people[Role.VIEWER])
    assert '<html lang="fr">' in again.get("/").get_data(as_text=True)
    assert browser.post("/lang/de", token_from="/").status_code == 400


def test_browser_language_is_the_default(browser: Browser) -> None:
    page = browser.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def _attempt(browser: Browser, name: str, password: str, ip: str) -> Any:
    token = browser.csrf()
    return browser.client.post(
        "/dashboard/login",
        data={"username": name, "password": password, "csrf_token": token},
        base_url="https://dash.test",
        environ_base={"REMOTE_ADDR": ip},
        headers={"Referer": "https://dash.test/dashboard/login"},
    )


def test_login_attempts_are_limited_per_account_and_per_client(database_url: str) -> None:
    app = make_app(
        database_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATELIMIT_ACCOUNT="3 per hour",
        LOGIN_RATELIMIT_CLIENT="6 per hour",
    )
    add_user(app, "target", Role.VIEWER)
    add_user(app, "other", Role.VIEWER)
    browser = Browser(app.test_client())
    # one account guessed from many clients: the fourth failure is refused, even from a new client
    for n in range(3):
        assert _attempt(browser, "target", "wrong password!", f"10.0.0.{n}").status_code == 401
    limited = _attempt(browser, "TARGET", PASSWORD, "10.0.0.99")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert "Too many attempts" in limited.get_data(as_text=True)
    # one client guessing many accounts: every attempt from it counts
    for n in range(6):
        assert _attempt(browser, f"user{n}", "wrong password!", "10.0.1.1").status_code == 401
    assert _attempt(browser, "other", PASSWORD, "10.0.1.1").status_code == 429
    # others are not affected
    assert _attempt(browser, "other", PASSWORD, "10.0.2.1").status_code == 303
    close_app(app)


def test_the_consent_api_is_untouched_by_the_mount(app: Flask, browser: Browser) -> None:
    assert browser.client.get("/healthz").get_json() == {"status": "ok"}
    missing = browser.client.get("/v1/nope")
    assert missing.status_code == 404 and missing.mimetype == "application/json"
    assert "Set-Cookie" not in missing.headers
    root = browser.client.get("/")
    assert root.status_code == 302 and root.headers["Location"] == "/dashboard/"


def test_unknown_dashboard_pages_are_html_errors(browser: Browser) -> None:
    response = browser.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"
