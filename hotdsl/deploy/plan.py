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
"""

from __future__ import annotations

import os
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


@attrs.frozen
class DeployOptions:
    """What the user chose on the command line, for every stack of one deploy."""

    stage: str | None = None
    parameters: Mapping[str, str] = attrs.field(factory=dict)
    """`--parameter KEY=VALUE` (or STACK:KEY=VALUE) overrides."""
    environment_files: Sequence[Path] = ()
    """`--environment FILE`, applied after the stage's files."""


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
    shown = {name: value for name, value in overrides.items() if name not in hidden}
    if shown:
        files[OVERRIDES_FILE] = emit_yaml({"parameters": shown})
        environment_files.append(OVERRIDES_FILE)
    parameters: dict[str, object] = {
        name: read_secret(name, source)
        for name, source in stage_secrets.items()
        if name not in overrides and read_secrets
    }
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


def read_secret(parameter: str, source: Mapping[str, str]) -> str:
    """A secret's value from the deployer's environment or a file; a clear error if missing."""
    if "from_env" in source:
        value = os.environ.get(source["from_env"])
        if value is None:
            raise HotdslError(
                f"parameter {parameter} takes its value from the environment variable "
                f"{source['from_env']}, which is not set"
            )
    else:
        path = Path(source["from_file"]).expanduser()
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise HotdslError(
                f"parameter {parameter} takes its value from {path}: {exc.strerror or exc}"
            ) from None
    secrets.register(value)
    return value


def register_readable_secrets(manifest: Manifest, stage: str | None) -> None:
    """Mask the stage's secrets (every stage's without one) that can be read on this machine.

    For commands that send no secret but show what Heat says (events, outputs): Heat
    may quote a secret back. A secret that cannot be read is skipped, not an error.
    """
    for entry in manifest.stacks:
        for name, stage_entry in entry.stages.items():
            if stage is None or name == stage:
                for parameter, source in stage_entry.secrets.items():
                    try:
                        read_secret(parameter, source)
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
