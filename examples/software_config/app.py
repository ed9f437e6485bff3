"""A server configured twice: once at boot by cloud-init, then by Heat at every change.

- `boot` (CloudInit): a cloud-config part that installs nginx and a first-boot script,
  combined into one multipart message; it runs once, when the server is created.
- `site` (SoftwareConfiguration): a script Heat's agents on the server run at stack
  create and whenever its inputs change (`greeting`, `owner`), without replacing the
  server. Its `url` output comes back to the stack as an attribute.

The script is a jinja2 template rendered at synth (`scripts/site.sh.j2`); the values
Heat passes at deploy time are its inputs. The server boots an image with Heat's
agents (os-collect-config and the heat-config hooks), as software deployments need.

    hotdsl synth        # hot.out/software-config.yaml, its files, and hot.out/manifest.json
"""

from hotdsl import App, Output, Parameter, Stack, get_file
from hotdsl.stdlib.patterns import (
    CloudInit,
    IngressRule,
    ServerWithPort,
    SoftwareConfiguration,
    render_file,
)


class SoftwareConfigStack(Stack):
    """One web server whose page Heat keeps up to date through a software deployment."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(
            scope,
            id,
            description="A server configured by cloud-init and by Heat software deployments",
        )
        image = Parameter(
            self,
            "image",
            default="fedora-heat-agents",
            description="Glance image with Heat's agents (os-collect-config, heat-config hooks).",
        )
        flavor = Parameter(
            self, "flavor", default="m1.small", description="Nova flavor of the server."
        )
        network = Parameter(
            self, "network", default="private", description="Network the server's port is on."
        )
        greeting = Parameter(
            self,
            "greeting",
            default="Hello from Heat",
            description="Heading of the page; changing it reruns the configuration.",
        )
        owner = Parameter(
            self, "owner", default="the operations team", description="Who looks after the site."
        )

        boot = CloudInit(
            self,
            "boot",
            cloud_config={
                "package_update": True,
                "packages": ["nginx"],
                "runcmd": ["systemctl enable --now nginx"],
            },
            scripts={"motd": get_file("scripts/motd.sh")},
        )
        server = ServerWithPort(
            self,
            "server",
            image=image,
            flavor=flavor,
            network=network,
            ingress=[IngressRule.tcp(22), IngressRule.tcp(80)],
            user_data_format="SOFTWARE_CONFIG",
            user_data=boot.user_data,
        )
        site = SoftwareConfiguration(
            self,
            "site",
            server=server,
            config=render_file(
                "scripts/site.sh.j2",
                {"document_root": "/usr/share/nginx/html", "site_name": "hotdsl"},
            ),
            inputs={"greeting": greeting, "owner": owner},
            outputs=["url"],
            signal_transport="HEAT_SIGNAL",
        )
        Output(
            self, "url", value=site.output("url"), description="The page, as the server reports it."
        )
        Output(self, "log", value=site.stdout, description="What the configuration script printed.")


app = App()
SoftwareConfigStack(app, "software-config")
