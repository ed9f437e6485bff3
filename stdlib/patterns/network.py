"""`PrivateNetwork`: a tenant network with a subnet, routed to the outside world."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from hotdsl.construct import Construct
from hotdsl.intrinsics import Intrinsic, Value
from hotdsl.stdlib.neutron import (
    Net,
    Router,
    RouterExternalGatewayInfo,
    RouterInterface,
    Subnet,
    SubnetAllocationPoolsItem,
)


class PrivateNetwork(Construct):
    """A private network for servers: net, subnet, and a router to an external network.

    The router gives the subnet's servers a way out (SNAT) and lets floating IPs of the
    external network reach them. With `external_network=None` the network stays
    isolated: no router, no interface.

    ```python
    network = PrivateNetwork(stack, "network", cidr="10.0.0.0/24", dns_nameservers=["10.0.0.2"])
    Server(stack, "web", ..., networks=[ServerNetworksItem(network=network.net, subnet=network.subnet)])
    ```
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cidr: Value[str] = "10.0.0.0/24",
        external_network: Value[str] | None = "public",
        dns_nameservers: Value[Sequence[Value[str]]] = (),
        allocation_pools: Sequence[tuple[Value[str], Value[str]]] = (),
        gateway_ip: Value[str] | None = None,
        name: Value[str] | None = None,
    ) -> None:
        """`allocation_pools` are (first, last) address pairs that DHCP hands out; by
        default Neutron uses the whole subnet but the gateway. `name` names the net
        (Heat makes one up otherwise)."""
        super().__init__(scope, id)
        self.cidr = cidr
        """The subnet's address range, as given."""
        dns = dns_nameservers if isinstance(dns_nameservers, Intrinsic) else list(dns_nameservers)
        pools = [
            SubnetAllocationPoolsItem(start=first, end=last) for first, last in allocation_pools
        ]
        self.net = Net(self, "net", name=name)
        self.subnet = Subnet(
            self,
            "subnet",
            network=self.net,
            cidr=cidr,
            gateway_ip=gateway_ip,
            dns_nameservers=dns or None,
            allocation_pools=pools or None,
        )
        self.router: Router | None = None
        """The router to `external_network` (None for an isolated network)."""
        self.interface: RouterInterface | None = None
        """The subnet's port on the router (None for an isolated network)."""
        if external_network is not None:
            self.router = Router(
                self,
                "router",
                external_gateway_info=RouterExternalGatewayInfo(network=external_network),
            )
            self.interface = RouterInterface(
                self, "interface", router=self.router, subnet=self.subnet
            )


@attrs.frozen
class NetworkAttachment:
    """Where a server's port goes: the network, the subnet, and what a floating IP must wait for."""

    network: Value[str]
    subnet: Value[str] | None
    route: RouterInterface | None
    """The router interface that makes the subnet reachable from outside, when it is in
    the same stack: a floating IP created before it fails ("external network not
    reachable from subnet"), so the floating IP depends on it."""


def attach(
    scope: Construct, network: PrivateNetwork | Value[str], subnet: Value[str] | None
) -> NetworkAttachment:
    """The network and subnet a pattern at `scope` puts its ports on.

    A `PrivateNetwork` brings its own subnet (unless `subnet` names another) and its
    router interface; a network given by name, id or reference is used as it is.
    """
    if not isinstance(network, PrivateNetwork):
        return NetworkAttachment(network, subnet, None)
    route = network.interface
    if route is not None and route.node.stack is not scope.node.stack:
        route = None  # another stack: deployed before this one
    return NetworkAttachment(network.net, subnet if subnet is not None else network.subnet, route)
