"""Reading a template's sections: a checked `Document` -> `TemplateModel`.

The version first (it decides what the rest may hold), then the sections Heat knows,
the names they declare, and each parameter, condition, resource and output.
"""

from __future__ import annotations

from typing import Any

from hotdsl.importer.model.nodes import (
    ConditionModel,
    CondRef,
    Expr,
    Finding,
    Map,
    OutputModel,
    Scalar,
    TemplateModel,
)
from hotdsl.importer.model.parameters import read_parameter, read_parameter_groups
from hotdsl.importer.model.reader import ProviderLookup, TemplateReader, kind_of
from hotdsl.importer.model.resources import read_resource
from hotdsl.importer.parse import Document, require_template
from hotdsl.versions import (
    RELEASE_NAMES,
    TEMPLATE_VERSIONS,
    VERSIONS,
    normalize_version,
    section_since,
    template_version,
)

LATEST = VERSIONS[-1]


def build_template(
    document: Document, is_provider: ProviderLookup = lambda name: False
) -> TemplateModel:
    """Check a parsed template as Heat would and build its model; raise `TemplateError` if Heat
    would reject its shape."""
    data = require_template(document)
    language = template_version(_version(document, data))
    return _build(TemplateReader(document, data, language, is_provider))


def _build(reader: TemplateReader) -> TemplateModel:
    data = reader.data
    for key, line in reader.doc.duplicates:
        reader.findings.append(
            Finding(
                "note",
                f"the key {key!r} is given twice in one mapping; YAML (and Heat) keep the last one",
                reader.doc.name,
                line,
            )
        )
    allowed = reader.language.sections
    for key in data:
        if key not in allowed:
            hint = (
                f" ({key} need heat_template_version {section_since(key)} or newer)"
                if key in LATEST.sections
                else f"; HOT has {', '.join(allowed)}"
            )
            raise reader.error(f"unknown template section {key!r}{hint}", data, key)
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise reader.error("the template description must be a string", data, "description")
    if "description" in data and description is None:
        reader.find(
            "inexact",
            "the template's description is empty (null); hotdsl leaves it out",
            data,
            "description",
        )
    for section in ("parameters", "outputs", "conditions", "parameter_groups"):
        if section in data and not data[section]:
            reader.find(
                "inexact",
                f"the {section} section is empty; hotdsl leaves empty sections out "
                "(Heat reads a missing section the same way)",
                data,
                section,
            )
    if "resources" in data and data["resources"] is None:
        reader.find(
            "inexact",
            "the resources section is empty (null); hotdsl writes it as resources: {} "
            "(the same to Heat)",
            data,
            "resources",
        )
    parameters = _section(reader, "parameters")
    resources = _section(reader, "resources")
    outputs = _section(reader, "outputs")
    conditions = _section(reader, "conditions")
    reader.parameter_names = {_name(reader, n, parameters, "parameter") for n in parameters}
    reader.resource_names = {_name(reader, n, resources, "resource") for n in resources}
    reader.condition_names = {_name(reader, n, conditions, "condition") for n in conditions}
    for name in outputs:
        _name(reader, name, outputs, "output")
    for name in reader.resource_names:
        if "/" in name:
            raise reader.error(
                f"resource name {name!r} contains '/', which Heat does not allow",
                resources,
                name,
            )
    groups = read_parameter_groups(reader)
    return TemplateModel(
        document=reader.doc,
        version=reader.version,
        description=description,
        parameter_groups=groups,
        parameters=tuple(read_parameter(reader, n, v, parameters) for n, v in parameters.items()),
        conditions=tuple(_condition(reader, n, v, conditions) for n, v in conditions.items()),
        resources=tuple(read_resource(reader, n, v, resources) for n, v in resources.items()),
        outputs=tuple(_output(reader, n, v, outputs) for n, v in outputs.items()),
        findings=tuple(reader.findings),
        resources_section="resources" in data,
    )


def _version(document: Document, data: dict[Any, Any]) -> str:
    """The date form of the template's version; `TemplateError` if Heat has no such version."""
    raw = data["heat_template_version"]
    try:
        version = normalize_version(str(raw)) if isinstance(raw, str) else ""
    except ValueError:
        version = ""
    if not version:
        names = ", ".join([*TEMPLATE_VERSIONS, *RELEASE_NAMES])
        raise document.error(
            f"unknown heat_template_version {raw!r}; Heat accepts {names}",
            data,
            "heat_template_version",
        )
    return version


def _section(reader: TemplateReader, section: str) -> dict[Any, Any]:
    value = reader.data.get(section)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise reader.error(
            f"the {section} section must be a mapping of names to definitions, "
            f"not a {kind_of(value)}",
            reader.data,
            section,
        )
    return value


def _name(reader: TemplateReader, name: object, section: dict[Any, Any], what: str) -> str:
    if not isinstance(name, str):
        raise reader.error(
            f"{what} name {name!r} is a {kind_of(name)}, not a string; quote it", section, name
        )
    if not name:
        raise reader.error(f"a {what} has an empty name", section, name)
    return name


def _condition(
    reader: TemplateReader, name: str, expression: object, section: dict[Any, Any]
) -> ConditionModel:
    expr = reader.condition_expr(expression, section, name)
    if isinstance(expr, CondRef):
        reader.find(
            "invalid",
            f"condition {name!r} is defined as the name of another condition "
            f"({expr.name!r}), which Heat rejects (a definition is true, false or a "
            f"condition function); use {expr.name!r} where {name!r} is used",
            section,
            name,
        )
    return ConditionModel(name, expr, reader.doc.lines.line(section, name))


def _output(
    reader: TemplateReader, name: str, body: object, section: dict[Any, Any]
) -> OutputModel:
    if not isinstance(body, dict):
        raise reader.error(
            f"output {name!r} must be a mapping with a value, not a {kind_of(body)}",
            section,
            name,
        )
    keys = reader.language.output_keys
    extra: list[tuple[Scalar, Expr]] = []
    for key in body:
        if key not in keys:
            if not isinstance(key, str):
                raise reader.error(
                    f"output {name!r} has the key {key!r}, which is not a string", body, key
                )
            reader.find(
                "note",
                f"output {name!r} has the key {key!r}, which Heat ignores (an output has "
                f"{', '.join(keys)}); kept as written",
                body,
                key,
            )
            extra.append((key, reader.expr(body[key], body, key, plain=True)))
    if "value" not in body:
        raise reader.error(
            f"output {name!r} has no value (Heat: 'Each output definition must contain a "
            "value key')",
            section,
            name,
        )
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise reader.error(
            f"the description of output {name!r} must be a string", body, "description"
        )
    condition = None
    if "condition" in body:
        condition = reader.condition_expr(body["condition"], body, "condition")
    return OutputModel(
        name,
        reader.expr(body["value"], body, "value"),
        description,
        condition,
        reader.doc.lines.line(section, name),
        Map(tuple(extra)) if extra else None,
    )
