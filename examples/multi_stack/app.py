"""Two stacks, one network and one application, deployed in stages.

- `network` owns the private network, its subnet and the router to the outside.
- `application` puts a group of web servers on that network; the network and subnet
  ids cross over as stack outputs and parameters, wired by hotdsl.
- The web server is a provider template (`My::Web::Server`), used through a
  ResourceGroup, so each member is one nested stack.
- `dev` and `prod` share both templates and differ only in their environment files;
  prod's database password is read from the deployer's environment at deploy time.

    hotdsl synth            # all stages
    hotdsl synth -s prod    # prod only
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
    Range,
    Resource,
    Stack,
    Stage,
    Value,
    from_env,
    get_file,
    output_attribute,
)


class NetworkStack(Stack):
    """The private network every other stack attaches to."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id, description="Private network, subnet and router")
        self.cidr = Parameter(self, "cidr", default="10.0.0.0/24", description="Subnet range.")
        self.external_network = Parameter(self, "external_network", default="public")
        self.net = Resource(self, "net", type="OS::Neutron::Net", properties={"name": "private"})
        self.subnet = Resource(
            self,
            "subnet",
            type="OS::Neutron::Subnet",
            properties={
                "network": self.net,
                "cidr": self.cidr,
                "dns_nameservers": ["8.8.8.8"],
                "ip_version": 4,
            },
        )
        router = Resource(
            self,
            "router",
            type="OS::Neutron::Router",
            properties={"external_gateway_info": {"network": self.external_network}},
        )
        Resource(
            self,
            "router_interface",
            type="OS::Neutron::RouterInterface",
            properties={"router": router, "subnet": self.subnet},
        )


@attrs.define(kw_only=True, eq=False)
class WebServer(ProviderResource):
    """One web server with its own port on the application network."""

    type_name: ClassVar[str] = "My::Web::Server"
    network: Value[str]
    subnet: Value[str]
    image: Value[str] = "cirros"
    flavor: Value[str] = "m1.small"
    address = output_attribute[str]()

    def build(self, template: Stack) -> None:
        port = Resource(
            template,
            "port",
            type="OS::Neutron::Port",
            properties={"network": self.network, "fixed_ips": [{"subnet": self.subnet}]},
        )
        server = Resource(
            template,
            "server",
            type="OS::Nova::Server",
            properties={
                "image": self.image,
                "flavor": self.flavor,
                "networks": [{"port": port}],
                "user_data_format": "RAW",
                "user_data": get_file("scripts/boot.sh"),
            },
        )
        Output(
            template,
            "address",
            value=server.get_attr("first_address"),
            description="The server's address.",
        )


class ApplicationStack(Stack):
    """Web servers on the network of `network`."""

    def __init__(self, scope: App, id: str, *, network: NetworkStack) -> None:
        super().__init__(scope, id, description="Web tier")
        self.flavor = Parameter(
            self,
            "flavor",
            default="m1.small",
            constraints=[AllowedValues(["m1.small", "m1.medium", "m1.large"])],
        )
        self.size = Parameter(
            self, "size", type="number", default=1, constraints=[Range(min=1, max=10)]
        )
        self.db_password = Parameter(
            self, "db_password", description="Handed to the web servers' configuration."
        )
        group = Resource(
            self,
            "web",
            type="OS::Heat::ResourceGroup",
            properties={
                "count": self.size,
                "resource_def": WebServer.definition(
                    network=network.net, subnet=network.subnet, flavor=self.flavor
                ),
            },
        )
        Output(
            self,
            "addresses",
            value=group.get_attr("address"),
            description="Addresses of all web servers.",
        )


app = App()
network = NetworkStack(app, "network")
application = ApplicationStack(app, "application", network=network)

dev = Stage(app, "dev", stack_name_prefix="dev-")
dev.set(network.cidr, "10.10.0.0/24")
dev.set(application.db_password, from_env("DEV_DB_PASSWORD"))

prod = Stage(app, "prod", stack_name_prefix="prod-")
prod.set(network.cidr, "10.20.0.0/22")
prod.set(application.flavor, "m1.large")
prod.set(application.size, 4)
prod.set(application.db_password, from_env("PROD_DB_PASSWORD"))
