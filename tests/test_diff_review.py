"""`hotdsl diff` for review, against the real Heat of the sandbox.

One app is deployed, then changed in every way a review must see: a replacement (and
why), an in-place change, an added and a removed resource, a changed boot script (a
file in the files map), a change inside a nested stack, a rotated secret. Each format
(text, markdown, json) is checked on that change; `--fail` exits as Terraform's
`-detailed-exitcode` (0 none, 2 differences, 1 error) and a `-p` value of the wrong
type fails before Heat is asked. No format shows the planted secret.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO
from .faultproxy import FaultProxy
from .graph_syntax import check_mermaid

pytestmark = pytest.mark.heat

HEADER = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n"
SECRET = "planted-secret-d1ff-42"
SCRIPT_BEFORE = "#!/bin/sh\necho hello\nexit 0\n"
SCRIPT_AFTER = "#!/bin/sh\necho hello world\napt-get install -y nginx\nexit 0\n"

REVIEW_APP = """
app = App()
stack = Stack(app, "{name}")
size = Parameter(stack, "size", type="number", default=3, constraints=[Range(min=1, max=9)])
password = Parameter(stack, "password")
holder = heat.Value(stack, "holder", value=password)
rnd = heat.RandomString(stack, "rnd", length={length})
marker = heat.Value(stack, "marker", value="{marker}")
{extra} = heat.Value(stack, "{extra}", value="x")
boot = heat.SoftwareConfig(stack, "boot", config=get_file("boot.sh", content={script!r}))
web = NestedStack(stack, "web")
port = heat.Value(web, "port", value={port})
Output(stack, "size_out", value=size)
Stage(app, "dev", parameters={{password: from_env("APP_PASSWORD")}})
"""


def write_app(folder: Path, name: str, *, changed: bool) -> None:
    values: dict[str, Any] = (
        {"length": 12, "marker": "two", "extra": "added", "script": SCRIPT_AFTER, "port": 8080}
        if changed
        else {"length": 8, "marker": "one", "extra": "gone", "script": SCRIPT_BEFORE, "port": 80}
    )
    folder.mkdir(parents=True, exist_ok=True)
    body = HEADER + REVIEW_APP.format(name=name, **values)
    (folder / "app.py").write_text(body, encoding="utf-8")


def hotdsl(
    folder: Path, sandbox: Any, *args: str, secret: str = SECRET, **env: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "hotdsl.cli", *args[:1], "--app", "app.py"]
    command += ["--stage", "dev", "--cloud", sandbox.cloud, *args[1:]]
    return subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "APP_PASSWORD": secret, **env},
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def reviewed(heat_sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The app deployed, then changed in the folder (not deployed again)."""
    folder = tmp_path_factory.mktemp("review")
    name = heat_sandbox.unique_name("review")
    write_app(folder, name, changed=False)
    deployed = hotdsl(folder, heat_sandbox, "deploy")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    same = hotdsl(folder, heat_sandbox, "diff", "--fail")
    assert (same.returncode, same.stderr) == (0, ""), same.stdout + same.stderr
    write_app(folder, name, changed=True)
    return folder, heat_sandbox


