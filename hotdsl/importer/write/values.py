"""Writing values: an `Expr` -> code whose static type fits what is expected.

`ValueWriter` writes one template's values: literals and displays, typed item classes
(`nova.ServerNetworksItem(...)`), references (`references`), and function calls, each
by its writer in `functions.FUNCTION_WRITERS`. A value that fits nothing typed is
written as the plain mapping it is in HOT.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from hotdsl.importer import typed
from hotdsl.importer.model import (
    AttrRef,
    Call,
    CondRef,
    Expr,
    FileRef,
    Finding,
    FindingLevel,
    Lit,
    Map,
    ParameterModel,
    ParamRef,
    ProviderTypeRef,
    ResourceRef,
    Seq,
    TemplateModel,
    UndeclaredParamRef,
)
from hotdsl.importer.nesting import Child
from hotdsl.importer.pysource import Atom, Code, call, dict_display, display, scalar, string
from hotdsl.importer.typed import OTHER, Static, fits, intrinsic, literal
from hotdsl.importer.write.context import CONDITION_LIKE, ModuleContext, Rendered
from hotdsl.importer.write.functions import FUNCTION_WRITERS
from hotdsl.importer.write.references import attr_ref, file_ref, param_ref, undeclared_ref
from hotdsl.template import ResourceBase
from hotdsl.versions import CONDITION_FUNCTION_SINCE, FUNCTION_SINCE, FUNCTIONS


@attrs.define
class ResourceVar:
    """The Python variable a resource is written as."""

    code: str | None
    """The variable holding the resource (None until written, or if nothing refers to it)."""
    cls: type | None
    """The typed class it was written with, if any (for `.attrs`)."""
    type: str = ""
    child: Child | None = None
    """Set when the resource is written as a `NestedStack` or `RemoteStack`."""


@attrs.define
class Bindings:
    """The Python variables a template's names are written as, so far."""

    parameters: dict[str, tuple[str, ParameterModel]] = attrs.field(factory=dict)
    conditions: dict[str, str] = attrs.field(factory=dict)
    resources: dict[str, ResourceVar] = attrs.field(factory=dict)


