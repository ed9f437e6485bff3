"""The Heat template original.yaml, imported by `hotdsl import`."""

from hotdsl import App, Construct, Output, Parameter, Resource, Stack
from hotdsl.stdlib import neutron, nova


class Original(Stack):
    """The stack of original.yaml."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(
            scope,
            id,
            description="HOT template to create a new neutron network plus a router to the public network, and for deploying two servers into the new network. The template also assigns floating IP addresses to each server so they are routable from the public network.\n",
            template_version="2013-05-23",
        )
        self.key_name = Parameter(
            self, "key_name", description="Name of keypair to assign to servers"
        )
        self.image = Parameter(self, "image", description="Name of image to use for servers")
        self.flavor = Parameter(self, "flavor", description="Flavor to use for servers")
        self.public_net = Parameter(
            self,
            "public_net",
            description="ID or name of public network for which floating IP addresses will be allocated\n",
        )
        self.private_net_name = Parameter(
            self, "private_net_name", description="Name of private network to be created"
        )
        self.private_net_cidr = Parameter(
            self, "private_net_cidr", description="Private network address (CIDR notation)"
        )
        self.private_net_gateway = Parameter(
            self, "private_net_gateway", description="Private network gateway address"
        )
        self.private_net_pool_start = Parameter(
            self,
            "private_net_pool_start",
            description="Start of private network IP address allocation pool",
        )
        self.private_net_pool_end = Parameter(
            self,
            "private_net_pool_end",
            description="End of private network IP address allocation pool",
        )
        private_net = neutron.Net(self, "private_net", name=self.private_net_name)
        # Not neutron.Subnet: the property 'network_id' is retired in Heat (it still reads it).
        private_subnet = Resource(
            self,
            "private_subnet",
            type="OS::Neutron::Subnet",
            properties={
                "network_id": private_net,
                "cidr": self.private_net_cidr,
                "gateway_ip": self.private_net_gateway,
                "allocation_pools": [
                    {"start": self.private_net_pool_start, "end": self.private_net_pool_end}
                ],
            },
        )
        router = neutron.Router(
            self,
            "router",
            external_gateway_info=neutron.RouterExternalGatewayInfo(network=self.public_net),
        )
        # Not neutron.RouterInterface: the property 'router_id' is retired in Heat (it still reads
        # it).
        Resource(
            self,
            "router_interface",
            type="OS::Neutron::RouterInterface",
            properties={"router_id": router, "subnet_id": private_subnet},
        )
        # Not neutron.Port: the property 'network_id' is retired in Heat (it still reads it).
        server1_port = Resource(
            self,
            "server1_port",
            type="OS::Neutron::Port",
            properties={"network_id": private_net, "fixed_ips": [{"subnet_id": private_subnet}]},
        )
        server1 = nova.Server(
            self,
            "server1",
            name="Server1",
            image=self.image,
            flavor=self.flavor,
            key_name=self.key_name,
            networks=[nova.ServerNetworksItem(port=server1_port)],
        )
        server1_floating_ip = neutron.FloatingIP(
            self, "server1_floating_ip", floating_network=self.public_net, port_id=server1_port
        )
        # Not neutron.Port: the property 'network_id' is retired in Heat (it still reads it).
        server2_port = Resource(
            self,
            "server2_port",
            type="OS::Neutron::Port",
            properties={"network_id": private_net, "fixed_ips": [{"subnet_id": private_subnet}]},
        )
        server2 = nova.Server(
            self,
            "server2",
            name="Server2",
            image=self.image,
            flavor=self.flavor,
            key_name=self.key_name,
            networks=[nova.ServerNetworksItem(port=server2_port)],
        )
        server2_floating_ip = neutron.FloatingIP(
            self, "server2_floating_ip", floating_network=self.public_net, port_id=server2_port
        )
        Output(
            self,
            "server1_private_ip",
            value=server1.get_attr("first_address"),
            description="IP address of server1 in private network",
        )
        Output(
            self,
            "server1_public_ip",
            value=server1_floating_ip.attrs.floating_ip_address,
            description="Floating IP address of server1 in public network",
        )
        Output(
            self,
            "server2_private_ip",
            value=server2.get_attr("first_address"),
            description="IP address of server2 in private network",
        )
        Output(
            self,
            "server2_public_ip",
            value=server2_floating_ip.attrs.floating_ip_address,
            description="Floating IP address of server2 in public network",
        )


app = App()
Original(app, "original")
