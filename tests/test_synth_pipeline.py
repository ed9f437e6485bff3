"""Synth's stages: link, then render, then validate and emit, over a model left as it was.

The link pass finds what crosses stack and nesting boundaries and records it; the
render pass writes each template from the model and those links alone, so stacks can
be rendered in any order; synth changes nothing in the model, and the model takes no
new construct while synth reads it.
"""

from __future__ import annotations

import gc
import sys

import pytest

from hotdsl import App, NestedStack, Output, Parameter, Resource, Stack, Stage, from_env
from hotdsl.construct import locked
from hotdsl.errors import ModelLockedError, SynthError
from hotdsl.synth import synthesize
from hotdsl.synth.link import link
from hotdsl.synth.render import render


def linked_app() -> tuple[App, Stack, Stack, NestedStack]:
    """A network stack, and a compute stack whose nested stack uses the network's net."""
    app = App()
    network = Stack(app, "network")
    net = Resource(network, "net", type="OS::Neutron::Net")
    compute = Stack(app, "compute")
    size = Parameter(compute, "size", type="number", default=1)
    tier = NestedStack(compute, "tier")
    port = Resource(tier, "port", type="OS::Neutron::Port", properties={"network": net})
    Resource(compute, "group", type="OS::Heat::None", properties={"size": size})
    Output(compute, "port", value=port.get_attr("name"))
    return app, network, compute, tier


def test_the_link_pass_records_what_crosses_each_boundary_and_the_deploy_order() -> None:
    _app, network, compute, tier = linked_app()
    links = link([compute, network])
    assert list(links.of(network).exports) == ["export.network.net"]
    assert [p.name for p in links.of(tier).parameters] == ["import.network.net"]
    assert list(links.of(tier).passed_in) == ["import.network.net"]
    assert [p.name for p in links.of(compute).parameters] == ["import.network.net"]
    assert list(links.of(compute).exports) == []
    assert list(links.of(tier).exports) == ["export.compute/tier.port.name"]
    assert [(i.parameter, i.stack) for i in links.of(compute).imports] == [
        ("import.network.net", network)
    ]
    assert links.deploy_order([compute, network]) == [network, compute]
    assert links.files[compute] == {tier.file_name: tier}


def test_each_template_depends_only_on_the_model_and_the_links() -> None:
    _app, network, compute, tier = linked_app()
    links = link([network, compute])
    forwards = render([network, compute], links)
    backwards = render([compute, network], links)
    assert [s.template for s in forwards.stacks] == [s.template for s in backwards.stacks][::-1]
    assert [s.template for s in forwards.nested] == [s.template for s in backwards.nested]
    assert render([network, compute], links) == forwards  # rendering again changes nothing
    (nested,) = forwards.nested
    assert nested.stack is tier
    assert nested.template["parameters"]["import.network.net"]["type"] == "string"


def test_synth_leaves_the_model_as_it_was() -> None:
    app, _network, compute, _tier = linked_app()
    password = Parameter(compute, "password")
    Stage(app, "prod", parameters={password: from_env("DB_PASSWORD")})
    members = {stack: stack.members for stack in app.stacks}
    first = synthesize(app)
    assert password.hidden is False  # hidden in the template, not changed in the model
    assert first.stacks[1].template["parameters"]["password"]["hidden"] is True
    assert {stack: stack.members for stack in app.stacks} == members
    assert [s.text for s in synthesize(app).stacks] == [s.text for s in first.stacks]


def test_a_construct_added_while_synth_reads_the_app_is_an_error_at_the_users_line() -> None:
    app = App()
    stack = Stack(app, "s")

    class Late:
        line = 0

        def __hot__(self) -> object:
            Late.line = sys._getframe().f_lineno + 1
            Output(stack, "late", value=1)
            return 1

    Output(stack, "o", value=Late())
    with pytest.raises(ModelLockedError) as raised:
        synthesize(app)
    where = f"test_synth_pipeline.py:{Late.line}: "
    assert f"{where}Output s/late is created while the app is being synthesized" in str(
        raised.value
    )
    assert "late" not in stack.node.children  # nothing was added


def test_the_app_takes_constructs_again_once_synth_is_done() -> None:
    app = App()
    stack = Stack(app, "s")
    with locked(app):
        with pytest.raises(ModelLockedError):
            Resource(stack, "r", type="OS::Heat::None")
        Stack(App(), "elsewhere")  # another app is not locked
    Resource(stack, "r", type="OS::Heat::None")
    assert [s.stack.node.path for s in synthesize(app).stacks] == ["s"]
    Resource(stack, "r2", type="OS::Heat::None")


@pytest.mark.parametrize("enabled", [True, False])
def test_synth_leaves_the_garbage_collector_as_it_found_it(enabled: bool) -> None:
    """Synth pauses the cyclic collector while it runs; after it, as before, even on error."""
    seen: list[bool] = []

    class Probe:
        def __hot__(self) -> str:
            seen.append(gc.isenabled())
            return "probed"

    app = App()
    stack = Stack(app, "s")
    Resource(stack, "r", type="OS::Heat::None", properties={"probe": Probe()})
    broken = App()
    Resource(Stack(broken, "b"), "r", type="OS::Heat::None", properties={"bad": object()})
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert "probed" in synthesize(app).stacks[0].text
        assert gc.isenabled() is enabled
        with pytest.raises(SynthError):
            synthesize(broken)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False]
