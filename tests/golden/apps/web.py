"""A user construct, a multi-line script, dependencies, conditions and an old-style stack."""

from hotdsl import (
    App,
    Condition,
    Construct,
    Output,
    Parameter,
    Resource,
    Stack,
    equals,
    get_attr,
    if_,
    list_join,
    str_replace,
)

BOOT_SCRIPT = """#!/bin/sh
set -eu
echo "hello from $NAME" > /etc/motd
"""


class WebServer(Construct):
    """A port and a server on it, with a boot script."""

    def __init__(self, scope: Construct, id: str, *, image: Parameter[str], network: str) -> None:
        super().__init__(scope, id)
        self.port = Resource(
            self, "port", type="OS::Neutron::Port", properties={"network": network}
        )
        self.server = Resource(
            self,
            "server",
            type="OS::Nova::Server",
            properties={
                "image": image,
                "flavor": "m1.small",
                "networks": [{"port": self.port}],
                "user_data_format": "RAW",
                "user_data": str_replace(BOOT_SCRIPT, {"$NAME": id}),
                "metadata": {"role": "web", "enabled": "yes", "weight": "1.0"},
            },
        )


app = App()
stack = Stack(app, "web", description="Two web servers behind nothing in particular.")
image = Parameter(stack, "image", default="cirros")
env = Parameter(stack, "environment", default="dev")
prod = Condition(stack, "is_prod", equals(env, "prod"))
blue = WebServer(stack, "blue", image=image, network="private")
green = WebServer(stack, "green", image=image, network="private")
green.server.add_dependency(blue.server)
Output(
    stack,
    "addresses",
    value=list_join(
        ", ", [blue.server.get_attr("first_address"), green.server.get_attr("first_address")]
    ),
)
Output(stack, "blue_networks", value=get_attr(blue.server, "networks", "private", 0))
Output(stack, "size", value=if_(prod, "large", "small"))

legacy = Stack(app, "legacy", template_version="2013-05-23")
Resource(
    legacy,
    "random",
    type="OS::Heat::RandomString",
    properties={"length": 8},
    deletion_policy="Retain",
)
