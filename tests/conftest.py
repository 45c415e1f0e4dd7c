"""Shared fixtures: the local test internet, the browser options that reach it, services.

Services (PostgreSQL, Redis) are real. Where one is missing a test that needs it is skipped with
the reason, except when CI is set, where a missing service fails the run.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator

import pytest

from scanner.browser import BrowserOptions
from scanner.demo.server import LocalWeb
from tests.fixtureweb import all_sites
from tests.scratch_db import scratch_database

IN_CI = bool(os.environ.get("CI"))

# Nothing a test runs may write into the real data folder (~/.local/share/cookie-audit): the
# product database and the ledger's signing key default to it.
os.environ.setdefault("COOKIE_AUDIT_DATA_DIR", tempfile.mkdtemp(prefix="cookie-audit-test-data-"))


def service_available(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (laptop) or fail (CI) when a service the test needs is not listening."""
    if service_available(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if IN_CI:
        pytest.fail(f"{message} (CI is set: services are required)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def local_web() -> Iterator[LocalWeb]:
    """Every fixture site, served over HTTPS on one loopback port for the whole session."""
    with LocalWeb(all_sites()) as web:
        yield web


@pytest.fixture(scope="session")
def browser_options(local_web: LocalWeb) -> BrowserOptions:
    """Chromium options that send every host name to the local web (and *.invalid nowhere)."""
    return BrowserOptions(
        executable=os.environ.get("COOKIE_AUDIT_CHROMIUM") or None,
        resolve=local_web.resolve,
        ignore_https_errors=True,
    )


@pytest.fixture(scope="session")
def postgres_url() -> str:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    return os.environ.get(
        "COOKIE_AUDIT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )


@pytest.fixture
def outage_url(postgres_url: str) -> Iterator[str]:
    """A throwaway database of its own, which a test may take away (``set_reachable``)
    without disturbing the others."""
    with scratch_database(postgres_url, "cookie_audit_outage") as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return os.environ.get("COOKIE_AUDIT_TEST_REDIS", "redis://127.0.0.1:6379/15")
