"""`hotdsl outputs | events | ls`: read what the app's stacks are in Heat; change nothing."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from hotdsl.cli.options import Json, Stacks, shared_options
from hotdsl.cli.terminal import toolkit

if TYPE_CHECKING:
    from hotdsl.toolkit import Target


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
