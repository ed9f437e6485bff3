"""A diff rendered for review cannot be bent by what it shows, nor show a secret.

Names, values, file contents and Heat's messages come from the app, the pull request
or Heat; in Markdown they must not open HTML, break the summary table, close a code
fence early or escape the `<details>` block. A registered secret is `******` in every
format (text, coloured text, Markdown, JSON), wherever it sits in the diff, and a
hidden `-p` value that is refused is not shown in the error either.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotdsl import secrets
from hotdsl.deploy.diff import MISSING, Change, ResourceChange, StackDiff, text_diff
from hotdsl.deploy.render import render_diff, render_markdown
from hotdsl.toolkit import DiffResult

SECRET = "hunter2-planted-9z"


@pytest.fixture(autouse=True)
def planted() -> Iterator[None]:
    secrets.register(SECRET)
    yield
    secrets.forget_all()


def everywhere() -> StackDiff:
    """A diff with the secret in every place a value can be."""
    script_old = "#!/bin/sh\necho start\n"
    script_new = f"#!/bin/sh\necho start\nexport TOKEN={SECRET}\n"
    return StackDiff(
        "shop",
        True,
        resources=(
            ResourceChange(
                "boot",
                "OS::Heat::SoftwareConfig",
                "replace",
                (
                    Change(
                        "properties.config",
                        script_old,
                        script_new,
                        text_diff=text_diff("properties.config", script_old, script_new),
                    ),
                    Change("properties.name", "a", SECRET),
                ),
                (f"config cannot be updated in place ({SECRET})",),
            ),
        ),
        parameters=(Change("parameters.token", MISSING, SECRET),),
        files=(
            Change(
                "files.boot.sh",
                "2 lines",
                "3 lines, changed",
                text_diff=text_diff("boot.sh", script_old, script_new),
            ),
        ),
        preview_error=f"Heat refused {SECRET}",
    )


def test_no_format_shows_a_planted_secret() -> None:
    item = everywhere()
    shown = [
        render_diff(item),
        render_diff(item, colour=True),
        render_markdown([item]),
        json.dumps(DiffResult((item,)).to_json()),
    ]
    for text in shown:
        assert SECRET not in text
        assert "******" in text


HOSTILE = "web`|<script>alert(1)</script>\n</details>"


def test_hostile_names_and_values_stay_inside_their_markdown() -> None:
    fence = "```"
    item = StackDiff(
        f"shop{HOSTILE}",
        True,
        resources=(
            ResourceChange(
                HOSTILE,
                "OS::Heat::Value",
                "update",
                (Change(f"properties.{HOSTILE}", "a", f"b{fence}\n</details>"),),
                (f"because {HOSTILE}",),
            ),
        ),
        files=(
            Change(
                "files.x.sh",
                "1 lines",
                "2 lines, changed",
                text_diff=text_diff("x.sh", "a\n", f"a\n{fence}\n</details>\n"),
            ),
        ),
    )
    text = render_markdown([item])
    lines = text.splitlines()
    outside_code = re.sub(r"^ *(`{3,})diff\n.*?^ *\1$", "", text, flags=re.DOTALL | re.MULTILINE)
    outside_code = re.sub(r"(`+).*?\1", "", outside_code)
    assert "<script>" not in outside_code  # HTML only inside code, where it is shown, not run
    assert lines.count("<details>") == 1 and lines.count("</details>") == 1
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(table) == 1 and table[0].count(" | ") == 5  # one row, six cells
    # the file's own fence cannot close the block that shows it
    block = text.split("`files.x.sh`", 1)[1]
    opening = block.split("diff\n", 1)[0].splitlines()[-1].strip()
    assert len(opening) > 3 and set(opening) == {"`"}


def test_the_risk_follows_the_worst_action() -> None:
    def risk(*actions: str, **other: tuple[Change, ...]) -> str:
        resources = tuple(ResourceChange(a, "T", a) for a in actions)  # type: ignore[arg-type]
        return StackDiff("s", True, resources, **other).summary().risk  # type: ignore[arg-type]

    assert risk() == "none"
    assert risk("add") == "low"
    assert risk("add", parameters=(Change("parameters.p", "1", "2"),)) == "medium"
    assert risk("add", "update") == "medium"
    assert risk("add", "update", "replace") == "high"
    assert risk("remove") == "high"
    summary = StackDiff("s", False, (ResourceChange("a", "T", "add"),)).summary()
    assert (summary.added, summary.changed, summary.risk) == (1, 0, "low")


def test_a_wrong_hidden_override_is_refused_without_showing_it(tmp_path: Path) -> None:
    """Checked before any cloud is asked: the cloud named here does not exist."""
    (tmp_path / "app.py").write_text(
        "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
        "app = App()\nstack = Stack(app, 'vault')\n"
        "pin = Parameter(stack, 'pin', type='number', hidden=True)\n"
        "heat.Value(stack, 'v', value=pin)\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "hotdsl.cli", "diff", "--app", "app.py"]
    result = subprocess.run(
        [*command, "--cloud", "nowhere", "-p", f"pin={SECRET}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "error: --parameter pin=******: stack vault's number parameter pin does not take it: "
        "a number parameter takes a number, not '******'\n"
    )
