"""Synth stopped halfway leaves the old out dir or the new one, never a mix.

A real `hotdsl synth` runs in a subprocess through a small driver that pauses it at a
chosen point (after the Nth file of the new out dir, just before the swap, between the
two renames of the fallback swap, just before the old out dir is removed) and the test
then kills it with SIGKILL or interrupts it with SIGINT. The out dir must then hold,
byte for byte, exactly the old synth's files or exactly the new one's (the user's own
README included either way), and the next synth must clean up what the killed one left
and produce the new out dir. A full disk is tested twice: with a writer that fails
with ENOSPC halfway through a file, and, where user namespaces allow it, on a real
200 KB tmpfs. Nothing outside the out dir may change in any of these runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

OLD_APP = """
from hotdsl import *
from hotdsl.stdlib import heat
app = App()
for name in "abcde":
    s = Stack(app, name)
    heat.Value(s, "v", value=get_file(f"{name}.sh", content=f"echo old {name}"))
"""

NEW_APP = """
from hotdsl import *
from hotdsl.stdlib import heat
app = App()
for name in "abcdf":
    s = Stack(app, name)
    heat.Value(s, "v", value=get_file(f"{name}.sh", content=f"echo new {name}"))
"""

DRIVER = """
import errno, os, sys, time
from hotdsl.synth import outdir

def pause(point):
    print("PAUSED " + point, file=sys.stderr, flush=True)
    time.sleep(600)

kind, _, arg = os.environ["SYNTH_FAULT"].partition(":")
if kind in ("write", "enospc"):
    original_write, count = outdir._write_file, [0]
    def write(path, data):
        count[0] += 1
        if kind == "enospc" and count[0] == int(arg):
            original_write(path, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        original_write(path, data)
        if kind == "write" and count[0] == int(arg):
            pause("write")
    outdir._write_file = write
elif kind == "swap":
    original_swap = outdir._swap
    def swap(*args, **kwargs):
        pause("swap")
        return original_swap(*args, **kwargs)
    outdir._swap = swap
elif kind == "cleanup":
    original_remove = outdir._remove
    def remove(folder, warnings):
        pause("cleanup")
        return original_remove(folder, warnings)
    outdir._remove = remove
elif kind == "between-renames":
    outdir._exchange = lambda first, second: False
    original_rename, renames = os.rename, [0]
    def rename(source, destination):
        original_rename(source, destination)
        renames[0] += 1
        if renames[0] == 1:
            pause("between-renames")
    os.rename = rename
elif kind == "fallback":
    outdir._exchange = lambda first, second: False

from hotdsl.cli.main import main
sys.argv = ["hotdsl", *sys.argv[1:]]
main()
"""

ENV = {**os.environ, "PYTHONPATH": "", "PYTHONDONTWRITEBYTECODE": "1"}


def contents(root: Path) -> dict[str, bytes]:
    """Every file below `root`, path -> bytes (links as their target)."""
    found: dict[str, bytes] = {}
    if not root.exists():
        return found
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            found[key] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def outside(root: Path, out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the test folder outside the out dir, with its mtime."""
    found: dict[str, tuple[bytes, int]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder) / d != out]
        for name in files:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


