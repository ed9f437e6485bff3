"""Typed classes for Heat's resource types, and handwritten constructs built on them.

One module per service, generated from Heat's own schema by `tools/gen_stdlib.py`
(never edit them by hand); import the one you need, nothing is imported here
(`TypedResource`, the base of every class, is loaded on first use):

```python
from hotdsl.stdlib.nova import Server, ServerNetworksItem

server = Server(stack, "web", flavor="m1.small", image="cirros",
                networks=[ServerNetworksItem(network=net)])
Output(stack, "ip", value=server.attrs.networks["private"][0])
```

- `aodh`: `OS::Aodh::*` alarms
- `aws`: the AWS compatibility types (`AWS::EC2::Instance` is `aws.EC2Instance`)
- `barbican`: `OS::Barbican::*` secrets and containers
- `blazar`: `OS::Blazar::*` reservations
- `cinder`: `OS::Cinder::*` volumes
- `designate`: `OS::Designate::*` DNS zones and record sets
- `glance`: `OS::Glance::*` images
- `heat`: `OS::Heat::*` (ResourceGroup, SoftwareConfig, RandomString, WaitCondition, ...)
- `ironic`: `OS::Ironic::*` bare metal ports
- `keystone`: `OS::Keystone::*` identity
- `magnum`: `OS::Magnum::*` container clusters
- `manila`: `OS::Manila::*` shared file systems
- `mistral`: `OS::Mistral::*` workflows
- `neutron`: `OS::Neutron::*` networking (`OS::Neutron::TaaS::TapFlow` is `neutron.TaaSTapFlow`)
- `nova`: `OS::Nova::*` compute
- `octavia`: `OS::Octavia::*` load balancers
- `swift`: `OS::Swift::*` object storage
- `trove`: `OS::Trove::*` databases
- `zaqar`: `OS::Zaqar::*` messaging
- `zun`: `OS::Zun::*` containers

Properties are keyword arguments named as in Heat; the few that clash with Python or
with hotdsl get a trailing underscore (`description_`, `id_`, `class_`; see the
generator's docstring). Resource attributes are typed `get_attr` values under
`.attrs`. `Server.property_schema("flavor")` gives Heat's schema of a property,
including whether changing it updates the resource in place or replaces it. The
runtime base of the classes is `hotdsl.stdlib._typed`; `TypedResource` is its public
face, for code that looks for the typed classes (the importer).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotdsl.stdlib._typed import TypedResource

__all__ = ["TypedResource"]


def __getattr__(name: str) -> object:
    # loaded on first use (PEP 562), so that `import hotdsl.stdlib` stays empty
    if name == "TypedResource":
        from hotdsl.stdlib._typed import TypedResource

        return TypedResource
    raise AttributeError(f"module 'hotdsl.stdlib' has no attribute {name!r}")
