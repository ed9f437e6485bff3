"""Secrets of a planted manifest: `deploy --from DIR` reads them only where the deployer allows.

An out dir read with `--from` may come from a pull request, which controls the
templates as well: whatever secret deploy sends, an output can hand back (the app
below echoes its password). So the manifest's stage secrets are read only from files
inside the project folder (the working directory), with no dotted part (`.git/config`
holds CI tokens), and never from the deployer's credential variables (OS_*,
HOTDSL_SECRET_KEY, CI tokens), unless the deployer names a folder
(`--allow-secret-dir`) or a variable (`--allow-secret-env`). Each planted source is
refused by `deploy` and `diff` with one short line, before Heat sees a request, and
no canary reaches any output or the cloud; reading-only commands never hang on a
device or a pipe. Without `--from`, the app's own code says where its secrets are,
as before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.heat import HeatClient

pytestmark = pytest.mark.heat

CANARY = "CANARY-deployer-credential-7d41a0"

APP = """
from hotdsl import App, Output, Parameter, Stack, Stage, from_file
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
password = Parameter(stack, "db_password")
heat.Value(stack, "holder", value=password)
Output(stack, "echo", value=password)
Stage(app, "prod", parameters={{password: from_file({source!r})}})
"""


def hotdsl(
    folder: Path, env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, f"{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


class World:
    """A repository with a synthesized out dir, the deployer's home and credentials beside it."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.home = root / "home"
        self.repo = root / "repo"
        self.key = self.home / ".ssh" / "id_rsa"
        self.ci = root / "ci-secrets"
        self.manifest_file = self.repo / "hot.out" / "manifest.json"
        self.env = {
            **os.environ,
            "HOME": str(self.home),
            "OS_PASSWORD": CANARY,
            "HOTDSL_SECRET_KEY": CANARY,
            "GITHUB_TOKEN": CANARY,
        }

    @classmethod
    def make(cls, root: Path, name: str, source: str = "secrets/db") -> World:
        world = cls(root, name)
        world.key.parent.mkdir(parents=True)
        world.key.write_text(CANARY, encoding="utf-8")
        (world.repo / "secrets").mkdir(parents=True)
        (world.repo / "secrets" / "db").write_text("db-password-in-the-repo\n", encoding="utf-8")
        (world.repo / ".git").mkdir()
        (world.repo / ".git" / "config").write_text(
            f'[http]\n\textraheader = "AUTHORIZATION: basic {CANARY}"\n', encoding="utf-8"
        )
        world.ci.mkdir()
        (world.ci / "db").write_text("db-password-from-ci\n", encoding="utf-8")
        (world.repo / "app.py").write_text(APP.format(name=name, source=source), encoding="utf-8")
        ok(world.run("synth", "--app", "app.py", "--stage", "prod"))
        return world

    def copy(self, root: Path) -> World:
        """The same world in another folder (no synth needed), for one test to spoil."""
        shutil.copytree(self.root, root, symlinks=True, dirs_exist_ok=True)
        return World(root, self.name)

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return hotdsl(self.repo, self.env, *args, timeout=timeout)

    @property
    def heat_name(self) -> str:
        manifest = json.loads(self.manifest_file.read_text(encoding="utf-8"))
        name: str = manifest["stacks"][0]["stages"]["prod"]["stack_name"]
        return name

    def plant(self, source: dict[str, Any]) -> None:
        """The manifest's secret for db_password, as a pull request would rewrite it."""
        manifest = json.loads(self.manifest_file.read_text(encoding="utf-8"))
        manifest["stacks"][0]["stages"]["prod"]["secrets"] = {"db_password": source}
        self.manifest_file.write_text(json.dumps(manifest), encoding="utf-8")


def _link_out(world: World) -> dict[str, Any]:
    (world.repo / "innocent").symlink_to(world.key)
    return {"from_file": "innocent"}


def _fifo(world: World) -> dict[str, Any]:
    os.mkfifo(world.repo / "secrets" / "pipe")
    return {"from_file": "secrets/pipe"}


