"""diff, deploy, destroy, outputs, events and ls against the real Heat of the sandbox.

Every test drives the `hotdsl` command as a user would, on a small app written to a
temporary folder, and checks the outcome in Heat itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.ownership import owner_tag, uses_tag

from .faultproxy import FaultProxy

pytestmark = pytest.mark.heat

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
PROXY_CLOUD = "through-faultproxy"


def write_app(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    app = folder / "app.py"
    app.write_text(HEADER + body, encoding="utf-8")
    return app


def hotdsl(
    folder: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"hotdsl {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def cloud(sandbox: Any) -> list[str]:
    return ["--cloud", sandbox.cloud]


RANDOM_APP = """
app = App()
stack = Stack(app, "{name}")
length = Parameter(stack, "length", type="number", default={length})
rnd = heat.RandomString(stack, "rnd", length={rnd_length})
value = heat.Value(stack, "value", value=rnd.attrs.value)
marker = heat.Value(stack, "marker", value="{marker}")
Output(stack, "secret_length", value=length)
Output(stack, "marker_value", value=marker.attrs.value)
"""


def random_app(
    folder: Path, name: str, *, length: int = 8, rnd_length: int = 8, marker: str = "one"
) -> Path:
    return write_app(
        folder, RANDOM_APP.format(name=name, length=length, rnd_length=rnd_length, marker=marker)
    )


def test_create_noop_update_and_replace(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("life")
    client = HeatClient(heat_sandbox.conn)
    random_app(tmp_path, name)

    created = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    assert f"{name}: created (CREATE_COMPLETE" in created.stdout
    first = client.find_stack(name)
    assert first is not None and first.status == "CREATE_COMPLETE"
    rnd_id = {r["resource_name"]: r["physical_resource_id"] for r in client.resources(first)}["rnd"]

    again = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    assert f"{name}: unchanged" in again.stdout
    assert client.find_stack(name).updated_time is None  # type: ignore[union-attr]

    random_app(tmp_path, name, marker="two")
    diff = hotdsl(tmp_path, "diff", "--app", "app.py", *cloud(heat_sandbox))
    assert "[~] marker (OS::Heat::Value)" in diff.stdout
    assert 'properties.value: "one" -> "two"' in diff.stdout
    updated = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    assert f"{name}: updated (UPDATE_COMPLETE" in updated.stdout
    assert heat_sandbox.outputs(client.find_stack(name))["marker_value"] == "two"

    random_app(tmp_path, name, marker="two", rnd_length=12)
    diff = hotdsl(tmp_path, "diff", "--app", "app.py", *cloud(heat_sandbox))
    assert (
        "[!] rnd (OS::Heat::RandomString) will be REPLACED: length cannot be updated in place"
        in diff.stdout
    )
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    after = client.find_stack(name)
    assert after is not None
    new_id = {r["resource_name"]: r["physical_resource_id"] for r in client.resources(after)}["rnd"]
    assert new_id != rnd_id

    destroyed = hotdsl(tmp_path, "destroy", "--app", "app.py", "--yes", *cloud(heat_sandbox))
    assert f"{name}: deleted" in destroyed.stdout
    assert client.find_stack(name) is None


def test_diff_never_changes_a_deployed_stack(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("diff")
    client = HeatClient(heat_sandbox.conn)
    random_app(tmp_path, name)
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    before = client.find_stack(name)
    assert before is not None
    template_before = client.template(before)

    random_app(tmp_path, name, marker="changed", rnd_length=20)
    result = hotdsl(
        tmp_path, "diff", "--app", "app.py", "--fail", *cloud(heat_sandbox), check=False
    )
    assert result.returncode == 2
    data = json.loads(
        hotdsl(tmp_path, "diff", "--app", "app.py", "--json", *cloud(heat_sandbox)).stdout
    )
    (stack,) = data["stacks"]
    actions = {r["name"]: r["action"] for r in stack["resources"]}
    assert actions == {"rnd": "replace", "marker": "update", "value": "update"}

    after = client.find_stack(name)
    assert after is not None
    assert after.updated_time == before.updated_time and after.status == "CREATE_COMPLETE"
    assert client.template(after) == template_before
    events = list(client.events(after))
    assert not [e for e in events if "UPDATE" in e["resource_status"]]

    random_app(tmp_path, name)
    assert (
        hotdsl(tmp_path, "diff", "--app", "app.py", "--fail", *cloud(heat_sandbox)).returncode == 0
    )


def test_a_stack_that_does_not_exist_diffs_as_all_new(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("new")
    random_app(tmp_path, name)
    result = hotdsl(tmp_path, "diff", "--app", "app.py", *cloud(heat_sandbox))
    assert f"Stack {name}: new, 3 resources to create" in result.stdout
    assert "[+] rnd (OS::Heat::RandomString)" in result.stdout


FAILING_APP = """
app = App()
stack = Stack(app, "{name}")
good = heat.Value(stack, "good", value="fine")
bad = heat.TestResource(stack, "bad", fail={fail}, value="x", depends_on=[good])
"""


def test_a_failed_update_rolls_back_and_reports_heats_reason(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("fail")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, FAILING_APP.format(name=name, fail=False))
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))

    write_app(tmp_path, FAILING_APP.format(name=name, fail=True))
    result = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox), check=False)
    assert result.returncode == 1
    assert f"{name}: failed (ROLLBACK_COMPLETE" in result.stderr
    assert "Test Resource failed" in result.stderr + result.stdout
    final = client.find_stack(name)
    assert final is not None and final.status == "ROLLBACK_COMPLETE"


def test_a_failed_create_without_rollback_lists_the_failed_resources(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("failcreate")
    write_app(tmp_path, FAILING_APP.format(name=name, fail=True))
    result = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "--no-rollback", *cloud(heat_sandbox), check=False
    )
    assert result.returncode == 1
    assert f"{name}: failed (CREATE_FAILED" in result.stderr
    assert (
        "failed: bad (OS::Heat::TestResource) CREATE_FAILED: ValueError: resources.bad: Test Resource failed"
        in result.stderr
    )


CROSS_APP = """
app = App()
network = Stack(app, "{prefix}-network")
net = heat.RandomString(network, "net", length=10)
compute = Stack(app, "{prefix}-compute")
port = heat.Value(compute, "port", value=net)
Output(compute, "port_network", value=port.attrs.value)
"""


def test_two_stacks_deploy_in_order_with_outputs_feeding_parameters(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("x")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, CROSS_APP.format(prefix=prefix))
    outputs_file = tmp_path / "outputs.json"
    result = hotdsl(
        tmp_path,
        "deploy",
        "--app",
        "app.py",
        "--outputs-file",
        str(outputs_file),
        "--concurrency",
        "2",
        *cloud(heat_sandbox),
    )
    lines = [line for line in result.stdout.splitlines() if ": created" in line]
    assert [line.split(":")[0] for line in lines] == [f"{prefix}-network", f"{prefix}-compute"]
    outputs = json.loads(outputs_file.read_text())
    network_id = outputs[f"{prefix}-network"][f"export.{prefix}-network.net"]
    assert outputs[f"{prefix}-compute"]["port_network"] == network_id
    compute = client.find_stack(f"{prefix}-compute")
    assert compute is not None  # marked as the app's, and as a user of the network stack
    assert compute.tags == (owner_tag(f"{prefix}-compute"), uses_tag(f"{prefix}-network"))

    shown = json.loads(
        hotdsl(tmp_path, "outputs", "--app", "app.py", "--json", *cloud(heat_sandbox)).stdout
    )
    assert shown[f"{prefix}-compute"]["port_network"] == network_id
    listed = hotdsl(tmp_path, "ls", "--app", "app.py", *cloud(heat_sandbox)).stdout
    assert (
        f"{prefix}-network\tCREATE_COMPLETE" in listed
        and f"{prefix}-compute\tCREATE_COMPLETE" in listed
    )
    events = hotdsl(
        tmp_path, "events", f"{prefix}-compute", "--app", "app.py", *cloud(heat_sandbox)
    ).stdout
    assert "port CREATE_COMPLETE" in events

    destroyed = hotdsl(tmp_path, "destroy", "--app", "app.py", "--yes", *cloud(heat_sandbox)).stdout
    order = [line.split(":")[0] for line in destroyed.splitlines() if line.endswith("deleting")]
    assert order == [f"{prefix}-compute", f"{prefix}-network"]
    assert client.find_stack(f"{prefix}-network") is None


SECRET = "planted-secret-7f3a9c"

SECRET_APP = """
app = App()
stack = Stack(app, "{name}")
password = Parameter(stack, "password")
holder = heat.Value(stack, "holder", value=password)
Stage(app, "dev", parameters={{password: from_env("APP_PASSWORD")}})
"""


def test_secrets_reach_heat_but_no_file_log_or_diff(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("secret")
    write_app(tmp_path, SECRET_APP.format(name=name))
    env = {"APP_PASSWORD": SECRET}
    deployed = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "--stage", "dev", *cloud(heat_sandbox), env=env
    )
    client = HeatClient(heat_sandbox.conn)
    ref = client.find_stack(name)
    assert ref is not None and ref.parameters["password"] == "******"
    same = hotdsl(
        tmp_path, "diff", "--app", "app.py", "--stage", "dev", *cloud(heat_sandbox), env=env
    )
    assert "no differences" in same.stdout
    changed = hotdsl(
        tmp_path,
        "diff",
        "--app",
        "app.py",
        "--stage",
        "dev",
        "--json",
        *cloud(heat_sandbox),
        env={"APP_PASSWORD": SECRET + "-rotated"},
    )
    (stack,) = json.loads(changed.stdout)["stacks"]
    assert stack["parameters"] == [
        {"path": "parameters.password", "old": "******", "new": "******"}
    ]
    for output in (deployed.stdout, deployed.stderr, same.stdout, changed.stdout, changed.stderr):
        assert SECRET not in output
    for path in (tmp_path / "hot.out").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text()
    missing = hotdsl(
        tmp_path,
        "deploy",
        "--app",
        "app.py",
        "--stage",
        "dev",
        *cloud(heat_sandbox),
        env={"APP_PASSWORD": ""},
        check=False,
    )
    assert missing.returncode == 0 or "APP_PASSWORD" in missing.stderr


def test_environment_merge_matches_heats_own(heat_sandbox: Any) -> None:
    template = {
        "heat_template_version": "2021-04-16",
        "parameters": {
            "tags": {"type": "json", "default": {}},
            "names": {"type": "comma_delimited_list"},
            "greeting": {"type": "string", "default": ""},
        },
        "resources": {
            "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "greeting"}}}
        },
    }
    files = {
        "a.yaml": "parameters:\n  tags: {a: 1, deep: {x: 1}}\n  names: one\n  greeting: hello\n"
        "parameter_merge_strategies:\n  tags: deep_merge\n  names: merge\n  greeting: merge\n"
        "parameter_defaults:\n  other: 1\nresource_registry:\n  My::Thing: OS::Heat::None\n",
        "b.yaml": "parameters:\n  tags: {b: 2, deep: {y: 2}}\n  names: two\n  greeting: ' world'\n"
        "parameter_merge_strategies:\n  tags: deep_merge\n  names: merge\n  greeting: merge\n"
        "resource_registry:\n  My::Other: OS::Heat::None\n",
    }
    import yaml

    name = heat_sandbox.unique_name("merge")
    client = HeatClient(heat_sandbox.conn)
    body = {
        "stack_name": name,
        "template": yaml.safe_dump(template),
        "files": files,
        "environment_files": ["a.yaml", "b.yaml"],
        "parameters": {},
    }
    ref = client.create_stack(name, {k: v for k, v in body.items() if k != "stack_name"})
    for _ in range(100):
        current = client.get_stack(ref)
        if not current.in_progress:
            break
        time.sleep(0.1)
    heat_env = client.environment(ref)
    ours = merge_environment_files(["a.yaml", "b.yaml"], files, {}, template)
    assert (
        ours["parameters"]
        == heat_env["parameters"]
        == {
            "tags": {"a": 1, "b": 2, "deep": {"x": 1, "y": 2}},
            "names": "one,two",
            "greeting": "hello world",
        }
    )
    assert ours["parameter_defaults"] == heat_env["parameter_defaults"]
    registry = {
        k: v for k, v in heat_env["resource_registry"].items() if not str(v).startswith("file://")
    }
    registry.pop("resources", None)
    assert ours["resource_registry"] == registry
    client.delete_stack(ref)


SLOW_APP = """
app = App()
stack = Stack(app, "{name}")
slow = heat.TestResource(stack, "slow", value="{value}", action_wait_secs={{"create": {wait}, "update": {wait}}})
"""


def deploy_through(proxy: FaultProxy, folder: Path) -> subprocess.Popen[str]:
    """Start `hotdsl deploy --app app.py` with Heat reached through `proxy`."""
    clouds = proxy.clouds_file(folder, PROXY_CLOUD)
    command = ["deploy", "--app", "app.py", "--cloud", PROXY_CLOUD]
    return subprocess.Popen(
        [sys.executable, "-m", "hotdsl.cli", *command],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)},
    )


def test_a_stack_in_progress_elsewhere_is_waited_for_with_a_clear_message(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("busy")
    write_app(tmp_path, SLOW_APP.format(name=name, value="a", wait=3))
    hotdsl(tmp_path, "synth", "--app", "app.py")
    client = HeatClient(heat_sandbox.conn)
    template = (tmp_path / "hot.out" / f"{name}.yaml").read_text()
    with FaultProxy(heat_sandbox.host, heat_sandbox.port) as proxy:
        # Another deploy of the same app (its create carries hotdsl's mark for the stack)
        # lands just before hotdsl looks the stack up: the proxy holds that lookup until
        # then, however long the command took to start.
        lookup = proxy.hold("GET", rf"/stacks/{name}$")
        process = deploy_through(proxy, tmp_path)
        assert lookup.arrived.wait(120), "hotdsl deploy never looked the stack up"
        client.create_stack(name, {"template": template, "files": {}, "tags": owner_tag(name)})
        lookup.release.set()
        out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert f"{name}: is CREATE_IN_PROGRESS (started elsewhere, or by an interrupted deploy)" in out
    assert f"{name}: unchanged (CREATE_COMPLETE" in out


def test_ctrl_c_leaves_heat_working_and_deploy_picks_up(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("intr")
    client = HeatClient(heat_sandbox.conn)
    write_app(tmp_path, SLOW_APP.format(name=name, value="a", wait=4))
    with FaultProxy(heat_sandbox.host, heat_sandbox.port) as proxy:
        # Ctrl-C while hotdsl follows the create: during its first show of the stack.
        first_show = proxy.hold("GET", rf"/stacks/{name}/[^/]+$")
        process = deploy_through(proxy, tmp_path)
        assert first_show.arrived.wait(120), "hotdsl deploy never followed the create"
        process.send_signal(signal.SIGINT)
        before = len(proxy.requests())
        first_show.release.set()
        _out, err = process.communicate(timeout=60)
        after = proxy.requests()[before:]
    assert process.returncode == 1
    assert "Run `hotdsl deploy` again to pick up where Heat is" in err
    assert "Traceback" not in err
    # It stops following at once, and leaves the stack to Heat: at most the poll that
    # was under way (a stack show and an event page), nothing that changes the stack.
    assert [seen.method for seen in after] in (["GET"], ["GET", "GET"]), after
    result = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    assert f"{name}: unchanged (CREATE_COMPLETE" in result.stdout
    final = client.find_stack(name)
    assert final is not None and final.updated_time is None, "the create was left to Heat"


def test_plain_output_has_one_line_per_event_and_a_timing_summary(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("plain")
    random_app(tmp_path, name)
    result = hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    assert f"{name} | " in result.stdout and " | rnd CREATE_COMPLETE" in result.stdout
    assert f"{name}: done in " in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no live status line


def test_require_approval_needs_yes_without_a_terminal(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("approve")
    random_app(tmp_path, name)
    refused = hotdsl(
        tmp_path,
        "deploy",
        "--app",
        "app.py",
        "--require-approval",
        *cloud(heat_sandbox),
        check=False,
    )
    assert refused.returncode == 1 and "pass --yes to approve in CI" in refused.stderr
    approved = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "--require-approval", "--yes", *cloud(heat_sandbox)
    )
    assert f"Stack {name}: new, 3 resources to create" in approved.stdout
    assert f"{name}: created" in approved.stdout


def test_parameter_overrides_win_over_the_stage(heat_sandbox: Any, tmp_path: Path) -> None:
    name = heat_sandbox.unique_name("override")
    random_app(tmp_path, name, length=8)
    hotdsl(tmp_path, "deploy", "--app", "app.py", "-p", "length=11", *cloud(heat_sandbox))
    ref = HeatClient(heat_sandbox.conn).find_stack(name)
    assert ref is not None and heat_sandbox.outputs(ref)["secret_length"] == 11
    bad = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "-p", "lenght=3", *cloud(heat_sandbox), check=False
    )
    assert bad.returncode == 1 and "'lenght' is not a parameter of any stack" in bad.stderr


NESTED_APP = """
import attrs
from typing import ClassVar


