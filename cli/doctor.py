"""`hotdsl doctor`: quick checks of the app, the cloud and the app's stacks, with what to do.

The checks live in `hotdsl.deploy.doctor`; this command finds the app as the other
commands do (`--app`, else `[tool.hotdsl]`), runs them and prints one line per check,
or with `--json` the report for CI. Exit code 1 when a check fails.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from hotdsl.cli import options

if TYPE_CHECKING:
    from collections.abc import Callable

    from hotdsl.construct import App


def doctor(
    app: options.App = None,
    cloud: options.Cloud = None,
    region: options.Region = None,
    stage: str | None = typer.Option(
        None, "--stage", "-s", help="Check this stage's environment and stacks only."
    ),
    heat: options.Heat = None,
    as_json: bool = typer.Option(False, "--json", help="The checks as JSON, for CI."),
) -> None:
    """Check the app, the cloud entry, Heat and the app's stacks; say what to do about each."""
    from hotdsl.deploy.doctor import diagnose
    from hotdsl.project import find_config, load_app, resolve_app_reference, target_release
    from hotdsl.secrets import mask_data

    loader: Callable[[], App] | None = None
    config = find_config(Path.cwd())
    if app is not None or config is not None:
        reference, root, config = resolve_app_reference(app, Path.cwd())
        loader = functools.partial(load_app, reference, root)
    report = diagnose(
        cloud=cloud,
        region=region,
        project_cloud=config.cloud if config is not None else None,
        load_app=loader,
        stage=stage,
        heat=target_release(heat, config),
    )
    if as_json:
        typer.echo(json.dumps(mask_data(report.to_json()), indent=2))
    else:
        typer.echo(report.render())
    if not report.ok:
        raise typer.Exit(1)
