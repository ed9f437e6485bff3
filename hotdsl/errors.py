"""Errors that are meant for the user: what is wrong, where in their code, what to do."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from hotdsl.source import SourceLocation


@attrs.frozen
class Problem:
    """One thing wrong with the user's app, found while synthesizing it."""

    message: str
    location: SourceLocation | None = None
    path: str | None = None
    """The construct path of the offending node, e.g. `demo/web/server`."""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        what = f"{self.path}: " if self.path else ""
        return f"{where}{what}{self.message}"


class HotdslError(Exception):
    """A mistake of the user's that the CLI reports without a traceback."""


class SynthError(HotdslError):
    """Synth found problems; all of them are listed, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"synth found {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class ConstructError(HotdslError):
    """A node was created in a way that can never synthesize (bad id, duplicate id)."""


class ModelLockedError(ConstructError):
    """A construct was added to an app while synth was reading it (from `__hot__`, say)."""
