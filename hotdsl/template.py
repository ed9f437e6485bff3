"""The sections of a HOT template as constructs: parameters, conditions, resources, outputs."""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any, ClassVar, Literal, TypeVar, cast, overload

import attrs

from hotdsl.construct import Construct
from hotdsl.intrinsics import (
    CombinableCondition,
    ConditionLike,
    GetAttr,
    GetParam,
    Intrinsic,
    Reference,
    ResolveContext,
    Value,
)
from hotdsl.versions import (
    BOOLEAN_FALSE_WORDS,
    BOOLEAN_TRUE_WORDS,
    PARAMETER_TYPES,
    ParameterType,
    constraint_since,
)

T = TypeVar("T")

# --- parameter constraints ---------------------------------------------------------------
#
# Each constraint has two checks. `check(value)` serves resource properties (hotdsl.stdlib):
# it skips values of a type the constraint does not look at. `parameter_error(value,
# parameter_type)` is Heat's own `Constraint.validate` on a parameter value
# (heat/engine/constraints.py), value for value: a value the constraint cannot read is
# an error, as it is in Heat.


@attrs.frozen
class Length:
    """`length`: the length of a string, list or map parameter lies within [min, max]."""

    min: int | None = None
    max: int | None = None
    description: str | None = None
    parameter_types: ClassVar[tuple[str, ...]] = ("string", "comma_delimited_list", "json")

    def to_hot(self) -> dict[str, object]:
        return _constraint("length", _bounds(self.min, self.max), self.description)

    def definition_error(self) -> str | None:
        if self.min is None and self.max is None:
            return "a length constraint needs a min, a max or both"
        for bound in (self.min, self.max):
            if bound is not None and not isinstance(_number_or_none(bound), int):
                return f"a length constraint's min and max must be whole numbers, not {bound!r}"
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        if not isinstance(value, Sized):
            return f"{value!r} has no length (it is a {type(value).__name__}, not text, a list or a map)"
        size = len(value)
        if _outside(size, self.min, self.max):
            return (
                self.description
                or f"length must be {_describe_bounds(self.min, self.max)}, got {size}"
            )
        return None


@attrs.frozen
class Range:
    """`range`: a number parameter lies within [min, max]."""

    min: float | None = None
    max: float | None = None
    description: str | None = None
    parameter_types: ClassVar[tuple[str, ...]] = ("number",)

    def to_hot(self) -> dict[str, object]:
        return _constraint("range", _bounds(self.min, self.max), self.description)

    def definition_error(self) -> str | None:
        if self.min is None and self.max is None:
            return "a range constraint needs a min, a max or both"
        for bound in (self.min, self.max):
            if bound is not None and not isinstance(_number_or_none(bound), (int, float)):
                return f"a range constraint's min and max must be numbers, not {bound!r}"
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        number = _number_or_none(value)
        if number is None:
            return f"a number parameter takes a number, not {value!r}"
        if _outside(number, self.min, self.max):
            return (
                self.description or f"must be {_describe_bounds(self.min, self.max)}, got {value!r}"
            )
        return None


@attrs.frozen
class Modulo:
    """`modulo`: a number parameter leaves `offset` when divided by `step` (2017-02-24)."""

    step: int
    offset: int
    description: str | None = None
    since: ClassVar[str] = constraint_since("modulo")
    parameter_types: ClassVar[tuple[str, ...]] = ("number",)

    def to_hot(self) -> dict[str, object]:
        return _constraint("modulo", {"step": self.step, "offset": self.offset}, self.description)

    def definition_error(self) -> str | None:
        step, offset = _number_or_none(self.step), _number_or_none(self.offset)
        if step is None or offset is None:
            return "a modulo constraint needs a numeric step and offset"
        if int(step) != step or int(offset) != offset:
            return "a modulo constraint's step and offset must be whole numbers"
        if step == 0:
            return "a modulo constraint's step cannot be 0"
        if abs(offset) >= abs(step):
            return "a modulo constraint's offset must be smaller than its step (in absolute value)"
        if step * offset < 0:
            return "a modulo constraint's step and offset must be both positive or both negative"
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        number = _number_or_none(value)
        if number is None:
            return f"a number parameter takes a number, not {value!r}"
        step, offset = _number_or_none(self.step), _number_or_none(self.offset)
        if step is not None and number % step != offset:
            return (
                self.description
                or f"must leave {self.offset} when divided by {self.step}, got {value!r}"
            )
        return None


def _as_tuple(values: Iterable[object]) -> tuple[object, ...]:
    return tuple(values)


