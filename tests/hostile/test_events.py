"""Hostile input to `hotdsl events` and the declined question, without a cloud: an
unknown stack with `--follow --json` is one line on stderr and nothing on stdout (no
half-written JSON), a negative `--nested-depth` is a usage error, and an answer other
than yes to destroy's question (`n`, `NO`, Enter alone) changes nothing and exits 3. No traceback in any case.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

APP = 'from hotdsl import *\nfrom hotdsl.stdlib import heat\napp = App()\nStack(app, "only")\n'


def run(folder: Path, *args: str, stdin: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "OS_CLOUD": "nowhere-hostile"},
    )


def test_an_unknown_stack_followed_as_json_is_one_line_and_no_json(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    result = run(tmp_path, "events", "nosuch", "--follow", "--json", "--app", "app.py")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "error: no stack named nosuch; the app's stacks: only\n"


def test_a_negative_nested_depth_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    result = run(tmp_path, "events", "only", "--nested-depth", "-1", "--app", "app.py")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--nested-depth" in result.stderr


def test_any_answer_but_yes_declines_destroy_with_exit_3(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    for answer in ("n", "", "NO"):  # Enter alone takes the default: no
        controller, terminal = pty.openpty()
        try:
            os.write(controller, answer.encode() + b"\n")
            result = run(tmp_path, "destroy", "--app", "app.py", stdin=terminal)
        finally:
            os.close(terminal)
            os.close(controller)
        assert result.returncode == 3, (answer, result.stdout, result.stderr)
        assert result.stderr.endswith("not destroyed: declined\n"), result.stderr
        assert "Traceback" not in result.stderr + result.stdout
