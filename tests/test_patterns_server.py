"""ServerWithPort: a server on its own port and security group, with an optional
floating IP and an optional data volume; IngressRule: what its security group lets in."""

from __future__ import annotations

from hotdsl import App, Output, Parameter, Stack
from hotdsl.stdlib.nova import Server
from hotdsl.stdlib.patterns import IngressRule, PrivateNetwork, ServerWithPort
from hotdsl.synth import synthesize
from hotdsl.testing import Match, Template


def new_stack() -> Stack:
    return Stack(App(), "demo")


# --- the server and its port ----------------------------------------------------------------


def test_a_server_with_port_is_a_security_group_a_port_and_a_server_on_it() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    template = Template.from_stack(stack)
    template.resource_count_is("OS::Neutron::SecurityGroup", 1)
    template.resource_count_is("OS::Neutron::Port", 1)
    template.resource_count_is("OS::Nova::Server", 1)
    template.has_resource_properties(
        "OS::Neutron::Port",
        Match.object_equals({"network": "private", "security_groups": [web.security_group]}),
    )
    template.has_resource_properties(
        "OS::Nova::Server",
        {
            "image": "cirros",
            "flavor": "m1.small",
            "networks": [{"port": web.port}],
            "user_data_format": "RAW",
            "user_data": Match.absent(),
            "key_name": Match.absent(),
        },
    )


def test_by_default_it_lets_in_ssh_and_ping_from_anywhere() -> None:
    stack = new_stack()
    ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    Template.from_stack(stack).has_resource_properties(
        "OS::Neutron::SecurityGroup",
        {
            "rules": [
                {
                    "direction": "ingress",
                    "protocol": "tcp",
                    "port_range_min": 22,
                    "port_range_max": 22,
                    "remote_ip_prefix": "0.0.0.0/0",
                },
                {
                    "direction": "ingress",
                    "protocol": "icmp",
                    "remote_ip_prefix": "0.0.0.0/0",
                    "port_range_min": Match.absent(),
                },
            ]
        },
    )


def test_its_address_is_the_ports_fixed_ip() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    Output(stack, "address", value=web.address)
    Template.from_stack(stack).has_output(
        "address", value={"get_attr": ["web.port", "fixed_ips", 0, "ip_address"]}
    )


def test_on_a_private_network_the_port_takes_its_fixed_ip_from_the_subnet() -> None:
    stack = new_stack()
    network = PrivateNetwork(stack, "network")
    ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network=network)
    Template.from_stack(stack).has_resource_properties(
        "OS::Neutron::Port", {"network": network.net, "fixed_ips": [{"subnet": network.subnet}]}
    )


def test_key_user_data_metadata_and_name_go_to_the_server() -> None:
    stack = new_stack()
    key = Parameter(stack, "key")
    ServerWithPort(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        network="private",
        key_name=key,
        user_data="#!/bin/sh\necho hi\n",
        metadata={"role": "web"},
        name="web-1",
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Nova::Server",
        {
            "key_name": key,
            "user_data": "#!/bin/sh\necho hi\n",
            "metadata": {"role": "web"},
            "name": "web-1",
        },
    )


# --- the floating IP ------------------------------------------------------------------------


def test_without_a_floating_network_there_is_no_floating_ip() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    Template.from_stack(stack).resource_count_is("OS::Neutron::FloatingIP", 0)
    assert web.floating_ip is None and web.public_address is None


def test_a_floating_ip_goes_on_the_port() -> None:
    stack = new_stack()
    web = ServerWithPort(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        network="private",
        floating_network="public",
    )
    assert web.public_address is not None
    Output(stack, "public", value=web.public_address)
    template = Template.from_stack(stack)
    template.has_resource(
        "OS::Neutron::FloatingIP",
        properties={"floating_network": "public", "port_id": web.port},
        depends_on=Match.absent(),
    )
    template.has_output("public", value={"get_attr": ["web.floating_ip", "floating_ip_address"]})


