"""What a deploy sends to Heat for each stack: built from the out dir that synth wrote.

One `StackRequest` per stack holds the template text, the files map, the environment
files in the order Heat merges them, and the parameters that come from elsewhere:
`--parameter` overrides (sent as the last environment file, so they win over the
stage's files, as the user expects), secrets read from the deployer's machine, and
values of other stacks' outputs (cross-stack references). Secrets, overrides of
hidden parameters and cross-stack values travel as plain request parameters, never in
a file Heat stores (Heat shows the files map to anyone who can read the stack). Every
value a hidden parameter gets is registered with `hotdsl.secrets`, so that no output
shows it.

A manifest synthesized in the same run comes from the user's own code, and its
secrets are read as it says. A manifest read from disk (`--from DIR`) may come from a
pull request, which controls the templates too: any value it has deploy send can come
back out through an output or a resource. So its secrets are read only from places
the deployer vouches for (`SecretSources`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import yaml

from hotdsl import secrets
from hotdsl.deploy.hidden import hidden_parameters, hidden_values
from hotdsl.errors import HotdslError
from hotdsl.heat_yaml import load_heat_yaml
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest, StackEntry

OVERRIDES_FILE = "hotdsl-overrides.env.yaml"
"""The environment file that carries `--parameter` overrides (but those of hidden parameters); it is applied last."""


@attrs.frozen
class StackRequest:
    """Everything Heat needs to create, update, preview or validate one stack."""

    entry: StackEntry
    stack_name: str
    template: str
    files: dict[str, str]
    environment_files: tuple[str, ...]
    parameters: dict[str, object] = attrs.field(factory=dict)
    """Request parameters: secrets, overrides of hidden parameters and cross-stack values."""
    secret_names: frozenset[str] = frozenset()
    """The parameters whose request value is a secret (from the stage, or a hidden override)."""

    def body(self) -> dict[str, Any]:
        """The JSON body of Heat's create, update, preview and validate calls."""
        body: dict[str, Any] = {"template": self.template, "files": dict(self.files)}
        if self.environment_files:
            body["environment_files"] = list(self.environment_files)
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body

    def with_parameters(self, values: Mapping[str, object]) -> StackRequest:
        return attrs.evolve(self, parameters={**self.parameters, **values})


CREDENTIAL_VARIABLES = re.compile(
    r"(OS|HOTDSL|AWS|AZURE|ARM|GOOGLE|GCLOUD|CLOUDSDK|GITHUB|GH|ACTIONS|RUNNER|CI|GITLAB"
    r"|BITBUCKET|BUILDKITE|CIRCLE|TRAVIS|JENKINS|VAULT|SSH|GPG|GNUPG|DOCKER|REGISTRY|KUBE"
    r"|HELM|TF|NPM|NODE_AUTH|TWINE|PYPI|UV|PIP|CARGO|GIT)(_.*)?|KUBECONFIG|NETRC",
    re.IGNORECASE,
)
"""Environment variables that hold the deployer's own credentials, or steer the tools that
use them: a manifest from disk may not name them (OpenStack's OS_*, hotdsl's
HOTDSL_SECRET_KEY, CI tokens, cloud and registry logins). A blocklist, so not complete;
`SecretSources` names what else is refused."""


@attrs.frozen
class SecretSources:
    """Where the secrets of a manifest from disk (`--from DIR`) may be read.

    A `from_file` path must be relative and lie inside the project folder (the working
    directory, links resolved), with no part hidden by a leading dot (`.git/config`
    holds CI tokens, `.env` files and `.ssh/` keys): or it lies in a folder the
    deployer names (`--allow-secret-dir`), where any path is fine. A `from_env` may not
    name a credential variable (`CREDENTIAL_VARIABLES`) unless the deployer names it
    (`--allow-secret-env`).
    """

    project: Path
    """The project folder: the working directory, where relative paths are read."""
    allowed_dirs: tuple[Path, ...] = ()
    allowed_variables: frozenset[str] = frozenset()

    def variable_refusal(self, variable: str) -> str | None:
        """Why a manifest from disk may not name this environment variable, or None."""
        if variable in self.allowed_variables or not CREDENTIAL_VARIABLES.fullmatch(variable):
            return None
        return (
            "which holds the deployer's credentials or steers their tools; a manifest read "
            f"with --from may not name it (if the app means it, pass --allow-secret-env {variable})"
        )

    def file_refusal(self, name: str) -> str | None:
        """Why a manifest from disk may not name this file, or None."""
        try:
            path = Path(name).expanduser()
            project = self.project.resolve()
            resolved = (project / path).resolve()
            allowed = [folder.expanduser().resolve() for folder in self.allowed_dirs]
        except (OSError, RuntimeError, ValueError) as exc:
            return f"it cannot be resolved ({exc})"
        if any(resolved.is_relative_to(folder) for folder in allowed):
            return None
        if path.is_absolute() or name.startswith("~"):
            why = "it is not a path relative to the project folder"
        elif not resolved.is_relative_to(project):
            why = "it leads out of the project folder"
        elif any(part.startswith(".") and part != ".." for part in path.parts):
            why = "a part of it starts with a dot (such files hold credentials: .git, .ssh, .env)"
        elif project in (Path.home().resolve(), Path(project.anchor)):
            why = f"the working directory {project} is your home folder or the root, not a project"
        else:
            return None
        return (
            f"{why}; a manifest read with --from may name only files inside the project "
            f"folder {project} (or pass --allow-secret-dir DIR for the folder that holds it)"
        )


