"""scanner.consent against REAL consent banners (from npm) in real Chromium.

Every scenario opens a fresh profile (`scanner.browser.fresh_profile`, as the crawler does),
loads the site, calls `detect_banner` / `handle_banner`, then visits a second page of the site
(as the crawler would) and reads the cookie jar. All scenarios run once per module, a few at a
time, and the tests below only read the results.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest
from playwright.async_api import BrowserContext, Frame, async_playwright

from scanner.browser import BrowserOptions, fresh_profile
from scanner.consent import _generic, _opt, _Session, detect_banner, handle_banner
from scanner.model import Banner, BannerStatus, Phase
from tests.fixtureweb.npm_assets import ensure_npm_banners

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("banners-unit")]

TIMEOUT_S = 8.0
TRACKERS = {"_ga", "_fbp", "fr"}


@dataclass(frozen=True)
class Outcome:
    banner: Banner
    cookies: frozenset[str]
    banner_seconds: float  # the detect/handle call alone, not the profile launch and page loads


SCENARIOS: list[tuple[str, Phase]] = [
    (f"www.{name}.test", phase)
    for name in (
        "tarteaucitron-honest",
        "tarteaucitron-dishonest",
        "klaro-honest",
        "klaro-dishonest",
        "vanilla-honest",
        "vanilla-dishonest",
        "osano-honest",
        "osano-dishonest",
        "osano-acceptonly",
        "reference-banner",
        "generic-fr",
        "iframe-banner",
    )
    for phase in (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
    if not (phase is Phase.NONE and name.endswith("-dishonest"))
] + [("www.nobanner.test", Phase.NONE), ("www.nobanner.test", Phase.REJECT)]


async def _run_one(pw: object, options: BrowserOptions, host: str, phase: Phase) -> Outcome:
    async with fresh_profile(pw, options) as context:  # type: ignore[arg-type]
        page = context.pages[0] if context.pages else await context.new_page()
        await page.goto(f"https://{host}/", wait_until="load")
        start = time.monotonic()
        if phase is Phase.NONE:
            banner = await detect_banner(page, TIMEOUT_S)
        else:
            banner = await handle_banner(page, phase, TIMEOUT_S)
        seconds = time.monotonic() - start
        await page.wait_for_timeout(300)
        await page.goto(f"https://{host}/about", wait_until="networkidle", timeout=15_000)
        cookies = frozenset(c["name"] for c in await context.cookies())
    return Outcome(banner, cookies, seconds)


async def _run_all(options: BrowserOptions) -> dict[tuple[str, Phase], Outcome]:
    gate = asyncio.Semaphore(3)
    async with async_playwright() as pw:

        async def one(host: str, phase: Phase) -> tuple[tuple[str, Phase], Outcome]:
            async with gate:
                return (host, phase), await _run_one(pw, options, host, phase)

        return dict(await asyncio.gather(*(one(h, p) for h, p in SCENARIOS)))


@pytest.fixture(scope="module")
def outcomes(browser_options: BrowserOptions) -> dict[tuple[str, Phase], Outcome]:
    ensure_npm_banners()
    return asyncio.run(_run_all(browser_options))


def get(outcomes: dict[tuple[str, Phase], Outcome], name: str, phase: Phase) -> Outcome:
    return outcomes[(f"www.{name}.test", phase)]


CMPS = {
    "tarteaucitron": "tarteaucitron",
    "klaro": "Klaro",
    "vanilla": "vanilla-cookieconsent",
    "osano": "Osano cookieconsent",
}


@pytest.mark.parametrize("lib", sorted(CMPS))
@pytest.mark.parametrize("honesty", ["honest", "dishonest"])
@pytest.mark.parametrize("phase", [Phase.REJECT, Phase.ACCEPT])
def test_real_banner_is_found_and_clicked(
    outcomes: dict[tuple[str, Phase], Outcome], lib: str, honesty: str, phase: Phase
) -> None:
    out = get(outcomes, f"{lib}-{honesty}", phase)
    assert out.banner.detected
    assert out.banner.cmp == CMPS[lib]
    assert out.banner.action is phase
    assert out.banner.status is BannerStatus.SUCCEEDED, out.banner.detail
    assert out.banner.first_layer_reject is True
    assert "autoconsent" in out.banner.detail


@pytest.mark.parametrize("lib", sorted(CMPS))
def test_detect_leaves_the_banner_alone(
    outcomes: dict[tuple[str, Phase], Outcome], lib: str
) -> None:
    out = get(outcomes, f"{lib}-honest", Phase.NONE)
    assert out.banner.detected and out.banner.cmp == CMPS[lib]
    assert out.banner.status is BannerStatus.NOT_ATTEMPTED
    assert out.banner.first_layer_reject is True
    # Nothing was consented to: the honest site set no tracker cookie.
    assert not out.cookies & TRACKERS, out.cookies


@pytest.mark.parametrize("lib", sorted(CMPS))
def test_honest_sites_track_only_after_accept(
    outcomes: dict[tuple[str, Phase], Outcome], lib: str
) -> None:
    rejected = get(outcomes, f"{lib}-honest", Phase.REJECT).cookies
    accepted = get(outcomes, f"{lib}-honest", Phase.ACCEPT).cookies
    assert not {c for c in rejected if c.startswith(("_ga", "_fbp", "fr"))}, rejected
    assert {"_ga", "_fbp", "fr"} <= accepted, accepted


@pytest.mark.parametrize("lib", sorted(CMPS))
def test_dishonest_sites_track_after_reject(
    outcomes: dict[tuple[str, Phase], Outcome], lib: str
) -> None:
    rejected = get(outcomes, f"{lib}-dishonest", Phase.REJECT)
    assert rejected.banner.status is BannerStatus.SUCCEEDED
    # `fr` is third-party (.facebook.com): no banner script can delete it afterwards.
    assert "fr" in rejected.cookies, rejected.cookies
    if lib != "tarteaucitron":  # tarteaucitron deletes refused services' first-party cookies
        assert "_ga" in rejected.cookies, rejected.cookies


def test_accept_only_banner_has_no_first_layer_reject(
    outcomes: dict[tuple[str, Phase], Outcome],
) -> None:
    none = get(outcomes, "osano-acceptonly", Phase.NONE).banner
    assert none.detected and none.cmp == "Osano cookieconsent"
    assert none.first_layer_reject is False
    reject = get(outcomes, "osano-acceptonly", Phase.REJECT).banner
    assert reject.status is BannerStatus.FAILED
    assert reject.first_layer_reject is False
    assert "no reject option" in reject.detail
    accept = get(outcomes, "osano-acceptonly", Phase.ACCEPT)
    assert accept.banner.status is BannerStatus.SUCCEEDED
    assert {"_ga", "_fbp", "fr"} <= accept.cookies


def test_reference_banner_rule(outcomes: dict[tuple[str, Phase], Outcome]) -> None:
    for phase in (Phase.REJECT, Phase.ACCEPT):
        out = get(outcomes, "reference-banner", phase)
        assert out.banner.cmp == "cookie-audit"
        assert out.banner.status is BannerStatus.SUCCEEDED, out.banner.detail
        assert out.banner.first_layer_reject is True
    assert get(outcomes, "reference-banner", Phase.REJECT).cookies == {"ca_consent"}
    assert get(outcomes, "reference-banner", Phase.ACCEPT).cookies == {
        "ca_consent",
        "_ga",
        "_ga_REF",
    }


def test_banner_in_an_iframe(outcomes: dict[tuple[str, Phase], Outcome]) -> None:
    none = get(outcomes, "iframe-banner", Phase.NONE).banner
    assert none.detected and none.cmp == "cookie-audit" and none.first_layer_reject is True
    reject = get(outcomes, "iframe-banner", Phase.REJECT)
    assert reject.banner.status is BannerStatus.SUCCEEDED, reject.banner.detail
    assert reject.cookies == set()
    accept = get(outcomes, "iframe-banner", Phase.ACCEPT)
    assert accept.banner.status is BannerStatus.SUCCEEDED, accept.banner.detail
    assert accept.cookies == {"_ga", "_ga_IFRAME"}


def test_unknown_banner_generic_fallback(outcomes: dict[tuple[str, Phase], Outcome]) -> None:
    none = get(outcomes, "generic-fr", Phase.NONE).banner
    assert none.detected and none.cmp == "unknown"
    assert none.first_layer_reject is True
    assert "lower confidence" in none.detail
    reject = get(outcomes, "generic-fr", Phase.REJECT)
    assert reject.banner.status is BannerStatus.SUCCEEDED
    assert "tout refuser" in reject.banner.detail
    assert reject.cookies == {"choix"}
    accept = get(outcomes, "generic-fr", Phase.ACCEPT)
    assert accept.banner.status is BannerStatus.SUCCEEDED
    assert "tout accepter" in accept.banner.detail
    assert accept.cookies == {"choix", "_ga", "_ga_FR"}


def test_no_banner_is_said_plainly(outcomes: dict[tuple[str, Phase], Outcome]) -> None:
    none = get(outcomes, "nobanner", Phase.NONE)
    assert not none.banner.detected and none.banner.cmp is None
    assert none.banner.status is BannerStatus.NOT_ATTEMPTED
    assert "no banner" in none.banner.detail
    reject = get(outcomes, "nobanner", Phase.REJECT)
    assert not reject.banner.detected
    assert reject.banner.status is BannerStatus.NO_BANNER
    assert "no banner" in reject.banner.detail
    # Bounded: the search gives up instead of waiting forever (the margin absorbs a loaded machine).
    assert reject.banner_seconds < 3 * TIMEOUT_S


def test_banner_handling_is_bounded(outcomes: dict[tuple[str, Phase], Outcome]) -> None:
    """Not a speed test: every call ends on its own budget (a hang would blow far past 3x it)."""
    assert max(o.banner_seconds for o in outcomes.values()) < 3 * TIMEOUT_S


def test_closed_page_is_not_called_no_banner(browser_options: BrowserOptions) -> None:
    async def run() -> tuple[Banner, float]:
        async with async_playwright() as pw, fresh_profile(pw, browser_options) as context:
            page = await context.new_page()
            await page.goto("https://www.klaro-honest.test/", wait_until="load")
            await page.close()
            start = time.monotonic()
            banner = await handle_banner(page, Phase.REJECT, 3.0)
            return banner, time.monotonic() - start

    banner, seconds = asyncio.run(run())
    assert banner.status is BannerStatus.FAILED
    assert "could not be inspected" in banner.detail
    assert seconds < 3.0  # a closed page is known at once: never the whole budget


def test_a_click_made_after_the_budget_ran_out_is_still_verified(
    browser_options: BrowserOptions,
) -> None:
    """On a loaded machine the search for a known platform can use the whole budget; the generic
    fallback's click is then verified all the same instead of being called a failure."""

    async def run() -> Banner:
        async with async_playwright() as pw, fresh_profile(pw, browser_options) as context:
            page = await context.new_page()
            await page.goto("https://www.generic-fr.test/", wait_until="load")
            banner = await _generic(page, Phase.REJECT, deadline=time.monotonic() - 1)
            assert banner is not None
            return banner

    banner = asyncio.run(run())
    assert banner.status is BannerStatus.SUCCEEDED, banner.detail
    assert "tout refuser" in banner.detail


