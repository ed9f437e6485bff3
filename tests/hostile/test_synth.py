"""Hostile input to `hotdsl synth`: every case ends in a clean error or safe output.

Hostile apps (lone surrogates, values nested past any sane depth or containing
themselves, a construct tree 3,000 deep, stack names at and past Heat's 255-character
limit, names that collide on a case-insensitive disk, references into another App, constructs added while synth reads the app),
hostile out dirs (a file, below a file, /dev/null, a symlink, the working directory,
not writable, not ours), hostile manifests planted by a pull request (`..` and
absolute paths in every field, not JSON, wrong types, huge, a symlink), symlinks and
hard links inside the out dir pointing outside it, and leftovers of killed runs,
including planted look-alikes.

Each case runs the real `hotdsl synth` in a subprocess (and, where it matters, the
library's `synth`) and checks three things: the outcome (exit 1 with one `error:`
line naming the user's file:line where there is one, and no traceback; or exit 0 with
the expected files), that nothing outside the out dir changed (every file of the test
folder outside it, canaries included, is byte-identical with the same mtime, and
nothing was added or deleted), and, for safe outputs, that the out dir holds exactly
what synth wrote plus the user's own files. Interrupts and a full disk are in
test_synth_interrupts.py.
"""

from __future__ import annotations

import fcntl
import json
import os
import runpy
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from hotdsl import App, Construct, ConstructError, HotdslError, Output, Stack
from hotdsl.synth import manifest as manifest_module
from hotdsl.synth import synth
from hotdsl.synth.outdir import NAME_MAX

HEADER = (
    "from hotdsl import *\n"
    "from hotdsl.errors import ConstructError\n"
    "from hotdsl.stdlib import heat\n"
    "app = App()\n"
)

Entry = tuple[str, bytes | str, int]


def tree(root: Path, skip: Path | None = None) -> dict[str, Entry]:
    """Every entry below `root` (not following links), except `skip` and what is below it:
    path -> (kind, content or link target, mtime); folders without content or mtime."""
    found: dict[str, Entry] = {}
    pending = [root]
    while pending:
        folder = pending.pop()
        for entry in os.scandir(folder):
            path = Path(entry.path)
            if skip is not None and path == skip:
                continue
            status = entry.stat(follow_symlinks=False)
            name = str(path.relative_to(root))
            if stat.S_ISLNK(status.st_mode):
                found[name] = ("link", os.readlink(path), 0)
            elif stat.S_ISDIR(status.st_mode):
                found[name] = ("dir", "", 0)
                pending.append(path)
            elif stat.S_ISREG(status.st_mode):
                found[name] = ("file", path.read_bytes(), status.st_mtime_ns)
            else:
                found[name] = ("other", "", status.st_mtime_ns)
    return found


@dataclass
class World:
    """A test folder: a project with its app and out dir, and canaries around it."""

    root: Path

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def out(self) -> Path:
        return self.project / "hot.out"

    @property
    def canary(self) -> Path:
        return self.root / "outside" / "canary.txt"

    @property
    def victim(self) -> Path:
        return self.project / "victim.txt"

    def app(self, body: str) -> None:
        (self.project / "app.py").write_text(HEADER + body, encoding="utf-8")

    def synth(self, *extra: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, sys.executable, "-m", "hotdsl.cli", "synth", "--app", "app.py", *extra],
            cwd=self.project,
            capture_output=True,
            text=True,
            # Python's own __pycache__ beside app.py is not synth's doing: keep it out.
            env={**os.environ, "PYTHONPATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
        )

    def outside(self) -> dict[str, Entry]:
        """Everything of the test folder outside the out dir."""
        return tree(self.root, skip=self.out)


@pytest.fixture
def world(tmp_path: Path) -> World:
    here = World(tmp_path)
    here.project.mkdir()
    (tmp_path / "outside" / "folder").mkdir(parents=True)
    here.canary.write_text("canary: synth must never touch this\n")
    (tmp_path / "outside" / "folder" / "keep.yaml").write_text("keep: me\n")
    here.victim.write_text("victim: a file of the user's project\n")
    return here


def assert_clean_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and 'File "' not in result.stderr, result.stderr
    assert "unexpected" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def line_of(body: str, marker: str = "# <-") -> int:
    """The line of `app.py` that holds `marker` (the line an error must point at)."""
    lines = (HEADER + body).splitlines()
    return next(i for i, line in enumerate(lines, 1) if marker in line)


