"""Many clouds and regions in one app: stages and stacks name where they are deployed.

The rules (a stack's own cloud wins over its stage's, flags fill gaps and may not
contradict the app) and the manifest that records them are checked without Heat.
Against Heat: TWO real sandboxes registered as the clouds `east` and `west`; a stack
pinned to `east` exports a value that a stack of the `west` stage takes, both stages
are deployed in one command, each stack is found in its own Heat only, and the value
crossed. A stage naming a cloud missing from clouds.yaml stops the deploy before
anything is created.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotdsl import App, Stack
from hotdsl.environment import Stage
from hotdsl.errors import ConstructError, HotdslError
from hotdsl.placement import Placement, runs_by_place
from hotdsl.sandbox import Sandbox, SandboxInfo, SandboxLayout, write_cloud_entry
from hotdsl.stdlib import heat
from hotdsl.synth import synth
from hotdsl.synth.manifest import Manifest
from hotdsl.toolkit import Target, Toolkit

from .conftest import HEAT_VENV, HeatSandbox

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
TWO_CLOUDS = """
app = App()
base = Stack(app, "{p}-base", cloud="east")
rnd = heat.RandomString(base, "rnd", length=12)
user = Stack(app, "{p}-user")
value = heat.Value(user, "value", value=rnd)
Output(user, "got", value=value.attrs.value)
Stage(app, "e", cloud="east", stack_name_prefix="e-")
Stage(app, "w", cloud="west", region="RegionOne", stack_name_prefix="w-")
Stage(app, "lost", cloud="{lost}", stack_name_prefix="lost-")
"""


def write_app(folder: Path, prefix: str, lost: str = "nowhere") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = HEADER + TWO_CLOUDS.format(p=prefix, lost=lost)
    (folder / "app.py").write_text(text, encoding="utf-8")


def hotdsl(folder: Path, clouds: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, with `clouds` as the only clouds.yaml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**env, "OS_CLIENT_CONFIG_FILE": str(clouds)},
        timeout=600,
        check=False,
    )


# --- the rules and the manifest, without Heat -----------------------------------------


def test_a_stacks_own_cloud_wins_and_a_stage_region_stays_with_the_stage_cloud() -> None:
    stage = Placement("prod", "RegionOne")
    assert Placement().within(stage) == stage
    assert Placement(None, "RegionTwo").within(stage) == Placement("prod", "RegionTwo")
    assert Placement("edge").within(stage) == Placement("edge", None)
    assert Placement("edge", "R9").within(stage) == Placement("edge", "R9")


def test_flags_fill_what_the_app_leaves_open_and_may_not_contradict_it() -> None:
    assert Placement().with_flags("dev", "R1", "web") == Placement("dev", "R1")
    assert Placement("prod").with_flags("prod", "R1", "web") == Placement("prod", "R1")
    assert Placement("prod").with_flags(None, None, "web") == Placement("prod", None)
    with pytest.raises(HotdslError) as cloud:
        Placement("prod").with_flags("dev", None, "web of stage p")
    assert str(cloud.value) == (
        "--cloud dev conflicts with the app, which deploys stack web of stage p to cloud "
        "prod; leave out --cloud (the app chooses), or change the app"
    )
    with pytest.raises(HotdslError, match=r"--region R2 conflicts .* region R1"):
        Placement("prod", "R1").with_flags(None, "R2", "web")


def test_stacks_go_in_as_few_runs_of_one_cloud_as_their_dependencies_allow() -> None:
    east, west = Placement("east"), Placement("west")
    places = {"a1": east, "b1": west, "a2": east, "b2": west, "c": east}
    order = ["a1", "b1", "a2", "b2", "c"]
    # independent stacks of one cloud share a run, whatever the order between clouds
    assert runs_by_place(order, places, {}) == [["a1", "a2", "c"], ["b1", "b2"]]
    # c needs b2 (west): it waits for a run after b2's
    needs = {"a2": ["a1"], "b2": ["b1"], "c": ["b2"]}
    assert runs_by_place(order, places, needs) == [["a1", "a2"], ["b1", "b2"], ["c"]]
    # a dependency outside the chosen stacks does not hold anything back
    assert runs_by_place(["b2", "c"], places, needs) == [["b2"], ["c"]]
    assert runs_by_place(["a2"], places, needs) == [["a2"]]
    assert runs_by_place([], places, needs) == []


def test_the_manifest_records_each_stacks_cloud_and_region_per_stage(tmp_path: Path) -> None:
    app = App()
    base = Stack(app, "base", cloud="east")
    heat.RandomString(base, "rnd")
    pinned = Stack(app, "pinned", region="RegionTwo")
    heat.RandomString(pinned, "rnd")
    plain = Stack(app, "plain")
    heat.RandomString(plain, "rnd")
    Stage(app, "w", cloud="west", region="RegionOne")
    Stage(app, "d")
    synth(app, tmp_path)
    document = json.loads((tmp_path / "manifest.json").read_text())
    stacks = {s["name"]: s for s in document["stacks"]}
    assert stacks["base"]["cloud"] == "east" and "region" not in stacks["base"]
    assert "cloud" not in stacks["plain"] and "region" not in stacks["plain"]
    assert stacks["base"]["stages"]["w"]["cloud"] == "east"
    assert "region" not in stacks["base"]["stages"]["w"]
    assert stacks["pinned"]["stages"]["w"] == {
        "stack_name": "pinned",
        "environment_files": [],
        "secrets": {},
        "cloud": "west",
        "region": "RegionTwo",
    }
    assert stacks["plain"]["stages"]["w"]["region"] == "RegionOne"
    assert "cloud" not in stacks["plain"]["stages"]["d"]
    loaded = Manifest.load(tmp_path)
    assert loaded.stack("pinned").stages["w"].placement == Placement("west", "RegionTwo")
    assert loaded.stack("plain").stages["d"].placement == Placement()
    assert Manifest.load(tmp_path).to_json() == (tmp_path / "manifest.json").read_text()


def test_a_manifest_written_before_clouds_reads_as_placed_nowhere(tmp_path: Path) -> None:
    old = {
        "format": 1,
        "stacks": [
            {
                "name": "web",
                "path": "web",
                "template": "web.yaml",
                "stages": {"prod": {"stack_name": "prod-web"}},
            }
        ],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(old))
    entry = Manifest.load(tmp_path).stack("web")
    assert entry.placement == Placement() and entry.stages["prod"].placement == Placement()


def test_a_cloud_in_a_manifest_must_be_text(tmp_path: Path) -> None:
    bad = {
        "format": 1,
        "stacks": [{"name": "web", "path": "web", "template": "w.yaml", "cloud": 3}],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(bad))
    with pytest.raises(HotdslError, match="web: cloud: expected a string, got int"):
        Manifest.load(tmp_path)


@pytest.mark.parametrize("name", ["", "  ", "a\nb"])
def test_a_cloud_or_region_that_is_no_name_is_refused_at_the_users_line(name: str) -> None:
    app = App()
    with pytest.raises(ConstructError, match=r"test_multi_cloud.py:\d+: cloud .* printable"):
        Stack(app, "web", cloud=name)
    with pytest.raises(ConstructError, match=r"test_multi_cloud.py:\d+: region .* printable"):
        Stage(app, "prod", region=name)


def test_a_flag_naming_another_cloud_than_the_app_stops_before_any_cloud_is_reached(
    tmp_path: Path,
) -> None:
    write_app(tmp_path, "flag")
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds: {}\n")
    done = hotdsl(tmp_path, clouds, "deploy", "-a", "app.py", "--stage", "w", "--cloud", "east")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "error: --cloud east conflicts with the app, which deploys stack flag-user of stage w "
        "to cloud west; leave out --cloud (the app chooses), or change the app"
    )
    assert "Traceback" not in done.stderr


def test_several_stages_are_for_diff_and_deploy_only(tmp_path: Path) -> None:
    write_app(tmp_path, "only")
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds: {}\n")
    done = hotdsl(tmp_path, clouds, "outputs", "-a", "app.py", "-s", "e", "-s", "w")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "--stage is given 2 times; this command works on one stage at a time" in done.stderr
    both = hotdsl(tmp_path, clouds, "deploy", "-a", "app.py", "-s", "e", "--all-stages")
    assert both.returncode == 1
    assert "--all-stages deploys every stage: leave out --stage" in both.stderr


def test_all_stages_makes_one_toolkit_per_stage_over_one_synth(tmp_path: Path) -> None:
    write_app(tmp_path, "all")
    kits = Toolkit.per_stage(Target(app="app.py", project=tmp_path), (), all_stages=True)
    assert [kit.target.stage for kit in kits] == ["e", "w", "lost"]
    # one synth wrote every stage: the manifest knows them all
    assert list(Manifest.load(tmp_path / "hot.out").stack("all-user").stages) == ["e", "w", "lost"]
    assert [kit.placement("all-user") for kit in kits] == [
        Placement("east"),
        Placement("west", "RegionOne"),
        Placement("nowhere"),
    ]
    assert {kit.placement("all-base") for kit in kits} == {Placement("east")}
    chosen = Toolkit.per_stage(Target(app="app.py", project=tmp_path, cloud="x"), ("w",))
    assert [kit.target for kit in chosen] == [
        Target(app="app.py", project=tmp_path, cloud="x", stage="w")
    ]


# --- two real clouds --------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_clouds(
    heat_sandbox: HeatSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, SandboxInfo, SandboxInfo]]:
    """clouds.yaml with `east` (the session's sandbox) and `west` (a second one, own port)."""
    home = tmp_path_factory.mktemp("heat-west")
    west = Sandbox(SandboxLayout(home=home, venv=HEAT_VENV))
    info = west.start(timeout=300.0, exit_with_pid=os.getpid())
    clouds = home / "clouds.yaml"
    write_cloud_entry(heat_sandbox.info, name="east", path=clouds)
    write_cloud_entry(info, name="west", path=clouds)
    assert info.port != heat_sandbox.port
    yield clouds, heat_sandbox.info, info
    west.stop()


def stack_names(info: SandboxInfo) -> set[str]:
    return {stack.name for stack in info.connect().orchestration.stacks()}


@pytest.mark.heat
def test_two_stages_deploy_to_two_clouds_and_a_value_crosses_between_them(
    two_clouds: tuple[Path, SandboxInfo, SandboxInfo], tmp_path: Path
) -> None:
    clouds, east, west = two_clouds
    prefix = f"mc{os.getpid()}"
    write_app(tmp_path, prefix)
    stages = ("--stage", "e", "--stage", "w")

    done = hotdsl(
        tmp_path,
        clouds,
        "deploy",
        "-a",
        "app.py",
        *stages,
        "--concurrency",
        "2",
        "--outputs-file",
        "outputs.json",
    )
    assert done.returncode == 0, done.stderr
    written = json.loads((tmp_path / "outputs.json").read_text())
    assert sorted(written) == ["e", "w"] and f"w-{prefix}-user" in written["w"]
    assert "== stage e ==" in done.stdout and "== stage w ==" in done.stdout

    in_east, in_west = stack_names(east), stack_names(west)
    # `base` names its cloud: east in both stages; `user` goes to its stage's cloud.
    assert {f"e-{prefix}-base", f"e-{prefix}-user", f"w-{prefix}-base"} <= in_east
    assert f"w-{prefix}-user" not in in_east
    assert f"w-{prefix}-user" in in_west
    assert not {f"e-{prefix}-base", f"e-{prefix}-user", f"w-{prefix}-base"} & in_west

    east_conn, west_conn = east.connect(), west.connect()
    base = east_conn.orchestration.find_stack(f"w-{prefix}-base")
    user = west_conn.orchestration.find_stack(f"w-{prefix}-user")
    assert base is not None and user is not None
    exported = {o["output_key"]: o["output_value"] for o in base.outputs}
    got = {o["output_key"]: o["output_value"] for o in user.outputs}["got"]
    assert got == exported[f"export.{prefix}-base.rnd"] and len(got) == 12
    assert written["w"][f"w-{prefix}-user"] == {"got": got}

    # Diff reads the import from east too: nothing to change, in either stage.
    diff = hotdsl(tmp_path, clouds, "diff", "-a", "app.py", *stages, "--fail")
    assert diff.returncode == 0, diff.stdout + diff.stderr
    as_json = hotdsl(tmp_path, clouds, "diff", "-a", "app.py", *stages, "--json")
    assert sorted(json.loads(as_json.stdout)["stages"]) == ["e", "w"], as_json.stderr

    # The user stack alone (its own cloud first): the value is still read from east.
    alone = hotdsl(tmp_path, clouds, "diff", "-a", "app.py", "-s", "w", f"{prefix}-user", "--fail")
    assert alone.returncode == 0, alone.stdout + alone.stderr
    again = hotdsl(tmp_path, clouds, "deploy", "-a", "app.py", "-s", "w", f"{prefix}-user")
    assert again.returncode == 0, again.stderr
    shown = hotdsl(tmp_path, clouds, "outputs", "-a", "app.py", "-s", "w", "--json")
    assert json.loads(shown.stdout)[f"w-{prefix}-user"] == {"got": got}

    for stage in ("w", "e"):
        gone = hotdsl(tmp_path, clouds, "destroy", "-a", "app.py", "-s", stage, "--yes")
        assert gone.returncode == 0, gone.stderr
    assert not {n for n in stack_names(east) | stack_names(west) if prefix in n}


@pytest.mark.heat
def test_a_stage_naming_a_cloud_missing_from_clouds_yaml_stops_before_any_deploy(
    two_clouds: tuple[Path, SandboxInfo, SandboxInfo], tmp_path: Path
) -> None:
    clouds, east, west = two_clouds
    prefix = f"lost{os.getpid()}"
    write_app(tmp_path, prefix, lost="nowhere")
    done = hotdsl(tmp_path, clouds, "deploy", "-a", "app.py", "-s", "e", "-s", "lost", "--yes")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: stage lost, stack {prefix}-user: cloud 'nowhere': "), last
    assert last.endswith("; add the cloud to clouds.yaml or change the app's cloud"), last
    assert "Traceback" not in done.stderr
    # Stage e comes first and its clouds exist, yet nothing of it was deployed.
    assert not {n for n in stack_names(east) | stack_names(west) if prefix in n}
