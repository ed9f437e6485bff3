"""PrivateNetwork: a net, its subnet and a router that connects it to an external network."""

from __future__ import annotations

from hotdsl import App, Parameter, Stack
from hotdsl.stdlib.neutron import Router, RouterInterface
from hotdsl.stdlib.patterns import PrivateNetwork
from hotdsl.testing import Match, Template


def new_stack() -> Stack:
    return Stack(App(), "demo")


def test_a_private_network_is_a_net_a_subnet_and_a_router_with_its_interface() -> None:
    stack = new_stack()
    network = PrivateNetwork(stack, "network")
    template = Template.from_stack(stack)
    for heat_type in (
        "OS::Neutron::Net",
        "OS::Neutron::Subnet",
        "OS::Neutron::Router",
        "OS::Neutron::RouterInterface",
    ):
        template.resource_count_is(heat_type, 1)
    template.has_resource_properties(
        "OS::Neutron::Subnet", Match.object_equals({"network": network.net, "cidr": "10.0.0.0/24"})
    )
    template.has_resource_properties(
        "OS::Neutron::Router", {"external_gateway_info": {"network": "public"}}
    )
    template.has_resource_properties(
        "OS::Neutron::RouterInterface", {"router": network.router, "subnet": network.subnet}
    )
    assert isinstance(network.router, Router)
    assert isinstance(network.interface, RouterInterface)


def test_the_subnet_takes_its_range_dns_servers_allocation_pools_and_gateway() -> None:
    stack = new_stack()
    PrivateNetwork(
        stack,
        "network",
        cidr="192.168.10.0/24",
        dns_nameservers=["192.168.10.2"],
        allocation_pools=[("192.168.10.100", "192.168.10.199")],
        gateway_ip="192.168.10.254",
        name="backend",
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Neutron::Net", {"name": "backend"})
    template.has_resource_properties(
        "OS::Neutron::Subnet",
        {
            "cidr": "192.168.10.0/24",
            "dns_nameservers": ["192.168.10.2"],
            "allocation_pools": [{"start": "192.168.10.100", "end": "192.168.10.199"}],
            "gateway_ip": "192.168.10.254",
        },
    )


def test_parameters_work_wherever_literals_do() -> None:
    stack = new_stack()
    cidr = Parameter(stack, "cidr", default="10.1.0.0/16")
    dns = Parameter(stack, "dns", type="comma_delimited_list", default=["10.1.0.2"])
    external = Parameter(stack, "external", default="ext-net")
    network = PrivateNetwork(
        stack, "network", cidr=cidr, dns_nameservers=dns, external_network=external
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Neutron::Subnet", {"cidr": cidr, "dns_nameservers": dns})
    template.has_resource_properties(
        "OS::Neutron::Router", {"external_gateway_info": {"network": external}}
    )
    assert network.cidr is cidr


def test_without_an_external_network_the_network_is_isolated() -> None:
    stack = new_stack()
    network = PrivateNetwork(stack, "network", external_network=None)
    template = Template.from_stack(stack)
    template.resource_count_is("OS::Neutron::Router", 0)
    template.resource_count_is("OS::Neutron::RouterInterface", 0)
    assert network.router is None and network.interface is None


def test_the_resources_are_named_after_the_construct() -> None:
    stack = new_stack()
    PrivateNetwork(stack, "backend")
    resources = Template.from_stack(stack).to_dict()["resources"]
    assert list(resources) == [
        "backend.net",
        "backend.subnet",
        "backend.router",
        "backend.interface",
    ]