def written(world: World) -> dict[str, str]:
    """The out dir as text: path -> content (links as '-> target')."""
    return {
        name: (content.decode() if isinstance(content, bytes) else f"-> {content}")
        for name, (kind, content, _) in tree(world.out).items()
        if kind != "dir"
    }


def manifest_files(world: World) -> set[str]:
    data = json.loads((world.out / "manifest.json").read_text())
    files = {"manifest.json"}
    for stack in data["stacks"]:
        files.add(stack["template"])
        files.update(stack["environment_files"])
        files.update(stack["files"].values())
        for stage in stack["stages"].values():
            files.update(stage["environment_files"])
    return files


# --- hostile apps --------------------------------------------------------------------------

DEEP_LIST = 'v = "x"\nfor _ in range(600):\n    v = [v]\n'
DEEP_DICT = 'v = "x"\nfor _ in range(600):\n    v = {"k": v}\n'

APP_ERRORS: dict[str, tuple[str, str]] = {
    "surrogate in an output": (
        's = Stack(app, "s")\nOutput(s, "o", value="a\\ud800b")  # <-\n',
        "lone surrogate '\\ud800' at outputs.o.value",
    ),
    "surrogate in a property": (
        's = Stack(app, "s")\nheat.Value(s, "v", value=["ok", "\\udfff"])  # <-\n',
        "lone surrogate '\\udfff' at resources.v.properties.value[1]",
    ),
    "surrogate in a parameter default": (
        's = Stack(app, "s")\nParameter(s, "p", default="\\ud800")  # <-\n',
        "lone surrogate",
    ),
    "surrogate in a mapping key": (
        's = Stack(app, "s")\nOutput(s, "o", value={"\\ud800": 1})  # <-\n',
        "lone surrogate",
    ),
    "surrogate in a stage value": (
        's = Stack(app, "s")\np = Parameter(s, "p")\ndev = Stage(app, "dev")\n'
        'dev.set(p, "\\ud800")  # <-\n',
        "lone surrogate",
    ),
    "surrogate in a file's content": (
        's = Stack(app, "s")  # <-\n'
        'heat.Value(s, "v", value=get_file("boot.sh", content="#!\\ud800"))\n',
        "the file 'boot.sh' sent with the stack holds the lone surrogate",
    ),
    "surrogate in a construct id": (
        's = Stack(app, "s")\nOutput(s, "o\\ud800", value=1)  # <-\n',
        "holds a lone surrogate",
    ),
    "surrogate in a secret's variable name": (
        's = Stack(app, "s")\np = Parameter(s, "p")\ndev = Stage(app, "dev")\n'
        'dev.set(p, from_env("\\ud800"))  # <-\n',
        "not a usable environment variable name",
    ),
    "list nested 600 deep": (
        f's = Stack(app, "s")\n{DEEP_LIST}Output(s, "o", value=v)  # <-\n',
        "nests more than 100 levels deep",
    ),
    "dict nested 600 deep": (
        f's = Stack(app, "s")\n{DEEP_DICT}heat.Value(s, "v", value=v)  # <-\n',
        "nests more than 100 levels deep",
    ),
    "list that contains itself": (
        's = Stack(app, "s")\nv = []\nv.append(v)\nOutput(s, "o", value=v)  # <-\n',
        "or contains itself",
    ),
    "dict that contains itself": (
        's = Stack(app, "s")\nv = {}\nv["me"] = v\nOutput(s, "o", value=v)  # <-\n',
        "or contains itself",
    ),
    "list that contains itself twice (exponential if walked)": (
        's = Stack(app, "s")\nv = []\nv += [v, v]\nOutput(s, "o", value=v)  # <-\n',
        "or contains itself",
    ),
    "if_ chained 400 deep": (
        's = Stack(app, "s")\nc = Condition(s, "c", equals(1, 1))\nv = 1\n'
        "for _ in range(400):\n    v = if_(c, v, 0)\n"
        'Output(s, "o", value=v)  # <-\n',
        "nests more than 100 levels deep",
    ),
    "and_ chained 1000 deep in a condition": (
        's = Stack(app, "s")\nv = equals(1, 1)\nfor _ in range(1000):\n    v = and_(v, v)\n'
        'Condition(s, "c", v)  # <-\n',
        "nests more than 100 levels deep",
    ),
    "and_ of itself 60 times (2**60 terms written out)": (
        's = Stack(app, "s")\nv = equals(1, 1)\nfor _ in range(60):\n    v = and_(v, v)\n'
        'Output(s, "o", value=if_(v, 1, 2))  # <-\n',
        "expands to more than 200,000 lists, dicts and functions",
    ),
    "__hot__ that returns itself": (
        "class Loop:\n    def __hot__(self):\n        return self\n"
        's = Stack(app, "s")\nOutput(s, "o", value=Loop())  # <-\n',
        "nests more than 100 levels deep",
    ),
    "__hot__ that raises": (
        "class Boom:\n    def __hot__(self):\n        raise RuntimeError('boom')\n"
        's = Stack(app, "s")\nOutput(s, "o", value=Boom())  # <-\n',
        "Boom.__hot__() failed at app.py:7: RuntimeError: boom",
    ),
    "a construct added by __hot__ while synth reads the app": (
        "class Late:\n    def __init__(self, stack):\n        self.stack = stack\n"
        "    def __hot__(self):\n"
        '        Output(self.stack, "late", value=1)  # <-\n'
        "        return 1\n"
        's = Stack(app, "s")\nOutput(s, "o", value=Late(s))\n',
        "Output s/late is created while the app is being synthesized",
    ),
    "a construct added to the app by a provider's build()": (
        "import attrs\nfrom hotdsl.nested import ProviderResource\n"
        's = Stack(app, "s")\n'
        "@attrs.define(kw_only=True, eq=False)\n"
        "class Late(ProviderResource):\n"
        "    def build(self, template):\n"
        '        Parameter(s, "late")  # <-\n'
        'Late(s, "x")\n',
        "Parameter s/late is created while the app is being synthesized",
    ),
    "stage json value nested 600 deep": (
        f's = Stack(app, "s")\np = Parameter(s, "p", type="json")\n{DEEP_DICT}'
        'Stage(app, "dev", parameters={p: v})  # <-\n',
        "nests too deeply or contains itself",
    ),
    "stack name of 256 characters": (
        'Stack(app, "s" * 256)  # <-\n',
        "is 256 characters long; Heat allows at most 255",
    ),
    "stack_name with a trailing newline": (
        'Stack(app, "s", stack_name="ab\\n")  # <-\n',
        "is not a valid Heat stack name",
    ),
    "stage prefix Heat refuses": (
        'Stack(app, "s")\nStage(app, "dev", stack_name_prefix="1-")  # <-\n',
        "stage 'dev' would deploy s as '1-s', which Heat refuses",
    ),
    "stage prefix past 255 characters": (
        'Stack(app, "s" * 250)\nStage(app, "dev", stack_name_prefix="dev-x-")  # <-\n',
        "which Heat refuses",
    ),
    "a stack of another App": (
        'other = App()\nfar = Parameter(Stack(other, "far"), "p")\n'
        's = Stack(app, "s")\nOutput(s, "o", value=far)  # <-\n',
        "far/p belongs to a stack of another App",
    ),
    "stacks whose names differ only in case": (
        'Stack(app, "Web")\nStack(app, "web")  # <-\n',
        "on a case-insensitive file system",
    ),
    "stacks whose names differ only in Unicode form": (
        'Stack(app, "caf\\u00e9", stack_name="cafe1")\n'
        'Stack(app, "cafe\\u0301", stack_name="cafe2")  # <-\n',
        "would be the same file",
    ),
    "a stack's environment file and another stack's template": (
        'Stack(app, "s", environment=Environment(parameter_defaults={"a": 1}))\n'
        'Stack(app, "s.env")  # <-\n',
        "the out dir file s.env.yaml would be the same file",
    ),
    "a grouped stack and a stack named like its file": (
        'Stack(Construct(app, "a"), "b", stack_name="ab")\nStack(app, "a-b")  # <-\n',
        "would be the same file",
    ),
    "files map keys that land on one path": (
        's = Stack(app, "s")  # <-\n'
        'heat.Value(s, "v", value=[get_file("a/../x", content="1"), '
        'get_file("a/__up__/x", content="2")])\n',
        "would be the same file",
    ),
    "files map keys that differ only in case": (
        's = Stack(app, "s")  # <-\n'
        'heat.Value(s, "v", value=[get_file("Boot.sh", content="1"), '
        'get_file("boot.sh", content="2")])\n',
        "on a case-insensitive file system",
    ),
    "files map keys that need one name as file and folder": (
        's = Stack(app, "s")  # <-\n'
        'heat.Value(s, "v", value=[get_file("x", content="1"), get_file("x/y", content="2")])\n',
        "needs as a folder the file",
    ),
}


