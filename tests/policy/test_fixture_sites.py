"""The policy fixture sites serve what the end-to-end tests rely on (no browser needed)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from scanner.model import Category
from scanner.policy import extract_policy, policy_link_kind
from tests.fixtureweb.sites import policy_sites

SITES = {
    "www.cloudtemple-docs.test": (policy_sites.cloudtemple, "/privacy", "privacy"),
    "www.in2cloud.test": (policy_sites.in2cloud, "/politique-de-confidentialite", "privacy"),
    "www.honest.test": (policy_sites.honest, "/confidentialite", "privacy"),
}


@pytest.mark.parametrize("host", sorted(SITES))
def test_home_links_to_its_policy(host: str) -> None:
    app, path, kind = SITES[host]
    home = app.test_client().get("/", base_url=f"https://{host}")
    assert home.status_code == 200
    soup = BeautifulSoup(home.get_data(as_text=True), "lxml")
    kinds = {
        a["href"]: policy_link_kind(f"https://{host}{a['href']}", a.get_text())
        for a in soup.find_all("a", href=True)
    }
    assert kinds[path] == kind
    assert sum(1 for k in kinds.values() if k) == (2 if host == "www.honest.test" else 1)


def page(host: str) -> str:
    app, path, _ = SITES[host]
    response = app.test_client().get(path, base_url=f"https://{host}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_cloud_temple_page_declares_what_the_text_does() -> None:
    p = extract_policy(
        page("www.cloudtemple-docs.test"), "https://www.cloudtemple-docs.test/privacy"
    )
    assert p.collects_personal_data is not None and p.collects_personal_data.value is False
    assert p.audience_anonymised is not None and p.consent_exemption is not None
    assert not p.names_vendor("google analytics")
    assert "googletagmanager.com/gtag/js?id=G-CTDOCS1" in page("www.cloudtemple-docs.test")


def test_in2cloud_page_declares_ga_and_tracking() -> None:
    html = page("www.in2cloud.test")
    p = extract_policy(html, "https://www.in2cloud.test/politique-de-confidentialite")
    assert {
        Category.TECHNICAL,
        Category.SESSION,
        Category.TRACKING,
        Category.GOOGLE_ANALYTICS,
    } <= p.category_set()
    assert p.promises_no_transfer is None
    assert "Tout refuser" in html and "fbevents.js" in html


def test_honest_page_declares_its_two_cookies() -> None:
    p = extract_policy(page("www.honest.test"), "https://www.honest.test/confidentialite")
    assert [(c.name, c.session, c.lifetime_days) for c in p.cookies] == [
        ("sessionid", True, None),
        ("django_language", False, 182.64),
    ]
    assert p.category_set() == {Category.TECHNICAL, Category.SESSION}
    home = policy_sites.honest.test_client().get("/", base_url="https://www.honest.test")
    set_cookies = sorted(h.split("=", 1)[0] for h in home.headers.getlist("Set-Cookie"))
    assert set_cookies == ["django_language", "sessionid"]
