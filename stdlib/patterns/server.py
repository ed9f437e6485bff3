"""`ServerWithPort`: one server on its own port, with its firewall, and optionally a
floating IP and a data volume."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hotdsl.construct import Construct
from hotdsl.intrinsics import Intrinsic, Value
from hotdsl.stdlib.cinder import Volume, VolumeAttachment
from hotdsl.stdlib.neutron import FloatingIP, Port, PortFixedIpsItem, SecurityGroup
from hotdsl.stdlib.nova import Server, ServerNetworksItem, ServerUserDataFormat
from hotdsl.stdlib.patterns.ingress import IngressRule
from hotdsl.stdlib.patterns.network import PrivateNetwork, attach

DEFAULT_INGRESS: tuple[IngressRule, ...] = (IngressRule.tcp(22), IngressRule.icmp())
"""SSH and ping from anywhere: what a lone server usually needs to be reached at all."""


class ServerWithPort(Construct):
    """A server whose network identity outlives it: the port, its security group and
    floating IP are resources of their own, so rebuilding or resizing the server keeps
    its addresses and firewall.

    - `port` on `network` (a `PrivateNetwork`, or a network name, id or reference),
      with a fixed IP from `subnet` when one is known;
    - `security_group` allowing `ingress` (SSH and ping by default);
    - `floating_ip` from `floating_network`, if given;
    - `volume` of `volume_size` GB attached as `volume_attachment`, if given.

    ```python
    db = ServerWithPort(stack, "db", image="ubuntu-24.04", flavor="m1.medium", network=network,
                        ingress=[IngressRule.tcp(5432, source=network.cidr)], volume_size=50)
    Output(stack, "db_address", value=db.address)
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
        ingress: Sequence[IngressRule] = DEFAULT_INGRESS,
        floating_network: Value[str] | None = None,
        volume_size: Value[int] | None = None,
        volume_type: Value[str] | None = None,
        user_data: Value[str] | None = None,
        user_data_format: ServerUserDataFormat = "RAW",
        metadata: Mapping[str, Any] | None = None,
        name: Value[str] | None = None,
    ) -> None:
        """`user_data_format` is RAW (cloud-init reads `user_data` as it is) unless the
        server runs Heat software deployments (`SOFTWARE_CONFIG`, see
        `SoftwareConfiguration`)."""
        super().__init__(scope, id)
        placement = attach(self, network, subnet)
        self.security_group = SecurityGroup(
            self, "security_group", rules=[rule.to_rule() for rule in ingress]
        )
        self.port = Port(
            self,
            "port",
            network=placement.network,
            fixed_ips=[PortFixedIpsItem(subnet=placement.subnet)]
            if placement.subnet is not None
            else None,
            security_groups=[self.security_group],
        )
        self.server = Server(
            self,
            "server",
            name=name,
            image=image,
            flavor=flavor,
            key_name=key_name,
            networks=[ServerNetworksItem(port=self.port)],
            metadata=metadata,
            user_data_format=user_data_format,
            user_data=user_data,
        )
        self.address: Intrinsic[str] = self.port.attrs.fixed_ips[0]["ip_address"]
        """The server's fixed IP address on `network`."""

        self.floating_ip: FloatingIP | None = None
        self.public_address: Intrinsic[str] | None = None
        """The floating IP address (None without `floating_network`)."""
        if floating_network is not None:
            self.floating_ip = FloatingIP(
                self,
                "floating_ip",
                floating_network=floating_network,
                port_id=self.port,
                depends_on=[placement.route] if placement.route is not None else [],
            )
            self.public_address = self.floating_ip.attrs.floating_ip_address

        self.volume: Volume | None = None
        self.volume_attachment: VolumeAttachment | None = None
        if volume_size is not None:
            self.volume = Volume(self, "volume", size=volume_size, volume_type=volume_type)
            self.volume_attachment = VolumeAttachment(
                self, "volume_attachment", instance_uuid=self.server, volume_id=self.volume
            )
