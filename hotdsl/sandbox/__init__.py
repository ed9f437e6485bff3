"""The sandbox: a real Heat engine on a loopback port, for trying stacks and for tests.

```python
from hotdsl.sandbox import Sandbox

sandbox = Sandbox()            # the user's sandbox, in $XDG_DATA_HOME/hotdsl/sandbox
info = sandbox.start()         # installs Heat once per user; returns when Heat answers
conn = info.connect()          # an openstacksdk Connection
sandbox.stop()
```

Heat 27.0.1 runs with its engine and API in one process, sqlite, the in-memory
message transport and no Keystone. Resource types that need another service (Nova,
Neutron, Cinder, ...) are mapped to generated stand-in templates; OS::Heat::* types
run for real. See README.md in this package for what that does and does not prove.
"""

from hotdsl.sandbox.clouds import clouds_file, write_cloud_entry
from hotdsl.sandbox.control import CLOUD_NAME, Sandbox, SandboxError, SandboxInfo
from hotdsl.sandbox.install import HEAT_VERSION, HeatInstallError, ensure_heat_venv
from hotdsl.sandbox.layout import SandboxLayout, default_home, default_venv

__all__ = [
    "CLOUD_NAME",
    "HEAT_VERSION",
    "HeatInstallError",
    "Sandbox",
    "SandboxError",
    "SandboxInfo",
    "SandboxLayout",
    "clouds_file",
    "default_home",
    "default_venv",
    "ensure_heat_venv",
    "write_cloud_entry",
]
