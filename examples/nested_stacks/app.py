"""A shop split into stacks inside one: a database tier as a nested stack, with its
backups as a nested stack of its own, and a status page as a remote stack.

- `Database` is a `NestedStack`: Heat runs it as a template resource of the shop
  (`type: shop-database.yaml`), inside the shop's own create, update and rollback. It
  uses the shop's network and image (hotdsl passes them in as properties) and the shop
  reads its address (an attribute of the resource, from the nested stack's output).
- `Backups`, inside `Database`, is nested one level further down; it uses the shop's
  backup size and the database's volume, wired through each level.
- `StatusPage` is a `RemoteStack` (`OS::Heat::Stack`): a top-level stack of its own,
  which Heat creates next to the shop and never rolls back with it. Give it
  `context=RemoteContext(region_name="RegionTwo")` to run it in another region.

    hotdsl synth        # hot.out/shop.yaml, hot.out/shop.files/shop-database.yaml, ...
    hotdsl events shop  # nested resources by path: database/backups/volume, ...
"""

from hotdsl import App, NestedStack, Output, Parameter, Range, RemoteStack, Stack, list_join
from hotdsl.stdlib import cinder, heat
from hotdsl.stdlib.patterns import PrivateNetwork, ServerWithPort


class Backups(NestedStack):
    """A backup volume beside the database's data volume."""

    def __init__(
        self, scope: NestedStack, id: str, *, size: Parameter[int], data: cinder.Volume
    ) -> None:
        super().__init__(scope, id, description="Backups of the database")
        self.volume = cinder.Volume(
            self,
            "volume",
            size=size,
            description=list_join(" ", ["backups of", data.attrs.display_name]),
        )


class Database(NestedStack):
    """The database server, its data volume, and its backups."""

    def __init__(
        self,
        scope: Stack,
        id: str,
        *,
        image: Parameter[str],
        network: PrivateNetwork,
        backup_size: Parameter[int],
    ) -> None:
        super().__init__(scope, id, description="The database tier")
        flavor = Parameter(self, "flavor", default="m1.medium", description="Database flavor.")
        self.server = ServerWithPort(
            self, "server", image=image, flavor=flavor, network=network, volume_size=20
        )
        data = cinder.Volume(self, "data", size=10, name="shop-data")
        self.backups = Backups(self, "backups", size=backup_size, data=data)
        self.address = Output(self, "address", value=self.server.address)


class StatusPage(RemoteStack):
    """A status page that outlives failed updates of the shop."""

    def __init__(self, scope: Stack, id: str, *, shop_name: heat.Value) -> None:
        super().__init__(scope, id, description="The shop's status page")
        self.page = heat.Value(self, "page", value=list_join(" ", [shop_name.attrs.value, "is up"]))


class Shop(Stack):
    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id, description="A shop with nested and remote stacks")
        image = Parameter(self, "image", default="ubuntu-24.04", description="Glance image.")
        backup_size = Parameter(
            self,
            "backup_size",
            type="number",
            default=50,
            constraints=[Range(min=1)],
            description="Backup volume size, in GB.",
        )
        network = PrivateNetwork(self, "network", cidr="10.20.0.0/24")
        name = heat.Value(self, "name", value="shop")
        database = Database(self, "database", image=image, network=network, backup_size=backup_size)
        database.set_parameter("flavor", "m1.large")
        status = StatusPage(self, "status", shop_name=name)
        Output(self, "db_address", value=database.get_output(database.address))
        Output(self, "backup_volume", value=database.backups.volume)
        Output(self, "status_page", value=status.page.attrs.value)


app = App()
Shop(app, "shop")
