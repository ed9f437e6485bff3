"""`hotdsl import`: turn a HOT template (and its environment files) into a hotdsl module.

Templates may come from anyone, so import reads only inside the template's folder (and
the folders named with `--allow-dir`), and a failure of hotdsl itself is one line
saying it is a bug, never a traceback (unless `--debug`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from hotdsl.importer.deployed import DeployedImport
    from hotdsl.importer.roundtrip import RoundTrip
    from hotdsl.importer.survey import HeatCheck

LINE_LENGTH = 88
"""ruff's default line length (`hotdsl.importer.pysource.LINE_LENGTH`)."""
LEVEL_TITLES = {
    "invalid": "Heat would reject the template",
    "warning": "warning",
    "inexact": "the module does not give back exactly this",
    "note": "note",
}


def import_(
    template: Path | None = typer.Argument(
        None, help="The HOT template to import, or a folder of templates."
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
        help="The module to write (default: the template's or stack's "
        "name as .py, here); for a folder or --stacks, where to write (default: imported/).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
    check: bool = typer.Option(
        True, "--check/--no-check", help="Synthesize the module and compare it with the template."
    ),
    line_length: int = typer.Option(
        LINE_LENGTH, "--line-length", help="Lay the code out for this width."
    ),
    allow_dir: list[Path] = typer.Option(
        [],
        "--allow-dir",
        help="A folder outside the template's own that its get_file, template types and "
        "registry entries may read (repeatable).",
    ),
    cloud: str | None = typer.Option(
        None,
        "--cloud",
        help="Ask this cloud's Heat (a clouds.yaml entry, e.g. hotdsl-sandbox) whether it "
        "accepts each template, and label it by Heat's verdict rather than hotdsl's checks; "
        "with --stack or --stacks, the cloud to read the stacks from.",
    ),
    stack: str | None = typer.Option(
        None, "--stack", help="Import this deployed stack (template, environment, files, values)."
    ),
    stacks: bool = typer.Option(
        False, "--stacks", help="Import every deployed stack of the project, as one app."
    ),
    prefix: str = typer.Option(
        "", "--prefix", help="With --stacks: only the stacks whose names start with this."
    ),
    stage: str = typer.Option(
        "deployed", "--stage", help="With --stack(s): the stage that holds the deployed values."
    ),
) -> None:
    """Write a Python module whose app synthesizes back to TEMPLATE (nested templates included).

    Given a folder, import every template in it (each into a folder of its own under the
    out dir) and say which come back exactly. With --stack, import a deployed stack from
    Heat, with a stage of its values; with --stacks, all of a project's stacks as one app.
    """
    from hotdsl.cli.state import STATE
    from hotdsl.errors import HotdslError

    given = [
        f for f, on in (("TEMPLATE", template), ("--stack", stack), ("--stacks", stacks)) if on
    ]
    if len(given) != 1:
        raise HotdslError("name one thing to import: a TEMPLATE, --stack NAME or --stacks")
    if (stack is not None or stacks) and (environment or allow_dir):
        raise HotdslError("-e and --allow-dir belong to a TEMPLATE; Heat has a stack's own")
    if prefix and not stacks:
        raise HotdslError("--prefix applies to --stacks only")
    what = template if template is not None else f"stack {stack}" if stack else "stacks"
    if stack is not None or stacks:
        from hotdsl.importer.deployed import check_stage_name

        check_stage_name(stage)
    try:
        if stack is not None:
            import_stack(stack, cloud, out, stage, force, check, line_length)
            return
        if stacks:
            import_stacks(prefix, cloud, out or Path("imported"), stage, force, check, line_length)
            return
        assert template is not None
        heat = heat_for(cloud)
        if template.is_dir():
            import_folder(template, out or Path("imported"), environment, force, allow_dir, heat)
        else:
            import_file(template, environment, out, force, check, line_length, allow_dir, heat)
    except (HotdslError, typer.Exit):
        raise
    except Exception as exc:
        if STATE.debug:
            raise
        raise HotdslError(
            f"{what}: bug: hotdsl import failed with {type(exc).__name__}"
            f"{': ' + str(exc).splitlines()[0][:200] if str(exc) else ''}; please report it "
            "with the template (--debug shows where)"
        ) from None


def import_stack(
    name: str,
    cloud: str | None,
    out: Path | None,
    stage: str,
    force: bool,
    check: bool,
    line_length: int,
) -> None:
    """`hotdsl import --stack NAME`: the module, the variables to set, the commands to run."""
    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.deployed import read_stack
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.importer.deployed import import_deployed, module_name

    deployed = read_stack(HeatClient(connect(cloud)), name)
    target = out if out is not None else Path(f"{module_name(name)}.py")
    imported = import_deployed(
        deployed, target, stage=stage, force=force, check=check, line_length=line_length
    )
    report_deployed(imported, target, cloud)


def import_stacks(
    prefix: str,
    cloud: str | None,
    out: Path,
    stage: str,
    force: bool,
    check: bool,
    line_length: int,
) -> None:
    """`hotdsl import --stacks`: every stack of the project (or with `--prefix`) as one app."""
    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.deployed import project_stacks, read_stack, remote_children
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.errors import HotdslError
    from hotdsl.importer.deployed import deploy_command
    from hotdsl.importer.deployed import import_stacks as import_all

    client = HeatClient(connect(cloud))
    refs = project_stacks(client, prefix)
    children = remote_children(client, refs)
    for ref in refs:
        if ref.id in children:
            typer.echo(
                f"note: {ref.name} is the stack {children[ref.id]} (OS::Heat::Stack) runs; "
                "it is imported with it"
            )
    refs = [ref for ref in refs if ref.id not in children]
    if not refs:
        where = f" whose names start with {prefix!r}" if prefix else ""
        raise HotdslError(f"no stacks{where} in the project; nothing imported")
    imported = import_all(
        [read_stack(client, ref.name) for ref in refs],
        out,
        stage=stage,
        force=force,
        check=check,
        line_length=line_length,
    )
    for one, module in imported.stacks:
        typer.echo(f"wrote {out / module}.py (stack {one.stack}, class {one.result.class_name})")
        for level in ("invalid", "warning", "inexact"):
            for finding in one.result.findings_of(level):
                typer.echo(f"{LEVEL_TITLES[level]}: {finding}", err=True)
        if one.round_trip is not None:
            report_round_trip(one.round_trip, bool(one.result.environment_data))
        for parameter, variable in one.secrets:
            typer.echo(
                f"note: {one.stack}: {parameter} is hidden (Heat shows ******): set {variable} "
                "to its value before diff and deploy"
            )
    for link in imported.links:
        typer.echo(
            f"linked: {link.stack}.{link.parameter} takes output {link.output} of {link.source}"
        )
    typer.echo(f"wrote {imported.app} (the app: {len(imported.stacks)} stacks, stage {stage!r})")
    cloud_option = f" --cloud {cloud}" if cloud else ""
    typer.echo(f"next: hotdsl diff --app {imported.app} --stage {stage}{cloud_option}")
    command = deploy_command(imported.app, stage, cloud, [one.stack for one, _ in imported.stacks])
    typer.echo(
        f"then, to let hotdsl manage the stacks (the deploy changes nothing but their tags): "
        f"{command}"
    )


def report_deployed(imported: DeployedImport, target: Path, cloud: str | None) -> None:
    from hotdsl.importer.deployed import deploy_command

    result = imported.result
    typer.echo(
        f"wrote {target} (stack class {result.class_name}, stage {imported.stage!r} "
        f"with the values of stack {imported.stack})"
    )
    for path in imported.written[1:]:
        typer.echo(f"kept {path}")
    for level in ("invalid", "warning", "inexact", "note"):
        for finding in result.findings_of(level):
            typer.echo(f"{LEVEL_TITLES[level]}: {finding}", err=level != "note")
    if imported.round_trip is not None:
        report_round_trip(imported.round_trip, bool(result.environment_data))
    for parameter, variable in imported.secrets:
        typer.echo(
            f"note: {parameter} is hidden (Heat shows ******): set {variable} to its value "
            "before diff and deploy"
        )
    for parameter in imported.moved_defaults:
        typer.echo(
            f"note: {parameter} is hidden and its template default is a secret: the module "
            "reads it from the environment instead, so the first deploy takes the default "
            "out of the template (its value stays)"
        )
    cloud_option = f" --cloud {cloud}" if cloud else ""
    typer.echo(f"next: hotdsl diff --app {target} --stage {imported.stage}{cloud_option}")
    typer.echo(
        f"then, to let hotdsl manage the stack (the deploy changes nothing but its tags): "
        f"{deploy_command(target, imported.stage, cloud, [imported.stack])}"
    )


def heat_for(cloud: str | None) -> HeatCheck | None:
    """Heat's verdict on a validate request, from the cloud named `cloud` (None: not asked)."""
    if cloud is None:
        return None
    from hotdsl.deploy.connection import connect
    from hotdsl.importer.survey import heat_check

    return heat_check(connect(cloud))


def import_file(
    template: Path,
    environment: list[Path],
    out: Path | None,
    force: bool,
    check: bool,
    line_length: int,
    allow_dir: list[Path],
    heat: HeatCheck | None = None,
) -> None:
    """`hotdsl import TEMPLATE`: write the module, say what was found and how it comes back."""
    from hotdsl.importer import import_template, write_import
    from hotdsl.importer.names import snake_case
    from hotdsl.importer.roundtrip import check_round_trip
    from hotdsl.importer.survey import original_request

    result = import_template(template, environment, line_length=line_length, allow_dirs=allow_dir)
    target = (
        out
        if out is not None
        else Path(f"{snake_case(template.name.split('.')[0]) or 'template'}.py")
    )
    written = write_import(result, target, force=force)
    typer.echo(f"wrote {target} (stack class {result.class_name})")
    for path in written[1:]:
        typer.echo(f"kept {path}")
    for level in ("invalid", "warning", "inexact", "note"):
        for finding in result.findings_of(level):
            typer.echo(f"{LEVEL_TITLES[level]}: {finding}", err=level != "note")
    outcome = None
    if check:
        outcome = check_round_trip(
            target, template, dict(result.nested_templates), result.environment_data
        )
        report_round_trip(outcome, bool(result.environment_data))
    if heat is not None:
        verdict = heat(original_request(result, stub_missing_files=False))
        typer.echo(
            "Heat: accepts the template" if verdict is None else f"Heat: rejects it: {verdict}",
            err=verdict is not None,
        )
        if outcome is not None and outcome.request is not None and verdict is None:
            again = heat(outcome.request)
            if again is not None:
                typer.echo(f"Heat: rejects what the module synthesizes: {again}", err=True)
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


def import_folder(
    folder: Path,
    out: Path,
    environment: list[Path],
    force: bool,
    allow_dir: list[Path],
    heat: HeatCheck | None = None,
) -> None:
    """`hotdsl import FOLDER`: survey a template set, one line per file as it goes, and a
    summary; exit 1 if hotdsl failed on a file (a `bug:` line), after all the others."""
    from hotdsl.errors import HotdslError
    from hotdsl.importer.survey import entry_line, survey

    if environment:
        raise HotdslError(
            "-e belongs to one template; import the template that uses the environment on its own"
        )
    if out.exists() and not out.is_dir():
        raise HotdslError(f"{out} is not a folder; name a folder to write the modules into")
    result = survey(
        folder,
        out,
        stub_missing_files=False,
        force=force,
        allow_dirs=allow_dir,
        on_entry=lambda entry: typer.echo(entry_line(entry)),
        heat=heat,
    )
    counts = result.counts()
    templates = result.templates
    others = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if k != "exact")
    typer.echo(
        f"{counts.get('exact', 0)} of {len(templates)} templates come back exactly"
        + (f"; {others}" if others else "")
        + (" (valid and invalid as Heat says)" if heat is not None else "")
    )
    if counts.get("bug"):
        raise typer.Exit(1)
