"""`AutoScaledTier`: servers that Heat adds and removes with their CPU load, behind an
Octavia load balancer.

The pieces and how they are wired:

- `group`, an `OS::Heat::AutoScalingGroup` whose members are `TierMember`s: a provider
  template holding one server, its port and its `OS::Octavia::PoolMember`, so that
  every server Heat adds joins the pool and every server it removes leaves it;
- `scale_up` and `scale_down`, `OS::Heat::ScalingPolicy`s that add or remove one server;
- `cpu_alarm_high` and `cpu_alarm_low`, `OS::Aodh::GnocchiAggregationByResourcesAlarm`s
  on the mean CPU use of the group's servers, which signal the policies. The servers
  carry the metadata `metering.server_group: <stack id>`; Ceilometer copies it into
  Gnocchi as the `server_group` of each instance, which is what the alarms query;
- `load_balancer`, `listener`, `pool` and `health_monitor` (Octavia), and optionally a
  `floating_ip` on the load balancer's VIP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal, cast

import attrs

from hotdsl.construct import Construct, Stack
from hotdsl.errors import ConstructError
from hotdsl.intrinsics import STACK_ID, Intrinsic, Value, equals, if_, list_join, not_, str_replace
from hotdsl.nested import ProviderResource, output_attribute, parameter_options
from hotdsl.stdlib.aodh import GnocchiAggregationByResourcesAlarm
from hotdsl.stdlib.heat import AutoScalingGroup, ScalingPolicy
from hotdsl.stdlib.neutron import FloatingIP, Port, PortFixedIpsItem, SecurityGroup
from hotdsl.stdlib.nova import Server, ServerNetworksItem
from hotdsl.stdlib.octavia import (
    HealthMonitor,
    Listener,
    LoadBalancer,
    Pool,
    PoolLbAlgorithm,
    PoolMember,
)
from hotdsl.stdlib.patterns.ingress import IngressRule
from hotdsl.stdlib.patterns.network import PrivateNetwork, attach
from hotdsl.template import Condition, Output

SERVER_GROUP_METADATA = "metering.server_group"
"""The server metadata key Ceilometer turns into the `server_group` attribute in Gnocchi."""

LoadBalancedProtocol = Literal["HTTP", "HTTPS", "TCP"]
"""What the load balancer speaks to clients and to the servers (HTTPS is passed through)."""

AlarmSignal = Literal["signal_url", "alarm_url"]
"""How an alarm reaches a scaling policy: Heat's API through a Keystone trust
(`signal_url`, written `trust+<url>` for Aodh), or a pre-signed URL of Heat's CFN API
(`alarm_url`, for clouds that run heat-api-cfn)."""


@attrs.define(kw_only=True, eq=False)
class TierMember(ProviderResource):
    """One server of an auto-scaled tier, on its own port and in the load balancer's pool."""

    template_file: ClassVar[str | None] = "autoscaled-tier-member.yaml"

    image: Value[str] = attrs.field(metadata=parameter_options(description="Image to boot."))
    flavor: Value[str] = attrs.field(
        metadata=parameter_options(description="Flavor of the server.")
    )
    network: Value[str] = attrs.field(
        metadata=parameter_options(description="Network of the server's port.")
    )
    subnet: Value[str] = attrs.field(
        metadata=parameter_options(
            description="Subnet of the server's fixed IP and of its pool membership."
        )
    )
    pool: Value[str] = attrs.field(metadata=parameter_options(description="Octavia pool to join."))
    protocol_port: Value[int] = attrs.field(
        metadata=parameter_options(description="Port the server serves on.")
    )
    security_groups: Sequence[Value[str]] = attrs.field(
        factory=list,
        metadata=parameter_options(description="Security groups of the server's port."),
    )
    key_name: Value[str] = attrs.field(
        default="", metadata=parameter_options(description="Key pair for SSH; empty for none.")
    )
    user_data: Value[str] = attrs.field(
        default="", metadata=parameter_options(description="User data for cloud-init, as it is.")
    )
    metadata: Value[Mapping[str, Any]] = attrs.field(
        factory=dict, metadata=parameter_options(description="Metadata of the server.")
    )

    address = output_attribute[str]()
    """The server's fixed IP address."""

    def build(self, template: Stack) -> None:
        has_key_name = Condition(template, "has_key_name", not_(equals(self.key_name, "")))
        port = Port(
            template,
            "port",
            network=self.network,
            fixed_ips=[PortFixedIpsItem(subnet=self.subnet)],
            security_groups=self.security_groups,
        )
        address = port.attrs.fixed_ips[0]["ip_address"]
        Server(
            template,
            "server",
            image=self.image,
            flavor=self.flavor,
            key_name=if_(has_key_name, self.key_name),
            networks=[ServerNetworksItem(port=port)],
            metadata=self.metadata,
            user_data_format="RAW",
            user_data=self.user_data,
        )
        PoolMember(
            template,
            "member",
            pool=self.pool,
            address=address,
            protocol_port=self.protocol_port,
            subnet=self.subnet,
        )
        Output(template, "address", value=address, description="The server's fixed IP address.")


