"""AutoScaledTier: an auto-scaling group of servers in an Octavia pool behind a load
balancer, grown and shrunk by scaling policies that Aodh CPU alarms signal."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from hotdsl import App, ConstructError, Output, Parameter, Stack
from hotdsl.stdlib.patterns import AutoScaledTier, IngressRule, PrivateNetwork, TierMember
from hotdsl.stdlib.patterns.autoscaling import cpu_time
from hotdsl.synth import synthesize
from hotdsl.testing import Match, Template


def tier_stack(**options: Any) -> tuple[Stack, PrivateNetwork, AutoScaledTier]:
    """A stack with a private network and a tier on it, made with `options`."""
    stack = Stack(App(), "demo")
    network = PrivateNetwork(stack, "network")
    tier = AutoScaledTier(
        stack, "web", image="cirros", flavor="m1.small", network=network, **options
    )
    return stack, network, tier


# --- what the tier is made of ---------------------------------------------------------------


def test_a_tier_is_a_scaling_group_two_policies_two_alarms_and_a_load_balancer() -> None:
    stack, _, _ = tier_stack()
    template = Template.from_stack(stack)
    for heat_type, count in [
        ("OS::Heat::AutoScalingGroup", 1),
        ("OS::Heat::ScalingPolicy", 2),
        ("OS::Aodh::GnocchiAggregationByResourcesAlarm", 2),
        ("OS::Octavia::LoadBalancer", 1),
        ("OS::Octavia::Listener", 1),
        ("OS::Octavia::Pool", 1),
        ("OS::Octavia::HealthMonitor", 1),
        ("OS::Neutron::SecurityGroup", 1),
        ("OS::Neutron::FloatingIP", 0),
    ]:
        template.resource_count_is(heat_type, count)


def test_the_load_balancer_chain_is_wired_vip_listener_pool_health_monitor() -> None:
    stack, network, tier = tier_stack(port=8080, listener_port=80, health_check_path="/healthz")
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Octavia::LoadBalancer", {"vip_subnet": network.subnet})
    template.has_resource_properties(
        "OS::Octavia::Listener",
        {"loadbalancer": tier.load_balancer, "protocol": "HTTP", "protocol_port": 80},
    )
    template.has_resource_properties(
        "OS::Octavia::Pool",
        {"listener": tier.listener, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"},
    )
    template.has_resource_properties(
        "OS::Octavia::HealthMonitor", {"pool": tier.pool, "type": "HTTP", "url_path": "/healthz"}
    )


def test_every_member_joins_the_pool_through_the_member_template() -> None:
    stack, network, tier = tier_stack(port=8080, min_size=2, max_size=5)
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Heat::AutoScalingGroup",
        {
            "min_size": 2,
            "max_size": 5,
            "resource": {
                "type": "autoscaled-tier-member.yaml",
                "properties": Match.object_equals(
                    {
                        "image": "cirros",
                        "flavor": "m1.small",
                        "network": network.net,
                        "subnet": network.subnet,
                        "pool": tier.pool,
                        "protocol_port": 8080,
                        "security_groups": [tier.security_group],
                        "metadata": {"metering.server_group": {"get_param": "OS::stack_id"}},
                    }
                ),
            },
        },
    )


def test_the_member_template_travels_in_the_files_map() -> None:
    app = App()
    network = PrivateNetwork(Stack(app, "demo"), "network")
    AutoScaledTier(network.node.stack, "web", image="cirros", flavor="m1.small", network=network)
    (synthesized,) = synthesize(app).stacks
    member = yaml.safe_load(synthesized.files["autoscaled-tier-member.yaml"])
    assert set(member["resources"]) == {"port", "server", "member"}
    assert synthesized.environment is None  # the type is the file name: no registry needed


def test_a_member_is_a_server_on_its_port_registered_in_the_pool() -> None:
    template = Template.from_stack(TierMember.build_template())
    template.has_resource_properties(
        "OS::Neutron::Port",
        {
            "network": {"get_param": "network"},
            "fixed_ips": [{"subnet": {"get_param": "subnet"}}],
            "security_groups": {"get_param": "security_groups"},
        },
    )
    template.has_resource_properties(
        "OS::Nova::Server",
        {
            "networks": [{"port": {"get_resource": "port"}}],
            "metadata": {"get_param": "metadata"},
            "user_data_format": "RAW",
            "user_data": {"get_param": "user_data"},
        },
    )
    template.has_resource_properties(
        "OS::Octavia::PoolMember",
        {
            "pool": {"get_param": "pool"},
            "address": {"get_attr": ["port", "fixed_ips", 0, "ip_address"]},
            "protocol_port": {"get_param": "protocol_port"},
            "subnet": {"get_param": "subnet"},
        },
    )
    template.has_output("address", value={"get_attr": ["port", "fixed_ips", 0, "ip_address"]})


def test_a_member_without_a_key_name_boots_without_one() -> None:
    template = Template.from_stack(TierMember.build_template())
    template.has_parameter("key_name", type="string", default="")
    template.has_condition("has_key_name", {"not": {"equals": [{"get_param": "key_name"}, ""]}})
    template.has_resource_properties(
        "OS::Nova::Server", {"key_name": {"if": ["has_key_name", {"get_param": "key_name"}]}}
    )


def test_key_name_and_user_data_are_passed_to_the_members_only_when_given() -> None:
    stack = Stack(App(), "demo")
    key = Parameter(stack, "key")
    network = PrivateNetwork(stack, "network")
    AutoScaledTier(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        network=network,
        key_name=key,
        user_data="#cloud-config\n{}\n",
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Heat::AutoScalingGroup",
        {"resource": {"properties": {"key_name": key, "user_data": "#cloud-config\n{}\n"}}},
    )


def test_the_servers_security_group_lets_in_the_service_port_and_the_extra_rules() -> None:
    stack, _, _ = tier_stack(port=8080, ingress=[IngressRule.tcp(22, source="10.0.0.0/24")])
    Template.from_stack(stack).has_resource_properties(
        "OS::Neutron::SecurityGroup",
        {
            "rules": [
                {"protocol": "tcp", "port_range_min": 8080, "remote_ip_prefix": "0.0.0.0/0"},
                {"protocol": "tcp", "port_range_min": 22, "remote_ip_prefix": "10.0.0.0/24"},
            ]
        },
    )


# --- scaling --------------------------------------------------------------------------------


def test_the_policies_add_and_remove_one_server_of_the_group() -> None:
    stack, _, tier = tier_stack(cooldown=120)
    template = Template.from_stack(stack)
    for policy, step in ((tier.scale_up, 1), (tier.scale_down, -1)):
        assert template.find_resources(
            "OS::Heat::ScalingPolicy",
            properties={
                "auto_scaling_group_id": tier.group,
                "adjustment_type": "change_in_capacity",
                "scaling_adjustment": step,
                "cooldown": 120,
            },
        ).keys() == {policy.node.logical_name}


def test_each_alarm_signals_its_policy_through_a_keystone_trust() -> None:
    stack, _, tier = tier_stack()
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {
            "comparison_operator": "gt",
            "alarm_actions": [{"list_join": ["", ["trust+", tier.scale_up.attrs.signal_url]]}],
        },
    )
    template.has_resource_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {
            "comparison_operator": "lt",
            "alarm_actions": [{"list_join": ["", ["trust+", tier.scale_down.attrs.signal_url]]}],
        },
    )


def test_alarms_can_use_the_presigned_alarm_url_instead() -> None:
    stack, _, tier = tier_stack(alarm_signal="alarm_url")
    Template.from_stack(stack).has_resource_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {"alarm_actions": [tier.scale_up.attrs.alarm_url]},
    )


def test_the_alarms_watch_the_cpu_time_of_this_stacks_servers() -> None:
    stack, _, _ = tier_stack(
        scale_up_cpu=75, scale_down_cpu=10, granularity=60, evaluation_periods=3
    )
    template = Template.from_stack(stack)
    template.all_resources_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {
            "metric": "cpu",
            "aggregation_method": "rate:mean",
            "resource_type": "instance",
            "granularity": 60,
            "evaluation_periods": 3,
            "query": {
                "str_replace": {
                    "template": '{"=": {"server_group": "stack_id"}}',
                    "params": {"stack_id": {"get_param": "OS::stack_id"}},
                }
            },
        },
    )
    template.has_resource_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {
            "comparison_operator": "gt",
            "threshold": 45_000_000_000,
            "description": "Scale up when the mean CPU use is above 75% of a vCPU",
        },
    )
    template.has_resource_properties(
        "OS::Aodh::GnocchiAggregationByResourcesAlarm",
        {"comparison_operator": "lt", "threshold": 6_000_000_000},
    )


def test_a_cpu_percentage_is_nanoseconds_of_cpu_time_per_period() -> None:
    assert cpu_time(100, 300) == 300_000_000_000
    assert cpu_time(80, 300) == 240_000_000_000
    assert cpu_time(12.5, 60) == 7_500_000_000


# --- where clients connect ------------------------------------------------------------------


def test_without_a_floating_ip_clients_use_the_vip_address() -> None:
    stack, _, tier = tier_stack()
    Output(stack, "address", value=tier.address)
    Template.from_stack(stack).has_output(
        "address", value={"get_attr": ["web.load_balancer", "vip_address"]}
    )
    assert tier.floating_ip is None


def test_a_floating_ip_goes_on_the_vip_port_once_the_subnet_is_routed() -> None:
    stack, _, tier = tier_stack(floating_network="public")
    Output(stack, "address", value=tier.address)
    template = Template.from_stack(stack)
    template.has_resource(
        "OS::Neutron::FloatingIP",
        properties={"floating_network": "public", "port_id": tier.load_balancer.attrs.vip_port_id},
        depends_on=["network.interface"],
    )
    template.has_output("address", value={"get_attr": ["web.floating_ip", "floating_ip_address"]})


def test_the_member_addresses_come_from_the_groups_outputs() -> None:
    stack, _, tier = tier_stack()
    Output(stack, "members", value=tier.member_addresses)
    Template.from_stack(stack).has_output(
        "members", value={"get_attr": ["web.group", "outputs_list", "address"]}
    )


# --- other protocols and networks -----------------------------------------------------------


def test_a_tcp_tier_checks_health_by_connecting() -> None:
    stack, _, _ = tier_stack(protocol="TCP", port=5432, lb_algorithm="LEAST_CONNECTIONS")
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Octavia::Listener", {"protocol": "TCP", "protocol_port": 5432}
    )
    template.has_resource_properties(
        "OS::Octavia::Pool", {"protocol": "TCP", "lb_algorithm": "LEAST_CONNECTIONS"}
    )
    template.has_resource_properties(
        "OS::Octavia::HealthMonitor", {"type": "TCP", "url_path": Match.absent()}
    )


def test_a_tier_on_an_existing_network_names_its_subnet() -> None:
    stack = Stack(App(), "demo")
    AutoScaledTier(
        stack, "web", image="cirros", flavor="m1.small", network="private", subnet="private-subnet"
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Octavia::LoadBalancer", {"vip_subnet": "private-subnet"})
    template.has_resource_properties(
        "OS::Heat::AutoScalingGroup",
        {"resource": {"properties": {"network": "private", "subnet": "private-subnet"}}},
    )


def test_a_tier_without_a_subnet_is_an_error() -> None:
    stack = Stack(App(), "demo")
    with pytest.raises(ConstructError, match="needs a subnet for its load balancer"):
        AutoScaledTier(stack, "web", image="cirros", flavor="m1.small", network="private")


def test_thresholds_that_overlap_are_an_error() -> None:
    stack = Stack(App(), "demo")
    network = PrivateNetwork(stack, "network")
    with pytest.raises(
        ConstructError, match=r"scale_down_cpu \(50\) must be below scale_up_cpu \(40\)"
    ):
        AutoScaledTier(
            stack,
            "web",
            image="cirros",
            flavor="m1.small",
            network=network,
            scale_up_cpu=40,
            scale_down_cpu=50,
        )