@pytest.mark.parametrize("body, message", APP_ERRORS.values(), ids=list(APP_ERRORS))
def test_a_hostile_app_is_a_short_error_at_the_users_line(
    world: World, body: str, message: str
) -> None:
    world.app(body)
    before = world.outside()
    result = world.synth()
    assert_clean_error(result, f"app.py:{line_of(body)}:", message)
    assert not world.out.exists()
    assert world.outside() == before


@pytest.mark.parametrize("body, message", APP_ERRORS.values(), ids=list(APP_ERRORS))
def test_the_library_raises_hotdsl_error_for_a_hostile_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)  # messages show paths relative to the working directory
    (tmp_path / "app.py").write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(HotdslError) as raised:
        synth(runpy.run_path(str(tmp_path / "app.py"))["app"], tmp_path / "out")
    assert message in str(raised.value)
    assert f"app.py:{line_of(body)}:" in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_a_construct_tree_3000_deep_synthesizes(world: World) -> None:
    world.app(
        's = Stack(app, "s")\nnode = s\nfor _ in range(3000):\n    node = Construct(node, "c")\n'
        'heat.Value(node, "leaf", value="deep")\n'
    )
    assert_ok(world.synth())
    template = (world.out / "s.yaml").read_text()
    assert "c." * 3000 + "leaf" in template


