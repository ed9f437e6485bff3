"""The handwritten runtime under the generated resource classes of `hotdsl.stdlib`.

`tools/gen_stdlib.py` turns Heat's resource type schema into one module per service
(`hotdsl.stdlib.nova`, `hotdsl.stdlib.neutron`, ...). Every class there is a plain
class with its `__init__` written out (so that importing a module compiles nothing),
built on the pieces below; `attrs.fields(cls)` gives an attrs view of it on request:

- `TypedResource`: a resource whose properties are typed fields. Each field has its
  Heat schema (`PropertySchema`, listed by `_property_schemas`), so the class can write its
  properties under Heat's names, check them at synth, and tell the diff whether a
  change updates the resource in place or replaces it (`property_schema`).
- `PropertyItem`: a nested map with known keys (an item of `Server.networks`,
  `ResourceGroup.resource_def`), a frozen value that knows its HOT form.
- `Attributes`: typed `get_attr` accessors, reached as `resource.attrs`.

Mistakes in the arguments (an unknown or missing property) do not raise where they
are made: the class records them and synth reports every problem at once, each with
the file and line of the user's code. mypy sees the exact attrs signatures, so it
reports the same mistakes before the program runs.
"""

from __future__ import annotations

import inspect
import numbers
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Literal,
    TypeAlias,
    TypeVar,
    overload,
)

import attrs

from hotdsl.intrinsics import GetAttr, Intrinsic, Value
from hotdsl.source import caller_location
from hotdsl.template import (
    AllowedPattern,
    AllowedValues,
    CustomConstraint,
    Length,
    Modulo,
    Range,
    ResourceBase,
)
from hotdsl.versions import BOOLEAN_FALSE_WORDS, BOOLEAN_TRUE_WORDS

__all__ = [
    "NO_DEPENDENCIES",
    "AttributeAccess",
    "Attributes",
    "HotType",
    "ListOf",
    "MapOf",
    "PropertyConstraint",
    "PropertyItem",
    "PropertySchema",
    "PropertyType",
    "SupportStatus",
    "TypedResource",
    "UpdateEffect",
    "generated_item",
    "generated_resource",
    "heat_property",
]

T = TypeVar("T")
A_co = TypeVar("A_co", bound="Attributes", covariant=True)

PropertyType = Literal["string", "integer", "number", "boolean", "list", "map", "any"]
"""Heat's property types."""

SupportStatus = Literal["SUPPORTED", "DEPRECATED", "HIDDEN", "UNSUPPORTED", "UNKNOWN"]
"""Heat's support status of a type, property or attribute."""

HotType = Literal["string", "number", "boolean", "json", "comma_delimited_list"]
"""The parameter type that carries an attribute's value to another stack."""

UpdateEffect = Literal["update", "replace", "reject"]
"""What Heat does when a stack update changes a property (see `PropertySchema.on_update`)."""

PropertyConstraint: TypeAlias = (
    Length | Range | Modulo | AllowedValues | AllowedPattern | CustomConstraint
)
"""The constraints Heat puts on property values (the same classes as for parameters)."""

ListOf: TypeAlias = Sequence[T] | Intrinsic[Sequence[Any]]
"""A list property: a list of items, or a function that Heat turns into a list."""

MapOf: TypeAlias = T | Mapping[str, Any] | Intrinsic[Mapping[str, Any]]
"""A map property with known keys: its typed class, a plain dict, or a function."""

SCHEMA_KEY = "hotdsl.stdlib.schema"
"""The key of a field's `PropertySchema` in its attrs metadata."""


# --- schema ---------------------------------------------------------------------------------

_ItemClass: TypeAlias = "type[PropertyItem]"
"""(`PropertySchema` has a field named `type`, which hides the builtin in its body.)"""


def _constraints(values: Iterable[PropertyConstraint]) -> tuple[PropertyConstraint, ...]:
    return tuple(values)


