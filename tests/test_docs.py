"""Every `lapor` command the README and docs/ show still parses: its subcommands exist, its options
are known, nothing is missing or left over (the files it names need not exist here). The README
stays short, and every page it links exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from cli.main import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"^(?:\.venv/bin/)?lapor\s")


def shown_commands(page: Path) -> list[str]:
    """The `lapor ...` lines of a page's shell blocks, continuations joined, comments cut."""
    commands, block, pending = [], False, ""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("```"):
            block = line.strip() in ("```sh", "```bash", "```console") and not block
            continue
        if not block:
            continue
        line = pending + line.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if COMMAND.match(line):
            commands.append(line)
    return commands


def parse(words: list[str]) -> None:
    """Parse ``words`` as `lapor` would, down to the command that would run, running nothing."""
    command = typer.main.get_command(app)
    context = command.make_context("lapor", words)
    while hasattr(command, "resolve_command"):
        words = [*getattr(context, "_protected_args", []), *context.args]  # as Group.invoke
        name, command, rest = command.resolve_command(context, words)
        context = command.make_context(name, rest, parent=context)


CASES = [
    pytest.param(line, id=f"{page.name}: {line[:60]}")
    for page in PAGES
    for line in shown_commands(page)
]


def test_the_pages_show_commands() -> None:
    assert len(CASES) > 40
    assert {page.name for page in PAGES} >= {
        "README.md", "staff.md", "api.md", "new-deployment.md", "data-science.md", "batch.md",
        "architecture.md",
    }  # fmt: skip


@pytest.mark.parametrize("line", CASES)
def test_a_shown_command_parses(line: str) -> None:
    words = shlex.split(line, comments=True)[1:]
    try:
        parse(words)
    except Exception as exc:  # click's own errors: a missing file is fine, nothing else
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if "does not exist" not in message:
            pytest.fail(f"`{line}` does not parse: {message}")


def test_the_readme_is_short_and_its_links_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert readme.startswith("# lapor-router\n\n```sh\nmake run")
    for page in PAGES:
        for target in re.findall(r"\]\(((?:docs/)?[\w.-]+\.md)\)", page.read_text("utf-8")):
            assert (page.parent / target).is_file(), f"{page.name} links to missing {target}"
