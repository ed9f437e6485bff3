"""The toolkit on a terminal: progress, warnings and questions as the CLI shows them.

A question (deploy these changes? delete these stacks?) is asked only on a terminal;
without one (CI) the command stops with what to pass instead.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

import typer

if TYPE_CHECKING:
    from hotdsl.deploy.diff import StackDiff
    from hotdsl.toolkit import Target, Toolkit


@contextlib.contextmanager
def toolkit(target: Target, *, progress_stream: TextIO | None = None) -> Iterator[Toolkit]:
    """A toolkit that shows its progress on this terminal (or in the CI log), on stdout
    unless `progress_stream` says otherwise."""
    with toolkits(target, (), progress_stream=progress_stream) as kits:
        yield kits[0]


@contextlib.contextmanager
def toolkits(
    target: Target,
    stages: Sequence[str],
    *,
    all_stages: bool = False,
    progress_stream: TextIO | None = None,
) -> Iterator[list[Toolkit]]:
    """One toolkit per stage (`Toolkit.per_stage`), all showing progress on this terminal."""
    from hotdsl.deploy.progress import Progress
    from hotdsl.deploy.render import render_diff
    from hotdsl.errors import HotdslError
    from hotdsl.toolkit import Observer, Question, Toolkit

    class Terminal(Progress, Observer):
        def warning(self, message: str) -> None:
            typer.echo(f"warning: {message}", err=True)

        def note(self, message: str) -> None:
            typer.echo(f"note: {message}", err=True)

        def diffs(self, diffs: Sequence[StackDiff]) -> None:
            typer.echo("\n".join(render_diff(item) for item in diffs))

        def confirm(self, question: Question) -> bool:
            if not sys.stdin.isatty():
                needed = (
                    f"needs approval: {'; '.join(question.details)}; " if question.details else ""
                )
                raise HotdslError(f"{needed}{NO_TERMINAL[question.kind]}")
            for line in question.details:
                typer.echo(f"  {line}")
            return typer.confirm(question.text, default=False)

    terminal = Terminal(progress_stream)
    try:
        yield Toolkit.per_stage(target, stages, terminal, all_stages=all_stages)
    finally:
        terminal.close()  # the live status line goes before anything else is printed


NO_TERMINAL = {
    "deploy": "--require-approval needs a terminal to ask on; pass --yes to approve in CI",
    "replace-nested": "this deploy replaces a nested stack and all its resources (see above); "
    "pass --yes to approve, or run `hotdsl diff` to review first",
    "destroy": "destroy asks for confirmation; pass --yes to confirm without a terminal",
}
"""What a question says when there is no terminal to ask it on."""
