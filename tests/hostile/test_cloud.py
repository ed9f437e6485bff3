"""Hostile clouds and out dirs: deploy and destroy touch only what hotdsl owns, and never hang.

Against the sandbox's real Heat: stacks made by someone else under the app's names
(healthy, failed, or marked for another app's stack) are refused by deploy and
destroy and left as they were, until `--take-over` names them, and the takeover is
recorded; destroying part of an app is refused while deployed stacks use it; a stack
that stays in progress, or a Heat that stops answering, ends in a "stuck" outcome at a
deadline (an injected clock: no test waits for it); `deploy --from` reads nothing
outside the out dir, however the manifest is made; mistakes on the command line are
short errors. Every case ends in a clean error or a safe outcome, without a traceback.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from hotdsl import App, Output, Stack
from hotdsl.cli.deploy import report
from hotdsl.deploy.connection import connect_endpoint
from hotdsl.deploy.engine import DeployEngine, DeploySettings, DestroyTarget, StackOutcome
from hotdsl.deploy.heat import HeatClient, StackRef
from hotdsl.deploy.ownership import owner_tag, uses_tag
from hotdsl.deploy.plan import DeployOptions, StackRequest, load_manifest, stack_request
from hotdsl.deploy.progress import Progress
from hotdsl.stdlib import heat
from hotdsl.synth import synth

from ..faultproxy import FaultProxy

pytestmark = pytest.mark.heat

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
CANARY = "CANARY-private-key-3c9e1f"


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


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line error of a refused command (exit 1, no traceback)."""
    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def write_app(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(HEADER + body, encoding="utf-8")


def cloud(sandbox: Any) -> list[str]:
    return ["--app", "app.py", "--cloud", sandbox.cloud]


def physical_ids(client: HeatClient, ref: StackRef) -> dict[str, str]:
    return {r["resource_name"]: r["physical_resource_id"] for r in client.resources(ref)}


def settle(client: HeatClient, name: str, timeout: float = 120.0) -> StackRef | None:
    """Wait until Heat is done with the stack (None once it is gone)."""
    deadline = time.monotonic() + timeout
    while True:
        ref = client.find_stack(name)
        if ref is None or not ref.in_progress:
            return ref
        assert time.monotonic() < deadline, f"{name} still {ref.status}"
        time.sleep(0.2)


def delete(client: HeatClient, name: str) -> None:
    ref = client.find_stack(name)
    if ref is not None:
        client.delete_stack(ref)
        assert settle(client, name) is None


THEIR_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"theirs": {"type": "OS::Heat::RandomString", "properties": {"length": 10}}},
}

APP = """
app = App()
stack = Stack(app, "{name}")
mine = heat.Value(stack, "mine", value="hotdsl")
"""


# --- ownership ------------------------------------------------------------------------


def test_a_stack_someone_else_created_is_refused_then_taken_over_once(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("foreign")
    client = HeatClient(heat_sandbox.conn)
    heat_sandbox.create(THEIR_TEMPLATE, name=name)  # straight through openstacksdk
    before = client.find_stack(name)
    assert before is not None and before.tags == ()
    theirs = physical_ids(client, before)
    write_app(tmp_path, APP.format(name=name))

    message = refused(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))
    assert f"stack {name} (CREATE_COMPLETE, no hotdsl-stack tag) exists in Heat" in message
    assert f"run again with --take-over {name}" in message
    message = refused(hotdsl(tmp_path, "destroy", "--yes", *cloud(heat_sandbox)))
    assert "destroy deletes only stacks hotdsl created" in message
    assert f"--take-over {name}" in message
    after = client.find_stack(name)
    assert after is not None and after.id == before.id
    assert after.updated_time is None and after.status == "CREATE_COMPLETE"
    assert physical_ids(client, after) == theirs
    ok(hotdsl(tmp_path, "diff", *cloud(heat_sandbox)))  # reading is harmless

    refused(hotdsl(tmp_path, "deploy", "--take-over", "typo", *cloud(heat_sandbox)))
    taken = ok(hotdsl(tmp_path, "deploy", "--take-over", name, *cloud(heat_sandbox)))
    assert f"{name}: updating (taking it over: tag {owner_tag(name)})" in taken.stdout
    owned = client.find_stack(name)
    assert owned is not None and owner_tag(name) in owned.tags
    assert set(physical_ids(client, owned)) == {"mine"}

    again = ok(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))  # no flag needed any more
    assert f"{name}: unchanged" in again.stdout
    ok(hotdsl(tmp_path, "destroy", "--yes", *cloud(heat_sandbox)))
    assert client.find_stack(name) is None


