"""Connections to Heat through openstacksdk, from `--cloud`, OS_CLOUD or OS_* variables.

openstacksdk is imported inside the functions: the CLI imports this module for every
command, and `hotdsl --help` should not pay for it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from hotdsl.errors import HotdslError

if TYPE_CHECKING:
    from openstack.connection import Connection


class CloudConnectionError(HotdslError):
    """No cloud could be connected to; the message says where hotdsl looked."""


def connect(
    cloud: str | None = None,
    *,
    region: str | None = None,
    project_cloud: str | None = None,
    **options: Any,
) -> Connection:
    """A Connection to the cloud named `cloud` in clouds.yaml, in `region` if given.

    Without a name, `OS_CLOUD` names the cloud; without that, the `OS_*` variables of
    an openrc file describe it; without those, the project's `[tool.hotdsl] cloud`
    (`project_cloud`) names it. The environment wins over the project file: it is
    what the person or job running hotdsl chose. Extra keyword arguments go to
    `openstack.connect`.
    """
    import openstack
    from openstack import exceptions

    name = cloud or os.environ.get("OS_CLOUD") or None
    if name is None and not any(key.startswith("OS_AUTH") for key in os.environ):
        name = project_cloud
        if name is None:
            raise CloudConnectionError(
                "no cloud given: pass --cloud NAME (an entry of clouds.yaml), set OS_CLOUD, "
                'source an openrc file (OS_AUTH_URL, ...), or set cloud = "NAME" under '
                "[tool.hotdsl] in pyproject.toml. `hotdsl sandbox start` makes a local one "
                "named hotdsl-sandbox."
            )
    if region is not None:
        if not region.isprintable() or not region.strip():
            raise CloudConnectionError(f"--region {region!r} is not a region name")
        options["region_name"] = region
    try:
        return openstack.connect(cloud=name, **options)
    except exceptions.ConfigException as exc:
        where = (
            os.environ.get("OS_CLIENT_CONFIG_FILE")
            or "clouds.yaml (./, ~/.config/openstack/, /etc/openstack/)"
        )
        reason = " ".join(str(exc).split())  # one line, whatever the names in it hold
        raise CloudConnectionError(f"cloud {name!r}: {reason} (looked in {where})") from exc


def connect_endpoint(endpoint: str) -> Connection:
    """A Connection to a Heat that needs no authentication, such as the sandbox.

    `endpoint` is the orchestration endpoint with the project, e.g.
    `http://127.0.0.1:8004/v1/admin`.
    """
    import openstack

    return openstack.connect(
        auth_type="none",
        auth={"endpoint": endpoint},
        orchestration_api_version="1",
        orchestration_endpoint_override=endpoint,
    )
