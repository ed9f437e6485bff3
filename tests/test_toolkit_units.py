"""Pieces of the toolkit that need no Heat: options, results, the observer, the shared CLI
options and the text renderers. The toolkit against Heat is tests/test_toolkit.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hotdsl import secrets
from hotdsl.cli.options import shared_options
from hotdsl.deploy.diff import MISSING, Change, ResourceChange, StackDiff
from hotdsl.deploy.engine import Failure, StackOutcome
from hotdsl.deploy.render import change_text, render_diff, render_outcome, render_outputs
from hotdsl.errors import HotdslError
from hotdsl.toolkit import (
    DeployOptions,
    DestroyOptions,
    DiffResult,
    NotApproved,
    Observer,
    Outcomes,
    Question,
    Target,
    Toolkit,
)


@pytest.mark.parametrize(
    "make",
    [
        lambda: DeployOptions(concurrency=0),
        lambda: DeployOptions(timeout_mins=0),
        lambda: DestroyOptions(timeout_mins=-5),
    ],
)
def test_counts_below_one_are_hotdsl_errors(make: object) -> None:
    with pytest.raises(HotdslError, match="must be at least 1"):
        make()  # type: ignore[operator]


def test_outcomes_say_what_was_skipped_and_mask_outputs() -> None:
    secrets.register("s3cr3t-value-991")
    try:
        done = StackOutcome("a", "created", outputs={"token": "s3cr3t-value-991", "n": 1})
        failed = StackOutcome("b", "failed", "CREATE_FAILED", reason="boom")
        result = Outcomes((done, failed), planned=3)
        assert result.skipped == 1 and not result.ok and not result.nothing_to_deploy
        assert result.outputs() == {"a": {"token": "******", "n": 1}}
        assert Outcomes((done,), planned=1).ok
    finally:
        secrets.forget_all()


def test_the_default_observer_answers_no_and_the_toolkit_says_so() -> None:
    kit = Toolkit(Target(), Observer())
    with pytest.raises(NotApproved, match=r"not approved: Delete a\?"):
        kit._ask(False, Question("destroy", "Delete a?"))
    kit._ask(True, Question("destroy", "Delete a?"))  # yes: nobody is asked


def test_the_shared_options_make_one_target(tmp_path: Path) -> None:
    seen: list[Target] = []
    cli = typer.Typer()

    @cli.command()
    @shared_options
    def show(target: Target, stacks: list[str] | None = typer.Argument(None)) -> None:
        seen.append(target)
        typer.echo(",".join(stacks or []))

    @cli.command()
    def other() -> None:  # two commands: Typer keeps the command's name
        pass

    args = ["show", "web", "--os-cloud", "prod", "--region", "RegionTwo", "-s", "live"]
    args += ["--from", "built", "--allow-secret-env", "TOKEN", "--allow-secret-dir", "/run/s"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output == "web\n"
    (target,) = seen
    assert (target.cloud, target.region, target.stage) == ("prod", "RegionTwo", "live")
    assert target.from_dir == Path("built") and target.app is None and target.out is None
    assert target.allow_secret_envs == frozenset({"TOKEN"})
    assert target.allow_secret_dirs == (Path("/run/s"),)
    assert target.project == Path()


def test_a_diff_renders_one_line_per_change_with_secrets_masked() -> None:
    secrets.register("hunter2-pass-0042")
    try:
        item = StackDiff(
            "web",
            True,
            resources=(
                ResourceChange(
                    "srv",
                    "OS::Nova::Server",
                    "replace",
                    (Change("properties.flavor", "m1.small", "m1.large"),),
                    ("flavor cannot be updated in place",),
                ),
                ResourceChange("old", "OS::Heat::Value", "remove"),
            ),
            parameters=(Change("parameters.password", "hunter2-pass-0042", MISSING),),
        )
        assert render_diff(item).splitlines() == [
            "Stack web",
            "  Resources",
            "    [!] srv (OS::Nova::Server) will be REPLACED: flavor cannot be updated in place",
            '        properties.flavor: "m1.small" -> "m1.large"',
            "    [-] old (OS::Heat::Value)",
            "  Parameters",
            '    parameters.password: (removed, was "******")',
        ]
        assert DiffResult((item,)).changed
        json_text = str(DiffResult((item,)).to_json())
        assert "hunter2" not in json_text and "******" in json_text
    finally:
        secrets.forget_all()
    assert render_diff(StackDiff("db", True)) == "Stack db: no differences"
    long = change_text(Change("v", MISSING, "x" * 500))
    assert long.endswith("...") and len(long) < 140


def test_outcomes_and_outputs_render_as_the_cli_prints_them() -> None:
    failure = Failure("srv", "OS::Nova::Server", "CREATE_FAILED", "no host", "")
    failed = StackOutcome("web", "failed", "CREATE_FAILED", "it broke", 2.0, failures=(failure,))
    assert render_outcome(failed).splitlines() == [
        "web: failed (CREATE_FAILED, 2.0 s)",
        "  Heat: it broke",
        "  failed: srv (OS::Nova::Server) CREATE_FAILED: no host",
    ]
    assert render_outputs({"web": {"url": "http://x", "ports": [80, 443]}}).splitlines() == [
        "web",
        "  ports  [80, 443]",
        "  url    http://x",
    ]
