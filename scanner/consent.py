"""Find a site's consent banner and click "reject all" or "accept all", then check it worked.

The engine is DuckDuckGo's autoconsent (pinned PyPI package `duckduckgo_autoconsent`: its
rules know about a thousand consent platforms). How it is wired, and why:

* The crawler hands over a page that has already loaded, so the content script is evaluated
  in every frame on demand (`frame.evaluate`, which no Content-Security-Policy blocks) rather
  than through `add_init_script`. Banners inside iframes (Sourcepoint, TrustArc...) are found
  because every frame gets its own instance, exactly as the upstream extension does.
* autoconsent talks to its host through `window.autoconsentSendMessage`. Here that callback
  answers `init` inside the page (config and rules are baked into the injected script) and
  queues every other message; Python polls the queues. No `expose_binding`: nothing to
  register before navigation, no name clash when the same page is handled twice, and every
  wait is a bounded poll.
* `isMainWorld: true` because `frame.evaluate` runs in the page's own world, so the rules'
  `eval` snippets (Klaro's API opt-out, tarteaucitron's cookie test...) run in place.
* Prehiding is off: the audit must see the banner as a visitor does, and verify it went away.
* Our own reference banner (`consent_api/static/banner.js`, `#ca-banner`) is handled by an extra
  rule in autoconsent's own format (`EXTRA_RULES`): the same engine, the same verification,
  and no special case in the crawler.
* Unknown banners: a generic fallback clicks a visible button whose text says "reject all" /
  "accept all" in EN/FR/DE/ES/IT. It is less certain, and says so in `detail`.
* "Reject all" only in the settings layer: autoconsent's rules open it where they know how
  (vanilla-cookieconsent, tarteaucitron...). Where no rule does (an unknown banner, or a rule
  whose opt-out fails), `_settings_fallback` clicks the "settings" button, then "reject all" in
  the layer it opened, or unticks every optional category and saves. Every handled banner
  records where the choice was made (`Banner.layer`) and by what (`Banner.method`).

Every Playwright error is translated at one place (`_safe`), and every wait is bounded by
`timeout_s`: a banner that never answers ends as FAILED or NO_BANNER, never as a hang.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from functools import lru_cache
from typing import Any, TypeVar

from duckduckgo_autoconsent import __version__ as AUTOCONSENT_VERSION
from duckduckgo_autoconsent import bundle, rules_json
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from scanner.model import Banner, BannerLayer, BannerStatus, Phase

__all__ = [
    "AUTOCONSENT_VERSION",
    "EXTRA_RULES",
    "detect_banner",
    "handle_banner",
]

T = TypeVar("T")

#: Rules in autoconsent's declarative format, added to the upstream ones.
EXTRA_RULES: list[dict[str, Any]] = [
    {
        "name": "cookie-audit",
        "vendorUrl": "https://github.com/cookie-audit (consent_api/static/banner.js)",
        # The reference banner may be embedded in a frame too; upstream rules default to top only.
        "runContext": {"main": True, "frame": True},
        "prehideSelectors": ["#ca-banner"],
        "detectCmp": [{"exists": "#ca-banner"}],
        "detectPopup": [{"visible": "#ca-banner"}],
        "optIn": [{"waitForThenClick": "#ca-banner #ca-accept"}],
        "optOut": [{"waitForThenClick": "#ca-banner #ca-reject"}],
        "test": [{"waitForVisible": "#ca-banner", "check": "none", "timeout": 2000}],
    }
]

#: Platform names for the report, by autoconsent rule name (the rest keep the rule's name).
PLATFORM_NAMES: dict[str, str] = {
    "tarteaucitron.js": "tarteaucitron",
    "tarteaucitron deny": "tarteaucitron",
    "cookieconsent3": "vanilla-cookieconsent",
    "cookieconsent2": "vanilla-cookieconsent",
    "cookieconsent2-legacy": "vanilla-cookieconsent",
    "cookie-audit": "cookie-audit",
}

#: Osano's open-source cookieconsent (v3) has no rule of its own: the generic rules written for
#: Complianz (built on it) match its markup. The page's global tells the two apart.
_COOKIECONSENT_FAMILY = ("Complianz optin", "Complianz notice", "Complianz categories")
_COMPLIANZ_OPT_OUT = "Complianz opt-out"

REJECT_WORDS = [
    # EN
    "reject all", "reject", "decline all", "decline", "deny all", "deny", "refuse all",
    "only necessary", "necessary only", "only essential", "essential only", "i decline",
    # FR
    "tout refuser", "refuser tout", "refuser", "continuer sans accepter",
    # DE
    "alle ablehnen", "ablehnen", "nur notwendige", "nur essenzielle",
    # ES
    "rechazar todo", "rechazar todas", "rechazar",
    # IT
    "rifiuta tutto", "rifiuta tutti", "rifiuta",
]  # fmt: skip
ACCEPT_WORDS = [
    "accept all", "accept", "allow all", "agree", "i agree", "got it", "ok",
    "tout accepter", "accepter tout", "accepter", "j'accepte",
    "alle akzeptieren", "akzeptieren", "zustimmen", "alle zulassen",
    "aceptar todo", "aceptar todas", "aceptar",
    "accetta tutto", "accetta tutti", "accetta",
]  # fmt: skip

#: Buttons that open a banner's second layer (its settings).
SETTINGS_WORDS = [
    "settings", "cookie settings", "cookies settings", "manage", "manage cookies",
    "manage preferences", "manage options", "manage settings", "preferences",
    "cookie preferences", "customise", "customize", "more options", "set preferences",
    "personnaliser", "paramétrer", "paramètres", "gérer", "gérer mes choix", "gérer les cookies",
    "einstellungen", "anpassen", "cookie-einstellungen", "configurar", "personalizar",
    "preferencias", "personalizza", "impostazioni", "preferenze",
]  # fmt: skip
#: Buttons that confirm the choices made in a settings layer.
SAVE_WORDS = [
    "save", "save my choices", "save choices", "save preferences", "save settings",
    "confirm my choices", "confirm choices", "confirm", "accept selected", "allow selection",
    "enregistrer", "enregistrer mes choix", "valider", "valider mes choix", "confirmer",
    "confirmer mes choix", "speichern", "auswahl speichern", "auswahl bestätigen",
    "guardar", "guardar preferencias", "confirmar", "salva", "salva preferenze", "conferma",
]  # fmt: skip
#: autoconsent rules whose opt-out goes through the platform's script, not its buttons.
_API_RULES = {"Klaro"}

_POLL_S = 0.1
#: More time for a rule that says it is still opting in or out when the budget runs out.
RULE_GRACE_S = 3.0
_VERIFY_GRACE_S = 2.0  # a clicked banner's time to go, whatever is left of the budget
#: How long to look for a consent platform at most (banners show within a few seconds of load).
SEARCH_S = 4.0
#: autoconsent's own wait for the popup of a platform it found (10 x 500 ms), plus slack.
POPUP_CHECK_S = 5.5


@lru_cache(maxsize=1)
def _all_rules() -> str:
    rules: list[dict[str, Any]] = json.loads(rules_json())
    return json.dumps({"autoconsent": rules + EXTRA_RULES})


@lru_cache(maxsize=1)
def _popup_selectors() -> dict[str, str]:
    """Rule name -> the CSS selectors its `detectPopup` checks for visibility (declarative rules).

    Used to verify that the banner really went away after the click, for rules without a
    self-test of their own.
    """
    out: dict[str, str] = {}
    rules: list[dict[str, Any]] = json.loads(rules_json()) + EXTRA_RULES
    for rule in rules:
        selectors = [
            step["visible"]
            for step in rule.get("detectPopup", [])
            if isinstance(step.get("visible"), str) and not step.get("negated")
        ]
        if selectors:
            out.setdefault(rule["name"], ", ".join(selectors))
    return out


_STILL_VISIBLE = """(sel) => Array.from(document.querySelectorAll(sel)).some((el) => {
  const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'
    && parseFloat(st.opacity || '1') > 0.05; })"""


async def _gone(frame: Frame, rule: str, budget_s: float) -> bool | None:
    """True once the rule's popup is no longer visible; None when the rule gives no selector."""
    selector = _popup_selectors().get(rule)
    if selector is None:
        return None
    end = time.monotonic() + budget_s
    while True:
        visible = await _safe(frame.evaluate(_STILL_VISIBLE, selector), False)
        if not visible:
            return True
        if time.monotonic() >= end:
            return False
        await asyncio.sleep(_POLL_S)


