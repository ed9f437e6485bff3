"""`hotdsl synth`: write the app's templates and manifest into the out dir."""

from __future__ import annotations

from pathlib import Path

import typer

from hotdsl.cli.options import App, Heat


def synth(
    app: App = None,
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="Out dir (default: hot.out/ next to the config). Replaced as a whole; "
        "files of yours in it are kept.",
    ),
    stage: list[str] | None = typer.Option(
        None,
        "--stage",
        "-s",
        help="Write only this stage's environment files (repeatable; default: all stages).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
    heat: Heat = None,
) -> None:
    """Synthesize the app into HOT templates, environment files and manifest.json."""
    from hotdsl.project import load_app, resolve_app_reference, target_release
    from hotdsl.synth import synth as run_synth

    reference, root, config = resolve_app_reference(app, Path.cwd())
    out_dir = out if out is not None else (config.root / config.out if config else Path("hot.out"))
    release = target_release(heat, config)
    result, manifest = run_synth(load_app(reference, root), out_dir, stage or None, release)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if quiet:
        return
    for stack, entry in zip(result.stacks, manifest.stacks, strict=True):
        count = len(stack.template["resources"])
        extras = (
            [f"{len(entry.files)} file{'s' if len(entry.files) != 1 else ''}"]
            if entry.files
            else []
        )
        extras += [f"stages: {', '.join(entry.stages)}"] if entry.stages else []
        detail = "; ".join([f"{count} resource{'s' if count != 1 else ''}", *extras])
        typer.echo(f"{stack.stack.stack_name}: {out_dir / stack.file_name} ({detail})")
