"""`hotdsl deploy | destroy`: change the app's stacks in a cloud's Heat.

Each command parses its options, calls `hotdsl.toolkit.Toolkit` and prints the result
(`hotdsl.deploy.render`); the toolkit does the work. Deploy takes several stages
(`--stage` repeated, or `--all-stages`): one toolkit per stage over one synth, the
stages one after another, each stage's stacks to their own clouds. The options every
command shares (app, out dir, stage, cloud, ...) are declared once (`hotdsl.cli.options`)
and reach each command as one `Target`. `hotdsl diff` is in `hotdsl.cli.diff`; `outputs`,
`events` and `ls` in `hotdsl.cli.stacks`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from hotdsl.cli.options import AllStages, Parameters, Stacks, shared_options
from hotdsl.cli.terminal import toolkit, toolkits

if TYPE_CHECKING:  # the commands import the toolkit when they run: `--help` stays quick
    from hotdsl.deploy.engine import StackOutcome
    from hotdsl.toolkit import ApprovalLevel, Target

DECLINED = 3
"""Exit code of a deploy or destroy whose question was answered no: nothing was changed."""

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Approve without asking (for CI).")]
TakeOver = Annotated[
    list[str] | None,
    typer.Option(
        "--take-over",
        metavar="STACK",
        help="Change or delete this existing stack although hotdsl did not create it (repeatable).",
    ),
]
Timeout = Annotated[
    int | None,
    typer.Option(
        "--timeout",
        min=1,
        help="Heat's timeout per stack, in minutes (default: the stack's own, else 60); "
        "hotdsl stops following a stack 5 minutes after it.",
    ),
]


@shared_options
def deploy(
    target: Target,
    stage_names: tuple[str, ...],
    stacks: Stacks = None,
    parameter: Parameters = None,
    environment: Annotated[
        list[Path] | None,
        typer.Option(
            "--environment", "-e", help="Extra environment file, applied after the stage's."
        ),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Stack tag (repeatable).")] = None,
    timeout: Timeout = None,
    rollback: Annotated[
        bool,
        typer.Option(
            "--rollback/--no-rollback", help="Let Heat roll back a failed create or update."
        ),
    ] = True,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", min=1, help="Stacks deployed at once (independent ones only)."
        ),
    ] = 1,
    take_over: TakeOver = None,
    require_approval: Annotated[
        str | None,
        typer.Option(
            "--require-approval",
            metavar="LEVEL",
            help="Show the diff and ask before changing anything: on any change (the flag "
            "alone), only when a resource is replaced or removed, or never; default from "
            "\\[tool.hotdsl] require_approval, else never.",
        ),
    ] = None,
    yes: Yes = False,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            metavar="FILE",
            help="Deploy exactly this plan of `hotdsl diff --plan-out`; refused when a stack "
            "moved since.",
        ),
    ] = None,
    outputs_file: Annotated[
        Path | None,
        typer.Option(
            "--outputs-file",
            help="Write every stack's outputs here as JSON (by stage with several stages).",
        ),
    ] = None,
    all_stages: AllStages = False,
) -> None:
    """Create or update the app's stacks in dependency order, following Heat's progress.

    With several stages, every stage's clouds are reached first; then the stages go one
    after another, and a stage that fails stops the ones after it.
    """
    from hotdsl.deploy.plan import parse_parameter_overrides
    from hotdsl.deploy.saved_plan import Plan
    from hotdsl.errors import HotdslError
    from hotdsl.project import APPROVAL_LEVELS
    from hotdsl.toolkit import DeployOptions

    if require_approval is not None and require_approval not in APPROVAL_LEVELS:
        raise HotdslError(
            f"--require-approval {require_approval}: choose one of {', '.join(APPROVAL_LEVELS)}"
        )
    options = DeployOptions(
        stacks=tuple(stacks or ()),
        parameters=parse_parameter_overrides(parameter or []),
        environment_files=tuple(environment or ()),
        tags=tuple(tag or ()),
        timeout_mins=timeout,
        rollback=rollback,
        concurrency=concurrency,
        take_over=frozenset(take_over or ()),
        require_approval=cast("ApprovalLevel | None", require_approval),
        yes=yes,
        plan=Plan.load(target.project / plan) if plan is not None else None,
    )
    if plan is not None and (all_stages or len(stage_names) > 1):
        raise HotdslError("--plan deploys the plan of one stage: give at most one --stage")
    with declined("not deployed"), toolkits(target, stage_names, all_stages=all_stages) as kits:
        # With several stages, a missing cloud of any stage stops the deploy before it
        # begins; one stage's deploy (and a plan's) checks its clouds itself.
        for kit in kits if len(kits) > 1 and options.plan is None else ():
            kit.check_clouds(options.stacks)
        results = []
        for kit in kits:
            result = kit.deploy(options)
            results.append((kit.target.stage, result))
            if not result.ok:
                break
    if len(kits) == 1:
        if result.nothing_to_deploy:
            typer.echo("nothing to deploy")
            return
        if outputs_file is not None:
            outputs_file.write_text(json.dumps(result.outputs(), indent=2, sort_keys=True) + "\n")
        try:
            report(list(result.outcomes), result.planned)
        finally:
            show_outputs(result.outputs())
        return
    if outputs_file is not None:
        found = {stage: result.outputs() for stage, result in results}
        outputs_file.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    ok = True
    for stage, result in results:
        typer.echo(f"== stage {stage} ==")
        if result.nothing_to_deploy:
            typer.echo("nothing to deploy")
        ok = show_outcomes(list(result.outcomes), result.planned) and ok
        show_outputs(result.outputs())
    left = [kit.target.stage or "" for kit in kits[len(results) :]]
    if left:
        typer.echo(
            f"stage(s) {', '.join(left)} not deployed because an earlier one failed", err=True
        )
    if not ok or left:
        raise typer.Exit(1)


def show_outputs(found: dict[str, dict[str, object]]) -> None:
    """The outputs of the stacks deployed, after the summary (as CDK prints them); masked."""
    from hotdsl.deploy.render import render_outputs

    shown = {stack: values for stack, values in found.items() if values}
    if shown:
        typer.echo("Outputs:")
        typer.echo(render_outputs(shown))


@contextlib.contextmanager
def declined(what: str) -> Iterator[None]:
    """A question answered no ends the command with `what: declined` and exit code `DECLINED`."""
    from hotdsl.toolkit import NotApproved

    try:
        yield
    except NotApproved:
        typer.echo(f"{what}: declined", err=True)
        raise typer.Exit(DECLINED) from None


@shared_options
def destroy(
    target: Target,
    stacks: Stacks = None,
    yes: Yes = False,
    timeout: Timeout = None,
    take_over: TakeOver = None,
) -> None:
    """Delete the app's stacks, dependents first, and wait until Heat is done.

    Refused when a deployed stack outside the selection takes outputs of a selected one.
    """
    from hotdsl.toolkit import DestroyOptions

    options = DestroyOptions(
        stacks=tuple(stacks or ()),
        timeout_mins=timeout,
        take_over=frozenset(take_over or ()),
        yes=yes,
    )
    with declined("not destroyed"), toolkit(target) as kit:
        result = kit.destroy(options)
    report(list(result.outcomes), result.planned)


def report(outcomes: list[StackOutcome], planned: int) -> None:
    """One line per stack (failures with Heat's reasons on stderr); exit 1 unless all went well."""
    if not show_outcomes(outcomes, planned):
        raise typer.Exit(1)


def show_outcomes(outcomes: list[StackOutcome], planned: int) -> bool:
    """One line per stack (failures with Heat's reasons on stderr); whether all went well."""
    from hotdsl.deploy.render import render_outcome

    for outcome in outcomes:
        typer.echo(render_outcome(outcome), err=not outcome.ok)
    skipped = planned - len(outcomes)
    if skipped:
        typer.echo(f"{skipped} stack(s) not deployed because an earlier stack failed", err=True)
    return not skipped and all(o.ok for o in outcomes)
