"""Configuring servers: `CloudInit` for what a server runs once at boot,
`SoftwareConfiguration` for what Heat runs on a running server at every stack change.

- `CloudInit` assembles user data from parts, a cloud-config map
  (`OS::Heat::CloudConfig`) and scripts (`OS::Heat::SoftwareConfig`), into one MIME
  multipart message (`OS::Heat::MultipartMime`) that cloud-init reads at first boot.
  Pass `boot.user_data` as a server's `user_data`.
- `SoftwareConfiguration` deploys a script to a server with an
  `OS::Heat::SoftwareConfig` and an `OS::Heat::SoftwareDeployment`: Heat's agents on
  the server run it on stack create and update, with the `inputs` as environment
  variables, and report its `outputs` back as attributes the stack can use. The
  server needs `user_data_format="SOFTWARE_CONFIG"` and an image with Heat's agents
  (os-collect-config, os-apply-config, os-refresh-config, heat-config hooks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hotdsl.construct import Construct
from hotdsl.errors import ConstructError
from hotdsl.intrinsics import GetAttr, Intrinsic, Value
from hotdsl.source import caller_location
from hotdsl.stdlib.heat import (
    CloudConfig,
    MultipartMime,
    MultipartMimePartsItem,
    SoftwareConfig,
    SoftwareConfigInputsItem,
    SoftwareConfigOutputsItem,
    SoftwareDeployment,
    SoftwareDeploymentActionsItem,
    SoftwareDeploymentSignalTransport,
)
from hotdsl.stdlib.nova import Server
from hotdsl.stdlib.patterns.server import ServerWithPort

DEFAULT_ACTIONS: tuple[SoftwareDeploymentActionsItem, ...] = ("CREATE", "UPDATE")
"""Heat's default: run the configuration when the stack is created and on every update."""


class CloudInit(Construct):
    """First-boot user data in parts: a cloud-config map and shell scripts, combined into
    one MIME multipart message, so each part stays a readable piece of its own.

    ```python
    boot = CloudInit(stack, "boot", cloud_config={"packages": ["nginx"]},
                     scripts={"site": get_file("scripts/site.sh")})
    Server(stack, "web", ..., user_data_format="RAW", user_data=boot.user_data)
    ```

    The parts are written in order: the cloud-config first, then the scripts in the
    order given (cloud-init runs the scripts after it has applied the cloud-config).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cloud_config: Mapping[str, Any] | None = None,
        scripts: Mapping[str, Value[str]] | None = None,
    ) -> None:
        """`scripts` maps a name (the id of its SoftwareConfig) to a script's text, e.g.
        `get_file(...)` or `render_file(...)`; each must start with `#!`."""
        super().__init__(scope, id)
        if cloud_config is None and not scripts:
            raise ConstructError(
                f"{self.node.location}: CloudInit {id!r} needs a cloud_config or scripts"
            )
        self.cloud_config: CloudConfig | None = None
        parts: list[MultipartMimePartsItem] = []
        if cloud_config is not None:
            self.cloud_config = CloudConfig(self, "cloud_config", cloud_config=cloud_config)
            parts.append(MultipartMimePartsItem(config=self.cloud_config))
        self.scripts: dict[str, SoftwareConfig] = {
            name: SoftwareConfig(self, name, config=script)
            for name, script in (scripts or {}).items()
        }
        parts.extend(MultipartMimePartsItem(config=script) for script in self.scripts.values())
        self.mime = MultipartMime(self, "mime", parts=parts)
        self.user_data: Intrinsic[str] = self.mime
        """The server's `user_data`: the multipart message's config id, which Heat reads
        into the user data of the server."""


class SoftwareConfiguration(Construct):
    """A configuration script Heat runs on a running server, with inputs and outputs.

    ```python
    app = ServerWithPort(stack, "app", ..., user_data_format="SOFTWARE_CONFIG")
    site = SoftwareConfiguration(stack, "site", server=app, config=render_file("site.sh.j2"),
                                 inputs={"domain": domain}, outputs=["url"])
    Output(stack, "url", value=site.output("url"))
    ```

    The script sees each input as an environment variable and writes each output to
    the file `$heat_outputs_path.<name>`. `group` picks the heat-config hook that runs
    it (`script` for an executable script; `ansible`, `puppet`, ... where the image has
    those hooks).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        server: Server | ServerWithPort,
        config: Value[str],
        group: str = "script",
        inputs: Mapping[str, object] | None = None,
        outputs: Sequence[str] = (),
        actions: Sequence[SoftwareDeploymentActionsItem] = DEFAULT_ACTIONS,
        signal_transport: SoftwareDeploymentSignalTransport | None = None,
    ) -> None:
        """`signal_transport` is how the server reports back; Heat's default is
        `CFN_SIGNAL` (heat-api-cfn), `HEAT_SIGNAL` uses Heat's own API."""
        super().__init__(scope, id)
        target = server.server if isinstance(server, ServerWithPort) else server
        if target.user_data_format != "SOFTWARE_CONFIG" and not isinstance(
            target.user_data_format, Intrinsic
        ):
            raise ConstructError(
                f"{self.node.location}: SoftwareConfiguration {id!r} deploys to {target.node.path}, whose "
                f"user_data_format is {target.user_data_format!r}; Heat deploys software configuration "
                "only to servers with user_data_format='SOFTWARE_CONFIG'"
            )
        inputs = dict(inputs or {})
        self.output_names = tuple(outputs)
        self.config = SoftwareConfig(
            self,
            "config",
            group=group,
            config=config,
            inputs=[SoftwareConfigInputsItem(name=name) for name in inputs] or None,
            outputs=[SoftwareConfigOutputsItem(name=name) for name in self.output_names] or None,
        )
        self.deployment = SoftwareDeployment(
            self,
            "deployment",
            config=self.config,
            server=target,
            input_values=inputs or None,
            actions=list(actions) if tuple(actions) != DEFAULT_ACTIONS else None,
            signal_transport=signal_transport,
        )
        self.stdout: GetAttr[str] = self.deployment.attrs.deploy_stdout
        """What the script printed, once it has run."""
        self.status_code: GetAttr[str] = self.deployment.attrs.deploy_status_code
        """The script's exit status."""

    def output(self, name: str) -> GetAttr[str]:
        """One of the script's `outputs`, as the deployment reports it."""
        if name not in self.output_names:
            raise ConstructError(
                f"{caller_location()}: {self.node.path} has no output {name!r}; its outputs are {list(self.output_names)!r}"
            )
        return self.deployment.attrs.get(name)
