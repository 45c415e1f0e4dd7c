"""Plain-data builders for Scan records (the rules are tested on data, not on a browser)."""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.model import (
    Banner,
    BannerStatus,
    BrowserInfo,
    Category,
    Classification,
    ClassifiedCookie,
    Cookie,
    PageVisit,
    Party,
    Phase,
    PhaseResult,
    Scan,
    ThirdPartyHost,
    ToolInfo,
    ValueInfo,
    ValueShape,
)

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EXEMPT = {Category.TECHNICAL, Category.SESSION}


def cookie(
    name: str,
    domain: str,
    *,
    category: Category,
    days: float | None,
    requested: float | None = None,
    party: Party = Party.FIRST,
    vendor: str | None = None,
    exempt: bool | None = None,
    set_by: str | None = None,
    page: str | None = None,
    confidence: float | None = None,
) -> dict[str, object]:
    """One cookie's facts; `phase_cookie` and `classified` turn it into records. Confidence as
    the classifier gives it: 0.9 for a known cookie, 0.1 for an unrecognised one."""
    return {
        "name": name,
        "domain": domain,
        "category": category,
        "days": days,
        "requested": requested,
        "party": party,
        "vendor": vendor,
        "exempt": category in EXEMPT if exempt is None else exempt,
        "set_by": set_by,
        "page": page,
        "confidence": (0.1 if category is Category.UNKNOWN else 0.9)
        if confidence is None
        else confidence,
    }


def phase_cookie(c: dict[str, object]) -> Cookie:
    return Cookie(
        name=str(c["name"]),
        domain=str(c["domain"]),
        host_only=not str(c["domain"]).startswith("."),
        expires=None,
        lifetime_days=c["days"],
        requested_lifetime_days=c["requested"],
        party=c["party"],
        set_by=c["set_by"],
        first_seen_page=c["page"],
        value=ValueInfo(length=10, entropy=3.0, shape=ValueShape.TEXT),
    )


def classified(c: dict[str, object], phases: list[Phase]) -> ClassifiedCookie:
    return ClassifiedCookie(
        name=str(c["name"]),
        domain=str(c["domain"]),
        party=c["party"],
        phases=phases,
        lifetime_days=c["days"],
        requested_lifetime_days=c["requested"],
        set_by=c["set_by"],
        first_seen_page=c["page"],
        classification=Classification(
            category=c["category"],
            vendor=c["vendor"],
            exempt=bool(c["exempt"]),
            confidence=c["confidence"],
            reason="test",
        ),
    )


def host(name: str, page: str, requests: int = 1) -> ThirdPartyHost:
    parts = name.split(".")
    return ThirdPartyHost(
        host=name,
        registrable_domain=".".join(parts[-2:]),
        requests=requests,
        first_seen_page=page,
    )


def build_scan(
    target: str,
    site: str,
    phases: dict[Phase, tuple[list[dict[str, object]], list[str]]],
    *,
    banner_detected: bool = False,
    first_layer_reject: bool | None = None,
    policy_pages: list[str] | None = None,
) -> Scan:
    """phases: name -> (cookies seen, third-party hosts contacted)."""
    results = []
    seen: dict[tuple[str, str], tuple[dict[str, object], list[Phase]]] = {}
    for name, (cookies, hosts) in phases.items():
        if name is Phase.NONE:
            status = BannerStatus.NOT_ATTEMPTED
        else:
            status = BannerStatus.SUCCEEDED if banner_detected else BannerStatus.NO_BANNER
        banner = Banner(
            detected=banner_detected,
            action=name,
            status=status,
            first_layer_reject=first_layer_reject if banner_detected else None,
        )
        results.append(
            PhaseResult(
                name=name,
                banner=banner,
                pages=[PageVisit(url=target, status=200)],
                cookies=[phase_cookie(c) for c in cookies],
                third_party_hosts=[host(h, target) for h in hosts],
            )
        )
        for c in cookies:
            key = (str(c["name"]), str(c["domain"]))
            seen.setdefault(key, (c, []))[1].append(name)
    return Scan(
        target=target,
        site=site,
        tool=ToolInfo(version="test"),
        browser=BrowserInfo(),
        started_at=T0,
        phases=results,
        cookies=[classified(c, ph) for c, ph in seen.values()],
        policy_pages=policy_pages or [],
    )