@attrs.define(kw_only=True, eq=False)
class Member(ProviderResource):
    type_name: ClassVar[str] = "Test::Member"
    label: Value[str]
    value = output_attribute[str]()

    def build(self, template: Stack) -> None:
        rnd = heat.RandomString(template, "rnd", length={length})
        joined = heat.Value(template, "joined", value=list_join("-", [self.label, rnd.attrs.value]))
        Output(template, "value", value=joined.attrs.value)


app = App()
stack = Stack(app, "{name}")
group = heat.ResourceGroup(stack, "group", count={count}, resource_def=Member.definition(label="m"))
inner = NestedStack(stack, "inner")
item = heat.Value(inner, "item", value="inside")
Output(stack, "inner_item", value=item.attrs.value)
Output(stack, "members", value=group.attrs.get("value"))
"""


def test_nested_and_provider_templates_deploy_and_diff_inside(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("nested")
    write_app(tmp_path, NESTED_APP.format(name=name, length=6, count=2))
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    ref = HeatClient(heat_sandbox.conn).find_stack(name)
    assert ref is not None
    outputs = heat_sandbox.outputs(ref)
    assert outputs["inner_item"] == "inside"
    assert len(outputs["members"]) == 2 and all(
        v.startswith("m-") and len(v) == 8 for v in outputs["members"]
    )

    write_app(tmp_path, NESTED_APP.format(name=name, length=9, count=2))
    diff = hotdsl(tmp_path, "diff", "--app", "app.py", *cloud(heat_sandbox)).stdout
    assert "Nested template member.yaml" not in diff  # each member's change is shown by its path
    for member in ("group/0", "group/1"):
        head = f"[!] {member}/rnd (OS::Heat::RandomString) will be REPLACED"
        assert (
            f"{head}: length cannot be updated in place\n        properties.length: 6 -> 9" in diff
        )
    hotdsl(tmp_path, "deploy", "--app", "app.py", *cloud(heat_sandbox))
    members = heat_sandbox.outputs(HeatClient(heat_sandbox.conn).find_stack(name))["members"]
    assert all(len(v) == 11 for v in members)
    assert (
        "no differences" in hotdsl(tmp_path, "diff", "--app", "app.py", *cloud(heat_sandbox)).stdout
    )