class AutoScaledTier(Construct):
    """A tier of identical servers behind a load balancer that grows under load and
    shrinks when idle, between `min_size` and `max_size` servers.

    Clients reach it at `address` on `listener_port` (the servers' `port` by default).
    Scaling follows the mean CPU use of the tier's servers over `granularity` seconds:
    one server more above `scale_up_cpu` percent, one less below `scale_down_cpu`, at
    most once per `cooldown` seconds. The percentages are of one vCPU.

    ```python
    web = AutoScaledTier(stack, "web", image="ubuntu-24.04", flavor="m1.small", network=network,
                         port=8080, listener_port=80, health_check_path="/healthz",
                         floating_network="public", user_data=render_file("web.yaml.j2"))
    Output(stack, "url", value=make_url(scheme="http", host=web.address, path="/"))
    ```
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image: Value[str],
        flavor: Value[str],
        network: PrivateNetwork | Value[str],
        subnet: Value[str] | None = None,
        key_name: Value[str] | None = None,
        user_data: Value[str] | None = None,
        min_size: Value[int] = 1,
        max_size: Value[int] = 3,
        desired_capacity: Value[int] | None = None,
        protocol: LoadBalancedProtocol = "HTTP",
        port: Value[int] = 80,
        listener_port: Value[int] | None = None,
        health_check_path: str = "/",
        lb_algorithm: PoolLbAlgorithm = "ROUND_ROBIN",
        ingress: Sequence[IngressRule] = (),
        floating_network: Value[str] | None = None,
        scale_up_cpu: float = 80.0,
        scale_down_cpu: float = 20.0,
        granularity: int = 300,
        evaluation_periods: int = 1,
        cooldown: int = 300,
        alarm_signal: AlarmSignal = "signal_url",
    ) -> None:
        """`network` is a `PrivateNetwork` or a network with a `subnet` (the load
        balancer's VIP and the servers' addresses come from the subnet). `ingress` adds
        rules to the servers' security group, which lets in `port` from anywhere.
        `health_check_path` is what the health monitor requests (HTTP and HTTPS)."""
        super().__init__(scope, id)
        placement = attach(self, network, subnet)
        if placement.subnet is None:
            raise ConstructError(
                f"{self.node.location}: AutoScaledTier {id!r} needs a subnet for its load balancer and "
                "servers: pass a PrivateNetwork as network, or give subnet="
            )
        if not 0 <= scale_down_cpu < scale_up_cpu:
            raise ConstructError(
                f"{self.node.location}: AutoScaledTier {id!r}: scale_down_cpu ({scale_down_cpu:g}) must be "
                f"below scale_up_cpu ({scale_up_cpu:g}), or the tier would scale both ways at once"
            )

        self.load_balancer = LoadBalancer(self, "load_balancer", vip_subnet=placement.subnet)
        self.listener = Listener(
            self,
            "listener",
            loadbalancer=self.load_balancer,
            protocol=protocol,
            protocol_port=listener_port if listener_port is not None else port,
        )
        self.pool = Pool(
            self, "pool", listener=self.listener, protocol=protocol, lb_algorithm=lb_algorithm
        )
        self.health_monitor = HealthMonitor(
            self,
            "health_monitor",
            pool=self.pool,
            type=protocol,
            delay=5,
            timeout=5,
            max_retries=3,
            url_path=health_check_path if protocol != "TCP" else None,
        )

        self.security_group = SecurityGroup(
            self,
            "security_group",
            rules=[rule.to_rule() for rule in (IngressRule.tcp(port), *ingress)],
        )
        member: dict[str, object] = {
            "image": image,
            "flavor": flavor,
            "network": placement.network,
            "subnet": placement.subnet,
            "pool": self.pool,
            "protocol_port": port,
            "security_groups": [self.security_group],
            "metadata": {SERVER_GROUP_METADATA: STACK_ID},
        }
        if key_name is not None:
            member["key_name"] = key_name
        if user_data is not None:
            member["user_data"] = user_data
        self.group = AutoScalingGroup(
            self,
            "group",
            min_size=min_size,
            max_size=max_size,
            desired_capacity=desired_capacity,
            # A provider definition is written as {type, properties}: the map Heat wants here.
            resource=cast("Mapping[str, Any]", TierMember.definition(**member)),
        )
        self.member_addresses: Intrinsic[list[str]] = self.group.attrs.outputs_list["address"]
        """The fixed IP addresses of the tier's servers, as many as there are now."""

        self.scale_up = ScalingPolicy(
            self,
            "scale_up",
            auto_scaling_group_id=self.group,
            adjustment_type="change_in_capacity",
            scaling_adjustment=1,
            cooldown=cooldown,
        )
        self.scale_down = ScalingPolicy(
            self,
            "scale_down",
            auto_scaling_group_id=self.group,
            adjustment_type="change_in_capacity",
            scaling_adjustment=-1,
            cooldown=cooldown,
        )

        query = str_replace('{"=": {"server_group": "stack_id"}}', {"stack_id": STACK_ID})
        self.cpu_alarm_high = GnocchiAggregationByResourcesAlarm(
            self,
            "cpu_alarm_high",
            description=f"Scale up when the mean CPU use is above {scale_up_cpu:g}% of a vCPU",
            metric="cpu",
            aggregation_method="rate:mean",
            granularity=granularity,
            evaluation_periods=evaluation_periods,
            threshold=cpu_time(scale_up_cpu, granularity),
            comparison_operator="gt",
            resource_type_="instance",
            query=query,
            alarm_actions=[_signal(self.scale_up, alarm_signal)],
        )
        self.cpu_alarm_low = GnocchiAggregationByResourcesAlarm(
            self,
            "cpu_alarm_low",
            description=f"Scale down when the mean CPU use is below {scale_down_cpu:g}% of a vCPU",
            metric="cpu",
            aggregation_method="rate:mean",
            granularity=granularity,
            evaluation_periods=evaluation_periods,
            threshold=cpu_time(scale_down_cpu, granularity),
            comparison_operator="lt",
            resource_type_="instance",
            query=query,
            alarm_actions=[_signal(self.scale_down, alarm_signal)],
        )

        self.floating_ip: FloatingIP | None = None
        self.address: Intrinsic[str] = self.load_balancer.attrs.vip_address
        """Where clients connect: the floating IP if there is one, else the VIP address."""
        if floating_network is not None:
            self.floating_ip = FloatingIP(
                self,
                "floating_ip",
                floating_network=floating_network,
                port_id=self.load_balancer.attrs.vip_port_id,
                depends_on=[placement.route] if placement.route is not None else [],
            )
            self.address = self.floating_ip.attrs.floating_ip_address


def cpu_time(percent: float, granularity: int) -> int:
    """The alarm threshold for `percent` CPU use: nanoseconds of CPU time per period.

    Gnocchi's `cpu` metric is cumulative CPU time in nanoseconds; `rate:mean` turns it
    into CPU time used per `granularity` seconds, so one vCPU fully busy is
    `granularity * 10**9`.
    """
    return round(percent / 100 * granularity * 1_000_000_000)


def _signal(policy: ScalingPolicy, how: AlarmSignal) -> Intrinsic[str]:
    if how == "alarm_url":
        return policy.attrs.alarm_url
    return list_join("", ["trust+", policy.attrs.signal_url])