def _injection(retries: int) -> str:
    """The content script with a host callback that answers `init` and queues the rest."""
    config: dict[str, Any] = {
        "enabled": True,
        "autoAction": None,  # wait for our explicit optIn/optOut
        "disabledCmps": [],
        "enablePrehide": False,
        "enableCosmeticRules": True,
        "enableGeneratedRules": True,
        "enableHeuristicDetection": False,
        "detectRetries": retries,
        "isMainWorld": True,
        "logs": {
            "lifecycle": False,
            "rulesteps": False,
            "detectionsteps": False,
            "evals": False,
            "errors": False,
            "messages": False,
            "waits": False,
        },
    }
    return (
        "(() => { if (window.__caAutoconsent) return;"
        " window.__caAutoconsent = {id: Math.random(), messages: []};"
        f" const CONFIG = {json.dumps(config)}; const RULES = {_all_rules()};"
        " window.autoconsentSendMessage = (m) => {"
        "  if (m.type === 'init') { setTimeout(() => window.autoconsentReceiveMessage("
        "   {type: 'initResp', config: CONFIG, rules: RULES}), 0); return; }"
        "  window.__caAutoconsent.messages.push(JSON.parse(JSON.stringify(m))); };\n"
        f"{bundle()}\n}})();"
    )


#: What autoconsent said in a frame since message `since` of injection `id`: the read leaves
#: the messages in the page, so a read whose answer never reached us (an evaluate that timed out
#: here but ran there) loses nothing; a new document (new id) is read from its start.
_READ = (
    "([id, since]) => { const a = window.__caAutoconsent; if (!a) return null;"
    " const m = a.messages;"
    " return {id: a.id, count: m.length, messages: m.slice(a.id === id ? since : 0)}; }"
)

