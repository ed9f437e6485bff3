"""The GitHub Actions example (examples/ci/workflow.yml) says what hotdsl understands.

The workflow is read as YAML; every `hotdsl ...` command line of its `run:` steps is
parsed by the real CLI (options and their values, without running the command), so
a renamed or misspelt option fails here. Options that other work adds (`diff
--format markdown`, `diff --plan-out`, `deploy --plan`) are listed in `PENDING`: a
line using one is skipped, saying so, while the CLI lacks it, and is checked like
the rest once it exists. The steps that need no cloud run for real: the example's
synth and its own tests.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from hotdsl.cli.main import app as cli

from .conftest import REPO

EXAMPLE = REPO / "examples" / "ci"
WORKFLOW = EXAMPLE / "workflow.yml"
PENDING = {("diff", "--format"), ("diff", "--plan-out"), ("deploy", "--plan")}
"""(command, option) the workflow uses that are being added to hotdsl elsewhere."""
SHELL_OPERATORS = {">", ">>", "<", "|", "||", "&&", ";", "2>", "&"}


def workflow() -> dict[str, object]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def run_scripts() -> list[str]:
    scripts = []
    for job in workflow()["jobs"].values():  # type: ignore[attr-defined]
        for step in job["steps"]:
            if "run" in step:
                scripts.append(step["run"])
    return scripts


def hotdsl_lines() -> list[list[str]]:
    """Each `hotdsl` command of the run steps as words, up to the first shell operator."""
    found = []
    for script in run_scripts():
        for line in script.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] != ["hotdsl"]:
                continue
            cut = next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))
            found.append(words[1:cut])
    return found


def command_of(name: str) -> Any:
    """The CLI's command `name` (Typer's own click), or None."""
    return getattr(typer.main.get_command(cli), "commands", {}).get(name)


def parse(words: list[str]) -> None:
    """Parse `hotdsl WORDS` as the CLI would, without running the command: a usage
    error (unknown command or option, a value of the wrong kind) raises `TyperException`."""
    name, *rest = words
    command = command_of(name)
    assert command is not None, f"hotdsl has no command {name!r}"
    command.make_context(f"hotdsl {name}", list(rest))


def options_of(name: str) -> set[str]:
    return {opt for param in command_of(name).params for opt in param.opts}


def test_the_workflow_synthesizes_tests_diffs_on_pull_requests_and_deploys_a_plan() -> None:
    jobs = workflow()["jobs"]
    assert isinstance(jobs, dict)
    assert set(jobs) == {"check", "diff", "plan", "deploy"}
    assert jobs["diff"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["deploy"]["needs"] == "plan" and jobs["deploy"]["environment"] == "production"
    commands = [" ".join(words) for words in hotdsl_lines()]
    assert commands == [
        "synth",
        "diff --format markdown --graph",
        "diff --plan-out plan.json --format markdown",
        "deploy --plan plan.json --yes --outputs-file outputs.json",
    ]
    assert any("python -m pytest" in script for script in run_scripts())
    used = {(words[0], w) for words in hotdsl_lines() for w in words if w.startswith("--")}
    assert used >= PENDING, "PENDING lists an option the workflow no longer uses"


@pytest.mark.parametrize("words", hotdsl_lines(), ids=lambda words: " ".join(words))
def test_every_hotdsl_command_of_the_workflow_parses(words: list[str]) -> None:
    missing = sorted(
        option
        for command, option in PENDING
        if command == words[0] and option in words and option not in options_of(command)
    )
    if missing:
        pytest.skip(
            f"expected from parallel work: `hotdsl {words[0]}` has no {', '.join(missing)} yet"
        )
    parse(words)


def test_the_parse_check_refuses_what_the_cli_does_not_know() -> None:
    with pytest.raises(typer.TyperException, match="--no-such-option"):
        parse(["deploy", "--no-such-option"])
    with pytest.raises(typer.TyperException, match="valid integer"):
        parse(["deploy", "--concurrency", "none"])
    with pytest.raises(AssertionError, match="no command 'nosuchcommand'"):
        parse(["nosuchcommand"])


def test_the_steps_without_a_cloud_run_synth_and_the_apps_tests(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("hot.out", "__pycache__"))
    synth = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "synth"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert synth.returncode == 0, synth.stderr
    assert (project / "hot.out" / "manifest.json").is_file()
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "1 passed" in tests.stdout
