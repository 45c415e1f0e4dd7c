"""Read the banner's consent records back from the consent API (`--consent-api-key`).

For every receipt captured in a phase (`ConsentPost.seq`, `.hash`), ask the API for that consent
id's history and find the record with that number: `found` (same hash), `different` (another
hash), `missing`. First the admin key is checked against the site (`GET
/v1/admin/sites/{key}`, which also gives the site's categories and the required ones).

The admin key is a secret: it is only ever sent to the API the operator named
(`--consent-api`), never to whatever API the scanned page points its banner at; a banner posting
elsewhere is recorded as `skipped` with the reason. `--resolve` and `--ignore-https-errors`
apply as they do in the browser.
"""

from __future__ import annotations

import fnmatch
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from scanner.browser import parse_resolve
from scanner.consent_capture import parse_config
from scanner.model import ConsentApiUse, ConsentPost, ReadBack, Scan, StoredConsent

__all__ = ["normalise_api", "read_back"]

TIMEOUT_S = 10.0


def normalise_api(url: str) -> str:
    """`scheme://host[:port]` of an API URL (what the banner's calls are compared with)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"consent API: expected an http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


class _Client:
    """httpx with curl-like `--resolve` rules: the URL names the host, the socket goes to the
    address of the rule (TLS keeps the host name for SNI)."""

    def __init__(self, resolve: tuple[str, ...], verify: bool, key: str) -> None:
        self.rules = [parse_resolve(r) for r in resolve]
        self.http = httpx.Client(
            verify=verify,
            timeout=TIMEOUT_S,
            follow_redirects=False,
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
        )

    def get(self, url: str) -> httpx.Response:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for pattern, rule_port, address in self.rules:
            if rule_port == port and fnmatch.fnmatchcase(host, pattern):
                routed = parts._replace(netloc=_netloc(address, port)).geturl()
                return self.http.get(
                    routed, headers={"Host": parts.netloc}, extensions={"sni_hostname": host}
                )
        return self.http.get(url)

    def close(self) -> None:
        self.http.close()


def _netloc(address: str, port: int) -> str:
    """A `--resolve` address with the port it names, else the URL's port."""
    if address.startswith("["):
        return address if "]:" in address else f"{address}:{port}"
    return address if ":" in address else f"{address}:{port}"


def _error(response: httpx.Response) -> str:
    try:
        body = response.json()
        code = body["error"]["code"]
    except (ValueError, KeyError, TypeError):
        code = None
    return f"HTTP {response.status_code}" + (f" {code}" if isinstance(code, str) else "")


def _stored(record: dict[str, Any]) -> StoredConsent | None:
    try:
        return StoredConsent.model_validate(
            {k: record.get(k) for k in ("seq", "action", "choices", "hash", "recorded_at")}
        )
    except ValueError:
        return None


def _one(client: _Client, use: ConsentApiUse, post: ConsentPost) -> ConsentPost:
    if post.seq is None or not post.consent_id:
        return post.model_copy(
            update={"read_back": ReadBack.SKIPPED, "read_error": "no receipt to look for"}
        )
    url = (
        f"{use.api}/v1/sites/{quote(use.site_key, safe='')}/consents/"
        f"{quote(post.consent_id, safe='')}/history"
    )
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        return post.model_copy(update={"read_back": ReadBack.ERROR, "read_error": str(exc)[:200]})
    if response.status_code == 404:
        return post.model_copy(update={"read_back": ReadBack.MISSING})
    if response.status_code != 200:
        return post.model_copy(update={"read_back": ReadBack.ERROR, "read_error": _error(response)})
    try:
        records = response.json().get("records", [])
    except (ValueError, AttributeError):
        records = []
    match = next((r for r in records if isinstance(r, dict) and r.get("seq") == post.seq), None)
    stored = _stored(match) if match is not None else None
    if stored is None:
        return post.model_copy(update={"read_back": ReadBack.MISSING})
    state = ReadBack.FOUND if stored.hash == post.hash else ReadBack.DIFFERENT
    return post.model_copy(update={"read_back": state, "stored": stored})


def _site(client: _Client, use: ConsentApiUse) -> tuple[ConsentApiUse, str | None]:
    """The admin key checked against the site; its categories filled in when the banner's
    configuration was not seen. Returns the reason when the key cannot be used."""
    try:
        response = client.get(f"{use.api}/v1/admin/sites/{quote(use.site_key, safe='')}")
    except httpx.HTTPError as exc:
        return use, f"the API could not be reached: {str(exc)[:200]}"
    if response.status_code != 200:
        return use, f"the admin key was refused for this site ({_error(response)})"
    if not use.categories:
        categories, required = parse_config(response.content)
        use = use.model_copy(update={"categories": categories, "required": required})
    return use, None


def read_back(
    scan: Scan,
    api: str,
    key: str,
    *,
    resolve: tuple[str, ...] = (),
    ignore_https_errors: bool = False,
) -> Scan:
    """The scan with every consent post of every phase read back from `api` (or why not)."""
    wanted = normalise_api(api)
    if not any(p.consent_api for p in scan.phases):
        return scan
    client = _Client(resolve, verify=not ignore_https_errors, key=key)
    phases = []
    try:
        for phase in scan.phases:
            use = phase.consent_api
            if use is None:
                phases.append(phase)
                continue
            if use.api.lower() != wanted:
                why = f"the banner posts to {use.api}, not to the --consent-api {wanted}"
                posts = [
                    p.model_copy(update={"read_back": ReadBack.SKIPPED, "read_error": why})
                    for p in use.posts
                ]
            else:
                use, refused = _site(client, use)
                if refused is not None:
                    posts = [
                        p.model_copy(update={"read_back": ReadBack.ERROR, "read_error": refused})
                        for p in use.posts
                    ]
                else:
                    posts = [_one(client, use, p) for p in use.posts]
            use = use.model_copy(update={"posts": posts})
            phases.append(phase.model_copy(update={"consent_api": use}))
    finally:
        client.close()
    return scan.model_copy(update={"phases": phases})
