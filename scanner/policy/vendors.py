"""Well-known vendors: their names in policy text, their hosts, their kind, their country.

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
2026-11; unknown hosts are never guessed. Where the classifier's knowledge base
(`scanner/classify/data/domains.csv`) knows a vendor's domain, its country is used.

Every kind a policy names is here: analytics, advertising, social plugins and share buttons,
embedded video and maps, chat, hosting and cloud processors, CDNs and firewalls, captchas,
consent platforms, payment, CRM and e-mail, fonts. Names that are also ordinary words
("Meta", "Heap", "Drift") count only in a sentence about cookies or data
(`needs_context`), and a social network given as an example ("e.g. staying logged in to
Facebook") is not a vendor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from scanner.model import Category

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
    kind: str = "other"  # analytics | advertising | social | video | maps | chat | hosting |
    # cdn | captcha | consent | payment | crm | fonts | tag_manager | shop | other
    #: the words a sentence must contain for the pattern to be tried (default: every literal
    #: word of `text`); set where the pattern has common words around the name ("via ups",
    #: "aruba.it") so that matching stays one cheap look-up per word of the sentence
    keys: tuple[str, ...] = ()


def _v(
    name: str,
    company: str,
    country: str,
    domains: tuple[str, ...],
    tracker: bool,
    text: str,
    kind: str,
    needs_context: bool = False,
    keys: tuple[str, ...] = (),
) -> Vendor:
    return Vendor(name, company, country, domains, tracker, text, needs_context, kind, keys)


#: parcel carriers: "DHL and UPS" names UPS, a bare "ups" does not
_CARRIERS = "dhl|dpd|gls|fedex|tnt|seur|mrw|correos|brt|colissimo|chronopost|hermes"
#: words about shipping: "Hermes" is a carrier only beside them
_SHIPPING = "versand|paket|liefer|zustell|shipping|delivery|parcel"

VENDORS: tuple[Vendor, ...] = (
    # --- analytics and tag managers ---------------------------------------------------------
    _v(
        "Google Analytics",
        "Google",
        "US",
        ("google-analytics.com", "analytics.google.com"),
        True,
        r"google\s*analytics|\bga4\b|universal analytics|google signal",
        "analytics",
    ),
    _v(
        "Google Tag Manager",
        "Google",
        "US",
        ("googletagmanager.com",),
        True,
        r"google\s*tag\s*manager",
        "tag_manager",
    ),
    _v(
        "Matomo", "Matomo", "NZ", ("matomo.cloud",), False, r"matomo|\bpiwik\b(?! pro)", "analytics"
    ),
    _v("Piwik PRO", "Piwik PRO", "PL", ("piwik.pro",), True, r"piwik pro", "analytics"),
    _v(
        "Piano Analytics",
        "Piano",
        "FR",
        ("xiti.com", "ati-host.net"),
        False,
        r"at internet|piano analytics|\bxiti\b",
        "analytics",
    ),
    _v(
        "Plausible",
        "Plausible",
        "EE",
        ("plausible.io",),
        False,
        # "plausible" is also a word: bare, only in a sentence about statistics
        r"plausible analytics|plausible\.io|"
        r"(?:statisti|analytics|audience|visit)\w*\b.*\bplausible\b|"
        r"\bplausible\b(?=.*(?:statisti|analytics|audience|visit))",
        "analytics",
    ),
    _v("Fathom", "Fathom", "CA", ("usefathom.com",), False, r"fathom analytics", "analytics"),
    _v("Hotjar", "Hotjar", "MT", ("hotjar.com", "hotjar.io"), True, r"hotjar", "analytics"),
    _v(
        "Microsoft Clarity",
        "Microsoft",
        "US",
        ("clarity.ms",),
        True,
        r"microsoft\s*clarity",
        "analytics",
    ),
    _v("Mixpanel", "Mixpanel", "US", ("mixpanel.com",), True, r"mixpanel", "analytics"),
    _v("PostHog", "PostHog", "US", ("posthog.com",), True, r"posthog", "analytics"),
    _v(
        "Amplitude",
        "Amplitude",
        "US",
        ("amplitude.com",),
        True,
        r"\bamplitude\b",
        "analytics",
        True,
    ),
    _v(
        "Heap",
        "Heap",
        "US",
        ("heapanalytics.com",),
        True,
        r"heap analytics|\bheap\b",
        "analytics",
        True,
    ),
    _v(
        "Segment",
        "Twilio",
        "US",
        ("segment.com", "segment.io"),
        True,
        r"segment\.(io|com)",
        "analytics",
    ),
    _v(
        "Adobe Analytics",
        "Adobe",
        "US",
        ("omtrdc.net", "demdex.net", "2o7.net"),
        True,
        r"adobe analytics|\badobe\b(?! (?:fonts?|acrobat|reader|flash|typekit|pdf|sign))",
        "analytics",
        True,
    ),
    _v(
        "Contentsquare",
        "Contentsquare",
        "FR",
        ("contentsquare.net",),
        True,
        r"content\s?square",
        "analytics",
    ),
    _v("Mouseflow", "Mouseflow", "DK", ("mouseflow.com",), True, r"mouseflow", "analytics"),
    _v("Smartlook", "Smartlook", "CZ", ("smartlook.com",), True, r"smartlook", "analytics"),
    _v("FullStory", "FullStory", "US", ("fullstory.com",), True, r"fullstory", "analytics"),
    _v("Crazy Egg", "Crazy Egg", "US", ("crazyegg.com",), True, r"crazy\s?egg", "analytics"),
    _v("Eulerian", "Eulerian", "FR", ("eulerian.net",), True, r"eulerian", "analytics"),
    _v("AB Tasty", "AB Tasty", "FR", ("abtasty.com",), True, r"ab tasty", "analytics"),
    _v(
        "Kameleoon",
        "Kameleoon",
        "FR",
        ("kameleoon.com", "kameleoon.eu"),
        True,
        r"kameleoon",
        "analytics",
    ),
    _v("Optimizely", "Optimizely", "US", ("optimizely.com",), True, r"optimizely", "analytics"),
    _v(
        "Google Optimize",
        "Google",
        "US",
        ("optimize.google.com",),
        True,
        r"google optimize",
        "analytics",
    ),
    _v(
        "Yandex Metrica",
        "Yandex",
        "RU",
        ("mc.yandex.ru", "yandex.ru"),
        True,
        r"yandex",
        "analytics",
    ),
    _v(
        "Chartbeat",
        "Chartbeat",
        "US",
        ("chartbeat.com", "chartbeat.net"),
        True,
        r"chartbeat",
        "analytics",
    ),
    # --- advertising ----------------------------------------------------------------------
    _v(
        "Google Ads",
        "Google",
        "US",
        ("doubleclick.net", "googleadservices.com", "googlesyndication.com"),
        True,
        r"google\s*ads(ense)?\b|doubleclick|adwords|google marketing platform|"
        r"google ad manager",
        "advertising",
    ),
    _v(
        "Microsoft Advertising",
        "Microsoft",
        "US",
        ("bing.com",),
        True,
        r"bing\s*ads|uet tag|microsoft advertising",
        "advertising",
    ),
    _v("Criteo", "Criteo", "FR", ("criteo.com", "criteo.net"), True, r"criteo", "advertising"),
    _v("Taboola", "Taboola", "US", ("taboola.com",), True, r"taboola", "advertising"),
    _v("Outbrain", "Outbrain", "US", ("outbrain.com",), True, r"outbrain", "advertising"),
    _v(
        "Amazon Advertising",
        "Amazon",
        "US",
        ("amazon-adsystem.com",),
        True,
        r"amazon (?:ads|advertising)",
        "advertising",
    ),
    _v(
        "The Trade Desk",
        "The Trade Desk",
        "US",
        ("adsrvr.org",),
        True,
        r"trade desk",
        "advertising",
    ),
    _v("Xandr", "Microsoft", "US", ("adnxs.com",), True, r"xandr|appnexus", "advertising"),
    _v(
        "Quantcast",
        "Quantcast",
        "US",
        ("quantserve.com", "quantcast.com"),
        True,
        r"quantcast",
        "advertising",
    ),
    _v("RTB House", "RTB House", "PL", ("creativecdn.com",), True, r"rtb house", "advertising"),
    _v("Teads", "Teads", "LU", ("teads.tv",), True, r"\bteads\b", "advertising"),
    _v("Adform", "Adform", "DK", ("adform.net",), True, r"adform", "advertising"),
    _v(
        "Equativ",
        "Equativ",
        "FR",
        ("smartadserver.com",),
        True,
        r"equativ|smart ?adserver",
        "advertising",
    ),
    _v("Awin", "Awin", "DE", ("awin1.com", "zenaps.com"), True, r"\bawin\b", "advertising"),
    _v(
        "HubSpot",
        "HubSpot",
        "US",
        ("hubspot.com", "hs-analytics.net", "hs-scripts.com"),
        True,
        r"hubspot",
        "crm",
    ),
    # --- social networks, plugins and share buttons -----------------------------------------
    _v(
        "Meta Pixel",
        "Meta",
        "US",
        ("facebook.com", "facebook.net", "instagram.com"),
        True,
        r"(facebook|meta)\s*pixel|pixel\s*(de\s*|di\s*|von\s*)?(facebook|meta)|facebook|instagram|"
        r"\bmeta platforms|\bmeta ireland|\bmeta\b",
        "social",
        True,
    ),
    _v(
        "LinkedIn Insight Tag",
        "LinkedIn",
        "US",
        ("linkedin.com", "licdn.com"),
        True,
        r"linkedin",
        "social",
        True,
    ),
    _v(
        "X (Twitter) pixel",
        "X",
        "US",
        ("twitter.com", "ads-twitter.com", "t.co", "x.com"),
        True,
        # X alone is a letter: a vendor only when listed beside other social networks ("share
        # buttons for LinkedIn and X", "boutons de partage Facebook, X et LinkedIn")
        r"twitter|(?:linkedin|facebook|instagram|pinterest|youtube|tiktok|whatsapp|threads|"
        r"bluesky|mastodon|xing)(?:,| and| et| und| y| e| or| ou| o| oder) (?:\w+ )?x\b(?! ?\d)|"
        r"\bx(?:,| and| et| und| y| e| or| ou| o| oder) (?:\w+ )?(?:linkedin|facebook|instagram|"
        r"pinterest|youtube|tiktok|whatsapp|threads|bluesky|mastodon|xing)\b",
        "social",
        True,
    ),
    _v("TikTok Pixel", "TikTok", "SG", ("tiktok.com",), True, r"tiktok", "social"),
    _v("Pinterest Tag", "Pinterest", "US", ("pinterest.com",), True, r"pinterest", "social", True),
    _v(
        "Snapchat Pixel",
        "Snap",
        "US",
        ("snapchat.com", "sc-static.net"),
        True,
        r"snapchat",
        "social",
        True,
    ),
    _v(
        "Reddit Pixel",
        "Reddit",
        "US",
        ("reddit.com", "redditstatic.com"),
        True,
        r"reddit",
        "social",
        True,
    ),
    _v("AddThis", "Oracle", "US", ("addthis.com",), True, r"addthis", "social"),
    _v("ShareThis", "ShareThis", "US", ("sharethis.com",), True, r"sharethis", "social"),
    _v("AddToAny", "AddToAny", "US", ("addtoany.com",), True, r"addtoany", "social"),
    _v("Disqus", "Disqus", "US", ("disqus.com", "disquscdn.com"), True, r"disqus", "social"),
    # --- embedded video and maps ------------------------------------------------------------
    _v(
        "YouTube",
        "Google",
        "US",
        ("youtube.com", "youtube-nocookie.com", "ytimg.com"),
        True,
        r"youtube",
        "video",
    ),
    _v("Vimeo", "Vimeo", "US", ("vimeo.com", "vimeocdn.com"), True, r"vimeo", "video"),
    _v("Spotify", "Spotify", "SE", ("spotify.com", "scdn.co"), True, r"spotify", "video"),
    _v(
        "SoundCloud",
        "SoundCloud",
        "DE",
        ("soundcloud.com", "sndcdn.com"),
        True,
        r"soundcloud",
        "video",
    ),
    _v(
        "Dailymotion",
        "Dailymotion",
        "FR",
        ("dailymotion.com", "dmcdn.net"),
        True,
        r"dailymotion",
        "video",
    ),
    _v("Wistia", "Wistia", "US", ("wistia.com", "wistia.net"), True, r"wistia", "video"),
    _v(
        "Brightcove",
        "Brightcove",
        "US",
        ("brightcove.net", "brightcove.com"),
        True,
        r"brightcove",
        "video",
    ),
    _v(
        "JW Player", "JW Player", "US", ("jwplayer.com", "jwpcdn.com"), True, r"jw ?player", "video"
    ),
    _v("Vidyard", "Vidyard", "CA", ("vidyard.com",), True, r"vidyard", "video"),
    _v(
        "Google Maps",
        "Google",
        "US",
        ("maps.googleapis.com", "maps.google.com"),
        False,
        r"google\s*maps?\b",
        "maps",
    ),
    _v(
        "OpenStreetMap",
        "OpenStreetMap Foundation",
        "GB",
        ("openstreetmap.org",),
        False,
        r"openstreetmap",
        "maps",
    ),
    _v("Mapbox", "Mapbox", "US", ("mapbox.com",), False, r"mapbox", "maps"),
    _v("Bing Maps", "Microsoft", "US", ("virtualearth.net",), False, r"bing maps", "maps"),
    # --- chat and customer support ----------------------------------------------------------
    _v(
        "Intercom",
        "Intercom",
        "US",
        ("intercom.io", "intercomcdn.com"),
        True,
        r"intercom\b",
        "chat",
        True,
    ),
    _v(
        "Zendesk",
        "Zendesk",
        "US",
        ("zendesk.com", "zdassets.com", "zopim.com"),
        True,
        r"zendesk|zopim",
        "chat",
    ),
    _v(
        "Crisp",
        "Crisp",
        "FR",
        ("crisp.chat",),
        True,
        r"crisp\.chat|crisp chat|\bcrisp\b",
        "chat",
        True,
    ),
    _v("Tawk.to", "tawk.to", "US", ("tawk.to",), True, r"tawk\.?to", "chat"),
    _v(
        "LiveChat", "LiveChat", "PL", ("livechatinc.com", "livechat.com"), True, r"livechat", "chat"
    ),
    _v("Drift", "Drift", "US", ("drift.com", "driftt.com"), True, r"\bdrift\b", "chat", True),
    _v("Olark", "Olark", "US", ("olark.com",), True, r"olark", "chat"),
    _v("Tidio", "Tidio", "US", ("tidio.co", "tidiochat.com"), True, r"tidio", "chat"),
    _v("Userlike", "Userlike", "DE", ("userlike.com",), True, r"userlike", "chat"),
    _v("Smartsupp", "Smartsupp", "CZ", ("smartsupp.com",), True, r"smartsupp", "chat"),
    _v(
        "Freshworks",
        "Freshworks",
        "US",
        ("freshchat.com", "freshdesk.com", "freshworks.com"),
        True,
        r"freshchat|freshdesk|freshworks",
        "chat",
    ),
    # --- hosting, cloud and other processors ------------------------------------------------
    _v(
        "OVH",
        "OVH",
        "FR",
        ("ovh.net", "ovh.com", "ovhcloud.com"),
        False,
        r"\bovh(?:cloud)?\b",
        "hosting",
    ),
    _v(
        "Amazon Web Services",
        "Amazon",
        "US",
        ("amazonaws.com", "cloudfront.net"),
        False,
        r"amazon web services|\baws\b|cloudfront",
        "hosting",
    ),
    _v(
        "Google",
        "Google",
        "US",
        (),
        False,
        r"google (?:llc|ireland|inc|cloud|workspace)",
        "hosting",
    ),
    _v(
        "Microsoft Azure",
        "Microsoft",
        "US",
        ("azurewebsites.net", "azureedge.net"),
        False,
        r"\bazure\b",
        "hosting",
    ),
    _v(
        "Microsoft 365",
        "Microsoft",
        "US",
        ("office.com", "office365.com"),
        False,
        r"microsoft 365|office 365",
        "hosting",
    ),
    _v("Hetzner", "Hetzner", "DE", ("hetzner.com", "hetzner.de"), False, r"hetzner", "hosting"),
    _v("Scaleway", "Scaleway", "FR", ("scaleway.com",), False, r"scaleway", "hosting"),
    _v("Online.net", "Scaleway", "FR", ("online.net",), False, r"online\.net", "hosting"),
    _v("IONOS", "IONOS", "DE", ("ionos.com", "ionos.de"), False, r"\bionos\b|1&1", "hosting"),
    _v("o2switch", "o2switch", "FR", ("o2switch.net",), False, r"o2switch", "hosting"),
    _v("Gandi", "Gandi", "FR", ("gandi.net",), False, r"\bgandi\b", "hosting"),
    _v("Infomaniak", "Infomaniak", "CH", ("infomaniak.com",), False, r"infomaniak", "hosting"),
    _v("Netlify", "Netlify", "US", ("netlify.app", "netlify.com"), False, r"netlify", "hosting"),
    _v("Vercel", "Vercel", "US", ("vercel.app", "vercel.com"), False, r"vercel", "hosting"),
    _v("Heroku", "Salesforce", "US", ("herokuapp.com",), False, r"heroku", "hosting"),
    _v(
        "DigitalOcean",
        "DigitalOcean",
        "US",
        ("digitaloceanspaces.com",),
        False,
        r"digital ?ocean",
        "hosting",
    ),
    _v(
        "Shopify",
        "Shopify",
        "CA",
        ("shopify.com", "myshopify.com", "shopifycdn.com"),
        False,
        r"shopify",
        "shop",
    ),
    _v(
        "Wix",
        "Wix",
        "IL",
        ("wix.com", "wixstatic.com"),
        False,
        r"\bwix(?:\.com)?\b",
        "hosting",
        True,
    ),
    _v("Squarespace", "Squarespace", "US", ("squarespace.com",), False, r"squarespace", "hosting"),
    _v(
        "WordPress.com",
        "Automattic",
        "US",
        ("wordpress.com", "wp.com"),
        False,
        # (not "Automattic": it also runs Akismet, Gravatar, Jetpack and WooCommerce)
        r"wordpress\.com",
        "hosting",
    ),
    _v(
        "Salesforce",
        "Salesforce",
        "US",
        ("salesforce.com", "force.com"),
        True,
        r"salesforce|pardot",
        "crm",
    ),
    _v(
        "Mailchimp", "Intuit", "US", ("mailchimp.com", "list-manage.com"), True, r"mailchimp", "crm"
    ),
    _v("Brevo", "Brevo", "FR", ("brevo.com", "sendinblue.com"), True, r"brevo|sendinblue", "crm"),
    _v("Mailjet", "Mailjet", "FR", ("mailjet.com",), False, r"mailjet", "crm"),
    _v("SendGrid", "Twilio", "US", ("sendgrid.net", "sendgrid.com"), False, r"sendgrid", "crm"),
    _v("Klaviyo", "Klaviyo", "US", ("klaviyo.com",), True, r"klaviyo", "crm"),
    _v("Twilio", "Twilio", "US", ("twilio.com",), False, r"twilio", "other"),
    _v(
        "MessageBird",
        "MessageBird",
        "NL",
        ("messagebird.com",),
        False,
        r"messagebird|\bbird\.com",
        "other",
    ),
    _v("Vonage", "Vonage", "US", ("vonage.com", "nexmo.com"), False, r"vonage|nexmo", "other"),
    _v("Stripe", "Stripe", "US", ("stripe.com", "stripe.network"), False, r"\bstripe\b", "payment"),
    _v("PayPal", "PayPal", "US", ("paypal.com", "paypalobjects.com"), False, r"paypal", "payment"),
    _v("Klarna", "Klarna", "SE", ("klarna.com",), False, r"klarna", "payment"),
    _v("Redsys", "Redsys", "ES", ("redsys.es",), False, r"\bredsys\b", "payment"),
    _v("DATEV", "DATEV", "DE", ("datev.de",), False, r"\bdatev\b", "other"),
    _v("Airbnb", "Airbnb", "US", ("airbnb.com",), False, r"\bairbnb\b", "other"),
    _v(
        "Google Translate",
        "Google",
        "US",
        ("translate.google.com", "translate.googleapis.com"),
        False,
        r"google translate|google traduction|google ubersetzer|traductor de google|"
        r"google traduttore",
        "other",
    ),
    _v("Booking.com", "Booking.com", "NL", ("booking.com",), False, r"booking\.com", "other"),
    _v("Adyen", "Adyen", "NL", ("adyen.com",), False, r"adyen", "payment"),
    _v("Mollie", "Mollie", "NL", ("mollie.com",), False, r"\bmollie\b", "payment", True),
    # --- CDNs, firewalls, captchas, fonts, consent platforms ---------------------------------
    _v(
        "Cloudflare",
        "Cloudflare",
        "US",
        ("cloudflare.com", "cloudflareinsights.com"),
        False,
        r"cloudflare",
        "cdn",
    ),
    _v(
        "Imperva Incapsula",
        "Imperva",
        "US",
        ("incapsula.com", "imperva.com"),
        False,
        r"incapsula|imperva",
        "cdn",
    ),
    _v("Akamai", "Akamai", "US", ("akamaihd.net", "akamaized.net"), False, r"akamai", "cdn"),
    _v("Fastly", "Fastly", "US", ("fastly.net",), False, r"\bfastly\b", "cdn"),
    _v("Sucuri", "GoDaddy", "US", ("sucuri.net",), False, r"sucuri", "cdn"),
    _v("reCAPTCHA", "Google", "US", ("recaptcha.net",), False, r"recaptcha", "captcha"),
    _v("hCaptcha", "Intuition Machines", "US", ("hcaptcha.com",), False, r"hcaptcha", "captcha"),
    _v(
        "Friendly Captcha",
        "Friendly Captcha",
        "DE",
        ("friendlycaptcha.com",),
        False,
        r"friendly ?captcha",
        "captcha",
    ),
    _v(
        "Google Fonts",
        "Google",
        "US",
        ("fonts.googleapis.com", "fonts.gstatic.com"),
        False,
        r"google\s*fonts",
        "fonts",
    ),
    _v(
        "Adobe Fonts",
        "Adobe",
        "US",
        ("typekit.net", "use.typekit.net"),
        False,
        r"adobe fonts|typekit",
        "fonts",
    ),
    _v("Didomi", "Didomi", "FR", ("privacy-center.org", "didomi.io"), False, r"didomi", "consent"),
    _v(
        "OneTrust",
        "OneTrust",
        "US",
        ("onetrust.com", "cookielaw.org"),
        False,
        r"onetrust",
        "consent",
    ),
    _v(
        "Cookiebot",
        "Usercentrics",
        "DE",
        ("cookiebot.com",),
        False,
        r"cookiebot",
        "consent",
    ),
    _v(
        "Usercentrics",
        "Usercentrics",
        "DE",
        ("usercentrics.eu", "usercentrics.com"),
        False,
        r"usercentrics",
        "consent",
    ),
    _v("Axeptio", "Axeptio", "FR", ("axept.io",), False, r"axeptio", "consent"),
    # --- booking, forms, error monitoring, transactional e-mail (processors) -----------------
    _v("OpenTable", "OpenTable", "US", ("opentable.com",), False, r"opentable", "other"),
    _v("TheFork", "TheFork", "FR", ("thefork.com", "lafourchette.com"), False, r"thefork", "other"),
    _v("Calendly", "Calendly", "US", ("calendly.com",), False, r"calendly", "other"),
    _v("Doctolib", "Doctolib", "FR", ("doctolib.fr", "doctolib.de"), False, r"doctolib", "other"),
    _v("Typeform", "Typeform", "ES", ("typeform.com",), False, r"typeform", "other"),
    _v("Sentry", "Functional Software", "US", ("sentry.io",), False, r"\bsentry\b", "other"),
    _v("Postmark", "ActiveCampaign", "US", ("postmarkapp.com",), False, r"postmark", "crm"),
    _v("Sirdata", "Sirdata", "FR", ("sirdata.com",), False, r"sirdata", "consent"),
    _v("GoCardless", "GoCardless", "GB", ("gocardless.com",), False, r"gocardless", "payment"),
    _v("seQura", "Sequra", "ES", ("sequra.es",), False, r"\bsequra\b", "payment"),
    _v(
        "pagoPA",
        "PagoPA",
        "IT",
        ("pagopa.gov.it",),
        False,
        r"\bpago ?pa\b",
        "payment",
        False,
        keys=("pago",),
    ),
    _v("Arsys", "Arsys", "ES", ("arsys.es",), False, r"\barsys\b", "hosting"),
    _v("Outscale", "3DS Outscale", "FR", ("outscale.com",), False, r"\boutscale\b", "hosting"),
    _v("maxcluster", "maxcluster", "DE", ("maxcluster.de",), False, r"\bmaxcluster\b", "hosting"),
    _v(
        "etracker",
        "etracker",
        "DE",
        ("etracker.com", "etracker.de"),
        True,
        r"\betracker\b",
        "analytics",
    ),
    _v(
        "Comscore", "Comscore", "US", ("scorecardresearch.com",), True, r"\bcomscore\b", "analytics"
    ),
    _v(
        "Simple Analytics",
        "Simple Analytics",
        "NL",
        ("simpleanalytics.com",),
        False,
        r"simple ?analytics\b(?:\.com)?",
        "analytics",
        False,
        keys=("simple",),
    ),
    _v("Tripadvisor", "Tripadvisor", "US", ("tripadvisor.com",), False, r"trip ?advisor", "other"),
    _v("TrustYou", "TrustYou", "DE", ("trustyou.com",), False, r"\btrustyou\b", "other"),
    _v("Glovo", "Glovo", "ES", ("glovoapp.com",), False, r"\bglovo\b", "other"),
    _v(
        "Discord",
        "Discord",
        "US",
        ("discord.com",),
        False,
        r"\bdiscord (?:inc|server)|^discord$|\b(?:on|via|sur|auf|en|su) discord\b",
        "chat",
        False,
        keys=("discord",),
    ),
    _v("Eventim", "CTS Eventim", "DE", ("eventim.de",), False, r"\beventim\b", "other"),
    _v(
        "Blackboard",
        "Anthology",
        "US",
        ("blackboard.com",),
        False,
        r"blackboard (?:inc|collaborate|learn)|^blackboard$",
        "other",
        False,
        keys=("blackboard",),
    ),
    _v("iVoox", "iVoox", "ES", ("ivoox.com",), False, r"\bivoox\b", "video"),
    # --- processors named in passing (stage 5c): carriers, payment, e-mail, monitoring,
    # support, hosting, HR, forms, e-signature, meetings, e-learning. Countries: the legal
    # entity the vendor's own privacy notice usually names. Names that are also ordinary words
    # (Zoom, Slack, Teams, Square, Box, Alma, Lucca, Sage, Notion...) are either qualified
    # ("zoom video communications", "microsoft teams") or need a sentence about data
    # (`needs_context`); a bare "bird", "box", "lucca" or "teams" is never a vendor.
    _v("DHL", "Deutsche Post", "DE", ("dhl.com", "dhl.de"), False, r"\bdhl\b", "other"),
    _v(
        "Deutsche Post",
        "Deutsche Post",
        "DE",
        ("deutschepost.de",),
        False,
        r"deutsche post\b",
        "other",
    ),
    # "DPD" is also the data protection officer in French and Spanish (délégué / delegado
    # de protección de datos): the carrier only by its name alone, its group or its neighbours
    _v(
        "DPD",
        "DPD",
        "FR",
        ("dpd.com", "dpd.fr"),
        False,
        r"^dpd$|\bdpd (?:group|france|deutschland|espana|italia|gmbh|sas|pickup|predict|polska)\b|"
        r"\bdpd\.(?:com|fr|de|es)|\bdpd(?=,? (?:\w+ ){0,2}(?:dhl|gls|ups|fedex|seur|mrw|colissimo|"
        r"chronopost|hermes|brt|correos|inpost|postnl|bpost)\b)|"
        r"(?:dhl|gls|ups|fedex|seur|mrw|colissimo|chronopost|hermes|brt|correos|inpost|postnl|"
        r"bpost),? (?:\w+ ){0,2}dpd\b",
        "other",
        False,
        keys=("dpd",),
    ),
    _v(
        "GLS",
        "General Logistics Systems",
        "NL",
        ("gls-group.eu", "gls-group.com"),
        False,
        r"\bgls\b|general logistics systems",
        "other",
    ),
    _v(
        "UPS",
        "United Parcel Service",
        "US",
        ("ups.com",),
        False,
        r"^ups$|\bups (?:inc|europe|sa|deutschland|france|espana|italia)\b|"
        r"united parcel service|"
        r"\b(?:via|by|with|par|avec|mit|con|per|tramite) ups\b|"
        rf"\bups(?=,? (?:{_CARRIERS}))|(?:{_CARRIERS}),? (?:\w+ )?ups\b",
        "other",
        False,
        keys=("ups", "united"),
    ),
    _v("FedEx", "FedEx", "US", ("fedex.com",), False, r"\bfedex\b|\btnt express\b", "other"),
    _v(
        "Hermes",
        "Hermes Germany",
        "DE",
        ("myhermes.de", "hermesworld.com"),
        False,
        r"^hermes$|hermes (?:germany|logistik|einrichtungs|paketshop|parcelnet)|"
        rf"\bhermes\b(?=.*(?:{_SHIPPING}))|(?:{_SHIPPING})\w*\b.*\bhermes\b",
        "other",
        False,
        keys=("hermes",),
    ),
    _v("Evri", "Evri", "GB", ("evri.com",), False, r"\bevri\b", "other"),
    _v(
        "Royal Mail",
        "Royal Mail",
        "GB",
        ("royalmail.com",),
        False,
        r"royal mail",
        "other",
        False,
        keys=("royal",),
    ),
    _v("Colissimo", "La Poste", "FR", ("colissimo.fr",), False, r"colissimo", "other"),
    _v("Chronopost", "Chronopost", "FR", ("chronopost.fr",), False, r"chronopost", "other"),
    _v(
        "Mondial Relay",
        "Mondial Relay",
        "FR",
        ("mondialrelay.fr",),
        False,
        r"mondial relay",
        "other",
    ),
    _v(
        "La Poste",
        "La Poste",
        "FR",
        ("laposte.fr",),
        False,
        r"groupe la poste|\bla poste,? sa\b|^la poste$",
        "other",
        False,
        keys=("poste",),
    ),
    _v("SEUR", "SEUR", "ES", ("seur.com",), False, r"\bseur\b", "other"),
    _v("MRW", "MRW", "ES", ("mrw.es",), False, r"\bmrw\b", "other"),
    _v(
        "Correos",
        "Correos",
        "ES",
        ("correos.es",),
        False,
        rf"^correos$|\bcorreos (?:express|y telegrafos)|\bcorreos(?=,? (?:{_CARRIERS}|ups|nacex))",
        "other",
        False,
        keys=("correos",),
    ),
    _v("Nacex", "Nacex", "ES", ("nacex.es",), False, r"\bnacex\b", "other"),
    _v("BRT", "BRT", "IT", ("brt.it",), False, r"\bbrt\b|\bbartolini\b", "other"),
    _v("Poste Italiane", "Poste Italiane", "IT", ("poste.it",), False, r"poste italiane", "other"),
    _v("PostNL", "PostNL", "NL", ("postnl.nl",), False, r"\bpostnl\b", "other"),
    _v("bpost", "bpost", "BE", ("bpost.be",), False, r"\bbpost\b", "other"),
    _v("InPost", "InPost", "PL", ("inpost.pl", "inpost.eu"), False, r"\binpost\b", "other"),
    _v("Nexi", "Nexi", "IT", ("nexi.it", "nexigroup.com"), False, r"\bnexi\b", "payment"),
    _v("Satispay", "Satispay", "IT", ("satispay.com",), False, r"satispay", "payment"),
    _v(
        "Worldline",
        "Worldline",
        "FR",
        ("worldline.com",),
        False,
        r"worldline|\bogone\b|\bsaferpay\b",
        "payment",
    ),
    _v("Bizum", "Bizum", "ES", ("bizum.es",), False, r"\bbizum\b", "payment"),
    _v("SumUp", "SumUp", "GB", ("sumup.com",), False, r"\bsumup\b", "payment"),
    _v("Payplug", "Payplug", "FR", ("payplug.com",), False, r"\bpayplug\b", "payment"),
    _v("Stancer", "Stancer", "FR", ("stancer.com",), False, r"\bstancer\b", "payment"),
    _v(
        "Lyra",
        "Lyra Network",
        "FR",
        ("lyra.com", "payzen.eu"),
        False,
        r"lyra network|lyra collect|\bpayzen\b|\blyra\b",
        "payment",
        True,
        keys=("lyra", "payzen"),
    ),
    _v("Unzer", "Unzer", "DE", ("unzer.com",), False, r"\bunzer\b|\bheidelpay\b", "payment"),
    _v("Scalapay", "Scalapay", "IT", ("scalapay.com",), False, r"scalapay", "payment"),
    _v(
        "Alma",
        "Alma",
        "FR",
        ("getalma.eu", "almapay.com"),
        False,
        r"\balma (?:sas|pay)\b|getalma|\balma\b",
        "payment",
        True,
        keys=("alma", "getalma"),
    ),
    _v(
        "Square",
        "Block",
        "US",
        ("squareup.com",),
        False,
        r"^square$|squareup|square,? inc\b|square (?:payments|pos|point of sale)",
        "payment",
        False,
        keys=("square",),
    ),
    _v("Braintree", "PayPal", "US", ("braintreegateway.com",), False, r"\bbraintree\b", "payment"),
    _v(
        "Amazon Pay",
        "Amazon",
        "US",
        ("pay.amazon.com",),
        False,
        r"amazon pay(?:ments)?\b",
        "payment",
        False,
        keys=("amazon",),
    ),
    _v(
        "Checkout.com",
        "Checkout.com",
        "GB",
        ("checkout.com",),
        False,
        r"checkout\.com",
        "payment",
        False,
        keys=("checkout",),
    ),
    _v(
        "Viva Wallet",
        "Viva Wallet",
        "GR",
        ("vivawallet.com",),
        False,
        r"viva wallet|\bviva\.com",
        "payment",
        False,
        keys=("viva",),
    ),
    _v("Przelewy24", "PayPro", "PL", ("przelewy24.pl",), False, r"przelewy ?24", "payment"),
    _v("PayU", "PayU", "NL", ("payu.com",), False, r"\bpayu\b", "payment"),
    _v("Twint", "Twint", "CH", ("twint.ch",), False, r"\btwint\b", "payment"),
    _v("Mailgun", "Sinch", "US", ("mailgun.com", "mailgun.net"), False, r"mailgun", "crm"),
    _v("Mandrill", "Intuit", "US", ("mandrillapp.com",), False, r"mandrill", "crm"),
    _v(
        "Amazon SES",
        "Amazon",
        "US",
        (),
        False,
        r"amazon ses\b|amazon simple email",
        "crm",
        False,
        keys=("amazon",),
    ),
    _v("SparkPost", "Bird", "US", ("sparkpost.com",), False, r"sparkpost", "crm"),
    _v("MailerLite", "MailerLite", "LT", ("mailerlite.com",), False, r"mailerlite", "crm"),
    _v("CleverReach", "CleverReach", "DE", ("cleverreach.com",), False, r"cleverreach", "crm"),
    _v("rapidmail", "rapidmail", "DE", ("rapidmail.de",), False, r"\brapidmail\b", "crm"),
    _v(
        "ActiveCampaign",
        "ActiveCampaign",
        "US",
        ("activecampaign.com",),
        False,
        r"activecampaign|active campaign,? (?:llc|inc)|^active ?campaign$",
        "crm",
        False,
        keys=("active",),
    ),
    _v(
        "Campaign Monitor", "Marigold", "US", ("createsend.com",), False, r"campaign monitor", "crm"
    ),
    _v(
        "Constant Contact",
        "Constant Contact",
        "US",
        ("constantcontact.com",),
        False,
        r"constantcontact|constant contact,? (?:inc|llc)|^constant contact$",
        "crm",
        False,
        keys=("constant",),
    ),
    _v("GetResponse", "GetResponse", "PL", ("getresponse.com",), False, r"getresponse", "crm"),
    _v("Acumbamail", "Acumbamail", "ES", ("acumbamail.com",), False, r"acumbamail", "crm"),
    _v("Sinch", "Sinch", "SE", ("sinch.com",), False, r"\bsinch\b", "other"),
    _v("Infobip", "Infobip", "GB", ("infobip.com",), False, r"infobip", "other"),
    _v("Datadog", "Datadog", "US", ("datadoghq.com", "datadoghq.eu"), False, r"datadog", "other"),
    _v(
        "New Relic",
        "New Relic",
        "US",
        ("newrelic.com", "nr-data.net"),
        False,
        r"new ?relic",
        "other",
        False,
        keys=("relic", "newrelic"),
    ),
    _v("Bugsnag", "SmartBear", "US", ("bugsnag.com",), False, r"bugsnag", "other"),
    _v("LogRocket", "LogRocket", "US", ("logrocket.com",), False, r"logrocket", "analytics"),
    _v(
        "Atlassian",
        "Atlassian",
        "AU",
        ("atlassian.com", "atlassian.net"),
        False,
        r"atlassian|\bjira\b|confluence cloud|\btrello\b",
        "other",
        False,
        keys=("atlassian", "jira", "trello", "confluence"),
    ),
    _v(
        "Slack",
        "Slack Technologies",
        "US",
        ("slack.com",),
        False,
        r"slack technologies|slack\.com|\bslack\b",
        "chat",
        True,
        keys=("slack",),
    ),
    _v(
        "Help Scout",
        "Help Scout",
        "US",
        ("helpscout.net",),
        False,
        r"help ?scout",
        "chat",
        False,
        keys=("scout", "helpscout"),
    ),
    _v("Gorgias", "Gorgias", "US", ("gorgias.com",), False, r"gorgias", "chat"),
    _v("Trustpilot", "Trustpilot", "DK", ("trustpilot.com",), False, r"trustpilot", "other"),
    _v(
        "Trusted Shops",
        "Trusted Shops",
        "DE",
        ("trustedshops.com",),
        False,
        r"trusted ?shops",
        "other",
    ),
    _v(
        "Aruba",
        "Aruba",
        "IT",
        ("aruba.it",),
        False,
        # not the island: the company, its domain or the Italian preposition before it
        r"^aruba$|aruba s\.?p\.?a|aruba\.it|aruba pec\b|\b(?:da|presso|con|su|tramite|di) aruba\b",
        "hosting",
        False,
        keys=("aruba",),
    ),
    _v(
        "Register.it",
        "Register",
        "IT",
        ("register.it",),
        False,
        r"register\.it",
        "hosting",
        False,
        keys=("register",),
    ),
    _v(
        "Strato",
        "Strato",
        "DE",
        ("strato.de",),
        False,
        r"strato ag\b|strato\.de|^strato$|(?:bei|von|by|with|at|chez) strato\b",
        "hosting",
        False,
        keys=("strato",),
    ),
    _v("Hostinger", "Hostinger", "LT", ("hostinger.com",), False, r"hostinger", "hosting"),
    _v("SiteGround", "SiteGround", "BG", ("siteground.com",), False, r"siteground", "hosting"),
    _v("GoDaddy", "GoDaddy", "US", ("godaddy.com",), False, r"godaddy", "hosting"),
    _v(
        "All-Inkl",
        "ALL-INKL.COM",
        "DE",
        ("all-inkl.com",),
        False,
        r"all-?inkl",
        "hosting",
        False,
        keys=("inkl", "allinkl"),
    ),
    _v("netcup", "netcup", "DE", ("netcup.de",), False, r"\bnetcup\b", "hosting"),
    _v("Mittwald", "Mittwald", "DE", ("mittwald.de",), False, r"\bmittwald\b", "hosting"),
    _v("Host Europe", "Host Europe", "DE", ("hosteurope.de",), False, r"host europe", "hosting"),
    _v(
        "Raiola Networks",
        "Raiola Networks",
        "ES",
        ("raiolanetworks.es",),
        False,
        r"raiola",
        "hosting",
    ),
    _v("Hostpoint", "Hostpoint", "CH", ("hostpoint.ch",), False, r"hostpoint", "hosting"),
    _v("Alwaysdata", "Alwaysdata", "FR", ("alwaysdata.com",), False, r"alwaysdata", "hosting"),
    _v("Webflow", "Webflow", "US", ("webflow.com",), False, r"webflow", "hosting"),
    _v("Jimdo", "Jimdo", "DE", ("jimdo.com",), False, r"\bjimdo\b", "hosting"),
    _v("GitHub", "GitHub", "US", ("github.com", "github.io"), False, r"\bgithub\b", "hosting"),
    _v(
        "Bunny",
        "BunnyWay",
        "SI",
        ("bunny.net", "b-cdn.net"),
        False,
        r"bunny\.net|bunny ?cdn|bunnyway",
        "cdn",
        False,
        keys=("bunny",),
    ),
    _v("Cloudinary", "Cloudinary", "US", ("cloudinary.com",), False, r"cloudinary", "cdn"),
    _v("jsDelivr", "jsDelivr", "PL", ("jsdelivr.net",), False, r"jsdelivr", "cdn"),
    _v("Personio", "Personio", "DE", ("personio.de", "personio.com"), False, r"personio", "other"),
    _v(
        "Lucca",
        "Lucca",
        "FR",
        ("lucca.fr",),
        False,
        r"^lucca$|\blucca sas\b|logiciel lucca",
        "other",
        False,
        keys=("lucca",),
    ),
    _v(
        "Factorial",
        "Everyday Software",
        "ES",
        ("factorialhr.com",),
        False,
        r"^factorial$|factorial ?hr|factorial (?:software|technologies)",
        "other",
        False,
        keys=("factorial",),
    ),
    _v("PayFit", "PayFit", "FR", ("payfit.com",), False, r"\bpayfit\b", "other"),
    _v(
        "Sage",
        "Sage",
        "GB",
        ("sage.com",),
        False,
        r"^sage$|\bsage (?:group|paie|50|100|hr|business cloud)\b",
        "other",
        False,
        keys=("sage",),
    ),
    _v(
        "Workday",
        "Workday",
        "US",
        ("workday.com",),
        False,
        r"^workday$|workday,? inc|workday (?:hcm|recruiting)",
        "other",
        False,
        keys=("workday",),
    ),
    _v("Pipedrive", "Pipedrive", "EE", ("pipedrive.com",), False, r"pipedrive", "crm"),
    _v("Zoho", "Zoho", "IN", ("zoho.com", "zoho.eu"), False, r"\bzoho\b", "crm"),
    _v("Odoo", "Odoo", "BE", ("odoo.com",), False, r"\bodoo\b", "crm"),
    _v("Sellsy", "Sellsy", "FR", ("sellsy.com",), False, r"\bsellsy\b", "crm"),
    _v("Axonaut", "Axonaut", "FR", ("axonaut.com",), False, r"axonaut", "crm"),
    _v(
        "monday.com",
        "monday.com",
        "IL",
        ("monday.com",),
        False,
        r"monday\.com",
        "other",
        False,
        keys=("monday",),
    ),
    _v(
        "Asana",
        "Asana",
        "US",
        ("asana.com",),
        False,
        r"^asana$|asana,? inc|asana\.com",
        "other",
        False,
        keys=("asana",),
    ),
    _v(
        "Notion",
        "Notion Labs",
        "US",
        ("notion.so",),
        False,
        r"^notion$|notion labs|notion\.so",
        "other",
        False,
        keys=("notion",),
    ),
    _v("Airtable", "Airtable", "US", ("airtable.com",), False, r"airtable", "other"),
    _v("Dropbox", "Dropbox", "US", ("dropbox.com",), False, r"dropbox", "hosting"),
    _v("WeTransfer", "WeTransfer", "NL", ("wetransfer.com",), False, r"wetransfer", "hosting"),
    _v(
        "Box",
        "Box",
        "US",
        ("box.com",),
        False,
        r"^box$|\bbox,? inc\b|\bbox\.com\b",
        "hosting",
        False,
        keys=("box",),
    ),
    _v("Jotform", "Jotform", "US", ("jotform.com",), False, r"jotform", "other"),
    _v("SurveyMonkey", "Momentive", "US", ("surveymonkey.com",), False, r"survey ?monkey", "other"),
    _v("LimeSurvey", "LimeSurvey", "DE", ("limesurvey.org",), False, r"limesurvey", "other"),
    _v("Qualtrics", "Qualtrics", "US", ("qualtrics.com",), False, r"qualtrics", "other"),
    _v("DocuSign", "DocuSign", "US", ("docusign.com", "docusign.net"), False, r"docusign", "other"),
    _v("Yousign", "Yousign", "FR", ("yousign.com",), False, r"yousign", "other"),
    _v("Universign", "Universign", "FR", ("universign.com",), False, r"universign", "other"),
    _v(
        "Adobe Sign",
        "Adobe",
        "US",
        (),
        False,
        r"adobe (?:acrobat )?sign\b",
        "other",
        False,
        keys=("adobe",),
    ),
    _v(
        "Zoom",
        "Zoom Video Communications",
        "US",
        ("zoom.us",),
        False,
        r"^zoom$|zoom video|zoom\.us|\bzoom (?:meetings?|webinars?)\b|"
        r"(?:via|through|using|tramite|mediante|uber) zoom\b",
        "other",
        False,
        keys=("zoom",),
    ),
    _v(
        "Microsoft Teams",
        "Microsoft",
        "US",
        (),
        False,
        r"microsoft teams|\bms teams\b|^teams$",
        "other",
        False,
        keys=("teams",),
    ),
    _v("Webex", "Cisco", "US", ("webex.com",), False, r"\bwebex\b", "other"),
    _v("GoTo Meeting", "GoTo", "US", ("goto.com",), False, r"goto ?meeting|goto ?webinar", "other"),
    _v(
        "Whereby",
        "Whereby",
        "NO",
        ("whereby.com",),
        False,
        r"whereby\.com|^whereby$",
        "other",
        False,
        keys=("whereby",),
    ),
    _v("Moodle", "Moodle", "AU", ("moodle.com", "moodlecloud.com"), False, r"\bmoodle\b", "other"),
    _v("360Learning", "360Learning", "FR", ("360learning.com",), False, r"360 ?learning", "other"),
    _v("Eventbrite", "Eventbrite", "US", ("eventbrite.com",), False, r"eventbrite", "other"),
    _v("Weezevent", "Weezevent", "FR", ("weezevent.com",), False, r"weezevent", "other"),
    _v("HelloAsso", "HelloAsso", "FR", ("helloasso.com",), False, r"helloasso", "payment"),
    _v("Zenchef", "Zenchef", "FR", ("zenchef.com",), False, r"zenchef", "other"),
    _v(
        "CoverManager",
        "CoverManager",
        "ES",
        ("covermanager.com",),
        False,
        r"cover ?manager",
        "other",
    ),
    _v("Treatwell", "Treatwell", "GB", ("treatwell.com",), False, r"treatwell", "other"),
    _v("Planity", "Planity", "FR", ("planity.com",), False, r"\bplanity\b", "other"),
    _v("Xero", "Xero", "NZ", ("xero.com",), False, r"\bxero\b", "other"),
    _v("QuickBooks", "Intuit", "US", ("intuit.com",), False, r"quickbooks", "other"),
    _v("Pennylane", "Pennylane", "FR", ("pennylane.com",), False, r"pennylane", "other"),
    _v("Holded", "Holded", "ES", ("holded.com",), False, r"\bholded\b", "other"),
    _v(
        "Fatture in Cloud",
        "TeamSystem",
        "IT",
        ("fattureincloud.it",),
        False,
        r"fatture ?in ?cloud",
        "other",
        False,
        keys=("fatture",),
    ),
    _v("lexoffice", "Haufe", "DE", ("lexoffice.de",), False, r"lexoffice|lexware office", "other"),
    _v("sevDesk", "sevDesk", "DE", ("sevdesk.de",), False, r"sevdesk", "other"),
)
#: products of one company that a policy names separately (naming one does not name the other)
_GOOGLE_PRODUCTS = re.compile(
    r"google\s*(?:analytics|tag manager|ads|maps|fonts|optimize|signal|recaptcha)|youtube|"
    r"doubleclick|recaptcha|\bga4\b"
)
#: a social network given as an example ("e.g. logged in to Facebook") is not a vendor
_EXAMPLE = re.compile(
    r"(?:ad esempio|per esempio|for example|for instance|\be\.g\.|par exemple|zum beispiel|"
    r"z\. ?b\.|por ejemplo)[^.;]{0,60}$"
)

_TEXT_RES = tuple((v, re.compile(v.text)) for v in VENDORS)
_PATTERNS = {v.name: rx for v, rx in _TEXT_RES}
_WORD = re.compile(r"[a-z0-9]+")


def _triggers(pattern: str) -> set[str]:
    """The literal words of a vendor's pattern: a sentence without one cannot name it."""
    literal = re.sub(r"\\[a-zA-Z]|\[[^\]]*\]|\(\?[:!=<]*|[^a-z0-9]", " ", pattern)
    return set(re.findall(r"[a-z][a-z0-9]{1,}", literal))