@attrs.frozen
class DeployOptions:
    """What the user chose on the command line, for every stack of one deploy."""

    stage: str | None = None
    parameters: Mapping[str, str] = attrs.field(factory=dict)
    """`--parameter KEY=VALUE` (or STACK:KEY=VALUE) overrides."""
    environment_files: Sequence[Path] = ()
    """`--environment FILE`, applied after the stage's files."""
    secret_sources: SecretSources | None = None
    """Where secrets may be read, for a manifest from disk; None: where the manifest says."""


def load_manifest(out_dir: Path) -> Manifest:
    try:
        return Manifest.load(out_dir)
    except FileNotFoundError:
        raise HotdslError(f"{out_dir} has no manifest.json; run `hotdsl synth` first") from None
    except (OSError, ValueError, LookupError, TypeError, AttributeError) as exc:
        # A manifest can come from a pull request: what it holds is not trusted.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise HotdslError(
            f"{out_dir / MANIFEST_FILE}: not a manifest hotdsl can read ({reason}); "
            "run `hotdsl synth` again"
        ) from None


def stack_request(
    out_dir: Path, entry: StackEntry, options: DeployOptions, *, read_secrets: bool = True
) -> StackRequest:
    """The request for one stack, without the values of other stacks' outputs (see `with_parameters`).

    `read_secrets=False` leaves secrets out (Heat's template validation needs no values).
    """
    check_out_paths(out_dir, entry)
    if options.stage is not None:
        if options.stage not in entry.stages:
            known = ", ".join(entry.stages) or "none"
            raise HotdslError(
                f"stack {entry.name} has no stage {options.stage!r} (its stages: {known}); "
                "run `hotdsl synth` for that stage first"
            )
        stage = entry.stages[options.stage]
        stack_name, environment_files, stage_secrets = (
            stage.stack_name,
            list(stage.environment_files),
            stage.secrets,
        )
    else:
        stack_name, environment_files, stage_secrets = (
            entry.name,
            list(entry.environment_files),
            {},
        )
    files = {key: _read(out_dir, path) for key, path in sorted(entry.files.items())}
    for name in environment_files:
        files[name] = _read(out_dir, name)
    for path in options.environment_files:
        key = f"extra/{path.name}"
        files[key] = _read(path.parent, path.name)
        environment_files.append(key)
    template = _read(out_dir, entry.template)
    try:
        parsed = load_heat_yaml(template)
    except yaml.YAMLError:
        raise HotdslError(
            f"{out_dir / entry.template} is not valid YAML; run `hotdsl synth` again"
        ) from None
    hidden = hidden_parameters(parsed if isinstance(parsed, dict) else {}, files)
    overrides = _overrides_for(entry, options.parameters)
    check_override_values(entry, parsed if isinstance(parsed, dict) else {}, overrides, hidden)
    shown = {name: value for name, value in overrides.items() if name not in hidden}
    if shown:
        files[OVERRIDES_FILE] = emit_yaml({"parameters": shown})
        environment_files.append(OVERRIDES_FILE)
    try:
        parameters: dict[str, object] = {
            name: read_secret(name, source, options.secret_sources)
            for name, source in stage_secrets.items()
            if name not in overrides and read_secrets
        }
    except HotdslError as exc:
        raise HotdslError(
            f"{out_dir / MANIFEST_FILE}: stack {entry.name}, stage {options.stage}: {exc}"
        ) from None
    parameters.update({name: overrides[name] for name in overrides.keys() - shown.keys()})
    request = StackRequest(
        entry=entry,
        stack_name=stack_name,
        template=template,
        files=files,
        environment_files=tuple(environment_files),
        parameters=parameters,
        secret_names=frozenset(stage_secrets) | (overrides.keys() - shown.keys()),
    )
    for value in hidden_values(request):
        secrets.register(value)
    return request


def read_secret(
    parameter: str, source: Mapping[str, str], sources: SecretSources | None = None
) -> str:
    """A secret's value from the deployer's environment or a file; a clear error if missing.

    With `sources` (a manifest from disk), only where they allow.
    """
    variable, path_name = source.get("from_env"), source.get("from_file")
    if (variable is None) == (path_name is None):
        raise HotdslError(
            f"parameter {parameter}: a secret comes from_env or from_file, not {dict(source)!r}; "
            "run `hotdsl synth` again"
        )
    if variable is not None:
        refused = sources.variable_refusal(variable) if sources else None
        if refused:
            raise HotdslError(
                f"parameter {parameter} takes its value from the environment variable "
                f"{variable}, {refused}"
            )
        value = os.environ.get(variable)
        if value is None:
            raise HotdslError(
                f"parameter {parameter} takes its value from the environment variable "
                f"{variable}, which is not set"
            )
    else:
        assert path_name is not None
        where = f"parameter {parameter} takes its value from the file {path_name!r}"
        if sources is not None:
            refused = sources.file_refusal(path_name)
            if refused:
                raise HotdslError(f"{where}: {refused}")
        try:
            path = Path(path_name).expanduser()
        except RuntimeError as exc:  # ~user of no such user
            raise HotdslError(f"{where}: {exc}") from None
        if sources is not None:
            path = sources.project / path
            if not path.is_file():  # a device or a pipe may never end
                raise HotdslError(f"{where}: not a regular file")
        try:
            value = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise HotdslError(f"{where}: {reason}") from None
    secrets.register(value)
    return value


