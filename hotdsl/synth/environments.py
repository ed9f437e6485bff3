"""Environment files: each stack's own environment, and one per stack and stage.

Parameter values of a stage are checked against the parameter's type and
constraints here; secret values are left out and recorded by name only. A hidden
parameter's value is a secret: a stage that gives it a literal value (which would be
written in clear) is an error, and no message shows such a value.
"""

from __future__ import annotations

from typing import Any

import attrs

from hotdsl.construct import Construct, Stack
from hotdsl.environment import ENVIRONMENT_SECTIONS, Environment, Secret, Stage
from hotdsl.errors import Problem
from hotdsl.intrinsics import Intrinsic
from hotdsl.nested import ChildStack
from hotdsl.secrets import MASK, redact
from hotdsl.source import SourceLocation
from hotdsl.synth.validate import check_parameter_value, is_hidden
from hotdsl.template import Parameter, ResourceBase


@attrs.define
class StageEnvironment:
    """One stage's environment for one top-level stack."""

    stage: Stage
    data: dict[str, Any]
    secrets: dict[str, dict[str, str]]


def secret_parameters(stages: list[Stage]) -> frozenset[Parameter[Any]]:
    """Parameters that some stage gives a secret: hidden (`hidden: true` in the template,
    never shown), whatever they were declared with."""
    found: set[Parameter[Any]] = set()
    for stage in stages:
        for parameter, value in stage.values.items():
            if isinstance(value, Secret):
                found.add(parameter)
        for environment in stage.environments.values():
            for key, value in {**environment.parameters, **environment.parameter_defaults}.items():
                if isinstance(value, Secret) and isinstance(key, Parameter):
                    found.add(key)
    return frozenset(found)


def base_environment(
    stack: Stack,
    registry: dict[str, str],
    problems: list[Problem],
    secret: frozenset[Parameter[Any]] = frozenset(),
) -> dict[str, Any]:
    """The stack's own environment plus the resource types of its provider templates.

    `secret`: parameters a stage gives a secret (hidden like those declared hidden)."""
    data = environment_data(
        stack.environment or Environment(), stack, stack.node.location, problems, {}, secret
    )
    if registry:
        merged = dict(registry)
        merged.update(data.get("resource_registry", {}))
        data["resource_registry"] = merged
        data = {k: data[k] for k in ENVIRONMENT_SECTIONS if k in data}
    return data


def stage_environment(
    stage: Stage,
    stack: Stack,
    problems: list[Problem],
    secret: frozenset[Parameter[Any]] = frozenset(),
) -> StageEnvironment:
    """The stage's values for the stack's parameters, and its own environment for the stack."""
    secrets: dict[str, dict[str, str]] = {}
    data = environment_data(
        stage.environments.get(stack, Environment()),
        stack,
        stage.location,
        problems,
        secrets,
        secret,
    )
    parameters: dict[str, Any] = dict(data.get("parameters", {}))
    defaults: dict[str, Any] = dict(data.get("parameter_defaults", {}))
    order = {p: i for i, p in enumerate(_parameters_of(stack))}
    for parameter, value in sorted(
        stage.values.items(), key=lambda item: order.get(item[0], len(order))
    ):
        owner = parameter.node._stack
        if owner is None or _top(owner) is not stack:
            continue
        location = stage.value_locations.get(parameter, stage.location)
        name = parameter.node.logical_name
        if isinstance(value, Secret):
            _record_secret(secrets, name, value, location, problems)
            continue
        if is_hidden(parameter, secret) and _is_value(value):
            problems.append(_literal_for_hidden(stage, parameter.node.path, location))
            continue
        if not _check_value(parameter, value, location, problems, f"stage {stage.name!r}", secret):
            continue
        if isinstance(owner, ChildStack):
            defaults[name] = value  # parameter_defaults reach nested stacks; parameters do not
        else:
            parameters[name] = value
    hidden = {p.node.logical_name: p for p in _parameters_of(stack) if is_hidden(p, secret)}
    for values in (parameters, defaults):
        for name in [n for n in values if n in hidden and _is_value(values[n])]:
            problems.append(_literal_for_hidden(stage, hidden[name].node.path, stage.location))
            del values[name]
    if parameters:
        data["parameters"] = parameters
    if defaults:
        data["parameter_defaults"] = defaults
    data = {k: data[k] for k in ENVIRONMENT_SECTIONS if k in data}
    return StageEnvironment(stage, data, secrets)


def _is_value(value: object) -> bool:
    """A literal that would give something away (an empty value gives nothing away)."""
    return not (value is None or (isinstance(value, (str, list, tuple, dict)) and not value))


def _literal_for_hidden(stage: Stage, path: str, location: SourceLocation) -> Problem:
    return Problem(
        f"stage {stage.name!r} gives the hidden parameter {path} a literal value, which would be "
        "written in clear to its environment file; give it with from_env(...) or from_file(...)",
        location,
    )


