"""Writing references: parameters, resources' attributes, nested stacks' outputs, files.

A reference becomes the variable it names (`self.flavor`, `server.attrs.first_address`)
where the variable exists and its type fits; otherwise the call that reads it
(`get_param(...)`, `server.get_attr(...)`), or the plain mapping it is in HOT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hotdsl.importer import typed
from hotdsl.importer.model import AttrRef, Expr, FileRef, Lit, ParamRef, Seq, UndeclaredParamRef
from hotdsl.importer.nesting import Child
from hotdsl.importer.pysource import Atom, Bracket, Code, call, flat, string
from hotdsl.importer.typed import ANY, Inner, fits, intrinsic
from hotdsl.importer.write.context import PATH_KEY, Rendered
from hotdsl.versions import PSEUDO_PARAMETER_PYTHON_NAMES

if TYPE_CHECKING:
    from hotdsl.importer.write.values import ValueWriter


_PARAMETER_INNER: dict[str, Inner] = {
    "string": "str",
    "boolean": "bool",
    "comma_delimited_list": "list_str",
}
"""What a `get_param` of each parameter type gives, for the importer's static typing."""


def param_ref(values: ValueWriter, expr: ParamRef, want: object) -> Rendered | None:
    listed = {"listed": Atom("True")} if expr.listed and not expr.path else {}
    if expr.name in PSEUDO_PARAMETER_PYTHON_NAMES:
        if not expr.path and not listed:
            values.context.imports.hotdsl.add(PSEUDO_PARAMETER_PYTHON_NAMES[expr.name])
            direct: Rendered = (Atom(PSEUDO_PARAMETER_PYTHON_NAMES[expr.name]), intrinsic("str"))
            if fits(direct[1], want):
                return direct
        path = path_code(values, expr.path)
        if path is None:
            return values.raw(
                {"get_param": Seq((Lit(expr.name), *expr.path)) if expr.path else Lit(expr.name)}
            )
        return call(values.use_function("get_param"), string(expr.name), *path, **listed), ANY
    found = values.bound.parameters.get(expr.name)
    assert found is not None, expr.name
    variable, parameter = found
    if expr.path:
        path = path_code(values, expr.path)
        if path is None:
            return values.raw({"get_param": Seq((Lit(expr.name), *expr.path))})
        code: Code = Atom(variable)
        for key in path:
            code = Bracket(flat(code), (key,), "[", "]")
        return code, ANY
    inner: Inner = _PARAMETER_INNER.get(parameter.type, "any")
    static = intrinsic(inner)
    if fits(static, want) and not listed:
        return Atom(variable), static
    return call(values.use_function("get_param"), Atom(variable), **listed), ANY


def undeclared_ref(values: ValueWriter, expr: UndeclaredParamRef) -> Rendered | None:
    path = path_code(values, expr.path)
    if path is None:
        return None
    kwargs = {"listed": Atom("True")} if expr.listed and not expr.path else {}
    return call(values.use("undeclared_param"), string(expr.name), *path, **kwargs), ANY


def path_code(values: ValueWriter, items: Sequence[Expr]) -> list[Code] | None:
    out = []
    for item in items:
        rendered = values.value(item, PATH_KEY)
        if rendered is None:
            return None
        out.append(rendered[0])
    return out


def attr_ref(values: ValueWriter, expr: AttrRef, want: object) -> Rendered | None:
    var = values.bound.resources.get(expr.resource)
    if var is None or var.code is None:
        head = (
            [Lit(expr.resource)]
            if expr.attribute is None
            else [Lit(expr.resource), Lit(expr.attribute)]
        )
        return values.raw({"get_attr": Seq((*head, *expr.path))})
    if var.child is not None:
        return child_attr(values, var.code, var.child, expr)
    if expr.attribute is None:
        return call(f"{var.code}.get_attr"), ANY
    path = path_code(values, expr.path)
    if path is None:
        head = [Lit(expr.resource), Lit(expr.attribute)]
        return values.raw({"get_attr": Seq((*head, *expr.path))})
    known: dict[str, typed.AttributeInfo] = {}
    if var.cls is not None:
        known, dynamic = typed.attributes(var.cls)
        if expr.attribute not in known and not dynamic:
            values.finding(
                "invalid",
                f"get_attr of {expr.resource!r}: its type {var.type} has no attribute "
                f"{expr.attribute!r} (Heat rejects it)",
                values.current_line,
            )
    info = known.get(expr.attribute)
    code: Code
    if info is not None and not info.deprecated:
        code = Atom(f"{var.code}.attrs.{info.python_name}")
        static = intrinsic(info.inner)
        if not path and not fits(static, want):
            code, static = call(f"{var.code}.get_attr", string(expr.attribute)), ANY
    else:
        code, static = call(f"{var.code}.get_attr", string(expr.attribute)), ANY
    for key in path:
        code = Bracket(flat(code), (key,), "[", "]")
        static = ANY
    return code, static


def child_attr(values: ValueWriter, variable: str, child: Child, expr: AttrRef) -> Rendered:
    """`get_attr` of a nested or remote stack: an output by name, else the attribute."""
    rest = list(expr.path)
    output: str | None = None
    if child.form == "nested" and expr.attribute in child.outputs:
        output = expr.attribute
    elif child.form == "remote" and expr.attribute == "outputs" and rest:
        first = rest[0]
        if isinstance(first, Lit) and isinstance(first.value, str):
            output = first.value
            rest = rest[1:]
    if child.form == "remote" and expr.attribute == "stack_name" and not rest:
        return Atom(f"{variable}.remote_stack_name"), intrinsic("str")
    path = path_code(values, rest)
    if path is None:
        head = [Lit(expr.resource)] + ([Lit(expr.attribute)] if expr.attribute else [])
        return values.raw({"get_attr": Seq((*head, *expr.path))})
    code: Code
    if output is not None:
        code = call(f"{variable}.get_output", string(output))
    else:
        named = [Atom(variable)] + ([string(expr.attribute)] if expr.attribute else [])
        code = call(values.use_function("get_attr"), *named, *path)
        path = []
    for key in path:
        code = Bracket(flat(code), (key,), "[", "]")
    return code, ANY


def file_ref(values: ValueWriter, expr: FileRef) -> Rendered:
    nested = values.context.plan.stack_template_for(values.model, expr.path)
    if nested is not None:
        values.context.imports.hotdsl.add("provider_template")
        return call("provider_template", Atom(nested.class_name)), intrinsic("str")
    plan = values.context.plan.file_for(values.model, expr.path)
    if plan.source is not None:
        values.context.files.setdefault(plan.key, plan)
    values.context.imports.hotdsl.add("get_file")
    if plan.sent_as:
        return call("get_file", string(plan.key), key=string(plan.sent_as)), intrinsic("str")
    return call("get_file", string(plan.key)), intrinsic("str")
