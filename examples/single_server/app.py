"""A single server, reachable from outside, with a data volume that outlives rebuilds.

`ServerWithPort` makes the port, security group and floating IP resources of their
own, so resizing or rebuilding the server keeps its addresses; the data volume is
attached, not booted from, so a new image leaves the data alone.

    hotdsl synth        # writes hot.out/single-server.yaml and hot.out/manifest.json
"""

from hotdsl import App, Output, Parameter, Range, Stack
from hotdsl.stdlib.patterns import IngressRule, ServerWithPort


class SingleServer(Stack):
    """One server on an existing network, with SSH, HTTP, a floating IP and a data volume."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id, description="One server with a floating IP and a data volume")
        image = Parameter(self, "image", default="cirros", description="Glance image to boot.")
        flavor = Parameter(
            self, "flavor", default="m1.small", description="Nova flavor of the server."
        )
        key_name = Parameter(
            self, "key_name", default="default", description="Nova key pair for SSH."
        )
        network = Parameter(
            self, "network", default="private", description="Network the server's port is on."
        )
        public_network = Parameter(
            self,
            "public_network",
            default="public",
            description="External network of the floating IP.",
        )
        volume_size = Parameter(
            self,
            "volume_size",
            type="number",
            default=10,
            constraints=[Range(min=1, max=1000)],
            description="Size of the data volume, in GB.",
        )
        web = ServerWithPort(
            self,
            "web",
            image=image,
            flavor=flavor,
            key_name=key_name,
            network=network,
            ingress=[IngressRule.tcp(22), IngressRule.tcp(80), IngressRule.icmp()],
            floating_network=public_network,
            volume_size=volume_size,
        )
        Output(
            self,
            "private_address",
            value=web.address,
            description="The server's fixed IP address.",
        )
        if web.public_address is not None:
            Output(
                self,
                "public_address",
                value=web.public_address,
                description="The floating IP address.",
            )


app = App()
SingleServer(app, "single-server")