def register_readable_secrets(
    manifest: Manifest, stage: str | None, sources: SecretSources | None = None
) -> None:
    """Mask the stage's secrets (every stage's without one) that can be read on this machine.

    For commands that send no secret but show what Heat says (events, outputs): Heat
    may quote a secret back. A secret that cannot be read (or, from a manifest on
    disk, may not be) is skipped, not an error.
    """
    for entry in manifest.stacks:
        for name, stage_entry in entry.stages.items():
            if stage is None or name == stage:
                for parameter, source in stage_entry.secrets.items():
                    try:
                        read_secret(parameter, source, sources)
                    except HotdslError:
                        continue


def parse_parameter_overrides(values: Sequence[str]) -> dict[str, str]:
    """`KEY=VALUE` or `STACK:KEY=VALUE` pairs from the command line."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key:
            raise HotdslError(f"--parameter {value!r}: write KEY=VALUE (or STACK:KEY=VALUE)")
        out[key] = text
    return out


def _overrides_for(entry: StackEntry, overrides: Mapping[str, str]) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for key, value in overrides.items():
        stack, sep, name = key.rpartition(":")
        if sep and stack != entry.name:
            continue
        if name in entry.parameters:
            chosen[name] = value
    return chosen


def check_overrides(manifest: Manifest, overrides: Mapping[str, str]) -> None:
    """Every override names a parameter of some stack (a typo should not pass silently)."""
    for key in overrides:
        stack, sep, name = key.rpartition(":")
        entries = [e for e in manifest.stacks if not sep or e.name == stack]
        if not any(name in e.parameters for e in entries):
            where = f"stack {stack}" if sep else "any stack"
            raise HotdslError(f"--parameter {key}: {name!r} is not a parameter of {where}")


def check_override_values(
    entry: StackEntry, template: Mapping[str, Any], overrides: Mapping[str, str], hidden: set[str]
) -> None:
    """Each `-p` value suits its parameter's type and constraints: checked here, not by Heat
    after a round trip (a diff would otherwise show Heat's error and pass)."""
    from hotdsl.template import check_parameter_definition_input

    definitions = template.get("parameters")
    if not isinstance(definitions, Mapping):
        return
    for name, value in overrides.items():
        definition = definitions.get(name)
        if not isinstance(definition, Mapping):
            continue
        problem = check_parameter_definition_input(definition, value)
        if problem is None:
            continue
        shown = value
        if name in hidden:  # a hidden value is never shown, not even when it is wrong
            shown, problem = secrets.MASK, secrets.redact(problem, [value])
        kind = definition.get("type", "string")
        raise HotdslError(
            f"--parameter {name}={shown}: stack {entry.name}'s {kind} parameter {name} "
            f"does not take it: {problem}"
        )


def check_out_paths(out_dir: Path, entry: StackEntry) -> None:
    """Every file the manifest names for `entry` lies inside the out dir, links resolved.

    The out dir may come from a pull request: an entry such as `../../.ssh/id_rsa`, an
    absolute path or a link out of the folder would send a file of the deployer's
    machine to Heat.
    """
    named = [("template", entry.template)]
    named += [(f"files entry {key!r}", path) for key, path in entry.files.items()]
    named += [("environment file", path) for path in entry.environment_files]
    for stage_name, stage in entry.stages.items():
        named += [(f"stage {stage_name} environment file", p) for p in stage.environment_files]
    manifest = out_dir / MANIFEST_FILE
    try:
        root = out_dir.resolve()
    except (OSError, RuntimeError) as exc:
        raise HotdslError(f"{out_dir}: {exc}") from None
    for what, name in named:
        where = f"{manifest}: stack {entry.name}, {what}"
        if not isinstance(name, str) or not name:
            raise HotdslError(f"{where} is {name!r}, not a file name; run `hotdsl synth` again")
        try:
            path = (root / name).resolve()
        except (OSError, ValueError, RuntimeError) as exc:
            raise HotdslError(f"{where} {name!r}: {exc}") from None
        if path == root or not path.is_relative_to(root):
            raise HotdslError(
                f"{where} {name!r} lies outside {out_dir}; deploy reads only files inside "
                "the out dir (run `hotdsl synth` again to rewrite it)"
            )


def _read(folder: Path, name: str) -> str:
    try:
        return (folder / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise HotdslError(f"{folder / name}: {reason}; run `hotdsl synth` again") from None
