"""The `hotdsl-sandbox` entry of clouds.yaml, so that every OpenStack tool finds the sandbox.

With it, `hotdsl deploy --cloud hotdsl-sandbox`, `openstack --os-cloud hotdsl-sandbox
stack list` and `openstack.connect(cloud="hotdsl-sandbox")` all reach the sandbox.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import yaml

from hotdsl.errors import HotdslError
from hotdsl.sandbox.control import CLOUD_NAME, SandboxInfo

PRIVATE_FILE = 0o600
"""The mode of a clouds.yaml that hotdsl creates: it may later hold passwords."""


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
    existing file is rewritten, a copy is kept next to it as `clouds.yaml.orig`. A
    clouds.yaml may hold passwords: the file keeps its mode (a new one is 0600, as
    is the copy), and a symlinked clouds.yaml is edited where the link points, so
    the link stays a link. Returns the path given (or found), not the link's target.
    """
    given = path if path is not None else clouds_file()
    target = Path(os.path.realpath(given))
    document: dict[str, Any] = {}
    mode = PRIVATE_FILE
    if target.exists():
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
            loaded = yaml.safe_load(target.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise HotdslError(
                f"{given} is not valid YAML ({exc}); fix it or set OS_CLIENT_CONFIG_FILE"
            ) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise HotdslError(
                f"cannot read {given} ({getattr(exc, 'strerror', None) or exc}); "
                "fix it or name another file with --clouds-file"
            ) from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise HotdslError(
                f"{given} is not a mapping of `clouds:`; fix it or set OS_CLIENT_CONFIG_FILE"
            )
        document = loaded or {}
    clouds = document.setdefault("clouds", {})
    if not isinstance(clouds, dict):
        raise HotdslError(f"{given}: `clouds` is not a mapping")
    entry = cloud_entry(info)
    if clouds.get(name) == entry:
        return given
    clouds[name] = entry
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        backup = target.with_name(target.name + ".orig")
        if target.exists() and not backup.exists() and set(clouds) != {name}:
            _write_replacing(backup, target.read_bytes(), mode)
        _write_replacing(target, yaml.safe_dump(document, sort_keys=False).encode(), mode)
    except OSError as exc:
        raise HotdslError(
            f"cannot write {given} ({exc.strerror or exc}); "
            "fix it or name another file with --clouds-file"
        ) from exc
    return given


def _write_replacing(path: Path, data: bytes, mode: int) -> None:
    """Write `path` whole or not at all: a private temp file beside it, given `mode`, renamed."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as output:
            output.write(data)
            output.flush()
            os.fchmod(output.fileno(), mode)
            os.fsync(output.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
