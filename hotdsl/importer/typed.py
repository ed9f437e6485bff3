"""What the typed classes of `hotdsl.stdlib` accept, for mypy and for synth's checks.

The generated module must pass `mypy --strict`, and its typed resources must pass the
property checks synth runs. So before the importer writes `nova.Server(...)` it checks
each argument twice: statically, the type of the code it will write against the
field's annotation (`fits`); and at run time, the values against Heat's schema, by
building the resource in a scratch stack and asking it (`property_problems`). A
resource that fails either becomes a generic `Resource`, with a comment saying why.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import types
import typing
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

from hotdsl.construct import App, Construct, Stack
from hotdsl.intrinsics import GetAttr, Intrinsic, ResolveContext

# --- static types of the code the importer writes ---------------------------------------------

Inner = Literal["any", "str", "int", "float", "bool", "list", "list_str", "dict"]
"""What an intrinsic will be: `Intrinsic[str]` is `inner="str"`, `GetParam[Any]` is `any`."""


@attrs.frozen
class Static:
    """The static type of a piece of generated code, as mypy will infer it."""

    kind: Literal["literal", "list", "dict", "intrinsic", "item", "other"]
    value: object = None
    """The value of a literal scalar (mypy checks literals against `Literal[...]`)."""
    items: tuple[Static, ...] = ()
    """The items of a list display; the values of a dict display."""
    str_keys: bool = True
    """A dict display whose keys are all strings."""
    inner: Inner = "any"
    item_class: type | None = None


ANY = Static("intrinsic", inner="any")
OTHER = Static("other")
"""Something only `object` (and `Any`) accept."""


def literal(value: object) -> Static:
    return Static("literal", value)


def intrinsic(inner: Inner) -> Static:
    return Static("intrinsic", inner=inner)


def fits(static: Static, annotation: object) -> bool:
    """Whether mypy accepts code of type `static` where `annotation` is expected."""
    if annotation is Any or annotation is object:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(fits(static, member) for member in typing.get_args(annotation))
    if annotation is type(None) or annotation is None:
        return static.kind == "literal" and static.value is None
    if origin is Literal:
        return static.kind == "literal" and any(
            type(static.value) is type(v) and static.value == v for v in typing.get_args(annotation)
        )
    if annotation in (str, int, float, bool):
        if static.kind != "literal":
            return False
        value = static.value
        if annotation is str:
            return isinstance(value, str)
        if annotation is bool:
            return isinstance(value, bool)
        if annotation is int:
            return isinstance(value, int)
        return isinstance(value, (int, float))
    if (isinstance(origin, type) and issubclass(origin, Intrinsic)) or annotation is Intrinsic:
        if static.kind != "intrinsic":
            return False
        args = typing.get_args(annotation)
        return _inner_fits(static.inner, args[0] if args else Any)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        if static.kind != "dict" or not static.str_keys:
            return False
        _key_type, value_type = typing.get_args(annotation) or (Any, Any)
        return all(fits(v, value_type) for v in static.items)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Sequence):
        if static.kind != "list":
            return False
        (item_type,) = typing.get_args(annotation) or (Any,)
        return all(fits(i, item_type) for i in static.items)
    if isinstance(annotation, type):
        return static.kind == "item" and static.item_class is annotation
    return False


def _inner_fits(inner: Inner, target: object) -> bool:
    """`Intrinsic[inner]` against `Intrinsic[target]` (covariant)."""
    if inner == "any" or target is Any or target is object:
        return True
    origin = typing.get_origin(target)
    if origin in (typing.Union, types.UnionType):
        return any(_inner_fits(inner, member) for member in typing.get_args(target))
    if target is str:
        return inner == "str"
    if target is bool:
        return inner == "bool"
    if target is int:
        return inner in ("int", "bool")
    if target is float:
        return inner in ("int", "float", "bool")
    base = origin if origin is not None else target
    if isinstance(base, type) and issubclass(base, Mapping):
        return inner == "dict"
    if isinstance(base, type) and issubclass(base, Sequence):
        args = typing.get_args(target)
        item = args[0] if args else Any
        if inner == "list":
            return True  # list[Any]
        if inner == "list_str":
            return _inner_fits("str", item) or fits(literal(""), item)
        if inner == "str":
            return _inner_fits("str", item) or fits(literal(""), item)
    return False


# --- the typed classes ------------------------------------------------------------------------


@attrs.frozen
class TypedClass:
    """A generated resource class and where it lives."""

    cls: type
    module: str
    """The stdlib module's short name (`nova`), as the generated code imports it."""

    @property
    def name(self) -> str:
        return self.cls.__name__