class Project:
    """A project whose out dir holds the old app's synth (and a README of the user's)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "project"
        self.out = self.folder / "hot.out"
        self.folder.mkdir()
        (root / "canary.txt").write_text("canary\n")
        (root / "driver.py").write_text(DRIVER)
        self.write_app(NEW_APP)
        assert self.synth().returncode == 0
        self.new = contents(self.out)
        shutil.rmtree(self.out)
        self.write_app(OLD_APP)
        assert self.synth().returncode == 0
        (self.out / "README.md").write_text("the user's notes\n")
        self.old = contents(self.out)
        self.new["README.md"] = self.old["README.md"]
        assert self.old != self.new
        self.write_app(NEW_APP)
        self.before = outside(root, self.out)

    def write_app(self, text: str) -> None:
        (self.folder / "app.py").write_text(text)

    def synth(self, fault: str = "none") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(self.root / "driver.py"), "synth", "--app", "app.py"],
            cwd=self.folder,
            capture_output=True,
            text=True,
            env={**ENV, "SYNTH_FAULT": fault},
        )

    def paused(self, fault: str) -> subprocess.Popen[str]:
        """Start synth with `fault` and return once it has paused there."""
        process = subprocess.Popen(
            [sys.executable, str(self.root / "driver.py"), "synth", "--app", "app.py"],
            cwd=self.folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**ENV, "SYNTH_FAULT": fault},
        )
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("PAUSED"):
                return process
        process.wait()
        raise AssertionError(f"synth never paused at {fault}")

    def beside(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir())

    def assert_recovers(self) -> None:
        """The next synth cleans up and writes the new out dir; nothing outside changed."""
        result = self.synth()
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        assert contents(self.out) == self.new
        assert self.beside() == ["app.py", "hot.out"]
        assert outside(self.root, self.out) == self.before


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.mark.parametrize(
    "fault, expected",
    [("write:1", "old"), ("write:7", "old"), ("swap", "old"), ("cleanup", "new")],
)
def test_sigkill_leaves_the_old_or_the_new_out_dir(
    project: Project, fault: str, expected: str
) -> None:
    process = project.paused(fault)
    process.kill()
    process.wait()
    assert contents(project.out) == (project.old if expected == "old" else project.new)
    project.assert_recovers()


@pytest.mark.parametrize(
    "fault, expected", [("write:3", "old"), ("swap", "old"), ("cleanup", "new")]
)
def test_ctrl_c_leaves_the_old_or_the_new_out_dir_without_a_traceback(
    project: Project, fault: str, expected: str
) -> None:
    process = project.paused(fault)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate()
    assert process.returncode != 0 and "Traceback" not in stderr, stderr
    assert contents(project.out) == (project.old if expected == "old" else project.new)
    if expected == "old":  # interrupted before the swap: its own folder is already gone
        assert project.beside() == ["app.py", "hot.out"]
    project.assert_recovers()


def test_without_an_atomic_exchange_a_kill_between_the_renames_is_undone_by_the_next_synth(
    project: Project,
) -> None:
    process = project.paused("between-renames")
    process.kill()
    process.wait()
    # For a moment there is no out dir at all (never a mixed one); the old one is aside.
    assert not project.out.exists()
    result = project.synth("fallback")
    assert result.returncode == 0 and "put back" in result.stderr, result.stderr
    assert contents(project.out) == project.new  # README.md of the user's included
    project.assert_recovers()


def test_without_an_atomic_exchange_ctrl_c_between_the_renames_puts_the_old_back(
    project: Project,
) -> None:
    process = project.paused("between-renames")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate()
    assert process.returncode != 0 and "Traceback" not in stderr, stderr
    assert contents(project.out) == project.old
    assert project.beside() == ["app.py", "hot.out"]
    assert project.synth("fallback").returncode == 0
    assert contents(project.out) == project.new


def test_a_full_disk_is_one_short_error_and_the_out_dir_is_unchanged(project: Project) -> None:
    mtimes = {p: p.stat().st_mtime_ns for p in project.out.rglob("*")}
    result = project.synth("enospc:4")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write the out dir"), lines
    assert "No space left on device" in lines[0] and "it was left as it was" in lines[0]
    assert contents(project.out) == project.old
    assert {p: p.stat().st_mtime_ns for p in project.out.rglob("*")} == mtimes
    assert project.beside() == ["app.py", "hot.out"]
    assert outside(project.root, project.out) == project.before
    project.assert_recovers()


TMPFS_CHECK = """
import json, os, subprocess, sys
mount, project = sys.argv[1], sys.argv[2]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", mount], check=True)
os.makedirs(project)
def synth(app):
    with open(os.path.join(project, "app.py"), "w") as handle:
        handle.write(app)
    return subprocess.run([sys.executable, "-m", "hotdsl.cli", "synth", "--app", "app.py"],
                          cwd=project, capture_output=True, text=True)
def files():
    out = os.path.join(project, "hot.out")
    return {os.path.relpath(os.path.join(d, f), out): open(os.path.join(d, f)).read()
            for d, _, names in os.walk(out) for f in names}
first = synth(sys.argv[3])
before = files()
second = synth(sys.argv[4])
print(json.dumps({"first": first.returncode, "second": second.returncode,
                  "stderr": second.stderr, "before": before, "after": files(),
                  "beside": sorted(os.listdir(project))}))
"""

BIG_APP = """
from hotdsl import *
from hotdsl.stdlib import heat
app = App()
heat.Value(Stack(app, "a"), "v", value="x" * 400_000)
"""


def test_a_really_full_disk_leaves_the_old_out_dir(tmp_path: Path) -> None:
    """On a 200 KB tmpfs in a user namespace (where the system allows one)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("no unshare: the injected full disk above covers this")
    (tmp_path / "mnt").mkdir()
    (tmp_path / "check.py").write_text(TMPFS_CHECK)
    run = subprocess.run(
        [
            unshare,
            "-Urm",
            sys.executable,
            str(tmp_path / "check.py"),
            str(tmp_path / "mnt"),
            str(tmp_path / "mnt" / "project"),
            OLD_APP,
            BIG_APP,
        ],
        capture_output=True,
        text=True,
        env=ENV,
    )
    if run.returncode != 0 and not run.stdout:
        reasons = ("unshare", "mount", "not permitted")
        if any(reason in run.stderr.lower() for reason in reasons):
            pytest.skip(f"cannot mount a tmpfs here: {run.stderr.strip()[:200]}")
        raise AssertionError(run.stderr)
    report = json.loads(run.stdout)
    assert report["first"] == 0
    assert report["second"] == 1
    lines = report["stderr"].strip().splitlines()
    assert [line for line in lines if line.startswith("error:")] == lines[-1:], lines
    assert "No space left on device" in lines[-1] and "Traceback" not in report["stderr"]
    assert report["after"] == report["before"]
    assert report["beside"] == ["app.py", "hot.out"]