#: Finds visible clickable elements whose text is one of `words` (whole text, case-folded).
_FIND_BUTTONS = """(words) => {
  const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim().toLowerCase().replace(/[.!…]+$/, '');
  const visible = (el) => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'
      && parseFloat(st.opacity || '1') > 0; };
  const els = Array.from(document.querySelectorAll(
    'button, a, [role=button], input[type=button], input[type=submit]'));
  const out = [];
  for (const [i, el] of els.entries()) {
    const text = norm(el.innerText || el.value || el.getAttribute('aria-label'));
    if (!text || !visible(el)) continue;
    const rank = words.indexOf(text);
    if (rank >= 0) out.push({index: i, rank, text});
  }
  out.sort((a, b) => a.rank - b.rank);
  return out;
}"""

#: Orders candidate buttons (indexes) by how close they sit in the DOM to the nearest of the
#: `near` buttons: the banner's own "settings" next to its "accept", not a footer link.
_BY_DISTANCE = """([candidates, near]) => {
  const els = Array.from(document.querySelectorAll(
    'button, a, [role=button], input[type=button], input[type=submit]'));
  const chain = (el) => { const out = []; for (let n = el; n; n = n.parentNode) out.push(n);
    return out; };
  const distance = (a, b) => { const up = chain(a); const seen = new Map(up.map((n, i) => [n, i]));
    let j = 0;
    for (let n = b; n; n = n.parentNode, j++) { if (seen.has(n)) return seen.get(n) + j; }
    return 1e9; };
  const score = (i) => Math.min(1e9, ...near.map((k) => distance(els[i], els[k])));
  return candidates.map((i, rank) => [score(i), rank, i]).sort((x, y) => x[0] - y[0] || x[1] - y[1])
    .map((x) => x[2]);
}"""

