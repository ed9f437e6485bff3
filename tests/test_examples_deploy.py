"""Every example deploys, redeploys without changes, and is destroyed again in the sandbox.

Service resources (Nova, Neutron, Cinder, Octavia, ...) run as the sandbox's
stand-ins; OS::Heat resources, nested stacks, scaling groups, get_attr, outputs and the
ordering between resources are Heat's own. Examples with stages deploy their first
stage; their secrets get throwaway values from the environment.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLES = sorted(
    p.parent for p in (Path(__file__).resolve().parent.parent / "examples").glob("*/app.py")
)

pytestmark = pytest.mark.heat


def run(folder: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    assert result.returncode == 0, f"hotdsl {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


SAMPLE_VALUES = {
    "string": "sample",
    "number": "1",
    "boolean": "true",
    "comma_delimited_list": "a,b",
    "json": "{}",
}


def required_values(out: Path, stack: dict[str, Any], stages: list[str]) -> list[str]:
    """`-p STACK:NAME=VALUE` for parameters that have neither a default nor a value in the stage.

    Such parameters are what a user passes on the command line (a key pair name, say).
    """
    template = yaml.safe_load((out / stack["template"]).read_text())
    given: set[str] = set()
    for stage in stages:
        entry = stack["stages"][stage]
        given |= set(entry["secrets"])
        for name in entry["environment_files"]:
            given |= set((yaml.safe_load((out / name).read_text()) or {}).get("parameters", {}))
    imported = {item["parameter"] for item in stack["imports"]}
    args = []
    for name, spec in (template.get("parameters") or {}).items():
        if "default" not in spec and name not in given and name not in imported:
            args += ["-p", f"{stack['name']}:{name}={SAMPLE_VALUES[spec.get('type', 'string')]}"]
    return args


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_the_example_deploys_in_the_sandbox(
    example: Path, heat_sandbox: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run(example, "synth", "--quiet", "--out", str(out), env={})
    manifest = json.loads((out / "manifest.json").read_text())
    stages = [name for name in manifest["stacks"][0]["stages"]]
    stage_args = ["--stage", stages[0]] if stages else []
    env: dict[str, str] = {}
    for stack in manifest["stacks"]:
        for stage in stack["stages"].values():
            for source in stage["secrets"].values():
                if "from_env" in source:
                    env[source["from_env"]] = secrets.token_hex(8)
    common = ["--from", str(out), "--cloud", heat_sandbox.cloud, *stage_args]
    values = [
        arg for stack in manifest["stacks"] for arg in required_values(out, stack, stages[:1])
    ]
    try:
        deployed = run(example, "deploy", *common, *values, env=env)
        assert deployed.stdout.count(": created (CREATE_COMPLETE") == len(manifest["stacks"]), (
            deployed.stdout
        )
        again = run(example, "deploy", *common, *values, env=env)
        assert again.stdout.count(": unchanged (") == len(manifest["stacks"]), again.stdout
    finally:
        run(example, "destroy", "--yes", *common, env=env)
