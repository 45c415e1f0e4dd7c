"""Several sources of one site's policy (its YAML declaration, its privacy and cookie pages)
into one DeclaredPolicy. The owner's declaration wins wherever both speak; quotes are kept."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from scanner.policy.declared import DeclaredPolicy, Flag, Origin

T = TypeVar("T")


def _union(lists: Sequence[list[T]], key: Callable[[T], Hashable]) -> list[T]:
    seen: set[Hashable] = set()
    out: list[T] = []
    for items in lists:
        for item in items:
            k = key(item)
            if k not in seen:
                seen.add(k)
                out.append(item)
    return out


def _first_flag(
    policies: Sequence[DeclaredPolicy], get: Callable[[DeclaredPolicy], Flag | None]
) -> Flag | None:
    return next((f for p in policies if (f := get(p)) is not None), None)


def merge_policies(policies: Sequence[DeclaredPolicy]) -> DeclaredPolicy | None:
    """None for no policy at all; one policy is returned as is."""
    if not policies:
        return None
    if len(policies) == 1:
        return policies[0]
    # declarations first: every "first wins" below then lets the owner's file win
    ordered = sorted(policies, key=lambda p: p.origin is not Origin.DECLARATION)
    declared = [p for p in ordered if p.origin is Origin.DECLARATION]
    transfers_from = [p for p in declared if p.transfers] or ordered
    languages = [p.language for p in ordered if p.language]
    return DeclaredPolicy(
        origin=Origin.MERGED,
        owner_declaration=bool(declared) or any(p.owner_declaration for p in ordered),
        sources=_union([p.sources for p in ordered], lambda s: s),
        language=languages[0] if languages else None,
        mentions_cookies=any(p.mentions_cookies for p in ordered),
        categories=_union([p.categories for p in ordered], lambda c: c.category),
        vendors=_union([p.vendors for p in ordered], lambda v: v.name.lower()),
        cookies=_union(
            [p.cookies for p in ordered], lambda c: (c.name, (c.domain or "").lstrip("."))
        ),
        collects_personal_data=_first_flag(ordered, lambda p: p.collects_personal_data),
        audience_anonymised=_first_flag(ordered, lambda p: p.audience_anonymised),
        consent_exemption=_first_flag(ordered, lambda p: p.consent_exemption),
        storage_in_eu=_first_flag(ordered, lambda p: p.storage_in_eu),
        transfers=_union([p.transfers for p in transfers_from], lambda t: (t.kind, t.quote)),
        retention=_union([p.retention for p in ordered], lambda r: (r.kind, r.data, r.days)),
        contacts=_union([p.contacts for p in ordered], lambda c: c.email.lower()),
        rights=_union([p.rights for p in ordered], lambda r: r.right),
        notes=_union([p.notes for p in ordered], lambda n: n),
    )
