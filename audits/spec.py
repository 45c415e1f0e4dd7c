"""What an audit is: one typed, validated record shared by the CLI, `audit apply` files, the
store and the runner.

`AuditSpec` is the whole configuration of an audit (never its state or history). The same
model reads `--options`, YAML files and database rows, so a value that passes here passes
everywhere; a bad one fails with one line naming the audit and the field (exit 2).
"""

from __future__ import annotations

import re
from typing import Any, Self
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from audits.alerts import (
    AlertTarget,
    AlertTargetError,
    SecretRef,
    parse_secret_ref,
    parse_targets,
)
from audits.errors import AuditInputError
from audits.schedule import Schedule, parse_schedule
from scanner.browser import parse_resolve
from scanner.config import check_url, is_private_host
from scanner.errors import UsageError
from scanner.inputs import load_yaml
from scanner.model import Phase, Severity
from scanner.policy.declaration import DeclarationError, parse_declaration

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_EVERY = "weekly"
MAX_POLICY_BYTES = 256 * 1024
#: the shape of a consent API admin key (`consent_api.sites.KEY_FORMAT`), refused wherever it
#: appears in a key reference: `env:ca_...` would store the key itself
ADMIN_KEY_RE = re.compile(r"ca_[0-9a-f]{16}_")


class AuditSpec(BaseModel):
    """The configuration of one audit. Field order is the order of `audit export`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    url: str
    every: str = DEFAULT_EVERY
    max_pages: int = Field(default=20, ge=1, le=1000)
    depth: int = Field(default=3, ge=0, le=20)
    phases: tuple[Phase, ...] = (Phase.NONE, Phase.REJECT, Phase.ACCEPT)
    resolve: tuple[str, ...] = ()
    ignore_https_errors: bool = False
    allow_private: bool = False
    timeout: float = Field(default=900.0, gt=0, le=86400, description="run timeout, seconds")
    lang: str = "en"
    policy: str | None = Field(default=None, description="declared policy YAML (its text)")
    alerts: tuple[str, ...] = ()
    min_severity: Severity = Severity.MEDIUM
    consent_site: str | None = Field(default=None, description="consent API site key")
    consent_api: str | None = Field(
        default=None, description="the consent API the site's banner posts to (its URL)"
    )
    consent_api_key: str | None = Field(
        default=None,
        description="where an admin key of the site in that API is: env:NAME or file:PATH",
    )
    paused: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError(
                "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            check_url(value)
        except UsageError as exc:
            raise ValueError(str(exc).removeprefix("urls: ")) from None
        return value

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        try:
            return parse_schedule(value, "x").every
        except AuditInputError as exc:
            raise ValueError(str(exc).removeprefix("every: ")) from None

    @field_validator("phases", mode="before")
    @classmethod
    def _phases(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [p.strip() for p in value.split(",") if p.strip()]
        if not value:
            raise ValueError("at least one of none, reject, accept")
        return value

    @field_validator("phases")
    @classmethod
    def _phase_order(cls, value: tuple[Phase, ...]) -> tuple[Phase, ...]:
        order = list(Phase)
        return tuple(sorted(set(value), key=order.index))

    @field_validator("resolve")
    @classmethod
    def _resolve(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            parse_resolve(entry)  # ValueError names the entry
        return value

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        if value not in ("en", "fr"):
            raise ValueError(f"en or fr, got {value!r}")
        return value

    @field_validator("policy")
    @classmethod
    def _policy(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value.encode()) > MAX_POLICY_BYTES:
            raise ValueError(f"the declaration is larger than {MAX_POLICY_BYTES // 1024} KiB")
        try:
            parse_declaration(value, "policy")
        except DeclarationError as exc:
            raise ValueError(str(exc).removeprefix("policy: ")) from None
        return value

    @field_validator("alerts")
    @classmethod
    def _alerts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Stored in their canonical text form (so `apply` of an export changes nothing)."""
        try:
            return tuple(t.spec() for t in parse_targets(value))
        except AlertTargetError as exc:
            raise ValueError(str(exc)) from None

    def targets(self) -> list[AlertTarget]:
        return parse_targets(self.alerts)

    def redacted_alerts(self) -> list[str]:
        """What listings show: a webhook's URL may hold its token."""
        return [t.redacted() for t in self.targets()]

    @field_validator("consent_site")
    @classmethod
    def _consent_site(cls, value: str | None) -> str | None:
        if value is not None and ADMIN_KEY_RE.search(value):
            raise ValueError("this is an admin key: give the site's public key (pk_...)")
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{4,64}", value):
            # not repeated: whatever was pasted here may be a secret
            raise ValueError(
                "expected a consent API site key (pk_...: 4 to 64 letters, digits, _ or -)"
            )
        return value

    @field_validator("consent_api")
    @classmethod
    def _consent_api(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                check_url(value)
            except UsageError as exc:
                raise ValueError(str(exc).removeprefix("urls: ")) from None
        return value

    @field_validator("consent_api_key")
    @classmethod
    def _consent_api_key(cls, value: str | None) -> str | None:
        return None if value is None else consent_api_key_reference(value)

    def consent_api_key_ref(self) -> SecretRef | None:
        return parse_secret_ref(self.consent_api_key, "") if self.consent_api_key else None

    @model_validator(mode="after")
    def _consent_api_pair(self) -> Self:
        if (self.consent_api is None) != (self.consent_api_key is None):
            raise ValueError(
                "consent_api and consent_api_key go together (the API's URL, and where an "
                "admin key of the site in that API is)"
            )
        return self

    @model_validator(mode="after")
    def _private(self) -> Self:
        host = urlsplit(self.url).hostname or ""
        if self.allow_private or not is_private_host(host):
            return self
        for entry in self.resolve:
            pattern = parse_resolve(entry)[0]
            if pattern == host or (pattern.startswith("*") and host.endswith(pattern[1:])):
                return self
        raise ValueError(
            f"{self.url} is a private or loopback address; set allow_private to audit it"
        )

    @property
    def schedule(self) -> Schedule:
        return parse_schedule(self.every, self.name)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def to_document(self) -> dict[str, Any]:
        """Plain data for `audit export` and the store: defaults left out, policy as YAML."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data["name"], data["url"] = self.name, self.url
        if self.policy is not None:
            data["policy"] = load_yaml(self.policy)
        return {k: data[k] for k in type(self).model_fields if k in data}


def default_name(url: str) -> str:
    """`https://www.shop.test/fr/` -> `shop.test`."""
    host = (urlsplit(url).hostname or "site").lower()
    return host.removeprefix("www.")[:64] or "site"


def consent_api_key_reference(value: str) -> str:
    """The stored form of ``consent_api_key``: a reference, never the key (the spec is stored,
    exported and printed). Raises ``ValueError`` whose message never repeats the value (it may
    be the key itself); the dashboard's form checks its field with it too."""
    if ADMIN_KEY_RE.search(value):
        raise ValueError("this is a key itself: give env:NAME or file:PATH where it is kept")
    try:
        return str(parse_secret_ref(value, "consent_api_key"))
    except AlertTargetError as exc:
        raise ValueError(str(exc).removeprefix("consent_api_key: ")) from None


def build_spec(data: dict[str, Any], where: str = "") -> AuditSpec:
    """Validate plain data into a spec; any problem is one line naming the field (exit 2)."""
    data = dict(data)
    policy = data.get("policy")
    if isinstance(policy, str):
        try:
            policy = load_yaml(policy)
        except yaml.YAMLError:
            policy = data["policy"]  # the validator names the YAML problem
    if isinstance(policy, dict):
        data["policy"] = canonical_policy(policy)
    try:
        return AuditSpec.model_validate(data)
    except ValidationError as exc:
        raise AuditInputError(f"{where}{first_error(exc)}") from None


def canonical_policy(policy: Any) -> str:
    """The stored form of a declaration: its YAML re-dumped with sorted keys, so the same
    declaration applied from a file or inline is the same text (and `apply` stays idempotent)."""
    return yaml.safe_dump(policy, sort_keys=True, allow_unicode=True, width=100)


def first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    err = errors[0]
    loc = ".".join(str(x) for x in err["loc"]) or "audit"
    message = str(err["msg"]).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc}: {message}{more}"
