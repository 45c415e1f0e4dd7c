"""The policy docs stay true: the JSON Schema matches the code, every rule is documented."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.policy.declaration import DeclarationFile
from scanner.policy.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_declaration_json_schema_is_current() -> None:
    expected = DeclarationFile.model_json_schema()
    expected["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    expected["title"] = "cookie-audit policy declaration"
    on_disk = json.loads((ROOT / "docs" / "policy-declaration.schema.json").read_text())
    assert on_disk == expected, "regenerate docs/policy-declaration.schema.json (see docs)"


def test_every_rule_is_documented() -> None:
    doc = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule_id in RULES:
        assert f"`{rule_id}`" in doc, rule_id
    assert "docs/policy.md" in readme
