"""`ruff check` and `ruff format --check` over the whole repository, with the pinned ruff.

CI runs the suite, so a lint finding or an unformatted file fails CI like a broken test.
(`mypy --strict` is tests/test_mypy.py.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [["check", "--no-fix"], ["format", "--check"]],
    ids=["check", "format"],
)
def test_ruff_is_clean(command: list[str]) -> None:
    result = ruff(*command)
    assert result.returncode == 0, (
        f"`ruff {' '.join(command)} .` failed (run `ruff check --fix . && ruff format .`):\n"
        + result.stdout
        + result.stderr
    )
