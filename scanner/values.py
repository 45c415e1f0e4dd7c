"""Reduce a cookie or storage value to length, entropy and shape (data minimisation).

The audit needs to know *what kind* of value a cookie holds (an identifier? a GA client id? a
JSON consent record?), not the value itself. The classifier calls this in bulk, so the checks
are ordered cheapest first and use precompiled patterns.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter

from scanner.model import ValueInfo, ValueShape

_UUID = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
_HEX = re.compile(r"[0-9a-fA-F]{8,}")
_B64 = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_GA = re.compile(r"(GA|GS)\d\.\d\.[\w.$-]+")
_FB = re.compile(r"fb\.\d\.\d{10,13}\.\d+")
_TS = re.compile(r"\d{10}|\d{13}")
_NUM = re.compile(r"-?\d+(\.\d+)?")
_URLENC = re.compile(r"(%[0-9A-Fa-f]{2}|[^=&\s]+=[^&\s]*&)")
_BOOLEANS = frozenset({"true", "false", "yes", "no", "0", "1", "on", "off"})


def shannon_entropy(value: str) -> float:
    """Bits per character: high for random identifiers, low for words and flags."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def value_shape(value: str) -> ValueShape:
    """The most specific shape that matches the whole value."""
    v = value.strip()
    if not v:
        return ValueShape.EMPTY
    if v.lower() in _BOOLEANS:
        return ValueShape.BOOLEAN
    if _TS.fullmatch(v):
        return ValueShape.TIMESTAMP
    if _NUM.fullmatch(v):
        return ValueShape.NUMERIC
    if _GA.fullmatch(v):
        return ValueShape.GA
    if _FB.fullmatch(v):
        return ValueShape.FB
    if _UUID.fullmatch(v):
        return ValueShape.UUID
    if _JWT.fullmatch(v):
        return ValueShape.JWT
    if v[0] in "{[" or v.startswith(("%7B", "%7b", "%5B", "%5b")):
        text = v
        if v[0] == "%":
            from urllib.parse import unquote

            text = unquote(v)
        try:
            json.loads(text)
        except (ValueError, RecursionError):  # nested deeper than the parser goes: not a crash
            pass
        else:
            return ValueShape.JSON
    if _HEX.fullmatch(v):
        return ValueShape.HEX
    if _B64.fullmatch(v) and any(c.isdigit() for c in v) and any(c.isalpha() for c in v):
        return ValueShape.BASE64
    if _URLENC.search(v):
        return ValueShape.URLENCODED
    return ValueShape.TEXT


def describe_value(value: str, keep: bool = False) -> ValueInfo:
    """Length, entropy and shape; the value itself only when `keep` (`--keep-values`)."""
    return ValueInfo(
        length=len(value),
        entropy=round(shannon_entropy(value), 3),
        shape=value_shape(value),
        value=value if keep else None,
    )