@attrs.frozen
class PropertySchema:
    """Heat's schema of one property, one key of a nested map, or the items of a list.

    The generated classes keep one per field (`Server.property_schema("flavor")`); the
    diff asks it what a change costs (`on_update`), the synth checks use the rest.
    """

    name: str
    """Heat's name of the property (`"*"` for the items of a list)."""
    type: PropertyType
    python_name: str = attrs.field(default=attrs.Factory(lambda self: self.name, takes_self=True))
    """The keyword argument and attribute in Python; differs from `name` only where
    Heat's name is a Python keyword, clashes with a name hotdsl uses, or is not an
    identifier (see `tools/gen_stdlib.py`)."""
    required: bool = False
    update_allowed: bool = False
    """A change is applied in place; otherwise it replaces the resource."""
    immutable: bool = False
    """A change fails the stack update (the resource is neither updated nor replaced)."""
    default: object = None
    """The value Heat uses when the property is left out (None: no default)."""
    constraints: tuple[PropertyConstraint, ...] = attrs.field(default=(), converter=_constraints)
    item: PropertySchema | None = None
    """For a list: the schema of its items, when Heat gives one."""
    item_class: _ItemClass | None = None
    """For a map with known keys: the generated class whose fields are those keys."""
    status: SupportStatus = "SUPPORTED"
    status_message: str | None = None
    replaced_by: str | None = None
    """For a retired (hidden) property: the property that took its place."""

    @property
    def on_update(self) -> UpdateEffect:
        """What a stack update that changes this property does to the resource."""
        if self.immutable:
            return "reject"
        return "update" if self.update_allowed else "replace"

    @property
    def allowed_values(self) -> tuple[object, ...] | None:
        """The values Heat allows, if it restricts them."""
        for constraint in self.constraints:
            if isinstance(constraint, AllowedValues):
                return tuple(constraint.values)
        return None

    @property
    def hidden(self) -> bool:
        """Retired: Heat still reads it in old templates, but no longer documents it."""
        return self.status == "HIDDEN"


def heat_property(
    name: str,
    type: PropertyType,
    *,
    python_name: str | None = None,
    required: bool = False,
    update_allowed: bool = False,
    immutable: bool = False,
    default: object = None,
    constraints: Sequence[PropertyConstraint] = (),
    item: PropertySchema | None = None,
    item_class: type[PropertyItem] | None = None,
    status: SupportStatus = "SUPPORTED",
    status_message: str | None = None,
    replaced_by: str | None = None,
) -> Mapping[str, PropertySchema]:
    """The attrs metadata of a generated field: its Heat schema under `SCHEMA_KEY`."""
    schema = PropertySchema(
        name,
        type,
        python_name=name if python_name is None else python_name,
        required=required,
        update_allowed=update_allowed,
        immutable=immutable,
        default=default,
        constraints=constraints,
        item=item,
        item_class=item_class,
        status=status,
        status_message=status_message,
        replaced_by=replaced_by,
    )
    return {SCHEMA_KEY: schema}


@attrs.frozen
class _Table:
    """What a generated class knows about its fields, computed once per class."""

    names: tuple[tuple[str, str], ...]
    """(Python name, Heat name) of every property field, in order."""
    schemas: tuple[PropertySchema, ...]
    by_name: Mapping[str, PropertySchema]
    """Heat name -> schema, hidden properties included."""
    by_python_name: Mapping[str, PropertySchema]
    arguments: frozenset[str]
    """Every keyword the class's `__init__` takes."""
    required: tuple[str, ...]
    deprecated: tuple[tuple[str, str], ...]
    """(Python name, warning) of the deprecated properties."""
    type_warning: str | None
    """The warning for a deprecated type."""
    warns: bool
    """Whether creating one may warn (the type or a property is deprecated)."""
    plain_text: frozenset[str]
    """Python names of the string properties that text passes as it is (no constraint
    but ones Heat checks against the cloud): their text values need no check."""


_tables: dict[type, _Table] = {}
"""Class -> its table: every resource asks at least twice a synth (a dict lookup by class is
cheaper than reading the class's own `__dict__`)."""


def _table(cls: type) -> _Table:
    """The class's table, built on first use (so that importing a module stays cheap)."""
    table = _tables.get(cls)
    if table is None:
        table = _tables[cls] = _build_table(cls)
    return table