_BY_WORD: dict[str, list[int]] = {}
for _i, (_vendor, _) in enumerate(_TEXT_RES):
    for _w in _vendor.keys or _triggers(_vendor.text):
        _BY_WORD.setdefault(_w, []).append(_i)


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


@cache
def vendor_country(vendor: Vendor) -> str:
    """The vendor's country: the classifier's knowledge base when it knows one of its domains
    (a two-letter code), else this table's."""
    from scanner.classify import KnowledgeBase

    kb = _knowledge()
    assert isinstance(kb, KnowledgeBase)
    for domain in vendor.domains:
        entry = kb.lookup_domain(domain)
        if entry is not None and re.fullmatch(r"[A-Z]{2}", entry.country) and entry.country != "EU":
            return entry.country
    return vendor.country


@cache
def _knowledge() -> object:
    from scanner.classify import KnowledgeBase

    return KnowledgeBase.load()


#: what a vendor of each kind is used for, in five languages: "para el chat de soporte usamos
#: Intercom" names Intercom as a vendor as surely as a sentence about cookies does
_KIND_CONTEXT: dict[str, re.Pattern[str]] = {
    kind: re.compile(words)
    for kind, words in {
        "chat": r"\bchat|messagerie|messaging|messenger|live support|support client|"
        r"service client|kundenservice|soporte|assistenza",
        "hosting": r"\bhost|heberg|gehostet|aloja|ospit|web esta en|sito e su|site est sur|"
        r"realizzat|realise|built (?:with|on)|erstellt mit|creado con",
        "social": r"partag|\bshare|teilen|compartir|condivi|reseaux sociaux|soziale|"
        r"redes sociales|social\b|bouton|button|plugin|"
        # an embedded feed: "le fil Instagram affiché en bas de page", "our Instagram feed"
        r"\bfil\b|\bfeed\b|\bflux\b|widget|timeline",
        "payment": r"paiement|payment|zahlung|pago|pagament",
        "video": r"video",
        "crm": r"newsletter|lettre d'information|e-?mailing|crm\b",
        "analytics": r"statisti|analytics|analyse|mesure d'audience|audience measurement",
        "advertising": r"publicit|advertis|werbung|anzeigen|pubblicit",
    }.items()
}


