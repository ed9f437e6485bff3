"""Hostile deployed stacks: `hotdsl import --stack(s)` ends in a clean error or a safe module.

Against the sandbox's real Heat: a stack name with odd characters (path tricks, shell
characters, spaces) and a stack that does not exist are one-line errors; a template
Heat accepts but the importer refuses (a CloudFormation-format template), and a files
map whose names lead out of the folder, end in a clean error that writes nothing; a
hidden value is never printed or written, whatever happens (Heat returns a hidden
parameter's template default in clear: the module reads it from the environment); `--stacks` with a prefix
that matches nothing, and options that do not go together, are one-line errors too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.heat

SECRET = "hostile-Secret-77"


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


def refused(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """A clean refusal: exit 1, one `error:` line, no traceback, no secret."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "bug:" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert SECRET not in result.stdout + result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "a b/c", "$(touch pwned)", "x?y#z", "..", "%2e%2e", "ünï"]
)
def test_odd_or_missing_stack_names_are_one_line_errors(
    heat_sandbox: Any, tmp_path: Path, name: str
) -> None:
    result = hotdsl(tmp_path, "import", "--stack", name, "--cloud", heat_sandbox.cloud)
    refused(result, "no stack named", "openstack stack list")
    assert list(tmp_path.iterdir()) == []


def test_a_template_heat_accepts_but_the_importer_refuses_writes_nothing(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    cfn = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Token": {"Type": "String", "NoEcho": "true"}},
        "Resources": {"Wait": {"Type": "OS::Heat::None"}},
    }
    name = heat_sandbox.unique_name("cfn")
    heat_sandbox.create(cfn, name=name, parameters={"Token": SECRET})
    result = hotdsl(tmp_path, "import", "--stack", name, "--cloud", heat_sandbox.cloud)
    refused(result, "HOT")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "key", ["../outside.txt", "/etc/hostname", "file:///etc/hostname", "sub/../../x.txt"]
)
def test_files_whose_names_lead_out_of_the_folder_are_refused(
    heat_sandbox: Any, tmp_path: Path, key: str
) -> None:
    template = {
        "heat_template_version": "2018-08-31",
        "parameters": {"token": {"type": "string", "hidden": True}},
        "resources": {
            "text": {"type": "OS::Heat::Value", "properties": {"value": {"get_file": key}}}
        },
    }
    name = heat_sandbox.unique_name("files")
    heat_sandbox.create(template, name=name, parameters={"token": SECRET}, files={key: "outside\n"})
    work = tmp_path / "work"
    work.mkdir()
    result = hotdsl(work, "import", "--stack", name, "--cloud", heat_sandbox.cloud)
    refused(result, f"its files map holds {key!r}, not a relative path")
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_a_hidden_value_never_reaches_the_module_or_the_terminal(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    template = {
        "heat_template_version": "2018-08-31",
        "parameters": {
            "token": {"type": "string", "hidden": True},
            "also": {"type": "string", "hidden": True},
            "builtin": {"type": "string", "hidden": True, "default": SECRET + "-3"},
        },
        "resources": {
            "text": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "token"}}}
        },
    }
    name = heat_sandbox.unique_name("quiet")
    heat_sandbox.create(
        template,
        name=name,
        parameters={"token": SECRET},
        environment={"parameter_defaults": {"also": SECRET + "-2"}},
    )
    result = hotdsl(tmp_path, "import", "--stack", name, "--cloud", heat_sandbox.cloud)
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    source = next(tmp_path.glob("*.py")).read_text()
    assert source.count("from_env(") == 3
    assert "builtin is hidden and its template default is a secret" in result.stdout


def test_stacks_that_match_nothing_and_options_that_clash_are_one_line_errors(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    cloud = ["--cloud", heat_sandbox.cloud]
    prefix = heat_sandbox.unique_name("nothing-here") + "-"
    refused(hotdsl(tmp_path, "import", "--stacks", "--prefix", prefix, *cloud), "no stacks")
    refused(hotdsl(tmp_path, "import", "--stack", "x", "--stacks", *cloud), "name one thing")
    refused(hotdsl(tmp_path, "import", *cloud), "name one thing")
    refused(hotdsl(tmp_path, "import", "--stack", "x", "--prefix", "p", *cloud), "--prefix")
    refused(hotdsl(tmp_path, "import", "--stack", "x", "-e", "env.yaml", *cloud), "-e")
    refused(hotdsl(tmp_path, "import", "--stack", "x", "--stage", "no stage!", *cloud), "stage")
    assert list(tmp_path.iterdir()) == []
