"""`hotdsl init`: scaffold a new project that synthesizes at once."""

from __future__ import annotations

from pathlib import Path

import typer


def init(
    directory: Path = typer.Argument(Path("."), help="Folder for the new project (new or empty)."),
) -> None:
    """Create a new hotdsl project: pyproject.toml, an app with one stack, and a test."""
    from hotdsl.scaffold import scaffold_project

    for path in scaffold_project(directory):
        typer.echo(f"created {path}")
    typer.echo(f"next: cd {directory} && hotdsl synth && pytest")
