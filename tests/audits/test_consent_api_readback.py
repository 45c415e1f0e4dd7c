"""An audit that names its site's consent API and where an admin key of the site is kept: each
run reads the records of the banner's clicks back, as `scan --consent-api URL
--consent-api-key KEY` does. The key is a reference (`env:NAME`, `file:PATH`) in the registry,
its files and its listings, read only when a run starts; never the key itself.

The end-to-end run is real: our banner on a shop and the consent API (SQLite) served over HTTPS
on loopback by `LocalWeb`, real Chromium, the key in the worker's environment.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from audits import AuditInputError, AuditSettings, AuditStore, History, RunState, build_spec
from audits.runner import Outcome, Runner
from consent_api.db import State
from consent_api.sites import create_admin_key, create_site
from scanner.cli import main
from scanner.config import ScanSettings
from scanner.demo.server import LocalWeb
from scanner.model import Phase, ReadBack, Scan
from tests.consent_api.conftest import make_app

API_HOST = "consent.audit-readback.test"
API = f"https://{API_HOST}"
SHOP_HOST = "www.audit-readback.test"
#: the shape of a real admin key (`ca_` + 16 hex + `_` + secret)
LITERAL_KEY = "ca_0123456789abcdef_" + "s3cr3t" * 6


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'a.db'}"


def test_cli_stores_shows_exports_and_clears_the_reference(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    code, _, err = run_cli(
        capsys,
        "add",
        "https://www.shop.test/",
        "--name",
        "shop",
        "--consent-api",
        API,
        "--consent-api-key",
        "env:SHOP_CONSENT_KEY",
        "--db",
        db,
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "show", "shop", "--db", db)
    assert f"consent API:   {API} (admin key from env:SHOP_CONSENT_KEY)" in out
    spec = json.loads(run_cli(capsys, "show", "shop", "--json", "--db", db)[1])["spec"]
    assert (spec["consent_api"], spec["consent_api_key"]) == (API, "env:SHOP_CONSENT_KEY")
    exported = tmp_path / "audits.yaml"
    assert run_cli(capsys, "export", "--out", str(exported), "--db", db)[0] == 0
    assert "consent_api_key: env:SHOP_CONSENT_KEY" in exported.read_text()
    assert (
        "0 added, 0 changed, 1 unchanged" in run_cli(capsys, "apply", str(exported), "--db", db)[1]
    )

    assert run_cli(capsys, "edit", "shop", "--consent-api-key", "file:/run/k", "--db", db)[0] == 0
    assert "(admin key from file:/run/k)" in run_cli(capsys, "show", "shop", "--db", db)[1]
    assert run_cli(capsys, "edit", "shop", "--no-consent-api", "--db", db)[0] == 0
    spec = json.loads(run_cli(capsys, "show", "shop", "--json", "--db", db)[1])["spec"]
    assert (spec["consent_api"], spec["consent_api_key"]) == (None, None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--consent-api", API, "--consent-api-key", LITERAL_KEY), "this is a key itself"),
        (("--consent-api", API, "--consent-api-key", f"env:{LITERAL_KEY}"), "a key itself"),
        (("--consent-api", API, "--consent-api-key", f"file:/k/{LITERAL_KEY}"), "a key itself"),
        (("--consent-api", API, "--consent-api-key", "s3cr3tvalue"), "expected env:NAME or file"),
        (("--consent-api", API, "--consent-api-key", "env:s3cr3t-value/+x=="), "takes the name"),
        (("--consent-api", API), "consent_api and consent_api_key go together"),
        (("--consent-api-key", "env:K"), "consent_api and consent_api_key go together"),
        (("--consent-api", "ftp://x", "--consent-api-key", "env:K"), "consent_api: expected"),
    ],
)
def test_a_key_itself_or_half_a_setting_is_refused_and_never_repeated(
    capsys: pytest.CaptureFixture[str], db: str, options: tuple[str, ...], message: str
) -> None:
    code, _, err = run_cli(capsys, "add", "https://www.shop.test/", *options, "--db", db)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "s3cr3t" not in err
    assert json.loads(run_cli(capsys, "list", "--json", "--db", db)[1]) == []


@pytest.mark.parametrize("pasted", ["s3cr3t value/+x==", "ca_0123456789abcdef_s3cr3t"])
def test_a_bad_consent_site_key_is_never_repeated(pasted: str) -> None:
    """The site key is public, but what is pasted in its place (an admin key) may not be."""
    with pytest.raises(AuditInputError) as info:
        build_spec({"name": "a", "url": "https://a.test/", "consent_site": pasted})
    assert "s3cr3t" not in str(info.value) and "pk_" in str(info.value)


def test_the_shape_refused_is_the_shape_of_a_real_key(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'c.db'}")
    state = app.extensions["consent_api"]
    assert isinstance(state, State)
    with state.engine.begin() as conn:
        key = create_admin_key(conn, None, "shape")
    state.close()
    with pytest.raises(AuditInputError, match="a key itself"):
        build_spec(
            {"name": "a", "url": "https://a.test/", "consent_api": API, "consent_api_key": key}
        )


async def _never_scanned(settings: ScanSettings) -> Scan:
    raise AssertionError("a run whose key cannot be read must not scan")


def test_a_key_reference_that_gives_nothing_fails_the_run_as_bad_input(
    store: AuditStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_CONSENT_KEY", raising=False)
    name = store.add(
        build_spec(
            {
                "name": "shop",
                "url": "https://www.shop.test/",
                "consent_api": API,
                "consent_api_key": "env:NO_SUCH_CONSENT_KEY",
            }
        )
    ).name
    result = Runner(store, scan=_never_scanned).execute(store.create_run(name).id)
    assert result.outcome is Outcome.FINISHED and result.run is not None
    assert result.run.state is RunState.FAILED and result.run.error_kind == "input"
    assert result.run.error == (
        "consent_api_key: environment variable NO_SUCH_CONSENT_KEY is not set"
    )


# --- the real thing ------------------------------------------------------------------------


def _shop(site_key: str) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Shop</title>"
        f"<script src='{API}/banner.js' data-site-key='{site_key}' data-api='{API}' defer>"
        "</script></head><body><h1>Shop</h1><p>Tea and cookies.</p></body></html>"
    ).encode()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") == "/":
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


@pytest.fixture
def consent_site(tmp_path: Path) -> Iterator[tuple[LocalWeb, str]]:
    """The consent API and the shop on loopback; yields the web and the site's admin key."""
    api = make_app(f"sqlite:///{tmp_path / 'consent.db'}")
    state = api.extensions["consent_api"]
    assert isinstance(state, State)
    with state.engine.begin() as conn:
        site = create_site(conn, {"name": "Shop", "origins": [f"https://{SHOP_HOST}"]})
        key = create_admin_key(conn, site.id, "audit read-back")
    try:
        with LocalWeb({API_HOST: api.wsgi_app, SHOP_HOST: _shop(site.site_key)}) as web:
            yield web, key
    finally:
        state.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_run_reads_the_banners_records_back_with_the_key_from_the_environment(
    consent_site: tuple[LocalWeb, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    web, key = consent_site
    monkeypatch.setenv("SHOP_CONSENT_KEY", key)
    caplog.set_level(logging.DEBUG)
    database = tmp_path / "audits.db"
    store = AuditStore.open(AuditSettings(database_url=f"sqlite:///{database}", heartbeat_s=1.0))
    try:
        spec = build_spec(
            {
                "name": "shop",
                "url": f"https://{SHOP_HOST}/",
                "max_pages": 1,
                "depth": 0,
                "phases": "reject,accept",
                "resolve": list(web.resolve),
                "ignore_https_errors": True,
                "consent_api": API,
                "consent_api_key": "env:SHOP_CONSENT_KEY",
            }
        )
        result = Runner(store).execute(store.create_run(store.add(spec).name).id)
        assert result.run is not None and result.run.state is RunState.SUCCEEDED, result.run
        scan = History(store.engine).scan(result.run.id)
    finally:
        store.close()

    for phase, action in ((Phase.REJECT, "reject_all"), (Phase.ACCEPT, "accept_all")):
        use = next(p for p in scan.phases if p.name is phase).consent_api
        assert use is not None and use.api == API
        (post,) = use.posts
        assert post.status == 201 and post.action == action
        assert post.read_back is ReadBack.FOUND, post.read_error
    assert not [f for f in scan.findings if f.rule_id.startswith("consent-record-")]
    assert scan.options["consent_api"] == API

    secret = key.split("_", 2)[2]  # ca_<key id>_<secret>
    assert secret not in scan.model_dump_json()
    with sqlite3.connect(database) as conn:
        assert not any(secret in line for line in conn.iterdump())
    assert secret not in caplog.text
