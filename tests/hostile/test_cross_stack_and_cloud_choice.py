"""Hostile cross-stack imports and cloud settings: clean errors, nothing read or deployed.

A manifest read with `--from` may come from a pull request. Its imports could name
any stack of the deployer's cloud and have that stack's outputs sent as a parameter,
which the pull request's template can output again: diff and deploy refuse an import
of a stack that is not the app's, before reading it, and nothing is deployed. A
missing output is one line naming the stack, parameter and output, for diff and
deploy alike. A wrong `[tool.hotdsl] cloud` or `--region` is a one-line error.
Against the sandbox's real Heat.
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

pytestmark = pytest.mark.heat

CANARY = "CANARY-other-stack-output-5e2b77"
APP = """
from hotdsl import App, Output, Stack
from hotdsl.stdlib import heat

app = App()
base = Stack(app, "{prefix}-base")
rnd = heat.RandomString(base, "rnd", length=10)
user = Stack(app, "{prefix}-user")
value = heat.Value(user, "value", value=rnd)
Output(user, "got", value=value.attrs.value)
"""


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


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line error of a refused command (exit 1, no traceback)."""
    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_an_import_of_a_stack_outside_the_app_is_refused_unread(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("planted")
    theirs = heat_sandbox.create(
        {
            "heat_template_version": "2021-04-16",
            "outputs": {"password": {"value": CANARY}},
        },
        name=f"{prefix}-prod-db",
    )
    (tmp_path / "app.py").write_text(APP.format(prefix=prefix), encoding="utf-8")
    cloud = ["--cloud", heat_sandbox.cloud]
    assert hotdsl(tmp_path, "synth", "--app", "app.py").returncode == 0
    manifest_file = tmp_path / "hot.out" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["stacks"][1]["imports"][0].update(stack=theirs.name, output="password")
    manifest_file.write_text(json.dumps(manifest))

    for command in ("diff", "deploy"):
        message = refused(hotdsl(tmp_path, command, "--from", "hot.out", *cloud))
        assert f"takes output password of '{theirs.name}', which is not a stack of the app" in (
            message
        )
        assert CANARY not in message
    client = HeatClient(heat_sandbox.conn)
    assert (
        client.find_stack(f"{prefix}-base") is None and client.find_stack(f"{prefix}-user") is None
    )
    heat_sandbox.delete(theirs)


def test_a_missing_output_is_one_line_for_diff_and_deploy(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("lacking")
    (tmp_path / "app.py").write_text(APP.format(prefix=prefix), encoding="utf-8")
    args = ["--app", "app.py", "--cloud", heat_sandbox.cloud, f"{prefix}-user"]
    messages = {
        command: refused(hotdsl(tmp_path, command, *args)) for command in ("diff", "deploy")
    }
    assert messages["diff"] == messages["deploy"]
    assert f"needs output export.{prefix}-base.rnd of stack {prefix}-base" in messages["diff"]
    assert HeatClient(heat_sandbox.conn).find_stack(f"{prefix}-user") is None


@pytest.mark.parametrize("value", ["3", '""', "[1]"])
def test_a_project_cloud_that_is_not_a_name_is_a_short_error(value: str, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[tool.hotdsl]\napp = "app.py"\ncloud = {value}\n')
    message = refused(hotdsl(tmp_path, "ls"))
    assert "[tool.hotdsl] cloud must name a clouds.yaml entry" in message


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("Three", "error: cloud 'two': Region Three is not a valid region name for cloud two."),
        ("Three\nerror: forged", "error: --region 'Three\\nerror: forged' is not a region name"),
    ],
)
def test_a_region_the_cloud_does_not_have_is_a_short_error(
    region: str, said: str, tmp_path: Path
) -> None:
    clouds = tmp_path / "clouds.yaml"
    entry = {"auth_type": "none", "auth": {"endpoint": "http://127.0.0.1:9/v1/x"}}
    clouds.write_text(json.dumps({"clouds": {"two": {**entry, "regions": ["One", "Two"]}}}))
    (tmp_path / "app.py").write_text(APP.format(prefix="region"), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotdsl.cli",
            "ls",
            "-a",
            "app.py",
            "--cloud",
            "two",
            "--region",
            region,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)},
        timeout=120,
        check=False,
    )
    assert refused(result).startswith(said)
