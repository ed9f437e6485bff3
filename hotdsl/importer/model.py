"""Model: a parsed HOT template as checked, typed data, with values as expression trees.

The second stage of `hotdsl import`: it reads a `Document` the way Heat would (which
sections and keys exist in the template's version, which single-key maps are function
calls, what their arguments must look like) and turns every value into an `Expr`,
where `get_param`, `get_resource`, `get_attr` and condition names are references to
the template's own parameters, resources and conditions. Templates Heat would reject
for their shape raise `TemplateError` with the file and line; problems Heat finds only
later (a reference to a resource that does not exist) are kept as written and
recorded as findings, so that synth can report them too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs

from hotdsl.importer.parse import (
    HOT_SECTIONS,
    MAX_VALUES,
    Document,
    TemplateError,
    require_template,
)
from hotdsl.versions import (
    CONDITION_FUNCTION_SINCE,
    FUNCTION_SINCE,
    PARAMETER_TYPES,
    PSEUDO_PARAMETERS,
    RELEASE_NAMES,
    TEMPLATE_VERSIONS,
    VERSIONS,
    normalize_version,
)

CFN_FUNCTIONS_2013 = frozenset(VERSIONS[0].cfn_functions)
"""CloudFormation functions HOT 2013-05-23 still reads; later versions reject them."""

RESOURCE_KEYS = (
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
)
RESOURCE_KEYS_2016 = ("external_id", "condition")
DELETION_POLICIES = ("Delete", "Retain", "Snapshot")
PARAMETER_KEYS = ("type", "description", "default", "constraints", "hidden", "label", "immutable")
CONSTRAINT_KINDS = (
    "range",
    "length",
    "allowed_values",
    "allowed_pattern",
    "custom_constraint",
    "modulo",
)
"""Constraint keys in the order Heat looks for them (it uses the first one a map has)."""
MAKE_URL_KEYS = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")
RESOURCE_FACADE_SECTIONS = ("metadata", "deletion_policy", "update_policy")
DIGEST_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
OUTPUT_KEYS = ("description", "value")
"""The keys Heat reads in an output (and `condition` from 2016-10-14); it ignores others."""
LENIENT_MAPPING_FUNCTIONS = ("repeat", "str_replace", "str_replace_strict", "str_replace_vstrict")
"""Functions whose argument map may hold keys Heat ignores (heat/engine/hot/functions.py
`Repeat._parse_args`, `Replace._parse_args` read only the keys they know)."""
RESOLVED_ARGUMENT_FUNCTIONS = (
    "map_merge",
    "list_concat",
    "list_concat_unique",
    "map_replace",
    "str_split",
    "digest",
)
"""Functions whose whole argument may be another function call: Heat resolves it first
and checks the result (`function.resolve(self.args)` in their `result()`)."""

Scalar = str | int | float | bool | None
FindingLevel = Literal["invalid", "warning", "inexact", "note"]


@attrs.frozen
class Finding:
    """Something the importer noticed: the template is `invalid` for Heat, has a latent bug
    Heat may never meet (a `warning`), the import is not `inexact`ly what the template
    says, or a `note` for the person migrating."""

    level: FindingLevel
    message: str
    file: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


# --- expressions -----------------------------------------------------------------------------


@attrs.frozen
class Lit:
    """A scalar: string, number, boolean or null."""

    value: Scalar


@attrs.frozen
class Seq:
    """A list."""

    items: tuple[Expr, ...]


@attrs.frozen
class Map:
    """A mapping, in the template's key order (keys are scalars)."""

    entries: tuple[tuple[Scalar, Expr], ...]

    def get(self, key: str) -> Expr | None:
        for k, v in self.entries:
            if k == key:
                return v
        return None

    def keys(self) -> list[Scalar]:
        return [k for k, _ in self.entries]


@attrs.frozen
class ParamRef:
    """`get_param` of a parameter of this template (or a pseudo parameter), with a path."""

    name: str
    path: tuple[Expr, ...] = ()
    listed: bool = False
    """Written `get_param: [NAME]`, a list without a path (the same to Heat, kept as written)."""


@attrs.frozen
class UndeclaredParamRef:
    """`get_param` of a parameter the template does not declare, where Heat may never
    evaluate it (a condition, a branch of `if`): a latent bug, kept as written."""

    name: str
    path: tuple[Expr, ...] = ()
    listed: bool = False


@attrs.frozen
class ResourceRef:
    """`get_resource` of a resource of this template."""

    name: str


@attrs.frozen
class AttrRef:
    """`get_attr` of a resource of this template: an attribute (None: all of them) and a path."""

    resource: str
    attribute: str | None
    path: tuple[Expr, ...] = ()


@attrs.frozen
class CondRef:
    """A condition of this template, named where a condition is expected."""

    name: str


@attrs.frozen
class FileRef:
    """`get_file` of a local file, relative to the template that names it."""

    path: str
    line: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class ProviderTypeRef:
    """A `type` inside a resource definition (a group's `resource_def`) naming a provider template."""

    type_name: str
    line: int | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Call:
    """A HOT function call the DSL writes as a function (`list_join(...)`), args as written."""

    name: str
    args: Expr


Expr = (
    Lit
    | Seq
    | Map
    | ParamRef
    | UndeclaredParamRef
    | ResourceRef
    | AttrRef
    | CondRef
    | FileRef
    | ProviderTypeRef
    | Call
)


