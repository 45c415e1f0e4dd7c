"""A small table of well-known vendors: their names in policy text, their hosts, their country.

Why a table here and not the classifier's knowledge base: the policy rules need two facts the
classifier does not give for requests: which requests go to a tracker, and in which country
the company that receives them is established (for "no transfer outside the EU" promises).

Where the countries come from: the controller / parent company each vendor names in its own
privacy policy or legal notice (Google LLC, Mountain View, US; Meta Platforms, Inc., Menlo
Park, US; Hotjar Ltd, Malta; Microsoft Corporation, Redmond, US; LinkedIn Corporation, US;
TikTok Pte. Ltd, Singapore; Criteo SA, Paris, FR; AT Internet / Piano, FR; Matomo cloud by
InnoCraft, NZ, though Matomo is mostly self-hosted so it is not counted as a transfer; ...).
US companies transfer EU data to the US even when an Irish subsidiary is the EU controller
(the EU-US Data Privacy Framework is a safeguard, not the absence of a transfer). Checked
2026-11; the table is deliberately small: unknown hosts are never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: ISO 3166 alpha-2 codes of the EU/EEA (transfers inside these are not "outside the EU")
EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    }
)


@dataclass(frozen=True)
class Vendor:
    name: str  # as shown to people
    company: str  # who receives the requests
    country: str  # ISO 3166 alpha-2 of that company
    domains: tuple[str, ...]  # registrable domains (or exact hosts) of its endpoints
    tracker: bool  # its requests carry identifiers that need consent
    text: str  # regex on normalised policy text (lower case, no accents)
    needs_context: bool = False  # a bare name (e.g. "facebook") counts only near "cookie"


VENDORS: tuple[Vendor, ...] = (
    Vendor(
        "Google Analytics",
        "Google",
        "US",
        ("google-analytics.com", "analytics.google.com"),
        True,
        r"google\s*analytics|\bga4\b|universal analytics",
    ),
    Vendor(
        "Google Tag Manager",
        "Google",
        "US",
        ("googletagmanager.com",),
        True,
        r"google\s*tag\s*manager",
    ),
    Vendor(
        "Google Ads",
        "Google",
        "US",
        ("doubleclick.net", "googleadservices.com", "googlesyndication.com"),
        True,
        r"google\s*ads(ense)?\b|doubleclick|adwords|google marketing platform",
    ),
    Vendor("YouTube", "Google", "US", ("youtube.com", "youtube-nocookie.com"), True, r"youtube"),
    Vendor("reCAPTCHA", "Google", "US", ("recaptcha.net",), False, r"recaptcha"),
    Vendor(
        "Meta Pixel",
        "Meta",
        "US",
        ("facebook.com", "facebook.net", "instagram.com"),
        True,
        r"(facebook|meta)\s*pixel|pixel\s*(de\s*)?(facebook|meta)|facebook|instagram|"
        r"\bmeta platforms|\bmeta\b",
        needs_context=True,
    ),
    Vendor("Hotjar", "Hotjar", "MT", ("hotjar.com", "hotjar.io"), True, r"hotjar"),
    Vendor("Microsoft Clarity", "Microsoft", "US", ("clarity.ms",), True, r"microsoft\s*clarity"),
    Vendor("Microsoft Advertising", "Microsoft", "US", ("bing.com",), True, r"bing\s*ads|uet tag"),
    Vendor(
        "LinkedIn Insight Tag",
        "LinkedIn",
        "US",
        ("linkedin.com", "licdn.com"),
        True,
        r"linkedin",
        needs_context=True,
    ),
    Vendor(
        "X (Twitter) pixel",
        "X",
        "US",
        ("twitter.com", "ads-twitter.com", "t.co", "x.com"),
        True,
        r"twitter",
        needs_context=True,
    ),
    Vendor("TikTok Pixel", "TikTok", "SG", ("tiktok.com",), True, r"tiktok"),
    Vendor("Pinterest Tag", "Pinterest", "US", ("pinterest.com",), True, r"pinterest", True),
    Vendor("Criteo", "Criteo", "FR", ("criteo.com", "criteo.net"), True, r"criteo"),
    Vendor("HubSpot", "HubSpot", "US", ("hubspot.com", "hs-analytics.net"), True, r"hubspot"),
    Vendor("Mixpanel", "Mixpanel", "US", ("mixpanel.com",), True, r"mixpanel"),
    Vendor("Amplitude", "Amplitude", "US", ("amplitude.com",), True, r"\bamplitude\b", True),
    Vendor("Segment", "Twilio", "US", ("segment.com", "segment.io"), True, r"segment\.(io|com)"),
    Vendor(
        "Adobe Analytics", "Adobe", "US", ("omtrdc.net", "demdex.net"), True, r"adobe analytics"
    ),
    Vendor("Matomo", "Matomo", "NZ", ("matomo.cloud",), False, r"matomo|piwik"),
    Vendor(
        "Piano Analytics",
        "Piano",
        "FR",
        ("xiti.com", "ati-host.net"),
        False,
        r"at internet|piano analytics|xiti",
    ),
    Vendor("Plausible", "Plausible", "EE", ("plausible.io",), False, r"plausible"),
    Vendor("Intercom", "Intercom", "US", ("intercom.io", "intercomcdn.com"), True, r"intercom"),
    Vendor("Vimeo", "Vimeo", "US", ("vimeo.com",), True, r"vimeo"),
    Vendor("Taboola", "Taboola", "US", ("taboola.com",), True, r"taboola"),
    Vendor("Outbrain", "Outbrain", "US", ("outbrain.com",), True, r"outbrain"),
)

_TEXT_RES = tuple((v, re.compile(v.text)) for v in VENDORS)


def vendor_for_host(host: str) -> Vendor | None:
    """The vendor whose endpoint `host` is (suffix match on its domains), or None."""
    host = host.lower().rstrip(".")
    for vendor in VENDORS:
        for domain in vendor.domains:
            if host == domain or host.endswith("." + domain):
                return vendor
    return None


def vendor_by_name(name: str) -> Vendor | None:
    lowered = name.lower()
    for vendor in VENDORS:
        if vendor.name.lower() == lowered or vendor.company.lower() == lowered:
            return vendor
    return None


def vendors_in_text(normalised: str, *, cookie_context: bool) -> list[Vendor]:
    """Vendors named in a normalised sentence; bare social names only in a cookie context."""
    found = []
    for vendor, pattern in _TEXT_RES:
        if vendor.needs_context and not cookie_context:
            continue
        if pattern.search(normalised):
            found.append(vendor)
    return found