_CLICK_NTH = """([index, words]) => {
  const els = Array.from(document.querySelectorAll(
    'button, a, [role=button], input[type=button], input[type=submit]'));
  const el = els[index]; if (!el) return false; el.click(); return true; }"""


#: Unticks every visible, enabled, ticked category switch by clicking it (so the banner's own
#: handlers run); returns how many it unticked.
_UNTICK = """() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'; };
  let n = 0;
  for (const el of document.querySelectorAll('input[type=checkbox], [role=switch]')) {
    const on = el.matches('input') ? el.checked : el.getAttribute('aria-checked') === 'true';
    const off = el.disabled || el.getAttribute('aria-disabled') === 'true';
    const label = el.closest('label');
    const target = visible(el) ? el : (label && visible(label) ? label : null);
    if (!on || off || !target) continue;
    target.click(); n += 1;
  }
  return n;
}"""


async def _safe(awaitable: Awaitable[T], default: T) -> T:
    """The one boundary where Playwright errors (detached frame, navigation...) are absorbed."""
    try:
        return await awaitable
    except (PlaywrightError, TimeoutError):
        return default


class _Session:
    """autoconsent instances in every frame of one page, and what they reported."""

    def __init__(self, page: Page, deadline: float) -> None:
        self.page = page
        self.deadline = deadline
        self.frames: list[Frame] = []
        self.detected: dict[str, str] = {}  # cmp rule -> frame url
        self.popup: tuple[str, Frame] | None = None
        self.lifecycle: dict[int, str] = {}
        self.results: dict[str, Any] = {}
        #: frame index -> (its injection's id, how many of its messages were read)
        self.read: dict[int, tuple[float | None, int]] = {}
        self.injected = False

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    async def inject(self, retries: int) -> None:
        script = _injection(retries)
        if self.page.is_closed():
            return
        self.frames = [f for f in self.page.frames if not f.is_detached()]
        done = await asyncio.gather(
            *(
                _safe(asyncio.wait_for(f.evaluate(script + "; true"), self.left() or 0.01), False)
                for f in self.frames
            )
        )
        self.injected = any(done)

    async def poll(self) -> None:
        reads = await asyncio.gather(
            *(
                _safe(asyncio.wait_for(f.evaluate(_READ, self.read.get(i, (None, 0))), 2.0), None)
                for i, f in enumerate(self.frames)
            )
        )
        for index, (frame, read) in enumerate(zip(self.frames, reads, strict=True)):
            if not read:
                continue
            self.read[index] = (read["id"], read["count"])
            for m in read["messages"]:
                kind = m.get("type")
                if kind == "cmpDetected":
                    self.detected.setdefault(m["cmp"], m.get("url", ""))
                elif kind == "popupFound" and self.popup is None:
                    self.popup = (m["cmp"], frame)
                elif kind == "report":
                    self.lifecycle[index] = m["state"]["lifecycle"]
                elif kind in {"optOutResult", "optInResult", "autoconsentDone", "selfTestResult"}:
                    self.results[kind] = m

    def running(self, frame: Frame) -> bool:
        """The frame's autoconsent last said it is in the middle of an opt-in or opt-out."""
        running = {"runningOptIn", "runningOptOut"}
        return any(
            f is frame and self.lifecycle.get(i) in running for i, f in enumerate(self.frames)
        )

    def found(self) -> bool:
        return self.popup is not None

    async def wait_for_popup(self, search_s: float) -> None:
        """Wait for an open popup; give up when no platform shows up within `search_s`.

        autoconsent itself never says "nothing here" on a page that stops changing (its retry
        waits for a DOM mutation for up to a minute), so the cut-off is ours: `search_s` to find a
        platform, then autoconsent's own popup check (10 x 500 ms) for the one it found.
        """
        start = time.monotonic()
        while self.popup is None and self.left() > 0:
            await self.poll()
            if self.found():
                return
            elapsed = time.monotonic() - start
            if not self.detected and elapsed > search_s:
                return
            if self.detected and elapsed > search_s + POPUP_CHECK_S:
                return
            await asyncio.sleep(_POLL_S)

    async def send(self, frame: Frame, message: dict[str, Any]) -> None:
        await _safe(
            frame.evaluate("(m) => { window.autoconsentReceiveMessage(m); }", message), None
        )

    async def wait_for(self, kind: str, budget: float) -> dict[str, Any] | None:
        end = min(self.deadline, time.monotonic() + budget)
        while time.monotonic() < end:
            await self.poll()
            if kind in self.results:
                return dict(self.results[kind])
            await asyncio.sleep(_POLL_S)
        return None


