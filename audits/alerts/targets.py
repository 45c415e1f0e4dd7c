"""Where alerts go: `webhook:URL` and `email:ADDRESS`, parsed from one line of text.

The syntax (the CLI's `--alert` and the `alerts:` list of audits.yaml)::

    webhook:URL [kind=generic|slack|teams] [secret=env:NAME|file:PATH] [lang=en|fr]
    webhook:env:NAME [...]        the URL itself is read from $NAME when the alert is sent
    email:ADDRESS [lang=en|fr]

A URL never contains white space, so the options follow it separated by spaces. The payload
kind is detected from the host when not given (Slack: hooks.slack.com; Teams: Office 365
connectors and Power Automate workflows). Secrets are references, never values: a target is
stored in the registry and exported to files kept in git, so `secret=` names an environment
variable or a file (Docker/Kubernetes secrets), and a webhook URL that carries a token (Slack's
and Teams' URLs do) can be given as `env:NAME` too. Everything printed about a target
(`str`, `repr`, `redacted()`) hides the URL's path and query.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from audits.alerts.errors import AlertTargetError, DeliveryError
from reports.i18n import Lang


class WebhookKind(StrEnum):
    """The payload a webhook receives."""

    GENERIC = "generic"  # our JSON document (`Alert`), for scripts and ticketing systems
    SLACK = "slack"  # Slack incoming webhook: `text` + Block Kit `blocks`
    TEAMS = "teams"  # Teams workflow / incoming webhook: a message with an Adaptive Card


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# The WHATWG (HTML) definition of a valid e-mail address: what a browser's type=email accepts.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_TEAMS_HOSTS = (".webhook.office.com", ".logic.azure.com", ".powerplatform.com")


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where a secret lives (`env:NAME` or `file:PATH`); the secret itself is read only when
    an alert is sent, and never kept in a target."""

    source: Literal["env", "file"]
    name: str

    def __str__(self) -> str:
        return f"{self.source}:{self.name}"

    def resolve(self, environ: Mapping[str, str] | None = None) -> str:
        """The secret's value; a `DeliveryError` (not retried) naming the reference if absent."""
        if self.source == "env":
            value = (os.environ if environ is None else environ).get(self.name, "")
            if not value:
                raise DeliveryError(f"environment variable {self.name} is not set", retryable=False)
            return value
        try:
            value = Path(self.name).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
            raise DeliveryError(f"secret file {self.name}: {reason}", retryable=False) from None
        if not value:
            raise DeliveryError(f"secret file {self.name} is empty", retryable=False)
        return value


def parse_secret_ref(text: str, what: str) -> SecretRef:
    source, sep, name = text.partition(":")
    if not sep or source not in ("env", "file") or not name:
        raise AlertTargetError(
            f"{what}: expected env:NAME or file:PATH (a reference, never the secret itself)"
        )
    if source == "env" and not _ENV_NAME.match(name):
        # never repeat the value: it may be the secret itself, pasted where its reference goes
        raise AlertTargetError(
            f"{what}: env: takes the name of an environment variable (letters, digits and _, "
            "not starting with a digit), never the secret itself"
        )
    return SecretRef("env" if source == "env" else "file", name)


