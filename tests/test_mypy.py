"""`mypy --strict` over the package (hotdsl, hotdsl.stdlib, hotdsl.cli), every example, the
tests and the tools: the suite fails when any of them does not type-check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.is_dir() and any(p.glob("*.py")))


def mypy(args: list[str], cache: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run from a folder outside the repo, so the installed package is checked, not the bare folders."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO / "pyproject.toml"),
            "--strict",
            "--cache-dir",
            str(cache),
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_the_package_is_clean_under_mypy_strict(tmp_path_factory: pytest.TempPathFactory) -> None:
    result = mypy(
        ["-p", "hotdsl"],
        tmp_path_factory.getbasetemp() / "mypy-cache",
        tmp_path_factory.mktemp("cwd"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_each_example_is_clean_under_mypy_strict(
    example: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = sorted(str(p) for p in example.rglob("*.py") if "hot.out" not in p.parts)
    result = mypy(files, tmp_path_factory.getbasetemp() / "mypy-cache", example)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_and_tools_are_clean_under_mypy_strict(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Checked as the packages `tests` and `tools` (pytest imports them so), beside no copy of
    `hotdsl`: links to the two folders in an empty folder keep the repo's bare `hotdsl/` off
    mypy's path, so imports of hotdsl resolve to the installed package."""
    cwd = tmp_path_factory.mktemp("cwd")
    for folder in ("tests", "tools"):
        (cwd / folder).symlink_to(REPO / folder, target_is_directory=True)
    result = mypy(
        ["--explicit-package-bases", "tests", "tools"],
        tmp_path_factory.getbasetemp() / "mypy-cache",
        cwd,
    )
    assert result.returncode == 0, result.stdout + result.stderr
