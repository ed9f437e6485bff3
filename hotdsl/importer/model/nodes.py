"""The importer's model: what the model stage gives and the write stage takes.

A template as checked data (`TemplateModel`, its parameters, conditions, resources and
outputs) whose values are expression trees (`Expr`): plain data, references to the
template's own parameters, resources and conditions, files, and HOT function calls.
`Finding` is what any stage notices on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

from hotdsl.importer.parse import Document

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


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of an expression, depth first, in template order."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Seq):
            stack.extend(reversed(node.items))
        elif isinstance(node, Map):
            stack.extend(reversed([v for _, v in node.entries]))
        elif isinstance(node, (ParamRef, UndeclaredParamRef, AttrRef)):
            stack.extend(reversed(node.path))
        elif isinstance(node, Call):
            stack.append(node.args)
        elif isinstance(node, (Lit, ResourceRef, CondRef, FileRef, ProviderTypeRef)):
            pass
