"""Nested stacks are Heat's own nested stacks; `RemoteStack` is the `OS::Heat::Stack` form.

A `NestedStack` is a template resource of its parent (`type: <file>.yaml`, its template
in the files map): Heat runs it inside the parent's operation, so the parent's rollback,
preview and events reach into it. A `RemoteStack` is a separate top-level stack that
Heat creates through its own API. Both wire references across the boundary, either
way. The sandbox tests deploy them on the real engine; a stack deployed by the old
emitter (`OS::Heat::Stack` for every nested stack) is not replaced without a word.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import yaml

from hotdsl import (
    App,
    ConstructError,
    NestedStack,
    Output,
    Parameter,
    ProviderResource,
    RemoteContext,
    RemoteStack,
    Resource,
    Stack,
    SynthError,
    Value,
)
from hotdsl.deploy.heat import HeatClient
from hotdsl.synth import synth, synthesize

# --- what synth writes ---------------------------------------------------------------


def test_a_nested_stack_is_a_template_resource_whose_outputs_are_attributes(
    tmp_path: Path,
) -> None:
    app = App()
    stack = Stack(app, "app")
    size = Parameter(stack, "size", type="number", default=2)
    db = NestedStack(stack, "db", description="the database tier")
    flavor = Parameter(db, "flavor", default="m1.small")
    server = Resource(db, "server", type="OS::Heat::Value", properties={"value": size})
    Resource(db, "uses_flavor", type="OS::Heat::Value", properties={"value": flavor})
    address = Output(db, "address", value=server.get_attr("value"))
    db.set_parameter(flavor, "m1.large")
    Output(stack, "by_output", value=db.get_output(address))
    Output(stack, "by_name", value=db.get_output("address"))
    result, manifest = synth(app, tmp_path)
    (top,) = result.stacks
    assert top.template["resources"]["db"] == {
        "type": "app-db.yaml",
        "properties": {"flavor": "m1.large", "import.app.param.size": {"get_param": "size"}},
    }
    assert top.template["outputs"] == {
        "by_output": {"value": {"get_attr": ["db", "address"]}},
        "by_name": {"value": {"get_attr": ["db", "address"]}},
    }
    nested = yaml.safe_load((tmp_path / "app.files" / "app-db.yaml").read_text())
    assert nested["description"] == "the database tier"
    assert nested["parameters"]["import.app.param.size"]["type"] == "number"
    assert manifest.stacks[0].files == {"app-db.yaml": "app.files/app-db.yaml"}


def test_a_nested_stack_keeps_its_logical_name_and_may_name_its_template_file() -> None:
    app = App()
    stack = Stack(app, "app")
    tier = NestedStack(stack, "tier", template_file="tiers/web.template", parameters={"n": 3})
    Parameter(tier, "n", type="number")
    tier.node.override_logical_name("WebTier")
    (top,) = synthesize(app).stacks
    assert top.template["resources"] == {
        "WebTier": {"type": "tiers/web.template", "properties": {"n": 3}}
    }
    assert set(top.files) == {"tiers/web.template"}


def test_heat_takes_only_yaml_or_template_files_as_a_nested_stacks_type() -> None:
    stack = Stack(App(), "app")
    with pytest.raises(ConstructError, match=r"'db\.yml' must end in \.yaml or \.template"):
        NestedStack(stack, "db", template_file="db.yml")


def test_a_value_for_a_parameter_the_child_does_not_declare_is_a_problem() -> None:
    app = App()
    stack = Stack(app, "app")
    db = NestedStack(stack, "db", parameters={"flavour": "m1.small"})
    Parameter(db, "flavor", default="m1.tiny")
    with pytest.raises(SynthError, match=r"passed for parameter 'flavour'.*parameters: flavor"):
        synthesize(app)


def test_a_remote_stack_is_an_os_heat_stack_with_the_same_wiring() -> None:
    app = App()
    stack = Stack(app, "app")
    region = Parameter(stack, "region", default="RegionTwo")
    net = Resource(stack, "net", type="OS::Heat::Value", properties={"value": "n"})
    far = RemoteStack(
        stack,
        "far",
        context=RemoteContext(region_name=region, insecure=True),
        timeout_mins=10,
    )
    image = Parameter(far, "image")
    far.set_parameter(image, "cirros")
    used = Resource(far, "used", type="OS::Heat::Value", properties={"value": net})
    Output(stack, "used", value=used.get_attr("value"))
    Output(stack, "name", value=far.remote_stack_name)
    (top,) = synthesize(app).stacks
    assert top.template["resources"]["far"] == {
        "type": "OS::Heat::Stack",
        "properties": {
            "context": {"region_name": {"get_param": "region"}, "insecure": True},
            "template": {"get_file": "app-far.yaml"},
            "parameters": {
                "image": "cirros",
                "import.app.net": {"get_resource": "net"},
            },
            "timeout": 10,
        },
    }
    assert top.template["outputs"] == {
        "used": {"value": {"get_attr": ["far", "outputs", "export.app/far.used.value"]}},
        "name": {"value": {"get_attr": ["far", "stack_name"]}},
    }
    assert "export.app/far.used.value:" in top.files["app-far.yaml"]


def chain(stack: Stack, levels: int) -> Stack:
    current = stack
    for level in range(levels):
        current = NestedStack(current, f"n{level}")
    Resource(current, "leaf", type="OS::Heat::Value", properties={"value": 1})
    return current


def depth_problems(app: App) -> list[str]:
    try:
        synthesize(app)
    except SynthError as error:
        return [str(p) for p in error.problems]
    return []


def test_heats_max_nested_stack_depth_counts_every_nested_stack() -> None:
    ok = App()
    chain(Stack(ok, "ok"), 5)
    assert depth_problems(ok) == []
    deep = App()
    chain(Stack(deep, "deep"), 6)
    (problem,) = depth_problems(deep)
    assert "deep/n0/n1/n2/n3/n4/n5: this puts a stack 6 levels deep" in problem
    assert "max_nested_stack_depth is 5" in problem


@attrs.define(kw_only=True, eq=False)
class Leaf(ProviderResource):
    type_name: ClassVar[str] = "Test::Leaf"
    label: Value[str] = "x"

    def build(self, template: Stack) -> None:
        Resource(template, "value", type="OS::Heat::Value", properties={"value": self.label})


@attrs.define(kw_only=True, eq=False)
class BadlyNamed(ProviderResource):
    template_file: ClassVar[str] = "badly-named.yml"

    def build(self, template: Stack) -> None:
        Resource(template, "value", type="OS::Heat::Value", properties={"value": 1})


def test_template_resources_and_groups_count_towards_the_depth_but_remote_stacks_start_anew() -> (
    None
):
    provider = App()
    Leaf(chain(Stack(provider, "p"), 5), "leaf6")
    (problem,) = depth_problems(provider)
    assert "p/n0/n1/n2/n3/n4/leaf6: this puts a stack 6 levels deep" in problem

    group = App()
    Resource(
        chain(Stack(group, "g"), 4),
        "group",
        type="OS::Heat::ResourceGroup",
        properties={"resource_def": Leaf.definition(label="m")},
    )
    (problem,) = depth_problems(group)  # the group's stack is level 5, its members level 6
    assert "g/n0/n1/n2/n3/group: this puts a stack 6 levels deep" in problem

    remote = App()
    far = RemoteStack(chain(Stack(remote, "r"), 4), "far")
    chain(far, 5)
    assert depth_problems(remote) == []


def test_a_template_used_as_a_type_must_be_named_yaml_or_template() -> None:
    app = App()
    BadlyNamed(Stack(app, "app"), "thing")
    (problem,) = depth_problems(app)
    assert "'badly-named.yml' is used as a resource type" in problem


# --- the real engine -----------------------------------------------------------------

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"

NESTED_APP = """
app = App()
stack = Stack(app, "{name}")
top = heat.Value(stack, "top", value="parent")
db = {kind}(stack, "db")
rnd = heat.RandomString(db, "rnd", length={length})
joined = heat.Value(db, "joined", value=list_join("-", [top.attrs.value, rnd.attrs.value]))
inner = NestedStack(db, "inner")
leaf = heat.Value(inner, "leaf", value={leaf})
{extra}
Output(stack, "leaf", value=leaf.attrs.value)
Output(db, "rnd_length", value={length})
Output(stack, "rnd_length", value=db.get_output("rnd_length"))
"""


def write_app(
    folder: Path,
    name: str,
    *,
    kind: str = "NestedStack",
    length: int = 6,
    leaf: str = "joined.attrs.value",
    extra: str = "",
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = NESTED_APP.format(name=name, kind=kind, length=length, leaf=leaf, extra=extra)
    (folder / "app.py").write_text(HEADER + body, encoding="utf-8")


def hotdsl(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"hotdsl {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def run(sandbox: Any, folder: Path, *args: str, check: bool = True) -> str:
    result = hotdsl(folder, *args, "--app", "app.py", "--cloud", sandbox.cloud, check=check)
    return result.stdout + result.stderr


def stacks_of(sandbox: Any, name: str) -> list[dict[str, Any]]:
    """Every stack Heat lists whose name starts with `name`, nested ones included."""
    listed = sandbox.conn.orchestration.get("/stacks?show_nested=True").json()["stacks"]
    return [s for s in listed if s["stack_name"].startswith(name)]


@pytest.mark.heat
def test_a_nested_stack_deploys_inside_its_parent_and_is_not_a_top_level_stack(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("nested")
    write_app(tmp_path, name)
    run(heat_sandbox, tmp_path, "deploy")
    client = HeatClient(heat_sandbox.conn)
    ref = client.find_stack(name)
    assert ref is not None
    outputs = heat_sandbox.outputs(ref)
    assert outputs["leaf"].startswith("parent-") and len(outputs["leaf"]) == len("parent-") + 6
    assert outputs["rnd_length"] == 6
    listed = stacks_of(heat_sandbox, name)
    assert [s["stack_name"] for s in listed if not s.get("parent")] == [name]
    nested = [s for s in listed if s.get("parent")]
    assert len(nested) == 2  # db and db/inner, each with a parent
    types = {r["resource_name"]: r["resource_type"] for r in client.resources(ref)}
    assert types == {"top": "OS::Heat::Value", "db": f"{name}-db.yaml"}

    events = run(heat_sandbox, tmp_path, "events", name)
    assert f"{name} | " in events
    assert "| db/inner/leaf CREATE_COMPLETE" in events
    assert "| db/rnd CREATE_COMPLETE" in events


@pytest.mark.heat
def test_a_failure_inside_a_nested_stack_rolls_back_the_parent(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("nestfail")
    write_app(
        tmp_path,
        name,
        extra='bad = heat.TestResource(inner, "bad", value=leaf.attrs.value, fail=True)',
    )
    failed = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "--cloud", heat_sandbox.cloud, check=False
    )
    assert failed.returncode == 1
    assert "db/inner/bad CREATE_FAILED" in failed.stdout
    assert "Test Resource failed" in failed.stdout
    client = HeatClient(heat_sandbox.conn)
    ref = client.find_stack(name)
    assert ref is not None and ref.status == "ROLLBACK_COMPLETE"
    assert client.resources(ref, nested_depth=5) == []
    assert [s["stack_name"] for s in stacks_of(heat_sandbox, name)] == [name]


@pytest.mark.heat
def test_diff_and_heats_preview_show_changes_inside_nested_stacks_by_path(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("nestdiff")
    write_app(tmp_path, name)
    run(heat_sandbox, tmp_path, "deploy")
    write_app(tmp_path, name, length=9, leaf='list_join("+", [joined.attrs.value, "x"])')
    diff = run(heat_sandbox, tmp_path, "diff")
    assert (
        "[!] db/rnd (OS::Heat::RandomString) will be REPLACED: length cannot be updated in place"
        in diff
    )
    assert "[~] db/inner/leaf (OS::Heat::Value)" in diff
    assert "[~] db/joined (OS::Heat::Value) a value it uses changes" in diff
    assert "environment.resource_registry" not in diff  # Heat's own `x.yaml: x.yaml` entries
    heat_names = re.compile(rf"{name}-db-[a-z0-9]{{12}}")  # how Heat names the nested stack
    assert not heat_names.search(diff)  # paths instead

    from hotdsl.deploy.plan import DeployOptions, load_manifest, stack_request

    out = tmp_path / "hot.out"
    (entry,) = load_manifest(out).stacks
    client = HeatClient(heat_sandbox.conn)
    deployed = client.find_stack(name)
    assert deployed is not None
    preview = client.preview_update(deployed, stack_request(out, entry, DeployOptions()).body())
    nested = {i["resource_name"] for i in preview["replaced"] if i.get("parent_resource") == "db"}
    assert nested == {"rnd"}

    deployed_out = run(heat_sandbox, tmp_path, "deploy")
    assert "| db/rnd CREATE_COMPLETE" in deployed_out  # the new one, by its path
    assert not heat_names.search(deployed_out)
    assert "no differences" in run(heat_sandbox, tmp_path, "diff")
    ref = client.find_stack(name)
    assert ref is not None
    assert heat_sandbox.outputs(ref)["leaf"].endswith("+x")


def top_level(sandbox: Any, name: str) -> list[str]:
    return sorted(s["stack_name"] for s in stacks_of(sandbox, name) if not s.get("parent"))


@pytest.mark.heat
def test_a_remote_stack_is_a_separate_top_level_stack_wired_both_ways(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("remote")
    write_app(tmp_path, name, kind="RemoteStack")
    run(heat_sandbox, tmp_path, "deploy")
    client = HeatClient(heat_sandbox.conn)
    ref = client.find_stack(name)
    assert ref is not None
    outputs = heat_sandbox.outputs(ref)
    assert outputs["leaf"].startswith("parent-") and outputs["rnd_length"] == 6
    remote = [s for s in top_level(heat_sandbox, name) if s != name]
    assert len(remote) == 1 and remote[0].startswith(f"{name}-db-")
    types = {r["resource_name"]: r["resource_type"] for r in client.resources(ref)}
    assert types == {"top": "OS::Heat::Value", "db": "OS::Heat::Stack"}


@pytest.mark.heat
def test_a_stack_of_the_old_os_heat_stack_form_is_not_replaced_without_a_word(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    """The old emitter wrote every nested stack as `OS::Heat::Stack`, as RemoteStack does."""
    name = heat_sandbox.unique_name("migrate")
    write_app(tmp_path, name, kind="RemoteStack")
    run(heat_sandbox, tmp_path, "deploy")
    old_template = (tmp_path / "hot.out" / f"{name}.yaml").read_text()
    assert "type: OS::Heat::Stack" in old_template
    assert f"template: {{get_file: {name}-db.yaml}}" in old_template
    client = HeatClient(heat_sandbox.conn)
    before = client.find_stack(name)
    assert before is not None
    (remote_before,) = [s for s in top_level(heat_sandbox, name) if s != name]

    write_app(tmp_path, name)  # the same app, now with NestedStack
    said = (
        "the nested stack db changes from OS::Heat::Stack to a template resource: "
        "Heat replaces it, deleting and recreating its 4 resources"
    )
    diff = run(heat_sandbox, tmp_path, "diff")
    assert f"[!] db ({name}-db.yaml) will be REPLACED: {said}" in diff

    refused = hotdsl(
        tmp_path, "deploy", "--app", "app.py", "--cloud", heat_sandbox.cloud, check=False
    )
    assert refused.returncode == 1
    assert f"warning: {name}: {said}" in refused.stderr
    assert "pass --yes to approve" in refused.stderr and "Traceback" not in refused.stderr
    after_refusal = client.find_stack(name)
    assert after_refusal is not None and after_refusal.updated_time == before.updated_time
    assert remote_before in top_level(heat_sandbox, name)

    approved = run(heat_sandbox, tmp_path, "deploy", "--yes")
    assert f"warning: {name}: {said}" in approved
    assert top_level(heat_sandbox, name) == [name]
    ref = client.find_stack(name)
    assert ref is not None and ref.status == "UPDATE_COMPLETE"
    types = {r["resource_name"]: r["resource_type"] for r in client.resources(ref)}
    assert types["db"] == f"{name}-db.yaml"
    assert heat_sandbox.outputs(ref)["leaf"].startswith("parent-")
    assert "no differences" in run(heat_sandbox, tmp_path, "diff")
