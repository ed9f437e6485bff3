"""Reading parameters, their constraints and parameter groups, as Heat checks them."""

from __future__ import annotations

from typing import Any

from hotdsl.importer.model.nodes import (
    ConstraintModel,
    Finding,
    ParameterGroupModel,
    ParameterModel,
)
from hotdsl.importer.model.reader import TemplateReader, kind_of
from hotdsl.importer.model.rules import UNWRITTEN_PARAMETER_KEYS
from hotdsl.importer.parse import TemplateError


def read_parameter(
    reader: TemplateReader, name: str, spec: object, section: dict[Any, Any]
) -> ParameterModel:
    if not isinstance(spec, dict):
        raise reader.error(
            f"parameter {name!r} must be a mapping (type, default, ...), not a {kind_of(spec)}",
            section,
            name,
        )
    keys = tuple(k for k in reader.language.parameter_keys if k not in UNWRITTEN_PARAMETER_KEYS)
    for key in spec:
        if key not in keys:
            raise reader.error(
                f"parameter {name!r} has the unknown key {key!r}; Heat allows "
                f"{', '.join(keys)} here",
                spec,
                key,
            )
    kind = spec.get("type")
    if kind is None:
        raise reader.error(
            f"parameter {name!r} has no type (Heat: 'Missing parameter type')", section, name
        )
    if kind not in reader.language.parameter_types:
        raise reader.error(
            f"parameter {name!r} has the unknown type {kind!r}; Heat knows "
            f"{', '.join(reader.language.parameter_types)}",
            spec,
            "type",
        )
    for key in ("label", "description"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise reader.error(f"the {key} of parameter {name!r} must be a string", spec, key)
    for key in ("hidden", "immutable"):
        if key in spec:
            if not isinstance(spec[key], bool):
                raise reader.error(f"{key} of parameter {name!r} must be true or false", spec, key)
            if spec[key] is False:
                reader.find(
                    "inexact",
                    f"parameter {name!r} says {key}: false, which is the default; "
                    "hotdsl leaves it out",
                    spec,
                    key,
                )
    tags = spec.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise reader.error(
            f"the tags of parameter {name!r} must be a list of strings", spec, "tags"
        )
    if "default" in spec:
        reader.literal(spec["default"], spec, "default")
        if spec["default"] is None:
            reader.find(
                "inexact",
                f"parameter {name!r} has an empty (null) default; hotdsl writes no default",
                spec,
                "default",
            )
    return ParameterModel(
        name=name,
        type=kind,
        label=spec.get("label"),
        description=spec.get("description"),
        default=spec.get("default"),
        has_default=spec.get("default") is not None,
        hidden=spec.get("hidden") is True,
        immutable=spec.get("immutable") is True,
        tags=tuple(tags) if tags is not None else None,
        constraints=_constraints(reader, name, spec),
        line=reader.doc.lines.line(section, name),
    )


def _constraints(
    reader: TemplateReader, name: str, spec: dict[Any, Any]
) -> tuple[ConstraintModel, ...]:
    raw = spec.get("constraints")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise reader.error(
            f"the constraints of parameter {name!r} must be a list", spec, "constraints"
        )
    out: list[ConstraintModel] = []
    kinds = reader.language.constraint_kinds
    for index, item in enumerate(raw):
        line = reader.doc.lines.line(raw, index)
        if not isinstance(item, dict):
            raise TemplateError(
                f"constraint {index + 1} of parameter {name!r} must be a mapping",
                reader.doc.name,
                line,
            )
        for key in item:
            if key not in (*kinds, "description"):
                raise TemplateError(
                    f"unknown constraint {key!r} on parameter {name!r}; Heat knows "
                    f"{', '.join(kinds)}",
                    reader.doc.name,
                    reader.doc.lines.line(item, key),
                )
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            raise TemplateError(
                f"a constraint description of parameter {name!r} must be a string",
                reader.doc.name,
                line,
            )
        present = [k for k in kinds if k in item]
        if not present:
            raise TemplateError(
                f"constraint {index + 1} of parameter {name!r} expresses no constraint",
                reader.doc.name,
                line,
            )
        if len(present) > 1:
            reader.findings.append(
                Finding(
                    "inexact",
                    f"a constraint of parameter {name!r} has "
                    f"{' and '.join(present)} in one map; Heat uses only "
                    f"{present[0]}, and hotdsl writes each as its own constraint",
                    reader.doc.name,
                    line,
                )
            )
        for kind in present:
            out.append(
                ConstraintModel(
                    kind, _constraint_value(reader, name, kind, item[kind], line), description, line
                )
            )
    return tuple(out)


def _constraint_value(
    reader: TemplateReader, name: str, kind: str, value: object, line: int | None
) -> object:
    def bad(expected: str) -> TemplateError:
        return TemplateError(
            f"the {kind} constraint of parameter {name!r} must be {expected}",
            reader.doc.name,
            line,
        )

    if kind in ("range", "length", "modulo"):
        keys = ("step", "offset") if kind == "modulo" else ("min", "max")
        if not isinstance(value, dict) or any(k not in keys for k in value):
            raise bad(f"a mapping with {' and/or '.join(keys)}")
        for _key, bound in value.items():
            integer = kind != "range"
            if isinstance(bound, bool) or not isinstance(
                bound, (int, float) if not integer else int
            ):
                raise bad(f"a mapping of {'integers' if integer else 'numbers'}")
        if kind == "modulo" and set(value) != {"step", "offset"}:
            raise bad("a mapping with step and offset")
        return dict(value)
    if kind == "allowed_values":
        if not isinstance(value, list):
            raise bad("a list")
        reader.literal(value, None, None)
        return list(value)
    if not isinstance(value, str):
        raise bad("a string")
    return value


def read_parameter_groups(reader: TemplateReader) -> tuple[ParameterGroupModel, ...]:
    raw = reader.data.get("parameter_groups")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise reader.error("parameter_groups must be a list", reader.data, "parameter_groups")
    groups: list[ParameterGroupModel] = []
    grouped: dict[str, int] = {}
    for index, group in enumerate(raw):
        line = reader.doc.lines.line(raw, index)
        if not isinstance(group, dict):
            raise TemplateError("each parameter group must be a mapping", reader.doc.name, line)
        for key in group:
            if key not in ("label", "description", "parameters"):
                raise TemplateError(
                    f"a parameter group has the unknown key {key!r}",
                    reader.doc.name,
                    reader.doc.lines.line(group, key),
                )
        names = group.get("parameters")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TemplateError(
                "a parameter group needs parameters: a list of parameter names",
                reader.doc.name,
                line,
            )
        for name in names:
            if name not in reader.parameter_names:
                raise TemplateError(
                    f"parameter group lists {name!r}, which is not a parameter of the "
                    "template (Heat rejects this)",
                    reader.doc.name,
                    line,
                )
            if name in grouped:
                raise TemplateError(
                    f"parameter {name!r} is in two parameter groups (Heat rejects this)",
                    reader.doc.name,
                    line,
                )
            grouped[name] = index
        for key in ("label", "description"):
            if group.get(key) is not None and not isinstance(group[key], str):
                raise TemplateError(
                    f"the {key} of a parameter group must be a string", reader.doc.name, line
                )
        if group.get("label") is None:
            reader.findings.append(
                Finding(
                    "inexact",
                    "a parameter group without a label: hotdsl "
                    "labels every group (here with the name of its construct)",
                    reader.doc.name,
                    line,
                )
            )
        groups.append(
            ParameterGroupModel(group.get("label"), group.get("description"), tuple(names), line)
        )
    return tuple(groups)