def test_a_value_nested_just_under_the_limit_synthesizes(world: World) -> None:
    world.app(
        's = Stack(app, "s")\nv = "x"\nfor _ in range(95):\n    v = [v]\nOutput(s, "o", value=v)\n'
    )
    assert_ok(world.synth())


@pytest.mark.parametrize("length", [251, 252, 253, 254, 255])
def test_stack_names_up_to_heats_limit_get_file_names_that_fit(world: World, length: int) -> None:
    world.app(
        f'p = Parameter(Stack(app, "s" * {length}), "p")\n'
        'Stage(app, "production", parameters={p: "x"})\n'
    )
    assert_ok(world.synth())
    files = written(world)
    assert set(files) == manifest_files(world)
    assert all(len(part.encode()) <= NAME_MAX for name in files for part in name.split("/"))
    (entry,) = json.loads(files["manifest.json"])["stacks"]
    assert entry["name"] == "s" * length
    assert entry["stages"]["production"]["environment_files"][0] in files


def test_names_with_newlines_and_reserved_characters_are_escaped_in_file_names(
    world: World,
) -> None:
    world.app(
        'Stack(app, "a\\nb", stack_name="ab")\n'
        's = Stack(Construct(app, \'g:*?"<>|%\\\\\'), "s", stack_name="gs")\n'
        "heat.Value(s, 'v', value=[get_file(k, content=k) for k in "
        "['../../etc/passwd', '/abs/x', 'a\\nb', 'x' * 300, 'ok/boot sh']])\n"
    )
    assert_ok(world.synth())
    files = written(world)
    assert set(files) == manifest_files(world)
    assert "a%0Ab.yaml" in files
    assert "g%3A%2A%3F%22%3C%3E%7C%25%5C-s.yaml" in files
    stem = "g%3A%2A%3F%22%3C%3E%7C%25%5C-s.files"
    assert files[f"{stem}/__up__/__up__/etc/passwd"] == "../../etc/passwd"
    assert files[f"{stem}/x"] == "/abs/x"  # an absolute path's key is its name
    assert files[f"{stem}/a%0Ab"] == "a\nb"
    assert files[f"{stem}/ok/boot sh"] == "ok/boot sh"
    assert all(len(part.encode()) <= NAME_MAX for name in files for part in name.split("/"))


# --- constructions that fail leave no trace ---------------------------------------------


def test_a_stack_rejected_for_its_name_leaves_no_trace(world: World) -> None:
    world.app(
        "for bad in ['1bad', 'x' * 256, 'a b']:\n"
        "    try:\n        Stack(app, bad)\n    except ConstructError:\n        pass\n"
        "try:\n    Stack(app, 'v', template_version='1999-01-01')\nexcept ConstructError:\n    pass\n"
        "s = Stack(app, 'v')\nheat.Value(s, 'x', value=1)\n"
    )
    assert_ok(world.synth())
    assert set(written(world)) == {"v.yaml", "manifest.json"}


