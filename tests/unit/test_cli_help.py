"""`dropwire --version`, shell completion, and `--help` with a working example for every
command."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.unit.test_compose import resolve_cli
from workers.cli import main


def every_command(
    group: click.Group = main, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    yield path
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


def examples(help_text: str) -> list[list[str]]:
    """The `dropwire …` lines under "Example:", without env assignments and redirections."""
    found = []
    for line in help_text.split("Example:", 1)[-1].splitlines():
        words = shlex.split(re.split(r"[>|]", line, maxsplit=1)[0])
        while words and "=" in words[0] and not words[0].startswith("-"):
            words.pop(0)
        if words[:1] == ["dropwire"]:
            found.append(words[1:])
    return found


@pytest.mark.parametrize("path", list(every_command()), ids=lambda p: " ".join(p) or "dropwire")
def test_help_has_an_example_that_parses(
    path: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where the extract example's file exists
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "wire-0412.txt").write_text("A story.")
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="dropwire")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    found = examples(result.output)
    assert found, result.output
    for args in found:
        command = resolve_cli(args)
        if path:  # a subcommand's example runs that subcommand (or one of a group's)
            assert args[: len(path)] == list(path), (path, args)
        assert command.name is not None


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"], prog_name="dropwire")
    assert result.exit_code == 0
    assert result.output.strip() == f"dropwire, version {version('dropwire')}"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script(shell: str) -> None:
    result = CliRunner().invoke(
        main, [], prog_name="dropwire", env={"_DROPWIRE_COMPLETE": f"{shell}_source"}
    )
    assert result.exit_code == 0
    assert "_DROPWIRE_COMPLETE" in result.output


def test_completion_offers_the_commands() -> None:
    env = {"_DROPWIRE_COMPLETE": "bash_complete", "COMP_WORDS": "dropwire st", "COMP_CWORD": "1"}
    result = CliRunner().invoke(main, [], prog_name="dropwire", env=env)
    assert "plain,status" in result.output.splitlines()
