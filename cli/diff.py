"""`hotdsl diff`: what a deploy would change, for a person, a pull request or a machine.

It never changes a deployed stack. Several stages (`--stage` repeated, `--all-stages`)
are diffed one after another; `--plan-out` saves what was reviewed for `deploy --plan`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hotdsl.cli.options import AllStages, Parameters, Stacks, shared_options
from hotdsl.cli.terminal import toolkits

if TYPE_CHECKING:
    from hotdsl.toolkit import DiffResult, Target, Toolkit


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
    graph: Annotated[
        bool,
        typer.Option(
            "--graph",
            help="With --format markdown: add a Mermaid graph of the changed resources and "
            "their direct neighbours, styled by change.",
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
    if graph and chosen != "markdown":
        raise HotdslError("--graph draws into the Markdown diff: add --format markdown")
    overrides = parse_parameter_overrides(parameter or [])
    if plan_out is not None and (all_stages or len(stage_names) > 1):
        raise HotdslError("--plan-out saves the plan of one stage: give one --stage")
    options = DiffOptions(
        stacks=tuple(stacks or ()), parameters=overrides, plan=plan_out is not None
    )
    with toolkits(target, stage_names, all_stages=all_stages) as kits:
        results = [(kit.target.stage, kit.diff(options)) for kit in kits]
        drawn = [
            changes_graph(kit, kit_result) if graph else ""
            for kit, (_, kit_result) in zip(kits, results, strict=True)
        ]
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
        for (stage, result), mermaid in zip(results, drawn, strict=True):
            if chosen == "markdown":
                if many:
                    typer.echo(f"### Stage {stage}\n")
                typer.echo(render_markdown(result.stacks), nl=False)
                typer.echo(mermaid, nl=False)
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


def changes_graph(kit: Toolkit, result: DiffResult) -> str:
    """A Markdown block with the Mermaid graph of what `result` changes (`hotdsl graph`'s
    view of the synthesized app, narrowed to the changed resources and their neighbours);
    empty when nothing changes."""
    from hotdsl.graph import changed_subgraph, diff_changes, read_graph, render
    from hotdsl.secrets import mask

    app_names = {heat: name for name, heat in kit.heat_names().items()}
    graph = read_graph(kit.synthesized.out_dir, stage=kit.target.stage)
    changes = [
        change
        for item in result.stacks
        if item.stack_name in app_names
        for change in diff_changes(
            graph,
            app_names[item.stack_name],
            [(r.name, r.type, r.action) for r in item.resources],
        )
    ]
    if not changes:
        return ""
    drawn = render(changed_subgraph(graph, changes), "mermaid")
    return mask(f"\n#### What changes, drawn\n\n```mermaid\n{drawn}```\n")
