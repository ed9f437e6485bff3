"""Importing a deployed stack: Heat's template, environment, files and values -> a module.

The stack's template, its files (nested templates, `get_file` files) and its own
environment are laid out in a private folder as the files they were, and imported
there like any template (`import_template`), so a deployed stack and a template on
disk become the same code. The values its deploys gave the parameters become a
`Stage`; a hidden value, which Heat never shows again, becomes `from_env(VARIABLE)`,
and the import says which variable to set. Nothing hidden is written anywhere.

The module then synthesizes the template Heat holds, so `hotdsl diff` finds nothing to
change and the first deploy (`--take-over NAME`, the user's consent) only tags the
stack as hotdsl's.
"""

from __future__ import annotations

import keyword
import re
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from hotdsl.deploy.deployed import DeployedStack, own_environment
from hotdsl.errors import HotdslError
from hotdsl.importer import ImportResult, StageValues, import_template, write_import
from hotdsl.importer.disk import write_atomically
from hotdsl.importer.names import snake_case
from hotdsl.importer.pysource import LINE_LENGTH, string
from hotdsl.importer.roundtrip import RoundTrip, check_round_trip
from hotdsl.synth.emit import emit_yaml

DEFAULT_STAGE = "deployed"


@attrs.frozen
class DeployedImport:
    """A deployed stack, imported: the module written and what the user must do next."""

    stack: str
    result: ImportResult
    written: tuple[Path, ...]
    stage: str
    secrets: tuple[tuple[str, str], ...]
    """(hidden parameter, environment variable to set before diff and deploy)."""
    round_trip: RoundTrip | None
    moved_defaults: tuple[str, ...] = ()
    """Hidden parameters whose template default (a secret) the module reads from the
    environment instead: the first deploy takes the default out of the template."""


def check_stage_name(stage: str) -> None:
    """The stage name the module will use is one `Stage` takes."""
    if not stage or not stage.replace("-", "").replace("_", "").isalnum() or not stage.isascii():
        raise HotdslError(f"--stage {stage!r}: a stage name is letters, digits, '-' or '_'")


def secret_variable(stack: str, parameter: str) -> str:
    """The environment variable that gives a hidden parameter its value: `STACK_PARAMETER`."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", f"{stack}_{parameter}").strip("_").upper()
    return text if text and not text[0].isdigit() else f"HOTDSL_{text}"


def module_name(stack: str) -> str:
    """A Python module name for a stack's name."""
    name = snake_case(stack) or "stack"
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"stack_{name}"


def import_deployed(
    stack: DeployedStack,
    out: Path,
    *,
    stage: str = DEFAULT_STAGE,
    force: bool = False,
    check: bool = True,
    line_length: int = LINE_LENGTH,
    part_of_app: bool = False,
    linked: frozenset[str] = frozenset(),
    workspace: Path | None = None,
) -> DeployedImport:
    """Write the module for a deployed stack to `out` (its files next to it).

    With `part_of_app` the module defines `add(app, stage)` instead of an app of its own;
    `linked` parameters take another stack's output, so the stage leaves them out. The
    stack's files are laid out in `workspace` (kept, for a later round trip) or in a
    temporary folder.
    """
    if workspace is not None:
        workspace.mkdir(parents=True)
        return _import_deployed(
            stack, out, workspace, stage, force, check, line_length, part_of_app, linked
        )
    with tempfile.TemporaryDirectory(prefix="hotdsl-import-") as folder:
        return _import_deployed(
            stack, out, Path(folder), stage, force, check, line_length, part_of_app, linked
        )