async def _platform_name(rule: str, frame: Frame) -> str:
    if rule in _COOKIECONSENT_FAMILY or rule == _COMPLIANZ_OPT_OUT:
        osano = await _safe(
            frame.evaluate(
                "() => !!(window.cookieconsent && window.cookieconsent.initialise)"
                " && !document.querySelector('[class*=cmplz], #cmplz-cookiebanner-container')"
            ),
            False,
        )
        if osano:
            return "Osano cookieconsent"
    return PLATFORM_NAMES.get(rule, rule)


async def _first_layer_reject(frame: Frame) -> bool:
    """A reject button is visible now, before anything is opened."""
    found = await _safe(frame.evaluate(_FIND_BUTTONS, REJECT_WORDS), [])
    if found:
        return True
    known = (
        "#ca-reject, #tarteaucitronAllDenied2, .klaro .cn-decline, "
        ".cm__btn[data-role=necessary], .cc-deny, #onetrust-reject-all-handler, "
        "#CybotCookiebotDialogBodyButtonDecline, .osano-cm-denyAll"
    )
    return bool(
        await _safe(
            frame.evaluate(
                "(sel) => Array.from(document.querySelectorAll(sel)).some((el) => {"
                " const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0"
                " && getComputedStyle(el).visibility !== 'hidden'; })",
                known,
            ),
            False,
        )
    )


