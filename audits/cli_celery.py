"""`cookie-audit worker` and `cookie-audit scheduler`: the distributed mode on Celery."""

from __future__ import annotations

import os
import socket
from typing import Any

import click

from audits.cli import db_option
from audits.settings import load_settings


def broker_options(fn: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--broker",
                default=None,
                metavar="URL",
                help="redis://... (default $COOKIE_AUDIT_BROKER_URL or local Redis) or "
                "amqp://... for RabbitMQ.",
            ),
            click.option(
                "--queue",
                default=None,
                help="Queue name (default $COOKIE_AUDIT_QUEUE or cookie-audit).",
            ),
            click.option(
                "--loglevel",
                default="INFO",
                show_default=True,
                type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]),
                help="Celery's log level.",
            ),
        ]
    ):
        fn = option(fn)
    return fn


@click.command("worker")
@broker_options
@click.option(
    "--browsers",
    type=click.IntRange(1, 16),
    default=None,
    help="Scans at a time in this worker (default $COOKIE_AUDIT_BROWSERS or 2).",
)
@click.option(
    "--name",
    default=None,
    metavar="NODE",
    help="Celery node name, unique among the workers (default cookie-audit-PID@HOST).",
)
@db_option
def worker(
    broker: str | None,
    queue: str | None,
    loglevel: str,
    browsers: int | None,
    name: str | None,
    db: str | None,
) -> None:
    """A Celery worker that runs audits from the queue (one Chromium per scan)."""
    from audits.tasks import make_celery

    settings = load_settings(database_url=db, broker_url=broker, queue=queue, browsers=browsers)
    app = make_celery(settings)
    app.worker_main(
        [
            "worker",
            # unique by default: RabbitMQ gives each node name one exclusive control queue,
            # so a second worker of the same name on a machine could not start consuming
            f"--hostname={name or node_name()}",
            f"--loglevel={loglevel}",
            f"--queues={settings.queue}",
            f"--concurrency={settings.browsers}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def node_name() -> str:
    return f"cookie-audit-{os.getpid()}@{socket.gethostname()}"


@click.command("scheduler")
@broker_options
@click.option(
    "--tick", type=float, default=None, help="Seconds between two looks for due runs (default 30)."
)
@db_option
def scheduler(
    broker: str | None, queue: str | None, loglevel: str, tick: float | None, db: str | None
) -> None:
    """Celery beat: puts the due runs of the registered audits on the queue."""
    from audits.tasks import make_celery

    settings = load_settings(database_url=db, broker_url=broker, queue=queue, tick_s=tick)
    app = make_celery(settings)
    app.start(
        [
            "beat",
            f"--loglevel={loglevel}",
            "--scheduler=audits.tasks:AuditScheduler",
            f"--max-interval={max(1, round(settings.tick_s))}",
        ]
    )