class ValueWriter:
    """The values of one template, as code."""

    def __init__(self, context: ModuleContext, model: TemplateModel) -> None:
        self.context = context
        self.model = model
        self.bound = Bindings()
        self.current_line: int | None = None
        """The template line of what is being written, for findings."""

    def finding(self, level: FindingLevel, message: str, line: int | None) -> None:
        self.context.findings.append(Finding(level, message, self.model.file, line))

    def value(self, expr: Expr, want: object) -> Rendered | None:
        """Code for `expr` whose static type fits `want`, or None if none does."""
        rendered = self.typed_value(expr, want)
        if rendered is None and want is CONDITION_LIKE:
            return self.condition_call(expr)
        return rendered

    def condition_call(self, expr: Expr) -> Rendered | None:
        """A call Heat takes as a condition that the typed functions cannot write (`yaql`
        without `data`, or with `data` from a function), written as the call it is."""
        if isinstance(expr, Call):
            name, args = expr.name, expr.args
        elif isinstance(expr, ParamRef):
            name, args = (
                "get_param",
                Seq((Lit(expr.name), *expr.path)) if expr.path else Lit(expr.name),
            )
        else:
            return None
        rendered = self.typed_value(args, object)
        if rendered is None:
            return None
        since = CONDITION_FUNCTION_SINCE.get(name) or FUNCTION_SINCE[name]
        code = call(f"{self.use('fn')}.FunctionCall", string(name), rendered[0], string(since))
        return code, intrinsic("bool")

    def typed_value(self, expr: Expr, want: object) -> Rendered | None:
        if isinstance(expr, Lit):
            static = literal(expr.value)
            return (scalar(expr.value), static) if fits(static, want) else None
        if isinstance(expr, Seq):
            return self.sequence(expr, want)
        if isinstance(expr, Map):
            return self.mapping_value(expr, want)
        if isinstance(expr, ParamRef):
            return self.check(param_ref(self, expr, want), want)
        if isinstance(expr, UndeclaredParamRef):
            return self.check(undeclared_ref(self, expr), want)
        if isinstance(expr, ResourceRef):
            var = self.bound.resources.get(expr.name)
            if var is None or var.code is None:
                return self.check(self.raw({"get_resource": Lit(expr.name)}), want)
            if var.child is not None:  # a child stack is no value itself
                return self.check(
                    (call(self.use_function("get_resource"), Atom(var.code)), intrinsic("str")),
                    want,
                )
            return self.check((Atom(var.code), intrinsic("str")), want)
        if isinstance(expr, AttrRef):
            return self.check(attr_ref(self, expr, want), want)
        if isinstance(expr, CondRef):
            found = self.bound.conditions.get(expr.name)
            assert found is not None, expr.name
            return self.check((Atom(found), intrinsic("bool")), want)
        if isinstance(expr, FileRef):
            return self.check(file_ref(self, expr), want)
        if isinstance(expr, ProviderTypeRef):
            provider = self.context.plan.provider_for(self.model, expr.type_name)
            if provider is None:
                return self.value(Lit(expr.type_name), want)
            self.context.imports.hotdsl.add("provider_type")
            return self.check(
                (call("provider_type", Atom(provider.class_name)), intrinsic("str")), want
            )
        return self.check(self.function(expr), want)

    @staticmethod
    def check(rendered: Rendered | None, want: object) -> Rendered | None:
        if rendered is None or not fits(rendered[1], want):
            return None
        return rendered

    def sequence(self, expr: Seq, want: object) -> Rendered | None:
        for item_type in _candidates(want, "sequence"):
            items: list[Rendered] = []
            for item in expr.items:
                rendered = self.value(item, item_type)
                if rendered is None:
                    break
                items.append(rendered)
            else:
                static = Static("list", items=tuple(s for _, s in items))
                if fits(static, want):
                    return display([c for c, _ in items]), static
        return None

    def mapping_value(self, expr: Map, want: object) -> Rendered | None:
        for candidate in _candidates(want, "mapping"):
            if isinstance(candidate, _ItemClass):
                rendered = self.item_class(expr, candidate.cls)
                if rendered is not None:
                    return rendered
                continue
            str_keys = all(isinstance(k, str) for k, _ in expr.entries)
            if candidate is not Any and not str_keys:
                continue
            pairs: list[tuple[Code, Code]] = []
            statics: list[Static] = []
            for key, value in expr.entries:
                rendered = self.value(value, candidate)
                if rendered is None:
                    break
                pairs.append((scalar(key), rendered[0]))
                statics.append(rendered[1])
            else:
                static = Static("dict", items=tuple(statics), str_keys=str_keys)
                if fits(static, want):
                    return dict_display(pairs), static
        return None

    def item_class(self, expr: Map, cls: type) -> Rendered | None:
        fields = typed.fields_by_heat_name(cls)
        kwargs: dict[str, Code] = {}
        given = set()
        for key, value in expr.entries:
            info = fields.get(key) if isinstance(key, str) else None
            if info is None or info.hidden or (isinstance(value, Lit) and value.value is None):
                return None
            rendered = self.value(value, info.annotation)
            if rendered is None:
                return None
            kwargs[info.python_name] = rendered[0]
            given.add(key)
        if any(i.required and not i.hidden and n not in given for n, i in fields.items()):
            return None
        module = cls.__module__.rsplit(".", 1)[-1]
        self.context.imports.stdlib.add(module)
        return call(f"{module}.{cls.__name__}", **kwargs), Static("item", item_class=cls)

    def raw(self, data: Mapping[str, Expr]) -> Rendered:
        """A function call written as the plain mapping it is in HOT (names as strings)."""
        pairs = []
        for key, value in data.items():
            rendered = self.value(value, object)
            assert rendered is not None
            pairs.append((string(key), rendered[0]))
        return dict_display(pairs), Static("dict", items=(OTHER,) * len(pairs))

    def function(self, expr: Call) -> Rendered:
        writer = FUNCTION_WRITERS.get(expr.name)
        rendered = writer(self, expr.args) if writer is not None else None
        if rendered is None:
            return self.raw({expr.name: expr.args})
        return rendered

    def use_function(self, hot_name: str) -> str:
        """The DSL function that writes HOT function `hot_name` (`if` -> `if_`), imported."""
        return self.use(FUNCTIONS[hot_name].python_name)

    def use(self, name: str) -> str:
        self.context.imports.hotdsl.add(name)
        return name

    def args(self, items: Iterable[tuple[Expr, object]]) -> list[Code] | None:
        out = []
        for expr, want in items:
            rendered = self.value(expr, want)
            if rendered is None:
                return None
            out.append(rendered[0])
        return out


def _candidates(want: object, shape: str) -> list[object]:
    """The members of `want` a list (`sequence`) or a dict (`mapping`) display could be."""
    if want is Any or want is object:
        return [Any]
    origin = typing.get_origin(want)
    if origin in (typing.Union, types.UnionType):
        out: list[object] = []
        for member in typing.get_args(want):
            for found in _candidates(member, shape):
                if found not in out:
                    out.append(found)
        return out
    base = origin if origin is not None else want
    if (
        shape == "sequence"
        and isinstance(base, type)
        and issubclass(base, Sequence)
        and base is not str
    ):
        args = typing.get_args(want)
        return [args[0] if args else Any]
    if shape == "mapping":
        if isinstance(base, type) and issubclass(base, Mapping):
            args = typing.get_args(want)
            return [args[1] if args else Any]
        if (
            isinstance(want, type)
            and hasattr(want, "property_schemas")
            and not issubclass(want, ResourceBase)
        ):
            return [_ItemClass(want)]
    return []


@attrs.frozen
class _ItemClass:
    """A typed item class a dict display may be written as."""

    cls: type
