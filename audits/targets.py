"""Alert targets as written on the command line (`webhook:URL`, `email:ADDRESS`).

Interim: the alerts package (`audits.alerts`) owns the target type and its parser; this
module keeps the registry usable until it lands and then only forwards to it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


def parse_target(text: str) -> str:
    """Validate one target; ValueError names what is wrong."""
    kind, sep, rest = text.partition(":")
    if not sep or kind not in ("webhook", "email"):
        raise ValueError(f"alert target must be webhook:URL or email:ADDRESS, got {text!r}")
    if kind == "webhook":
        parts = urlsplit(rest)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook target needs an http(s) URL, got {redact(text)!r}")
    elif not _EMAIL.match(rest):
        raise ValueError(f"email target needs an address such as dpo@example.com, got {text!r}")
    return text


def redact(text: str) -> str:
    """What listings and logs show: a webhook's path and query can be its secret."""
    kind, _, rest = text.partition(":")
    if kind != "webhook":
        return text
    parts = urlsplit(rest)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    hidden = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"webhook:{parts.scheme}://{host}{port}{hidden}"