def _build_table(cls: type) -> _Table:
    generated = _generated_schemas(cls)
    if generated is not None:
        schemas = list(generated)
        base = _resource_arguments() if issubclass(cls, TypedResource) else frozenset()
        arguments = base | {s.python_name for s in schemas}
    else:  # an attrs class of the user's own, built on a generated or typed base
        fields = attrs.fields(cls)
        schemas = [f.metadata[SCHEMA_KEY] for f in fields if SCHEMA_KEY in f.metadata]
        for field, schema in zip(
            [f for f in fields if SCHEMA_KEY in f.metadata], schemas, strict=True
        ):
            if field.name != schema.python_name:
                raise TypeError(
                    f"{cls.__name__}.{field.name}: its schema names it {schema.python_name!r}"
                )
        arguments = frozenset(f.alias or f.name for f in fields if f.init)
    hidden: Mapping[str, PropertySchema] = getattr(cls, "hidden_properties", {})
    by_name = {s.name: s for s in schemas}
    by_name.update({name: s for name, s in hidden.items() if name not in by_name})
    deprecated = tuple(
        (
            s.python_name,
            _status_warning(
                f"property {s.python_name!r} of {cls.__name__}", s.status, s.status_message
            ),
        )
        for s in schemas
        if s.status in ("DEPRECATED", "HIDDEN")
    )
    type_warning = _type_warning(cls)
    return _Table(
        names=tuple((s.python_name, s.name) for s in schemas),
        schemas=tuple(schemas),
        by_name=by_name,
        by_python_name={s.python_name: s for s in schemas},
        arguments=arguments,
        required=tuple(s.python_name for s in schemas if s.required),
        deprecated=deprecated,
        type_warning=type_warning,
        warns=bool(deprecated) or type_warning is not None,
        plain_text=frozenset(
            s.python_name
            for s in schemas
            if s.type == "string" and all(isinstance(c, CustomConstraint) for c in s.constraints)
        ),
    )


def _generated_schemas(cls: type) -> tuple[PropertySchema, ...] | None:
    """The schemas of a generated class's fields, in order; None for a user's attrs class.

    A generated class lists them in `_property_schemas`; a plain subclass inherits them,
    an attrs subclass (which may add fields) is read through attrs.
    """
    for klass in cls.__mro__:
        if "_property_schemas" in klass.__dict__:
            schemas: tuple[PropertySchema, ...] = klass._property_schemas()  # type: ignore[attr-defined]
            return schemas
        if "_hotdsl_attrs" in klass.__dict__ and klass is not TypedResource:
            return None
    return ()


_RESOURCE_ARGUMENTS: list[frozenset[str]] = []


def _resource_arguments() -> frozenset[str]:
    """The keywords every resource takes (`scope`, `id`, `depends_on`, ...)."""
    if not _RESOURCE_ARGUMENTS:
        fields = attrs.fields(TypedResource)
        _RESOURCE_ARGUMENTS.append(frozenset(f.alias or f.name for f in fields if f.init))
    return _RESOURCE_ARGUMENTS[0]


def _attrs_view(cls: type) -> Any:
    """The attrs fields of a generated class, made on its first request (`attrs.fields`).

    Generated classes write their `__init__` out, so that importing them compiles no
    code; this view serves code that introspects them or subclasses them with attrs.
    """
    fields = {
        s.python_name: attrs.field(
            default=attrs.NOTHING if s.required else None, kw_only=True, metadata={SCHEMA_KEY: s}
        )
        for s in cls._property_schemas()  # type: ignore[attr-defined]
    }
    resource = issubclass(cls, TypedResource)
    made = attrs.make_class(
        cls.__name__, fields, bases=(TypedResource,) if resource else (), eq=False, repr=False
    )
    return attrs.fields(made)


def _type_warning(cls: type) -> str | None:
    status = getattr(cls, "support_status", "SUPPORTED")
    if status not in ("DEPRECATED", "HIDDEN"):
        return None
    return _status_warning(
        f"{cls.__name__} ({getattr(cls, 'resource_type', '')})",
        status,
        getattr(cls, "support_message", None),
    )


def _status_warning(what: str, status: str, message: str | None) -> str:
    state = "retired" if status == "HIDDEN" else "deprecated"
    text = f"{what} is {state} in Heat"
    return f"{text}: {message}" if message else text


def _schema_lookup(cls: type, name: str) -> PropertySchema:
    table = _table(cls)
    schema = table.by_name.get(name) or table.by_python_name.get(name)
    if schema is None:
        raise KeyError(
            f"{cls.__name__} has no property {name!r}{_did_you_mean(name, table.by_name)}"
        )
    return schema


def _did_you_mean(
    name: str, candidates: Sequence[str] | Mapping[str, object] | frozenset[str]
) -> str:
    import difflib  # only for a mistake: not at every start-up

    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


# --- construction: record argument mistakes instead of raising --------------------------