@attrs.frozen
class AllowedValues:
    """`allowed_values`: the parameter is one of these values.

    As Heat compares them: a list value item by item, exactly; a single value after
    turning it and every allowed value into the parameter's type (`"8080"` matches
    `8080` for a number; for a string both become text, so `True` matches `"True"`).
    """

    values: tuple[object, ...] = attrs.field(converter=_as_tuple)
    description: str | None = None
    parameter_types: ClassVar[tuple[str, ...]] = (
        "string",
        "number",
        "boolean",
        "comma_delimited_list",
    )

    def to_hot(self) -> dict[str, object]:
        return _constraint("allowed_values", list(self.values), self.description)

    def definition_error(self) -> str | None:
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        if isinstance(value, (list, tuple)):
            for item in value:
                if item not in self.values:
                    return self.description or f"{item!r} is not one of {list(self.values)!r}"
            return None
        try:
            allowed = [_as_parameter_type(v, parameter_type) for v in self.values]
        except (ValueError, TypeError):
            return f"the allowed values {list(self.values)!r} are not all of type {parameter_type}"
        try:
            typed = _as_parameter_type(value, parameter_type)
        except (ValueError, TypeError):
            return f"{value!r} is not a valid {parameter_type}"
        if typed not in allowed:
            return self.description or f"{value!r} is not one of {list(self.values)!r}"
        return None


@attrs.frozen
class AllowedPattern:
    """`allowed_pattern`: a string parameter matches this regular expression (whole string)."""

    pattern: str
    description: str | None = None
    parameter_types: ClassVar[tuple[str, ...]] = ("string",)

    def to_hot(self) -> dict[str, object]:
        return _constraint("allowed_pattern", self.pattern, self.description)

    def definition_error(self) -> str | None:
        if not isinstance(self.pattern, str):
            return f"an allowed_pattern must be a string, not {type(self.pattern).__name__}"
        try:
            re.compile(self.pattern)
        except re.error as exc:
            return f"the allowed_pattern {self.pattern!r} is not a valid regular expression: {exc}"
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        if not isinstance(value, str):
            return f"allowed_pattern needs text; {value!r} is a {type(value).__name__} (quote it)"
        match = re.match(self.pattern, value)
        if match is None or match.end() != len(value):
            return self.description or f"{value!r} does not match the pattern {self.pattern!r}"
        return None


@attrs.frozen
class CustomConstraint:
    """`custom_constraint`: Heat checks the value against the cloud, e.g. `nova.flavor`."""

    name: str
    description: str | None = None
    parameter_types: ClassVar[tuple[str, ...]] = (
        "string",
        "number",
        "boolean",
        "comma_delimited_list",
    )

    def to_hot(self) -> dict[str, object]:
        return _constraint("custom_constraint", self.name, self.description)

    def definition_error(self) -> str | None:
        return None

    def parameter_error(self, value: object, parameter_type: str) -> str | None:
        """Custom constraints ask the cloud; only Heat can check them."""
        return None


ParameterConstraint = Length | Range | Modulo | AllowedValues | AllowedPattern | CustomConstraint


def _bounds(low: float | None, high: float | None) -> dict[str, object]:
    bounds: dict[str, object] = {}
    if low is not None:
        bounds["min"] = low
    if high is not None:
        bounds["max"] = high
    return bounds


def _describe_bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low} and {high}"
    if low is not None:
        return f"at least {low}"
    return f"at most {high}"


def _outside(number: float, low: object, high: object) -> bool:
    """Heat's `Range._is_valid`, negated: bounds are read as numbers, None is open."""
    low_number, high_number = _number_or_none(low), _number_or_none(high)
    return (low_number is not None and number < low_number) or (
        high_number is not None and number > high_number
    )


def heat_number(value: object) -> float:
    """A number as Heat reads one (`Schema.str_to_num`): numbers as they are (booleans
    too), anything else through `int()`, then `float()`. So `" 5 "`, `"1e3"`, `"1_000"`
    and `"nan"` are numbers and `"0x10"` is not. Raises ValueError or TypeError."""
    if isinstance(value, numbers.Number):
        return cast(float, value)
    try:
        return int(cast(Any, value))
    except ValueError:
        return float(cast(Any, value))


def _number_or_none(value: object) -> float | None:
    try:
        return heat_number(value)
    except (ValueError, TypeError):
        return None


