"""A resource type of our own, `Example::Worker`, used once and as a group of three.

`Worker` is a provider template built in Python: its attrs fields are the template's
parameters (and, typed, the resource's properties), `build()` fills the template, and
its outputs are typed attributes. hotdsl writes the template into the files map and
registers the type in the stack's environment:

    resource_registry:
      Example::Worker: worker.yaml

The ResourceGroup creates one nested stack per member from the same template; its
`attrs.get("name")` collects an output from every member.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from hotdsl import (
    AllowedValues,
    App,
    Output,
    Parameter,
    ProviderResource,
    Stack,
    Value,
    list_join,
    output_attribute,
    parameter_options,
)
from hotdsl.stdlib import heat, neutron, nova


@attrs.define(kw_only=True, eq=False)
class Worker(ProviderResource):
    """A worker server with its own port and a generated name."""

    type_name: ClassVar[str] = "Example::Worker"
    network: Value[str]
    image: Value[str] = "cirros"
    flavor: Value[str] = attrs.field(
        default="m1.small",
        metadata=parameter_options(
            description="Nova flavor of the worker.",
            constraints=[AllowedValues(["m1.small", "m1.medium"])],
        ),
    )
    name = output_attribute[str]()
    networks = output_attribute[dict[str, list[str]]]()

    def build(self, template: Stack) -> None:
        suffix = heat.RandomString(
            template,
            "suffix",
            length=6,
            character_classes=[heat.RandomStringCharacterClassesItem(class_="lowercase")],
        )
        port = neutron.Port(template, "port", network=self.network)
        server = nova.Server(
            template,
            "server",
            name=list_join("-", ["worker", suffix.attrs.value]),
            image=self.image,
            flavor=self.flavor,
            networks=[nova.ServerNetworksItem(port=port)],
        )
        Output(template, "name", value=server.attrs.name, description="The server's name.")
        Output(template, "networks", value=server.attrs.networks, description="Its addresses.")


class Workers(Stack):
    """One worker on its own, and a group of them."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id, description="Workers built from one provider template")
        network = Parameter(self, "network", default="private", description="Network to attach to.")
        count = Parameter(
            self, "count", type="number", default=3, description="Workers in the group."
        )
        leader = Worker(self, "leader", network=network, flavor="m1.medium")
        group = heat.ResourceGroup(
            self, "group", count=count, resource_def=Worker.definition(network=network)
        )
        Output(self, "leader_name", value=leader.name, description="The leader's server name.")
        Output(
            self, "worker_names", value=group.attrs.get("name"), description="Every member's name."
        )


app = App()
Workers(app, "workers")