def vendor_position(vendor: Vendor, normalised: str) -> int:
    """Where a vendor is first named in a normalised text (0 if its pattern is not found)."""
    m = _PATTERNS[vendor.name].search(normalised)
    return m.start() if m else 0


def vendors_in_text(normalised: str, *, cookie_context: bool) -> list[Vendor]:
    """Vendors named in a normalised sentence; bare social names only in a cookie context."""
    found: list[Vendor] = []
    candidates = sorted(
        {
            i
            for word in set(_WORD.findall(normalised))
            for end in range(2, len(word) + 1)  # "ovhcloud" starts with "ovh"
            for i in _BY_WORD.get(word[:end], ())
        }
    )
    for vendor, pattern in (_TEXT_RES[i] for i in candidates):
        if vendor.needs_context and not cookie_context:
            kind_words = _KIND_CONTEXT.get(vendor.kind)
            if kind_words is None or not kind_words.search(normalised):
                continue
        for m in pattern.finditer(normalised):
            if vendor.kind == "social" and _EXAMPLE.search(normalised[: m.start()]):
                continue
            if vendor.name == "Google" and _GOOGLE_PRODUCTS.search(normalised):
                break  # "Google LLC" beside the product it provides: the product is the vendor
            found.append(vendor)
            break
    return found


#: what a vendor is used for says what the cookies it sets are for (video players and maps
#: say nothing)
_KIND_CATEGORY = {
    "analytics": Category.ANALYTICS,
    "advertising": Category.TRACKING,
    "social": Category.TRACKING,
}


@lru_cache(maxsize=4096)
def category_of_last_vendor(normalised: str) -> Category | None:
    """The category of the vendor named last in a text ("... y el píxel de Meta (" ->
    tracking), or None when it is not an analytics, advertising or social vendor."""
    found = vendors_in_text(normalised, cookie_context=True)
    if not found:
        return None
    last = max(found, key=lambda v: max(m.start() for m in _PATTERNS[v.name].finditer(normalised)))
    return _KIND_CATEGORY.get(last.kind)


@lru_cache(maxsize=4096)
def category_of_vendors(normalised: str) -> Category | None:
    """The one category the vendors named in a text are used for ("Hotjar": analytics, "le
    pixel Meta": tracking), or None when they name none or several."""
    kinds = {v.kind for v in vendors_in_text(normalised, cookie_context=True)}
    cats = {_KIND_CATEGORY[k] for k in kinds if k in _KIND_CATEGORY}
    return cats.pop() if len(cats) == 1 else None
