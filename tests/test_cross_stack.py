"""Values used across stacks are wired CDK-style: outputs, parameters, and the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotdsl import App, NestedStack, Output, Parameter, Resource, Stack, SynthError
from hotdsl.synth import synth, synthesize


def two_stacks() -> tuple[App, Stack, Stack, Resource]:
    app = App()
    network = Stack(app, "network")
    net = Resource(network, "net", type="OS::Neutron::Net")
    Resource(
        network,
        "subnet",
        type="OS::Neutron::Subnet",
        properties={"network": net, "cidr": "10.0.0.0/24"},
    )
    compute = Stack(app, "compute")
    Resource(
        compute,
        "port",
        type="OS::Neutron::Port",
        properties={"network": net, "fixed_ips": [{"subnet": net.get_attr("subnets")[0]}]},
    )
    return app, network, compute, net


def test_a_value_of_another_stack_becomes_an_output_and_a_parameter() -> None:
    app, _, _, _ = two_stacks()
    result = synthesize(app)
    network, compute = (s.template for s in result.stacks)
    assert network["outputs"] == {
        "export.network.net": {"value": {"get_resource": "net"}},
        "export.network.net.subnets.0": {"value": {"get_attr": ["net", "subnets", 0]}},
    }
    assert compute["parameters"]["import.network.net"] == {
        "type": "string",
        "description": "net of network, wired in by hotdsl",
    }
    assert compute["resources"]["port"]["properties"] == {
        "network": {"get_param": "import.network.net"},
        "fixed_ips": [{"subnet": {"get_param": "import.network.net.subnets.0"}}],
    }


def test_the_manifest_orders_stacks_and_records_which_output_feeds_which_parameter(
    tmp_path: Path,
) -> None:
    app = App()
    compute = Stack(app, "compute")  # created first, deployed second
    network = Stack(app, "network")
    net = Resource(network, "net", type="OS::Neutron::Net")
    Resource(compute, "port", type="OS::Neutron::Port", properties={"network": net})
    synth(app, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [s["name"] for s in manifest["stacks"]] == ["network", "compute"]
    assert manifest["stacks"][1]["depends_on"] == ["network"]
    assert manifest["stacks"][1]["imports"] == [
        {
            "parameter": "import.network.net",
            "stack": "network",
            "output": "export.network.net",
            "type": "string",
        }
    ]


def test_parameters_can_be_shared_across_stacks() -> None:
    app = App()
    base = Stack(app, "base")
    cidr = Parameter(base, "cidr", default="10.0.0.0/24")
    other = Stack(app, "other")
    Output(other, "cidr", value=cidr)
    base_t, other_t = (s.template for s in synthesize(app).stacks)
    assert base_t["outputs"] == {"export.base.param.cidr": {"value": {"get_param": "cidr"}}}
    assert other_t["outputs"]["cidr"] == {"value": {"get_param": "import.base.param.cidr"}}


def test_a_cycle_between_stacks_names_the_values_involved() -> None:
    app = App()
    a, b = Stack(app, "a"), Stack(app, "b")
    ra = Resource(a, "ra", type="OS::Heat::Value")
    rb = Resource(b, "rb", type="OS::Heat::Value", properties={"value": ra})
    ra.properties = {"value": rb}
    with pytest.raises(SynthError) as error:
        synthesize(app)
    (problem,) = error.value.problems
    assert (
        "stacks use each other's values in a cycle: a uses import.b.rb; b uses import.a.ra"
        in str(problem)
    )


class Database(NestedStack):
    def __init__(self, scope: Stack, id: str, *, network: Resource) -> None:
        super().__init__(scope, id, description="the database tier")
        self.server = Resource(
            self,
            "server",
            type="OS::Nova::Server",
            properties={"image": "db", "flavor": "m1.large", "networks": [{"network": network}]},
        )


def test_a_nested_stack_is_a_template_resource_with_references_wired_both_ways(
    tmp_path: Path,
) -> None:
    app = App()
    stack = Stack(app, "app")
    net = Resource(stack, "net", type="OS::Neutron::Net")
    db = Database(stack, "db", network=net)
    Output(stack, "db_address", value=db.server.get_attr("first_address"))
    result, manifest = synth(app, tmp_path)
    (top,) = result.stacks
    assert top.template["resources"]["db"] == {
        "type": "app-db.yaml",
        "properties": {"import.app.net": {"get_resource": "net"}},
    }
    assert top.template["outputs"]["db_address"] == {
        "value": {"get_attr": ["db", "export.app/db.server.first_address"]}
    }
    nested = (tmp_path / "app.files" / "app-db.yaml").read_text()
    assert "import.app.net:" in nested and "export.app/db.server.first_address:" in nested
    assert top.files["app-db.yaml"] == nested
    assert manifest.stacks[0].files == {"app-db.yaml": "app.files/app-db.yaml"}
    assert [s.name for s in manifest.stacks] == ["app"]


def test_nested_stacks_of_nested_stacks_pass_values_through_each_level() -> None:
    app = App()
    stack = Stack(app, "top")
    net = Resource(stack, "net", type="OS::Neutron::Net")
    middle = NestedStack(stack, "middle")
    inner = NestedStack(middle, "inner")
    leaf = Resource(inner, "leaf", type="OS::Heat::Value", properties={"value": net})
    Output(stack, "leaf", value=leaf.get_attr("value"))
    result = synthesize(app)
    (top,) = result.stacks
    assert top.template["resources"]["middle"] == {
        "type": "top-middle.yaml",
        "properties": {"import.top.net": {"get_resource": "net"}},
    }
    assert top.template["outputs"]["leaf"] == {
        "value": {"get_attr": ["middle", "export.top/middle/inner.leaf.value"]}
    }
    middle_t = result.stacks[0].files["top-middle.yaml"]
    assert "type: top-middle-inner.yaml" in middle_t
    assert "import.top.net: {get_param: import.top.net}" in middle_t
    assert "value: {get_attr: [inner, export.top/middle/inner.leaf.value]}" in middle_t


def test_a_parameter_can_take_an_output_of_another_stack_keeping_both_names(
    tmp_path: Path,
) -> None:
    """What stacks imported from Heat need: they are linked already, by their own names."""
    app = App()
    network = Stack(app, "network")
    net = Resource(network, "net", type="OS::Neutron::Net")
    Output(network, "net_id", value=net)
    compute = Stack(app, "compute")
    net_id = Parameter(compute, "net_id")
    Resource(compute, "port", type="OS::Neutron::Port", properties={"network": net_id})
    net_id.take_output(network, "net_id")
    synth(app, tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert [s["name"] for s in manifest["stacks"]] == ["network", "compute"]
    assert manifest["stacks"][1]["depends_on"] == ["network"]
    assert manifest["stacks"][1]["imports"] == [
        {"parameter": "net_id", "stack": "network", "output": "net_id", "type": "string"}
    ]
    compute_template = next(s.template for s in synthesize(app).stacks if s.stack is compute)
    assert compute_template["parameters"] == {"net_id": {"type": "string"}}

    net_id.take_output(network, "subnet_id")
    with pytest.raises(SynthError, match="stack network has no output 'subnet_id'"):
        synthesize(app)
