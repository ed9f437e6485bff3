"""The sections of a HOT template as constructs: parameters, conditions, resources, outputs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, overload

import attrs

from hotdsl.construct import Construct
from hotdsl.intrinsics import (
    CombinableCondition,
    ConditionLike,
    GetAttr,
    GetParam,
    Intrinsic,
    ResolveContext,
    Value,
)

T = TypeVar("T")

ParameterType = Literal["string", "number", "json", "comma_delimited_list", "boolean"]
PARAMETER_TYPES: tuple[str, ...] = ("string", "number", "json", "comma_delimited_list", "boolean")


# --- parameter constraints ---------------------------------------------------------------


@attrs.frozen
class Length:
    """`length`: the length of a string, list or map parameter lies within [min, max]."""

    min: int | None = None
    max: int | None = None
    description: str | None = None

    def to_hot(self) -> dict[str, object]:
        return _constraint("length", _bounds(self.min, self.max), self.description)

    def check(self, value: object) -> str | None:
        if not isinstance(value, (str, list, tuple, dict)):
            return None
        size = len(value)
        if (self.min is not None and size < self.min) or (self.max is not None and size > self.max):
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

    def to_hot(self) -> dict[str, object]:
        return _constraint("range", _bounds(self.min, self.max), self.description)

    def check(self, value: object) -> str | None:
        number = _as_number(value)
        if number is None:
            return None
        if (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
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
    since: ClassVar[str] = "2017-02-24"

    def to_hot(self) -> dict[str, object]:
        return _constraint("modulo", {"step": self.step, "offset": self.offset}, self.description)

    def check(self, value: object) -> str | None:
        number = _as_number(value)
        if number is None or self.step == 0:
            return None
        if number % self.step != self.offset:
            return (
                self.description
                or f"must leave {self.offset} when divided by {self.step}, got {value!r}"
            )
        return None


def _as_tuple(values: Iterable[object]) -> tuple[object, ...]:
    return tuple(values)


@attrs.frozen
class AllowedValues:
    """`allowed_values`: the parameter is one of these values."""

    values: tuple[object, ...] = attrs.field(converter=_as_tuple)
    description: str | None = None

    def to_hot(self) -> dict[str, object]:
        return _constraint("allowed_values", list(self.values), self.description)

    def check(self, value: object) -> str | None:
        items = value if isinstance(value, (list, tuple)) else [value]
        allowed = [str(v) for v in self.values]
        for item in items:
            if item not in self.values and str(item) not in allowed:
                return self.description or f"{item!r} is not one of {list(self.values)!r}"
        return None


@attrs.frozen
class AllowedPattern:
    """`allowed_pattern`: a string parameter matches this regular expression (whole string)."""

    pattern: str
    description: str | None = None

    def to_hot(self) -> dict[str, object]:
        return _constraint("allowed_pattern", self.pattern, self.description)

    def check(self, value: object) -> str | None:
        if not isinstance(value, str):
            return None
        match = re.match(self.pattern, value)
        if match is None or match.end() != len(value):
            return self.description or f"{value!r} does not match the pattern {self.pattern!r}"
        return None


@attrs.frozen
class CustomConstraint:
    """`custom_constraint`: Heat checks the value against the cloud, e.g. `nova.flavor`."""

    name: str
    description: str | None = None

    def to_hot(self) -> dict[str, object]:
        return _constraint("custom_constraint", self.name, self.description)

    def check(self, value: object) -> str | None:
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


def _as_number(value: object) -> float | None:
    """A number parameter's value as Heat reads it: numbers, and strings that hold one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _constraint(kind: str, value: object, description: str | None) -> dict[str, object]:
    out: dict[str, object] = {kind: value}
    if description is not None:
        out["description"] = description
    return out


# --- parameters ---------------------------------------------------------------------------


class Parameter(Construct, Intrinsic[T]):
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

    def resolve(self, ctx: ResolveContext) -> object:
        if ctx.is_foreign(self):
            return ctx.import_value(self, self, f"param.{self.node.logical_name}", self.type)
        return {"get_param": ctx.reference(self)}

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
    ) -> None:
        super().__init__(scope, id)
        self.value = value
        self.description = description
        self.condition = condition


# --- resources ----------------------------------------------------------------------------

DeletionPolicy = Literal["Delete", "Retain", "Snapshot", "delete", "retain", "snapshot"]


@attrs.define(eq=False, slots=False, repr=False)
class ResourceBase(Construct, Intrinsic[str]):
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
    deletion_policy: DeletionPolicy | None = attrs.field(default=None, kw_only=True)
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

    def resolve(self, ctx: ResolveContext) -> object:
        if ctx.is_foreign(self):
            return ctx.import_value(self, self, self.node.logical_name, "string")
        return {"get_resource": ctx.reference(self)}

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