def _absolute(world: World) -> dict[str, Any]:
    return {"from_file": str(world.key)}


Planting = Callable[[World], dict[str, Any]]

ALLOW_DIR = "or pass --allow-secret-dir DIR for the folder that holds it"
CASES: dict[str, tuple[Planting, str]] = {
    "absolute path": (_absolute, "it is not a path relative to the project folder"),
    "home path": (lambda w: {"from_file": "~/.ssh/id_rsa"}, "not a path relative to the"),
    "no such user": (lambda w: {"from_file": "~nosuchuser9/key"}, "it cannot be resolved"),
    "up and out": (lambda w: {"from_file": "../home/.ssh/id_rsa"}, "leads out of the project"),
    "down, up and out": (
        lambda w: {"from_file": "secrets/../../home/.ssh/id_rsa"},
        "leads out of the project",
    ),
    "a link out": (_link_out, "it leads out of the project folder"),
    "git credentials": (lambda w: {"from_file": ".git/config"}, "a part of it starts with a dot"),
    "git, the long way": (
        lambda w: {"from_file": "secrets/../.git/config"},
        "a part of it starts with a dot",
    ),
    "a device": (lambda w: {"from_file": "/dev/zero"}, "not a path relative to the"),
    "a pipe": (_fifo, "'secrets/pipe': not a regular file"),
    "a folder": (lambda w: {"from_file": "secrets"}, "'secrets': not a regular file"),
    "NUL in the path": (lambda w: {"from_file": "secrets/d\x00b"}, "it cannot be resolved"),
    "OpenStack password": (
        lambda w: {"from_env": "OS_PASSWORD"},
        "OS_PASSWORD, which holds the deployer's credentials",
    ),
    "hotdsl's key": (
        lambda w: {"from_env": "HOTDSL_SECRET_KEY"},
        "pass --allow-secret-env HOTDSL_SECRET_KEY",
    ),
    "CI token": (lambda w: {"from_env": "GITHUB_TOKEN"}, "--allow-secret-env GITHUB_TOKEN"),
    "lower case": (lambda w: {"from_env": "os_password"}, "--allow-secret-env os_password"),
    "no source": (lambda w: {}, "a secret comes from_env or from_file, not {}"),
    "both sources": (
        lambda w: {"from_env": "X", "from_file": "secrets/db"},
        "a secret comes from_env or from_file",
    ),
}


