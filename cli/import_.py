"""`hotdsl import`: turn a HOT template (and its environment files) into a hotdsl module."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from hotdsl.importer.roundtrip import RoundTrip

LINE_LENGTH = 88
"""ruff's default line length (`hotdsl.importer.pysource.LINE_LENGTH`)."""
LEVEL_TITLES = {
    "invalid": "Heat would reject the template",
    "inexact": "the module does not give back exactly this",
    "note": "note",
}


def import_(
    template: Path = typer.Argument(
        ..., help="The HOT template to import, or a folder of templates."
    ),
    environment: list[Path] = typer.Option(
        [],
        "--environment",
        "-e",
        help="An environment file of the template (repeatable, in order).",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="The module to write (default: the template's "
        "name as .py, here); for a folder, where to write (default: imported/).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    check: bool = typer.Option(
        True, "--check/--no-check", help="Synthesize the module and compare it with the template."
    ),
    line_length: int = typer.Option(
        LINE_LENGTH, "--line-length", help="Lay the code out for this width."
    ),
) -> None:
    """Write a Python module whose app synthesizes back to TEMPLATE (nested templates included).

    Given a folder, import every template in it (each into a folder of its own under the
    out dir) and say which come back exactly.
    """
    from hotdsl.importer import import_template, write_import
    from hotdsl.importer.names import snake_case
    from hotdsl.importer.roundtrip import check_round_trip

    if template.is_dir():
        import_folder(template, out or Path("imported"), environment, force)
        return
    result = import_template(template, environment, line_length=line_length)
    target = (
        out
        if out is not None
        else Path(f"{snake_case(template.name.split('.')[0]) or 'template'}.py")
    )
    written = write_import(result, target, force=force)
    typer.echo(f"wrote {target} (stack class {result.class_name})")
    for path in written[1:]:
        typer.echo(f"kept {path}")
    for level in ("invalid", "inexact", "note"):
        for finding in result.findings_of(level):
            typer.echo(f"{LEVEL_TITLES[level]}: {finding}", err=level != "note")
    if check:
        report_round_trip(
            check_round_trip(
                target, template, dict(result.nested_templates), result.environment_data
            ),
            bool(result.environment_data),
        )
    typer.echo(f"next: hotdsl synth --app {target}")


def report_round_trip(outcome: RoundTrip, environment: bool) -> None:
    if outcome.exact:
        typer.echo(
            "round trip: synth gives back the same template"
            + (" and environment" if environment else "")
        )
        return
    if outcome.error:
        typer.echo(f"round trip: the module does not run: {outcome.error}", err=True)
    for problem in outcome.invalid:
        typer.echo(f"round trip: template invalid: {problem}", err=True)
    for difference in outcome.differences:
        typer.echo(f"round trip: differs at {difference}", err=True)


def import_folder(folder: Path, out: Path, environment: list[Path], force: bool) -> None:
    """`hotdsl import FOLDER`: survey a template set, one line per file and a summary."""
    from hotdsl.errors import HotdslError
    from hotdsl.importer.survey import survey

    if environment:
        raise HotdslError(
            "-e belongs to one template; import the template that uses the environment on its own"
        )
    result = survey(folder, out, stub_missing_files=False, force=force)
    for entry in result.entries:
        where = f" -> {entry.module}" if entry.module is not None else ""
        detail = f": {entry.detail[0]}" if entry.detail else ""
        typer.echo(f"{entry.outcome}: {entry.path}{where}{detail}")
    counts = result.counts()
    templates = result.templates
    others = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if k != "exact")
    typer.echo(
        f"{counts.get('exact', 0)} of {len(templates)} templates come back exactly"
        + (f"; {others}" if others else "")
    )
