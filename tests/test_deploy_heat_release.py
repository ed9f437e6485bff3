"""Every command that synthesizes checks the app against the target Heat release, as synth does.

`[tool.hotdsl] heat` (or `--heat`) names the Heat the cloud runs. `diff`, `deploy`,
`destroy`, `outputs`, `events`, `ls` and `validate` synthesize before they talk to
Heat: each refuses what `hotdsl synth` refuses for that release, writes no out dir,
and takes `--heat` to override the setting. Run through the CLI, as users do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

APP = """\
from hotdsl import App, Resource, Stack
app = App()
stack = Stack(app, "demo", template_version="2017-02-24")
Resource(stack, "trunk", type="OS::Neutron::Trunk", properties={"port": "p"})
Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={"meter_name": "m", "threshold": 1})
"""
DEPLOYABLE = """\
from hotdsl import App, Resource, Stack
app = App()
stack = Stack(app, "{name}", template_version="2017-02-24")
Resource(stack, "value", type="OS::Heat::None")
Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={{"meter_name": "m", "threshold": 1}})
"""
TRUNK_MISSING = "app.py:4: demo/trunk: OS::Neutron::Trunk is new in Heat 9.0.0 (pike)"
ALARM_DEPRECATED = "warning: app.py:5: demo/alarm: OS::Aodh::Alarm is deprecated since"

COMMANDS: list[list[str]] = [
    ["diff"],
    ["deploy"],
    ["destroy", "--yes"],
    ["outputs"],
    ["events", "demo"],
    ["ls"],
    ["validate"],
    ["validate", "--cloud", "nosuch-cloud"],
]


def hotdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
        timeout=300,
        check=False,
    )


def project(folder: Path, heat: str | None) -> Path:
    (folder / "app.py").write_text(APP, encoding="utf-8")
    setting = f'heat = "{heat}"\n' if heat is not None else ""
    (folder / "pyproject.toml").write_text(f'[tool.hotdsl]\napp = "app.py"\n{setting}')
    return folder


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_the_project_setting_applies_to_every_command_that_synthesizes(
    tmp_path: Path, command: list[str]
) -> None:
    folder = project(tmp_path, "8.0.0")
    message = refused(hotdsl(*command, cwd=folder))
    assert TRUNK_MISSING in message
    assert "newer than the target Heat 8.0.0 (ocata)" in message
    assert not (folder / "hot.out").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_the_heat_option_applies_to_every_command_that_synthesizes(
    tmp_path: Path, command: list[str]
) -> None:
    folder = project(tmp_path, None)
    message = refused(hotdsl(*command, "--heat", "ocata", cwd=folder))
    assert TRUNK_MISSING in message and "newer than the target Heat 8.0.0 (ocata)" in message
    bad = refused(hotdsl(*command, "--heat", "2022.1", cwd=folder))
    assert bad.startswith("error: --heat: unknown Heat release '2022.1'"), bad


def test_the_option_overrides_the_setting_for_validate(tmp_path: Path) -> None:
    folder = project(tmp_path, "8.0.0")
    passed = hotdsl("validate", "--heat", "2023.1", cwd=folder)
    assert passed.returncode == 0, passed.stderr
    assert ALARM_DEPRECATED in passed.stderr
    assert "demo: valid (local checks)" in passed.stdout


def test_heat_with_from_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    folder = project(tmp_path, None)
    assert hotdsl("synth", cwd=folder).returncode == 0
    message = refused(hotdsl("diff", "--from", "hot.out", "--heat", "2023.1", cwd=folder))
    assert "--heat applies to the synth that runs first" in message


@pytest.mark.heat
def test_diff_and_deploy_synthesize_for_the_release_they_are_given(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    folder = project(tmp_path, "8.0.0")
    name = heat_sandbox.unique_name("release")
    (folder / "app.py").write_text(DEPLOYABLE.format(name=name), encoding="utf-8")
    cloud = ["--cloud", heat_sandbox.cloud]
    # Heat 8 (ocata) has OS::Aodh::Alarm, not yet deprecated: no warning
    quiet = hotdsl("diff", *cloud, cwd=folder)
    assert quiet.returncode == 0, quiet.stderr
    assert "is deprecated since" not in quiet.stderr
    assert f"Stack {name}: new, 2 resources to create" in quiet.stdout
    # the option wins over the setting: on 2023.1 the alarm is deprecated
    warned = hotdsl("diff", "--heat", "2023.1", *cloud, cwd=folder)
    assert warned.returncode == 0, warned.stderr
    assert f"warning: app.py:5: {name}/alarm: OS::Aodh::Alarm is deprecated since" in warned.stderr
    # an older release than the template version: deploy refuses before touching Heat
    message = refused(hotdsl("deploy", "--heat", "newton", *cloud, cwd=folder))
    assert "heat_template_version 2017-02-24 (ocata) is new in Heat 8.0.0 (ocata)" in message
    assert heat_sandbox.conn.orchestration.find_stack(name) is None