async def _buttons(frame: Frame, words: list[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await _safe(frame.evaluate(_FIND_BUTTONS, words), [])
    return found


async def _click(frame: Frame, button: dict[str, Any]) -> None:
    await _safe(frame.evaluate(_CLICK_NTH, [button["index"], []]), False)


async def _wait_buttons(frame: Frame, words: list[str], deadline: float) -> list[dict[str, Any]]:
    """Visible buttons with one of `words`, polled until one shows up or the deadline."""
    while True:
        found = await _buttons(frame, words)
        if found or time.monotonic() >= deadline:
            return found
        await asyncio.sleep(_POLL_S)


async def _settings_fallback(frame: Frame, deadline: float) -> tuple[bool, str] | None:
    """Reject in the second layer: open the settings, then "reject all" there, or untick every
    optional category and save. None when the frame shows no settings button; otherwise
    (the banner went away, what was done)."""
    opener = await _buttons(frame, SETTINGS_WORDS)
    if not opener:
        return None
    accept_buttons = await _buttons(frame, ACCEPT_WORDS)
    accept = [b["text"] for b in accept_buttons]
    if accept_buttons and len(opener) > 1:
        order = await _safe(
            frame.evaluate(
                _BY_DISTANCE, [[b["index"] for b in opener], [b["index"] for b in accept_buttons]]
            ),
            [b["index"] for b in opener],
        )
        by_index = {b["index"]: b for b in opener}
        opener = [by_index[i] for i in order if i in by_index] or opener
    await _click(frame, opener[0])
    layer_deadline = min(deadline, time.monotonic() + 3.0)
    found = await _wait_buttons(frame, REJECT_WORDS + SAVE_WORDS, layer_deadline)
    reject = [b for b in found if b["text"] in REJECT_WORDS]
    if reject:
        target, done = reject[0], f"opened '{opener[0]['text']}', clicked '{reject[0]['text']}'"
    else:
        save = [b for b in found if b["text"] in SAVE_WORDS]
        if not save:
            return False, f"opened '{opener[0]['text']}': no reject or save button in that layer"
        unticked = await _safe(frame.evaluate(_UNTICK), 0)
        # the switches may re-render the layer: find the save button again before clicking
        target = (await _buttons(frame, SAVE_WORDS) or save)[0]
        done = (
            f"opened '{opener[0]['text']}', unticked {unticked} optional categor"
            f"{'y' if unticked == 1 else 'ies'}, clicked '{target['text']}'"
        )
    await _click(frame, target)
    # gone: the button clicked and the first layer's "accept" are no longer visible (a
    # "cookie settings" link may stay on the page for good, so the opener does not count)
    gone = await _none_visible(frame, [target["text"], *accept], deadline)
    return gone, done + ("" if gone else "; the banner is still visible")


async def _none_visible(frame: Frame, texts: list[str], deadline: float) -> bool:
    """True once no visible button carries one of `texts` (the banner went away)."""
    end = max(deadline, time.monotonic() + _VERIFY_GRACE_S)
    while True:
        if not await _buttons(frame, texts):
            return True
        if time.monotonic() >= end:
            return False
        await asyncio.sleep(_POLL_S)


async def _generic(page: Page, action: Phase | None, deadline: float) -> Banner | None:
    """Fallback for banners no rule knows: click a visible button by its words."""
    words = REJECT_WORDS if action is Phase.REJECT else ACCEPT_WORDS
    for frame in page.frames:
        if frame.is_detached():
            continue
        reject = await _safe(frame.evaluate(_FIND_BUTTONS, REJECT_WORDS), [])
        accept = await _safe(frame.evaluate(_FIND_BUTTONS, ACCEPT_WORDS), [])
        # A lone "ok"/"accept" link on a page is not a banner: require a consent word nearby.
        if not (reject or accept) or not await _mentions_cookies(frame):
            continue
        if action is None:
            return Banner(
                detected=True,
                cmp="unknown",
                action=Phase.NONE,
                status=BannerStatus.NOT_ATTEMPTED,
                first_layer_reject=bool(reject),
                detail="generic text match (lower confidence): no autoconsent rule matched",
            )
        targets = reject if action is Phase.REJECT else accept
        if not targets and action is Phase.REJECT:
            fallback = await _settings_fallback(frame, deadline)
            if fallback is not None:
                ok, done = fallback
                return Banner(
                    detected=True,
                    cmp="unknown",
                    action=action,
                    status=BannerStatus.SUCCEEDED if ok else BannerStatus.FAILED,
                    first_layer_reject=False,
                    layer=BannerLayer.SECOND if ok else None,
                    method="settings-fallback" if ok else None,
                    detail=f"generic text match (lower confidence), second layer: {done}",
                )
        if not targets:
            return Banner(
                detected=True,
                cmp="unknown",
                action=action,
                status=BannerStatus.FAILED,
                first_layer_reject=bool(reject),
                detail=f"generic text match (lower confidence): no '{action.value}' button found",
            )
        target = targets[0]
        await _safe(frame.evaluate(_CLICK_NTH, [target["index"], words]), False)
        # Verified even when the search for a known platform used the whole budget (a loaded
        # machine): _none_visible looks once at least, and for a grace after the click.
        gone = await _none_visible(frame, [target["text"]], deadline)
        return Banner(
            detected=True,
            cmp="unknown",
            action=action,
            status=BannerStatus.SUCCEEDED if gone else BannerStatus.FAILED,
            first_layer_reject=bool(reject),
            layer=BannerLayer.FIRST if gone else None,
            method="generic-text" if gone else None,
            detail=(
                f"generic text match (lower confidence): clicked '{target['text']}'"
                + ("" if gone else "; the button is still visible")
            ),
        )
    return None


async def _mentions_cookies(frame: Frame) -> bool:
    return bool(
        await _safe(
            frame.evaluate(
                "() => /cookie|consent|traceurs|datenschutz|privacy|rgpd|gdpr|privacidad"
                "|einwillig|consenso/i.test(document.body ? document.body.innerText : '')"
            ),
            False,
        )
    )


def _unreadable(action: Phase) -> Banner:
    """The page could not be inspected at all (closed, crashed): not the same as "no banner"."""
    status = BannerStatus.NOT_ATTEMPTED if action is Phase.NONE else BannerStatus.FAILED
    return Banner(
        action=action, status=status, detail="banner unknown: the page could not be inspected"
    )


def _no_banner(action: Phase, detail: str) -> Banner:
    status = BannerStatus.NOT_ATTEMPTED if action is Phase.NONE else BannerStatus.NO_BANNER
    return Banner(detected=False, action=action, status=status, detail=detail)


async def _find(page: Page, timeout_s: float) -> tuple[_Session, str | None, Frame | None]:
    deadline = time.monotonic() + max(0.1, timeout_s)
    session = _Session(page, deadline)
    # findCmp waits 500 ms between attempts: size the retries to the time budget.
    search_s = min(timeout_s, SEARCH_S)
    await session.inject(max(1, int(search_s / 0.5)))
    if session.injected:
        await session.wait_for_popup(search_s)
    if session.popup is None:
        return session, None, None
    return session, session.popup[0], session.popup[1]


async def detect_banner(page: Page, timeout_s: float) -> Banner:
    """Phase `none`: say whether there is a banner and which, without touching it."""
    session, rule, frame = await _find(page, timeout_s)
    if not session.injected:
        return _unreadable(Phase.NONE)
    if rule is None or frame is None:
        generic = await _generic(page, None, session.deadline)
        if generic is not None:
            return generic
        seen = ", ".join(sorted(session.detected))
        return _no_banner(
            Phase.NONE,
            "no banner: no consent platform is showing a banner"
            + (f" (scripts of {seen} present, no banner open)" if seen else ""),
        )
    return Banner(
        detected=True,
        cmp=await _platform_name(rule, frame),
        action=Phase.NONE,
        status=BannerStatus.NOT_ATTEMPTED,
        first_layer_reject=await _first_layer_reject(frame),
        detail=f"autoconsent {AUTOCONSENT_VERSION} rule '{rule}'",
    )


async def handle_banner(page: Page, action: Phase, timeout_s: float) -> Banner:
    """Click "reject all" (REJECT) or "accept all" (ACCEPT) and verify the banner is done."""
    if action is Phase.NONE:
        return await detect_banner(page, timeout_s)
    session, rule, frame = await _find(page, timeout_s)
    if not session.injected:
        return _unreadable(action)
    if rule is None or frame is None:
        generic = await _generic(page, action, session.deadline)
        if generic is not None:
            return generic
        return _no_banner(action, "no banner: nothing to click")
    cmp = await _platform_name(rule, frame)
    first_layer_reject = await _first_layer_reject(frame)
    banner = await _opt(session, rule, frame, action, timeout_s, first_layer_reject)
    banner = banner.model_copy(update={"cmp": cmp, "first_layer_reject": first_layer_reject})
    if banner.status is BannerStatus.SUCCEEDED:
        if action is Phase.ACCEPT or first_layer_reject:
            layer = BannerLayer.FIRST
        else:
            layer = BannerLayer.PLATFORM_API if rule in _API_RULES else BannerLayer.SECOND
        detail = banner.detail + ("" if layer is BannerLayer.FIRST else f", {layer.value}")
        return banner.model_copy(
            update={"layer": layer, "method": f"autoconsent:{rule}", "detail": detail}
        )
    if action is Phase.REJECT and not first_layer_reject:
        # the rule could not reach a refusal: open the settings layer ourselves
        deadline = time.monotonic() + max(3.0, min(8.0, timeout_s))
        fallback = await _settings_fallback(frame, deadline)
        if fallback is not None:
            ok, done = fallback
            if ok:
                return banner.model_copy(
                    update={
                        "status": BannerStatus.SUCCEEDED,
                        "layer": BannerLayer.SECOND,
                        "method": "settings-fallback",
                        "detail": f"{banner.detail}; second layer: {done}",
                    }
                )
            return banner.model_copy(update={"detail": f"{banner.detail}; second layer: {done}"})
    return banner


async def _opt(
    session: _Session,
    rule: str,
    frame: Frame,
    action: Phase,
    timeout_s: float,
    first_layer_reject: bool,
) -> Banner:
    """The rule's own opt-out / opt-in, verified (cmp and first layer filled in by the caller)."""
    opt_in = action is Phase.ACCEPT
    sent = time.monotonic()
    await session.send(frame, {"type": "optIn" if opt_in else "optOut"})
    kind = "optInResult" if opt_in else "optOutResult"
    # Always leave time for the click itself even when detection used most of the budget.
    session.deadline = max(session.deadline, time.monotonic() + min(5.0, timeout_s))
    result = await session.wait_for(kind, session.left())
    if result is None and session.running(frame):
        # The rule is still at work (a slow banner, a loaded machine): a bounded while more.
        session.deadline = time.monotonic() + RULE_GRACE_S
        result = await session.wait_for(kind, RULE_GRACE_S)
    base = f"autoconsent {AUTOCONSENT_VERSION} rule '{rule}'"

    def failed(why: str) -> Banner:
        return Banner(
            detected=True, action=action, status=BannerStatus.FAILED, detail=f"{base}: {why}"
        )

    if result is None:
        return failed(f"no answer from the banner within {time.monotonic() - sent:.0f} s")
    if not result.get("result"):
        return failed(f"the {'accept' if opt_in else 'reject'} click did not work")
    detail = base
    if not opt_in and rule in _COOKIECONSENT_FAMILY and not first_layer_reject:
        return failed("the banner has no reject option; it was only hidden")
    gone = await _gone(frame, rule, min(2.0, max(1.0, session.left())))
    if gone is False:
        # Some banners attach their click handlers late (tarteaucitron's "accept all" is clicked
        # by the rule without a wait): one more try before calling it a failure.
        session.results.pop(kind, None)
        session.deadline = max(session.deadline, time.monotonic() + 5.0)
        await session.send(frame, {"type": "optIn" if opt_in else "optOut"})
        await session.wait_for(kind, min(5.0, max(1.0, session.left())))
        gone = await _gone(frame, rule, 2.0)
        detail += ", clicked twice"
    if gone is False:
        return failed("clicked, but the banner is still visible")
    if gone:
        detail += ", banner gone"
    if result.get("scheduleSelfTest"):
        await session.send(frame, {"type": "selfTest"})
        test = await session.wait_for("selfTestResult", max(2.0, session.left()))
        if test is not None and not test.get("result"):
            return failed("clicked, but the platform does not record a refusal")
        detail += ", verified by the rule's self-test" if test is not None else ""
    return Banner(detected=True, action=action, status=BannerStatus.SUCCEEDED, detail=detail)
