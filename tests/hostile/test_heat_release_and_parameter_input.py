"""Hostile input to the target Heat release and to parameter checks ends in a clean error.

A `heat` setting or `--heat` value of any shape, and parameter constraints that Heat
itself cannot read (a broken regular expression, bounds that are not numbers), give a
short message with exit code 1: no traceback, nothing written, the bad value cut short.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = """\
from hotdsl import App, Resource, Stack
app = App()
Resource(Stack(app, "demo"), "r", type="OS::Heat::None")
"""


def hotdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )


def assert_clean_refusal(result: subprocess.CompletedProcess[str], folder: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert len(result.stderr) < 400, result.stderr
    assert not (folder / "hot.out").exists()


@pytest.mark.parametrize(
    "setting",
    ['heat = ["2023.1"]', "heat = { release = 1 }", f'heat = "{"9" * 5000}"', 'heat = "2023.1\\n"'],
    ids=["list", "table", "huge", "newline"],
)
def test_a_heat_setting_of_any_shape_is_a_short_error(tmp_path: Path, setting: str) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(f'[tool.hotdsl]\napp = "app.py"\n{setting}\n')
    result = hotdsl("synth", cwd=tmp_path)
    if setting.endswith('\\n"'):  # spaces around a release are ignored, as in every other name
        assert result.returncode == 0, result.stderr
        return
    assert_clean_refusal(result, tmp_path)
    assert "[tool.hotdsl] heat: unknown Heat release" in result.stderr


@pytest.mark.parametrize("value", ["", "ünïcode", "../../etc", "2023.1; rm -rf /", "1" * 3000])
def test_a_heat_option_of_any_shape_is_a_short_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "app.py").write_text(APP)
    result = hotdsl("synth", "--app", "app.py", "--heat", value, cwd=tmp_path)
    assert_clean_refusal(result, tmp_path)
    assert result.stderr.startswith("error: --heat: unknown Heat release")


BAD_CONSTRAINTS = """\
from hotdsl import AllowedPattern, App, Length, Parameter, Range, Resource, Stack
app = App()
stack = Stack(app, "demo")
Parameter(stack, "a", default="x", constraints=[AllowedPattern("([a-z")])
Parameter(stack, "b", type="number", default=1, constraints=[Range(min="lots")])
Parameter(stack, "c", default="x", constraints=[Length(min=1.5)])
Parameter(stack, "d", type="text", default="x")
Resource(stack, "r", type="OS::Heat::None")
"""


def test_constraints_heat_cannot_read_are_synth_problems(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BAD_CONSTRAINTS)
    result = hotdsl("synth", "--app", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "synth found 4 problems:" in result.stderr
    assert "app.py:4: demo/a: the allowed_pattern '([a-z' is not a valid regular" in result.stderr
    assert "app.py:5: demo/b: a range constraint's min and max must be numbers" in result.stderr
    assert "app.py:6: demo/c: a length constraint's min and max must be whole" in result.stderr
    assert "app.py:7: demo/d: unknown parameter type 'text'" in result.stderr
    assert not (tmp_path / "hot.out").exists()
