"""`hotdsl diff` says when deploy would refuse a stack hotdsl does not own, and deploy says it first.

Against the sandbox's real Heat: a stack made by someone else under the app's name,
or made by hotdsl for another stack of an app, gets a note in the diff (text and
JSON) naming the `--take-over` flag; a stack hotdsl owns gets none. `deploy
--require-approval` refuses such a stack before it shows a diff or asks anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.ownership import owner_tag

pytestmark = pytest.mark.heat

APP = """
from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
heat.Value(stack, "mine", value="hotdsl")
"""

THEIR_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"theirs": {"type": "OS::Heat::None"}},
}


def hotdsl(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result


def project(folder: Path, name: str) -> list[str]:
    (folder / "app.py").write_text(APP.format(name=name), encoding="utf-8")
    return ["--app", "app.py"]


def note(name: str) -> str:
    return (
        f"{name} exists but was not created by hotdsl; deploy will refuse it without "
        f"--take-over {name}"
    )


def test_diff_notes_a_stack_hotdsl_does_not_own_until_it_is_taken_over(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("notmine")
    client = HeatClient(heat_sandbox.conn)
    heat_sandbox.create(THEIR_TEMPLATE, name=name)
    args = [*project(tmp_path, name), "--cloud", heat_sandbox.cloud]
    try:
        shown = ok(hotdsl(tmp_path, "diff", *args)).stdout
        assert shown.startswith(f"Stack {name}\n  note: {note(name)}\n"), shown
        assert "[-] theirs (OS::Heat::None)" in shown and "[+] mine (OS::Heat::Value)" in shown
        (entry,) = json.loads(ok(hotdsl(tmp_path, "diff", "--json", *args)).stdout)["stacks"]
        assert entry["not_owned"] == note(name)
        gate = hotdsl(tmp_path, "diff", "--fail", *args)
        assert gate.returncode == 2 and note(name) in gate.stdout

        ok(hotdsl(tmp_path, "deploy", "--take-over", name, *args))
        taken = client.find_stack(name)
        assert taken is not None and owner_tag(name) in taken.tags
        owned = ok(hotdsl(tmp_path, "diff", *args)).stdout
        assert owned == f"Stack {name}: no differences\n"
        (entry,) = json.loads(ok(hotdsl(tmp_path, "diff", "--json", *args)).stdout)["stacks"]
        assert entry["not_owned"] is None and entry["changed"] is False
    finally:
        ok(hotdsl(tmp_path, "destroy", "--yes", "--take-over", name, *args))


def test_diff_names_the_stack_another_hotdsl_stack_owns(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("theirs")
    client = HeatClient(heat_sandbox.conn)
    args = [*project(tmp_path, name), "--cloud", heat_sandbox.cloud]
    ok(hotdsl(tmp_path, "synth", "--app", "app.py"))
    template = (tmp_path / "hot.out" / f"{name}.yaml").read_text(encoding="utf-8")
    ref = client.create_stack(
        name, {"template": template, "files": {}, "tags": owner_tag("other-stack")}
    )
    heat_sandbox.wait(heat_sandbox.conn.orchestration.get_stack(ref.id), "CREATE_COMPLETE")
    try:
        shown = ok(hotdsl(tmp_path, "diff", *args)).stdout
        assert shown == (
            f"Stack {name}: no differences\n  note: {name} exists but was created by hotdsl "
            f"for the stack 'other-stack'; deploy will refuse it without --take-over {name}\n"
        )
    finally:
        ok(hotdsl(tmp_path, "destroy", "--yes", "--take-over", name, *args))


def test_require_approval_refuses_a_stack_it_does_not_own_before_showing_a_diff(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("approve")
    client = HeatClient(heat_sandbox.conn)
    heat_sandbox.create(THEIR_TEMPLATE, name=name)
    before = client.find_stack(name)
    assert before is not None
    args = [*project(tmp_path, name), "--cloud", heat_sandbox.cloud]
    try:
        for extra in (["--require-approval"], ["--require-approval", "--yes"], []):
            result = hotdsl(tmp_path, "deploy", *extra, *args)
            assert result.returncode == 1, result.stdout + result.stderr
            assert result.stdout == ""  # no diff, no question, no progress
            assert result.stderr.startswith(f"error: stack {name} (CREATE_COMPLETE, no hotdsl")
            assert f"--take-over {name}" in result.stderr and "Traceback" not in result.stderr
        after = client.find_stack(name)
        assert after is not None and (after.id, after.updated_time) == (before.id, None)
        approved = ok(
            hotdsl(tmp_path, "deploy", "--require-approval", "--yes", "--take-over", name, *args)
        )
        assert approved.stdout.startswith(f"Stack {name}\n  note: {note(name)}\n")
        assert f"{name}: updated" in approved.stdout
    finally:
        ok(hotdsl(tmp_path, "destroy", "--yes", "--take-over", name, *args))
