"""DeclaredPolicy: what a site promises, as one typed record.

It comes from two places (the owner's YAML declaration, the site's own policy pages) and is
compared with what the scan observed. Every declaration keeps the sentence it came from
(`quote`) and where that sentence was (`source`), because a finding that contradicts a policy
must be able to show the words it relies on.

Stored in `scan.json` as `policy.model_dump(mode="json")` (`Scan.declared_policy`) and read
back with `DeclaredPolicy.model_validate(...)`.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from scanner.model import Category


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Declaration(_Record):
    """Base of every declaration: the words it came from and where they were."""

    quote: str | None = Field(default=None, description="the policy sentence it came from")
    source: str | None = Field(default=None, description="file or URL of the policy")
    confidence: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="how sure the reading is: 1 for the owner's YAML declaration, less for "
        "what was read in policy text",
    )


class Origin(StrEnum):
    """Who said it: the owner's YAML file wins over what was read in the policy text."""

    DECLARATION = "declaration"  # a YAML declaration written by the site owner
    EXTRACTED = "extracted"  # read from a policy page or document
    MERGED = "merged"


class TransferKind(StrEnum):
    NONE = "none"  # "no transfer outside the EU"
    SAFEGUARDS = "safeguards"  # outside the EU under SCCs / adequacy / BCRs
    COUNTRIES = "countries"  # names non-EU countries (e.g. United States) without safeguards
    OUTSIDE_EU = "outside_eu"  # transfers outside the EU, neither countries nor safeguards said


class Flag(Declaration):
    """A yes/no claim (e.g. "this site does not collect any personal data" -> value False)."""

    value: bool


class DeclaredCategory(Declaration):
    category: Category


class DeclaredVendor(Declaration):
    name: str
    country: str | None = Field(default=None, description="ISO 3166 alpha-2, when known")
    kind: str | None = Field(
        default=None,
        description="analytics | advertising | social | video | maps | chat | hosting | cdn | "
        "payment | crm | captcha | consent | fonts | tag_manager | other",
    )


class DeclaredCookie(Declaration):
    name: str = Field(description="cookie name; shell wildcards allowed: '_ga_*'")
    domain: str | None = None
    category: Category | None = None
    lifetime_days: float | None = Field(default=None, ge=0)
    session: bool = Field(default=False, description="declared as a browser-session cookie")
    listed: bool = Field(
        default=True,
        description="part of a cookie list (a table, a list, the YAML declaration, or prose "
        "that names several cookies); False: one name mentioned in passing, which declares that "
        "cookie but does not make the policy a list other cookies are missing from",
    )


class DeclaredTransfer(Declaration):
    kind: TransferKind
    countries: list[str] = Field(default_factory=list, description="ISO 3166 alpha-2")
    safeguards: list[str] = Field(
        default_factory=list, description="scc | adequacy | bcr | dpf | consent"
    )


class DeclaredRetention(Declaration):
    data: str = Field(description="what is kept, in the policy's words")
    kind: str = Field(
        default="personal_data",
        description="backups | technical | billing | marketing | recruitment | cookies | "
        "cctv | access_control | support | litigation | customer | personal_data",
    )
    days: float = Field(ge=0)


class DeclaredContact(Declaration):
    email: str
    role: str = Field(default="contact", description="dpo | contact | authority")


class DeclaredRight(Declaration):
    right: str = Field(
        description="access | rectification | erasure | restriction | portability | "
        "objection | withdraw_consent | complaint | post_mortem"
    )


class DeclaredPolicy(_Record):
    """Everything a site says about cookies and personal data, each with its quote."""

    origin: Origin = Origin.EXTRACTED
    owner_declaration: bool = Field(
        default=False, description="the site owner's YAML declaration is part of it"
    )
    sources: list[str] = Field(default_factory=list)
    language: str | None = Field(default=None, description="fr | en | de | es | it | None")
    mentions_cookies: bool = Field(
        default=False, description="the policy has something to say about cookies"
    )
    categories: list[DeclaredCategory] = Field(default_factory=list)
    vendors: list[DeclaredVendor] = Field(default_factory=list)
    cookies: list[DeclaredCookie] = Field(default_factory=list)
    collects_personal_data: Flag | None = None
    audience_anonymised: Flag | None = None
    consent_exemption: Flag | None = Field(
        default=None, description="claims audience measurement is exempt from consent (CNIL)"
    )
    storage_in_eu: Flag | None = None
    transfers: list[DeclaredTransfer] = Field(default_factory=list)
    retention: list[DeclaredRetention] = Field(default_factory=list)
    contacts: list[DeclaredContact] = Field(default_factory=list)
    rights: list[DeclaredRight] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what could not be read, and why")

    # --- convenience views for rules and reports ------------------------------------------

    def category_set(self) -> set[Category]:
        return {c.category for c in self.categories}

    def names_vendor(self, needle: str) -> DeclaredVendor | None:
        needle = needle.lower()
        return next((v for v in self.vendors if needle in v.name.lower()), None)

    @property
    def promises_no_transfer(self) -> DeclaredTransfer | None:
        """The "no transfer outside the EU" declaration, unless another one admits a transfer."""
        if any(t.kind is not TransferKind.NONE for t in self.transfers):
            return None
        return next((t for t in self.transfers if t.kind is TransferKind.NONE), None)

    def is_empty(self) -> bool:
        return not (
            self.categories
            or self.vendors
            or self.cookies
            or self.collects_personal_data
            or self.audience_anonymised
            or self.consent_exemption
            or self.storage_in_eu
            or self.transfers
            or self.retention
            or self.contacts
            or self.rights
        )