def heat_boolean(value: object) -> bool:
    """A boolean as a boolean parameter reads one (`bool_from_string(strict=True)`)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in BOOLEAN_TRUE_WORDS:
        return True
    if word in BOOLEAN_FALSE_WORDS:
        return False
    words = ", ".join(BOOLEAN_TRUE_WORDS + BOOLEAN_FALSE_WORDS)
    raise ValueError(f"a boolean parameter takes true or false (or {words}), not {value!r}")


def _as_parameter_type(value: object, parameter_type: str) -> object:
    """Heat's `Schema.to_schema_type` for parameter types: what allowed_values compares."""
    if parameter_type == "number":
        return heat_number(value)
    if parameter_type == "string":
        return str(value)
    if parameter_type == "boolean":
        return heat_boolean(str(value))
    return value


def _constraint(kind: str, value: object, description: str | None) -> dict[str, object]:
    out: dict[str, object] = {kind: value}
    if description is not None:
        out["description"] = description
    return out


# --- parameter values, as Heat's parameter classes read them -------------------------------
#
# heat/engine/parameters.py: a parameter's schema is checked first (each constraint must
# suit the type: `Schema.validate`), then its default as written against the constraints
# (`_validate_default`; a comma_delimited_list default is split on commas first), then
# the value the stack gets (the default, or a value from an environment) by its type's
# class (`StringParam`, `NumberParam`, ... `_validate`). Heat refuses a template whose
# default fails any of these when the stack is previewed or created.


def parameter_definition_problems(
    parameter_type: str, constraints: Sequence[ParameterConstraint]
) -> list[str]:
    """What is wrong with a parameter's type and constraints, whatever its value."""
    if parameter_type not in PARAMETER_TYPES:
        return [f"unknown parameter type {parameter_type!r}; Heat has {', '.join(PARAMETER_TYPES)}"]
    problems = []
    for constraint in constraints:
        if parameter_type not in constraint.parameter_types:
            name = _constraint_name(constraint)
            problems.append(
                f"a {name} constraint does not apply to a {parameter_type} parameter "
                f"(only to {', '.join(constraint.parameter_types)})"
            )
            continue
        message = constraint.definition_error()
        if message is not None:
            problems.append(message)
    return problems


def check_parameter_default(
    parameter_type: str, default: object, constraints: Sequence[ParameterConstraint]
) -> str | None:
    """Why Heat refuses `default` for a parameter of this type and constraints, or None.

    Assumes `parameter_definition_problems` found nothing.
    """
    if parameter_type == "comma_delimited_list":
        if isinstance(default, (list, tuple)):
            as_written: object = [str(item) for item in default]
        elif isinstance(default, str):
            as_written = default.split(",")
        else:
            return _list_type_error(default)
    else:
        as_written = default
    for constraint in constraints:
        message = constraint.parameter_error(as_written, parameter_type)
        if message is not None:
            return message
    return check_parameter_input(parameter_type, default, constraints)


def check_parameter_input(
    parameter_type: str, value: object, constraints: Sequence[ParameterConstraint]
) -> str | None:
    """Why Heat refuses `value` as the value of a parameter (its type class's `_validate`)."""
    try:
        checked = _value_for_constraints(parameter_type, value)
    except (ValueError, TypeError) as exc:
        return str(exc)
    for constraint in constraints:
        message = constraint.parameter_error(checked, parameter_type)
        if message is not None:
            return message
    return None


def constraint_from_hot(body: Mapping[str, Any]) -> ParameterConstraint | None:
    """A constraint as a template writes it (`{range: {min: 1}}`), or None if hotdsl has no
    class for it (it is then left to Heat)."""
    description = body.get("description")
    description = description if isinstance(description, str) else None
    for kind, value in body.items():
        if kind == "range" and isinstance(value, Mapping):
            return Range(value.get("min"), value.get("max"), description)
        if kind == "length" and isinstance(value, Mapping):
            return Length(value.get("min"), value.get("max"), description)
        if kind == "modulo" and isinstance(value, Mapping):
            return Modulo(value.get("step", 1), value.get("offset", 0), description)
        if kind == "allowed_values" and isinstance(value, list):
            return AllowedValues(value, description)
        if kind == "allowed_pattern" and isinstance(value, str):
            return AllowedPattern(value, description)
    return None  # custom constraints ask the cloud's services: Heat checks them


def check_parameter_definition_input(definition: Mapping[str, Any], value: object) -> str | None:
    """Why Heat refuses `value` for a parameter defined as `definition` (a template's
    `parameters` entry), or None."""
    parameter_type = str(definition.get("type", "string"))
    if parameter_type not in PARAMETER_TYPES:
        return None
    found = definition.get("constraints")
    written = found if isinstance(found, list) else []
    constraints = [
        c
        for body in written
        if isinstance(body, Mapping) and (c := constraint_from_hot(body)) is not None
    ]
    if parameter_definition_problems(parameter_type, constraints):
        return None  # the template is wrong, not the value: synth and Heat say so
    return check_parameter_input(parameter_type, value, constraints)