def test_the_floating_ip_waits_for_the_router_interface_of_its_network() -> None:
    stack = new_stack()
    network = PrivateNetwork(stack, "network")
    ServerWithPort(
        stack, "web", image="cirros", flavor="m1.small", network=network, floating_network="public"
    )
    Template.from_stack(stack).has_resource(
        "OS::Neutron::FloatingIP", depends_on=["network.interface"]
    )


def test_a_network_of_another_stack_is_already_routed() -> None:
    app = App()
    network = PrivateNetwork(Stack(app, "network"), "network")
    application = Stack(app, "application")
    ServerWithPort(
        application,
        "web",
        image="cirros",
        flavor="m1.small",
        network=network,
        floating_network="public",
    )
    stacks = {s.stack.node.id: s for s in synthesize(app).stacks}
    floating_ip = stacks["application"].template["resources"]["web.floating_ip"]
    assert "depends_on" not in floating_ip
    assert stacks["application"].depends_on == ("network",)


# --- the data volume ------------------------------------------------------------------------


def test_without_a_volume_size_there_is_no_volume() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    template = Template.from_stack(stack)
    template.resource_count_is("OS::Cinder::Volume", 0)
    template.resource_count_is("OS::Cinder::VolumeAttachment", 0)
    assert web.volume is None and web.volume_attachment is None


def test_a_data_volume_is_attached_to_the_server() -> None:
    stack = new_stack()
    size = Parameter(stack, "size", type="number", default=20)
    web = ServerWithPort(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        network="private",
        volume_size=size,
        volume_type="ssd",
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Cinder::Volume", {"size": size, "volume_type": "ssd"})
    template.has_resource_properties(
        "OS::Cinder::VolumeAttachment", {"instance_uuid": web.server, "volume_id": web.volume}
    )


def test_the_pieces_are_typed_resources_of_the_stdlib() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    assert isinstance(web.server, Server)
    assert web.server.property_schema("flavor").on_update == "update"


# --- ingress rules --------------------------------------------------------------------------


def test_a_rule_for_one_port_is_a_range_of_one() -> None:
    assert IngressRule.tcp(443).to_rule().__hot__() == {
        "direction": "ingress",
        "ethertype": "IPv4",
        "protocol": "tcp",
        "port_range_min": 443,
        "port_range_max": 443,
        "remote_ip_prefix": "0.0.0.0/0",
    }


def test_a_rule_takes_a_port_range_and_a_source_network() -> None:
    assert IngressRule.udp(
        5000, 5100, source="10.0.0.0/8", description="media"
    ).to_rule().__hot__() == {
        "direction": "ingress",
        "ethertype": "IPv4",
        "protocol": "udp",
        "port_range_min": 5000,
        "port_range_max": 5100,
        "remote_ip_prefix": "10.0.0.0/8",
        "description": "media",
    }


def test_a_rule_can_let_in_the_members_of_another_security_group() -> None:
    stack = new_stack()
    web = ServerWithPort(stack, "web", image="cirros", flavor="m1.small", network="private")
    ServerWithPort(
        stack,
        "db",
        image="cirros",
        flavor="m1.small",
        network="private",
        ingress=[IngressRule.tcp(5432, source_group=web.security_group)],
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Neutron::SecurityGroup",
        {
            "rules": [
                {
                    "protocol": "tcp",
                    "port_range_min": 5432,
                    "remote_mode": "remote_group_id",
                    "remote_group_id": web.security_group,
                    "remote_ip_prefix": Match.absent(),
                }
            ]
        },
    )


def test_icmp_rules_have_no_ports() -> None:
    assert IngressRule.icmp(source="192.168.0.0/16").to_rule().__hot__() == {
        "direction": "ingress",
        "ethertype": "IPv4",
        "protocol": "icmp",
        "remote_ip_prefix": "192.168.0.0/16",
    }