@functools.cache
def typed_classes() -> dict[str, TypedClass]:
    """Heat resource type -> its generated class, over every module of `hotdsl.stdlib`."""
    import hotdsl.stdlib
    from hotdsl.stdlib import TypedResource

    found: dict[str, TypedClass] = {}
    for info in pkgutil.iter_modules(hotdsl.stdlib.__path__):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"hotdsl.stdlib.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, TypedResource)
                and value.__module__ == module.__name__
                and value.resource_type
            ):
                found[value.resource_type] = TypedClass(value, info.name)
    return found


def stdlib_modules() -> frozenset[str]:
    return frozenset(t.module for t in typed_classes().values())


@functools.cache
def field_hints(cls: type) -> dict[str, object]:
    """Python name -> annotation of every keyword a typed class or item class takes."""
    hints = typing.get_type_hints(cls)
    return {f.alias or f.name: hints[f.name] for f in attrs.fields(cls) if f.init}


@attrs.frozen
class FieldInfo:
    python_name: str
    annotation: object
    required: bool
    hidden: bool


@functools.cache
def fields_by_heat_name(cls: type) -> dict[str, FieldInfo]:
    """Heat's name -> the field of a typed class or item class (retired ones marked hidden)."""
    schemas = cls.property_schemas()  # type: ignore[attr-defined]
    hints = field_hints(cls)
    out: dict[str, FieldInfo] = {}
    for name, schema in schemas.items():
        hidden = schema.hidden or schema.python_name not in hints
        out[name] = FieldInfo(
            schema.python_name, hints.get(schema.python_name, Any), schema.required, hidden
        )
    return out


@attrs.frozen
class AttributeInfo:
    python_name: str
    inner: Inner
    deprecated: bool


_ATTRIBUTE_INNER: dict[object, Inner] = {str: "str", int: "int", bool: "bool", Any: "any"}


@functools.cache
def attributes(cls: type) -> tuple[dict[str, AttributeInfo], bool]:
    """Heat's attribute name -> its typed accessor on `cls.attrs`; and whether the type also
    resolves attributes that are not in its schema."""
    access = getattr(cls, "attrs", None)
    attributes_class = getattr(access, "attributes_class", None)
    if attributes_class is None:
        return {}, True
    out: dict[str, AttributeInfo] = {}
    probe = _Probe()
    for python_name, member in vars(attributes_class).items():
        if not isinstance(member, property) or member.fget is None:
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = member.fget(attributes_class(probe))
        if not isinstance(result, GetAttr) or result.attribute is None:
            continue
        returned = typing.get_type_hints(member.fget).get("return")
        args = typing.get_args(returned)
        inner = _ATTRIBUTE_INNER.get(args[0] if args else Any, "any")
        origin = typing.get_origin(args[0]) if args else None
        if origin is dict:
            inner = "dict"
        elif origin is list:
            inner = "list"
        out[result.attribute] = AttributeInfo(python_name, inner, bool(caught))
    return out, bool(getattr(attributes_class, "dynamic", False))


class _Probe(Construct):
    """Stands in for a resource while reading the attribute accessors."""

    def __init__(self) -> None:  # no tree: never attached
        pass


# --- the run-time checks -----------------------------------------------------------------------


class Computed(Intrinsic[Any]):
    """Stands for a value Heat computes (a function, a reference) in the run-time check."""

    __slots__ = ()

    def resolve(self, ctx: ResolveContext) -> object:
        return None


class _Scratch:
    """A throwaway stack to build typed resources in, to ask them for property problems."""

    def __init__(self) -> None:
        self.stack = Stack(App(), "scratch")
        self.count = 0

    def problems(self, cls: type, kwargs: Mapping[str, object]) -> list[str]:
        self.count += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            resource = cls(self.stack, f"r{self.count}", **kwargs)
        checker: Callable[[], list[str]] = resource.check_properties
        return checker()


_scratch: _Scratch | None = None


def property_problems(cls: type, kwargs: Mapping[str, object]) -> list[str]:
    """What synth would report about these properties (values: plain data or `Computed`)."""
    global _scratch
    if _scratch is None or _scratch.count > 10_000:
        _scratch = _Scratch()
    return _scratch.problems(cls, kwargs)
