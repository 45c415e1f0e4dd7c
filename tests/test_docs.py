"""Docs that are tested: the README names every CLI command and option, and every category.

When a new option or category is added and the README does not say what it does, this fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from scanner.cli import COMMANDS, cli
from scanner.model import Category

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def walk(command: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path), command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            yield from walk(sub, (*path, name))


ALL = list(walk(cli, ("cookie-audit",)))


def test_readme_opens_with_the_two_setup_commands() -> None:
    head = README.split("\n## ", 1)[0]
    assert "make run" in head
    assert "make test" in head


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_documented(name: str) -> None:
    assert f"cookie-audit {name}" in README, f"README does not show `cookie-audit {name}`"


@pytest.mark.parametrize(
    ("where", "option"),
    [
        (path, opt)
        for path, command in ALL
        for param in command.params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--") and opt not in {"--help", "--version"}
    ],
)
def test_every_option_is_documented(where: str, option: str) -> None:
    assert option in README, f"README does not document `{where} {option}`"


@pytest.mark.parametrize("category", [c.value for c in Category])
def test_every_category_is_documented(category: str) -> None:
    assert f"`{category}`" in README