def _fit_arguments(
    cls: type, table: _Table, args: tuple[object, ...], kwargs: dict[str, object], positional: int
) -> tuple[tuple[object, ...], dict[str, object], list[str]] | None:
    """Arguments that fit `cls.__init__`, and the problems found; None if they fit already."""
    problems: list[str] = []
    name = cls.__name__
    if len(args) > positional:
        taken = "its scope and id" if positional else "no positional arguments"
        problems.append(
            f"{name} takes {taken} by position and its properties as keyword arguments; "
            f"{len(args) - positional} more positional argument(s) were left out"
        )
        args = args[:positional]
    fitted: dict[str, object] = {}
    for key, value in kwargs.items():
        if key in table.arguments:
            fitted[key] = value
            continue
        known = table.by_name.get(key)
        if known is not None and known.hidden:
            instead = (
                f"use {known.replaced_by!r} instead"
                if known.replaced_by
                else "use hotdsl.Resource to write it"
            )
            problems.append(
                f"{name}: property {key!r} is retired in Heat and not offered here; {instead}"
            )
        elif known is not None:
            problems.append(
                f"{name}: Heat's property {key!r} is the argument {known.python_name!r} here"
            )
        else:
            problems.append(
                f"{name} got an unknown property {key!r}{_did_you_mean(key, table.arguments)}"
            )
    for key in table.required:
        if key not in fitted:
            fitted[key] = None  # reported as missing by the property check
    if not problems and len(fitted) == len(kwargs):
        return None
    return args, fitted, problems


if TYPE_CHECKING:
    # mypy checks the generated classes as the attrs classes they behave like.
    from attrs import define as generated_resource
    from attrs import frozen as generated_item

    class _TypedMeta(type):
        """Seen by mypy as a plain metaclass, so that it checks the attrs `__init__`."""

else:

    def generated_resource(**_options):
        """At run time the generated classes write their `__init__` out; only the class-level
        defaults go (as attrs drops them): the `__init__` sets every field, and Python
        stores an attribute faster when the class holds none of that name."""
        return _without_field_defaults

    generated_item = generated_resource

    def _without_field_defaults(cls):
        for name, annotation in inspect.get_annotations(cls).items():
            if cls.__dict__.get(name, ...) is None and "ClassVar" not in str(annotation):
                type.__delattr__(cls, name)
        return cls

    class _TypedMeta(type):
        """Builds generated classes; argument mistakes become synth problems, not exceptions.

        The attrs `__init__` raises TypeError for an unknown or missing keyword. On that
        (rare) path the metaclass builds the object from the arguments that fit and
        records what did not, so that synth reports it with the user's file and line,
        together with every other problem. Deprecated types and properties warn here.
        """

        def __call__(cls, *args, **kwargs):
            table = _tables.get(cls) or _table(cls)
            if table.warns:
                if table.type_warning is not None:
                    warnings.warn(table.type_warning, DeprecationWarning, stacklevel=2)
                for python_name, message in table.deprecated:
                    if kwargs.get(python_name) is not None:
                        warnings.warn(message, DeprecationWarning, stacklevel=2)
            try:
                return type.__call__(cls, *args, **kwargs)
            except TypeError:
                positional = cls._positional_arguments
                if len(args) < positional:
                    raise
                fitted = _fit_arguments(cls, table, args, kwargs, positional)
                if fitted is None:
                    raise
                args, kwargs, problems = fitted
                instance = super().__call__(*args, **kwargs)
                instance._record_argument_problems(problems)
                return instance

        @property
        def __attrs_attrs__(cls):
            """The attrs fields: a generated class makes them on first request."""
            own = cls.__dict__.get("_hotdsl_attrs")
            if own is None and "_property_schemas" in cls.__dict__:
                own = _attrs_view(cls)
                type.__setattr__(cls, "_hotdsl_attrs", own)
            if own is None:
                for base in cls.__mro__[1:]:
                    own = base.__dict__.get("_hotdsl_attrs")
                    if own is not None or "_property_schemas" in base.__dict__:
                        return base.__attrs_attrs__
            return own

        @__attrs_attrs__.setter
        def __attrs_attrs__(cls, value):
            type.__setattr__(cls, "_hotdsl_attrs", value)

        @property
        def __signature__(cls):
            """The attrs `__init__` signature, for `help()` and other runtime introspection."""
            signature = inspect.signature(cls.__init__)
            return signature.replace(parameters=list(signature.parameters.values())[1:])


# --- checks at synth ------------------------------------------------------------------------