def diff(reviewed: tuple[Path, Any], *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    folder, sandbox = reviewed
    return hotdsl(folder, sandbox, "diff", *args, secret=SECRET + "-rotated", **env)


def test_json_is_the_documented_schema(reviewed: tuple[Path, Any]) -> None:
    result = diff(reviewed, "--format", "json", "--fail")
    assert result.returncode == 2, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["schema", "changed", "stacks"]
    assert data["schema"] == "hotdsl-diff/1" and data["changed"] is True
    (stack,) = data["stacks"]
    assert set(stack) == {
        "stack",
        "exists",
        "changed",
        "summary",
        "resources",
        "parameters",
        "template",
        "environment",
        "files",
        "nested",
        "preview_error",
        "not_owned",
        "risks",
    }
    actions = {r["name"]: r["action"] for r in stack["resources"]}
    assert actions["rnd"] == "replace"
    assert actions["marker"] == "update"
    assert actions["added"] == "add" and actions["gone"] == "remove"
    assert actions["web/port"] == "update"
    rnd = next(r for r in stack["resources"] if r["name"] == "rnd")
    assert rnd["reasons"] == ["length cannot be updated in place"]
    boot = next(r for r in stack["resources"] if r["name"] == "boot")
    assert (boot["action"], boot["reasons"]) == (
        "replace",
        ["config reads boot.sh, which changes, and config cannot be updated in place"],
    )
    assert stack["summary"]["risk"] == "high"
    assert stack["summary"]["added"] == 1 and stack["summary"]["removed"] == 1
    assert stack["summary"]["replaced"] >= 1 and stack["summary"]["changed"] >= 2
    (script,) = [f for f in stack["files"] if f["path"] == "files.boot.sh"]
    assert "+apt-get install -y nginx" in script["text_diff"].splitlines()
    assert "-echo hello" in script["text_diff"].splitlines()
    assert stack["parameters"] == [
        {"path": "parameters.password", "old": "******", "new": "******"}
    ]
    assert SECRET not in result.stdout + result.stderr
    assert diff(reviewed, "--json").stdout == result.stdout  # --json is an alias


def test_markdown_is_a_pull_request_comment(reviewed: tuple[Path, Any]) -> None:
    result = diff(reviewed, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert lines[0] == "### hotdsl diff"
    assert lines[2] == "| Stack | Added | Changed | Replaced | Removed | Risk |"
    assert lines[4].startswith("| `review") and lines[4].endswith("| high |")
    assert text.count("<details>") == text.count("</details>") == 1
    assert "<summary><code>review" in text and "(risk: high)</summary>" in text
    assert (
        "- **REPLACE** `rnd` (`OS::Heat::RandomString`): length cannot be updated in place" in text
    )
    assert "  - `properties.length`: `8` → `12`" in text
    assert "- **change in place** `web/port` (`OS::Heat::Value`)" in text
    assert "- **REMOVE** `gone` (`OS::Heat::Value`)" in text
    assert "- **add** `added` (`OS::Heat::Value`)" in text
    script = text.split("`files.boot.sh`", 1)[1]
    fenced = script.split("```diff\n", 1)[1].split("```", 1)[0]
    assert "  +apt-get install -y nginx" in fenced.splitlines()
    assert "hotdsl-overrides" not in text
    assert SECRET not in text + result.stderr


def test_text_is_coloured_only_on_a_terminal_without_no_color(
    reviewed: tuple[Path, Any],
) -> None:
    piped = diff(reviewed)
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout
    assert (
        "[!] rnd (OS::Heat::RandomString) will be REPLACED: length cannot be updated in place"
        in (piped.stdout)
    )
    assert "      +apt-get install -y nginx" in piped.stdout.splitlines()
    on_terminal = diff_on_terminal(reviewed)
    assert "\x1b[1;31m    [!] rnd" in on_terminal and "\x1b[32m+apt-get" in on_terminal
    plain = diff_on_terminal(reviewed, NO_COLOR="1")
    assert "\x1b[" not in plain and "[!] rnd" in plain
    assert SECRET not in piped.stdout + on_terminal + plain


def diff_on_terminal(reviewed: tuple[Path, Any], **env: str) -> str:
    """What `hotdsl diff` prints on a terminal (a pseudo-terminal as stdout)."""
    folder, sandbox = reviewed
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "hotdsl.cli", "diff", "--app", "app.py", "--stage", "dev"]
    process = subprocess.Popen(
        [*command, "--cloud", sandbox.cloud],
        cwd=folder,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "APP_PASSWORD": SECRET, "NO_COLOR": "", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_bad_parameter_value_fails_before_heat_is_asked(reviewed: tuple[Path, Any]) -> None:
    result = diff(reviewed, "-p", "size=abc", "--fail")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: --parameter size=abc: stack {stack_of(reviewed)}'s number parameter size "
        "does not take it: a number parameter takes a number, not 'abc'"
    ]
    out_of_range = diff(reviewed, "-p", "size=12")
    assert out_of_range.returncode == 1 and "must be between 1 and 9" in out_of_range.stderr


def stack_of(reviewed: tuple[Path, Any]) -> str:
    text = (reviewed[0] / "app.py").read_text(encoding="utf-8")
    return text.split('Stack(app, "', 1)[1].split('"', 1)[0]


def test_an_override_is_a_parameter_change_not_a_changed_file(
    reviewed: tuple[Path, Any],
) -> None:
    data = json.loads(diff(reviewed, "-p", "size=5", "--json").stdout)
    (stack,) = data["stacks"]
    assert {"path": "parameters.size", "old": "3", "new": "5"} in stack["parameters"]
    assert "files.boot.sh" in [f["path"] for f in stack["files"]]
    assert not [f for f in stack["files"] if "overrides" in f["path"]]


def test_a_failed_preview_fails_the_diff(reviewed: tuple[Path, Any]) -> None:
    """Heat refusing the update preview (here, through the fault proxy) fails the diff."""
    folder, sandbox = reviewed
    refusal = {"title": "Bad Request", "error": {"message": "The Parameter (size) was not valid"}}
    with FaultProxy(sandbox.host, sandbox.port) as proxy:
        proxy.answer("PUT", r"/preview", json.dumps(refusal).encode(), status=400, times=None)
        clouds = proxy.clouds_file(folder, "through-faultproxy")
        command = [sys.executable, "-m", "hotdsl.cli", "diff", "--app", "app.py"]
        result = subprocess.run(
            [*command, "--stage", "dev", "--cloud", "through-faultproxy", "--fail"],
            cwd=folder,
            capture_output=True,
            text=True,
            env={**os.environ, "APP_PASSWORD": SECRET, "OS_CLIENT_CONFIG_FILE": str(clouds)},
            timeout=300,
            check=False,
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Heat's update preview failed: " in result.stdout
    assert "The Parameter (size) was not valid" in result.stdout
    assert result.stderr.splitlines()[-1].startswith("error: Heat's update preview failed for")
    assert "Traceback" not in result.stderr


QUICKSTART = REPO / "examples" / "quickstart"
README_DIFF = REPO / "tests" / "golden" / "diff" / "quickstart-pr.json"
"""The structured diff of the README's pull request (`test_readme` renders it as Markdown)."""
PR_CHANGES = (
    (
        'echo "provisioned by hotdsl" > /etc/motd',
        'echo "provisioned by hotdsl" > /etc/motd\napk add nginx',
    ),
    ("length=24", "length=32"),
)
"""The README's pull request: the boot script installs nginx; the admin password grows."""


def test_the_readme_pull_request_diff_is_what_heat_says(heat_sandbox: Any, tmp_path: Path) -> None:
    """Deploys the quick start example, applies the README's pull request to it and checks
    that its diff is the one the README shows (as Markdown, see test_readme)."""
    name = heat_sandbox.unique_name("quickstart")
    shutil.copytree(QUICKSTART, tmp_path, dirs_exist_ok=True)
    app = tmp_path / "app.py"
    source = app.read_text(encoding="utf-8").replace('"quickstart")', f'"{name}")')
    app.write_text(source, encoding="utf-8")
    command = [sys.executable, "-m", "hotdsl.cli"]
    where = ["--cloud", heat_sandbox.cloud]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args, *where], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    deployed = run("deploy")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    for old, new in PR_CHANGES:
        assert old in source
        source = source.replace(old, new)
    app.write_text(source, encoding="utf-8")
    result = run("diff", "--format", "json", "--fail")
    assert result.returncode == 2, result.stderr
    shown = json.loads(result.stdout.replace(name, "quickstart"))
    if os.environ.get("HOTDSL_UPDATE_GOLDEN"):
        README_DIFF.parent.mkdir(parents=True, exist_ok=True)
        README_DIFF.write_text(json.dumps(shown, indent=2) + "\n", encoding="utf-8")
    assert shown == json.loads(README_DIFF.read_text(encoding="utf-8"))
    run("destroy", "--yes")


def mermaid_classes(block: str) -> dict[str, set[str]]:
    """`class a,b replaced` lines of a Mermaid graph: class -> node ids."""
    found: dict[str, set[str]] = {}
    for line in block.splitlines():
        words = line.split()
        if len(words) == 3 and words[0] == "class":
            found.setdefault(words[2], set()).update(words[1].split(","))
    return found


def test_markdown_with_graph_draws_what_changes(reviewed: tuple[Path, Any]) -> None:
    """`--graph` adds a Mermaid graph of the changed resources, each styled by its change,
    with their neighbours; a nested change is drawn inside its nested stack."""
    result = diff(reviewed, "--format", "markdown", "--graph")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout
    block = result.stdout.split("```mermaid\n", 1)[1].split("```", 1)[0]
    check_mermaid(block)
    classes = mermaid_classes(block)

    def styled(kind: str, suffix: str) -> bool:
        return any(node.endswith(suffix) for node in classes.get(kind, set()))

    assert styled("replaced", "__rnd") and styled("replaced", "__boot")
    assert styled("changed", "__marker") and styled("changed", "__web__port")
    assert styled("added", "__added") and styled("removed", "__gone")
    assert not any("__size" in line for line in block.splitlines() if "[/" in line), (
        "a parameter no changed resource uses is left out"
    )


def test_graph_needs_the_markdown_format(reviewed: tuple[Path, Any]) -> None:
    result = diff(reviewed, "--graph")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --graph draws into the Markdown diff: add --format markdown"
    )
