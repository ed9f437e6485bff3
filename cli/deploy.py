"""`hotdsl diff | deploy | destroy | outputs | events | ls`: the app against a cloud's Heat.

Each command parses its options, calls `hotdsl.toolkit.Toolkit` and prints the result
(`hotdsl.deploy.render`); the toolkit does the work. Diff and deploy take several
stages (`--stage` repeated, or `--all-stages`): one toolkit per stage over one synth,
the stages one after another, each stage's stacks to their own clouds. The options every command shares
(app, out dir, stage, cloud, ...) are declared once (`hotdsl.cli.options`) and reach
each command as one `Target`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from hotdsl.cli.options import shared_options
from hotdsl.cli.terminal import toolkit, toolkits

if TYPE_CHECKING:  # the commands import the toolkit when they run: `--help` stays quick
    from hotdsl.deploy.engine import StackOutcome
    from hotdsl.toolkit import ApprovalLevel, Target

DECLINED = 3
"""Exit code of a deploy or destroy whose question was answered no: nothing was changed."""

Stacks = Annotated[
    list[str] | None, typer.Argument(help="Stack names (default: all stacks of the app).")
]
Parameters = Annotated[
    list[str] | None,
    typer.Option("--parameter", "-p", help="KEY=VALUE or STACK:KEY=VALUE (wins over the stage)."),
]
Json = Annotated[bool, typer.Option("--json", help="JSON, for machines.")]
AllStages = Annotated[
    bool, typer.Option("--all-stages", help="Every stage of the app, one after another.")
]
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


FLAG_VALUES = {"--require-approval": "any-change"}
"""Options whose value may be left out, and the value they then take. Typer has no such
option (it drops Click's `flag_value`), so `with_flag_values` adds the value itself."""


def with_flag_values(args: list[str]) -> list[str]:
    """`args` with the value of each `FLAG_VALUES` option written out where it was left out:
    `--require-approval` alone, or before another option or a stack name, asks on any change."""
    if not FLAG_VALUES.keys() & set(args):
        return args
    from hotdsl.project import APPROVAL_LEVELS

    out: list[str] = []
    for index, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            return out + args[index + 1 :]
        following = args[index + 1] if index + 1 < len(args) else None
        if arg in FLAG_VALUES and following not in APPROVAL_LEVELS:
            out.append(FLAG_VALUES[arg])
    return out


@shared_options
def diff(
    target: Target,
    stage_names: tuple[str, ...],
    stacks: Stacks = None,
    parameter: Parameters = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="text (coloured on a terminal unless NO_COLOR is set), markdown (for a pull "
            "request comment) or json (for machines).",
        ),
    ] = "text",
    as_json: Annotated[bool, typer.Option("--json", help="The same as --format json.")] = False,
    fail: Annotated[
        bool,
        typer.Option(
            "--fail",
            help="Exit 2 when there are differences, 0 when there are none (errors exit 1), "
            "as terraform plan -detailed-exitcode.",
        ),
    ] = False,
    plan_out: Annotated[
        Path | None,
        typer.Option(
            "--plan-out",
            metavar="FILE",
            help="Save what a deploy would send and the deployed state it was compared "
            "with; `hotdsl deploy --plan FILE` sends exactly that (no secret values in it).",
        ),
    ] = None,
    all_stages: AllStages = False,
) -> None:
    """Show what a deploy would change; never changes a deployed stack.

    A failed update preview in Heat fails the diff (exit 1) after the diff is printed.
    """
    from hotdsl.deploy.plan import parse_parameter_overrides
    from hotdsl.deploy.render import render_diff, render_markdown
    from hotdsl.errors import HotdslError
    from hotdsl.toolkit import DiffOptions

    chosen = "json" if as_json else output_format
    if chosen not in DIFF_FORMATS:
        raise HotdslError(f"--format {chosen}: choose one of {', '.join(DIFF_FORMATS)}")
    overrides = parse_parameter_overrides(parameter or [])
    if plan_out is not None and (all_stages or len(stage_names) > 1):
        raise HotdslError("--plan-out saves the plan of one stage: give one --stage")
    options = DiffOptions(
        stacks=tuple(stacks or ()), parameters=overrides, plan=plan_out is not None
    )
    with toolkits(target, stage_names, all_stages=all_stages) as kits:
        results = [(kit.target.stage, kit.diff(options)) for kit in kits]
    many = len(results) > 1
    planned = results[0][1].plan
    if plan_out is not None and planned is not None:
        planned.write(plan_out)
    if chosen == "json":
        document = (
            {"stages": {stage: result.to_json() for stage, result in results}}
            if many
            else results[0][1].to_json()
        )
        typer.echo(json.dumps(document, indent=2, default=str))
    else:
        colour = wants_colour()
        for stage, result in results:
            if chosen == "markdown":
                if many:
                    typer.echo(f"### Stage {stage}\n")
                typer.echo(render_markdown(result.stacks), nl=False)
                continue
            if many:
                typer.echo(f"== stage {stage} ==")
            for item in result.stacks:
                typer.echo(render_diff(item, colour=colour))
    failed = [d for _, result in results for d in result.stacks if d.preview_error]
    if failed:
        names = ", ".join(d.stack_name for d in failed)
        raise HotdslError(
            f"Heat's update preview failed for {names} (see above); fix it before deploying"
        )
    if fail and any(result.changed for _, result in results):
        raise typer.Exit(2)


DIFF_FORMATS = ("text", "markdown", "json")


def wants_colour() -> bool:
    """Colour for a terminal, never for a pipe or a file, and never when NO_COLOR is set
    (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


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


@shared_options
def outputs(target: Target, stacks: Stacks = None, as_json: Json = False) -> None:
    """Print the deployed outputs of the app's stacks."""
    from hotdsl.deploy.render import render_outputs

    with toolkit(target) as kit:
        found = kit.outputs(tuple(stacks or ()))
    if as_json:
        typer.echo(json.dumps(found, indent=2, sort_keys=True, default=str))
    elif found:
        typer.echo(render_outputs(found))


@shared_options
def events(
    target: Target,
    stack: Annotated[str, typer.Argument(help="Stack name (as in the app).")],
    nested_depth: Annotated[
        int,
        typer.Option("--nested-depth", min=0, help="Include events of nested stacks this deep."),
    ] = 5,
    follow: Annotated[
        bool,
        typer.Option("--follow", "-f", help="Keep polling until Heat is done with the stack."),
    ] = False,
    as_json: Json = False,
) -> None:
    """Print a deployed stack's events, oldest first."""
    from hotdsl.deploy.progress import Progress

    # With --json, stdout holds the JSON only: following shows its progress on stderr.
    with toolkit(target, progress_stream=sys.stderr if as_json else None) as kit:
        result = kit.events(stack, nested_depth=nested_depth, follow=follow)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True, default=str))
    elif not follow:  # following showed them as they came
        shown = Progress(live=False)
        for event in result.events:
            shown.event(result.stack_name, event)


@shared_options
def ls(target: Target, as_json: Json = False) -> None:
    """List the app's stacks with their deployed status."""
    with toolkit(target) as kit:
        found = kit.list_stacks()
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in found], indent=2, sort_keys=True))
        return
    for stack in found:
        typer.echo(f"{stack.heat_name}\t{stack.status or 'NOT DEPLOYED'}")
