"""A small local web: one HTTPS server on loopback that routes on the Host header.

Chromium reaches it under real host names through host-resolver rules (`MAP * 127.0.0.1:PORT`),
so a site here can be `www.shop.test` and its tracker `www.google-analytics.com`. It serves the
bundled demo site (`cookie-audit demo`, no network needed) and the tests' fixture web.

Why not a library: this is a few lines of glue over Werkzeug's threaded WSGI server (which Flask
already brings) plus a throwaway certificate from `cryptography`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for any name (clients run with ignore_https_errors)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cookie-audit local web")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    host = environ.get("HTTP_HOST", "?")
    body = f"no site named {host} on this local web".encode()
    start_response(
        "404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
    )
    return [body]


class HostRouter:
    """WSGI app that dispatches on the Host header; `*.example.com` matches any subdomain."""

    def __init__(self, sites: Mapping[str, WSGIApp]) -> None:
        self.exact = {h.lower(): app for h, app in sites.items() if not h.startswith("*.")}
        self.wildcard = {h[2:].lower(): app for h, app in sites.items() if h.startswith("*.")}

    def app_for(self, host: str) -> WSGIApp:
        host = host.split(":", 1)[0].lower().rstrip(".")
        if host in self.exact:
            return self.exact[host]
        parts = host.split(".")
        for i in range(len(parts)):
            suffix = ".".join(parts[i:])
            if suffix in self.wildcard:
                return self.wildcard[suffix]
        return _not_found

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return self.app_for(environ.get("HTTP_HOST", ""))(environ, start_response)


class LocalWeb:
    """Context manager: serve `sites` over HTTPS on 127.0.0.1 (a free port by default).

    >>> with LocalWeb({"www.shop.test": app}) as web:
    ...     web.resolve   # ("*:443:127.0.0.1:PORT", ...) for `--resolve` / BrowserOptions
    """

    def __init__(self, sites: Mapping[str, WSGIApp], port: int = 0) -> None:
        self.router = HostRouter(sites)
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "LocalWeb is not started"
        return self._server.port

    @property
    def resolve(self) -> tuple[str, ...]:
        """Resolver overrides: every name to this server, and `*.invalid` to a DNS failure."""
        return ("*.invalid:443:~NOTFOUND", f"*:443:127.0.0.1:{self.port}")

    def start(self) -> LocalWeb:
        self._tmp = tempfile.TemporaryDirectory(prefix="cookie-audit-web-")
        cert, key = make_certificate(Path(self._tmp.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._server = make_server(
            "127.0.0.1",
            self._port,
            self.router,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=context,
        )
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-web", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LocalWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