def test_a_construct_whose_init_fails_is_removed_with_everything_it_made() -> None:
    class Tier(Construct):
        def __init__(self, scope: Construct, id: str) -> None:
            super().__init__(scope, id)
            Output(self, "made", value=1)
            Stack(self, "also_made")
            raise ValueError("half-built")

    app = App()
    stack = Stack(app, "s")
    with pytest.raises(ValueError):
        Tier(stack, "tier")
    with pytest.raises(ConstructError):
        Stack(app, "9bad")
    assert stack.node.children == {} and stack.members == []
    assert [c.node.path for c in app.node.walk()] == ["", "s"]
    again = Construct(stack, "tier")  # the id is free again
    assert stack.node.children == {"tier": again}


# --- hostile out dirs --------------------------------------------------------------------

OK_APP = 's = Stack(app, "s")\nheat.Value(s, "v", value="new")\n'


def test_out_that_is_a_file_is_a_short_error(world: World) -> None:
    world.app(OK_APP)
    (world.project / "afile").write_text("mine\n")
    before = world.outside()
    assert_clean_error(world.synth("--out", "afile"), "afile is a file, not a folder")
    assert_clean_error(world.synth("--out", "afile/sub"), "afile is a file, not a folder")
    assert_clean_error(world.synth("--out", "/dev/null"), "/dev/null is a device, not a folder")
    assert world.outside() == before


def test_out_that_is_a_symlink_is_refused_and_its_target_untouched(world: World) -> None:
    world.app(OK_APP)
    world.out.symlink_to(world.canary.parent)
    before = tree(world.root)
    assert_clean_error(world.synth(), "is a symlink", "does not follow links")
    assert tree(world.root) == before


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda out: (out / "manifest.json").mkdir(parents=True), "manifest.json is not a file"),
        (
            lambda out: (out / "manifest.json").mkdir(parents=True) or (out / "x").touch(),
            "is not a file",
        ),
        (lambda out: out.mkdir() or (out / "mine.txt").write_text("x"), "has no manifest.json"),
        (lambda out: out.mkdir() or (out / ".gitkeep").touch(), "has no manifest.json"),
        (
            lambda out: (
                out.mkdir()
                or (out / "x").touch()
                or (out / "manifest.json").symlink_to(out.parent / "victim.txt")
            ),
            "manifest.json is not a file",
        ),
    ],
    ids=["manifest.json folder", "folder and file", "not ours", "only .gitkeep", "manifest link"],
)
def test_an_out_dir_hotdsl_did_not_write_is_refused(
    world: World, setup: Callable[[Path], object], message: str
) -> None:
    world.app(OK_APP)
    setup(world.out)
    before = tree(world.root)
    assert_clean_error(world.synth(), "it is not an out dir hotdsl wrote", message)
    assert tree(world.root) == before


def test_the_working_directory_or_above_is_refused_as_out_dir(world: World) -> None:
    world.app(OK_APP)
    before = tree(world.root)
    assert_clean_error(world.synth("--out", "."), "holds the working directory")
    assert_clean_error(world.synth("--out", ".."), "holds the working directory")
    assert_clean_error(world.synth("--out", "/"), "holds the working directory")
    assert tree(world.root) == before


def test_an_out_dir_name_too_long_for_the_file_system_is_a_short_error(world: World) -> None:
    world.app(OK_APP)
    before = world.outside()
    assert_clean_error(world.synth("--out", "o" * 300), "File name too long")
    assert world.outside() == before


