"""Deploy and after, against the real Heat of the sandbox: a failed deploy names what
failed and why even after a rollback, each deploy shows its own events only and up to
the final status, `hotdsl events` (after a rollback, `--follow`, `--json`), `ls --json`,
the counter of the progress, the outputs after the summary, and a declined question.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.progress import Progress
from hotdsl.toolkit import DeployOptions, Observer, Target, Toolkit

from .test_deploy import FAILING_APP, cloud, hotdsl, random_app, write_app

pytestmark = pytest.mark.heat

NESTED_FAILING_APP = """
app = App()
stack = Stack(app, "{name}")
top = heat.Value(stack, "top", value="fine")
inner = NestedStack(stack, "inner")
item = heat.TestResource(inner, "item", value="x", fail={fail})
"""


def deploy(folder: Path, sandbox: Any, *more: str) -> subprocess.CompletedProcess[str]:
    return hotdsl(folder, "deploy", "--app", "app.py", *cloud(sandbox), *more, check=False)


def test_a_failed_create_with_rollback_names_the_failed_resource_and_heats_reason(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("rbcreate")
    write_app(tmp_path, FAILING_APP.format(name=name, fail=True))
    first = deploy(tmp_path, heat_sandbox)
    assert first.returncode == 1, first.stdout + first.stderr
    assert f"{name}: failed (ROLLBACK_COMPLETE" in first.stderr
    assert "failed: bad CREATE_FAILED: ValueError: resources.bad: Test Resource failed" in (
        first.stderr
    )
    # the events go up to the final status: the rollback's deletes and the stack's end
    assert " | bad DELETE_COMPLETE" in first.stdout
    assert f" | {name} ROLLBACK_COMPLETE Stack ROLLBACK completed successfully" in first.stdout

    second = deploy(tmp_path, heat_sandbox)
    assert second.returncode == 1
    assert "failed: bad" in second.stderr and "Test Resource failed" in second.stderr
    # only this deploy's events: the first one's stack start is not shown again
    assert first.stdout.count("Stack CREATE started") == 1
    assert "Stack CREATE started" not in second.stdout
    own = [line for line in second.stdout.splitlines() if line.startswith(f"{name} | ")]
    first_lines = {line for line in first.stdout.splitlines() if line.startswith(f"{name} | ")}
    assert own and not (set(own) & first_lines), own
    assert own[-1].endswith("Stack ROLLBACK completed successfully")

    events = hotdsl(tmp_path, "events", name, "--app", "app.py", *cloud(heat_sandbox))
    assert events.stdout.count("Stack ROLLBACK completed successfully") == 2, events.stdout
    assert " | bad CREATE_FAILED ValueError: resources.bad: Test Resource failed" in events.stdout


def test_a_failure_in_a_nested_stack_is_named_by_its_path_after_the_rollback(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("rbnested")
    write_app(tmp_path, NESTED_FAILING_APP.format(name=name, fail=False))
    assert deploy(tmp_path, heat_sandbox).returncode == 0
    write_app(tmp_path, NESTED_FAILING_APP.format(name=name, fail=True))
    result = deploy(tmp_path, heat_sandbox)
    assert result.returncode == 1
    assert f"{name}: failed (ROLLBACK_COMPLETE" in result.stderr
    failed = [line.strip() for line in result.stderr.splitlines() if "failed: " in line]
    assert failed == [
        "failed: inner/item UPDATE_FAILED: ValueError: resources.item: Test Resource failed item"
    ], result.stderr
    # the summary's timings are this deploy's: no resource of the first create
    summary = result.stdout.split(f"{name}: done in ", 1)[1]
    assert " top (" not in summary.split(f"{name}: failed", 1)[0]


def test_events_json_and_ls_json_parse_and_are_stable(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("json")
    random_app(tmp_path, name)
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    args = ("--app", "app.py", *cloud(heat_sandbox), "--json")
    first = hotdsl(tmp_path, "events", name, *args).stdout
    again = hotdsl(tmp_path, "events", name, *args).stdout
    assert first == again
    data = json.loads(first)
    assert data["stack"] == name and data["status"] == "CREATE_COMPLETE"
    assert [e["path"] for e in data["events"]][-1] == name
    assert {e["path"] for e in data["events"]} == {name, "rnd", "value", "marker"}
    assert all(
        set(e)
        == {"id", "time", "path", "status", "reason", "physical_resource_id"}
        | {"nested_stack_event"}
        for e in data["events"]
    )
    listed = json.loads(hotdsl(tmp_path, "ls", *args).stdout)
    assert listed == [{"heat_name": name, "name": name, "status": "CREATE_COMPLETE"}]


def test_outputs_follow_the_summary_and_a_replacement_is_named(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("outs")
    random_app(tmp_path, name, marker="shown-after")
    out = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox)).stdout
    after = out.split(f"{name}: created (CREATE_COMPLETE", 1)[1]
    assert re.search(r"Outputs:\n" + re.escape(name) + r"\n  marker_value +shown-after\n", after)
    assert f"{name}: done in " in out.split("Outputs:")[0]

    # a replacement is told from a deletion, on the event lines as on the status line
    random_app(tmp_path, name, rnd_length=9, marker="shown-after")
    out = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox)).stdout
    assert " | rnd CREATE_IN_PROGRESS (replacing)" in out
    assert " | rnd DELETE_IN_PROGRESS (deleting the replaced version)" in out
    assert "Stack CREATE started" not in out


class Counters(Progress, Observer):
    """Keeps each stack's counter after every event, as the status line shows it."""

    def __init__(self) -> None:
        super().__init__(io.StringIO(), live=False)
        self.seen: list[tuple[int, int]] = []

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        super().event(stack, event)
        if stack in self.actions:
            self.seen.append(self.actions[stack].counter)


