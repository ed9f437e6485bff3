"""`hotdsl validate`: synth's checks, and with `--cloud` Heat's own template validation."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from hotdsl.cli.options import App, Heat

OUT_OPTION = typer.Option(
    None, "--out", "-o", help="Write the synthesized files here (default: a temporary dir)."
)


def validate(
    app: App = None,
    cloud: str | None = typer.Option(
        None,
        "--cloud",
        help="Also have this cloud's Heat validate each stack (a clouds.yaml entry, "
        "e.g. hotdsl-sandbox). Without it only the local checks run.",
    ),
    stage: str | None = typer.Option(
        None, "--stage", help="Validate with this stage's environment files."
    ),
    out: Path | None = OUT_OPTION,
    heat: Heat = None,
) -> None:
    """Check the app: the same checks as `hotdsl synth`; with --cloud, Heat's verdict per stack."""
    from hotdsl.project import load_app, resolve_app_reference, target_release
    from hotdsl.synth import synth, synthesize

    reference, root, config = resolve_app_reference(app, Path.cwd())
    release = target_release(heat, config)
    loaded = load_app(reference, root)
    if cloud is None:
        result = synthesize(loaded, [stage] if stage else None, release)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for stack in result.stacks:
            typer.echo(f"{stack.stack.stack_name}: valid (local checks)")
        return

    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.validation import validate_out_dir

    with tempfile.TemporaryDirectory(prefix="hotdsl-validate-") as scratch:
        out_dir = out if out is not None else Path(scratch)
        result, _manifest = synth(loaded, out_dir, [stage] if stage else None, release)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        verdicts = validate_out_dir(connect(cloud), out_dir, stage=stage)
    for verdict in verdicts:
        typer.echo(f"{verdict} (Heat on {cloud})")
    if not all(verdict.ok for verdict in verdicts):
        raise typer.Exit(1)