def _import_deployed(
    stack: DeployedStack,
    out: Path,
    home: Path,
    stage: str,
    force: bool,
    check: bool,
    line_length: int,
    part_of_app: bool,
    linked: frozenset[str],
) -> DeployedImport:
    check_stage_name(stage)
    _check_file_keys(stack)
    hidden = stack.hidden()
    environment = own_environment(stack)
    given = environment.pop("parameters", None) or {}
    defaults = dict(environment.get("parameter_defaults") or {})
    order = list(stack.template.get("parameters") or {})
    values = tuple(
        (k, given[k]) for k in order if k in given and k not in hidden and k not in linked
    )
    template_data, moved = _without_hidden_defaults(stack.template, hidden)
    secret_names = [k for k in order if k in hidden and (k in given or k in defaults or k in moved)]
    for name in secret_names:  # a hidden default of the environment is read at deploy too
        defaults.pop(name, None)
    if defaults:
        environment["parameter_defaults"] = defaults
    else:
        environment.pop("parameter_defaults", None)
    variables: dict[str, str] = {}
    for name in secret_names:  # `db-password` and `db_password` need two variables
        variable = base = secret_variable(stack.name, name)
        number = 2
        while variable in variables.values():
            variable, number = f"{base}_{number}", number + 1
        variables[name] = variable
    secrets = tuple(variables.items())
    template = home / f"{module_name(stack.name)}.yaml"
    while template.name in stack.files or f"{template.stem}.env.yaml" in stack.files:
        template = home / f"stack_{template.name}"
    template.write_text(_yaml(template_data), encoding="utf-8")
    for key, text in stack.files.items():
        target = home.joinpath(*PurePosixPath(key).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    environments: list[Path] = []
    if environment:
        env_file = home / f"{template.stem}.env.yaml"
        env_file.write_text(_yaml(environment), encoding="utf-8")
        environments.append(env_file)
    result = import_template(
        template,
        environments,
        line_length=line_length,
        home=home,
        stack_id=stack.name,
        stage=StageValues(stage, values, secrets, part_of_app),
        source_name=f"of the deployed stack {stack.name}",
    )
    written = write_import(result, out, force=force)
    outcome = None
    if check and not part_of_app:
        outcome = check_round_trip(
            out, template, dict(result.nested_templates), result.environment_data
        )
    return DeployedImport(stack.name, result, tuple(written), stage, secrets, outcome, tuple(moved))


def _without_hidden_defaults(
    template: dict[str, Any], hidden: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """The template without the defaults of its hidden parameters (Heat returns them in
    clear), and the names of those parameters: their values come from the environment."""
    definitions = template.get("parameters")
    if not isinstance(definitions, dict):
        return template, []
    moved = [
        str(name)
        for name, spec in definitions.items()
        if name in hidden and isinstance(spec, dict) and spec.get("default") is not None
    ]
    if not moved:
        return template, []
    parameters = {
        name: {k: v for k, v in spec.items() if k != "default"} if name in moved else spec
        for name, spec in definitions.items()
    }
    return {**template, "parameters": parameters}, moved


def _yaml(data: dict[str, Any]) -> str:
    try:
        return emit_yaml(data)
    except (TypeError, ValueError) as exc:
        raise HotdslError(f"Heat returned data hotdsl cannot read back as YAML: {exc}") from None


def _check_file_keys(stack: DeployedStack) -> None:
    """Every files-map key is a plain relative path, as the module will keep it next to itself.

    A client that sends absolute `file://` URLs (python-heatclient does) or a path out of
    the folder cannot be kept as it is; say so rather than change the stack's template.
    """
    for key in stack.files:
        path = PurePosixPath(key)
        if (
            not key
            or "://" in key
            or path.is_absolute()
            or ".." in path.parts
            or "\\" in key
            or "\0" in key
        ):
            raise HotdslError(
                f"stack {stack.name}: its files map holds {key[:100]!r}, not a relative path; "
                "hotdsl import --stack keeps files under the names the template uses, so it "
                "imports stacks whose files are relative paths (as hotdsl deploys them). "
                "Import the template files themselves with `hotdsl import TEMPLATE`"
            )


def deploy_command(app: Path, stage: str, cloud: str | None, stacks: Sequence[str]) -> str:
    """The deploy that takes the imported stacks over (the user's explicit consent)."""
    cloud_option = f" --cloud {shlex.quote(cloud)}" if cloud else ""
    take_over = " ".join(f"--take-over {shlex.quote(name)}" for name in stacks)
    return f"hotdsl deploy --app {shlex.quote(str(app))} --stage {stage}{cloud_option} {take_over}"


MIN_LINK_LENGTH = 8
"""Shorter values (`m1`, `true`, `80`) match outputs by chance; ids and addresses do not."""
APP_MODULE = "app"


@attrs.frozen
class Link:
    """A parameter whose deployed value is an output of another stack."""

    stack: str
    parameter: str
    source: str
    output: str


@attrs.frozen
class StacksImport:
    """A project's stacks, imported as one app: a module per stack and `app.py`."""

    app: Path
    stacks: tuple[tuple[DeployedImport, str], ...]
    """(the import, its module name), in the app's order."""
    links: tuple[Link, ...]
    stage: str


def find_links(stacks: Sequence[DeployedStack]) -> list[Link]:
    """Parameters given a value equal to exactly one output value of another stack.

    Only values the stacks' deploys gave (not defaults, not hidden ones) of at least
    `MIN_LINK_LENGTH` characters count; a link that would close a cycle is left out.
    """
    outputs: dict[str, list[tuple[str, str]]] = {}
    for stack in stacks:
        for key, value in stack.outputs.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                outputs.setdefault(str(value), []).append((stack.name, key))
    uses: dict[str, set[str]] = {stack.name: set() for stack in stacks}
    links: list[Link] = []
    for stack in stacks:
        hidden = stack.hidden()
        env = stack.environment
        given = {**(env.get("parameter_defaults") or {}), **(env.get("parameters") or {})}
        for parameter in stack.template.get("parameters") or {}:
            value = given.get(parameter)
            if parameter in hidden or not isinstance(value, (str, int, float)):
                continue
            if isinstance(value, bool) or len(str(value)) < MIN_LINK_LENGTH:
                continue
            found = [(s, o) for s, o in outputs.get(str(value), []) if s != stack.name]
            if len(found) != 1:
                continue
            source, output = found[0]
            if _reaches(uses, source, stack.name):
                continue
            uses[stack.name].add(source)
            links.append(Link(stack.name, str(parameter), source, output))
    return links


def _reaches(uses: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether `start` uses `goal`, directly or through other stacks."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(uses.get(name, ()))
    return False


def app_module_names(names: Sequence[str]) -> dict[str, str]:
    """A distinct module name per stack name, none shadowing `app`, hotdsl or the stdlib."""
    taken = {APP_MODULE, "hotdsl", *sys.stdlib_module_names}
    out: dict[str, str] = {}
    for name in names:
        module = module_name(name)
        if module in taken:
            module = f"stack_{module}"
        candidate, number = module, 2
        while candidate in taken:
            candidate, number = f"{module}_{number}", number + 1
        taken.add(candidate)
        out[name] = candidate
    return out


def import_stacks(
    stacks: Sequence[DeployedStack],
    out: Path,
    *,
    stage: str = DEFAULT_STAGE,
    force: bool = False,
    check: bool = True,
    line_length: int = LINE_LENGTH,
) -> StacksImport:
    """Write one module per stack into the folder `out`, and `app.py` making them one app.

    A parameter whose value is another stack's output (`find_links`) takes that output at
    deploy (`Parameter.take_output`), so the app deploys the stacks in order.
    """
    check_stage_name(stage)
    if not stacks:
        raise HotdslError("no stacks to import")
    _check_shared_files(stacks)
    links = find_links(stacks)
    modules = app_module_names([stack.name for stack in stacks])
    order = _dependency_order([stack.name for stack in stacks], links)
    by_name = {stack.name: stack for stack in stacks}
    if out.exists() and not out.is_dir():
        raise HotdslError(f"{out} is not a folder; name a folder to write the modules into")
    out.mkdir(parents=True, exist_ok=True)
    app_file = out / f"{APP_MODULE}.py"
    if app_file.exists() and not force:
        raise HotdslError(f"{app_file} exists; pass --force to overwrite it")
    done: list[tuple[DeployedImport, str]] = []
    with tempfile.TemporaryDirectory(prefix="hotdsl-import-") as folder:
        for name in order:
            linked = frozenset(link.parameter for link in links if link.stack == name)
            imported = import_deployed(
                by_name[name],
                out / f"{modules[name]}.py",
                stage=stage,
                force=force,
                check=False,
                line_length=line_length,
                part_of_app=True,
                linked=linked,
                workspace=Path(folder) / modules[name],
            )
            done.append((imported, modules[name]))
        write_atomically(app_file, _app_source(done, links, stage).encode("utf-8"))
        if check:
            done = [(_round_trip(app_file, imported), module) for imported, module in done]
    return StacksImport(app_file, tuple(done), tuple(links), stage)


def _round_trip(app: Path, imported: DeployedImport) -> DeployedImport:
    """The import, with what synthesizing its stack of the whole app gives back."""
    result = imported.result
    outcome = check_round_trip(
        app,
        result.template,
        dict(result.nested_templates),
        result.environment_data,
        stack_name=imported.stack,
    )
    return attrs.evolve(imported, round_trip=outcome)


def _check_shared_files(stacks: Sequence[DeployedStack]) -> None:
    """Modules share one folder: two stacks may not keep different files under one name."""
    seen: dict[str, tuple[str, str]] = {}
    for stack in stacks:
        for key, text in stack.files.items():
            other = seen.setdefault(key, (stack.name, text))
            if other[1] != text:
                raise HotdslError(
                    f"stacks {other[0]} and {stack.name} both have a file {key!r}, with "
                    "different contents; import them one at a time with --stack into "
                    "folders of their own"
                )


def _dependency_order(names: Sequence[str], links: Sequence[Link]) -> list[str]:
    """Stack names, each after the stacks whose outputs it takes (links have no cycles)."""
    uses = {name: [link.source for link in links if link.stack == name] for name in names}
    out: list[str] = []

    def visit(name: str) -> None:
        if name in out:
            return
        for source in uses[name]:
            visit(source)
        out.append(name)

    for name in names:
        visit(name)
    return out


def _app_source(
    done: Sequence[tuple[DeployedImport, str]], links: Sequence[Link], stage: str
) -> str:
    variables = {imported.stack: f"{module}_stack" for imported, module in done}
    attributes = {
        imported.stack: dict(imported.result.parameter_attributes) for imported, _ in done
    }
    lines = [
        '"""The deployed stacks, imported from Heat by `hotdsl import --stacks` as one app."""',
        "",
        "from hotdsl import App, Stage",
        "",
        *sorted(f"import {module}" for _, module in done),
        "",
        "app = App()",
        f"stage = Stage(app, {string(stage).text})",
    ]
    for imported, module in done:
        lines.append(f"{variables[imported.stack]} = {module}.add(app, stage)")
    for link in links:
        attribute = attributes[link.stack][link.parameter]
        lines.append(
            f"{variables[link.stack]}.{attribute}.take_output("
            f"{variables[link.source]}, {string(link.output).text})"
        )
    return "\n".join(lines) + "\n"