@pytest.fixture(scope="module")
def synthesized(heat_sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    """One synthesized world; each refusal spoils a copy (no refused case creates its stack)."""
    return World.make(tmp_path_factory.mktemp("planted"), heat_sandbox.unique_name("planted"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_planted_secret_source_is_refused_before_heat_sees_it(
    case: str, heat_sandbox: Any, synthesized: World, tmp_path: Path
) -> None:
    world = synthesized.copy(tmp_path)
    planting, expected = CASES[case]
    world.plant(planting(world))
    cloud = ["--cloud", heat_sandbox.cloud, "--stage", "prod"]
    for command in ("deploy", "diff"):
        result = world.run(command, "--from", "hot.out", *cloud, timeout=120)
        message = refused(result)
        assert f"hot.out/manifest.json: stack {world.name}, stage prod: parameter" in message
        assert expected in message, message
        assert CANARY not in result.stdout + result.stderr
    # reading only: ls masks the secrets it may read, and ends (a device or pipe is not read)
    result = world.run("ls", "--from", "hot.out", *cloud, timeout=120)
    assert ok(result).stdout == f"{world.heat_name}\tNOT DEPLOYED\n"
    assert CANARY not in result.stdout + result.stderr
    assert HeatClient(heat_sandbox.conn).find_stack(world.heat_name) is None
    assert world.key.read_text(encoding="utf-8") == CANARY


def test_every_file_refusal_names_the_way_out(synthesized: World, tmp_path: Path) -> None:
    world = synthesized.copy(tmp_path)
    world.plant(_absolute(world))
    message = refused(world.run("deploy", "--from", "hot.out", "--stage", "prod"))
    assert ALLOW_DIR in message and str(world.repo.resolve()) in message


def test_a_file_inside_the_project_is_read_and_deployed(heat_sandbox: Any, tmp_path: Path) -> None:
    world = World.make(tmp_path, heat_sandbox.unique_name("inside"))
    cloud = ["--cloud", heat_sandbox.cloud, "--stage", "prod"]
    client = HeatClient(heat_sandbox.conn)
    try:
        ok(world.run("deploy", "--from", "hot.out", *cloud))
        shown = ok(world.run("outputs", "--from", "hot.out", "--json", *cloud)).stdout
        assert json.loads(shown) == {world.heat_name: {"echo": "******"}}  # read, sent, masked
        ref = client.find_stack(world.heat_name)
        assert ref is not None
        assert {o["output_key"]: o["output_value"] for o in client.get_stack(ref).outputs} == {
            "echo": "db-password-in-the-repo"
        }
    finally:
        ok(world.run("destroy", "--yes", "--from", "hot.out", *cloud))


def test_the_deployer_can_allow_a_folder_or_a_variable(
    heat_sandbox: Any, synthesized: World, tmp_path: Path
) -> None:
    world = synthesized.copy(tmp_path)
    cloud = ["--cloud", heat_sandbox.cloud, "--stage", "prod"]
    world.plant({"from_file": str(world.ci / "db")})
    refused(world.run("diff", "--from", "hot.out", *cloud))
    ok(world.run("diff", "--from", "hot.out", "--allow-secret-dir", "../ci-secrets", *cloud))
    # a folder allows what is inside it, not its neighbours
    world.plant({"from_file": str(world.key)})
    refused(world.run("diff", "--from", "hot.out", "--allow-secret-dir", "../ci-secrets", *cloud))
    world.plant({"from_env": "OS_PASSWORD"})
    refused(world.run("diff", "--from", "hot.out", "--allow-secret-env", "GITHUB_TOKEN", *cloud))
    allowed = ok(
        world.run("diff", "--from", "hot.out", "--allow-secret-env", "OS_PASSWORD", *cloud)
    )
    assert CANARY not in allowed.stdout + allowed.stderr
    world.plant({"from_env": "DB_PASSWORD_OF_THE_APP"})  # an ordinary variable needs no flag
    missing = refused(world.run("diff", "--from", "hot.out", *cloud))
    assert "DB_PASSWORD_OF_THE_APP, which is not set" in missing


def test_the_allow_flags_need_from(tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "app.py").write_text(APP.format(name="s", source="x"), encoding="utf-8")
    for flag, value in (("--allow-secret-dir", "."), ("--allow-secret-env", "OS_PASSWORD")):
        message = refused(hotdsl(folder, dict(os.environ), "diff", "--app", "app.py", flag, value))
        assert f"{flag} applies to --from only" in message
    assert not (folder / "hot.out").exists()


def test_without_from_the_apps_own_code_says_where_its_secrets_are(
    heat_sandbox: Any, tmp_path: Path
) -> None:
    """Synthesized in the same run, from the user's code: a path outside the project is fine."""
    name = heat_sandbox.unique_name("own")
    outside = tmp_path / "elsewhere" / "db"
    outside.parent.mkdir()
    outside.write_text("the-users-own-secret", encoding="utf-8")
    world = World.make(tmp_path, name, source=str(outside))
    cloud = ["--app", "app.py", "--cloud", heat_sandbox.cloud, "--stage", "prod"]
    client = HeatClient(heat_sandbox.conn)
    try:
        ok(world.run("deploy", *cloud))
        ref = client.find_stack(world.heat_name)
        assert ref is not None
        outputs = {o["output_key"]: o["output_value"] for o in client.get_stack(ref).outputs}
        assert outputs == {"echo": "the-users-own-secret"}
        # the same manifest, read back with --from, is held to the rule
        message = refused(world.run("diff", "--from", "hot.out", *cloud[2:]))
        assert "it is not a path relative to the project folder" in message
    finally:
        ok(world.run("destroy", "--yes", *cloud))
