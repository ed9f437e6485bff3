"""Heat's environment merge, done the same way on the client, for diff.

When a stack is created with `environment_files`, Heat merges those files (found in
the files map) into the request's environment server-side
(heat/common/environment_util.py, `merge_environments`): `parameters` and
`parameter_defaults` follow `parameter_merge_strategies` (overwrite, merge,
deep_merge) with the parameter types of every template in the request, every other
section is merged shallowly. Diff compares the result with the environment Heat
stored, so this must give what Heat gives: a test checks it against the real engine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from hotdsl.errors import HotdslError
from hotdsl.heat_yaml import load_heat_yaml

STRATEGIES = ("overwrite", "merge", "deep_merge")


def merge_environment_files(
    environment_files: Sequence[str],
    files: Mapping[str, str],
    parameters: Mapping[str, object],
    template: Mapping[str, Any],
) -> dict[str, Any]:
    """The environment Heat builds from request `parameters` and `environment_files`, in order."""
    env: dict[str, Any] = {
        "parameters": dict(parameters),
        "parameter_defaults": {},
        "resource_registry": {},
        "event_sinks": [],
        "encrypted_param_names": [],
    }
    schemata = _parameter_types(template, files)
    available: dict[str, str] = {}
    for name in environment_files:
        parsed = _parse(files[name], name)
        strategies = parsed.pop("parameter_merge_strategies", None) or {}
        for section, value in parsed.items():
            if not value:
                continue
            if section in ("parameters", "parameter_defaults"):
                env[section] = _merge_parameters(
                    env[section], value, schemata, strategies, available, name
                )
            else:
                env[section] = _merge_map(env[section], value)
    return env


def _parse(text: str, name: str) -> dict[str, Any]:
    try:
        data = load_heat_yaml(text)
    except yaml.YAMLError as exc:  # without PyYAML's snippet of the line: it may hold a secret
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise HotdslError(f"environment file {name} is not valid YAML{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise HotdslError(f"environment file {name} is not a YAML mapping")
    return data


def _parameter_types(template: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str]:
    """Parameter name -> HOT type, over the template and every template in the files map (as Heat does)."""
    types: dict[str, str] = {}
    sources: list[Mapping[str, Any]] = [template]
    for text in files.values():
        if "heat_template_version" in text:
            try:
                parsed = _parse(text, "")
            except (HotdslError, yaml.YAMLError):
                continue
            if "heat_template_version" in parsed:
                sources.append(parsed)
    for source in reversed(sources):
        for name, spec in (source.get("parameters") or {}).items():
            if isinstance(spec, Mapping):
                types[name] = str(spec.get("type", "string"))
    return types


def _strategy(strategies: Mapping[str, str], key: str, available: Mapping[str, str]) -> str:
    default = strategies.get("default", "overwrite")
    chosen = strategies.get(key, available.get(key, default))
    return chosen if chosen in STRATEGIES else default


def _merge_parameters(
    old: dict[str, Any],
    new: Mapping[str, Any],
    types: Mapping[str, str],
    strategies: Mapping[str, str],
    available: dict[str, str],
    env_file: str,
) -> dict[str, Any]:
    for key, value in new.items():
        if key in types and value is not None:
            strategy = _strategy(strategies, key, available)
            if key not in available:
                available[key] = strategy
            elif strategy != available[key]:
                raise HotdslError(
                    f"environment file {env_file}: merge strategy {strategy} for {key} "
                    f"conflicts with {available[key]} from an earlier file"
                )
    if not old:
        return dict(new)
    for key, value in new.items():
        if key in types and value is not None:
            strategy = available[key]
            if strategy == "overwrite":
                old[key] = value
            else:
                old[key] = _merge_value(
                    old.get(key), value, types[key], deep=strategy == "deep_merge", key=key
                )
    return old


def _merge_value(old: Any, new: Any, kind: str, *, deep: bool, key: str) -> Any:
    if kind == "json":
        if isinstance(new, str):
            new = json.loads(new) if new else new
        return _merge_map(old or {}, new, deep)
    if not isinstance(new, (str, list, tuple)):
        # Heat's parse_param accepts only sequences here (so a merged number must be given as text)
        raise HotdslError(
            f"parameter {key}: Heat cannot merge the value {new!r} (Invalid parameter in environment)"
        )
    if kind == "comma_delimited_list":
        return _merge_list(old, new)
    if kind == "string" and isinstance(new, str):
        return (old or "") + new
    # Heat adds a number's values with 0 as start after parse_param required a sequence:
    # merging a number parameter always fails in Heat 27, and so it does here.
    raise HotdslError(f"parameter {key} of type {kind} cannot be merged (Heat refuses it too)")


def _merge_list(old: Any, new: Any) -> Any:
    if not old:
        return new
    if isinstance(new, list):
        return [*old, *new] if isinstance(old, list) else new
    return ",".join([old, new])


def _merge_map(old: Any, new: Mapping[str, Any], deep: bool = False) -> Any:
    if not old:
        return new
    for key, value in new.items():
        if value is None:
            continue
        if not deep:
            old[key] = value
        elif isinstance(value, Mapping):
            current = old.get(key)
            old[key] = _merge_map(current, value, deep) if current else value
        elif isinstance(value, list):
            current = old.get(key)
            old[key] = _merge_list(current, value) if current else value
        elif isinstance(value, str):
            old[key] = (old.get(key) or "") + value
        else:
            old[key] = value
    return old