def hidden_value_warnings(
    stack: Stack, secret: frozenset[Parameter[Any]] = frozenset()
) -> list[Problem]:
    """Hidden parameters whose value synth writes in clear: a default, or the stack's own environment.

    A warning, not an error: an imported template may carry such a default, and Heat takes it.
    """
    warnings = []
    hidden = {p.node.logical_name: p for p in _parameters_of(stack) if is_hidden(p, secret)}
    for parameter in hidden.values():
        if _is_value(parameter.default):
            warnings.append(
                Problem(
                    "the hidden parameter has a default, which is written in clear to the "
                    "template; give its value with from_env(...) or from_file(...) in a Stage",
                    parameter.node.location,
                    parameter.node.path,
                )
            )
    environment = stack.environment or Environment()
    for section in ("parameters", "parameter_defaults"):
        for key, value in getattr(environment, section).items():
            name = key if isinstance(key, str) else getattr(key.node, "logical_name", None)
            if name in hidden and not isinstance(value, Secret) and _is_value(value):
                warnings.append(
                    Problem(
                        f"the stack's environment gives the hidden parameter {name} a literal "
                        f"value in {section}, which is written in clear to its environment file; "
                        "give it with from_env(...) or from_file(...) in a Stage",
                        stack.node.location,
                        stack.node.path,
                    )
                )
    return warnings


def _record_secret(
    secrets: dict[str, dict[str, str]],
    name: str,
    secret: Secret,
    location: SourceLocation,
    problems: list[Problem],
) -> None:
    """Record where a secret comes from (for the manifest), if that can be written as text."""
    if not isinstance(secret.name, str) or not secret.name or _has_surrogate(secret.name):
        problems.append(
            Problem(
                f"the secret for {name!r} names {secret.name!r}, which is not a usable "
                f"{'environment variable' if secret.source == 'env' else 'file'} name",
                location,
            )
        )
        return
    secrets[name] = secret.to_manifest()


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def environment_data(
    environment: Environment,
    stack: Stack,
    location: SourceLocation,
    problems: list[Problem],
    secrets: dict[str, dict[str, str]],
    secret: frozenset[Parameter[Any]] = frozenset(),
) -> dict[str, Any]:
    """An `Environment` as Heat's environment format, names resolved against `stack`."""

    def name_of(key: object, kind: type[Construct], section: str) -> str | None:
        if isinstance(key, str):
            return key
        if isinstance(key, kind):
            owner = key.node._stack
            if owner is not None and _top(owner) is stack:
                return key.node.logical_name
        problems.append(
            Problem(
                f"{section} of the environment for {stack.node.path!r} names "
                f"{getattr(getattr(key, 'node', None), 'path', key)!r}, which is not in that stack",
                location,
            )
        )
        return None

    data: dict[str, Any] = {}
    for section in ("parameters", "parameter_defaults"):
        values: dict[str, Any] = {}
        for key, value in getattr(environment, section).items():
            name = name_of(key, Parameter, section)
            if name is None:
                continue
            if isinstance(value, Secret):
                _record_secret(secrets, name, value, location, problems)
                continue
            if isinstance(value, Intrinsic):
                problems.append(
                    Problem(
                        f"{section}.{name}: an environment holds literal values, not functions",
                        location,
                    )
                )
                continue
            if isinstance(key, Parameter) and not _check_value(
                key, value, location, problems, section, secret
            ):
                continue
            values[name] = value
        if values:
            data[section] = values
    if environment.parameter_merge_strategies:
        strategies = {}
        for key, strategy in environment.parameter_merge_strategies.items():
            name = name_of(key, Parameter, "parameter_merge_strategies")
            if name is not None:
                strategies[name] = strategy
        data["parameter_merge_strategies"] = strategies
    if environment.encrypted_param_names:
        names = [
            name_of(k, Parameter, "encrypted_param_names")
            for k in environment.encrypted_param_names
        ]
        data["encrypted_param_names"] = [n for n in names if n is not None]
    if environment.event_sinks:
        data["event_sinks"] = [dict(sink) for sink in environment.event_sinks]
    registry: dict[str, Any] = dict(environment.resource_registry)
    if environment.resources:
        resources = {}
        for key, settings in environment.resources.items():
            name = name_of(key, ResourceBase, "resource_registry.resources")
            if name is not None:
                resources[name] = settings.to_hot()
        registry["resources"] = resources
    if registry:
        data["resource_registry"] = registry
    return data


def _check_value(
    parameter: Parameter[Any],
    value: object,
    location: SourceLocation,
    problems: list[Problem],
    where: str,
    secret: frozenset[Parameter[Any]],
) -> bool:
    messages = check_parameter_value(parameter, value)
    hidden = is_hidden(parameter, secret)
    for message in messages:
        shown = MASK if hidden else repr(value)
        if hidden:
            message = redact(message, [value])
        problems.append(
            Problem(
                f"{where}: value {shown} for {parameter.node.path} is invalid: {message}", location
            )
        )
    return not messages


def _parameters_of(stack: Stack) -> list[Parameter[Any]]:
    """The parameters of a stack and its nested stacks, in template order (for stable files)."""
    found: list[Parameter[Any]] = []
    for member in stack.members:
        if isinstance(member, Parameter):
            found.append(member)
        elif isinstance(member, ChildStack):
            found.extend(_parameters_of(member))
    return found


def _top(stack: Stack) -> Stack:
    while isinstance(stack, ChildStack):
        stack = stack.parent
    return stack
