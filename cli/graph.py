"""`hotdsl graph`: draw the app's stacks, resources and references (Mermaid, DOT or JSON).

The app is synthesized into a temporary dir (the out dir is left as it is), or `--from`
names an out dir synthesized earlier; either way the graph is read from what synth
wrote. The library is `hotdsl.graph`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from hotdsl.cli import options


def graph(
    stacks: list[str] | None = typer.Argument(
        None, help="Stack names (default: all stacks of the app)."
    ),
    app: options.App = None,
    from_dir: Path | None = typer.Option(
        None, "--from", help="Draw this already synthesized out dir instead of synthesizing."
    ),
    stage: str | None = typer.Option(
        None, "--stage", "-s", help="Use this stage's environment (provider types, stack names)."
    ),
    format: str = typer.Option(
        "mermaid",
        "--format",
        "-f",
        help="mermaid (renders in GitHub/GitLab Markdown), dot or json.",
    ),
    depth: int | None = typer.Option(
        None,
        "--depth",
        min=0,
        help="Draw groups below this level as one node each: 0 = one node per stack, "
        "1 = one per construct or nested stack of a stack, ...",
    ),
    focus: str | None = typer.Option(
        None,
        "--focus",
        metavar="PATH",
        help="Keep this construct path open (e.g. shop/database); the rest collapses "
        "to --depth (default 0).",
    ),
    fold_limit: int = typer.Option(
        50,
        "--fold",
        min=0,
        help="Fold same-type resources of a group into one node when it holds more than "
        "this many (0: never).",
    ),
    heat: options.Heat = None,
) -> None:
    """Draw the app's stacks: resources, references, nested stacks, cross-stack links."""
    from hotdsl.errors import HotdslError
    from hotdsl.graph import FORMATS, MERMAID_MAX_EDGES, Graph, render, view

    if format not in FORMATS:
        raise HotdslError(f"--format {format}: choose one of {', '.join(FORMATS)}")

    def viewed(out_dir: Path) -> Graph:
        return view(
            out_dir,
            stage=stage,
            stacks=stacks or (),
            depth=depth,
            focus=focus,
            fold_limit=fold_limit,
        )

    if from_dir is not None:
        if app is not None or heat is not None:
            raise HotdslError(
                "--app and --heat apply to the synth that runs first; --from draws an out dir "
                "synthesized earlier"
            )
        drawn = viewed(from_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="hotdsl-graph-") as scratch:
            out_dir = Path(scratch) / "out"
            _synth(app, out_dir, stage, heat)
            drawn = viewed(out_dir)
    if format == "mermaid" and len(drawn.edges) > MERMAID_MAX_EDGES:
        typer.echo(
            f"warning: {len(drawn.edges)} edges; GitHub and GitLab render at most "
            f"{MERMAID_MAX_EDGES}: draw less with --depth, --focus or a lower --fold",
            err=True,
        )
    typer.echo(render(drawn, format), nl=False)


def _synth(app: str | None, out_dir: Path, stage: str | None, heat: str | None) -> None:
    from hotdsl.project import load_app, resolve_app_reference, target_release
    from hotdsl.synth import synth

    reference, root, config = resolve_app_reference(app, Path.cwd())
    release = target_release(heat, config)
    result, _ = synth(load_app(reference, root), out_dir, [stage] if stage else None, release)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
