"""The README's Python examples run, as written: docs that cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
