"""What a site declares about cookies and personal data, and where a scan contradicts it.

Two ways in: a YAML declaration written by the owner (`load_declaration`) and the site's own
policy pages (`extract_policy`, found by the crawler through `policy_link_kind`); they merge
into one `DeclaredPolicy` (`merge_policies`), and `check` turns a scan plus that policy into
findings with evidence.
"""

from __future__ import annotations

from scanner.policy.declaration import DeclarationError, load_declaration, starter_declaration
from scanner.policy.declared import (
    DeclaredCategory,
    DeclaredContact,
    DeclaredCookie,
    DeclaredPolicy,
    DeclaredRetention,
    DeclaredRight,
    DeclaredTransfer,
    DeclaredVendor,
    Flag,
    Origin,
    TransferKind,
)
from scanner.policy.extract import extract_policy
from scanner.policy.links import policy_link_kind
from scanner.policy.merge import merge_policies
from scanner.policy.rules import RULES, Rule, check, make_finding

__all__ = [
    "RULES",
    "DeclarationError",
    "DeclaredCategory",
    "DeclaredContact",
    "DeclaredCookie",
    "DeclaredPolicy",
    "DeclaredRetention",
    "DeclaredRight",
    "DeclaredTransfer",
    "DeclaredVendor",
    "Flag",
    "Origin",
    "Rule",
    "TransferKind",
    "check",
    "extract_policy",
    "load_declaration",
    "make_finding",
    "merge_policies",
    "policy_link_kind",
    "starter_declaration",
]