def _value_for_constraints(parameter_type: str, value: object) -> object:
    """Type-check `value` as Heat's parameter class does; return what its constraints see.

    Numbers, booleans and strings are constrained as given (each constraint reads them
    itself); lists and json are parsed first.
    """
    if parameter_type == "number":
        if _number_or_none(value) is None:
            raise ValueError(f"a number parameter takes a number, not {value!r}")
        return value
    if parameter_type == "boolean":
        heat_boolean(value)
        return value
    if parameter_type == "comma_delimited_list":
        if isinstance(value, (list, tuple)):
            return [str(item) for item in value]
        if isinstance(value, str):
            return value.split(",") if value else []
        raise ValueError(_list_type_error(value))
    if parameter_type == "json":
        try:
            text = value if isinstance(value, str) else json.dumps(value)
        except (TypeError, ValueError):
            raise ValueError(f"a json parameter takes JSON data, not {value!r:.60}") from None
        if not text:
            return value  # Heat keeps an empty string as it is
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(
                f"a json parameter given as a string must hold valid JSON ({exc})"
            ) from None
    return value


def _list_type_error(value: object) -> str:
    return (
        "a comma_delimited_list parameter takes a list or a comma-separated string, "
        f"not {type(value).__name__}"
    )


def _constraint_name(constraint: ParameterConstraint) -> str:
    return next(iter(constraint.to_hot()))


# --- parameters ---------------------------------------------------------------------------


class Parameter(Construct, Reference[T]):
    """A template parameter. Pass it where a value is expected to write `get_param`.

    Its Python type follows its HOT type: `string` -> `str`, `boolean` -> `bool`,
    `comma_delimited_list` -> `list[str]`, `number` and `json` -> `Any` (a number may be
    an int or a float; json may be a map or a list).
    """

    @overload
    def __init__(
        self: Parameter[str],
        scope: Construct,
        id: str,
        *,
        type: Literal["string"] = ...,
        default: str | None = ...,
        label: str | None = ...,
        description: str | None = ...,
        hidden: bool = ...,
        immutable: bool = ...,
        tags: Sequence[str] | None = ...,
        constraints: Sequence[ParameterConstraint] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Parameter[bool],
        scope: Construct,
        id: str,
        *,
        type: Literal["boolean"],
        default: bool | str | None = ...,
        label: str | None = ...,
        description: str | None = ...,
        hidden: bool = ...,
        immutable: bool = ...,
        tags: Sequence[str] | None = ...,
        constraints: Sequence[ParameterConstraint] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Parameter[list[str]],
        scope: Construct,
        id: str,
        *,
        type: Literal["comma_delimited_list"],
        default: Sequence[str] | str | None = ...,
        label: str | None = ...,
        description: str | None = ...,
        hidden: bool = ...,
        immutable: bool = ...,
        tags: Sequence[str] | None = ...,
        constraints: Sequence[ParameterConstraint] = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Parameter[Any],
        scope: Construct,
        id: str,
        *,
        type: Literal["number", "json"],
        default: object = ...,
        label: str | None = ...,
        description: str | None = ...,
        hidden: bool = ...,
        immutable: bool = ...,
        tags: Sequence[str] | None = ...,
        constraints: Sequence[ParameterConstraint] = ...,
    ) -> None: ...

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        type: ParameterType = "string",
        default: object = None,
        label: str | None = None,
        description: str | None = None,
        hidden: bool = False,
        immutable: bool = False,
        tags: Sequence[str] | None = None,
        constraints: Sequence[ParameterConstraint] = (),
    ) -> None:
        super().__init__(scope, id)
        self.type: ParameterType = type
        self.default = default
        self.label = label
        self.description = description
        self.hidden = hidden
        self.immutable = immutable
        self.tags = list(tags) if tags is not None else None
        self.constraints = list(constraints)
        self.takes_output: tuple[Construct, str] | None = None
        """(stack, output name) whose deployed value deploy gives this parameter."""

    def take_output(self, stack: Construct, output: str) -> None:
        """At deploy, give this parameter the deployed value of the output named `output`
        of `stack`, another top-level stack of the app (deployed first).

        Unlike a cross-stack reference (passing a value of one stack into another, which
        makes an `import.*` parameter and an `export.*` output), both keep their names:
        what stacks imported from Heat, already linked that way, need.
        """
        self.takes_output = (stack, output)

    def referenced(self) -> Construct:
        return self

    def carried_as(self) -> tuple[str, str]:
        return f"param.{self.node.logical_name}", self.type

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        return {"get_param": name}

    def __getitem__(self, key: Value[str] | Value[int]) -> GetParam[Any]:
        """Select into a json or list parameter: `get_param: [name, key]`."""
        return GetParam(self, (key,))


