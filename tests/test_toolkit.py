"""The toolkit (`hotdsl.toolkit`) called directly, against the real Heat of the sandbox.

A whole round (diff, deploy, outputs, events, list, destroy) on an app of two stacks
joined by a cross-stack reference; questions going to the caller's observer; a
missing output that diff and deploy refuse alike; the cloud chosen by flag, alias,
environment or project, in a region; and the README's CI script (examples/ci/deploy.py)
run as a CI job would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.imports import MissingOutputError
from hotdsl.sandbox.clouds import cloud_entry
from hotdsl.toolkit import (
    DeployOptions,
    DestroyOptions,
    DiffOptions,
    NotApproved,
    Question,
    Recorder,
    Target,
    Toolkit,
)

from .conftest import REPO

pytestmark = pytest.mark.heat

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
CI_EXAMPLE = REPO / "examples" / "ci"

BASE_ONLY = """
app = App()
base = Stack(app, "{prefix}-base")
rnd = heat.RandomString(base, "rnd", length=10)
"""
CROSS = (
    BASE_ONLY
    + """
user = Stack(app, "{prefix}-user")
value = heat.Value(user, "value", value=rnd)
Output(user, "got", value=value.attrs.value)
"""
)


def write_app(folder: Path, body: str, prefix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(HEADER + body.format(prefix=prefix), encoding="utf-8")


def toolkit(folder: Path, sandbox: Any, observer: Recorder | None = None) -> Toolkit:
    target = Target(app="app.py", project=folder, cloud=sandbox.cloud)
    return Toolkit(target, observer or Recorder())


def hotdsl(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )


def test_diff_deploy_outputs_events_and_destroy_in_one_round(
    heat_sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = heat_sandbox.unique_name("kit")
    base, user = f"{prefix}-base", f"{prefix}-user"
    write_app(tmp_path, CROSS, prefix)
    log = Recorder()
    kit = toolkit(tmp_path, heat_sandbox, log)

    diff = kit.diff()
    assert [(d.stack_name, d.exists) for d in diff.stacks] == [(base, False), (user, False)]
    assert diff.changed and [r.name for r in diff.stacks[1].resources] == ["value"]

    result = kit.deploy(DeployOptions(concurrency=2))
    assert result.ok and result.skipped == 0
    assert [(o.stack_name, o.outcome) for o in result.outcomes] == [
        (base, "created"),
        (user, "created"),
    ]
    assert f"{base}: creating" in log.messages and f"{user}: creating" in log.messages
    assert (user, "value", "CREATE_COMPLETE") in {
        (stack, e["resource_name"], e["resource_status"]) for stack, e in log.events
    }

    outputs = kit.outputs()
    token = outputs[base][f"export.{base}.rnd"]
    assert outputs[user] == {"got": token}
    assert result.outputs() == outputs
    assert kit.outputs([user]) == {user: {"got": token}}
    assert [(s.name, s.status) for s in kit.list_stacks()] == [
        (base, "CREATE_COMPLETE"),
        (user, "CREATE_COMPLETE"),
    ]
    assert not kit.diff().changed  # the deployed outputs fill the user stack's parameter

    events = kit.events(user)
    assert events.stack_name == user
    assert [e["resource_status"] for e in events.events if e["resource_name"] == "value"] == [
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
    ]

    gone = kit.destroy(DestroyOptions(yes=True))
    assert [(o.stack_name, o.outcome) for o in gone.outcomes] == [
        (user, "deleted"),
        (base, "deleted"),
    ]
    assert [s.status for s in kit.list_stacks()] == [None, None]
    printed = capsys.readouterr()
    assert (printed.out, printed.err) == ("", "")  # everything went to the observer


def test_questions_go_to_the_observer_and_no_means_nothing_changes(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("ask")
    base = f"{prefix}-base"
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, BASE_ONLY, prefix)

    declining = Recorder(answer=False)
    with pytest.raises(NotApproved, match="Deploy these changes"):
        toolkit(tmp_path, heat_sandbox, declining).deploy(DeployOptions(require_approval=True))
    assert declining.questions == [
        Question("deploy", "Deploy these changes?", (f"{base}: new stack, 1 resources",))
    ]
    assert client.find_stack(base) is None

    approving = Recorder(answer=True)
    result = toolkit(tmp_path, heat_sandbox, approving).deploy(DeployOptions(require_approval=True))
    assert result.ok and [d.exists for d in result.diffs] == [False]
    assert [o.outcome for o in result.outcomes] == ["created"]

    unchanged = Recorder(answer=False)
    again = toolkit(tmp_path, heat_sandbox, unchanged).deploy(DeployOptions(require_approval=True))
    assert again.nothing_to_deploy and again.outcomes == () and unchanged.questions == []

    with pytest.raises(NotApproved, match=f"Delete {base}"):
        toolkit(tmp_path, heat_sandbox).destroy()
    assert client.find_stack(base) is not None
    toolkit(tmp_path, heat_sandbox).destroy(DestroyOptions(yes=True))
    assert client.find_stack(base) is None


def test_a_missing_output_is_the_same_error_for_diff_and_deploy(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("miss")
    base, user = f"{prefix}-base", f"{prefix}-user"
    client = HeatClient(heat_sandbox.conn)
    head = f"{user}: parameter import.{base}.rnd needs output export.{base}.rnd of stack {base}"

    # The producing stack is not deployed, and not part of the run.
    write_app(tmp_path, CROSS, prefix)
    kit = toolkit(tmp_path, heat_sandbox)
    with pytest.raises(MissingOutputError) as from_diff:
        kit.diff(DiffOptions(stacks=(user,)))
    with pytest.raises(MissingOutputError) as from_deploy:
        kit.deploy(DeployOptions(stacks=(user,)))
    expected = f"{head}, which is not deployed (no stack {base} in Heat); deploy {base} first"
    assert str(from_diff.value) == str(from_deploy.value) == expected
    assert (from_diff.value.stack, from_diff.value.source_stack, from_diff.value.output) == (
        user,
        base,
        f"export.{base}.rnd",
    )
    assert client.find_stack(user) is None
    # In the same run, the producer comes first: diff leaves the value to the deploy.
    assert [d.exists for d in kit.diff().stacks] == [False, False]

    # The producing stack is deployed, from an app that did not export the value yet.
    write_app(tmp_path, BASE_ONLY, prefix)
    assert toolkit(tmp_path, heat_sandbox).deploy().ok
    write_app(tmp_path, CROSS, prefix)
    kit = toolkit(tmp_path, heat_sandbox)
    with pytest.raises(MissingOutputError) as from_diff:
        kit.diff(DiffOptions(stacks=(user,)))
    with pytest.raises(MissingOutputError) as from_deploy:
        kit.deploy(DeployOptions(stacks=(user,)))
    expected = f"{head}, which it does not have; deploy {base} first"
    assert str(from_diff.value) == str(from_deploy.value) == expected
    assert client.find_stack(user) is None

    # Both stacks: the base stack's diff adds the output, and the deploy fills it in.
    both = kit.diff()
    assert [(d.stack_name, d.exists) for d in both.stacks] == [(base, True), (user, False)]
    (added,) = both.stacks[0].template
    assert added.path == "outputs" and list(added.new) == [f"export.{base}.rnd"]
    result = kit.deploy()
    assert [o.outcome for o in result.outcomes] == ["updated", "created"]
    assert kit.outputs([user])[user]["got"] == kit.outputs([base])[base][f"export.{base}.rnd"]
    kit.destroy(DestroyOptions(yes=True))


def test_the_cloud_comes_from_the_flag_its_alias_the_environment_or_the_project(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("cloud")
    write_app(tmp_path, BASE_ONLY, prefix)
    config = f'[tool.hotdsl]\napp = "app.py"\ncloud = "{heat_sandbox.cloud}"\n'
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    listed = f"{prefix}-base\tNOT DEPLOYED"

    assert listed in hotdsl(tmp_path, "ls").stdout  # the project's cloud
    assert listed in hotdsl(tmp_path, "ls", "--os-cloud", heat_sandbox.cloud).stdout
    for flag in ("--cloud", "--os-cloud"):
        refused = hotdsl(tmp_path, "ls", flag, "nowhere")
        assert refused.returncode == 1 and "error: cloud 'nowhere'" in refused.stderr
    from_env = hotdsl(tmp_path, "ls", env={"OS_CLOUD": "nowhere"})  # wins over the project
    assert from_env.returncode == 1 and "error: cloud 'nowhere'" in from_env.stderr

    clouds = tmp_path / "clouds.yaml"
    regional = {**cloud_entry(heat_sandbox.info), "regions": ["RegionOne", "RegionTwo"]}
    clouds.write_text(yaml.safe_dump({"clouds": {"regional": regional}}), encoding="utf-8")
    env = {"OS_CLIENT_CONFIG_FILE": str(clouds)}
    ok = hotdsl(tmp_path, "ls", "--cloud", "regional", "--region", "RegionTwo", env=env)
    assert listed in ok.stdout, ok.stderr
    refused = hotdsl(tmp_path, "ls", "--cloud", "regional", "--region", "Atlantis", env=env)
    assert refused.returncode == 1 and "Atlantis is not a valid region" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_readme_ci_script_deploys_the_example_as_a_ci_job_would(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    project = tmp_path / "ci"
    shutil.copytree(CI_EXAMPLE, project)

    def job() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "deploy.py"],
            cwd=project,
            capture_output=True,
            text=True,
            env=dict(os.environ),  # no OS_CLOUD: the cloud of [tool.hotdsl]
            timeout=300,
            check=False,
        )

    try:
        first = job()
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Stack ci-demo-web: new, 1 resources to create" in first.stdout
        assert "ci-demo-web: created (CREATE_COMPLETE" in first.stdout
        assert "ci-demo-web | message CREATE_COMPLETE" in first.stdout
        outputs = json.loads((project / "outputs.json").read_text())
        token = outputs["ci-demo-base"]["export.ci-demo-base.token.value"]
        assert outputs["ci-demo-web"] == {"greeting": token} and len(token) == 16
        second = job()
        assert second.returncode == 0 and second.stdout.endswith("nothing to deploy\n")
    finally:
        Toolkit(Target(project=project)).destroy(DestroyOptions(yes=True))
    assert HeatClient(heat_sandbox.conn).find_stack("ci-demo-base") is None
