"""The README's alerts section: every setting documented, and its verification recipe works
on a real signed delivery (both secret forms)."""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Any

import pytest

from audits.alerts.settings import PREFIX, VARIABLES
from audits.alerts.signing import signature_headers

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{PREFIX}{name}`" in README


def _recipe() -> Any:
    block = README.split("<!-- verify-recipe -->", 1)[1].split("```python\n", 1)[1]
    code = block.split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # the documented code, as written
    return namespace["verify"]


@pytest.mark.parametrize(
    "secret", ["whsec_" + base64.b64encode(b"k" * 32).decode(), "a plain shared secret"]
)
def test_the_readme_recipe_verifies_our_signatures(secret: str) -> None:
    verify = _recipe()
    body = b'{"type":"cookie_audit.alert"}'
    headers = signature_headers(secret, "alert-id-1", body)
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b"x")
    assert not verify(secret.replace("a", "b", 1), headers, body)  # another secret
    old = signature_headers(secret, "alert-id-1", body, now=time.time() - 3600)
    assert not verify(secret, old, body)
