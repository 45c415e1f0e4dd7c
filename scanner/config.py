"""One typed, frozen settings object for a scan, validated once at the start.

Every bad value fails here with a message naming the field and what it accepts (UsageError ->
exit code 2), so the crawler never meets a half-valid option mid-scan.

Private addresses: a scanner exposed as a service must not be turned against the machine's own
network. A target whose host is not a public address is refused unless `allow_private` is set:
`localhost`, an IP literal in any of the spellings Chromium accepts (`127.1`, `2130706433`,
`0x7f.0.0.1`, `[::ffff:127.0.0.1]`, a root dot), or a name that resolves, when the scan starts,
to such an address. `--resolve` counts as consent for the names it maps (the operator chose
where they go), which is how the tests and `demo` reach the local web under public-looking names.
The crawler applies the same rule to every page it is about to visit (a sub-domain of the site
whose name resolves to the LAN is not visited). Not covered: what a page does once loaded
(redirects, subresources), and a name whose DNS answer changes between the check and
Chromium's own lookup.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.browser import BrowserOptions, parse_resolve
from scanner.errors import UsageError
from scanner.model import Phase, Severity

ALL_PHASES: tuple[Phase, ...] = (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
LANGS = ("en", "fr")
MAX_DWELL = 60.0


@dataclass(frozen=True)
class ScanSettings:
    urls: tuple[str, ...]
    max_pages: int = 20
    max_depth: int = 3
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seed: int = 0
    page_timeout: float = 15.0
    scan_timeout: float = 300.0
    banner_timeout: float = 5.0
    concurrency: int = 2
    resolve: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    keep_values: bool = False
    out_dir: Path = Path("results")
    policy_file: Path | None = None
    lang: str = "en"
    fail_on: Severity | None = None
    phases: tuple[Phase, ...] = ALL_PHASES
    allow_private: bool = False
    executable: str | None = None
    max_body_bytes: int = 20_000_000
    sitemap: bool = True
    dwell: float = 3.0
    #: the consent API the site's banner uses, and an admin key of that site: the records of
    #: the banner's clicks are read back from it (the key is only ever sent there)
    consent_api: str | None = None
    consent_api_key: str | None = field(default=None, repr=False)
    _include_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _exclude_re: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.urls:
            raise UsageError("urls: give at least one URL to scan")
        for url in self.urls:
            check_url(url)
        _positive_int("max_pages", self.max_pages)
        if self.max_depth < 0:
            raise UsageError(f"max_depth: must be 0 or more, got {self.max_depth}")
        _positive_int("concurrency", self.concurrency)
        if self.concurrency > 16:
            raise UsageError(f"concurrency: at most 16, got {self.concurrency}")
        for name in ("page_timeout", "scan_timeout", "banner_timeout"):
            value = getattr(self, name)
            if not value > 0:
                raise UsageError(f"{name}: must be a positive number of seconds, got {value}")
        if not 0 <= self.dwell <= MAX_DWELL:
            raise UsageError(f"dwell: seconds from 0 to {MAX_DWELL:g}, got {self.dwell}")
        for entry in self.resolve:
            try:
                parse_resolve(entry)
            except ValueError as exc:
                raise UsageError(f"resolve: {exc}") from None
        if self.lang not in LANGS:
            raise UsageError(f"lang: one of {', '.join(LANGS)}, got {self.lang!r}")
        if not self.phases:
            raise UsageError("phases: at least one of none, reject, accept")
        if self.policy_file is not None and not self.policy_file.is_file():
            raise UsageError(f"policy_file: no such file {self.policy_file}")
        if self.consent_api_key is not None and not self.consent_api:
            raise UsageError(
                "consent_api_key: give --consent-api URL too (the key is only sent to that API)"
            )
        if self.consent_api is not None:
            try:
                check_url(self.consent_api)
            except UsageError as exc:
                raise UsageError(f"consent_api{str(exc).removeprefix('urls')}") from None
        object.__setattr__(self, "_include_re", _compile("include", self.include))
        object.__setattr__(self, "_exclude_re", _compile("exclude", self.exclude))
        if not self.allow_private:
            for url in self.urls:
                host = urlsplit(url).hostname or ""
                if self.resolved(host):
                    continue
                if is_private_host(host):
                    raise UsageError(
                        f"urls: {url} is a private or loopback address; pass --allow-private "
                        "to scan it (refused by default so a scanner service cannot be turned "
                        "against its own network)"
                    )
                address = private_address_of(host)
                if address is not None:
                    raise UsageError(
                        f"urls: {url}: {host} resolves to the non-public address {address}; "
                        "pass --allow-private to scan it (refused by default so a scanner "
                        "service cannot be turned against its own network)"
                    )

    def refuses_nothing(self) -> bool:
        """Whether no host can be refused: ``--allow-private``, or ``--resolve '*:...'`` (every
        host goes where the operator chose)."""
        return self.allow_private or any(parse_resolve(e)[0] == "*" for e in self.resolve)

    def resolved(self, host: str) -> bool:
        """Whether a `--resolve` entry names ``host`` (the operator chose where it goes)."""
        for entry in self.resolve:
            pattern = parse_resolve(entry)[0]
            if pattern == host or (pattern.startswith("*") and host.endswith(pattern[1:])):
                return True
        return False

    def url_allowed(self, url: str) -> bool:
        """Include patterns (any must match, when given) then exclude patterns (none may)."""
        if self._include_re and not any(p.search(url) for p in self._include_re):
            return False
        return not any(p.search(url) for p in self._exclude_re)

    def browser_options(self) -> BrowserOptions:
        return BrowserOptions(
            executable=self.executable,
            resolve=self.resolve,
            ignore_https_errors=self.ignore_https_errors,
        )

    def as_options(self) -> dict[str, object]:
        """What goes into `scan.options` (plain JSON)."""
        return {
            "max_pages": self.max_pages,
            "max_depth": self.max_depth,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "seed": self.seed,
            "page_timeout": self.page_timeout,
            "scan_timeout": self.scan_timeout,
            "concurrency": self.concurrency,
            "dwell": self.dwell,
            "resolve": list(self.resolve),
            "ignore_https_errors": self.ignore_https_errors,
            "keep_values": self.keep_values,
            "phases": [p.value for p in self.phases],
            "lang": self.lang,
            "allow_private": self.allow_private,
            "consent_api": self.consent_api,  # never the key
        }


def _positive_int(name: str, value: int) -> None:
    if not isinstance(value, int) or value < 1:
        raise UsageError(f"{name}: must be a whole number of 1 or more, got {value!r}")


def _compile(name: str, patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in patterns:
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise UsageError(f"{name}: invalid regular expression {p!r}: {exc}") from None
    return tuple(out)


def check_url(url: str) -> None:
    """http(s) URL with a host; anything else is a usage error (exit 2)."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise UsageError(f"urls: malformed URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"urls: expected an http(s) URL with a host name, got {url!r}")
    if any(c.isspace() for c in url):
        raise UsageError(f"urls: malformed URL {url!r} (contains spaces)")


