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
    try:
        deployed = run(example, "deploy", *common, env=env)
        assert deployed.stdout.count(": created (CREATE_COMPLETE") == len(manifest["stacks"]), (
            deployed.stdout
        )
        again = run(example, "deploy", *common, env=env)
        assert again.stdout.count(": unchanged (") == len(manifest["stacks"]), again.stdout
    finally:
        run(example, "destroy", "--yes", *common, env=env)
