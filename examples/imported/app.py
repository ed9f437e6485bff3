"""Two servers with floating IPs on a new private network, behind a router to the public one.

Imported from `servers_in_new_neutron_net.yaml` of openstack/heat-templates (kept here
as `original.yaml`) with

    hotdsl import original.yaml -o imported.py --line-length 100

and then refactored by hand (see README.md): the server, its port and its floating IP
became one construct, made twice in a loop; retired property names gave way to the
current ones, so every resource is a typed class. Every resource keeps its name from
the template, so the stack deployed from `original.yaml` updates in place.

    hotdsl synth        # writes hot.out/servers-in-new-neutron-net.yaml
"""

from hotdsl import App, Construct, Output, Parameter, Stack
from hotdsl.stdlib import neutron, nova

DESCRIPTION = (
    "HOT template to create a new neutron network plus a router to the public network, and for "
    "deploying two servers into the new network. The template also assigns floating IP addresses "
    "to each server so they are routable from the public network."
)


class PublicServer(Construct):
    """A server on its own port of a private subnet, reachable through a floating IP.

    The resources keep the names the template gave them (`server1`, `server1_port`,
    `server1_floating_ip`), so that a stack deployed from the template updates in place.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        image: Parameter[str],
        flavor: Parameter[str],
        key_name: Parameter[str],
        network: neutron.Net,
        subnet: neutron.Subnet,
        public_network: Parameter[str],
    ) -> None:
        super().__init__(scope, id)
        self.port = neutron.Port(
            self, "port", network=network, fixed_ips=[neutron.PortFixedIpsItem(subnet=subnet)]
        )
        self.server = nova.Server(
            self,
            "server",
            name=name,
            image=image,
            flavor=flavor,
            key_name=key_name,
            networks=[nova.ServerNetworksItem(port=self.port)],
        )
        self.floating_ip = neutron.FloatingIP(
            self, "floating_ip", floating_network=public_network, port_id=self.port
        )
        self.server.node.override_logical_name(id)
        self.port.node.override_logical_name(f"{id}_port")
        self.floating_ip.node.override_logical_name(f"{id}_floating_ip")


class ServersInNewNeutronNet(Stack):
    """A private network with a router to the public network, and two servers on it."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, description=DESCRIPTION, template_version="2013-05-23")
        key_name = Parameter(self, "key_name", description="Name of keypair to assign to servers")
        image = Parameter(self, "image", description="Name of image to use for servers")
        flavor = Parameter(self, "flavor", description="Flavor to use for servers")
        public_net = Parameter(
            self,
            "public_net",
            description="ID or name of public network for which floating IP addresses will be "
            "allocated",
        )
        private_net_name = Parameter(
            self, "private_net_name", description="Name of private network to be created"
        )
        cidr = Parameter(
            self, "private_net_cidr", description="Private network address (CIDR notation)"
        )
        gateway = Parameter(
            self, "private_net_gateway", description="Private network gateway address"
        )
        pool_start = Parameter(
            self,
            "private_net_pool_start",
            description="Start of private network IP address allocation pool",
        )
        pool_end = Parameter(
            self,
            "private_net_pool_end",
            description="End of private network IP address allocation pool",
        )

        network = neutron.Net(self, "private_net", name=private_net_name)
        subnet = neutron.Subnet(
            self,
            "private_subnet",
            network=network,
            cidr=cidr,
            gateway_ip=gateway,
            allocation_pools=[neutron.SubnetAllocationPoolsItem(start=pool_start, end=pool_end)],
        )
        router = neutron.Router(
            self,
            "router",
            external_gateway_info=neutron.RouterExternalGatewayInfo(network=public_net),
        )
        neutron.RouterInterface(self, "router_interface", router=router, subnet=subnet)

        for number in (1, 2):
            name = f"server{number}"
            server = PublicServer(
                self,
                name,
                name=f"Server{number}",
                image=image,
                flavor=flavor,
                key_name=key_name,
                network=network,
                subnet=subnet,
                public_network=public_net,
            )
            Output(
                self,
                f"{name}_private_ip",
                value=server.server.get_attr("first_address"),
                description=f"IP address of {name} in private network",
            )
            Output(
                self,
                f"{name}_public_ip",
                value=server.floating_ip.attrs.floating_ip_address,
                description=f"Floating IP address of {name} in public network",
            )


app = App()
ServersInNewNeutronNet(app, "servers-in-new-neutron-net")
