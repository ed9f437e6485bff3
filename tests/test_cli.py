"""The command line as a user meets it: exit codes, short errors, --debug, init."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner


def hotdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )


BROKEN_APP = """
from hotdsl import App, Stack, Resource
app = App()
stack = Stack(app, "demo")
Resource(stack, "a", type="OS::Heat::Value", properties={"value": {"get_resource": "nowhere"}})
Resource(stack, "b", type="OS::Heat::Value", properties={"value": {"get_param": "missing"}})
"""


def test_synth_problems_are_short_messages_with_the_users_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BROKEN_APP)
    result = hotdsl("synth", "--app", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "synth found 2 problems:" in result.stderr
    assert "app.py:5: demo/a: get_resource refers to 'nowhere'" in result.stderr
    assert "app.py:6: demo/b: get_param refers to 'missing'" in result.stderr
    assert not (tmp_path / "hot.out").exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BROKEN_APP)
    result = hotdsl("--debug", "synth", "--app", "app.py", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_an_exception_in_user_code_points_at_the_user_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from hotdsl import App\napp = App()\nx = 1 / 0\n")
    result = hotdsl("synth", "--app", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: app.py:3: ZeroDivisionError: division by zero"


def test_a_syntax_error_points_at_the_user_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from hotdsl import App\napp = App(\n")
    result = hotdsl("synth", "--app", "app.py", cwd=tmp_path)
    assert result.returncode == 1 and "app.py:2: SyntaxError" in result.stderr


def test_without_an_app_the_user_is_told_what_to_do(tmp_path: Path) -> None:
    result = hotdsl("synth", cwd=tmp_path)
    assert result.returncode == 1
    assert "no app given: pass --app FILE.py[:ATTR]" in result.stderr


@pytest.mark.parametrize("reference", ["app.py", "app.py:app", "app.py:build", "app", "app:build"])
def test_app_references_name_a_file_or_module_and_an_app_or_a_factory(
    tmp_path: Path, reference: str
) -> None:
    (tmp_path / "app.py").write_text(
        "from hotdsl import App, Stack, Resource\n"
        "def build() -> App:\n"
        "    app = App()\n"
        "    Resource(Stack(app, 'demo'), 'r', type='OS::Heat::None')\n"
        "    return app\n"
        "app = build()\n"
    )
    result = hotdsl("synth", "--app", reference, "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "demo.yaml").is_file()


def test_init_scaffolds_a_project_that_synthesizes_and_tests_green(tmp_path: Path) -> None:
    project = tmp_path / "my-infra"
    assert hotdsl("init", str(project), cwd=tmp_path).returncode == 0
    result = hotdsl("synth", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "my-infra: " in result.stdout
    template = (project / "hot.out" / "my-infra.yaml").read_text()
    assert "type: OS::Heat::RandomString" in template
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = hotdsl("init", "x", cwd=tmp_path)
    assert result.returncode == 1 and "is not empty" in result.stderr


def test_synth_removes_files_of_stacks_that_no_longer_exist(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "from hotdsl import *\napp = App()\nResource(Stack(app, 'a'), 'r', type='OS::Heat::None')\n"
        "Resource(Stack(app, 'b'), 'r', type='OS::Heat::None')\n"
    )
    assert hotdsl("synth", "--app", "app.py", cwd=tmp_path).returncode == 0
    app.write_text(
        "from hotdsl import *\napp = App()\nResource(Stack(app, 'a'), 'r', type='OS::Heat::None')\n"
    )
    assert hotdsl("synth", "--app", "app.py", cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "hot.out").iterdir()) == ["a.yaml", "manifest.json"]


def test_help_does_not_import_openstacksdk(tmp_path: Path) -> None:
    code = "import sys; from hotdsl.cli.main import app; assert 'openstack' not in sys.modules, 'openstack imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_the_app_can_come_from_hotdsl_toml_in_a_parent_folder(tmp_path: Path) -> None:
    (tmp_path / "hotdsl.toml").write_text('app = "infra/app.py:app"\nout = "build/hot"\n')
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "app.py").write_text(
        "from hotdsl import App, Stack, Resource\n"
        "app = App()\n"
        "Resource(Stack(app, 'demo'), 'r', type='OS::Heat::None')\n"
    )
    (tmp_path / "docs").mkdir()
    result = hotdsl("synth", cwd=tmp_path / "docs")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "hot" / "demo.yaml").is_file()


# --- conventions: --version, -h, shell completion -----------------------------------------


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = hotdsl("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"hotdsl {version('hotdsl')}\n")


def test_every_command_takes_h_as_well_as_help() -> None:
    """Walk the whole command tree: `-h` gives each command's help, as `--help` does."""
    from typer.main import get_command

    from hotdsl.cli.main import app

    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(get_command(app), [])
    assert ["doctor"] in paths and ["sandbox", "start"] in paths
    runner = CliRunner()
    for path in paths:
        short = runner.invoke(app, [*path, "-h"])
        full = runner.invoke(app, [*path, "--help"])
        assert short.exit_code == 0, (path, short.output)
        assert short.output == full.output
        assert f"Usage: hotdsl {' '.join(path)}".rstrip() in " ".join(short.output.split())