def _as_plain_user() -> tuple[str, ...]:
    """A command prefix that drops root's right to ignore permissions (a user namespace)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: permissions cannot be tested")
    probe = subprocess.run(
        ["unshare", "-U", "--map-user=1000", "--map-group=1000", "true"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("running as root and user namespaces are not available")
    return ("unshare", "-U", "--map-user=1000", "--map-group=1000")


def test_an_out_dir_without_write_permission_is_left_alone(world: World) -> None:
    world.app(OK_APP)
    prefix = _as_plain_user()
    assert_ok(world.synth(prefix=prefix))
    old = tree(world.out)
    world.app(OK_APP.replace("new", "newer"))
    world.out.chmod(0o555)
    try:
        before = world.outside()
        assert_clean_error(world.synth(prefix=prefix), "hot.out is not writable")
        assert tree(world.out) == old and world.outside() == before
    finally:
        world.out.chmod(0o755)


def test_a_folder_that_cannot_take_the_new_out_dir_beside_the_old_is_a_short_error(
    world: World,
) -> None:
    world.app(OK_APP)
    prefix = _as_plain_user()
    assert_ok(world.synth(prefix=prefix))
    old = tree(world.out)
    world.app(OK_APP.replace("new", "newer"))
    world.project.chmod(0o555)
    try:
        before = world.outside()
        assert_clean_error(world.synth(prefix=prefix), "cannot create a folder in", "project")
        assert tree(world.out) == old and world.outside() == before
    finally:
        world.project.chmod(0o755)


@pytest.mark.parametrize("out", ["../outside", "..", "/", "../outside/folder", "", 5, []])
def test_a_planted_config_pointing_out_outside_the_project_is_refused(
    world: World, out: object
) -> None:
    world.app(OK_APP)
    setting = json.dumps(out)  # TOML reads these JSON forms the same
    (world.project / "pyproject.toml").write_text(
        f'[tool.hotdsl]\napp = "app.py"\nout = {setting}\n'
    )
    before = tree(world.root)
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "synth"],
        cwd=world.project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert_clean_error(result)
    reasons = ["it is not an out dir hotdsl wrote", "working directory", "must be a folder name"]
    assert any(reason in result.stderr for reason in reasons), result.stderr
    assert tree(world.root) == before


def test_a_stage_name_that_is_a_path_is_a_short_error(world: World) -> None:
    world.app(OK_APP + 'Stage(app, "dev")\n')
    before = world.outside()
    assert_clean_error(world.synth("--stage", "../../x"), "no stage named '../../x'")
    assert world.outside() == before and not world.out.exists()


def test_the_library_raises_hotdsl_error_for_a_bad_out_dir(tmp_path: Path) -> None:
    app = App()
    Output(Stack(app, "s"), "o", value=1)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "notours").mkdir()
    (tmp_path / "notours" / "mine").write_text("x")
    for bad in ["afile", "afile/below", "notours", "/dev/null"]:
        target = tmp_path / bad if not bad.startswith("/") else Path(bad)
        with pytest.raises(HotdslError):
            synth(app, target)
    assert (tmp_path / "afile").read_text() == "x"
    assert (tmp_path / "notours" / "mine").read_text() == "x"


# --- hostile manifests -------------------------------------------------------------------

TWO_STACKS = (
    'old = Stack(app, "old")\np = Parameter(old, "p")\n'
    'heat.Value(old, "v", value=get_file("boot.sh", content="echo old"))\n'
    'Stage(app, "dev", parameters={p: "x"})\n'
    'heat.Value(Stack(app, "s"), "v", value="old")\n'
)


def _plant(world: World, document: object) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    (world.out / "manifest.json").write_text(text)


def _stack_entry(**fields: object) -> dict[str, object]:
    entry: dict[str, object] = {"name": "old", "path": "old", "template": "old.yaml"}
    entry.update(fields)
    return {"format": 1, "stacks": [entry]}


def _every_field(path: str) -> dict[str, object]:
    return _stack_entry(
        template=path,
        environment_files=[path],
        files={"k": path, "j": path + "/x"},
        stages={"dev": {"stack_name": "old", "environment_files": [path], "secrets": {}}},
    )


MANIFESTS: dict[str, Callable[[World], object]] = {
    "template ../victim.txt": lambda w: _stack_entry(template="../victim.txt"),
    "template absolute": lambda w: _stack_entry(template=str(w.canary)),
    "files absolute": lambda w: _stack_entry(files={"k": str(w.canary)}),
    "files ../../outside": lambda w: _stack_entry(files={"k": "../../outside/canary.txt"}),
    "environment file ..": lambda w: _stack_entry(environment_files=["../victim.txt"]),
    ".. in every field": lambda w: _every_field("../victim.txt"),
    "../.. in every field": lambda w: _every_field("../../outside/folder/keep.yaml"),
    "absolute in every field": lambda w: _every_field(str(w.canary)),
    "./ and // tricks": lambda w: _every_field("s.files/./..//../victim.txt"),
    "backslashes": lambda w: _every_field("..\\victim.txt"),
    "not JSON": lambda w: "{ this is not json",
    "merge conflict markers": lambda w: "<<<<<<< HEAD\n{}\n=======\n[]\n>>>>>>> branch\n",
    "empty file": lambda w: "",
    "binary garbage": lambda w: "\udcff\x00\x01",
    "a JSON list": lambda w: [],
    "format 2": lambda w: {"format": 2, "stacks": []},
    "stacks a string": lambda w: {"format": 1, "stacks": "old.yaml"},
    "template a number": lambda w: _stack_entry(template=5),
    "files a list": lambda w: _stack_entry(files=["../victim.txt"]),
    "stages null": lambda w: _stack_entry(stages=None),
    "nested 100000 deep": lambda w: "[" * 100_000 + "]" * 100_000,
    "NUL in a path": lambda w: _stack_entry(template="old\u0000.yaml"),
}


@pytest.mark.parametrize("make", MANIFESTS.values(), ids=list(MANIFESTS))
def test_a_planted_manifest_deletes_nothing_outside_the_out_dir(
    world: World, make: Callable[[World], object]
) -> None:
    world.app(TWO_STACKS)
    assert_ok(world.synth())
    document = make(world)
    if isinstance(document, str):
        (world.out / "manifest.json").write_bytes(document.encode("utf-8", "surrogateescape"))
    else:
        _plant(world, document)
    world.app(OK_APP)  # the stack "old" is gone: its files are stale now
    before = world.outside()
    result = world.synth()
    assert_ok(result)
    assert "warning: ignored" in result.stderr and "manifest.json" in result.stderr
    assert world.outside() == before
    files = written(world)
    # The planted manifest was ignored: the stale files it no longer vouches for stay.
    assert (
        {"s.yaml", "manifest.json"}
        <= set(files)
        <= {
            "s.yaml",
            "manifest.json",
            "old.yaml",
            "old.dev.env.yaml",
            "old.files/boot.sh",
        }
    )
    assert files["s.yaml"].endswith("value: new\n")


def test_a_manifest_larger_than_any_synth_writes_is_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = App()
    Output(Stack(app, "s"), "o", value=1)
    synth(app, world.out)
    (world.out / "manifest.json").write_text(json.dumps(_stack_entry(pad="x" * 5000)))
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST_BYTES", 4096)
    before = world.outside()
    result, _ = synth(app, world.out)
    assert any("larger than 4096 bytes" in w.message for w in result.warnings)
    assert world.outside() == before


def test_stale_files_the_manifest_lists_inside_the_out_dir_go_and_nothing_else(
    world: World,
) -> None:
    world.app(TWO_STACKS)
    assert_ok(world.synth())
    (world.out / "README.md").write_text("the user's own notes\n")
    world.app(OK_APP)
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    assert set(written(world)) == {"s.yaml", "manifest.json", "README.md"}


# --- links inside the out dir ------------------------------------------------------------


def test_a_symlinked_template_is_replaced_not_written_through(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    (world.out / "s.yaml").unlink()
    (world.out / "s.yaml").symlink_to(world.canary)
    world.app(OK_APP.replace("new", "newer"))
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    assert not (world.out / "s.yaml").is_symlink()
    assert (world.out / "s.yaml").read_text().endswith("value: newer\n")


def test_a_symlink_the_manifest_does_not_list_is_replaced_with_a_warning(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    (world.out / "s.yaml").unlink()
    (world.out / "s.yaml").symlink_to(world.canary)
    (world.out / "manifest.json").write_text(json.dumps({"format": 1, "stacks": []}))
    before = world.outside()
    result = world.synth()
    assert_ok(result)
    assert "warning: replaced" in result.stderr and "s.yaml" in result.stderr
    assert world.outside() == before
    assert not (world.out / "s.yaml").is_symlink()


def test_a_symlinked_files_folder_is_replaced_and_its_target_untouched(world: World) -> None:
    world.app('s = Stack(app, "s")\nheat.Value(s, "v", value=get_file("keep.yaml", content="1"))\n')
    assert_ok(world.synth())
    shutil.rmtree(world.out / "s.files")
    (world.out / "s.files").symlink_to(world.canary.parent / "folder")
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    assert (world.out / "s.files").is_dir() and not (world.out / "s.files").is_symlink()
    assert (world.out / "s.files" / "keep.yaml").read_text() == "1"


def test_a_hard_link_to_a_file_outside_is_never_written_through(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    (world.out / "s.yaml").unlink()
    os.link(world.canary, world.out / "s.yaml")
    world.app(OK_APP.replace("new", "newer"))
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    assert (world.out / "s.yaml").read_text().endswith("value: newer\n")


def test_an_unchanged_file_hard_linked_outside_is_replaced_by_a_file_of_its_own(
    world: World,
) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    shutil.copy(world.out / "s.yaml", world.canary)
    (world.out / "s.yaml").unlink()
    os.link(world.canary, world.out / "s.yaml")
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    assert (world.out / "s.yaml").stat().st_ino != world.canary.stat().st_ino


def test_the_users_own_files_links_and_folders_in_the_out_dir_are_kept(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    (world.out / "README.md").write_text("notes\n")
    (world.out / ".gitattributes").write_text("* -diff\n")
    (world.out / "notes" / "deep").mkdir(parents=True)
    (world.out / "notes" / "deep" / "todo.txt").write_text("todo\n")
    (world.out / "canary-link").symlink_to(world.canary)
    mine = {
        k: v for k, v in tree(world.out).items() if not k.startswith("s.") and k != "manifest.json"
    }
    world.app(OK_APP.replace("new", "newer"))
    before = world.outside()
    assert_ok(world.synth())
    assert world.outside() == before
    after = tree(world.out)
    assert {k: after[k] for k in mine} == mine
    assert (world.out / "s.yaml").read_text().endswith("value: newer\n")


def test_a_named_pipe_in_the_out_dir_is_a_short_error_and_nothing_changes(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    os.mkfifo(world.out / "pipe")
    old = tree(world.out)
    world.app(OK_APP.replace("new", "newer"))
    before = world.outside()
    assert_clean_error(world.synth(), "is a named pipe", "move it elsewhere")
    assert tree(world.out) == old and world.outside() == before


def test_unchanged_files_keep_their_timestamps(world: World) -> None:
    world.app(OK_APP + 'heat.Value(Stack(app, "t"), "v", value="same")\n')
    assert_ok(world.synth())
    first = tree(world.out)
    world.app(OK_APP.replace("new", "newer") + 'heat.Value(Stack(app, "t"), "v", value="same")\n')
    assert_ok(world.synth())
    second = tree(world.out)
    assert second["t.yaml"] == first["t.yaml"]
    assert second["s.yaml"] != first["s.yaml"]


# --- leftovers of killed runs, and look-alikes -------------------------------------------


def _leftover_name(world: World, role: str) -> Path:
    from hotdsl.synth.outdir import _temp_prefix

    return world.project / f"{_temp_prefix(world.out)}{role}-0123456789ab"


def test_a_leftover_of_a_killed_run_is_removed(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    before = world.outside()
    leftover = _leftover_name(world, "new")
    (leftover / "s.files").mkdir(parents=True)
    (leftover / "s.yaml").write_text("half")
    (leftover / "link").symlink_to(world.canary)
    assert_ok(world.synth())
    assert not leftover.exists()
    assert world.outside() == before


def test_look_alikes_of_leftovers_are_not_touched(world: World) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    link = _leftover_name(world, "new")
    link.symlink_to(world.canary.parent)
    locked = _leftover_name(world, "old").with_name(_leftover_name(world, "old").name + "x")
    locked.mkdir()
    (locked / "busy").write_text("a synth still running holds this\n")
    similar = world.project / ".hot.out.hotdsl-deadbeef-new-1"
    similar.mkdir()
    (similar / "keep").write_text("another out dir's, or the user's\n")
    foreign = _leftover_name(world, "new").with_name(_leftover_name(world, "new").name + "f")
    foreign.mkdir()
    (foreign / "keep").write_text("another user's\n")
    if os.geteuid() == 0:
        os.chown(foreign, 12345, 12345)
    else:
        shutil.rmtree(foreign)
    handle = os.open(locked, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        before = world.outside()
        assert_ok(world.synth())
        assert world.outside() == before
    finally:
        os.close(handle)


def test_an_out_dir_a_killed_run_moved_aside_is_put_back_with_the_users_files(
    world: World,
) -> None:
    world.app(OK_APP)
    assert_ok(world.synth())
    (world.out / "README.md").write_text("mine\n")
    world.out.rename(_leftover_name(world, "old"))
    world.app(OK_APP.replace("new", "newer"))
    result = world.synth()
    assert_ok(result)
    assert "put back" in result.stderr
    assert (world.out / "README.md").read_text() == "mine\n"
    assert (world.out / "s.yaml").read_text().endswith("value: newer\n")
    assert sorted(p.name for p in world.project.iterdir()) == [
        "app.py",
        "hot.out",
        "victim.txt",
    ]


def test_nothing_is_left_beside_the_out_dir_after_synth(world: World) -> None:
    world.app(OK_APP)
    for _ in range(3):
        assert_ok(world.synth())
    assert sorted(p.name for p in world.project.iterdir()) == ["app.py", "hot.out", "victim.txt"]
