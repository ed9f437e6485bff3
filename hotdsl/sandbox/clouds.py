"""The `hotdsl-sandbox` entry of clouds.yaml, so that every OpenStack tool finds the sandbox.

With it, `hotdsl deploy --cloud hotdsl-sandbox`, `openstack --os-cloud hotdsl-sandbox
stack list` and `openstack.connect(cloud="hotdsl-sandbox")` all reach the sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from hotdsl.errors import HotdslError
from hotdsl.sandbox.control import CLOUD_NAME, SandboxInfo


def clouds_file(cwd: Path | None = None) -> Path:
    """The clouds.yaml that openstacksdk reads first.

    `OS_CLIENT_CONFIG_FILE` if set, else `./clouds.yaml` if there is one, else the
    user's (`$XDG_CONFIG_HOME/openstack/clouds.yaml`, by default under ~/.config).
    """
    explicit = os.environ.get("OS_CLIENT_CONFIG_FILE")
    if explicit:
        return Path(explicit).expanduser()
    local = (cwd or Path.cwd()) / "clouds.yaml"
    if local.exists():
        return local
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "openstack" / "clouds.yaml"


def cloud_entry(info: SandboxInfo) -> dict[str, Any]:
    """What openstacksdk needs to reach the sandbox: no auth, a fixed endpoint."""
    return {
        "auth_type": "none",
        "auth": {"endpoint": info.endpoint},
        "region_name": "RegionOne",
        "orchestration_api_version": "1",
        "orchestration_endpoint_override": info.endpoint,
    }


def write_cloud_entry(
    info: SandboxInfo, *, name: str = CLOUD_NAME, path: Path | None = None
) -> Path:
    """Add or update the entry `name` of clouds.yaml; other entries are kept.

    The file is rewritten as YAML, so comments in it are lost; the first time an
    existing file is rewritten, a copy is kept next to it as `clouds.yaml.orig`.
    """
    target = path if path is not None else clouds_file()
    document: dict[str, Any] = {}
    if target.exists():
        try:
            loaded = yaml.safe_load(target.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise HotdslError(
                f"{target} is not valid YAML ({exc}); fix it or set OS_CLIENT_CONFIG_FILE"
            ) from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise HotdslError(
                f"{target} is not a mapping of `clouds:`; fix it or set OS_CLIENT_CONFIG_FILE"
            )
        document = loaded or {}
    clouds = document.setdefault("clouds", {})
    if not isinstance(clouds, dict):
        raise HotdslError(f"{target}: `clouds` is not a mapping")
    entry = cloud_entry(info)
    if clouds.get(name) == entry:
        return target
    clouds[name] = entry
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = target.with_name(target.name + ".orig")
    if target.exists() and not backup.exists() and set(clouds) != {name}:
        backup.write_bytes(target.read_bytes())
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    os.replace(temporary, target)
    return target
