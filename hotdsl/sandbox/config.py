"""heat.conf and the global environment of a sandbox.

The settings are the ones that let Heat run in one process on one machine: the
in-memory `fake://` transport instead of RabbitMQ, sqlite instead of MySQL, the
`noauth` paste flavor and Heat's fake Keystone client instead of Keystone. The
convergence engine stays on, as in production.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hotdsl.sandbox.layout import PRIVATE_DIR, SandboxLayout, write_private

FAKE_KEYSTONE = "heat.engine.clients.os.keystone.fake_keystoneclient.FakeKeystoneClient"
ENVIRONMENT_FILE = "hotdsl-sandbox.yaml"
STANDINS_DIR = "standins"
STANDINS_REGISTRY = "registry.yaml"


def heat_etc(venv: Path) -> Path:
    """The `etc/heat` directory that the openstack-heat wheel installs into a venv."""
    return venv / "etc" / "heat"


def _auth_encryption_key(layout: SandboxLayout) -> str:
    """Heat encrypts stored secrets with it; kept for the life of the database."""
    key_file = layout.run_dir / "auth-encryption-key"
    if not key_file.exists():
        write_private(key_file, secrets.token_hex(16))
    return key_file.read_text().strip()


def heat_conf_text(layout: SandboxLayout, *, debug: bool = False, convergence: bool = True) -> str:
    """The whole heat.conf of a sandbox."""
    paste_ini = heat_etc(layout.venv) / "api-paste.ini"
    sections: dict[str, dict[str, object]] = {
        "DEFAULT": {
            "host": "hotdsl-sandbox",
            "transport_url": "fake://",
            "keystone_backend": FAKE_KEYSTONE,
            "auth_encryption_key": _auth_encryption_key(layout),
            "num_engine_workers": 1,
            # A template resource (every stand-in) holds an RPC worker thread while it
            # waits for its nested stack, whose resources need worker threads too: with
            # oslo.messaging's default of 64, 64 stand-ins at once deadlock the engine.
            "executor_thread_pool_size": 1024,
            "convergence_engine": "true" if convergence else "false",
            # Off by default in Heat; on here so that `hotdsl abandon` and `hotdsl adopt`
            # can move resources between stacks in the sandbox.
            "enable_stack_abandon": "true",
            "enable_stack_adopt": "true",
            "environment_dir": layout.environment_dir,
            "log_file": layout.heat_log,
            "debug": "true" if debug else "false",
        },
        "database": {
            "connection": f"sqlite:///{layout.database}",
            # A throwaway database: no fsync per commit.
            "sqlite_synchronous": "false",
        },
        "paste_deploy": {"flavor": "noauth", "api_paste_config": paste_ini},
        "noauth": {"token_response": layout.token_file},
        # noauth gives every request the role `admin` only; the new policy defaults
        # want `member`/`reader`.
        "oslo_policy": {"enforce_new_defaults": "false"},
    }
    lines = ["# Written by hotdsl sandbox; rewritten at every start."]
    for section, options in sections.items():
        lines.append(f"\n[{section}]")
        lines.extend(f"{name} = {value}" for name, value in options.items())
    return "\n".join(lines) + "\n"


def standins_source() -> Path:
    """The generated stand-in provider templates shipped with hotdsl."""
    return Path(str(resources.files("hotdsl.sandbox") / STANDINS_DIR))


def global_environment(
    layout: SandboxLayout, *, standins: bool, without_types: Sequence[str] = ()
) -> dict[str, Any]:
    """Heat's own default environment, plus the stand-ins when wanted.

    One file, so that the stand-ins win over Heat's defaults for the same type
    (Heat reads the files of `environment_dir` in no particular order). Each of
    `without_types` is mapped to null, which removes it from Heat's registry
    (`ResourceRegistry._register_info`): a cloud that lacks the type, as one without
    its service would.
    """
    registry: dict[str, Any] = {}
    default = heat_etc(layout.venv) / "environment.d" / "default.yaml"
    if default.exists():
        loaded = yaml.safe_load(default.read_text()) or {}
        templates = f"file://{heat_etc(layout.venv) / 'templates'}/"
        for name, target in (loaded.get("resource_registry") or {}).items():
            if isinstance(target, str):
                target = target.replace("file:///etc/heat/templates/", templates)
            registry[name] = target
    if standins:
        target_dir = layout.run_dir / STANDINS_DIR
        index = yaml.safe_load((target_dir / STANDINS_REGISTRY).read_text()) or {}
        for type_name, file_name in sorted(index.get("resource_registry", {}).items()):
            registry[type_name] = f"file://{target_dir / file_name}"
    for type_name in without_types:
        registry[type_name] = None
    return {"resource_registry": registry}


def write_config(
    layout: SandboxLayout,
    *,
    standins: bool = True,
    debug: bool = False,
    convergence: bool = True,
    without_types: Sequence[str] = (),
) -> None:
    """Write heat.conf, the global environment and the stand-ins into the run dir."""
    layout.run_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    target = layout.run_dir / STANDINS_DIR
    if target.exists():
        shutil.rmtree(target)
    if standins:
        shutil.copytree(standins_source(), target)
    layout.environment_dir.mkdir(exist_ok=True)
    for old in layout.environment_dir.iterdir():
        old.unlink()
    environment = global_environment(layout, standins=standins, without_types=without_types)
    (layout.environment_dir / ENVIRONMENT_FILE).write_text(
        "# Written by hotdsl sandbox: Heat's default environment"
        + (" and the stand-ins of non-Heat resource types.\n" if standins else ".\n")
        + yaml.safe_dump(environment, sort_keys=False)
    )
    write_private(layout.heat_conf, heat_conf_text(layout, debug=debug, convergence=convergence))
