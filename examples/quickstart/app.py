"""Quick start: one stack with a network port, a server on it and a generated admin password.

hotdsl synth        # writes hot.out/quickstart.yaml and hot.out/manifest.json
"""

from hotdsl import App, Length, Output, Parameter, Stack
from hotdsl.stdlib.heat import RandomString
from hotdsl.stdlib.neutron import Port
from hotdsl.stdlib.nova import Server, ServerNetworksItem

BOOT_SCRIPT = """#!/bin/sh
echo "provisioned by hotdsl" > /etc/motd
"""


class Quickstart(Stack):
    """A server on its own port, with a password Heat generates and keeps."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id, description="hotdsl quick start: one server")
        image = Parameter(self, "image", default="cirros", description="Glance image to boot.")
        flavor = Parameter(self, "flavor", default="m1.small", constraints=[Length(min=1)])
        network = Parameter(self, "network", default="private", description="Network to attach to.")
        password = RandomString(self, "admin_password", length=24)
        port = Port(self, "port", network=network)
        server = Server(
            self,
            "server",
            image=image,
            flavor=flavor,
            networks=[ServerNetworksItem(port=port)],
            admin_pass=password.attrs.value,
            user_data_format="RAW",
            user_data=BOOT_SCRIPT,
        )
        Output(
            self,
            "address",
            value=server.attrs.networks[network][0],
            description="The server's IP address.",
        )


app = App()
Quickstart(app, "quickstart")
