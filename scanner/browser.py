"""Find and launch Chromium the way a visitor's browser behaves.

Two deliberate choices, both tested:

* **Third-party cookies are allowed**, as in a default Chrome. Playwright's ordinary contexts are
  off-the-record and block them (CDP reports `UserPreferences`), so an audit would silently miss
  every tracker cookie on a third-party domain. Each profile is therefore a persistent context in
  a fresh temporary directory whose `Default/Preferences` sets `cookie_controls_mode: 0`
  (launching one costs about 0.3 s, measured). Fresh directory per profile: no cookie jar leaks
  between sites or phases.
* **It does not look like a bot**: `--disable-blink-features=AutomationControlled` (so
  `navigator.webdriver` is false) and the user agent without "Headless", because banners such as
  vanilla-cookieconsent hide themselves from bots and the audit would miss them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import BrowserContext, Playwright

from scanner.errors import BrowserNotFoundError

if TYPE_CHECKING:  # the tests hand it sync Playwright: only its chromium.executable_path is read
    from playwright.sync_api import Playwright as SyncPlaywright

#: Flags the closed network needs (otherwise Chromium keeps dialling Google's hosts), plus the
#: anti-bot-detection flag. `--no-sandbox` is added when running as root.
BASE_ARGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-blink-features=AutomationControlled",
    "--disable-dev-shm-usage",
)

SYSTEM_CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)

DEFAULT_PREFERENCES = {
    # 0 = allow third-party cookies, as a default (non-incognito) Chrome does.
    "profile": {"cookie_controls_mode": 0, "block_third_party_cookies": False},
    # Never ask where to save a download: a download is recorded as a skipped page.
    "download": {"prompt_for_download": False},
}


def find_chromium(
    playwright: Playwright | SyncPlaywright, explicit: str | None = None
) -> str | None:
    """Return the executable to launch, or None to let Playwright use its own download.

    Order: an explicit path (setting or COOKIE_AUDIT_CHROMIUM, read by the caller), Playwright's
    own build when it was downloaded, then the system's Chromium.
    """
    if explicit:
        if not Path(explicit).is_file():
            raise BrowserNotFoundError(f"Chromium not found at {explicit}")
        return explicit
    own = Path(playwright.chromium.executable_path)
    if own.is_file():
        return None
    for candidate in SYSTEM_CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise BrowserNotFoundError(
        "no Chromium found: run `make install` (tries `playwright install chromium`, then "
        "the system package), or set COOKIE_AUDIT_CHROMIUM to a Chromium executable"
    )


def launch_args(resolve: Sequence[str] = (), extra: Sequence[str] = ()) -> list[str]:
    """Command-line flags; `resolve` are curl-style HOST:PORT:ADDRESS overrides."""
    args = list(BASE_ARGS)
    if needs_no_sandbox():
        args.append("--no-sandbox")
    rules = host_resolver_rules(resolve)
    if rules:
        args.append(f"--host-resolver-rules={rules}")
    args.extend(extra)
    return args


def needs_no_sandbox() -> bool:
    """Chromium's sandbox cannot start as root, nor in most containers (no user namespaces).

    The Docker image sets COOKIE_AUDIT_NO_SANDBOX=1; read at launch, not at import.
    """
    if os.environ.get("COOKIE_AUDIT_NO_SANDBOX", "").lower() in {"1", "true", "yes"}:
        return True
    return hasattr(os, "geteuid") and os.geteuid() == 0


def host_resolver_rules(resolve: Sequence[str]) -> str:
    """Turn curl-style `HOST:PORT:ADDRESS` into Chromium host-resolver rules.

    As with curl, HOST is sent to ADDRESS and the URL's port is kept. Two extensions: HOST may be
    `*` (every name: how the tests send the whole web to the local fixture server), and ADDRESS
    may carry its own port (`www.shop.test:443:127.0.0.1:8443`) to reach a server listening
    elsewhere. Chromium cannot restrict a rule to one port, so PORT is only validated.
    """
    rules = [f"MAP {host} {address}" for host, _port, address in map(parse_resolve, resolve)]
    if rules:
        rules.append("EXCLUDE localhost")
    return ", ".join(rules)


def parse_resolve(entry: str) -> tuple[str, int, str]:
    """Parse `HOST:PORT:ADDRESS` (ADDRESS may itself be `IP:PORT` or `[IPv6]`)."""
    parts = entry.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise ValueError(f"--resolve expects HOST:PORT:ADDRESS, got {entry!r}")
    host, port_s, address = parts
    try:
        port = int(port_s)
    except ValueError:
        raise ValueError(f"--resolve port must be a number, got {port_s!r} in {entry!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"--resolve port out of range in {entry!r}")
    return host, port, address


def visitor_user_agent(browser_version: str) -> str:
    major = browser_version.split(".", 1)[0] or "130"
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major}.0.0.0 Safari/537.36"
    )


@dataclass(frozen=True)
class BrowserOptions:
    executable: str | None = None
    resolve: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    headless: bool = True
    extra_args: tuple[str, ...] = ()
    locale: str = "en-US"
    viewport: tuple[int, int] = (1280, 900)
    preferences: dict[str, object] = field(default_factory=lambda: dict(DEFAULT_PREFERENCES))


@asynccontextmanager
async def fresh_profile(
    playwright: Playwright, options: BrowserOptions, user_agent: str | None = None
) -> AsyncIterator[BrowserContext]:
    """A new Chromium with an empty profile (its own cookie jar), closed and deleted on exit."""
    user_data_dir = Path(tempfile.mkdtemp(prefix="cookie-audit-profile-"))
    try:
        default = user_data_dir / "Default"
        default.mkdir()
        (default / "Preferences").write_text(json.dumps(options.preferences), encoding="utf-8")
        executable = find_chromium(playwright, options.executable)
        context = await playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=executable,
            headless=options.headless,
            args=launch_args(options.resolve, options.extra_args),
            ignore_https_errors=options.ignore_https_errors,
            user_agent=user_agent,
            locale=options.locale,
            viewport={"width": options.viewport[0], "height": options.viewport[1]},
            accept_downloads=False,
        )
        try:
            yield context
        finally:
            await context.close()
    finally:
        shutil.rmtree(user_data_dir, ignore_errors=True)


async def browser_version(playwright: Playwright, options: BrowserOptions) -> str:
    """Version of the Chromium that `fresh_profile` launches (one short launch)."""
    browser = await playwright.chromium.launch(
        executable_path=find_chromium(playwright, options.executable),
        args=launch_args(),
        headless=True,
    )
    try:
        return browser.version
    finally:
        await browser.close()


async def html_to_pdf(playwright: Playwright, html: str, options: BrowserOptions) -> bytes:
    """Print an HTML document to PDF with the same Chromium the scanner uses.

    Lives here, not in `reports/`, so that `reports/` never imports Playwright: the report CLI
    passes this function to the PDF renderer.
    """
    browser = await playwright.chromium.launch(
        executable_path=find_chromium(playwright, options.executable),
        args=launch_args(),
        headless=True,
    )
    try:
        page = await browser.new_page()
        await page.set_content(html, wait_until="load")
        await page.emulate_media(media="print")
        return await page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        await browser.close()