async def _vanilla_banner_found(context: BrowserContext) -> tuple[_Session, str, Frame]:
    """vanilla-honest loaded in a new page, autoconsent injected and its banner found."""
    page = await context.new_page()
    await page.goto("https://www.vanilla-honest.test/", wait_until="load")
    session = _Session(page, time.monotonic() + 30)
    await session.inject(8)
    await session.wait_for_popup(4.0)
    assert session.popup is not None
    rule, frame = session.popup
    return session, rule, frame


def test_a_read_whose_answer_is_lost_loses_no_message(browser_options: BrowserOptions) -> None:
    """The page's main thread busy past a read's timeout: the read runs there after we gave up on
    its answer. The rule's answer must still reach us on the next read (it used to be taken out
    of the page by the lost read: "no answer from the banner" on a loaded machine)."""

    async def run() -> tuple[bool, dict[str, object] | None]:
        async with async_playwright() as pw, fresh_profile(pw, browser_options) as context:
            session, _, frame = await _vanilla_banner_found(context)
            await session.send(frame, {"type": "optIn"})
            await frame.wait_for_function(
                "() => window.__caAutoconsent.messages.some((m) => m.type === 'optInResult')"
            )
            await frame.evaluate(
                "() => { setTimeout(() => { const t = Date.now();"
                " while (Date.now() - t < 3000); }, 0); }"
            )
            await session.poll()  # times out here after 2 s; runs in the page at 3 s
            lost = "optInResult" not in session.results
            return lost, await session.wait_for("optInResult", 5.0)

    lost, answer = asyncio.run(run())
    assert lost  # the scenario happened: the first read's answer never reached us
    assert answer is not None and answer["result"] is True


def test_a_rule_still_at_work_when_the_budget_ends_gets_a_while_more(
    browser_options: BrowserOptions,
) -> None:
    """The accept button shows 2 s after the rule starts waiting for it, with 1 s of budget: the
    rule says it is still opting in, so its click is waited for instead of called a failure."""

    async def run() -> Banner:
        async with async_playwright() as pw, fresh_profile(pw, browser_options) as context:
            session, rule, frame = await _vanilla_banner_found(context)
            await frame.evaluate(
                "() => { const b = document.querySelector('.cm__btn[data-role=all]');"
                " const parent = b.parentNode; b.remove();"
                " setTimeout(() => parent.appendChild(b), 2000); }"
            )
            session.deadline = time.monotonic()
            return await _opt(session, rule, frame, Phase.ACCEPT, 1.0, first_layer_reject=True)

    banner = asyncio.run(run())
    assert banner.status is BannerStatus.SUCCEEDED, banner.detail
