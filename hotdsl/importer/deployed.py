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

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from hotdsl.deploy.deployed import DeployedStack, own_environment
from hotdsl.errors import HotdslError
from hotdsl.importer import ImportResult, StageValues, import_template, write_import
from hotdsl.importer.names import snake_case
from hotdsl.importer.pysource import LINE_LENGTH
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


def secret_variable(stack: str, parameter: str) -> str:
    """The environment variable that gives a hidden parameter its value: `STACK_PARAMETER`."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", f"{stack}_{parameter}").strip("_").upper()
    return text if text and not text[0].isdigit() else f"HOTDSL_{text}"


def module_name(stack: str) -> str:
    """A Python module name for a stack's name."""
    name = snake_case(stack) or "stack"
    return name if name.isidentifier() else f"stack_{name}"


def import_deployed(
    stack: DeployedStack,
    out: Path,
    *,
    stage: str = DEFAULT_STAGE,
    force: bool = False,
    check: bool = True,
    line_length: int = LINE_LENGTH,
) -> DeployedImport:
    """Write the module for a deployed stack to `out` (its files next to it)."""
    _check_file_keys(stack)
    hidden = stack.hidden()
    environment = own_environment(stack)
    given = environment.pop("parameters", None) or {}
    defaults = dict(environment.get("parameter_defaults") or {})
    order = list(stack.template.get("parameters") or {})
    values = tuple((k, given[k]) for k in order if k in given and k not in hidden)
    secret_names = [k for k in order if k in hidden and (k in given or k in defaults)]
    for name in secret_names:  # a hidden default of the environment is read at deploy too
        defaults.pop(name, None)
    if defaults:
        environment["parameter_defaults"] = defaults
    else:
        environment.pop("parameter_defaults", None)
    secrets = tuple((k, secret_variable(stack.name, k)) for k in secret_names)
    with tempfile.TemporaryDirectory(prefix="hotdsl-import-") as folder:
        home = Path(folder)
        template = home / f"{module_name(stack.name)}.yaml"
        while template.name in stack.files or f"{template.stem}.env.yaml" in stack.files:
            template = home / f"stack_{template.name}"
        template.write_text(_yaml(stack.template), encoding="utf-8")
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
            stage=StageValues(stage, values, secrets),
        )
        written = write_import(result, out, force=force)
        outcome = None
        if check:
            outcome = check_round_trip(
                out, template, dict(result.nested_templates), result.environment_data
            )
    return DeployedImport(stack.name, result, tuple(written), stage, secrets, outcome)


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


def deploy_command(imported: DeployedImport, app: Path, cloud: str | None) -> str:
    """The deploy that takes the stack over (the user's explicit consent)."""
    cloud_option = f" --cloud {cloud}" if cloud else ""
    return (
        f"hotdsl deploy --app {app} --stage {imported.stage}{cloud_option} "
        f"--take-over {imported.stack}"
    )

