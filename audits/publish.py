"""Publishing the cookie declaration through the consent API after a successful run.

The audit and the consent-API site share the product's one database, so publishing is a call
(`consent_api.publish_declaration`), not an HTTP request with a key to keep. The banner's
categories come from the same site row, so the published declaration names the cookies that
need consent but that no banner category covers. The consent API is imported only when an
audit linked to a site publishes (a plain run does not pay for Flask).

What the run records (`declaration`): `published`, `unknown site` (the key names no site of
this database: a typo, or the site was removed), or `error` (logged with the reason).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Engine

from audits.declaration import declaration_documents
from scanner.model import Scan

log = logging.getLogger("cookie_audit.audits")


def publish_to_consent_site(
    engine: Engine, site_key: str, scan: Scan, *, audit: str, run: int
) -> str:
    """Publish both languages' declarations of `scan` to the site; returns what to record."""
    from consent_api import NotFound, publish_declaration
    from consent_api.sites import get_site

    try:
        with engine.connect() as conn:
            categories = list(get_site(conn, site_key).category_ids)
        documents = declaration_documents(scan, audit=audit, run=run, banner_categories=categories)
        publish_declaration(
            engine,
            site_key,
            documents,
            generated_at=datetime.now(UTC),
            source=f"audit {audit} run #{run}",
        )
    except NotFound:
        log.warning(
            "run %s #%d: no consent site %s: declaration not published", audit, run, site_key
        )
        return "unknown site"
    log.info("run %s #%d: declaration published to consent site %s", audit, run, site_key)
    return "published"
