"""A site's cookie declaration, as an audit generated it, served to the site's policy page.

The audits package calls :func:`publish_declaration` after a successful run; the document is
theirs (a JSON object, stored as canonical JSON without looking inside, within a size limit);
``GET /v1/sites/KEY/declaration`` serves the newest one with an ETag.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, select

from consent_api.errors import InvalidInput, TooLarge
from consent_api.models import Declaration
from consent_api.sites import SiteView, get_site
from consent_api.validation import clean_text, iso, parse_iso
from consent_api.verifier import dumps

DECLARATIONS = cast(Table, Declaration.__table__)
DEFAULT_MAX_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class PublishedDeclaration:
    site_key: str
    generated_at: str
    source: str
    etag: str  # SHA-256 of the served body
    body: str  # the JSON served: site_key, generated_at, source, document

    def json(self) -> dict[str, Any]:
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value


def _generated_at(value: datetime | str) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return iso(moment)
    try:
        return _generated_at(parse_iso(clean_text("generated_at", value, 40)))
    except ValueError:
        raise InvalidInput("generated_at must be an ISO 8601 time.", field="generated_at") from None


def publish_declaration(
    engine: Engine,
    site_key: str,
    document: dict[str, Any],
    *,
    generated_at: datetime | str,
    source: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PublishedDeclaration:
    """Store ``document`` (a JSON object) as the site's current cookie declaration.

    ``generated_at`` is when the audit produced it; ``source`` says what produced it (an audit
    name and run id, say). Raises :class:`~consent_api.errors.NotFound` for an unknown site,
    :class:`~consent_api.errors.InvalidInput` for a document that is not a JSON object, and
    :class:`~consent_api.errors.TooLarge` past ``max_bytes`` of canonical JSON.
    """
    if not isinstance(document, dict):
        raise InvalidInput("the declaration must be a JSON object.", field="document")
    try:
        text = dumps(document)
        encoded = text.encode()
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise InvalidInput(f"the declaration is not JSON: {exc}", field="document") from None
    if len(encoded) > max_bytes:
        raise TooLarge(
            f"the declaration is {len(encoded)} bytes; at most {max_bytes} are stored.",
            field="document",
        )
    when = _generated_at(generated_at)
    origin = clean_text("source", source, 200).strip()
    if not origin:
        raise InvalidInput("source must say what produced the declaration.", field="source")
    with engine.begin() as conn:
        site = get_site(conn, site_key)
        body = _body(site, when, origin, text)
        conn.execute(
            insert(DECLARATIONS).values(
                site_id=site.id,
                document=text,
                sha256=hashlib.sha256(body.encode()).hexdigest(),
                generated_at=when,
                source=origin,
                published_at=datetime.now(UTC),
            )
        )
    return PublishedDeclaration(
        site_key, when, origin, hashlib.sha256(body.encode()).hexdigest(), body
    )


def _body(site: SiteView, generated_at: str, source: str, document: str) -> str:
    head = dumps({"site_key": site.site_key, "generated_at": generated_at, "source": source})
    return head[:-1] + ',"document":' + document + "}"


def current_declaration(conn: Connection, site: SiteView) -> PublishedDeclaration | None:
    row = conn.execute(
        select(
            DECLARATIONS.c.document,
            DECLARATIONS.c.generated_at,
            DECLARATIONS.c.source,
            DECLARATIONS.c.sha256,
        )
        .where(DECLARATIONS.c.site_id == site.id)
        .order_by(DECLARATIONS.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    document, generated_at, source, etag = row
    return PublishedDeclaration(
        site.site_key, generated_at, source, etag, _body(site, generated_at, source, document)
    )