class ParameterGroup(Construct):
    """A `parameter_groups` entry: how a user interface groups and orders parameters."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        parameters: Sequence[Parameter[Any]],
        label: str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.parameters = list(parameters)
        self.label = label
        self.description = description


# --- conditions ---------------------------------------------------------------------------


class Condition(Construct, CombinableCondition):
    """A named condition (2016-10-14). Combine with `&`, `|` and `~`, or pass to `if_`."""

    def __init__(self, scope: Construct, id: str, expression: ConditionLike) -> None:
        super().__init__(scope, id)
        self.expression = expression

    def resolve(self, ctx: ResolveContext) -> object:
        return ctx.condition(self)


# --- outputs ------------------------------------------------------------------------------


class Output(Construct):
    """A stack output: a value Heat reports once the stack is deployed."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        value: object,
        description: str | None = None,
        condition: ConditionLike | None = None,
        extra_keys: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.value = value
        self.description = description
        self.condition = condition
        self.extra_keys = dict(extra_keys or {})
        """Keys Heat ignores in an output, written after the others as they are (what an
        imported template had)."""


# --- resources ----------------------------------------------------------------------------

DeletionPolicy = Literal["Delete", "Retain", "Snapshot", "delete", "retain", "snapshot"]


@attrs.define(eq=False, slots=False, repr=False)
class ResourceBase(Construct, Reference[str]):
    """What every resource has, whatever its type: the resource-level keys of HOT.

    The resource's `metadata` and `description` keys are `resource_metadata` and
    `resource_description` here, because many resource types have properties of those
    names (OS::Nova::Server's `metadata`, OS::Neutron::SecurityGroup's `description`).
    Passing a resource where a value is expected writes `get_resource`.
    """

    _scope: Construct = attrs.field(alias="scope")
    _id: str = attrs.field(alias="id")
    depends_on: ResourceBase | Sequence[ResourceBase] = attrs.field(factory=list, kw_only=True)
    """Resources to wait for; a single resource is written as a name, a list as a list."""
    condition: ConditionLike | None = attrs.field(default=None, kw_only=True)
    deletion_policy: DeletionPolicy | Intrinsic[str] | None = attrs.field(
        default=None, kw_only=True
    )
    """A policy, or a value Heat resolves to one when it reads the resource (`get_param`)."""
    update_policy: Mapping[str, object] | None = attrs.field(default=None, kw_only=True)
    external_id: Value[str] | None = attrs.field(default=None, kw_only=True)
    resource_metadata: Mapping[str, object] | None = attrs.field(default=None, kw_only=True)
    resource_description: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        self._attach(self._scope, self._id)

    @property
    def heat_type(self) -> str:
        """The Heat resource type, e.g. `OS::Nova::Server`."""
        raise NotImplementedError

    def heat_properties(self) -> Mapping[str, object]:
        """The properties as given, keyed by Heat's property names (unset ones left out)."""
        raise NotImplementedError

    def check_properties(self) -> list[str]:
        """Problems with the properties, where the type's schema is known; none for `Resource`."""
        return []

    def get_attr(
        self, attribute: str | None = None, *path: Value[str] | Value[int]
    ) -> GetAttr[Any]:
        """`get_attr` of any attribute by name; typed classes also offer `.attrs`."""
        return GetAttr(self, attribute, path)

    def add_dependency(self, *resources: ResourceBase) -> None:
        """Make this resource wait for others (`depends_on`)."""
        current = (
            [self.depends_on]
            if isinstance(self.depends_on, ResourceBase)
            else list(self.depends_on)
        )
        self.depends_on = [*current, *resources]

    def referenced(self) -> Construct:
        return self

    def carried_as(self) -> tuple[str, str]:
        return self.node.logical_name, "string"

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        return {"get_resource": name}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.node.path}>"


@attrs.define(eq=False, slots=False, repr=False)
class Resource(ResourceBase):
    """A resource of any type, properties given as a mapping.

    Works for every Heat type and for provider templates; the typed classes of
    `hotdsl.stdlib` check their properties, this one does not.
    """

    type: str = attrs.field(kw_only=True)
    properties: Mapping[str, object] = attrs.field(factory=dict, kw_only=True)

    @property
    def heat_type(self) -> str:
        return self.type

    def heat_properties(self) -> Mapping[str, object]:
        return self.properties
