"""Options that apply to every command (set by the global callback)."""

from __future__ import annotations

import attrs


@attrs.define
class CliState:
    debug: bool = False


STATE = CliState()
