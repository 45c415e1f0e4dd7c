"""`cookie-audit demo --serve --webhook-port N`: a webhook receiver that prints the alerts it
gets, so the README's walk-through shows an alert arriving without any other service."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

import click
from werkzeug.serving import make_server

from scanner.demo.server import _QuietHandler


def _receiver(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(min(size, 1_000_000))
    try:
        alert = json.loads(body)
        alert = alert.get("alert", alert)  # the generic payload wraps the Alert record
        what = [
            f"{k}: {len(alert[k])}"
            for k in (
                "findings_new",
                "findings_resolved",
                "cookies_added",
                "cookies_removed",
                "hosts_added",
            )
            if alert.get(k)
        ]
        click.echo(
            f"alert received: {alert.get('audit')} run #{alert.get('run_id')} "
            f"{alert.get('state')} [{alert.get('severity')}] {', '.join(what)}"
        )
        for finding in alert.get("findings_new", []):
            click.echo(f"  new [{finding.get('severity')}] {finding.get('title')}")
        for host in alert.get("hosts_added", []):
            click.echo(f"  new third-party host {host}")
    except (ValueError, AttributeError, TypeError):
        click.echo(f"webhook received {len(body)} bytes (not an alert)")
    start_response("204 No Content", [])
    return [b""]


def serve_forever(webhook_port: int | None) -> None:
    """Block until Ctrl-C, with the receiver on `webhook_port` when given."""
    stop = threading.Event()
    server = None
    if webhook_port is not None:
        server = make_server("127.0.0.1", webhook_port, _receiver, request_handler=_QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        click.echo(f"webhook receiver: http://127.0.0.1:{server.port}/")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.shutdown()
