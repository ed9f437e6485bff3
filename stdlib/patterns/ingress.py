"""`IngressRule`: one kind of incoming traffic a security group lets through.

Neutron security groups drop all incoming traffic and allow all outgoing traffic by
default, so the patterns only ever describe what comes in:

```python
ingress=[IngressRule.tcp(22), IngressRule.tcp(8000, 8099, source="10.0.0.0/8"), IngressRule.icmp()]
```
"""

from __future__ import annotations

from typing import Literal

import attrs

from hotdsl.intrinsics import Value
from hotdsl.stdlib.neutron import SecurityGroupRulesItem, SecurityGroupRulesItemProtocol

ANYWHERE = "0.0.0.0/0"
"""The IPv4 source that matches every address."""


@attrs.frozen(kw_only=True)
class IngressRule:
    """Incoming traffic to allow: a protocol, a port range, and where it may come from.

    The source is a CIDR (`source`, everywhere by default) or the members of another
    security group (`source_group`). Build rules with `tcp`, `udp` and `icmp`.
    """

    protocol: SecurityGroupRulesItemProtocol = "tcp"
    from_port: Value[int] | None = None
    """The first port of the range (None: every port; for ICMP, leave both unset)."""
    to_port: Value[int] | None = None
    """The last port of the range (None: just `from_port`)."""
    source: Value[str] | None = ANYWHERE
    """The CIDR the traffic may come from; ignored when `source_group` is set."""
    source_group: Value[str] | None = None
    """A security group (resource or id) whose members may send this traffic."""
    ethertype: Literal["IPv4", "IPv6"] = "IPv4"
    description: str | None = None

    @classmethod
    def tcp(
        cls,
        port: Value[int],
        to_port: Value[int] | None = None,
        *,
        source: Value[str] = ANYWHERE,
        source_group: Value[str] | None = None,
        description: str | None = None,
    ) -> IngressRule:
        """TCP to one port, or to the range `port`..`to_port`."""
        return cls(
            protocol="tcp",
            from_port=port,
            to_port=to_port,
            source=source,
            source_group=source_group,
            description=description,
        )

    @classmethod
    def udp(
        cls,
        port: Value[int],
        to_port: Value[int] | None = None,
        *,
        source: Value[str] = ANYWHERE,
        source_group: Value[str] | None = None,
        description: str | None = None,
    ) -> IngressRule:
        """UDP to one port, or to the range `port`..`to_port`."""
        return cls(
            protocol="udp",
            from_port=port,
            to_port=to_port,
            source=source,
            source_group=source_group,
            description=description,
        )

    @classmethod
    def icmp(
        cls,
        *,
        source: Value[str] = ANYWHERE,
        source_group: Value[str] | None = None,
        description: str | None = None,
    ) -> IngressRule:
        """ICMP of every type (ping, and the errors path MTU discovery needs)."""
        return cls(
            protocol="icmp", source=source, source_group=source_group, description=description
        )

    def to_rule(self) -> SecurityGroupRulesItem:
        """The rule as an item of `OS::Neutron::SecurityGroup`'s `rules`.

        Neutron wants both ends of a port range or neither, so a single port is written
        as a range of one.
        """
        last = self.to_port if self.to_port is not None else self.from_port
        if self.source_group is not None:
            return SecurityGroupRulesItem(
                direction="ingress",
                ethertype=self.ethertype,
                protocol=self.protocol,
                port_range_min=self.from_port,
                port_range_max=last,
                remote_mode="remote_group_id",
                remote_group_id=self.source_group,
                description=self.description,
            )
        return SecurityGroupRulesItem(
            direction="ingress",
            ethertype=self.ethertype,
            protocol=self.protocol,
            port_range_min=self.from_port,
            port_range_max=last,
            remote_ip_prefix=self.source,
            description=self.description,
        )
