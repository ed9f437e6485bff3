"""Handwritten constructs on top of the generated classes: the pieces most stacks are made of.

```python
from hotdsl.stdlib.patterns import AutoScaledTier, PrivateNetwork, ServerWithPort, render_file

network = PrivateNetwork(stack, "network", cidr="10.0.0.0/24", external_network="public")
db = ServerWithPort(stack, "db", image=image, flavor="m1.medium", network=network, volume_size=20)
web = AutoScaledTier(stack, "web", image=image, flavor="m1.small", network=network,
                     user_data=render_file("web.yaml.j2", {"db_address": db.address}))
```

- `PrivateNetwork`: net, subnet, router to an external network, router interface.
- `ServerWithPort`: a server on its own port with a security group, optionally a
  floating IP and a data volume.
- `AutoScaledTier`: an auto-scaling group of servers in an Octavia pool behind a load
  balancer, scaled by Aodh CPU alarms through scaling policies (`TierMember` is the
  provider template of one server).
- `CloudInit`: first-boot user data from a cloud-config map and scripts (MultipartMime).
- `SoftwareConfiguration`: a script Heat's agents run on a running server, with inputs
  and outputs (SoftwareConfig + SoftwareDeployment).
- `render_file`: a jinja2 template file rendered at synth into the files map.
- `IngressRule`: incoming traffic a security group allows.

Each construct keeps its resources as attributes (`network.subnet`, `db.floating_ip`,
`web.load_balancer`), so anything the pattern does not set can still be referenced.
"""

from hotdsl.stdlib.patterns.autoscaling import AutoScaledTier, TierMember
from hotdsl.stdlib.patterns.ingress import IngressRule
from hotdsl.stdlib.patterns.network import PrivateNetwork
from hotdsl.stdlib.patterns.rendering import render_file
from hotdsl.stdlib.patterns.server import ServerWithPort
from hotdsl.stdlib.patterns.software import CloudInit, SoftwareConfiguration

__all__ = [
    "AutoScaledTier",
    "CloudInit",
    "IngressRule",
    "PrivateNetwork",
    "ServerWithPort",
    "SoftwareConfiguration",
    "TierMember",
    "render_file",
]
