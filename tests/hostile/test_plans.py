"""A plan file is input from elsewhere (a CI artifact, a pull request): tampering is refused.

A valid plan is made from a synthesized app with a secret, then edited the ways an
attacker or an accident would: content that no longer matches its digest, a plan
re-sealed with fresh digests but another format, secrets read from files outside the
project, from dot folders or from credential variables, secret values slipped in
beside their sources or in an environment file, unknown fields, and paths that leave
the out dir, a secret whose value changed since the plan. Each `hotdsl deploy --plan`
ends in one clean error line (no traceback) before any cloud is contacted, with no
canary value in its output and no file written. The valid plan itself holds no
secret value, only a keyed digest of it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.plan import DeployOptions, stack_request
from hotdsl.deploy.saved_plan import DeployedState, Plan, digest, planned_stack
from hotdsl.project import load_app
from hotdsl.synth import synth

SECRET = "hostile-plan-canary-51c2e"
KEY = "k" * 40
OUTSIDE = "outside-canary-93d1f"
APP = """
from hotdsl import App, Output, Parameter, Stack, Stage, from_env
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "planned")
password = Parameter(stack, "password")
heat.Value(stack, "held", value=password)
Output(stack, "echo", value=password)
Stage(app, "dev", parameters={password: from_env("PLAN_PASSWORD")})
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding a valid plan.json of the app's stage dev."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "outside.txt").write_text(OUTSIDE, encoding="utf-8")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text(OUTSIDE, encoding="utf-8")
    monkeypatch.setenv("PLAN_PASSWORD", SECRET)
    monkeypatch.setenv("HOTDSL_SECRET_KEY", KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # never the user's key file
    _, manifest = synth(load_app("app.py", folder), folder / "hot.out", ["dev"])
    (entry,) = manifest.stacks
    request = stack_request(folder / "hot.out", entry, DeployOptions(stage="dev"))
    assert request.parameters == {"password": SECRET}
    plan = Plan((planned_stack(request, "dev", DeployedState()),), "dev", {"planned": "planned"})
    plan.write(folder / "plan.json")
    return folder


def deploy_plan(
    folder: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "deploy", "--plan", "plan.json", "--cloud", "nowhere"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PLAN_PASSWORD": SECRET, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


def edit(folder: Path, change: Callable[[dict[str, Any]], None], *, reseal: bool) -> None:
    """Change plan.json; with `reseal`, write fresh digests as a forger would."""
    path = folder / "plan.json"
    data = json.loads(path.read_text())
    change(data)
    if reseal:
        for stack in data["stacks"]:
            stack["digest"] = digest(stack["content"])
        data["digest"] = digest({k: v for k, v in data.items() if k != "digest"})
    path.write_text(json.dumps(data))


def refused(folder: Path, expected: str, env: dict[str, str] | None = None) -> None:
    before = sorted(p for p in folder.parent.rglob("*"))
    result = deploy_plan(folder, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "cloud 'nowhere'" not in result.stderr
    for canary in (SECRET, OUTSIDE):
        assert canary not in result.stderr
    assert sorted(p for p in folder.parent.rglob("*")) == before


def secrets_of(data: dict[str, Any]) -> dict[str, Any]:
    secrets: dict[str, Any] = data["stacks"][0]["content"]["secrets"]
    return secrets


def test_the_plan_holds_no_secret_value_and_reaches_the_cloud_untampered(project: Path) -> None:
    text = (project / "plan.json").read_text()
    assert SECRET not in text and '"from_env": "PLAN_PASSWORD"' in text
    result = deploy_plan(project)  # a sound plan gets as far as choosing the cloud
    assert result.returncode == 1 and "error: cloud 'nowhere'" in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_edited_content_or_state_no_longer_matches_its_digest(project: Path) -> None:
    original = (project / "plan.json").read_text()

    def template(data: dict[str, Any]) -> None:
        data["stacks"][0]["content"]["template"] += "\n# edited\n"

    edit(project, template, reseal=False)
    refused(project, "stack planned: its content does not match its digest")
    (project / "plan.json").write_text(original)

    def state(data: dict[str, Any]) -> None:
        data["stacks"][0]["deployed"] = {
            "id": "x",
            "updated_time": None,
            "template": "sha256:0",
            "environment": "sha256:0",
        }

    edit(project, state, reseal=False)
    refused(project, "plan.json: its content does not match its digest")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(format=2), "plan format 2; this hotdsl reads format 1"),
        (lambda d: d.pop("format"), "plan format None; this hotdsl reads format 1"),
        (lambda d: d.update(kind="terraform-plan"), "not a hotdsl plan"),
        (lambda d: d.update(stacks=[]), '"stacks" must be a list of at least one stack'),
        (lambda d: d.update(stage=["dev"]), "plan: stage must be text"),
    ],
)
def test_another_format_or_shape_is_refused_even_with_fresh_digests(
    project: Path, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    edit(project, change, reseal=True)
    refused(project, expected)


def test_not_json_or_not_an_object_is_refused(project: Path) -> None:
    (project / "plan.json").write_text("{not json")
    refused(project, "plan.json: not a plan hotdsl can read")
    (project / "plan.json").write_text("[1, 2]")
    refused(project, "plan.json: not a hotdsl plan")
    (project / "plan.json").unlink()
    refused(project, "no such plan; write one with `hotdsl diff --plan-out")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"from_file": "../outside.txt"}, "it leads out of the project folder"),
        ({"from_file": "{outside}"}, "it is not a path relative to the project folder"),
        ({"from_file": ".git/config"}, "a part of it starts with a dot"),
        ({"from_env": "OS_PASSWORD"}, "which holds the deployer's credentials"),
        ({"from_env": "GITHUB_TOKEN"}, "which holds the deployer's credentials"),
    ],
)
def test_secrets_are_read_only_where_a_plan_from_elsewhere_may_read_them(
    project: Path, source: dict[str, str], expected: str
) -> None:
    outside = str(project.parent / "outside.txt")
    resolved = {k: v.format(outside=outside) for k, v in source.items()}
    edit(project, lambda d: secrets_of(d).update(password=resolved), reseal=True)
    refused(project, expected, env={"OS_PASSWORD": OUTSIDE, "GITHUB_TOKEN": OUTSIDE})


