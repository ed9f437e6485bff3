"""Provider templates: your own resource types, built in Python, typed on both sides."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import attrs
import pytest
import yaml

from hotdsl import (
    App,
    Output,
    ProviderResource,
    Range,
    Resource,
    Stack,
    SynthError,
    Value,
    output_attribute,
    parameter_options,
)
from hotdsl.synth import synth, synthesize


@attrs.define(kw_only=True, eq=False)
class WebTier(ProviderResource):
    """A web server on its own port."""

    type_name: ClassVar[str] = "My::Web::Tier"
    image: Value[str]
    flavor: Value[str] = "m1.small"
    size: Value[int] = attrs.field(
        default=2, metadata=parameter_options(constraints=[Range(min=1, max=8)])
    )
    tags: list[str] = attrs.field(factory=list)
    address = output_attribute[str]()

    def build(self, template: Stack) -> None:
        port = Resource(
            template, "port", type="OS::Neutron::Port", properties={"network": "private"}
        )
        server = Resource(
            template,
            "server",
            type="OS::Nova::Server",
            properties={"image": self.image, "flavor": self.flavor, "networks": [{"port": port}]},
        )
        Output(template, "address", value=server.get_attr("first_address"))


def test_a_provider_resource_is_a_typed_resource_of_a_registered_type(tmp_path: Path) -> None:
    app = App()
    stack = Stack(app, "site")
    web = WebTier(stack, "web", image="cirros", size=3)
    Output(stack, "web_address", value=web.address)
    result, manifest = synth(app, tmp_path)
    (site,) = result.stacks
    assert site.template["resources"]["web"] == {
        "type": "My::Web::Tier",
        "properties": {"image": "cirros", "size": 3},  # the template's defaults are not repeated
    }
    assert site.template["outputs"]["web_address"] == {"value": {"get_attr": ["web", "address"]}}
    assert yaml.safe_load((tmp_path / "site.env.yaml").read_text()) == {
        "resource_registry": {"My::Web::Tier": "web-tier.yaml"}
    }
    assert manifest.stacks[0].environment_files == ("site.env.yaml",)
    assert manifest.stacks[0].files == {"web-tier.yaml": "site.files/web-tier.yaml"}
    nested = yaml.safe_load((tmp_path / "site.files/web-tier.yaml").read_text())
    assert nested["description"] == "A web server on its own port."
    assert nested["parameters"] == {
        "image": {"type": "string"},
        "flavor": {"type": "string", "default": "m1.small"},
        "size": {"type": "number", "default": 2, "constraints": [{"range": {"min": 1, "max": 8}}]},
        "tags": {"type": "comma_delimited_list", "default": []},
    }
    assert nested["resources"]["server"]["properties"]["image"] == {"get_param": "image"}
    assert nested["outputs"] == {"address": {"value": {"get_attr": ["server", "first_address"]}}}


def test_a_resource_group_of_a_provider_type() -> None:
    app = App()
    stack = Stack(app, "site")
    Resource(
        stack,
        "webs",
        type="OS::Heat::ResourceGroup",
        properties={
            "count": 3,
            "resource_def": WebTier.definition(image="cirros", flavor="m1.tiny"),
        },
    )
    (site,) = synthesize(app).stacks
    assert site.template["resources"]["webs"]["properties"]["resource_def"] == {
        "type": "My::Web::Tier",
        "properties": {"image": "cirros", "flavor": "m1.tiny"},
    }
    assert list(site.files) == ["web-tier.yaml"]
    assert site.environment == "resource_registry:\n  My::Web::Tier: web-tier.yaml\n"


@attrs.define(kw_only=True, eq=False)
class Unregistered(ProviderResource):
    name: Value[str]

    def build(self, template: Stack) -> None:
        Resource(template, "value", type="OS::Heat::Value", properties={"value": self.name})


def test_without_a_type_name_the_template_file_is_the_type() -> None:
    app = App()
    stack = Stack(app, "s")
    Unregistered(stack, "u", name="x")
    (s,) = synthesize(app).stacks
    assert s.template["resources"]["u"]["type"] == "unregistered.yaml"
    assert s.environment is None


@attrs.define(kw_only=True, eq=False)
class Leaky(ProviderResource):
    outside: ClassVar[Resource | None] = None

    def build(self, template: Stack) -> None:
        Resource(template, "v", type="OS::Heat::Value", properties={"value": Leaky.outside})


def test_a_provider_template_cannot_reach_outside_its_parameters() -> None:
    app = App()
    stack = Stack(app, "s")
    Leaky.outside = Resource(stack, "r", type="OS::Heat::None")
    Leaky(stack, "leaky")
    with pytest.raises(SynthError, match="a provider template can only use its own parameters"):
        synthesize(app)


@attrs.define(kw_only=True, eq=False)
class Broken(ProviderResource):
    def build(self, template: Stack) -> None:
        raise ValueError("no network configured")


def test_an_error_in_build_is_reported_at_the_users_line() -> None:
    app = App()
    Broken(Stack(app, "s"), "b")
    with pytest.raises(
        SynthError,
        match=r"Broken.build\(\) failed at tests/test_providers.py:\d+: ValueError: no network",
    ):
        synthesize(app)
