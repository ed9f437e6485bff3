"""`hotdsl import --stack` brings a stack deployed without hotdsl into an app, unchanged.

Against the sandbox's real Heat: a stack created directly with openstacksdk (so
hotdsl does not own it), with a hidden parameter, a file read with get_file and a
nested template, is imported; the module's diff against it finds nothing to change
(only the hidden value, which Heat never shows, cannot be compared until a deploy has
recorded its digest); deploy refuses it without `--take-over`, and with it changes no
resource (same resource ids and physical ids) but tags the stack as hotdsl's. A
project's stacks import as one app whose stacks are linked where a parameter holds
another stack's output, and that app diffs clean too. Which values count as links is
checked without Heat.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.deployed import DeployedStack
from hotdsl.deploy.heat import HeatClient, StackRef
from hotdsl.deploy.ownership import owner_tag
from hotdsl.importer.deployed import Link, find_links, secret_variable

CHILD = """heat_template_version: 2018-08-31
parameters:
  length:
    type: number
resources:
  token:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: length}
outputs:
  token:
    value: {get_attr: [token, value]}
"""

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "description": "Deployed by hand, before hotdsl",
    "parameters": {
        "greeting": {"type": "string", "default": "hello"},
        "size": {"type": "number", "default": 4},
        "db_password": {"type": "string", "hidden": True},
    },
    "resources": {
        "script": {
            "type": "OS::Heat::Value",
            "properties": {"value": {"get_file": "scripts/boot.sh"}},
        },
        "config": {
            "type": "OS::Heat::Value",
            "properties": {
                "value": {
                    "list_join": [":", [{"get_param": "greeting"}, {"get_param": "db_password"}]]
                }
            },
        },
        "child": {"type": "child.yaml", "properties": {"length": {"get_param": "size"}}},
    },
    "outputs": {
        "token": {"value": {"get_attr": ["child", "token"]}},
        "greeting": {"value": {"get_param": "greeting"}},
    },
}
FILES = {"child.yaml": CHILD, "scripts/boot.sh": "#!/bin/sh\necho booted\n"}
SECRET = "s3cret-Passw0rd"


def hotdsl(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result


def resource_ids(client: HeatClient, name: str) -> dict[str, tuple[str, ...]]:
    """Every resource, nested ones too: path -> (physical id, status, last update).

    A resource that runs a nested stack keeps only its physical id: Heat walks every
    nested stack on each update (`StackResource._needs_update` is always true; an
    `OS::Heat::Stack` updates its remote stack too), so its own status says
    UPDATE_COMPLETE even when nothing in it changed.
    """
    ref = client.find_stack(name)
    assert ref is not None
    found: dict[str, tuple[str, ...]] = {}
    for r in client.resources(ref, nested_depth=3):
        path = f"{r.get('parent_resource') or ''}/{r['resource_name']}"
        state = (r["resource_status"], r.get("updated_time") or "")
        runs_nested = (
            r["resource_type"].endswith(".yaml") or r["resource_type"] == "OS::Heat::Stack"
        )
        found[path] = (r["physical_resource_id"], *(() if runs_nested else state))
    return found


@pytest.mark.heat
def test_a_deployed_stack_imports_to_a_clean_diff_and_a_take_over_that_changes_nothing(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("handmade")
    heat_sandbox.create(
        TEMPLATE,
        name=name,
        parameters={"greeting": "hi", "db_password": SECRET},
        environment={"parameter_defaults": {"size": 6}},
        files=FILES,
    )
    client = HeatClient(heat_sandbox.conn)
    before = resource_ids(client, name)
    assert set(before) == {"/script", "/config", "/child", "child/token"}
    cloud = ["--cloud", heat_sandbox.cloud]

    shown = ok(hotdsl(tmp_path, "import", "--stack", name, *cloud, "-o", "app.py"))
    text = shown.stdout + shown.stderr
    assert "round trip: synth gives back the same template and environment" in text, text
    variable = f"{name.upper().replace('-', '_')}_DB_PASSWORD"
    assert f"set {variable} to its value" in text
    take_over = f"hotdsl deploy --app app.py --stage deployed --cloud {heat_sandbox.cloud} "
    assert f"{take_over}--take-over {name}" in text
    source = (tmp_path / "app.py").read_text()
    assert SECRET not in source and SECRET not in text
    assert f'stack.db_password: from_env("{variable}")' in source
    assert 'stack.greeting: "hi"' in source
    assert (tmp_path / "scripts" / "boot.sh").read_text() == FILES["scripts/boot.sh"]

    env = {variable: SECRET}
    args = ["--app", "app.py", "--stage", "deployed", *cloud]
    diff = ok(hotdsl(tmp_path, "diff", *args, **env)).stdout
    # Only the hidden value cannot be compared: Heat shows ******, and no digest exists yet.
    assert diff.splitlines()[0] == f"Stack {name}", diff
    changes = [line.strip() for line in diff.splitlines()[1:] if line.startswith("    ")]
    assert changes == [
        "parameters.db_password: cannot tell whether db_password changed: "
        "the deployed stack records no digest of it"
    ], diff
    assert "Resources" not in diff and SECRET not in diff

    refused = hotdsl(tmp_path, "deploy", *args, **env)
    assert refused.returncode == 1
    assert f"--take-over {name}" in refused.stderr and "Traceback" not in refused.stderr
    assert resource_ids(client, name) == before

    ok(hotdsl(tmp_path, "deploy", *args, "--take-over", name, **env))
    assert resource_ids(client, name) == before  # no resource replaced or updated
    ref = client.find_stack(name)
    assert ref is not None and ref.status == "UPDATE_COMPLETE"
    assert owner_tag(name) in ref.tags
    assert ok(hotdsl(tmp_path, "diff", *args, **env)).stdout.strip() == (
        f"Stack {name}: no differences"
    )


NETWORK = {
    "heat_template_version": "2018-08-31",
    "resources": {"net": {"type": "OS::Heat::RandomString", "properties": {"length": 12}}},
    "outputs": {"net_id": {"value": {"get_resource": "net"}}},
}
COMPUTE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"network": {"type": "string"}, "flavor": {"type": "string"}},
    "resources": {
        "port": {
            "type": "OS::Heat::Value",
            "properties": {"value": {"list_join": ["@", [{"get_param": "network"}, "port"]]}},
        }
    },
}


REMOTE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "far": {
            "type": "OS::Heat::Stack",
            "properties": {"template": {"get_file": "far.yaml"}},
        }
    },
}


@pytest.mark.heat
def test_a_projects_stacks_import_as_one_app_linked_by_their_outputs(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    prefix = heat_sandbox.unique_name("proj") + "-"
    network = heat_sandbox.create(NETWORK, name=f"{prefix}network")
    net_id = heat_sandbox.outputs(network)["net_id"]
    assert isinstance(net_id, str) and len(net_id) >= 8
    heat_sandbox.create(
        COMPUTE, name=f"{prefix}compute", parameters={"network": net_id, "flavor": "m1"}
    )
    far = "heat_template_version: 2018-08-31\nresources:\n  leaf: {type: OS::Heat::None}\n"
    # Heat lists the stack that `far` runs as a stack of its own.
    heat_sandbox.create(REMOTE, name=f"{prefix}remote", files={"far.yaml": far})
    client = HeatClient(heat_sandbox.conn)
    names = [f"{prefix}network", f"{prefix}compute", f"{prefix}remote"]
    before = {name: resource_ids(client, name) for name in names}
    child = before[f"{prefix}remote"]["/far"][0]
    before_child = resource_ids(client, child)
    assert set(before_child) == {"/leaf"}
    cloud = ["--cloud", heat_sandbox.cloud]

    shown = ok(hotdsl(tmp_path, "import", "--stacks", "--prefix", prefix, *cloud, "-o", "infra"))
    assert f"linked: {prefix}compute.network takes output net_id of {prefix}network" in shown.stdout
    assert shown.stdout.count("round trip: synth gives back the same template\n") == 3
    assert f"is the stack {prefix}remote/far (OS::Heat::Stack) runs" in shown.stdout
    modules = sorted(p.name for p in (tmp_path / "infra").glob("*.py"))
    assert modules == sorted(["app.py", *(f"{n.replace('-', '_')}.py" for n in names)])
    app = (tmp_path / "infra" / "app.py").read_text()
    compute = (tmp_path / "infra" / f"{prefix.replace('-', '_')}compute.py").read_text()
    assert net_id not in app and net_id not in compute  # the link, not the value
    assert ".network.take_output(" in app and '"net_id")' in app

    args = ["--app", "infra/app.py", "--stage", "deployed", *cloud]
    diff = ok(hotdsl(tmp_path, "diff", *args)).stdout
    assert [line for line in diff.splitlines() if not line.startswith("  note:")] == [
        f"Stack {prefix}network: no differences",
        f"Stack {prefix}compute: no differences",
        f"Stack {prefix}remote: no differences",
    ], diff

    take_over = [item for name in names for item in ("--take-over", name)]
    assert " ".join(take_over) in shown.stdout
    ok(hotdsl(tmp_path, "deploy", *args, *take_over))
    assert {name: resource_ids(client, name) for name in names} == before
    assert resource_ids(client, child) == before_child
    for name in names:
        ref = client.find_stack(name)
        assert ref is not None and owner_tag(name) in ref.tags
    assert ok(hotdsl(tmp_path, "diff", *args)).stdout.splitlines() == [
        f"Stack {prefix}network: no differences",
        f"Stack {prefix}compute: no differences",
        f"Stack {prefix}remote: no differences",
    ]


def deployed(
    name: str, given: dict[str, Any], outputs: dict[str, Any], hidden: tuple[str, ...] = ()
) -> DeployedStack:
    parameters = {
        key: {"type": "string", **({"hidden": True} if key in hidden else {})} for key in given
    }
    template = {"heat_template_version": "2018-08-31", "parameters": parameters}
    return DeployedStack(
        StackRef(name, f"id-{name}", "CREATE_COMPLETE"),
        template,
        {"parameters": given},
        {},
        {k: "******" if k in hidden else v for k, v in given.items()},
        outputs,
    )


def test_links_are_values_given_to_a_parameter_that_one_output_of_another_stack_has() -> None:
    net = "0b7f6f9c-5a55-4bd5-9e9e-3f7c1d2a9b10"
    stacks = [
        deployed("net", {}, {"net_id": net, "name": "private", "short": "m1"}),
        deployed("other", {}, {"copy": "private-and-long"}),
        deployed(
            "app",
            {"network": net, "flavor": "m1", "label": "private", "token": net},
            {"addr": "10.0.0.15-long"},
            hidden=("token",),
        ),
    ]
    # `flavor` ("m1") and `label` ("private") are too short to tell from chance; the
    # hidden `token` is never read.
    assert find_links(stacks) == [Link("app", "network", "net", "net_id")]


def test_a_value_two_outputs_have_or_a_link_that_would_close_a_cycle_is_left_out() -> None:
    shared = "a-long-shared-value"
    stacks = [
        deployed("a", {"x": "value-of-b-output"}, {"out": "value-of-a-output"}),
        deployed("b", {"y": "value-of-a-output"}, {"out": "value-of-b-output", "s": shared}),
        deployed("c", {"z": shared}, {"s": shared}),
        deployed("d", {"w": shared}, {}),
    ]
    links = find_links(stacks)
    assert Link("a", "x", "b", "out") in links
    assert not any(link.stack == "b" and link.source == "a" for link in links)  # a cycle
    assert not any(link.stack == "d" for link in links)  # b and c both have it
    assert Link("c", "z", "b", "s") in links  # c's own output does not count


def test_hidden_values_are_read_from_variables_named_after_stack_and_parameter() -> None:
    assert secret_variable("shop-db", "admin_token") == "SHOP_DB_ADMIN_TOKEN"
    assert secret_variable("a", "1x") == "A_1X"
    assert secret_variable("x.y", "p-q") == "X_Y_P_Q"
