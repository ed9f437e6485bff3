"""`hotdsl diff | deploy | destroy | outputs | events | ls`: the app against a cloud's Heat.

Each command parses its options, calls `hotdsl.toolkit.Toolkit` and prints the result
(`hotdsl.deploy.render`); the toolkit does the work. The options every command shares
(app, out dir, stage, cloud, ...) are declared once (`hotdsl.cli.options`) and reach
each command as one `Target`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotdsl.cli.options import shared_options
from hotdsl.cli.terminal import toolkit

if TYPE_CHECKING:  # the commands import the toolkit when they run: `--help` stays quick
    from hotdsl.deploy.engine import StackOutcome
    from hotdsl.toolkit import Target

Stacks = Annotated[
    list[str] | None, typer.Argument(help="Stack names (default: all stacks of the app).")
]
Parameters = Annotated[
    list[str] | None,
    typer.Option("--parameter", "-p", help="KEY=VALUE or STACK:KEY=VALUE (wins over the stage)."),
]
Json = Annotated[bool, typer.Option("--json", help="JSON, for machines.")]
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
def diff(
    target: Target,
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
    options = DiffOptions(stacks=tuple(stacks or ()), parameters=overrides)
    with toolkit(target) as kit:
        result = kit.diff(options)
    if chosen == "json":
        typer.echo(json.dumps(result.to_json(), indent=2, default=str))
    elif chosen == "markdown":
        typer.echo(render_markdown(result.stacks), nl=False)
    else:
        colour = wants_colour()
        for item in result.stacks:
            typer.echo(render_diff(item, colour=colour))
    failed = [d for d in result.stacks if d.preview_error]
    if failed:
        names = ", ".join(d.stack_name for d in failed)
        raise HotdslError(
            f"Heat's update preview failed for {names} (see above); fix it before deploying"
        )
    if fail and result.changed:
        raise typer.Exit(2)


DIFF_FORMATS = ("text", "markdown", "json")


def wants_colour() -> bool:
    """Colour for a terminal, never for a pipe or a file, and never when NO_COLOR is set
    (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@shared_options
def deploy(
    target: Target,
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
        bool,
        typer.Option("--require-approval", help="Show the diff and ask before changing anything."),
    ] = False,
    yes: Yes = False,
    outputs_file: Annotated[
        Path | None,
        typer.Option("--outputs-file", help="Write every stack's outputs here as JSON."),
    ] = None,
) -> None:
    """Create or update the app's stacks in dependency order, following Heat's progress."""
    from hotdsl.deploy.plan import parse_parameter_overrides
    from hotdsl.toolkit import DeployOptions

    options = DeployOptions(
        stacks=tuple(stacks or ()),
        parameters=parse_parameter_overrides(parameter or []),
        environment_files=tuple(environment or ()),
        tags=tuple(tag or ()),
        timeout_mins=timeout,
        rollback=rollback,
        concurrency=concurrency,
        take_over=frozenset(take_over or ()),
        require_approval=require_approval,
        yes=yes,
    )
    with toolkit(target) as kit:
        result = kit.deploy(options)
    if result.nothing_to_deploy:
        typer.echo("nothing to deploy")
        return
    if outputs_file is not None:
        outputs_file.write_text(json.dumps(result.outputs(), indent=2, sort_keys=True) + "\n")
    report(list(result.outcomes), result.planned)


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
    with toolkit(target) as kit:
        result = kit.destroy(options)
    report(list(result.outcomes), result.planned)


def report(outcomes: list[StackOutcome], planned: int) -> None:
    """One line per stack (failures with Heat's reasons on stderr); exit 1 unless all went well."""
    from hotdsl.deploy.render import render_outcome

    for outcome in outcomes:
        typer.echo(render_outcome(outcome), err=not outcome.ok)
    skipped = planned - len(outcomes)
    if skipped:
        typer.echo(f"{skipped} stack(s) not deployed because an earlier stack failed", err=True)
    if skipped or not all(o.ok for o in outcomes):
        raise typer.Exit(1)


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
        int, typer.Option("--nested-depth", help="Include events of nested stacks this deep.")
    ] = 5,
) -> None:
    """Print a deployed stack's events, oldest first."""
    from hotdsl.deploy.progress import Progress

    with toolkit(target) as kit:
        result = kit.events(stack, nested_depth=nested_depth)
    shown = Progress(live=False)
    for event in result.events:
        shown.event(result.stack_name, event)


@shared_options
def ls(target: Target) -> None:
    """List the app's stacks with their deployed status."""
    with toolkit(target) as kit:
        found = kit.list_stacks()
    for stack in found:
        typer.echo(f"{stack.heat_name}\t{stack.status or 'NOT DEPLOYED'}")