def _check_fields(obj: object, table: _Table, where: str, problems: list[str]) -> None:
    """Check every field of a resource or item against its schema.

    Most fields are unset and most set values are Heat functions: every synth checks
    every resource, so those are skipped without a call.
    """
    if table.required and any(getattr(obj, name) is None for name in table.required):
        for schema in table.schemas:  # in order, with the missing ones where they belong
            name = schema.python_name
            value = getattr(obj, name)
            if value is None:
                if schema.required:
                    problems.append(f"{where} needs the property {_shown(schema)}")
                continue
            _check_value(schema, value, f"{where}.{name}", problems)
        return
    values: dict[str, object] | None = getattr(obj, "__dict__", None)
    present: list[tuple[PropertySchema, object]] | None = None
    if values is not None:
        try:
            present = [(s, v) for s in table.schemas if (v := values[s.python_name]) is not None]
        except KeyError:  # a field computed by a subclass
            pass
    if present is None:  # fields in slots (items)
        present = [(s, v) for s in table.schemas if (v := getattr(obj, s.python_name)) is not None]
    plain_text = table.plain_text
    for schema, value in present:
        if type(value) is str and schema.python_name in plain_text:
            continue  # what _check_value would find: nothing
        if not isinstance(value, Intrinsic):
            _check_value(schema, value, f"{where}.{schema.python_name}", problems)


def _shown(schema: PropertySchema) -> str:
    if schema.python_name == schema.name:
        return repr(schema.name)
    return f"{schema.python_name!r} (Heat's {schema.name!r})"


def _check_mapping(
    cls: type[PropertyItem], value: Mapping[Any, Any], where: str, problems: list[str]
) -> None:
    """Check a plain dict given where Heat expects a map with known keys (Heat's names)."""
    table = _table(cls)
    for key, item in value.items():
        schema = table.by_name.get(key) if isinstance(key, str) else None
        if schema is None:
            problems.append(
                f"{where} has an unknown key {key!r}{_did_you_mean(str(key), table.by_name)}"
            )
        elif item is not None:
            _check_value(schema, item, f"{where}.{key}", problems)
    for schema in table.schemas:
        if schema.required and value.get(schema.name) is None:
            problems.append(f"{where} needs the key {schema.name!r}")


def _type_problem(where: str, expected: str, value: object) -> str:
    return f"{where}: must be {expected}, not {type(value).__name__} {value!r:.60}"


def _check_value(schema: PropertySchema, value: object, where: str, problems: list[str]) -> None:
    """Check one literal value against its schema as Heat does: type, nested keys and items,
    constraints. Heat first reads the value as its type (`heat_value`), then checks the
    constraints on what it read."""
    if isinstance(value, Intrinsic):
        return  # Heat computes it; nothing to check before deploy
    kind = schema.type
    constraints = schema.constraints
    read: object
    if kind == "string" and type(value) is str:
        read = value  # what heat_value gives, without the call (most values)
    elif kind == "map" and isinstance(value, PropertyItem) and not constraints:
        read = value  # its HOT form would be read by constraints only
    else:
        try:
            read = heat_value(kind, value)
        except _NotOfType as refused:
            expected = refused.expected
            if kind == "map" and schema.item_class is not None:
                expected = f"a {schema.item_class.__name__} or a dict"
            problems.append(_type_problem(where, expected, value))
            return
    if isinstance(read, list) and schema.item is not None:
        for index, element in enumerate(read):
            if element is not None and not isinstance(element, Intrinsic):
                _check_value(schema.item, element, f"{where}[{index}]", problems)
    if kind == "map":
        item_class = schema.item_class
        if isinstance(value, PropertyItem):
            if item_class is not None and not isinstance(value, item_class):
                problems.append(
                    f"{where}: must be a {item_class.__name__} or a dict, not a {type(value).__name__}"
                )
                return
            value._check(where, problems)
        elif isinstance(value, Mapping) and item_class is not None:
            _check_mapping(item_class, value, where, problems)
    for constraint in constraints:
        if isinstance(constraint, CustomConstraint):
            continue  # checked by Heat against the cloud
        message = _constraint_problem(constraint, schema, read)
        if message is not None:
            problems.append(f"{where}: {message}")