def to_data(expr: Expr) -> object:
    """The template data an expression stands for (what synth must give back)."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Seq):
        return [to_data(i) for i in expr.items]
    if isinstance(expr, Map):
        return {k: to_data(v) for k, v in expr.entries}
    if isinstance(expr, (ParamRef, UndeclaredParamRef)):
        if not expr.path and not expr.listed:
            return {"get_param": expr.name}
        return {"get_param": [expr.name, *(to_data(p) for p in expr.path)]}
    if isinstance(expr, ResourceRef):
        return {"get_resource": expr.name}
    if isinstance(expr, AttrRef):
        head = [expr.resource] if expr.attribute is None else [expr.resource, expr.attribute]
        return {"get_attr": [*head, *(to_data(p) for p in expr.path)]}
    if isinstance(expr, CondRef):
        return expr.name
    if isinstance(expr, FileRef):
        return {"get_file": expr.path}
    if isinstance(expr, ProviderTypeRef):
        return expr.type_name
    return {expr.name: to_data(expr.args)}


# --- the template --------------------------------------------------------------------------


@attrs.frozen
class ConstraintModel:
    kind: str
    value: object
    description: str | None = None
    line: int | None = None


@attrs.frozen
class ParameterModel:
    name: str
    type: str
    label: str | None = None
    description: str | None = None
    default: object = None
    has_default: bool = False
    hidden: bool = False
    immutable: bool = False
    tags: tuple[str, ...] | None = None
    constraints: tuple[ConstraintModel, ...] = ()
    line: int | None = None


@attrs.frozen
class ParameterGroupModel:
    label: str | None
    description: str | None
    parameters: tuple[str, ...]
    line: int | None = None


@attrs.frozen
class ConditionModel:
    name: str
    expression: Expr
    line: int | None = None


@attrs.frozen
class ResourceModel:
    name: str
    type: str
    properties: Expr | None = None
    """A `Map`, or a function call that Heat resolves to the properties."""
    metadata: Expr | None = None
    depends_on: tuple[str, ...] = ()
    depends_on_single: bool = False
    """`depends_on: name` rather than a list (hotdsl writes a single resource the same way)."""
    deletion_policy: Expr | None = None
    """A `Lit` policy name, or a function call that Heat resolves to one."""
    update_policy: Expr | None = None
    description: str | None = None
    condition: Expr | None = None
    external_id: Expr | None = None
    line: int | None = None


@attrs.frozen
class OutputModel:
    name: str
    value: Expr
    description: str | None = None
    condition: Expr | None = None
    line: int | None = None
    extra: Map | None = None
    """Keys Heat ignores in an output, kept as written."""


@attrs.frozen
class TemplateModel:
    """A HOT template as the importer understands it."""

    document: Document
    version: str
    """The date form of heat_template_version."""
    description: str | None
    parameter_groups: tuple[ParameterGroupModel, ...]
    parameters: tuple[ParameterModel, ...]
    conditions: tuple[ConditionModel, ...]
    resources: tuple[ResourceModel, ...]
    outputs: tuple[OutputModel, ...]
    findings: tuple[Finding, ...]
    resources_section: bool = True
    """Whether the template has a resources section (Heat reads none as an empty one)."""

    @property
    def file(self) -> str:
        return self.document.name

    def parameter(self, name: str) -> ParameterModel | None:
        return next((p for p in self.parameters if p.name == name), None)

    def resource(self, name: str) -> ResourceModel | None:
        return next((r for r in self.resources if r.name == name), None)


# --- building the model ----------------------------------------------------------------------


ProviderLookup = Callable[[str], bool]
"""Whether a resource type names a provider template (a file, or a registry mapping)."""


def build_template(
    document: Document, is_provider: ProviderLookup = lambda name: False
) -> TemplateModel:
    """Check a parsed template as Heat would and build its model; raise `TemplateError` if Heat
    would reject its shape."""
    return _Builder(document, is_provider).build()


class _Builder:
    def __init__(self, document: Document, is_provider: ProviderLookup) -> None:
        self.doc = document
        self.data = require_template(document)
        self.is_provider = is_provider
        self.findings: list[Finding] = []
        self.version = ""
        self.parameter_names: set[str] = set()
        self.resource_names: set[str] = set()
        self.condition_names: set[str] = set()
        self.budget = MAX_VALUES
        self.active: set[int] = set()
        self.in_properties = False
        """True while reading resource properties, where `type: x.yaml` names a provider."""
        self.guarded = 0
        """How many conditions and `if` branches enclose what is being read: there Heat may
        never evaluate a value, so a reference to nothing is a latent bug, not an error."""

    # --- reporting ---

    def error(self, message: str, container: object = None, key: object = None) -> TemplateError:
        return self.doc.error(message, container, key)

    def find(
        self, level: FindingLevel, message: str, container: object = None, key: object = None
    ) -> None:
        line = self.doc.lines.line(container, key) if container is not None else None
        self.findings.append(Finding(level, message, self.doc.name, line))

    # --- sections ---

    def build(self) -> TemplateModel:
        data = self.data
        for key, line in self.doc.duplicates:
            self.findings.append(
                Finding(
                    "note",
                    f"the key {key!r} is given twice in one mapping; "
                    "YAML (and Heat) keep the last one",
                    self.doc.name,
                    line,
                )
            )
        self.version = self.read_version()
        allowed = HOT_SECTIONS if self.version >= "2016-10-14" else HOT_SECTIONS[:-1]
        for key in data:
            if key not in allowed:
                hint = (
                    " (conditions need heat_template_version 2016-10-14 or newer)"
                    if key == "conditions"
                    else f"; HOT has {', '.join(allowed)}"
                )
                raise self.error(f"unknown template section {key!r}{hint}", data, key)
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            raise self.error("the template description must be a string", data, "description")
        if "description" in data and description is None:
            self.find(
                "inexact",
                "the template's description is empty (null); hotdsl leaves it out",
                data,
                "description",
            )
        for section in ("parameters", "outputs", "conditions", "parameter_groups"):
            if section in data and not data[section]:
                self.find(
                    "inexact",
                    f"the {section} section is empty; hotdsl leaves empty sections out "
                    "(Heat reads a missing section the same way)",
                    data,
                    section,
                )
        if "resources" in data and data["resources"] is None:
            self.find(
                "inexact",
                "the resources section is empty (null); hotdsl writes it as resources: {} "
                "(the same to Heat)",
                data,
                "resources",
            )
        parameters = self.section_map("parameters")
        resources = self.section_map("resources")
        outputs = self.section_map("outputs")
        conditions = self.section_map("conditions")
        self.parameter_names = {self.name(n, parameters, "parameter") for n in parameters}
        self.resource_names = {self.name(n, resources, "resource") for n in resources}
        self.condition_names = {self.name(n, conditions, "condition") for n in conditions}
        for name in outputs:
            self.name(name, outputs, "output")
        for name in self.resource_names:
            if "/" in name:
                raise self.error(
                    f"resource name {name!r} contains '/', which Heat does not allow",
                    resources,
                    name,
                )
        groups = self.parameter_groups()
        return TemplateModel(
            document=self.doc,
            version=self.version,
            description=description,
            parameter_groups=groups,
            parameters=tuple(self.parameter(n, v, parameters) for n, v in parameters.items()),
            conditions=tuple(self.condition(n, v, conditions) for n, v in conditions.items()),
            resources=tuple(self.resource(n, v, resources) for n, v in resources.items()),
            outputs=tuple(self.output(n, v, outputs) for n, v in outputs.items()),
            findings=tuple(self.findings),
            resources_section="resources" in data,
        )

    def read_version(self) -> str:
        raw = self.data["heat_template_version"]
        try:
            version = normalize_version(str(raw)) if isinstance(raw, str) else ""
        except ValueError:
            version = ""
        if not version:
            names = ", ".join([*TEMPLATE_VERSIONS, *RELEASE_NAMES])
            raise self.error(
                f"unknown heat_template_version {raw!r}; Heat accepts {names}",
                self.data,
                "heat_template_version",
            )
        return version

    def section_map(self, section: str) -> dict[Any, Any]:
        value = self.data.get(section)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(
                f"the {section} section must be a mapping of names to definitions, "
                f"not a {_kind(value)}",
                self.data,
                section,
            )
        return value

    def name(self, name: object, section: dict[Any, Any], what: str) -> str:
        if not isinstance(name, str):
            raise self.error(
                f"{what} name {name!r} is a {_kind(name)}, not a string; quote it", section, name
            )
        if not name:
            raise self.error(f"a {what} has an empty name", section, name)
        return name

    # --- parameters ---

    def parameter(self, name: str, spec: object, section: dict[Any, Any]) -> ParameterModel:
        if not isinstance(spec, dict):
            raise self.error(
                f"parameter {name!r} must be a mapping (type, default, ...), not a {_kind(spec)}",
                section,
                name,
            )
        keys = PARAMETER_KEYS + (("tags",) if self.version >= "2018-03-02" else ())
        for key in spec:
            if key not in keys:
                raise self.error(
                    f"parameter {name!r} has the unknown key {key!r}; Heat allows "
                    f"{', '.join(keys)} here",
                    spec,
                    key,
                )
        kind = spec.get("type")
        if kind is None:
            raise self.error(
                f"parameter {name!r} has no type (Heat: 'Missing parameter type')", section, name
            )
        if kind not in PARAMETER_TYPES:
            raise self.error(
                f"parameter {name!r} has the unknown type {kind!r}; Heat knows "
                f"{', '.join(PARAMETER_TYPES)}",
                spec,
                "type",
            )
        for key in ("label", "description"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise self.error(f"the {key} of parameter {name!r} must be a string", spec, key)
        for key in ("hidden", "immutable"):
            if key in spec:
                if not isinstance(spec[key], bool):
                    raise self.error(
                        f"{key} of parameter {name!r} must be true or false", spec, key
                    )
                if spec[key] is False:
                    self.find(
                        "inexact",
                        f"parameter {name!r} says {key}: false, which is the default; "
                        "hotdsl leaves it out",
                        spec,
                        key,
                    )
        tags = spec.get("tags")
        if tags is not None and not (
            isinstance(tags, list) and all(isinstance(t, str) for t in tags)
        ):
            raise self.error(
                f"the tags of parameter {name!r} must be a list of strings", spec, "tags"
            )
        if "default" in spec:
            self.literal(spec["default"], spec, "default")
            if spec["default"] is None:
                self.find(
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
            constraints=self.constraints(name, spec),
            line=self.doc.lines.line(section, name),
        )

    def constraints(self, name: str, spec: dict[Any, Any]) -> tuple[ConstraintModel, ...]:
        raw = spec.get("constraints")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.error(
                f"the constraints of parameter {name!r} must be a list", spec, "constraints"
            )
        out: list[ConstraintModel] = []
        kinds = CONSTRAINT_KINDS if self.version >= "2017-02-24" else CONSTRAINT_KINDS[:-1]
        for index, item in enumerate(raw):
            line = self.doc.lines.line(raw, index)
            if not isinstance(item, dict):
                raise TemplateError(
                    f"constraint {index + 1} of parameter {name!r} must be a mapping",
                    self.doc.name,
                    line,
                )
            for key in item:
                if key not in (*kinds, "description"):
                    raise TemplateError(
                        f"unknown constraint {key!r} on parameter {name!r}; Heat knows "
                        f"{', '.join(kinds)}",
                        self.doc.name,
                        self.doc.lines.line(item, key),
                    )
            description = item.get("description")
            if description is not None and not isinstance(description, str):
                raise TemplateError(
                    f"a constraint description of parameter {name!r} must be a string",
                    self.doc.name,
                    line,
                )
            present = [k for k in kinds if k in item]
            if not present:
                raise TemplateError(
                    f"constraint {index + 1} of parameter {name!r} expresses no constraint",
                    self.doc.name,
                    line,
                )
            if len(present) > 1:
                self.findings.append(
                    Finding(
                        "inexact",
                        f"a constraint of parameter {name!r} has "
                        f"{' and '.join(present)} in one map; Heat uses only "
                        f"{present[0]}, and hotdsl writes each as its own constraint",
                        self.doc.name,
                        line,
                    )
                )
            for kind in present:
                out.append(
                    ConstraintModel(
                        kind, self.constraint_value(name, kind, item[kind], line), description, line
                    )
                )
        return tuple(out)

    def constraint_value(self, name: str, kind: str, value: object, line: int | None) -> object:
        def bad(expected: str) -> TemplateError:
            return TemplateError(
                f"the {kind} constraint of parameter {name!r} must be {expected}",
                self.doc.name,
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
            self.literal(value, None, None)
            return list(value)
        if not isinstance(value, str):
            raise bad("a string")
        return value

    def parameter_groups(self) -> tuple[ParameterGroupModel, ...]:
        raw = self.data.get("parameter_groups")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.error("parameter_groups must be a list", self.data, "parameter_groups")
        groups: list[ParameterGroupModel] = []
        grouped: dict[str, int] = {}
        for index, group in enumerate(raw):
            line = self.doc.lines.line(raw, index)
            if not isinstance(group, dict):
                raise TemplateError("each parameter group must be a mapping", self.doc.name, line)
            for key in group:
                if key not in ("label", "description", "parameters"):
                    raise TemplateError(
                        f"a parameter group has the unknown key {key!r}",
                        self.doc.name,
                        self.doc.lines.line(group, key),
                    )
            names = group.get("parameters")
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise TemplateError(
                    "a parameter group needs parameters: a list of parameter names",
                    self.doc.name,
                    line,
                )
            for name in names:
                if name not in self.parameter_names:
                    raise TemplateError(
                        f"parameter group lists {name!r}, which is not a parameter of the "
                        "template (Heat rejects this)",
                        self.doc.name,
                        line,
                    )
                if name in grouped:
                    raise TemplateError(
                        f"parameter {name!r} is in two parameter groups (Heat rejects this)",
                        self.doc.name,
                        line,
                    )
                grouped[name] = index
            for key in ("label", "description"):
                if group.get(key) is not None and not isinstance(group[key], str):
                    raise TemplateError(
                        f"the {key} of a parameter group must be a string", self.doc.name, line
                    )
            if group.get("label") is None:
                self.findings.append(
                    Finding(
                        "inexact",
                        "a parameter group without a label: hotdsl "
                        "labels every group (here with the name of its construct)",
                        self.doc.name,
                        line,
                    )
                )
            groups.append(
                ParameterGroupModel(
                    group.get("label"), group.get("description"), tuple(names), line
                )
            )
        return tuple(groups)

    # --- conditions, resources, outputs ---

    def condition(self, name: str, expression: object, section: dict[Any, Any]) -> ConditionModel:
        expr = self.condition_expr(expression, section, name)
        if isinstance(expr, CondRef):
            self.find(
                "invalid",
                f"condition {name!r} is defined as the name of another condition "
                f"({expr.name!r}), which Heat rejects (a definition is true, false or a "
                f"condition function); use {expr.name!r} where {name!r} is used",
                section,
                name,
            )
        return ConditionModel(name, expr, self.doc.lines.line(section, name))

    def condition_expr(self, value: object, container: object, key: object) -> Expr:
        """A condition as Heat takes it: a condition's name, a boolean or a function call."""
        self.guarded += 1
        try:
            expr = self.expr(value, container, key, condition=True)
        finally:
            self.guarded -= 1
        if isinstance(expr, (CondRef, Call, ParamRef, UndeclaredParamRef)) or (
            isinstance(expr, Lit) and isinstance(expr.value, bool)
        ):
            return expr
        functions = [n for n, v in CONDITION_FUNCTION_SINCE.items() if v <= self.version]
        raise self.error(
            f"a condition cannot be a {_kind(value)}: Heat takes the name of a condition, "
            f"true or false, or a condition function ({', '.join(functions)} in "
            f"heat_template_version {self.version})",
            container,
            key,
        )

    def resource(self, name: str, body: object, section: dict[Any, Any]) -> ResourceModel:
        if not isinstance(body, dict):
            raise self.error(
                f"resource {name!r} must be a mapping with a type, not a {_kind(body)}",
                section,
                name,
            )
        keys = RESOURCE_KEYS + (RESOURCE_KEYS_2016 if self.version >= "2016-10-14" else ())
        for key in body:
            if key not in keys:
                hint = (
                    " (it needs heat_template_version 2016-10-14 or newer)"
                    if key in RESOURCE_KEYS_2016
                    else f"; a resource has {', '.join(keys)}"
                )
                raise self.error(f"resource {name!r} has the unknown key {key!r}{hint}", body, key)
        kind = body.get("type")
        if not isinstance(kind, str) or not kind:
            raise self.error(
                f"resource {name!r} needs a type (a string)",
                section if "type" not in body else body,
                name if "type" not in body else "type",
            )
        properties = None
        if "properties" in body:
            raw = body["properties"]
            if raw is None or raw == {}:
                self.find(
                    "inexact",
                    f"resource {name!r} has an empty properties section; hotdsl leaves it out",
                    body,
                    "properties",
                )
            else:
                properties = self.properties(name, body)
        metadata = self.mapping_field(name, body, "metadata") if "metadata" in body else None
        update_policy = (
            self.mapping_field(name, body, "update_policy") if "update_policy" in body else None
        )
        depends_on = self.depends_on(name, body)
        deletion_policy = self.deletion_policy(name, body)
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            raise self.error(
                f"the description of resource {name!r} must be a string", body, "description"
            )
        condition = None
        if "condition" in body:
            condition = self.condition_expr(body["condition"], body, "condition")
        external_id = None
        if "external_id" in body:
            external_id = self.expr(body["external_id"], body, "external_id")
        return ResourceModel(
            name=name,
            type=kind,
            properties=properties,
            metadata=metadata,
            depends_on=depends_on,
            depends_on_single=isinstance(body.get("depends_on"), str),
            deletion_policy=deletion_policy,
            update_policy=update_policy,
            description=description,
            condition=condition,
            external_id=external_id,
            line=self.doc.lines.line(section, name),
        )

    def properties(self, name: str, body: dict[Any, Any]) -> Expr:
        """A resource's properties: a mapping, or one function call that gives it (Heat
        takes either, `_parse_resource_field(..., (Mapping, Function))`)."""
        raw = body["properties"]
        if isinstance(raw, dict) and not self.is_call(raw):
            for key in raw:
                if not isinstance(key, str):
                    raise self.error(
                        f"resource {name!r} has the property name {key!r}, which is not a string",
                        raw,
                        key,
                    )
        self.in_properties = True
        try:
            return self.mapping_field(name, body, "properties")
        finally:
            self.in_properties = False

    def is_call(self, value: dict[Any, Any]) -> bool:
        """Whether Heat reads this mapping as a function call in the template's version."""
        if len(value) != 1:
            return False
        (key,) = value
        since = FUNCTION_SINCE.get(key) if isinstance(key, str) else None
        return since is not None and self.version >= since

    def mapping_field(self, name: str, body: dict[Any, Any], key: str) -> Expr:
        """`properties`, `metadata` or `update_policy`: a mapping with string keys, or one
        function call (which Heat resolves, and the resource type must then take)."""
        raw = body[key]
        result = self.expr(raw, body, key) if isinstance(raw, dict) else None
        if isinstance(result, Map) and all(isinstance(k, str) for k in result.keys()):
            return result
        if result is not None and not isinstance(result, Map):
            return result
        raise self.error(
            f"the {key} of resource {name!r} must be a mapping with string keys, or a "
            f"function that gives one, not a {_kind(raw)}",
            body,
            key,
        )

    def deletion_policy(self, name: str, body: dict[Any, Any]) -> Expr | None:
        """A policy name, or a function Heat resolves to one when it reads the resource."""
        if body.get("deletion_policy") is None:
            return None
        raw = body["deletion_policy"]
        allowed = DELETION_POLICIES + (
            tuple(p.lower() for p in DELETION_POLICIES) if self.version >= "2016-10-14" else ()
        )
        if isinstance(raw, str):
            if raw not in allowed:
                raise self.error(
                    f"resource {name!r} has the invalid deletion_policy {raw!r}; "
                    f"Heat allows {', '.join(allowed)}",
                    body,
                    "deletion_policy",
                )
            return Lit(raw)
        result = self.expr(raw, body, "deletion_policy") if isinstance(raw, dict) else None
        if result is None or (isinstance(result, Map) and not self.is_call(raw)):
            raise self.error(
                f"resource {name!r}: the deletion_policy must be one of {', '.join(allowed)} "
                "or a function that gives one",
                body,
                "deletion_policy",
            )
        return result

    def depends_on(self, name: str, body: dict[Any, Any]) -> tuple[str, ...]:
        if "depends_on" not in body:
            return ()
        raw = body["depends_on"]
        if isinstance(raw, str):
            raw = [raw]
        if raw is None:
            self.find(
                "inexact",
                f"resource {name!r} has an empty depends_on; hotdsl leaves it out",
                body,
                "depends_on",
            )
            return ()
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            raise self.error(
                f"depends_on of resource {name!r} must be a resource name or a list of them",
                body,
                "depends_on",
            )
        if not raw:
            self.find(
                "inexact",
                f"resource {name!r} has an empty depends_on list; hotdsl leaves it out",
                body,
                "depends_on",
            )
        for target in raw:
            if target not in self.resource_names:
                raise self.error(
                    f"resource {name!r} depends on {target!r}, which is not a resource of the "
                    "template (Heat rejects this)",
                    body,
                    "depends_on",
                )
        if len(set(raw)) != len(raw):
            self.find(
                "inexact",
                f"resource {name!r} names a resource twice in depends_on; hotdsl writes it once",
                body,
                "depends_on",
            )
        return tuple(dict.fromkeys(raw))

    def output(self, name: str, body: object, section: dict[Any, Any]) -> OutputModel:
        if not isinstance(body, dict):
            raise self.error(
                f"output {name!r} must be a mapping with a value, not a {_kind(body)}",
                section,
                name,
            )
        keys = OUTPUT_KEYS + (("condition",) if self.version >= "2016-10-14" else ())
        extra: list[tuple[Scalar, Expr]] = []
        for key in body:
            if key not in keys:
                if not isinstance(key, str):
                    raise self.error(
                        f"output {name!r} has the key {key!r}, which is not a string", body, key
                    )
                self.find(
                    "note",
                    f"output {name!r} has the key {key!r}, which Heat ignores (an output has "
                    f"{', '.join(keys)}); kept as written",
                    body,
                    key,
                )
                extra.append((key, self.expr(body[key], body, key, plain=True)))
        if "value" not in body:
            raise self.error(
                f"output {name!r} has no value (Heat: 'Each output definition must contain a "
                "value key')",
                section,
                name,
            )
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            raise self.error(
                f"the description of output {name!r} must be a string", body, "description"
            )
        condition = None
        if "condition" in body:
            condition = self.condition_expr(body["condition"], body, "condition")
        return OutputModel(
            name,
            self.expr(body["value"], body, "value"),
            description,
            condition,
            self.doc.lines.line(section, name),
            Map(tuple(extra)) if extra else None,
        )

    # --- values ---

    def literal(self, value: object, container: object, key: object) -> None:
        """Check that a value is plain data (no binary, sets or other YAML-only types)."""
        self.expr(value, container, key, plain=True)

    def expr(
        self,
        value: object,
        container: object,
        key: object,
        *,
        condition: bool = False,
        plain: bool = False,
    ) -> Expr:
        """The expression for `value`, found at `container[key]` (for line numbers)."""
        self.budget -= 1
        if self.budget < 0:
            raise self.error(
                f"the template expands to more than {MAX_VALUES} values (through YAML "
                "aliases?); hotdsl will not import it",
                container,
                key,
            )
        if value is None or isinstance(value, (str, bool, int)):
            if condition and isinstance(value, str) and not plain:
                return self.condition_name(value, container, key)
            return Lit(value)
        if isinstance(value, float):
            return Lit(value)
        if isinstance(value, (list, dict)):
            marker = id(value)
            if marker in self.active:
                raise self.error(
                    "the YAML contains itself (a recursive alias); Heat cannot use it",
                    container,
                    key,
                )
            self.active.add(marker)
            try:
                if isinstance(value, list):
                    return Seq(
                        tuple(
                            self.expr(item, value, index, condition=False, plain=plain)
                            for index, item in enumerate(value)
                        )
                    )
                if len(value) == 1 and not plain:
                    ((name, args),) = value.items()
                    if isinstance(name, str):
                        call = self.function(name, args, value, container, key, condition)
                        if call is not None:
                            return call
                entries: list[tuple[Scalar, Expr]] = []
                for k, v in value.items():
                    if not (k is None or isinstance(k, (str, int, float, bool))):
                        raise self.error(
                            f"a mapping key must be a string or a number, not a {_kind(k)}",
                            value,
                            k,
                        )
                    if (
                        self.in_properties
                        and k == "type"
                        and isinstance(v, str)
                        and self.is_provider(v)
                        and set(value) <= {"type", "properties", "metadata"}
                    ):
                        entries.append((k, ProviderTypeRef(v, self.doc.lines.line(value, k))))
                    else:
                        entries.append((k, self.expr(v, value, k, plain=plain)))
                return Map(tuple(entries))
            finally:
                self.active.discard(marker)
        raise self.error(
            f"a value of YAML type {_kind(value)} cannot be written in a template "
            "(hotdsl imports strings, numbers, booleans, null, lists and mappings)",
            container,
            key,
        )

    def condition_name(self, name: str, container: object, key: object) -> Expr:
        if name in self.condition_names:
            return CondRef(name)
        raise self.error(
            f"{name!r} is not a condition of this template (a condition is a name from "
            "the conditions section, a boolean or a condition function)",
            container,
            key,
        )

    def function(
        self,
        name: str,
        args: object,
        holder: dict[Any, Any],
        container: object,
        key: object,
        condition: bool,
    ) -> Expr | None:
        """A function call, or None if Heat reads this single-key map as plain data."""
        version = self.version
        if name in CFN_FUNCTIONS_2013:
            if version == "2013-05-23" or (name == "Fn::Select" and version < "2015-10-15"):
                self.find(
                    "note",
                    f"{name} is a CloudFormation function that hotdsl has no function for; "
                    "it is kept as a plain mapping, which Heat reads the same way",
                    container,
                    key,
                )
            else:
                self.find(
                    "invalid",
                    f"{name} is not available in heat_template_version {version}; "
                    "Heat rejects the template",
                    container,
                    key,
                )
            return None
        table = CONDITION_FUNCTION_SINCE if condition else FUNCTION_SINCE
        since = table.get(name)
        if since is None:
            if condition and name in FUNCTION_SINCE and version >= "2016-10-14":
                raise self.error(
                    f"{name} cannot be used in a condition; Heat allows only "
                    f"{', '.join(sorted(CONDITION_FUNCTION_SINCE))} there",
                    holder,
                    name,
                )
            return None
        if version < since:
            self.find(
                "note",
                f"{name} is not a function in heat_template_version {version} (it came in "
                f"{since}); Heat reads it as a plain mapping, and so does the import",
                container,
                key,
            )
            return None
        if name in RESOLVED_ARGUMENT_FUNCTIONS and isinstance(args, dict) and self.is_call(args):
            # `map_merge: {repeat: ...}`: Heat resolves the inner call, then checks its result
            return Call(name, self.expr(args, holder, name))
        check = getattr(self, f"fn_{name}", None)
        assert check is not None, name
        result: Expr = check(args, holder, name)
        return result

    # Each fn_* checks the arguments as Heat does and returns the expression.

    def bad_call(self, name: str, expected: str, holder: dict[Any, Any]) -> TemplateError:
        return self.error(f"malformed {name}: {expected}", holder, name)

    def fn_get_param(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if isinstance(args, str):
            target, path = args, []
        elif isinstance(args, list) and args and isinstance(args[0], str):
            target, path = args[0], args[1:]
        else:
            raise self.bad_call(
                name, "write get_param: NAME or get_param: [NAME, key, ...]", holder
            )
        path_exprs = tuple(self.expr(p, args, i + 1) for i, p in enumerate(path))
        listed = isinstance(args, list)
        if target in self.parameter_names or target in PSEUDO_PARAMETERS:
            return ParamRef(target, path_exprs, listed)
        if self.guarded:
            self.find(
                "warning",
                f"get_param refers to {target!r}, which is not a parameter of this template; "
                "Heat fails on it only if it evaluates this condition or branch of if (a "
                "latent bug: declare the parameter or remove the reference)",
                holder,
                name,
            )
            return UndeclaredParamRef(target, path_exprs, listed)
        self.find(
            "invalid",
            f"get_param refers to {target!r}, which is not a parameter of this template",
            holder,
            name,
        )
        return (
            Map(((name, self.expr(args, holder, name, plain=False)),))
            if isinstance(args, list)
            else Map(((name, Lit(target)),))
        )

    def fn_get_resource(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if not isinstance(args, str):
            raise self.bad_call(name, "write get_resource: NAME (a resource name)", holder)
        if args in self.resource_names:
            return ResourceRef(args)
        self.find(
            "invalid",
            f"get_resource refers to {args!r}, which is not a resource of this template",
            holder,
            name,
        )
        return Map(((name, Lit(args)),))

    def fn_get_attr(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        minimum = 1 if self.version >= "2015-10-15" else 2
        if not isinstance(args, list) or len(args) < minimum or not isinstance(args[0], str):
            form = "[RESOURCE, ATTRIBUTE, path...]" + (" or [RESOURCE]" if minimum == 1 else "")
            raise self.bad_call(name, f"write get_attr: {form}", holder)
        resource = args[0]
        rest = tuple(self.expr(p, args, i + 1) for i, p in enumerate(args[1:]))
        if resource not in self.resource_names:
            self.find(
                "invalid",
                f"get_attr refers to {resource!r}, which is not a resource of this template",
                holder,
                name,
            )
            return Map(((name, Seq((Lit(resource), *rest))),))
        if not rest:
            return AttrRef(resource, None)
        attribute = rest[0]
        if not (isinstance(attribute, Lit) and isinstance(attribute.value, str)):
            # a computed attribute name: kept as written, the resource by name
            return Call(name, Seq((Lit(resource), *rest)))
        return AttrRef(resource, attribute.value, rest[1:])

    def fn_get_file(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if not isinstance(args, str) or not args:
            raise self.bad_call(name, "write get_file: PATH (a string)", holder)
        return FileRef(args, self.doc.lines.line(holder, name))

    def list_args(
        self,
        name: str,
        args: object,
        holder: dict[Any, Any],
        sizes: tuple[int, int | None],
        form: str,
    ) -> tuple[Expr, ...]:
        low, high = sizes
        if not isinstance(args, list) or len(args) < low or (high is not None and len(args) > high):
            raise self.bad_call(name, f"write {name}: {form}", holder)
        return tuple(self.expr(a, args, i) for i, a in enumerate(args))

    def fn_list_join(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        high = None if self.version >= "2015-10-15" else 2
        items = self.list_args(
            name,
            args,
            holder,
            (2, high),
            "[DELIMITER, LIST]" + (", or [DELIMITER, LIST, LIST, ...]" if high is None else ""),
        )
        return Call(name, Seq(items))

    def mapping_args(
        self,
        name: str,
        args: object,
        holder: dict[Any, Any],
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> Map:
        lenient = name in LENIENT_MAPPING_FUNCTIONS
        if (
            not isinstance(args, dict)
            or (not lenient and any(k not in required + optional for k in args))
            or any(k not in args for k in required)
        ):
            keys = ", ".join([*required, *(f"optional {k}" for k in optional)])
            raise self.bad_call(name, f"its argument must be a mapping with {keys}", holder)
        for key in args:
            if key not in required + optional:
                self.find(
                    "note",
                    f"{name} has the key {key!r}, which Heat ignores (it reads "
                    f"{', '.join(required + optional)}); kept as written",
                    args,
                    key,
                )
        result = self.expr(args, holder, name, plain=False)
        if not isinstance(result, Map):  # a single-key argument that is itself a function call
            result = Map(
                ((next(iter(args)), self.expr(next(iter(args.values())), args, next(iter(args)))),)
            )
        return result

    def fn_str_replace(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, self.mapping_args(name, args, holder, ("template", "params")))

    fn_str_replace_strict = fn_str_replace
    fn_str_replace_vstrict = fn_str_replace

    def fn_resource_facade(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if args not in RESOURCE_FACADE_SECTIONS:
            raise self.bad_call(
                name, f"its argument must be one of {', '.join(RESOURCE_FACADE_SECTIONS)}", holder
            )
        return Call(name, Lit(str(args)))

    def fn_digest(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, Seq(self.list_args(name, args, holder, (2, 2), "[ALGORITHM, VALUE]")))

    def fn_repeat(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        optional = ("permutations",) if self.version >= "2017-09-01" else ()
        mapping = self.mapping_args(name, args, holder, ("for_each", "template"), optional)
        return Call(name, mapping)

    def fn_str_split(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(
            name,
            Seq(
                self.list_args(
                    name, args, holder, (2, 3), "[DELIMITER, STRING] or [DELIMITER, STRING, INDEX]"
                )
            ),
        )

    def fn_map_merge(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, Seq(self.list_args(name, args, holder, (0, None), "[MAP, MAP, ...]")))

    fn_list_concat = fn_map_merge
    fn_list_concat_unique = fn_map_merge

    def fn_map_replace(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        items = self.list_args(name, args, holder, (1, 2), "[MAP, {keys: ..., values: ...}]")
        if len(items) == 2:
            second = items[1]
            if isinstance(second, (Lit, Seq)) or (
                isinstance(second, Map) and any(k not in ("keys", "values") for k in second.keys())
            ):
                raise self.bad_call(
                    name, "its second argument must be a mapping with keys and/or values", holder
                )
        return Call(name, Seq(items))

    def fn_yaql(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        # Heat takes `data` as optional ({} when left out)
        return Call(name, self.mapping_args(name, args, holder, ("expression",), ("data",)))

    def fn_if(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        low = 2 if self.version >= "2021-04-16" else 3
        form = "[CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]" + (
            " or [CONDITION, VALUE_IF_TRUE]" if low == 2 else ""
        )
        if not isinstance(args, list) or not low <= len(args) <= 3:
            raise self.bad_call(name, f"write if: {form}", holder)
        self.guarded += 1
        try:
            first = self.expr(args[0], args, 0, condition=True)
            rest = tuple(self.expr(a, args, i + 1) for i, a in enumerate(args[1:]))
        finally:
            self.guarded -= 1
        return Call(name, Seq((first, *rest)))

    def fn_filter(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(
            name, Seq(self.list_args(name, args, holder, (2, 2), "[VALUES_TO_REMOVE, LIST]"))
        )

    def fn_make_url(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, self.mapping_args(name, args, holder, (), MAKE_URL_KEYS))

    def fn_contains(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, Seq(self.list_args(name, args, holder, (2, 2), "[VALUE, SEQUENCE]")))

    def fn_equals(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        return Call(name, Seq(self.list_args(name, args, holder, (2, 2), "[VALUE, VALUE]")))

    def fn_not(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if args is None:
            raise self.bad_call(name, "its argument must be a condition", holder)
        return Call(name, self.expr(args, holder, name, condition=True))

    def fn_and(self, args: object, holder: dict[Any, Any], name: str) -> Expr:
        if not isinstance(args, list) or len(args) < 2:
            raise self.bad_call(
                name, "its argument must be a list of at least two conditions", holder
            )
        return Call(
            name, Seq(tuple(self.expr(a, args, i, condition=True) for i, a in enumerate(args)))
        )

    fn_or = fn_and


def _kind(value: object) -> str:
    names = {
        dict: "mapping",
        list: "list",
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "null",
        bytes: "binary value",
        set: "set",
        tuple: "pair list",
    }
    return names.get(type(value), type(value).__name__)


def plain_equal(left: object, right: object) -> bool:
    """Data equality that treats NaN as equal to itself and keeps bool and int apart."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if (
        isinstance(left, float)
        and isinstance(right, float)
        and math.isnan(left)
        and math.isnan(right)
    ):
        return True
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(plain_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            plain_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    return type(left) is type(right) and left == right
