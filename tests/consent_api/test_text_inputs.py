"""NUL bytes and lone surrogates wherever a client can put text, on both databases: a 4xx in
the one error shape, never a 500 (PostgreSQL refuses NUL in text, no database stores a lone
surrogate), and nothing stored."""

from __future__ import annotations

from tests.consent_api.conftest import ORIGIN, Api, assert_error

# Paths: %00 is a NUL, %ED%A0%80 the UTF-8-like encoding of the lone surrogate U+D800.
BAD_SITE_KEYS = ["a%00b", "pk_%00", "%ED%A0%80", "pk_" + "x" * 80, "a.b", "%20"]


def test_a_bad_site_key_in_any_path_is_unknown_site(api: Api) -> None:
    for bad in BAD_SITE_KEYS:
        _unknown_everywhere(api, bad)


def _unknown_everywhere(api: Api, bad: str) -> None:
    origin = {"Origin": ORIGIN}
    for method, path in [
        ("GET", f"/v1/sites/{bad}/config"),
        ("POST", f"/v1/sites/{bad}/consents"),
        ("POST", f"/v1/sites/{bad}/impressions"),
        ("GET", f"/v1/sites/{bad}/checkpoints/latest"),
        ("GET", f"/v1/sites/{bad}/declaration"),
        ("OPTIONS", f"/v1/sites/{bad}/consents"),
    ]:
        response = api.client.open(path, method=method, headers=origin, json=api.body())
        assert_error(response, 404, "unknown_site")
    for method, path in [
        ("GET", f"/sites/{bad}"),
        ("GET", f"/sites/{bad}/verify"),
        ("GET", f"/sites/{bad}/export"),
        ("POST", f"/sites/{bad}/checkpoints"),
        ("POST", f"/sites/{bad}/purge"),
    ]:
        assert_error(api.admin(method, path, key=api.global_key), 404, "unknown_site")


def test_a_bad_consent_id_in_a_path_is_422(api: Api) -> None:
    for bad in ("%00", "%ED%A0%80"):
        for suffix in ("", "/history"):
            response = api.client.get(f"/v1/sites/{api.site_key}/consents/a{bad}b{suffix}")
            assert_error(response, 422, "invalid_consent_id")


NUL, SURROGATE = "\\u0000", "\\ud800"  # as escapes inside JSON text
FIELDS = {"name", "origins", "policy_version", "categories.label", "categories.description"}


TEMPLATES = [
    '{"name": "Sh@op", "origins": ["https://www.shop.test"]}',
    '{"name": "Shop", "origins": ["https://www.sh@op.test"]}',
    '{"name": "Shop", "origins": [], "policy_version": "v@1"}',
    '{"name": "Shop", "origins": [], "categories": [{"id": "necessary", "label": "N@"}]}',
    '{"name": "Shop", "origins": [], "categories": [{"id": "necessary", "label": {"e@n": "N"}}]}',
    '{"name": "Shop", "origins": [], "categories":'
    ' [{"id": "necessary", "label": "N", "description": {"en": "d@"}}]}',
]


def test_site_settings_with_nul_or_surrogate_are_422(api: Api) -> None:
    """In a name, an origin, a policy version, a label, a label's language, a description."""
    for template in TEMPLATES:
        for escape in (NUL, SURROGATE):
            body = template.replace("@", escape)
            added = api.admin(
                "POST", "/sites", key=api.global_key, data=body, content_type="application/json"
            )
            error = assert_error(added, 422, "invalid_field")
            assert error["field"] in FIELDS, body
            patched = api.admin(
                "PATCH", f"/sites/{api.site_key}", data=body, content_type="application/json"
            )
            assert error == assert_error(patched, 422, "invalid_field")
    mine = api.admin("GET", f"/sites/{api.site_key}").get_json()
    assert mine["name"] == "Shop" and mine["policy_version"] == "1"


def test_descriptions_may_hold_line_breaks(api: Api) -> None:
    body = {
        "name": "Shop",
        "origins": [ORIGIN],
        "categories": [
            {"id": "necessary", "label": "Needed", "required": True, "description": "a\nb"}
        ],
    }
    added = api.admin("POST", "/sites", key=api.global_key, json=body)
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["categories"][0]["description"] == {"en": "a\nb"}


def test_character_classes_are_the_unicode_categories_they_stand_for() -> None:
    """Validation finds control characters and spaces with regular expressions (one scan in C
    instead of a Python call per character): the same characters as ``unicodedata``'s Cc (and
    Cs for headers) and ``str.isspace``, over every code point."""
    import unicodedata

    from consent_api.validation import CONTROL, CONTROL_OR_SURROGATE, SPACE

    for code_point in range(0x110000):
        c = chr(code_point)
        category = unicodedata.category(c)
        assert bool(CONTROL.match(c)) == (category == "Cc"), hex(code_point)
        assert bool(CONTROL_OR_SURROGATE.match(c)) == (category in {"Cc", "Cs"}), hex(code_point)
        assert bool(SPACE.match(c)) == c.isspace(), hex(code_point)