class _NotOfType(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def heat_value(kind: PropertyType, value: object) -> object:
    """A literal property value as Heat reads it for its type, or `_NotOfType`.

    Value for value as `Property.get_value` in heat/engine/properties.py: a string takes
    text, and a whole number or a boolean as text (`True` is `"True"`), never a float; an
    integer is whatever Python's `int()` reads (`"5"`, `" 5 "`, `True`, and `5.7` as 5);
    a number keeps a number (a boolean too) and reads text with `int()`, then `float()`;
    a boolean is `True`, `False`, or the text true or false in any case, nothing else
    (not "yes", "on" or 1); a list is any sequence but text; a map is a mapping.
    """
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, int):  # bool included
            return str(value)
        raise _NotOfType("a string")
    if kind == "integer":
        try:
            return int(value)  # type: ignore[call-overload]
        except (ValueError, TypeError, OverflowError):
            raise _NotOfType("an integer") from None
    if kind == "number":
        try:
            return _str_to_num(value)
        except (ValueError, TypeError, OverflowError):
            raise _NotOfType("a number") from None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _NotOfType("a boolean (true or false)")
    if kind == "list":
        if isinstance(value, (list, tuple)):
            return list(value)
        raise _NotOfType("a list")
    if kind == "map":
        if isinstance(value, PropertyItem):
            return value.__hot__()
        if isinstance(value, Mapping) or hasattr(value, "__hot__"):
            return value
        raise _NotOfType("a dict")
    return value


def _str_to_num(value: object) -> object:
    """Heat's `Schema.str_to_num`: a number as it is, anything else through int(), then float()."""
    if isinstance(value, numbers.Number):
        return value
    try:
        return int(value)  # type: ignore[call-overload]
    except ValueError:
        return float(value)  # type: ignore[arg-type]


def _constraint_problem(
    constraint: PropertyConstraint, schema: PropertySchema, value: object
) -> str | None:
    """Heat's `Constraint.validate` on the value as Heat read it (heat/engine/constraints.py)."""
    if isinstance(constraint, CustomConstraint):
        return None  # checked by Heat against the cloud
    if isinstance(value, Intrinsic) or (
        hasattr(value, "__hot__") and not isinstance(value, Mapping)
    ):
        return None  # computed by Heat
    try:
        if isinstance(constraint, AllowedValues):
            return _allowed_problem(constraint, schema, value)
        if isinstance(constraint, AllowedPattern):
            match = re.match(constraint.pattern, value)  # type: ignore[call-overload]
            if match is not None and match.end() == len(value):  # type: ignore[arg-type]
                return None
            return constraint.description or (
                f"{value!r} does not match the pattern {constraint.pattern!r}"
            )
        if isinstance(constraint, Length):
            size = len(value)  # type: ignore[arg-type]
            if _outside(size, constraint.min, constraint.max):
                return constraint.description or (
                    f"length must be {_bounds_text(constraint.min, constraint.max)}, got {size}"
                )
            return None
        number = _str_to_num(value)
        if isinstance(constraint, Range):
            if _outside(number, constraint.min, constraint.max):
                return constraint.description or (
                    f"must be {_bounds_text(constraint.min, constraint.max)}, got {value!r}"
                )
            return None
        if number % constraint.step != constraint.offset:  # type: ignore[operator]
            return constraint.description or (
                f"must leave {constraint.offset} when divided by {constraint.step}, got {value!r}"
            )
        return None
    except (TypeError, ValueError, OverflowError, re.error) as exc:
        return f"{value!r:.60} cannot be checked against {type(constraint).__name__}: {exc}"


def _outside(number: Any, low: float | None, high: float | None) -> bool:
    return (low is not None and number < low) or (high is not None and number > high)


def _bounds_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _allowed_problem(
    constraint: AllowedValues, schema: PropertySchema, value: object
) -> str | None:
    """Heat's allowed_values: each item of a list exactly as it is; one value after turning it
    and every allowed value into the property's type (for a string both become text)."""
    if isinstance(value, list):
        for item in value:
            if item is None or isinstance(item, Intrinsic):
                continue
            if schema.item is not None:
                try:
                    item = heat_value(schema.item.type, item)
                except _NotOfType:
                    continue  # reported as the item's own problem
            if item not in constraint.values:
                return _not_allowed(constraint, item)
        return None
    try:
        allowed = [_as_schema_type(schema.type, v) for v in constraint.values]
        typed = _as_schema_type(schema.type, value)
    except (ValueError, TypeError, OverflowError):
        return _not_allowed(constraint, value)
    return None if typed in allowed else _not_allowed(constraint, value)


def _as_schema_type(kind: PropertyType, value: object) -> object:
    """Heat's `Schema.to_schema_type`, which allowed_values compares with."""
    if kind == "integer":
        number = _str_to_num(value)
        if isinstance(number, float):
            raise ValueError(f"{number} is not an integer")
        return number
    if kind == "number":
        return _str_to_num(value)
    if kind == "string":
        return str(value)
    if kind == "boolean":
        word = str(value).strip().lower()
        if word in BOOLEAN_TRUE_WORDS or word in BOOLEAN_FALSE_WORDS:
            return word in BOOLEAN_TRUE_WORDS
        raise ValueError(f"{value!r} is not a boolean")
    return value


