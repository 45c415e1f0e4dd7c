"""A `Set-Cookie` header value, or a string written to `document.cookie`, read as a record.

Only what the audit needs: which cookie (name, domain), and the lifetime the site asked for
before the browser capped it. What the browser finally stored comes from the browser itself.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

_ATTR_SPLIT = re.compile(r";\s*")


@dataclass(frozen=True)
class SetCookie:
    name: str
    domain: str
    path: str | None = None
    requested_lifetime_days: float | None = None


def parse_set_cookie(line: str, url: str, now: float) -> SetCookie | None:
    """One cookie line written by the response or script at `url`, at epoch `now`.

    The domain defaults to the URL's host; Max-Age wins over Expires (RFC 6265); an unreadable
    attribute is ignored, as browsers do. None for an empty line.
    """
    parts = _ATTR_SPLIT.split(line.strip())
    if not parts[0]:
        return None
    # No "=": browsers store a cookie with an empty name and this text as its value.
    name = parts[0].split("=", 1)[0].strip() if "=" in parts[0] else ""
    domain = (urlsplit(url).hostname or "").lower()
    path: str | None = None
    max_age: float | None = None
    expires: float | None = None
    for attr in parts[1:]:
        key, _, val = attr.partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "domain" and val:
            domain = val.lstrip(".").lower()
        elif key == "path" and val:
            path = val
        elif key == "max-age":
            with contextlib.suppress(ValueError):
                max_age = float(val)
        elif key == "expires":
            with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
                expires = parsedate_to_datetime(val).timestamp()
    lifetime: float | None = None
    if max_age is not None:
        lifetime = max_age / 86400
    elif expires is not None:
        lifetime = (expires - now) / 86400
    return SetCookie(
        name=name,
        domain=domain,
        path=path,
        requested_lifetime_days=None if lifetime is None else round(lifetime, 4),
    )


def content_length(headers: Mapping[str, object]) -> int | None:
    """The Content-Length of a response's headers (any case), None when absent or unreadable."""
    for key, value in headers.items():
        if key.lower() == "content-length":
            try:
                return int(str(value).split(",")[0])
            except ValueError:
                return None
    return None
