"""Clouds and regions planted in a manifest: `deploy --from DIR` never goes somewhere unsaid.

An out dir read with `--from` may come from a pull request, and its manifest now
names where each stack is deployed. A cloud or region that is not a plain name (not
text, empty, control characters that could rewrite the terminal) is refused as a
manifest error; a cloud other than the one the deployer pinned with `--cloud` is
refused before any cloud is reached. Each case ends in one `error:` line, exit code
1, no traceback, and no file written outside the test's folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = """
from hotdsl import App, Stack, Stage
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "planted")
heat.RandomString(stack, "rnd")
Stage(app, "prod", cloud="prod")
"""


def hotdsl(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    (folder / "clouds.yaml").write_text("clouds: {}\n")
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**env, "OS_CLIENT_CONFIG_FILE": str(folder / "clouds.yaml")},
        timeout=300,
        check=False,
    )


def planted(folder: Path, where: str, key: str, value: object) -> None:
    """The app synthesized into folder/hot.out, then its manifest edited as a PR could."""
    (folder / "app.py").write_text(APP)
    done = hotdsl(folder, "synth", "-a", "app.py")
    assert done.returncode == 0, done.stderr
    manifest = folder / "hot.out" / "manifest.json"
    document = json.loads(manifest.read_text())
    entry = document["stacks"][0]
    (entry if where == "stack" else entry["stages"]["prod"])[key] = value
    manifest.write_text(json.dumps(document))


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("where", "key", "value", "said"),
    [
        ("stage", "cloud", 7, "planted: stage 'prod': cloud: expected a string, got int"),
        ("stage", "cloud", ["prod"], "cloud: expected a string, got list"),
        ("stage", "region", "", "planted: stage 'prod': region '' is not a name"),
        ("stack", "cloud", "  ", "planted: cloud '  ' is not a name"),
        ("stage", "cloud", "prod\x1b[2J", "cloud 'prod\\x1b[2J' is not a name"),
    ],
)
def test_a_planted_cloud_or_region_that_is_no_name_is_a_manifest_error(
    tmp_path: Path, where: str, key: str, value: object, said: str
) -> None:
    planted(tmp_path, where, key, value)
    line = one_error_line(hotdsl(tmp_path, "deploy", "--from", "hot.out", "-s", "prod", "--yes"))
    assert said in line and "run `hotdsl synth` to write it again" in line
    assert "\x1b" not in line
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__")
    assert written == ["app.py", "clouds.yaml", "hot.out"]  # Python's own cache aside


def test_a_planted_cloud_against_the_deployers_cloud_is_refused_before_any_connection(
    tmp_path: Path,
) -> None:
    planted(tmp_path, "stage", "cloud", "attacker")
    args = ("--from", "hot.out", "-s", "prod", "--cloud", "prod", "--yes")
    line = one_error_line(hotdsl(tmp_path, "deploy", *args))
    assert line == (
        "error: --cloud prod conflicts with the app, which deploys stack planted of stage "
        "prod to cloud attacker; leave out --cloud (the app chooses), or change the app"
    )
    assert one_error_line(hotdsl(tmp_path, "diff", *args[:-1])) == line
