"""Environment files as the importer models them: one environment, merged in order as Heat does.

hotdsl writes one environment file per stack, so several `-e` files become one
environment: later files win per parameter and per registry entry, lists are joined.
Registry entries that map a type to a template file are kept apart, since they become
provider classes when a resource uses the type.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import attrs

from hotdsl.importer.model import Finding
from hotdsl.importer.parse import Document, TemplateError, require_environment

MERGE_STRATEGIES = ("overwrite", "merge", "deep_merge")
HOOKS = ("pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete")
RESTRICTED_ACTIONS = ("update", "replace")


@attrs.frozen
class RegistryTemplate:
    """A `resource_registry` entry mapping a type name to a template file."""

    type_name: str
    path: str
    """The path as written, relative to the environment file."""
    source: Path
    """The template file on disk."""
    file: str = ""
    """The environment file that maps it (for messages)."""
    line: int | None = None
    """The line of the entry there."""


@attrs.frozen
class ResourceSettingsModel:
    """One entry of `resource_registry.resources` (a name pattern's settings)."""

    types: tuple[tuple[str, str], ...] = ()
    hooks: tuple[str, ...] = ()
    restricted_actions: tuple[str, ...] = ()
    nested: tuple[tuple[str, ResourceSettingsModel], ...] = ()


@attrs.define
class EnvironmentModel:
    """The merged environment of the import."""

    files: list[Document] = attrs.field(factory=list)
    parameters: dict[str, object] = attrs.field(factory=dict)
    parameter_defaults: dict[str, object] = attrs.field(factory=dict)
    parameter_merge_strategies: dict[str, str] = attrs.field(factory=dict)
    encrypted_param_names: list[str] = attrs.field(factory=list)
    event_sinks: list[dict[str, Any]] = attrs.field(factory=list)
    registry: dict[str, str] = attrs.field(factory=dict)
    """Type mappings to other types (`OS::Networking::*: OS::Neutron::*`)."""
    templates: dict[str, RegistryTemplate] = attrs.field(factory=dict)
    """Type name -> the template file it maps to."""
    resources: dict[str, ResourceSettingsModel] = attrs.field(factory=dict)
    findings: list[Finding] = attrs.field(factory=list)
    raw: dict[str, Any] = attrs.field(factory=dict)
    """The merged data, as Heat would see it (for the round-trip comparison)."""

    def is_empty(self) -> bool:
        return not (
            self.parameters
            or self.parameter_defaults
            or self.parameter_merge_strategies
            or self.encrypted_param_names
            or self.event_sinks
            or self.registry
            or self.templates
            or self.resources
        )


def build_environment(documents: list[Document]) -> EnvironmentModel:
    """Check environment files as Heat does and merge them, in order."""
    model = EnvironmentModel(files=list(documents))
    for document in documents:
        data = require_environment(document)
        _merge_raw(model.raw, data)
        for section in ("parameters", "parameter_defaults"):
            values = data.get(section, {})
            if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
                raise document.error(f"{section} must map parameter names to values", data, section)
            _check_plain(document, values)
            getattr(model, section).update(values)
        strategies = data.get("parameter_merge_strategies", {})
        if not isinstance(strategies, dict):
            raise document.error(
                "parameter_merge_strategies must be a mapping", data, "parameter_merge_strategies"
            )
        for name, strategy in strategies.items():
            if not isinstance(name, str) or strategy not in MERGE_STRATEGIES:
                raise document.error(
                    f"parameter_merge_strategies: {name!r} must map to one of "
                    f"{', '.join(MERGE_STRATEGIES)}",
                    strategies,
                    name,
                )
            model.parameter_merge_strategies[name] = strategy
        names = data.get("encrypted_param_names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise document.error(
                "encrypted_param_names must be a list of parameter names",
                data,
                "encrypted_param_names",
            )
        model.encrypted_param_names.extend(names)
        sinks = data.get("event_sinks", [])
        if not isinstance(sinks, list) or not all(
            isinstance(s, dict) and all(isinstance(k, str) for k in s) for s in sinks
        ):
            raise document.error("event_sinks must be a list of mappings", data, "event_sinks")
        _check_plain(document, sinks)
        model.event_sinks.extend(sinks)
        registry = data.get("resource_registry", {})
        if not isinstance(registry, dict):
            raise document.error("resource_registry must be a mapping", data, "resource_registry")
        for key, value in registry.items():
            if key == "resources":
                if not isinstance(value, dict):
                    raise document.error(
                        "resource_registry.resources must map resource names to settings",
                        registry,
                        key,
                    )
                for pattern, settings in value.items():
                    model.resources[str(pattern)] = _settings(
                        document, value, pattern, settings, model
                    )
                continue
            if not isinstance(key, str) or not isinstance(value, str):
                raise document.error(
                    "hotdsl imports resource_registry entries that map a type name to a "
                    "type name or a template file (both strings)",
                    registry,
                    key,
                )
            if value.endswith((".yaml", ".template")) and not key.endswith("*"):
                source = _resolve(document.path.parent, value)
                model.templates[key] = RegistryTemplate(
                    key, value, source, document.name, document.lines.line(registry, key)
                )
                model.registry.pop(key, None)
            else:
                model.registry[key] = value
                model.templates.pop(key, None)
    if len(documents) > 1:
        model.findings.append(
            Finding(
                "note",
                f"{len(documents)} environment files are merged into one "
                "(hotdsl writes one environment per stack), later files winning",
                documents[-1].name,
            )
        )
    return model


def _resolve(folder: Path, path: str) -> Path:
    pure = PurePosixPath(path)
    return Path(pure) if pure.is_absolute() else folder / Path(*pure.parts)


def _settings(
    document: Document,
    container: dict[Any, Any],
    pattern: object,
    raw: object,
    model: EnvironmentModel,
) -> ResourceSettingsModel:
    if not isinstance(raw, dict):
        raise document.error(
            f"the settings of {pattern!r} in resource_registry.resources must be a mapping",
            container,
            pattern,
        )
    types: list[tuple[str, str]] = []
    nested: list[tuple[str, ResourceSettingsModel]] = []
    hooks: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    for key, value in raw.items():
        if key in ("hooks", "restricted_actions"):
            allowed = HOOKS if key == "hooks" else RESTRICTED_ACTIONS
            items = [value] if isinstance(value, str) else value
            if isinstance(value, str):
                model.findings.append(
                    Finding(
                        "inexact",
                        f"{key} of {pattern!r} is a string; hotdsl writes "
                        "it as a one-item list (the same to Heat)",
                        document.name,
                        document.lines.line(raw, key),
                    )
                )
            if not isinstance(items, list) or any(i not in allowed for i in items):
                raise document.error(
                    f"{key} of {pattern!r} must be one or more of {', '.join(allowed)}", raw, key
                )
            if key == "hooks":
                hooks = tuple(items)
            else:
                actions = tuple(items)
        elif isinstance(value, dict):
            nested.append((str(key), _settings(document, raw, key, value, model)))
        elif isinstance(key, str) and isinstance(value, str):
            types.append((key, value))
        else:
            raise document.error(
                f"unknown setting {key!r} for {pattern!r} in resource_registry.resources", raw, key
            )
    return ResourceSettingsModel(tuple(types), hooks, actions, tuple(nested))


def _check_plain(document: Document, value: object) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if not (k is None or isinstance(k, (str, int, float, bool))):
                raise document.error(
                    "environment mapping keys must be strings or numbers", value, k
                )
            _check_plain(document, v)
    elif isinstance(value, list):
        for item in value:
            _check_plain(document, item)
    elif not (value is None or isinstance(value, (str, int, float, bool))):
        raise TemplateError(
            f"a value of type {type(value).__name__} cannot be written in an environment",
            document.name,
        )


def _merge_raw(into: dict[str, Any], data: dict[str, Any]) -> None:
    for section, value in data.items():
        if section in ("encrypted_param_names", "event_sinks"):
            into.setdefault(section, []).extend(value if isinstance(value, list) else [])
        elif section == "resource_registry" and isinstance(value, dict):
            registry = into.setdefault(section, {})
            for key, item in value.items():
                if key == "resources" and isinstance(item, dict):
                    registry.setdefault("resources", {}).update(item)
                else:
                    registry[key] = item
        elif isinstance(value, dict):
            into.setdefault(section, {}).update(value)
        else:
            into[section] = value
