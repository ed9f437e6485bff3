"""Options that apply to every command (set by the global callback)."""

from __future__ import annotations


class CliState:
    """A plain class: `hotdsl --help` should not pay for importing attrs."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug


STATE = CliState()
