"""`hotdsl synth`: write the app's templates and manifest into the out dir."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # the command imports the pipeline when it runs: `--help` stays quick
    from hotdsl.project import ProjectConfig
    from hotdsl.releases import HeatRelease

APP_OPTION = typer.Option(
    None,
    "--app",
    "-a",
    help="FILE.py[:ATTR] or MODULE[:ATTR]; default from [tool.hotdsl] in pyproject.toml.",
)
HEAT_OPTION = typer.Option(
    None,
    "--heat",
    help="The Heat release the cloud runs (2023.1, antelope or a Heat version such as "
    "20.0.0): what it lacks is a problem; default from [tool.hotdsl] heat.",
)


def target_release(heat: str | None, config: ProjectConfig | None) -> HeatRelease | None:
    """The Heat release synth checks against: `--heat`, else the project's `heat` setting.

    Every command that synthesizes uses this, so that each one refuses what synth refuses.
    """
    from hotdsl.errors import HotdslError
    from hotdsl.releases import heat_release

    if heat is None:
        return config.heat if config else None
    try:
        return heat_release(heat)
    except ValueError as exc:
        raise HotdslError(f"--heat: {exc}") from None


def synth(
    app: str | None = APP_OPTION,
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
    heat: str | None = HEAT_OPTION,
) -> None:
    """Synthesize the app into HOT templates, environment files and manifest.json."""
    from hotdsl.project import load_app, resolve_app_reference
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