def test_taking_over_an_unchanged_stack_still_records_it(heat_sandbox: Any, tmp_path: Path) -> None:
    """A stack with exactly the app's template (as a hotdsl older than the tags left it)."""
    name = heat_sandbox.unique_name("older")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, APP.format(name=name))
    ok(hotdsl(tmp_path, "synth", "--app", "app.py"))
    template = (tmp_path / "hot.out" / f"{name}.yaml").read_text(encoding="utf-8")
    ref = client.create_stack(name, {"template": template, "files": {}})
    assert settle(client, name) is not None

    refused(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))
    taken = ok(hotdsl(tmp_path, "deploy", "--take-over", name, *cloud(heat_sandbox)))
    assert f"{name}: updated (UPDATE_COMPLETE" in taken.stdout
    owned = client.find_stack(name)
    assert owned is not None and owned.id == ref.id and owner_tag(name) in owned.tags
    assert f"{name}: unchanged" in ok(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox))).stdout
    delete(client, name)


FAILING = {
    "heat_template_version": "2018-08-31",
    "resources": {"bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}}},
}


def test_a_failed_create_of_someone_else_is_not_deleted(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("theirfail")
    client = HeatClient(heat_sandbox.conn)
    heat_sandbox.create(FAILING, name=name, expect="CREATE_FAILED")
    before = client.find_stack(name)
    assert before is not None and before.status == "CREATE_FAILED"
    write_app(tmp_path, APP.format(name=name))

    message = refused(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))
    assert f"stack {name} (CREATE_FAILED, no hotdsl-stack tag)" in message
    assert f"openstack stack delete {name}" in message
    after = client.find_stack(name)
    assert after is not None and (after.id, after.status) == (before.id, "CREATE_FAILED")

    recreated = ok(hotdsl(tmp_path, "deploy", "--take-over", name, *cloud(heat_sandbox)))
    assert "from a failed create; deleting it" in recreated.stdout
    new = client.find_stack(name)
    assert new is not None and new.id != before.id and owner_tag(name) in new.tags
    delete(client, name)


def test_a_stack_marked_for_another_stack_of_an_app_is_refused(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("othermark")
    client = HeatClient(heat_sandbox.conn)
    body = {"template": json.dumps(THEIR_TEMPLATE), "tags": owner_tag("network")}
    client.create_stack(name, body)
    assert settle(client, name) is not None
    write_app(tmp_path, APP.format(name=name))
    message = refused(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))
    assert f"stack {name} (CREATE_COMPLETE, tagged for the stack 'network')" in message
    refused(hotdsl(tmp_path, "destroy", "--yes", *cloud(heat_sandbox)))
    assert client.find_stack(name) is not None
    delete(client, name)


def test_a_tag_may_not_forge_hotdsls_mark(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("forge")
    write_app(tmp_path, APP.format(name=name))
    for tag in (owner_tag("x"), "a" * 81, "a,b"):
        message = refused(hotdsl(tmp_path, "deploy", "--tag", tag, *cloud(heat_sandbox)))
        assert "--tag" in message
    assert HeatClient(heat_sandbox.conn).find_stack(name) is None


# --- destroying part of an app ---------------------------------------------------------

CROSS = """
app = App()
base = Stack(app, "{prefix}-base")
rnd = heat.RandomString(base, "rnd", length=10)
user = Stack(app, "{prefix}-user")
value = heat.Value(user, "value", value=rnd)
Output(user, "got", value=value.attrs.value)
"""


def test_destroying_a_stack_that_deployed_stacks_use_is_refused(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("part")
    base, user, other = f"{prefix}-base", f"{prefix}-user", f"{prefix}-other"
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, CROSS.format(prefix=prefix))
    ok(hotdsl(tmp_path, "deploy", *cloud(heat_sandbox)))
    user_ref = client.find_stack(user)
    assert user_ref is not None and uses_tag(base) in user_ref.tags

    message = refused(hotdsl(tmp_path, "destroy", base, "--yes", *cloud(heat_sandbox)))
    assert f"{user} uses {base}" in message
    assert f"`hotdsl destroy {base} {user}`" in message
    assert client.find_stack(base) is not None

    # A user deployed before the uses tags: the manifest still knows it.
    client._call("PATCH", user_ref.path, json={"tags": owner_tag(user)}, safe=False)
    settled = settle(client, user)
    assert settled is not None and settled.tags == (owner_tag(user),)
    message = refused(hotdsl(tmp_path, "destroy", base, "--yes", *cloud(heat_sandbox)))
    assert f"{user} uses {base}" in message

    # A stack of another app that takes base's outputs: found in Heat by its tag.
    body = {"template": json.dumps(THEIR_TEMPLATE), "tags": f"{owner_tag('x')},{uses_tag(base)}"}
    client.create_stack(other, body)
    assert settle(client, other) is not None
    message = refused(hotdsl(tmp_path, "destroy", "--yes", *cloud(heat_sandbox)))
    assert f"{other} (not in this app) uses {base}" in message
    assert client.find_stack(base) is not None and client.find_stack(user) is not None

    delete(client, other)
    both = ok(hotdsl(tmp_path, "destroy", base, user, "--yes", *cloud(heat_sandbox)))
    order = [line.split(":")[0] for line in both.stdout.splitlines() if line.endswith("deleting")]
    assert order == [user, base]


# --- stuck stacks ---------------------------------------------------------------------


class FakeClock:
    """Time as the engine sees it: a sleep moves it on at once (with a real pause of 10 ms)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        time.sleep(0.01)


def engine(
    client: HeatClient, clock: FakeClock, **settings: Any
) -> tuple[DeployEngine, io.StringIO]:
    shown = io.StringIO()
    engine = DeployEngine(
        client,
        Progress(shown, live=False),
        DeploySettings(**settings),
        clock=clock,
        sleep=clock.sleep,
    )
    return engine, shown


def slow_request(folder: Path, name: str, waits: dict[str, int]) -> StackRequest:
    app = App()
    stack = Stack(app, name)
    slow = heat.TestResource(stack, "slow", value="x", action_wait_secs=waits)
    Output(stack, "value", value=slow.attrs.output)
    synth(app, folder)
    (entry,) = load_manifest(folder).stacks
    return stack_request(folder, entry, DeployOptions())


def test_a_stack_that_stays_in_progress_is_reported_stuck_at_the_deadline(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("stuck")
    client = HeatClient(heat_sandbox.conn)
    clock = FakeClock()
    deployer, _ = engine(client, clock, timeout_mins=1, poll_interval=30.0)
    try:
        (outcome,) = deployer.deploy([slow_request(tmp_path, name, {"create": 600})])
        assert (outcome.outcome, outcome.status, outcome.ok) == (
            "stuck",
            "CREATE_IN_PROGRESS",
            False,
        )
        # `clock` is the injected FakeClock: it moves only by the sleeps the engine asks for,
        # so this counts polls, not this machine's speed. The deadline is the stack's
        # timeout (1 min) plus 5, and polls come every 30 s until then.
        assert 6 * 60 < clock.now <= 6 * 60 + 30
        assert f"{name}: still CREATE_IN_PROGRESS after 6 min, past its 1 min timeout" in (
            outcome.advice
        )
        assert f"`openstack stack cancel --no-rollback {name}`" in outcome.advice
        assert f"`openstack stack check {name}`" in outcome.advice
    finally:
        delete(client, name)


def test_a_delete_that_stays_in_progress_is_reported_stuck(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("stuckdel")
    client = HeatClient(heat_sandbox.conn)
    clock = FakeClock()
    deployer, _ = engine(client, clock, poll_interval=60.0)
    (created,) = deployer.deploy([slow_request(tmp_path, name, {"delete": 20})])
    assert created.outcome == "created"
    start = clock.now
    (outcome,) = deployer.destroy([DestroyTarget(name, name)])
    assert (outcome.outcome, outcome.status) == ("stuck", "DELETE_IN_PROGRESS")
    # On the injected FakeClock (sleeps asked for, not time spent): one 60 s poll past
    # Heat's default timeout, 60 min, plus 5.
    assert 65 * 60 < clock.now - start <= 66 * 60
    assert "past its 60 min timeout" in outcome.advice
    assert "restarting heat-engine marks it failed" in outcome.advice
    assert settle(client, name) is None  # Heat finishes the delete on its own


@pytest.fixture
def proxy(heat_sandbox: Any) -> Iterator[FaultProxy]:
    with FaultProxy(heat_sandbox.host, heat_sandbox.port) as running:
        yield running


STACK = r"^/v1/[^/]+/stacks/[^/]+/[^/]+$"
EVENTS = r"/events$"


def test_heat_falling_silent_while_following_ends_stuck_not_in_a_traceback(
    proxy: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("silent")
    client = HeatClient(connect_endpoint(proxy.endpoint), backoff=0.001)
    clock = FakeClock()
    deployer, shown = engine(client, clock, timeout_mins=1, poll_interval=60.0)
    proxy.fail("GET", STACK, times=None)
    proxy.fail("GET", EVENTS, times=None)
    (outcome,) = deployer.deploy([slow_request(tmp_path, name, {})])
    assert (outcome.outcome, outcome.status) == ("stuck", "CREATE_IN_PROGRESS")
    assert clock.now == 7 * 60  # polls every minute; the seventh is past the 6 min deadline
    assert f"{name}: Heat's API has not answered for 7 min" in outcome.advice
    assert f"{name}: Heat does not answer" in shown.getvalue()
    proxy.clear()
    assert settle(HeatClient(heat_sandbox.conn), name) is not None  # Heat itself carried on
    delete(HeatClient(heat_sandbox.conn), name)


def test_heat_answering_again_before_the_deadline_lets_the_deploy_finish(
    proxy: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("silentbrief")
    client = HeatClient(connect_endpoint(proxy.endpoint), backoff=0.001)
    clock = FakeClock()
    deployer, shown = engine(client, clock, poll_interval=30.0)
    proxy.fail("GET", STACK, times=3 * (client.retries + 1))  # three polls without an answer
    (outcome,) = deployer.deploy([slow_request(tmp_path, name, {})])
    assert outcome.outcome == "created" and outcome.outputs == {"value": "x"}
    assert f"{name}: Heat does not answer" in shown.getvalue()
    assert f"{name}: Heat answers again" in shown.getvalue()
    delete(HeatClient(heat_sandbox.conn), name)


def test_a_stuck_stack_is_reported_with_the_advice_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stuck = StackOutcome("web", "stuck", "UPDATE_IN_PROGRESS", elapsed=3900.0, advice="web: do X")
    with pytest.raises(typer.Exit) as raised:
        report([stuck], 1)
    assert raised.value.exit_code == 1
    err = capsys.readouterr().err
    assert "web: stuck (UPDATE_IN_PROGRESS, 3900.0 s)" in err and "  web: do X" in err


# --- deploy --from with hostile manifests ---------------------------------------------


def planted(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """An out dir synthesized in a repository, and a private file beside the repository."""
    secret = tmp_path / "home" / ".ssh" / "id_rsa"
    secret.parent.mkdir(parents=True)
    secret.write_text(CANARY, encoding="utf-8")
    repo = tmp_path / "repo"
    app = App()
    stack = Stack(app, name)
    heat.Value(stack, "v", value="x")
    synth(app, repo / "hot.out")
    return repo, secret


Mutation = Callable[[dict[str, Any], Path, Path], None]


def _stack(manifest: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = manifest["stacks"][0]
    return entry


def _set_files(value: Any) -> Mutation:
    return lambda m, out, secret: _stack(m).update(files={"key.txt": value})


def _link(m: dict[str, Any], out: Path, secret: Path) -> None:
    (out / "link.txt").symlink_to(secret)
    _stack(m).update(files={"key.txt": "link.txt"})


def _stage_env(m: dict[str, Any], out: Path, secret: Path) -> None:
    stage = {"stack_name": _stack(m)["name"], "environment_files": [str(secret)], "secrets": {}}
    _stack(m).update(stages={"dev": stage})


PATH_CASES: dict[str, tuple[Mutation, str]] = {
    # What the refusal names: the manifest loader refuses a path that is not inside the out
    # dir as written (`files['key.txt']`); deploy refuses one that leaves it through a link.
    "files ../": (_set_files("../../home/.ssh/id_rsa"), "files['key.txt']"),
    "files sub/../../": (_set_files("sub/../../../home/.ssh/id_rsa"), "files['key.txt']"),
    "files absolute": (lambda m, o, s: _stack(m).update(files={"k": str(s)}), "files['k']"),
    "files link out": (_link, "files entry 'key.txt'"),
    "files not a name": (_set_files(7), "files['key.txt']: expected a string, got int"),
    "files NUL": (_set_files("a\x00b"), "files['key.txt']"),
    "template ../": (
        lambda m, o, s: _stack(m).update(template="../../home/.ssh/id_rsa"),
        "template: ",
    ),
    "template the out dir": (lambda m, o, s: _stack(m).update(template="."), "template: "),
    "template empty": (lambda m, o, s: _stack(m).update(template=""), "template: "),
    "environment file": (
        lambda m, o, s: _stack(m).update(environment_files=["../../home/.ssh/id_rsa"]),
        "environment_files: ",
    ),
    "stage environment file": (_stage_env, "stage 'dev': environment_files: "),
}


@pytest.mark.parametrize("case", sorted(PATH_CASES))
def test_deploy_from_reads_nothing_outside_the_out_dir(
    case: str, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("hostile")
    repo, secret = planted(tmp_path, name)
    out = repo / "hot.out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    mutate, entry = PATH_CASES[case]
    mutate(manifest, out, secret)
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for command in ("deploy", "diff"):
        result = hotdsl(repo, command, "--from", "hot.out", "--cloud", heat_sandbox.cloud)
        message = refused(result)
        assert name in message and entry in message
        assert CANARY not in result.stdout + result.stderr
    assert HeatClient(heat_sandbox.conn).find_stack(name) is None
    assert secret.read_text(encoding="utf-8") == CANARY


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


MANIFEST_CASES: dict[str, Callable[[Path], object]] = {
    "not JSON": lambda out: (out / "manifest.json").write_text("{", encoding="utf-8"),
    "a list": lambda out: (out / "manifest.json").write_text("[]", encoding="utf-8"),
    "no stacks": lambda out: (out / "manifest.json").write_text('{"format": 1}'),
    "unknown format": lambda out: (out / "manifest.json").write_text('{"format": 99}'),
    "a stack without a template": lambda out: (out / "manifest.json").write_text(
        '{"format": 1, "stacks": [{"name": "s", "path": "s"}]}'
    ),
    "stacks not a list": lambda out: (out / "manifest.json").write_text(
        '{"format": 1, "stacks": 3}'
    ),
    "a folder": lambda out: _replace_with_folder(out / "manifest.json"),
    "binary template": lambda out: next(out.glob("*.yaml")).write_bytes(b"\xff\xfe\x00bad"),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_a_broken_out_dir_is_a_short_error(case: str, heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("hostile")
    repo, _secret = planted(tmp_path, name)
    MANIFEST_CASES[case](repo / "hot.out")
    result = hotdsl(repo, "deploy", "--from", "hot.out", "--cloud", heat_sandbox.cloud)
    message = refused(result)
    assert "run `hotdsl synth`" in message
    assert HeatClient(heat_sandbox.conn).find_stack(name) is None


# --- the command line -----------------------------------------------------------------


def test_commands_naming_an_unknown_stack_list_the_apps_stacks(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("hostile")
    repo, _secret = planted(tmp_path, name)
    for command in (["events", "nosuch"], ["outputs", "nosuch"], ["destroy", "nosuch", "--yes"]):
        result = hotdsl(repo, *command, "--from", "hot.out", "--cloud", heat_sandbox.cloud)
        assert refused(result) == f"error: no stack named nosuch; the app's stacks: {name}\n"


@pytest.mark.parametrize(
    "option", [["--concurrency", "0"], ["--concurrency", "-2"], ["--timeout", "0"]]
)
def test_counts_below_one_are_rejected_before_anything_is_deployed(
    option: list[str], heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("hostile")
    repo, _secret = planted(tmp_path, name)
    result = hotdsl(repo, "deploy", *option, "--from", "hot.out", "--cloud", heat_sandbox.cloud)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"Invalid value for '{option[0]}'" in result.stderr
    assert "an earlier stack failed" not in result.stderr
    assert HeatClient(heat_sandbox.conn).find_stack(name) is None
