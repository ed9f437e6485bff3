"""`hotdsl abandon` and `hotdsl adopt` move a stack's resources out of Heat and back, unrecreated.

Against the sandbox's real Heat (whose config turns both calls on): abandon refuses a
stack hotdsl did not create unless `--not-owned` says so; it writes Heat's record to a
new private file and never prints the hidden value in it; adopting the record gives a
stack whose resources keep their physical ids. A file that is not an abandon record is
a one-line error before any cloud is asked.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.ownership import owner_tag

pytestmark = pytest.mark.heat

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"token": {"type": "string", "hidden": True}},
    "resources": {
        "suffix": {"type": "OS::Heat::RandomString", "properties": {"length": 8}},
        "config": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "token"}}},
    },
}
SECRET = "abandon-Secret-42"


def hotdsl(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=300,
        check=False,
    )


def physical_ids(client: HeatClient, name: str) -> dict[str, str]:
    ref = client.find_stack(name)
    assert ref is not None
    return {r["resource_name"]: r["physical_resource_id"] for r in client.resources(ref)}


def test_abandon_then_adopt_keeps_every_resource(heat_sandbox: Any, tmp_path: Path) -> None:
    client = HeatClient(heat_sandbox.conn)
    name = heat_sandbox.unique_name("movable")
    body = {"template": TEMPLATE, "parameters": {"token": SECRET}, "tags": owner_tag(name)}
    heat_sandbox.wait(client.create_stack(name, body), "CREATE_COMPLETE")
    before = physical_ids(client, name)
    assert set(before) == {"suffix", "config"} and all(before.values())
    record = tmp_path / "movable.json"
    cloud = ["--cloud", heat_sandbox.cloud]

    done = hotdsl(tmp_path, "abandon", name, "--to", str(record), *cloud)
    assert done.returncode == 0, done.stderr
    assert client.find_stack(name) is None
    assert SECRET not in done.stdout + done.stderr
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert set(json.loads(record.read_text())["resources"]) == {"suffix", "config"}
    assert f"hotdsl adopt {record} --cloud {heat_sandbox.cloud} --name {name}" in done.stdout

    again = hotdsl(tmp_path, "adopt", str(record), *cloud)
    assert again.returncode == 0, again.stderr
    assert SECRET not in again.stdout + again.stderr
    ref = client.find_stack(name)
    assert ref is not None and ref.status == "ADOPT_COMPLETE"
    assert physical_ids(client, name) == before
    assert owner_tag(name) in ref.tags


def test_abandon_leaves_a_stack_hotdsl_did_not_create_unless_told(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    client = HeatClient(heat_sandbox.conn)
    name = heat_sandbox.unique_name("theirs")
    heat_sandbox.create(TEMPLATE, name=name, parameters={"token": SECRET})
    record = tmp_path / "theirs.json"
    cloud = ["--cloud", heat_sandbox.cloud]

    refused = hotdsl(tmp_path, "abandon", name, "--to", str(record), *cloud)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"error: stack {name} was not created by hotdsl")
    assert "--not-owned" in refused.stderr
    assert client.find_stack(name) is not None and not record.exists()

    record.write_text("mine\n")
    kept = hotdsl(tmp_path, "abandon", name, "--to", str(record), "--not-owned", *cloud)
    assert kept.returncode == 1 and f"{record} exists" in kept.stderr
    assert record.read_text() == "mine\n" and client.find_stack(name) is not None

    fresh = tmp_path / "fresh.json"
    taken = hotdsl(tmp_path, "abandon", name, "--to", str(fresh), "--not-owned", *cloud)
    assert taken.returncode == 0, taken.stderr
    assert client.find_stack(name) is None and fresh.exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "does not exist"),
        ("not json {", "is not JSON"),
        ("[1, 2]", "holds no stack template"),
        ('{"template": {"heat_template_version": "2018-08-31"}}', "holds no resources"),
        ('{"template": {}, "resources": {}}', "names no stack; pass --name"),
    ],
)
def test_adopt_refuses_what_is_not_an_abandon_record(
    tmp_path: Path, content: str | None, said: str
) -> None:
    record = tmp_path / "record.json"
    if content is not None:
        record.write_text(content)
    result = hotdsl(tmp_path, "adopt", str(record), "--cloud", "no-such-cloud")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and said in result.stderr, result.stderr
