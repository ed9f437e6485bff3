"""Hostile input to nested and remote stacks ends in a clean error or safe output.

A nested stack's template file name that climbs out of the out dir, is absolute, or
is not one Heat takes as a type; a remote stack's context of the wrong shape; values
for parameters the child does not have; a nesting deeper than Heat allows: each gives
short errors with the user's line and exit code 1, or files written only inside the
out dir. No traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "from hotdsl import *\napp = App()\nstack = Stack(app, 'demo')\n"


def synth(folder: Path, body: str) -> subprocess.CompletedProcess[str]:
    (folder / "app.py").write_text(HEADER + body, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "synth", "--app", "app.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        timeout=120,
    )


def files_outside(folder: Path) -> list[str]:
    """Files written anywhere but the app and its out dir."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.parent.rglob("*")
        if p.is_file() and not p.is_relative_to(folder)
    )


@pytest.mark.parametrize(
    "template_file",
    ["../../escape.yaml", "/etc/escape.yaml", "a/../../../escape.template"],
    ids=["climbs", "absolute", "mixed"],
)
def test_a_template_file_that_leaves_the_out_dir_is_written_inside_it(
    tmp_path: Path, template_file: str
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    body = (
        f"db = NestedStack(stack, 'db', template_file={template_file!r})\n"
        "Resource(db, 'v', type='OS::Heat::Value', properties={'value': 1})\n"
    )
    result = synth(folder, body)
    assert result.returncode == 0, result.stderr
    assert files_outside(folder) == []
    written = sorted(
        p.relative_to(folder / "hot.out").as_posix() for p in (folder / "hot.out").rglob("*.*")
    )
    assert all(not part.startswith("..") for path in written for part in path.split("/"))
    assert "demo.yaml" in written


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("NestedStack(stack, 'db', template_file='db.yml')", "must end in .yaml or .template"),
        (
            "RemoteStack(stack, 'far', context=RemoteContext(region_name=object()))",
            "cannot write a value of type object",
        ),
        (
            "NestedStack(stack, 'db', parameters={'nope': 1})",
            "passed for parameter 'nope', which the child stack does not declare",
        ),
        (
            "s = stack\nfor i in range(7):\n    s = NestedStack(s, f'n{i}')",
            "levels deep; Heat's max_nested_stack_depth is 5",
        ),
    ],
    ids=["yml", "context-object", "unknown-parameter", "too-deep"],
)
def test_bad_nested_stack_settings_are_short_errors_at_the_users_line(
    tmp_path: Path, body: str, says: str
) -> None:
    result = synth(tmp_path, body + "\n")
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    assert says in result.stderr
    assert "app.py:" in result.stderr
    assert not (tmp_path / "hot.out").exists()
