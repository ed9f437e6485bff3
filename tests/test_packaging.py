"""The fresh-install path: a wheel of hotdsl, in a new venv with nothing else, runs the quick start.

The source folders `stdlib/` and `cli/` become `hotdsl.stdlib` and `hotdsl.cli` only
through pyproject.toml's package mapping, and the spec JSON, the scaffold templates
and the sandbox's stand-ins and pins are package data: an editable install of the
checkout would hide a mistake in either. So the wheel is built from a clean copy of
the source (no stale `build/`), checked to hold every source file, installed (not
editable) with its runtime dependencies into a fresh venv, and used from a folder
outside the repository: `hotdsl --help`, `hotdsl init`, `hotdsl synth`, and the
scaffolded project's own tests (pytest is added to the venv for that last step only).

Slow (a minute or two of pip): marked `packaging`, and part of the normal suite.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE_FOLDERS = {
    "hotdsl": REPO / "hotdsl",
    "hotdsl/stdlib": REPO / "stdlib",
    "hotdsl/cli": REPO / "cli",
}
NOT_SHIPPED = {"hotdsl/stdlib/spec/README.md"}
"""How the spec was dumped: for contributors, not needed at run time."""
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv*",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    ".hypothesis",
    "hot.out",
)

pytestmark = pytest.mark.packaging


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (
        f"`{' '.join(command)}` failed with {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result


def source_files() -> set[str]:
    """Every file of the package folders, as its path inside the wheel."""
    files = set()
    for prefix, folder in PACKAGE_FOLDERS.items():
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files.add(f"{prefix}/{path.relative_to(folder).as_posix()}")
    return files - NOT_SHIPPED


def test_a_wheel_in_a_fresh_venv_runs_the_quick_start(tmp_path: Path) -> None:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not key.startswith("HOTDSL_")
    }
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=NOT_COPIED)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "wheels"),
            ".",
        ],
        source,
        environ,
    )
    (wheel,) = (tmp_path / "wheels").glob("hotdsl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if not name.startswith("hotdsl-")}
    assert sorted(source_files() - shipped) == [], "files of the package missing from the wheel"
    for needed in (
        "hotdsl/stdlib/nova.py",
        "hotdsl/stdlib/patterns/__init__.py",
        "hotdsl/stdlib/spec/heat-resource-types.json",
        "hotdsl/cli/main.py",
        "hotdsl/scaffold/app.py.j2",
        "hotdsl/sandbox/heat-constraints.txt",
        "hotdsl/sandbox/standins/OS__Nova__Server.yaml",
        "hotdsl/py.typed",
    ):
        assert needed in shipped, needed

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path, environ)
    bin_dir = venv / "bin"
    environ["PATH"] = f"{bin_dir}{os.pathsep}{environ.get('PATH', '')}"
    pip = [str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "-q", str(wheel)], tmp_path, environ)
    installed = json.loads(run([*pip, "list", "--format=json"], tmp_path, environ).stdout)
    hotdsl_entry = next(p for p in installed if p["name"] == "hotdsl")
    assert "editable_project_location" not in hotdsl_entry, "installed from the wheel, not linked"

    work = tmp_path / "work"
    work.mkdir()
    where = run(
        [
            str(bin_dir / "python"),
            "-c",
            "import hotdsl, hotdsl.stdlib.nova, hotdsl.stdlib.patterns, hotdsl.cli.main\n"
            "from hotdsl.sandbox.config import standins_source\n"
            "from hotdsl.sandbox.install import constraints_text\n"
            "from importlib import resources\n"
            "assert 'openstack-heat' in constraints_text()\n"
            "assert len(list(standins_source().glob('*.yaml'))) > 100\n"
            "spec = resources.files('hotdsl.stdlib') / 'spec' / 'heat-resource-types.json'\n"
            "assert spec.read_text().startswith('{')\n"
            "print(hotdsl.__file__)",
        ],
        work,
        environ,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout

    hotdsl = str(bin_dir / "hotdsl")
    usage = run([hotdsl, "--help"], work, environ).stdout
    for command in ("init", "synth", "deploy", "sandbox"):
        assert command in usage
    run([hotdsl, "init", "my-infra"], work, environ)
    project = work / "my-infra"
    run([hotdsl, "synth"], project, environ)
    assert (project / "hot.out" / "my-infra.yaml").read_text().startswith("heat_template_version")
    assert (project / "hot.out" / "manifest.json").exists()

    pytest_version = f"pytest=={pytest.__version__}"
    run([*pip, "install", "-q", pytest_version], tmp_path, environ)
    tests = run(
        [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        project,
        environ,
    )
    assert " passed" in tests.stdout and "failed" not in tests.stdout, tests.stdout