def test_shell_completion_scripts_are_offered_and_complete_commands(tmp_path: Path) -> None:
    """From bash, as a user types it: the script, then what it asks hotdsl on a tab."""
    assert "--install-completion" in hotdsl("--help", cwd=tmp_path).stdout
    command = f"{shlex.quote(sys.executable)} -m hotdsl.cli --show-completion bash"
    script = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert script.returncode == 0, script.stderr
    assert "_hotdsl_completion()" in script.stdout
    assert "_HOTDSL_COMPLETE=complete_bash" in script.stdout
    tab = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "_HOTDSL_COMPLETE": "complete_bash",
            "COMP_WORDS": "hotdsl sandbox st",
            "COMP_CWORD": "2",
        },
        check=False,
    )
    assert tab.stdout.split() == ["start", "stop", "status"]


def help_text(command: str, cwd: Path) -> str:
    """`hotdsl COMMAND --help` as words: the table's borders and line breaks taken out."""
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", command, "--help"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": "", "COLUMNS": "200"},  # no option name cut short
    )
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.replace("│", " ").split())


@pytest.mark.parametrize("command", ["synth", "validate", "diff", "deploy", "destroy", "ls"])
def test_help_names_the_tool_hotdsl_table(command: str, tmp_path: Path) -> None:
    """Rich markup took `[tool.hotdsl]` for a style and printed `default from  in pyproject.toml`."""
    text = help_text(command, tmp_path)
    assert "default from [tool.hotdsl] in pyproject.toml" in text
    assert "default from [tool.hotdsl] heat" in text


@pytest.mark.parametrize("command", ["diff", "deploy", "destroy", "outputs", "events", "ls"])
def test_every_cloud_command_takes_the_shared_options(command: str, tmp_path: Path) -> None:
    text = help_text(command, tmp_path)
    for flag in ("--app", "--out", "--stage", "--cloud", "--os-cloud", "--region", "--from"):
        assert flag in text, f"hotdsl {command} lacks {flag}"
    assert "cloud = NAME under [tool.hotdsl] in pyproject.toml" in text


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("diff", "Diff against this stage's"),
        ("deploy", "Deploy with this stage's"),
        ("destroy", "Delete the stacks under this stage's names"),
        ("outputs", "Read the outputs of the stacks under this stage's names"),
        ("events", "Read the events of the stack under this stage's name"),
        ("ls", "List the stacks under this stage's names"),
    ],
)
def test_each_command_says_what_it_does_with_stage(command: str, says: str, tmp_path: Path) -> None:
    assert says in help_text(command, tmp_path)