def _not_allowed(constraint: AllowedValues, item: object) -> str:
    if constraint.description:
        return constraint.description
    if len(constraint.values) <= 12:
        return f"{item!r} is not one of {list(constraint.values)!r}"
    hint = _did_you_mean(str(item), sorted({str(v) for v in constraint.values}))
    return f"{item!r} is not one of the {len(constraint.values)} values Heat allows{hint}"


# --- nested maps ----------------------------------------------------------------------------


class PropertyItem(metaclass=_TypedMeta):
    """A nested map with known keys, such as an item of `Server.networks`.

    Generated subclasses are frozen attrs classes whose fields are the keys; a plain
    dict with Heat's key names is accepted wherever they are. Unset keys are left out.
    """

    __slots__ = ("_argument_problems",)

    _positional_arguments: ClassVar[int] = 0
    hidden_properties: ClassVar[Mapping[str, PropertySchema]] = {}
    """Retired keys that Heat still reads: not offered as arguments, accepted in dicts."""

    def __hot__(self) -> dict[str, object]:
        """The map as Heat reads it: set keys under Heat's names."""
        out: dict[str, object] = {}
        for python_name, name in _table(type(self)).names:
            value = getattr(self, python_name)
            if value is not None:
                out[name] = value
        return out

    @classmethod
    def property_schema(cls, name: str) -> PropertySchema:
        """The schema of one key, by Heat's name (or the Python name)."""
        return _schema_lookup(cls, name)

    @classmethod
    def property_schemas(cls) -> Mapping[str, PropertySchema]:
        """Every key's schema, by Heat's name, in order (retired keys included)."""
        return dict(_table(cls).by_name)

    def _field_values(self) -> tuple[object, ...]:
        return tuple(getattr(self, python_name) for python_name, _ in _table(type(self)).names)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._field_values() == other._field_values()

    def __hash__(self) -> int:
        return hash((self.__class__, *self._field_values()))

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{python_name}={getattr(self, python_name)!r}"
            for python_name, _ in _table(type(self)).names
        )
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise attrs.exceptions.FrozenInstanceError()

    def __getstate__(self) -> dict[str, object]:
        names = [python_name for python_name, _ in _table(type(self)).names]
        names.append("_argument_problems")
        return {name: getattr(self, name) for name in names if hasattr(self, name)}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def _record_argument_problems(self, problems: list[str]) -> None:
        where = caller_location()
        recorded = tuple(
            f"{message} (in the {type(self).__name__} made at {where})" for message in problems
        )
        object.__setattr__(self, "_argument_problems", recorded)

    def _check(self, where: str, problems: list[str]) -> None:
        problems.extend(getattr(self, "_argument_problems", ()))
        _check_fields(self, _table(type(self)), where, problems)


# --- attributes -----------------------------------------------------------------------------


class Attributes:
    """The attributes of one resource as typed `get_attr` values: `server.attrs.first_address`.

    Generated subclasses have one property per attribute of Heat's schema. `get(name)`
    reaches any attribute by name, for the types whose attributes are open-ended
    (`ResourceGroup`'s `resource.0`, a deployment's outputs); synth checks the name
    against the schema of the types whose attributes are not.
    """

    __slots__ = ("_resource",)

    names: ClassVar[tuple[str, ...]] = ()
    """Heat's names of the attributes in the schema."""
    dynamic: ClassVar[bool] = False
    """True if the type also resolves attribute names that are not in its schema."""

    def __init__(self, resource: ResourceBase) -> None:
        self._resource = resource

    def get(self, name: str, *path: Value[str] | Value[int]) -> GetAttr[Any]:
        """`get_attr` of an attribute by its Heat name, optionally with a path into it.

        Across stacks the value travels as a string parameter, or as json with a path.
        """
        return GetAttr(self._resource, name, path, hot_type="json" if path else "string")

    def _get(self, name: str, hot_type: HotType = "string") -> GetAttr[Any]:
        return GetAttr(self._resource, name, hot_type=hot_type)

    def _get_deprecated(
        self, name: str, status: SupportStatus, message: str | None, hot_type: HotType = "string"
    ) -> GetAttr[Any]:
        what = f"attribute {name!r} of {type(self._resource).__name__}"
        warnings.warn(_status_warning(what, status, message), DeprecationWarning, stacklevel=3)
        return GetAttr(self._resource, name, hot_type=hot_type)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._resource!r}>"