def test_the_counter_of_a_real_deploy_with_rollback_never_goes_back(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("counter")
    write_app(tmp_path, NESTED_FAILING_APP.format(name=name, fail=False))
    target = Target(app="app.py", project=tmp_path, cloud=heat_sandbox.cloud)
    assert Toolkit(target, Counters()).deploy().ok
    write_app(tmp_path, NESTED_FAILING_APP.format(name=name, fail=True))
    watch = Counters()
    result = Toolkit(target, watch).deploy(DeployOptions())
    assert not result.ok and result.outcomes[0].status == "ROLLBACK_COMPLETE"
    done = [d for d, _ in watch.seen]
    assert len(done) > 3 and done == sorted(done), watch.seen


class Clock:
    """The time following sees: it moves by the sleeps asked for, and counts them."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        import time

        time.sleep(0.1)  # Heat works meanwhile; nothing is asserted about this time


class Collect(Observer):
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        self.events.append(dict(event))


def test_events_follow_polls_until_heat_is_done_on_an_injected_clock(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("follow")
    write_app(
        tmp_path,
        f'app = App()\nstack = Stack(app, "{name}")\n'
        'slow = heat.TestResource(stack, "slow", value="x")\n',
    )
    client = HeatClient(heat_sandbox.conn)
    template = {
        "heat_template_version": "2021-04-16",
        "resources": {
            "slow": {
                "type": "OS::Heat::TestResource",
                "properties": {"value": "x", "action_wait_secs": {"create": 2}},
            }
        },
    }
    client.create_stack(name, {"template": template})
    clock, seen = Clock(), Collect()
    kit = Toolkit(
        Target(app="app.py", project=tmp_path, cloud=heat_sandbox.cloud),
        seen,
        clock=clock.time,
        sleep=clock.sleep,
    )
    result = kit.events(name, follow=True, poll_interval=0.5)
    assert result.status == "CREATE_COMPLETE"
    assert clock.sleeps and all(0 <= s <= 0.5 for s in clock.sleeps), clock.sleeps
    statuses = [(e["resource_name"], e["resource_status"]) for e in result.events]
    assert statuses[-1] == (name, "CREATE_COMPLETE")
    assert ("slow", "CREATE_COMPLETE") in statuses
    assert [e["id"] for e in seen.events] == [e["id"] for e in result.events]
    assert len({e["id"] for e in result.events}) == len(result.events)

    # a stack that is done: --follow lists and returns without a sleep
    clock.sleeps.clear()
    again = kit.events(name, follow=True)
    assert [e["id"] for e in again.events] == [e["id"] for e in result.events]
    assert clock.sleeps == []


def answer_on_a_terminal(folder: Path, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run hotdsl with a terminal as stdin that answers `answer` to the question."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode() + b"\n")
        return subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", *args],
            cwd=folder,
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(terminal)
        os.close(controller)


def test_a_declined_deploy_or_destroy_says_so_with_its_own_exit_code(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("decline")
    random_app(tmp_path, name)
    args = ("--app", "app.py", *cloud(heat_sandbox))
    result = answer_on_a_terminal(tmp_path, "n", "deploy", "--require-approval", *args)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "not deployed: declined" in result.stderr
    assert HeatClient(heat_sandbox.conn).find_stack(name) is None

    hotdsl(tmp_path, "deploy", *args)
    result = answer_on_a_terminal(tmp_path, "n", "destroy", *args)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "not destroyed: declined" in result.stderr
    assert HeatClient(heat_sandbox.conn).find_stack(name) is not None

    result = hotdsl(tmp_path, "destroy", "--yes", *args)
    # destroy shows the events to the end
    assert f" | {name} DELETE_COMPLETE Stack DELETE completed successfully" in result.stdout
    assert " | rnd DELETE_COMPLETE" in result.stdout