def redact_url(url: str) -> str:
    """`https://hooks.slack.com/… [3fa1c2d9]`: the host a reader needs, a fingerprint to tell
    two URLs apart, and nothing of the path or query that may hold a token."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if _safe_port(url) is not None else ""
    fingerprint = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{parts.scheme}://{host}{port}/\u2026 [{fingerprint}]"


def _safe_port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        return None


def detect_kind(url: str) -> WebhookKind:
    host = (urlsplit(url).hostname or "").lower()
    if host == "hooks.slack.com":
        return WebhookKind.SLACK
    if host.endswith(_TEAMS_HOSTS) or host in ("outlook.office.com", "outlook.office365.com"):
        return WebhookKind.TEAMS
    return WebhookKind.GENERIC


def check_webhook_url(url: str, what: str = "webhook") -> None:
    """An http(s) URL with a host, no spaces, no credentials and no fragment. The error names
    the problem, never the URL (it may hold a token)."""
    if any(c.isspace() for c in url):
        raise AlertTargetError(f"{what}: the URL contains white space")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise AlertTargetError(f"{what}: malformed URL (bad host or port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertTargetError(f"{what}: expected an http:// or https:// URL with a host name")
    if parts.username is not None or parts.password is not None:
        raise AlertTargetError(f"{what}: credentials in the URL are not supported (use secret=)")
    if parts.fragment or url.endswith("#"):
        raise AlertTargetError(f"{what}: a webhook URL has no #fragment")


@dataclass(frozen=True, slots=True, repr=False)
class WebhookTarget:
    """An HTTP endpoint that receives a JSON POST. Exactly one of `url` / `url_ref` is set."""

    url: str | None = None
    url_ref: SecretRef | None = None
    kind: WebhookKind | None = None  # None: detected from the host when sent
    secret: SecretRef | None = None  # signing key (Standard Webhooks); None: the default one
    lang: Lang | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.url_ref is None):
            raise AlertTargetError("webhook: give either a URL or env:NAME")
        if self.url is not None:
            check_webhook_url(self.url)

    def resolve_url(self, environ: Mapping[str, str] | None = None) -> str:
        if self.url is not None:
            return self.url
        assert self.url_ref is not None
        url = self.url_ref.resolve(environ)
        try:
            check_webhook_url(url, f"webhook {self.url_ref}")
        except AlertTargetError as exc:
            raise DeliveryError(str(exc), retryable=False) from None
        return url

    def resolve_kind(self, url: str) -> WebhookKind:
        return self.kind if self.kind is not None else detect_kind(url)

    def spec(self) -> str:
        """The full text form, parsed back to an equal target; holds the URL: store it, never
        print it (use `redacted()`)."""
        return _join(f"webhook:{self.url if self.url is not None else self.url_ref}", self)

    def redacted(self) -> str:
        where = redact_url(self.url) if self.url is not None else str(self.url_ref)
        return _join(f"webhook:{where}", self)

    __str__ = redacted

    def __repr__(self) -> str:
        return f"WebhookTarget({self.redacted()!r})"


@dataclass(frozen=True, slots=True)
class EmailTarget:
    """An address that receives a multipart (text and HTML) e-mail over SMTP."""

    address: str
    lang: Lang | None = None

    def __post_init__(self) -> None:
        if not _EMAIL.match(self.address):
            raise AlertTargetError(f"email: {self.address!r} is not an e-mail address")

    def spec(self) -> str:
        return _join(f"email:{self.address}", self)

    def redacted(self) -> str:
        return self.spec()

    def __str__(self) -> str:
        return self.spec()


AlertTarget = WebhookTarget | EmailTarget


def _join(head: str, target: WebhookTarget | EmailTarget) -> str:
    words = [head]
    if isinstance(target, WebhookTarget):
        if target.kind is not None and (
            target.url is None or detect_kind(target.url) != target.kind
        ):
            words.append(f"kind={target.kind.value}")
        if target.secret is not None:
            words.append(f"secret={target.secret}")
    if target.lang is not None:
        words.append(f"lang={target.lang.value}")
    return " ".join(words)


def _options(words: list[str], allowed: tuple[str, ...], channel: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise AlertTargetError(
                f"{channel}: expected options as key=value ({', '.join(allowed)})"
            )
        if key not in allowed:
            # not repeated: a word with '=' in it may be a pasted token (base64 ends in '=')
            raise AlertTargetError(
                f"{channel}: unknown option (expected key=value with a key among "
                f"{', '.join(allowed)})"
            )
        if key in options:
            raise AlertTargetError(f"{channel}: option {key!r} given twice")
        options[key] = value
    return options


def _lang(value: str | None, channel: str) -> Lang | None:
    if value is None:
        return None
    try:
        return Lang(value.lower())
    except ValueError:
        choices = ", ".join(x.value for x in Lang)
        raise AlertTargetError(f"{channel}: lang must be one of {choices}") from None


def parse_target(text: str) -> AlertTarget:
    """One alert target from its text form; `AlertTargetError` (exit 2) naming what is wrong.

    Error messages never repeat the URL: it may carry a token.
    """
    words = text.split()
    if not words:
        raise AlertTargetError("alert target is empty (expected webhook:URL or email:ADDRESS)")
    channel, sep, where = words[0].partition(":")
    channel = channel.lower()
    if not sep or channel not in ("webhook", "email"):
        raise AlertTargetError(
            "alert target must start with webhook: or email: (e.g. webhook:https://... or "
            "email:dpo@example.com)"
        )
    if not where:
        raise AlertTargetError(f"{channel}: nothing after '{channel}:'")
    if channel == "email":
        options = _options(words[1:], ("lang",), "email")
        return EmailTarget(address=where, lang=_lang(options.get("lang"), "email"))
    options = _options(words[1:], ("kind", "secret", "lang"), "webhook")
    kind: WebhookKind | None = None
    if "kind" in options:
        try:
            kind = WebhookKind(options["kind"].lower())
        except ValueError:
            choices = ", ".join(k.value for k in WebhookKind)
            raise AlertTargetError(f"webhook: kind must be one of {choices}") from None
    secret = parse_secret_ref(options["secret"], "webhook secret") if "secret" in options else None
    lang = _lang(options.get("lang"), "webhook")
    if where.startswith(("env:", "file:")):
        return WebhookTarget(
            url_ref=parse_secret_ref(where, "webhook URL"), kind=kind, secret=secret, lang=lang
        )
    target = WebhookTarget(url=where, kind=kind, secret=secret, lang=lang)
    if kind is not None and detect_kind(where) == kind:
        # the same target as without kind=: keeps spec() round trips and apply idempotent
        return WebhookTarget(url=where, kind=None, secret=secret, lang=lang)
    return target


def parse_targets(texts: list[str] | tuple[str, ...]) -> list[AlertTarget]:
    """Several targets, all or nothing (a bad one fails before anything is applied);
    duplicates are kept once."""
    targets: list[AlertTarget] = []
    for text in texts:
        target = parse_target(text)
        if target not in targets:
            targets.append(target)
    return targets
