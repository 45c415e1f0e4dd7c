from __future__ import annotations

import pytest

from scanner.model import ValueShape
from scanner.values import describe_value, shannon_entropy


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ("", ValueShape.EMPTY),
        ("true", ValueShape.BOOLEAN),
        ("1", ValueShape.BOOLEAN),
        ("42.5", ValueShape.NUMERIC),
        ("1700000000", ValueShape.TIMESTAMP),
        ("1700000000123", ValueShape.TIMESTAMP),
        ("GA1.1.123456789.1700000000", ValueShape.GA),
        ("GS1.1.1700000000.1.0.1700000000.0.0.0", ValueShape.GA),
        ("fb.1.1700000000000.123456789", ValueShape.FB),
        ("550e8400-e29b-41d4-a716-446655440000", ValueShape.UUID),
        ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", ValueShape.UUID),
        ("deadbeef0042", ValueShape.HEX),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", ValueShape.JWT),
        ('{"a": 1}', ValueShape.JSON),
        ("%7B%22a%22%3A1%7D", ValueShape.JSON),
        ("dGhpcyBpcyBhIHRlc3Q1", ValueShape.BASE64),
        ("a=b&c=d", ValueShape.URLENCODED),
        ("en", ValueShape.TEXT),
        ("hello world", ValueShape.TEXT),
    ],
)
def test_shapes(value: str, shape: ValueShape) -> None:
    assert describe_value(value).shape is shape


def test_json_nested_deeper_than_the_parser_goes_is_not_a_crash() -> None:
    """A site chooses its cookie and storage values: `[[[[...` in one raised RecursionError
    out of the recorder and the whole scan ended with a traceback."""
    assert describe_value("[" * 5000).shape is ValueShape.TEXT
    assert describe_value("%5B" * 3000).shape is ValueShape.URLENCODED
    assert describe_value('{"a":' * 3000).shape is ValueShape.TEXT


def test_value_not_kept_by_default() -> None:
    info = describe_value("secret-session-id")
    assert info.value is None
    assert info.length == len("secret-session-id")
    assert describe_value("secret", keep=True).value == "secret"


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("ab") == pytest.approx(1.0)
    assert shannon_entropy("0123456789abcdef") == pytest.approx(4.0)