class AttributeAccess(Generic[A_co]):
    """The `attrs` of a generated resource class: `resource.attrs` is an `A_co` for it."""

    __slots__ = ("attributes_class",)

    def __init__(self, attributes_class: type[A_co]) -> None:
        self.attributes_class = attributes_class

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> AttributeAccess[A_co]: ...
    @overload
    def __get__(self, instance: ResourceBase, owner: type[Any]) -> A_co: ...
    def __get__(
        self, instance: ResourceBase | None, owner: type[Any]
    ) -> AttributeAccess[A_co] | A_co:
        if instance is None:
            return self
        return self.attributes_class(instance)


# --- resources ------------------------------------------------------------------------------


@attrs.define(eq=False, slots=False, repr=False)
class TypedResource(ResourceBase, metaclass=_TypedMeta):
    """A resource of one Heat type whose properties are typed keyword arguments.

    Generated subclasses set `resource_type` and declare one attrs field per property
    (Heat's name, or with a trailing underscore where it clashes; see
    `tools/gen_stdlib.py`). Optional properties default to None and are left out of
    the template. `check_properties` runs at synth and reports unknown and missing
    properties, wrong types and values outside Heat's constraints.
    """

    resource_type: ClassVar[str] = ""
    """Heat's name of the type, e.g. `OS::Nova::Server`."""
    hidden_properties: ClassVar[Mapping[str, PropertySchema]] = {}
    """Retired properties that Heat still reads in old templates; not offered as arguments."""

    support_status: ClassVar[SupportStatus] = "SUPPORTED"
    """Heat's support status of the type; deprecated types warn when created."""
    support_message: ClassVar[str | None] = None
    """What Heat says about the status, such as the type to use instead."""

    _positional_arguments: ClassVar[int] = 2
    _argument_problems: ClassVar[tuple[str, ...]] = ()

    attrs = AttributeAccess(Attributes)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        init = cls.__dict__.get("__init__")
        if init is not None and "_property_schemas" in cls.__dict__:
            # A generated `__init__` attaches the node last, when nothing can fail any more:
            # it needs no unwinding (`Construct.__init_subclass__`), and saves its cost.
            init._hotdsl_unwinds = True
        super().__init_subclass__(**kwargs)

    @property
    def heat_type(self) -> str:
        return self.resource_type

    def heat_properties(self) -> Mapping[str, object]:
        names = _table(type(self)).names
        values = self.__dict__
        try:
            return {
                name: value
                for python_name, name in names
                if (value := values[python_name]) is not None
            }
        except KeyError:  # a subclass that keeps properties in slots
            return {
                name: value
                for python_name, name in names
                if (value := getattr(self, python_name)) is not None
            }

    def check_properties(self) -> list[str]:
        problems = list(self._argument_problems)
        _check_fields(self, _table(type(self)), type(self).__name__, problems)
        if self.external_id is not None:
            # Heat adopts an existing resource by external_id without validating its
            # properties (stack.py, validate_external): none is required then.
            problems = [p for p in problems if " needs the property " not in p]
        return problems

    def check_attribute(self, name: str) -> str | None:
        attributes = type(self).attrs.attributes_class
        if attributes.dynamic or name in attributes.names:
            return None
        return (
            f"{type(self).__name__} ({self.resource_type}) has no attribute {name!r}"
            f"{_did_you_mean(name, attributes.names)}"
        )

    @classmethod
    def property_schema(cls, name: str) -> PropertySchema:
        """The schema of one property, by Heat's name (or the Python name).

        `Server.property_schema("flavor").on_update` is `"update"`: Heat resizes the
        server in place; `"replace"` would mean a new server.
        """
        return _schema_lookup(cls, name)

    @classmethod
    def property_schemas(cls) -> Mapping[str, PropertySchema]:
        """Every property's schema, by Heat's name, in order (retired ones included)."""
        return dict(_table(cls).by_name)

    def _record_argument_problems(self, problems: list[str]) -> None:
        self._argument_problems = tuple(problems)  # type: ignore[misc]


class _NoDependencies(tuple[Any, ...]):
    """The type of `NO_DEPENDENCIES`: an empty tuple that is not the `()` a user writes."""

    __slots__ = ()


NO_DEPENDENCIES: Sequence[Any] = _NoDependencies()
"""The default of a generated resource's `depends_on`: a new empty list each time."""