def host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address an IP-literal host stands for, as a browser reads it, else None.

    Browsers parse a host whose last label is numeric as IPv4 the way `inet_aton` does, so
    `127.1`, `0x7f.0.0.1`, `0177.0.0.1` and `2130706433` are all 127.0.0.1; one root dot is
    ignored; like a browser's URL parser (UTS 46), full-width or circled digits and the
    ideographic full stop are read as their ASCII forms first.
    """
    host = _ascii_form(host).strip("[]")
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    last = host.rsplit(".", 1)[-1]
    if not (last.isdigit() or (last.startswith("0x") and _HEX.fullmatch(last[2:]))):
        return None
    if not _IPV4_ISH.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


_HEX = re.compile(r"[0-9a-f]*")
_IPV4_ISH = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")


def _ascii_form(host: str) -> str:
    return unicodedata.normalize("NFKC", host).translate(_DOTS).lower()


_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def is_private_host(host: str) -> bool:
    """`localhost` (and its sub-domains), or an IP literal that is not a public address."""
    name = _ascii_form(host).rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    ip = host_address(host)
    return ip is not None and not ip.is_global


def private_address_of(host: str) -> str | None:
    """The first non-public address ``host`` resolves to now, else None (nor when it does not
    resolve: the browser's own lookup fails the same way and the page is skipped)."""
    try:
        infos = socket.getaddrinfo(host.rstrip("."), None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        try:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        except ValueError:
            continue
        if not address.is_global:
            return str(address)
    return None