def test_secret_values_slipped_into_the_plan_are_refused(project: Path) -> None:
    original = (project / "plan.json").read_text()

    def beside(data: dict[str, Any]) -> None:
        secrets_of(data)["password"] = {"from_env": "PLAN_PASSWORD", "value": SECRET}

    edit(project, beside, reseal=True)
    refused(project, "secret password must say only from_env or from_file, never a value")

    def as_parameter(data: dict[str, Any]) -> None:
        data["stacks"][0]["content"]["parameters"] = {"password": SECRET}

    (project / "plan.json").write_text(original)
    edit(project, as_parameter, reseal=True)
    refused(project, "unknown field 'parameters'")

    def in_environment(data: dict[str, Any]) -> None:
        content = data["stacks"][0]["content"]
        content["files"]["planted.env.yaml"] = f"parameter_defaults:\n  password: {SECRET}\n"
        content["environment_files"].append("planted.env.yaml")

    (project / "plan.json").write_text(original)
    edit(project, in_environment, reseal=True)
    refused(project, "environment file planted.env.yaml gives a value to the secret password")


def test_paths_and_names_that_leave_their_place_are_refused(project: Path) -> None:
    original = json.loads((project / "plan.json").read_text())

    def escape_template(data: dict[str, Any]) -> None:
        data["stacks"][0]["content"]["entry"]["template"] = "../../etc/passwd"

    edit(project, escape_template, reseal=True)
    refused(project, "'../../etc/passwd' is not a path inside the out dir")

    def unknown_file(data: dict[str, Any]) -> None:
        data["stacks"][0]["content"]["environment_files"] = ["/etc/passwd"]

    (project / "plan.json").write_text(json.dumps(copy.deepcopy(original)))
    edit(project, unknown_file, reseal=True)
    refused(project, "environment_files must name entries of its files map")


def test_options_that_would_change_a_plan_are_refused(project: Path) -> None:
    for extra, flag in (
        (["-p", "password=x"], "--parameter"),
        (["--app", "app.py"], "--app"),
        (["planned"], "STACK"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", "deploy", "--plan", "plan.json", *extra],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"--plan deploys the plan as it was reviewed; {flag} cannot change it" in (
            result.stderr
        )


def test_a_secret_that_changed_since_the_plan_is_refused(project: Path) -> None:
    data = json.loads((project / "plan.json").read_text())
    (recorded,) = data["stacks"][0]["content"]["secret_digests"].values()
    assert SECRET not in recorded
    rotated = {"PLAN_PASSWORD": "rotated-" + SECRET}
    refused(
        project,
        "secret password (from_env PLAN_PASSWORD) has another value than when the plan was made",
        env=rotated,
    )
    other_key = deploy_plan(project, {**rotated, "HOTDSL_SECRET_KEY": "o" * 40})
    assert other_key.returncode == 1 and "error: cloud 'nowhere'" in other_key.stderr
    assert "cannot tell whether its value changed since the plan" in other_key.stderr
    assert SECRET not in other_key.stderr

    def forged(data: dict[str, Any]) -> None:
        data["stacks"][0]["content"]["secret_digests"]["other"] = "x.y"

    edit(project, forged, reseal=True)
    refused(project, "secret_digests must name secrets of the stack")
