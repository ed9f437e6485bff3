"""Three tiers on a private network: an Octavia load balancer, an auto-scaled web tier
and a database server with its data on a Cinder volume.

- `network`: the private network, routed to the public one.
- `db`: PostgreSQL on a server of its own, reachable only from the private network;
  its data lives on a volume, so replacing the server keeps it.
- `web`: between `web_min` and `web_max` web servers behind the load balancer, one
  more when their mean CPU use stays above 70%, one less below 15%.
- Both servers' cloud-init user data is rendered at synth from the jinja2 templates in
  `cloud-init/`. Values only Heat knows (the database's address, its generated
  password) are filled in by Heat when it creates the stack.

    hotdsl synth        # hot.out/three-tier.yaml, its files, and hot.out/manifest.json
"""

from hotdsl import App, Output, Parameter, Range, Stack, make_url
from hotdsl.stdlib.heat import RandomString
from hotdsl.stdlib.patterns import (
    AutoScaledTier,
    IngressRule,
    PrivateNetwork,
    ServerWithPort,
    render_file,
)

CIDR = "10.10.0.0/24"
DB_PORT = 5432
HEALTH_CHECK_PATH = "/healthz"


class ThreeTier(Stack):
    """Load balancer, auto-scaled web tier and database on one private network."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(
            scope, id, description="Load balancer, auto-scaled web tier and PostgreSQL"
        )
        image = Parameter(
            self, "image", default="ubuntu-24.04", description="Glance image of every server."
        )
        web_flavor = Parameter(
            self, "web_flavor", default="m1.small", description="Flavor of the web servers."
        )
        db_flavor = Parameter(
            self, "db_flavor", default="m1.medium", description="Flavor of the database server."
        )
        key_name = Parameter(
            self, "key_name", default="default", description="Nova key pair for SSH."
        )
        public_network = Parameter(
            self, "public_network", default="public", description="External network."
        )
        db_volume_size = Parameter(
            self,
            "db_volume_size",
            type="number",
            default=20,
            constraints=[Range(min=1)],
            description="Database volume size, in GB.",
        )
        web_min = Parameter(
            self,
            "web_min",
            type="number",
            default=2,
            constraints=[Range(min=1, max=10)],
            description="Fewest web servers.",
        )
        web_max = Parameter(
            self,
            "web_max",
            type="number",
            default=6,
            constraints=[Range(min=1, max=20)],
            description="Most web servers.",
        )

        network = PrivateNetwork(
            self,
            "network",
            cidr=CIDR,
            external_network=public_network,
            dns_nameservers=["9.9.9.9", "149.112.112.112"],
            allocation_pools=[("10.10.0.10", "10.10.0.250")],
        )
        db_password = RandomString(self, "db_password", length=32)
        database = {"db_name": "app", "db_user": "app", "db_password": db_password.attrs.value}

        db = ServerWithPort(
            self,
            "db",
            image=image,
            flavor=db_flavor,
            key_name=key_name,
            network=network,
            ingress=[IngressRule.tcp(22, source=CIDR), IngressRule.tcp(DB_PORT, source=CIDR)],
            volume_size=db_volume_size,
            user_data=render_file(
                "cloud-init/db.yaml.j2",
                {**database, "data_device": "/dev/vdb", "client_cidrs": [CIDR]},
            ),
        )
        web = AutoScaledTier(
            self,
            "web",
            image=image,
            flavor=web_flavor,
            key_name=key_name,
            network=network,
            min_size=web_min,
            max_size=web_max,
            port=80,
            health_check_path=HEALTH_CHECK_PATH,
            ingress=[IngressRule.tcp(22, source=CIDR)],
            floating_network=public_network,
            scale_up_cpu=70,
            scale_down_cpu=15,
            user_data=render_file(
                "cloud-init/web.yaml.j2",
                {
                    **database,
                    "db_address": db.address,
                    "db_port": DB_PORT,
                    "packages": ["nginx", "postgresql-client"],
                    "health_check_path": HEALTH_CHECK_PATH,
                },
            ),
        )
        Output(
            self,
            "url",
            value=make_url(scheme="http", host=web.address, path="/"),
            description="The site, through the load balancer.",
        )
        Output(
            self,
            "web_addresses",
            value=web.member_addresses,
            description="The web servers' fixed IPs.",
        )
        Output(self, "db_address", value=db.address, description="The database server's fixed IP.")


app = App()
ThreeTier(app, "three-tier")
