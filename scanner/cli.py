"""The `cookie-audit` command.

Each sub-command lives beside the code it drives and is imported only when it runs, so
`cookie-audit classify` never pays for importing Playwright or Flask. Exit codes: 0 = done
(findings or not), 1 = the work itself failed, 2 = bad input (malformed URL, option or file).
"""

from __future__ import annotations

import importlib
import sys

import click

from scanner import __version__
from scanner.errors import CookieAuditError, UsageError

#: sub-command name -> ("module:attribute" of its click command, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scanner.cli_scan:scan", "Scan sites in three consent states; write scan.json."),
    "demo": ("scanner.cli_scan:demo", "Scan the bundled demo site (works offline)."),
    "classify": ("scanner.classify.cli:classify", "Classify a CSV/JSON list of cookies."),
    "kb": ("scanner.classify.cli:kb", "Manage the cookie knowledge base."),
    "policy": ("scanner.policy.cli:policy", "Read a declared policy (YAML or policy page)."),
    "report": ("scanner.cli_report:report", "Render a saved scan (HTML, JSON, CSV, PDF, diff)."),
    "serve": ("dashboard.cli:serve", "Run the consent API and the dashboard locally."),
    "sites": ("consent_api.cli:sites", "Register and list consent API sites."),
    "consents": ("consent_api.cli:consents", "Verify and export the consent ledger."),
    "db": ("database.cli:db", "Migrate the product database (every package's tables)."),
    "users": ("dashboard.cli:users", "Manage the dashboard's users and roles."),
    "dashboard-demo": (
        "dashboard.cli:dashboard_demo",
        "Store the demo shop's runs and visitors' choices for the dashboard.",
    ),
    "audit": ("audits.commands:audit", "Scheduled audits: register, run, history, reports."),
    "worker": ("audits.cli_celery:worker", "Celery worker that runs audits (distributed mode)."),
    "scheduler": ("audits.cli_celery:scheduler", "Celery beat: queue the due audits."),
    "alert": ("audits.alerts.cli:alert", "Check alert channels: settings, a test alert."),
}


class LazyGroup(click.Group):
    """Imports a sub-command's module only when that sub-command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, attr = entry[0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cookie-audit")
def cli() -> None:
    """Audit the cookies of websites and keep proof of every visitor's consent."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: our own errors become one clear line and the documented exit code."""
    try:
        result = cli.main(args=argv, prog_name="cookie-audit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2 if isinstance(exc, click.UsageError | click.BadParameter) else exc.exit_code
    except UsageError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    except CookieAuditError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
