"""The README's Python examples run, as written: docs that cannot drift from the code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hotdsl.deploy.diff import MISSING, Change, ResourceChange, StackDiff

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_each_python_example_runs(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code = compile(block, f"README.md example {BLOCKS.index(block) + 1}", "exec")
    exec(code, {"__name__": "readme_example"})


def test_the_commands_table_names_every_cli_command() -> None:
    from hotdsl.cli.main import app

    text = README.read_text(encoding="utf-8")
    names = {command.name for command in app.registered_commands} | {
        g.name for g in app.registered_groups
    }
    for name in names:
        assert f"`hotdsl {name}" in text, f"README does not document `hotdsl {name}`"


def test_the_toolkit_section_shows_the_ci_script_as_it_is() -> None:
    """The script itself runs against the sandbox in tests/test_toolkit.py."""
    section = README.read_text(encoding="utf-8").split("## Using hotdsl from Python", 1)[1]
    script = README.parent / "examples" / "ci" / "deploy.py"
    assert re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)[0] == script.read_text(
        encoding="utf-8"
    )


def test_the_review_section_shows_the_markdown_the_renderer_prints() -> None:
    """The pull request comment in "CI usage" is `render_markdown` of the quick start's
    diff, which tests/test_diff_review.py checks against Heat itself."""
    from hotdsl.deploy.render import render_markdown
    from hotdsl.secrets import forget_all

    forget_all()  # what other tests in this process registered as secret is not this diff's

    data = json.loads(
        (README.parent / "tests" / "golden" / "diff" / "quickstart-pr.json").read_text()
    )
    stacks = [stack_diff(item) for item in data["stacks"]]
    section = README.read_text(encoding="utf-8").split("## CI usage", 1)[1]
    (shown,) = re.findall(r"````markdown\n(.*?)````\n", section, flags=re.DOTALL)
    assert shown == render_markdown(stacks)


def stack_diff(data: dict[str, Any]) -> StackDiff:
    """A `StackDiff` back from `hotdsl diff --format json` (schema hotdsl-diff/1)."""

    def change(item: dict[str, Any]) -> Change:
        return Change(
            item["path"],
            item.get("old", MISSING),
            item.get("new", MISSING),
            item.get("note"),
            item.get("text_diff"),
        )

    def resource(item: dict[str, Any]) -> ResourceChange:
        changes = tuple(change(c) for c in item["changes"])
        return ResourceChange(
            item["name"], item["type"], item["action"], changes, tuple(item["reasons"])
        )

    def changes(key: str) -> tuple[Change, ...]:
        return tuple(change(c) for c in data[key])

    return StackDiff(
        data["stack"],
        data["exists"],
        tuple(resource(r) for r in data["resources"]),
        changes("parameters"),
        changes("template"),
        changes("environment"),
        changes("files"),
        tuple((k, tuple(resource(r) for r in v)) for k, v in data["nested"].items()),
        data["preview_error"],
        data["not_owned"],
    )


def test_the_review_section_draws_the_quick_start_pull_request(tmp_path: Path) -> None:
    """The Mermaid graph in "Reviewing a pull request" is what `diff --graph` draws for the
    quick start's pull request: its synth with the change, and the diff Heat gave for it
    (tests/test_diff_review.py checks that diff against Heat itself)."""
    import shutil
    import subprocess
    import sys

    from hotdsl.graph import changed_subgraph, diff_changes, read_graph, render

    from .test_diff_review import PR_CHANGES

    shutil.copytree(README.parent / "examples" / "quickstart", tmp_path, dirs_exist_ok=True)
    app = tmp_path / "app.py"
    source = app.read_text(encoding="utf-8")
    for old, new in PR_CHANGES:
        source = source.replace(old, new)
    app.write_text(source, encoding="utf-8")
    synth = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "synth"], cwd=tmp_path, capture_output=True, text=True
    )
    assert synth.returncode == 0, synth.stderr
    data = json.loads(
        (README.parent / "tests" / "golden" / "diff" / "quickstart-pr.json").read_text()
    )
    (stack,) = data["stacks"]
    graph = read_graph(tmp_path / "hot.out")
    resources = [(r["name"], r["type"], r["action"]) for r in stack["resources"]]
    drawn = render(
        changed_subgraph(graph, diff_changes(graph, stack["stack"], resources)), "mermaid"
    )
    section = README.read_text(encoding="utf-8").split("### Reviewing a pull request", 1)[1]
    shown = section.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown == drawn
