"""Saved plans and risk-aware approval, against the real Heat of the sandbox.

`hotdsl diff --plan-out` then `hotdsl deploy --plan` sends exactly what the plan holds
(not what the app says by then), reads its secrets at deploy time (none is in the
file), and refuses, naming the stack and what moved, when the stack was updated or
created since; nothing is changed then. `--require-approval never|any-change|replacement`
(and `[tool.hotdsl] require_approval`) ask a scripted observer only when they should,
and refuse without a terminal with the list of what needs approval. A replaced
resource with `deletion_policy: Retain` and one covered by `restricted_actions` are
flagged in diff and at approval, and Heat does refuse the restricted one. A stack
outside the plan whose outputs a planned stack takes is watched like a planned one.
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
from hotdsl.toolkit import (
    DeployOptions,
    DestroyOptions,
    DiffOptions,
    NotApproved,
    PlanOutdated,
    Recorder,
    Target,
    Toolkit,
)

pytestmark = pytest.mark.heat

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
SECRET = "plan-canary-7f3a9c-do-not-leak"

APP = """
app = App()
stack = Stack(app, "{name}")
password = Parameter(stack, "password", hidden=True)
rnd = heat.RandomString(stack, "rnd", length={length})
marker = heat.Value(stack, "marker", value="{marker}")
held = heat.Value(stack, "held", value=password)
Output(stack, "marker_value", value=marker.attrs.value)
Output(stack, "echo", value=password)
Stage(app, "dev", parameters={{password: from_env("PLAN_PASSWORD")}})
"""

RISKY_APP = """
app = App()
stack = Stack(app, "{name}")
kept = heat.RandomString(stack, "kept", length={length}, deletion_policy="Retain")
guarded = heat.RandomString(stack, "guarded", length={length})
dev = Stage(app, "dev")
dev.environment(stack).resources = {{guarded: ResourceSettings(restricted_actions=["replace"])}}
"""


def write_app(folder: Path, name: str, *, marker: str = "one", length: int = 8) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = APP.format(name=name, marker=marker, length=length)
    (folder / "app.py").write_text(HEADER + body, encoding="utf-8")


def hotdsl(folder: Path, sandbox: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args, "--cloud", sandbox.cloud],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PLAN_PASSWORD": SECRET},
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def marker_of(sandbox: Any, name: str) -> str:
    stack = HeatClient(sandbox.conn).find_stack(name)
    assert stack is not None
    return str(sandbox.outputs(stack)["marker_value"])


def test_a_plan_deploys_exactly_what_was_reviewed_and_holds_no_secret(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("plan")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, name)
    ok(hotdsl(tmp_path, heat_sandbox, "deploy", "--app", "app.py", "--stage", "dev"))

    write_app(tmp_path, name, marker="two")
    diff = ok(
        hotdsl(
            tmp_path, heat_sandbox, "diff", "-a", "app.py", "-s", "dev", "--plan-out", "plan.json"
        )
    )
    assert 'properties.value: "one" -> "two"' in diff.stdout
    text = (tmp_path / "plan.json").read_text()
    plan = json.loads(text)
    assert plan["format"] == 1 and plan["stage"] == "dev"
    (stack,) = plan["stacks"]
    deployed = client.find_stack(name)
    assert deployed is not None
    assert stack["deployed"]["id"] == deployed.id
    assert stack["content"]["secrets"] == {"password": {"from_env": "PLAN_PASSWORD"}}
    assert SECRET not in text

    # The app moves on after the review: the plan still sends what was reviewed.
    write_app(tmp_path, name, marker="three")
    applied = ok(hotdsl(tmp_path, heat_sandbox, "deploy", "--plan", "plan.json"))
    assert f"{name}: updated (UPDATE_COMPLETE" in applied.stdout
    assert marker_of(heat_sandbox, name) == "two"
    outputs = heat_sandbox.outputs(client.find_stack(name))
    assert outputs["echo"] == SECRET  # the secret was read at deploy time
    assert SECRET not in applied.stdout + applied.stderr

    # Applied once, the plan is out of date: its stack was updated (by the plan itself).
    again = hotdsl(tmp_path, heat_sandbox, "deploy", "--plan", "plan.json")
    assert again.returncode == 1 and f"stack {name} was updated since the plan" in again.stderr
    ok(hotdsl(tmp_path, heat_sandbox, "destroy", "-a", "app.py", "-s", "dev", "--yes"))


def test_a_plan_refuses_a_stack_someone_else_updated_and_changes_nothing(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("moved")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, name)
    ok(hotdsl(tmp_path, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev"))
    write_app(tmp_path, name, marker="reviewed")
    ok(hotdsl(tmp_path, heat_sandbox, "diff", "-a", "app.py", "-s", "dev", "--plan-out", "p.json"))

    elsewhere = tmp_path / "colleague"
    write_app(elsewhere, name, marker="theirs")
    ok(hotdsl(elsewhere, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev"))
    before = client.find_stack(name)
    assert before is not None

    refused = hotdsl(tmp_path, heat_sandbox, "deploy", "--plan", "p.json")
    assert refused.returncode == 1
    assert f"stack {name} was updated since the plan" in refused.stderr
    assert "its deployed template changed" in refused.stderr
    assert "nothing was changed" in refused.stderr and "Traceback" not in refused.stderr
    after = client.find_stack(name)
    assert after is not None and after.updated_time == before.updated_time
    assert marker_of(heat_sandbox, name) == "theirs"
    ok(hotdsl(tmp_path, heat_sandbox, "destroy", "-a", "app.py", "-s", "dev", "--yes"))


def test_a_plan_for_a_new_stack_refuses_once_it_was_created_meanwhile(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("raced")
    write_app(tmp_path, name)
    ok(hotdsl(tmp_path, heat_sandbox, "diff", "-a", "app.py", "-s", "dev", "--plan-out", "p.json"))
    assert json.loads((tmp_path / "p.json").read_text())["stacks"][0]["deployed"] == "absent"
    created = ok(hotdsl(tmp_path, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev"))
    assert f"{name}: created" in created.stdout
    stack = HeatClient(heat_sandbox.conn).find_stack(name)
    assert stack is not None

    refused = hotdsl(tmp_path, heat_sandbox, "deploy", "--plan", "p.json")
    assert refused.returncode == 1
    assert f"stack {name} was created since the plan (id {stack.id})" in refused.stderr
    ok(hotdsl(tmp_path, heat_sandbox, "destroy", "-a", "app.py", "-s", "dev", "--yes"))
    refused = hotdsl(tmp_path, heat_sandbox, "deploy", "--plan", "p.json", "--stage", "prod")
    assert refused.returncode == 1 and "--stage prod: the plan is for stage dev" in refused.stderr


def test_approval_levels_ask_a_scripted_observer_only_when_they_should(
    heat_sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = heat_sandbox.unique_name("level")
    monkeypatch.setenv("PLAN_PASSWORD", SECRET)
    write_app(tmp_path, name)

    def kit(observer: Recorder) -> Toolkit:
        target = Target(app="app.py", project=tmp_path, cloud=heat_sandbox.cloud, stage="dev")
        return Toolkit(target, observer)

    assert kit(Recorder()).deploy(DeployOptions(require_approval="never")).ok

    write_app(tmp_path, name, marker="two")  # an update in place
    declining = Recorder(answer=False)
    with pytest.raises(NotApproved):
        kit(declining).deploy(DeployOptions(require_approval="any-change"))
    (question,) = declining.questions
    assert question.details == (f"{name}: update marker",)
    silent = Recorder(answer=False)
    assert kit(silent).deploy(DeployOptions(require_approval="replacement")).ok
    assert silent.questions == [] and marker_of(heat_sandbox, name) == "two"

    # A replacement asks at "replacement", and so does the project's default.
    write_app(tmp_path, name, marker="two", length=12)
    project = '[tool.hotdsl]\napp = "app.py"\nrequire_approval = "replacement"\n'
    (tmp_path / "pyproject.toml").write_text(project, encoding="utf-8")
    declining = Recorder(answer=False)
    with pytest.raises(NotApproved, match="replacing or removing"):
        kit(declining).deploy(DeployOptions())
    assert declining.questions[0].details == (f"{name}: replace rnd",)
    before = HeatClient(heat_sandbox.conn).find_stack(name)
    assert before is not None and kit(Recorder()).deploy(DeployOptions(yes=True)).ok
    after = HeatClient(heat_sandbox.conn).find_stack(name)
    assert after is not None and after.updated_time != before.updated_time

    # Without a terminal the CLI refuses with the list, and --yes approves.
    write_app(tmp_path, name, marker="two", length=14)
    refused = hotdsl(tmp_path, heat_sandbox, "deploy", "-s", "dev")
    assert refused.returncode == 1
    assert f"error: needs approval: {name}: replace rnd; " in refused.stderr
    assert "pass --yes to approve in CI" in refused.stderr
    flag = hotdsl(tmp_path, heat_sandbox, "deploy", "-s", "dev", "--require-approval")
    assert flag.returncode == 1 and f"needs approval: {name}: replace rnd" in flag.stderr
    wrong = hotdsl(tmp_path, heat_sandbox, "deploy", "-s", "dev", "--require-approval=often")
    assert wrong.returncode == 1 and "choose one of never, any-change, replacement" in wrong.stderr
    never = ok(hotdsl(tmp_path, heat_sandbox, "deploy", "-s", "dev", "--require-approval", "never"))
    assert f"{name}: updated" in never.stdout
    ok(hotdsl(tmp_path, heat_sandbox, "destroy", "-s", "dev", "--yes"))


def test_retained_and_restricted_replacements_are_flagged_and_heat_refuses_the_restricted(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("risk")
    app = tmp_path / "app.py"
    app.write_text(HEADER + RISKY_APP.format(name=name, length=8), encoding="utf-8")
    ok(hotdsl(tmp_path, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev"))

    app.write_text(HEADER + RISKY_APP.format(name=name, length=10), encoding="utf-8")
    diff = ok(hotdsl(tmp_path, heat_sandbox, "diff", "-a", "app.py", "-s", "dev"))
    assert "  warning: kept: deletion_policy Retain: when Heat replaces it" in diff.stdout
    assert "  warning: guarded: restricted_actions forbids replace" in diff.stdout
    refused = hotdsl(
        tmp_path, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev", "--require-approval",
        "replacement",
    )  # fmt: skip
    assert refused.returncode == 1
    assert f"{name}: WARNING kept: deletion_policy Retain" in refused.stderr
    assert f"{name}: WARNING guarded: restricted_actions forbids replace" in refused.stderr
    assert "Heat will refuse it halfway through" in refused.stderr

    forced = hotdsl(tmp_path, heat_sandbox, "deploy", "-a", "app.py", "-s", "dev", "--yes")
    assert forced.returncode == 1
    assert "replace is restricted for resource" in forced.stdout + forced.stderr
    ok(hotdsl(tmp_path, heat_sandbox, "destroy", "-a", "app.py", "-s", "dev", "--yes"))


CROSS_APP = """
app = App()
base = Stack(app, "{prefix}-base")
rnd = heat.RandomString(base, "rnd", length={length})
user = Stack(app, "{prefix}-user")
value = heat.Value(user, "value", value=rnd)
marker = heat.Value(user, "marker", value="{marker}")
"""


def test_a_stack_whose_outputs_a_planned_stack_takes_is_watched_too(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("source")
    base, user = f"{prefix}-base", f"{prefix}-user"
    app = tmp_path / "app.py"

    def kit(length: int, marker: str) -> Toolkit:
        body = CROSS_APP.format(prefix=prefix, length=length, marker=marker)
        app.write_text(HEADER + body, encoding="utf-8")
        return Toolkit(Target(app="app.py", project=tmp_path, cloud=heat_sandbox.cloud))

    assert kit(8, "one").deploy().ok
    result = kit(8, "two").diff(DiffOptions(stacks=(user,), plan=True))
    plan = result.plan
    assert plan is not None and [s.stack_name for s in plan.stacks] == [user]
    assert list(plan.sources) == [base]
    assert kit(12, "one").deploy(DeployOptions(stacks=(base,))).ok  # the source moves

    with pytest.raises(PlanOutdated) as refused:
        Toolkit(Target(project=tmp_path, cloud=heat_sandbox.cloud)).deploy(DeployOptions(plan=plan))
    assert [name for name, _ in refused.value.moved] == [base]
    assert "was updated since the plan" in str(refused.value)
    Toolkit(Target(app="app.py", project=tmp_path, cloud=heat_sandbox.cloud)).destroy(
        DestroyOptions(yes=True)
    )
