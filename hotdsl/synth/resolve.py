"""Resolve: write the members and values of one stack as HOT data.

The walk that both passes of synth make over the model. The link pass (`link.py`)
walks every stack to find what crosses a stack boundary and adds the parameters and
outputs that carry it; the render pass (`render.py`) then writes each stack's
template from the model and those links, reading both and changing neither.
`Resolver` is what they share: each member written section by section in HOT's
order, and every reference (a resource, parameter, attribute or condition passed as
a value) as the matching function call. Where a reference crosses a stack boundary
it is written as what carries it:

- out of a nested stack: the nested stack gets an output, the parent reads it with
  `get_attr: [nested, export.<path>.<key>]` (a template resource's attribute; for a
  `RemoteStack`, `get_attr: [remote, outputs, export.<path>.<key>]`);
- into a nested stack: it gets a parameter `import.<path>.<key>`, which its parent
  passes as a property of the template resource (a `RemoteStack`: in `parameters`);
- between top-level stacks (CDK-style): the source stack gets an output, the consumer a
  parameter, and the manifest records which output feeds which parameter.

Problems are collected, not raised, so that synth can report them all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from hotdsl.construct import Construct, Node, Stack
from hotdsl.errors import ModelLockedError, Problem
from hotdsl.intrinsics import ConditionFunction, Intrinsic, Reference
from hotdsl.nested import ChildStack, ProviderResource, ProviderTemplateStack
from hotdsl.source import SourceLocation, user_frame
from hotdsl.template import Condition, Modulo, Output, Parameter, ParameterGroup, ResourceBase
from hotdsl.versions import (
    condition_function_since,
    describe_version,
    first_version,
    output_key_since,
    parameter_key_since,
    resource_key_since,
    section_since,
)

_SCALARS = (str, int, float, bool, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)
"""Exactly these types are written as they are (a subclass goes the long way, `_value`)."""

MAX_VALUE_DEPTH = 100
"""How deep lists, dicts and functions may nest in one value. Real templates stay far
below; deeper is a runaway generator or a list that contains itself, and would exhaust
Python's stack (each level takes about five frames of its thousand) instead of failing
with a message."""


MAX_VALUE_ITEMS = 200_000
"""How many lists, dicts and functions one value may expand to: written out, that is
more than Heat's whole 512 KB template limit. A value that reuses itself
(`v = and_(v, v)`, sixty times) is small in Python but doubles in the template with each
reuse; without a limit it would take hours and gigabytes instead of a message."""


_LOWER_CASE_DELETION_POLICIES = first_version(
    lambda v: any(policy.islower() for policy in v.deletion_policies)
)
"""The first version that takes `delete`, `retain` and `snapshot` as well as `Delete`..."""

_MAPPING = "mapping"
_SEQUENCE = "sequence"
_INTRINSIC = "intrinsic"
_CONDITION_FUNCTION = "condition function"
_OTHER = "other"


def _category(kind: type) -> str:
    """How `Resolver._value` writes a value of this type (the first that fits, in this order)."""
    if kind is dict or issubclass(kind, Mapping):
        return _MAPPING
    if kind is list or kind is tuple:
        return _SEQUENCE
    if issubclass(kind, ConditionFunction):
        return _CONDITION_FUNCTION
    if issubclass(kind, Intrinsic):
        return _INTRINSIC
    return _OTHER


_categories: dict[type, str] = {}
"""Type -> `_category(type)`: values of a few types make up whole templates."""


class _Runaway(Exception):
    """Unwinds a value past `MAX_VALUE_DEPTH` or `MAX_VALUE_ITEMS`, up to where it is reported."""


@attrs.define
class Sections:
    """A stack's own members as HOT sections, in creation order."""

    groups: list[object] = attrs.field(factory=list)
    parameters: dict[str, object] = attrs.field(factory=dict)
    conditions: dict[str, object] = attrs.field(factory=dict)
    resources: dict[str, object] = attrs.field(factory=dict)
    """A child stack's entry is a placeholder until all its parameters are known."""
    outputs: dict[str, object] = attrs.field(factory=dict)
    passed: dict[ChildStack, dict[str, object]] = attrs.field(factory=dict)
    """Child stack -> the values its resource passes for the child's own parameters."""
    by_name: dict[str, Construct] = attrs.field(factory=dict)
    """Resource logical name -> the construct that made it."""
    claimed: dict[str, Construct] = attrs.field(factory=dict)
    """`section:name` (`output:url`) -> the construct that made that template entry."""
    marks: list[int] = attrs.field(factory=list)
    """Per member, and once more after the last: how many parameters were written before it
    (where a parameter added for a value met while writing that member goes)."""
    problems: list[Problem] = attrs.field(factory=list)
    undeclared: dict[str, Problem] = attrs.field(factory=dict)
    """Parameters referenced with `undeclared_param` -> the warning about the first use."""


class Resolver:
    """Writes the members and values of one stack; implements `hotdsl.intrinsics.ResolveContext`.

    What happens where a value crosses a stack boundary, where a file is sent and where
    a provider template is used belongs to the pass: subclasses fill in `carry_out`,
    `carry_in`, `add_file`, `use_provider` and `nested_stack`.
    """

    def __init__(self, stack: Stack, hidden: frozenset[Parameter[Any]] = frozenset()) -> None:
        self.stack = stack
        self.version = stack.template_version
        self.hidden = hidden
        """Parameters written `hidden: true` whatever they say: those a stage gives a secret."""
        self.problems: list[Problem] = []
        self._current: Construct = stack
        self._in_condition = False
        self._reported: set[tuple[str, str]] = set()
        self.undeclared: dict[str, Problem] = {}
        """Parameters referenced with `undeclared_param` -> the warning about the first use."""
        self._depth = 0
        self._items = 0
        self.position = 0
        """The index of the member being written (one past the last once all are)."""
        self.writing: Sections | None = None
        """The sections being written, once `sections()` has begun."""

    # --- ResolveContext ---------------------------------------------------------------

    def value(self, value: object) -> object:
        if type(value) in _SCALAR_TYPES:
            return value
        if not self._depth:
            return self._nested(self._value, value)
        # Inside a value: count this level; the outermost `_nested` reports a runaway.
        self._depth += 1
        self._items += 1
        try:
            if self._depth > MAX_VALUE_DEPTH or self._items > MAX_VALUE_ITEMS:
                raise _Runaway
            return self._value(value)
        finally:
            self._depth -= 1

    def _nested(self, resolve: Callable[[object], object], value: object) -> object:
        """Resolve one level deeper; a runaway value is reported once and written as null."""
        if not self._depth:
            self._items = 0
        self._depth += 1
        self._items += 1
        try:
            if self._depth > MAX_VALUE_DEPTH or self._items > MAX_VALUE_ITEMS:
                raise _Runaway
            return resolve(value)
        except (_Runaway, RecursionError):  # RecursionError: a deep stack of the user's own
            if self._depth > 1:
                raise
            if self._items > MAX_VALUE_ITEMS:
                self.report(
                    f"a value expands to more than {MAX_VALUE_ITEMS:,} lists, dicts and "
                    "functions (it reuses parts of itself, each use written out in full); "
                    "build it with fewer repeats or use a parameter"
                )
            else:
                self.report(
                    f"a value nests more than {MAX_VALUE_DEPTH} levels deep (lists, dicts or "
                    "functions inside each other), or contains itself; flatten it"
                )
            return None
        finally:
            self._depth -= 1

    def _value(self, value: object) -> object:
        kind = type(value)
        scalars = _SCALAR_TYPES
        category = _categories.get(kind)
        if category is None:
            category = _categories[kind] = _category(kind)
        if category is _MAPPING:
            assert isinstance(value, Mapping)
            nested = self.value
            return {
                k if type(k) is str else self._key(k): v if type(v) in scalars else nested(v)
                for k, v in value.items()
            }
        if category is _SEQUENCE:
            assert isinstance(value, (list, tuple))
            nested = self.value
            return [v if type(v) in scalars else nested(v) for v in value]
        if category is _INTRINSIC or category is _CONDITION_FUNCTION:
            assert isinstance(value, Intrinsic)
            if (
                category is _CONDITION_FUNCTION
                and not self._in_condition
                and getattr(value, "name", None) != "contains"
            ):
                assert isinstance(value, ConditionFunction)
                self.report(
                    f"{value.name}() is a condition function: use it in a Condition, in a "
                    "resource's or output's condition, or as the first argument of if_()"
                )
                return None
            return value.resolve(self)
        to_hot = getattr(value, "__hot__", None)
        if to_hot is not None:
            try:
                data = to_hot()
            except ModelLockedError:
                raise
            except Exception as exc:  # the user's __hot__ failed: report it at their line
                where = user_frame(exc)
                self.report(
                    f"{kind.__name__}.__hot__() failed{f' at {where}' if where else ''}: "
                    f"{type(exc).__name__}: {exc}"
                )
                return None
            return self.value(data)
        self.report(
            f"cannot write a value of type {kind.__name__} into a template ({value!r:.60}); "
            "use str, int, float, bool, None, lists, dicts, or hotdsl functions"
        )
        return None

    def reference(self, reference: Reference[Any]) -> object:
        target = reference.referenced()
        node: Node | None = getattr(target, "node", None)
        if node is None:
            return reference.written_as(self.name_of(target), self)  # reports it
        owner = target.parent if isinstance(target, ChildStack) else node._stack  # owner_of
        if owner is self.stack:  # most references: a member of this stack, by its name
            return reference.written_as(node.logical_name, self)
        carried = reference.carried_as()
        if isinstance(carried, str):
            self.report(carried)
            return None
        key, hot_type = carried
        return self.cross(reference, target, key, hot_type)

    def name_of(self, target: Construct) -> str:
        """The logical name of a member of this stack (a problem if it is not one)."""
        node: Node | None = getattr(target, "node", None)
        if node is None:
            self.report(f"cannot reference {target!r}: it is not a construct")
            return "<invalid>"
        owner = owner_of(target)
        if owner is not self.stack:
            where = f"stack {owner.node.path!r}" if owner is not None else "no stack"
            self.report(
                f"references {node.path or '<app>'} ({type(target).__name__}) of {where}; "
                f"this kind of reference cannot cross into stack {self.stack.node.path!r}"
            )
        return node.logical_name

    def require(self, version: str, feature: str) -> None:
        if self.version >= version:
            return
        key = (self._current.node.path, feature)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report(
            f"{feature} needs heat_template_version {describe_version(version)} or newer; "
            f"stack {self.stack.node.path!r} uses {describe_version(self.version)} "
            "(pass template_version= to the Stack)"
        )

    def condition(self, expression: object) -> object:
        return self._nested(self._condition, expression)

    def _condition(self, expression: object) -> object:
        if isinstance(expression, bool):
            return expression
        if isinstance(expression, Condition):
            self.require(section_since("conditions"), "conditions")
            return self.name_of(expression)
        if isinstance(expression, Intrinsic):
            outer = self._in_condition
            self._in_condition = True
            try:
                if isinstance(expression, ConditionFunction) and expression.name == "contains":
                    self.require(condition_function_since("contains"), "contains as a condition")
                elif getattr(expression, "name", None) == "yaql":
                    self.require(condition_function_since("yaql"), "yaql as a condition")
                return expression.resolve(self)
            finally:
                self._in_condition = outer
        self.report(
            f"a condition must be a Condition, a condition function (equals, not_, and_, or_, "
            f"contains, yaql), a parameter or a bool; got {type(expression).__name__}"
        )
        return None

    def add_file(self, key: str, content: str) -> None:
        """Send `content` under `key` in the files map: the link pass collects them."""

    def use_provider(self, provider: type[Any]) -> None:
        """Use a provider template: the link pass builds it."""

    def take_output(
        self, name: str, parameter: Parameter[Any], source: Construct, output: str
    ) -> None:
        """`parameter` (written as `name`) takes the deployed output `output` of `source`
        (`Parameter.take_output`): the link pass records the import."""

    def report(self, message: str) -> None:
        node = self._current.node
        location: SourceLocation | None = node.location
        self.problems.append(Problem(message, location, node.path))

    def tolerate_undeclared_parameter(self, name: str) -> None:
        if name not in self.undeclared:
            node = self._current.node
            self.undeclared[name] = Problem(
                f"get_param refers to {name!r}, which is not a parameter of this stack "
                "(undeclared_param): Heat fails if it ever evaluates it; declare the "
                "parameter or remove the reference",
                node.location,
                node.path,
            )

    def resolve_as(self, current: Construct, value: object) -> object:
        """Resolve `value` as if it appeared in `current` (for values wired in from elsewhere)."""
        outer = self._current
        self._current = current
        try:
            return self.value(value)
        finally:
            self._current = outer

    # --- references across stacks ---------------------------------------------------------

    def cross(
        self, reference: Reference[Any], target: Construct, key: str, hot_type: str
    ) -> object:
        """What a reference to `target` of another stack is written as here."""
        source = owner_of(target)
        stack = self.stack
        problem = crossing_problem(stack, source, target)
        if problem is not None:
            self.report(problem)
            return None
        assert source is not None
        export = f"export.{source.node.path}.{key}"
        child = child_towards(stack, source)
        if child is not None:
            self.carry_out(child, export, reference)
            return self.value(child.get_output(export))
        parameter = f"import.{source.node.path}.{key}"
        self.carry_in(parameter, reference, source, key, hot_type)
        return {"get_param": parameter}

    def carry_out(self, child: ChildStack, export: str, reference: Reference[Any]) -> None:
        """`child` (or a stack below it) has what `reference` names: `child` outputs it as `export`."""

    def carry_in(
        self, parameter: str, reference: Reference[Any], source: Stack, key: str, hot_type: str
    ) -> None:
        """This stack takes the value of `reference`, from `source`, as `parameter`."""

    # --- sections ---------------------------------------------------------------------

    def sections(self) -> Sections:
        """The stack's own members, each written into its section, with the problems found.

        A function of the model alone: the hooks a pass fills in (`carry_out`, ...) record
        what they meet but change nothing written here.
        """
        out = Sections(problems=self.problems, undeclared=self.undeclared)
        self.writing = out
        seen = out.claimed
        for index, member in enumerate(self.stack.members):
            self.position = index
            out.marks.append(len(out.parameters))
            self._current = member
            if isinstance(member, ResourceBase):
                name = self._claim(seen, member, "resource")
                out.resources[name] = self._resource(member)
                out.by_name[name] = member
            elif isinstance(member, ChildStack):
                name = self._claim(seen, member, "resource")
                out.resources[name] = {}  # written once all its parameters are known
                out.by_name[name] = member
                passed = out.passed.setdefault(member, {})
                for parameter, value in member.parameter_values.items():
                    passed[parameter] = self.value(value)
                self.value(member.resource_properties({}))  # what its own settings use
                self.nested_stack(member)
            elif isinstance(member, Parameter):
                name = self._claim(seen, member, "parameter")
                out.parameters[name] = self._parameter(member)
                if member.takes_output is not None:
                    self.take_output(name, member, *member.takes_output)
            elif isinstance(member, Condition):
                self.require(section_since("conditions"), "the conditions section")
                out.conditions[self._claim(seen, member, "condition")] = self.condition(
                    definition_of(member)
                )
            elif isinstance(member, Output):
                out.outputs[self._claim(seen, member, "output")] = self._output(member)
            elif isinstance(member, ParameterGroup):
                out.groups.append(self._parameter_group(member))
        self._current = self.stack
        self.position = len(self.stack.members)
        out.marks.append(len(out.parameters))
        return out

    def nested_stack(self, child: ChildStack) -> None:
        """Called after a child stack's resource settings are written."""

    def _claim(self, seen: dict[str, Construct], member: Construct, section: str) -> str:
        """The member's logical name; two members of one section with one name are a problem."""
        name = member.node.logical_name
        key = f"{section}:{name}"
        other = seen.get(key)
        if other is not None:
            self.report(
                f"two {section}s would both be named {name!r} in the template: {other.node.path} "
                f"(created at {other.node.location}) and {member.node.path}; rename one of them "
                "or call node.override_logical_name()"
            )
        else:
            seen[key] = member
        return name

    def _resource(self, resource: ResourceBase) -> dict[str, object]:
        out: dict[str, object] = {"type": resource.heat_type}
        if isinstance(resource, ProviderResource):
            self.use_provider(type(resource))
        properties = self.value(resource.heat_properties())
        if properties:
            out["properties"] = properties
        if resource.resource_metadata is not None:
            out["metadata"] = self.value(resource.resource_metadata)
        explicit: list[str] = []
        depends_on = resource.depends_on
        single = isinstance(depends_on, ResourceBase)
        targets: Sequence[object] = (
            [depends_on] if isinstance(depends_on, ResourceBase) else depends_on
        )
        for target in targets:
            if not isinstance(target, ResourceBase):
                self.report(f"depends_on takes resources, got {type(target).__name__}")
                continue
            if owner_of(target) is not self.stack:
                self.report(
                    f"depends_on cannot name {target.node.path}, a resource of another stack; "
                    "stacks are ordered by the values they use from each other"
                )
                continue
            target_name = self.name_of(target)
            if target_name not in explicit:
                explicit.append(target_name)
        if explicit:
            out["depends_on"] = explicit[0] if single else explicit
        if resource.update_policy is not None:
            out["update_policy"] = self.value(resource.update_policy)
        if isinstance(resource.deletion_policy, Intrinsic):
            out["deletion_policy"] = self.value(resource.deletion_policy)
        elif resource.deletion_policy is not None:
            if resource.deletion_policy.islower():
                self.require(
                    _LOWER_CASE_DELETION_POLICIES,
                    f"the lower-case deletion policy {resource.deletion_policy!r}",
                )
            out["deletion_policy"] = resource.deletion_policy
        if resource.external_id is not None:
            self.require(resource_key_since("external_id"), "external_id")
            out["external_id"] = self.value(resource.external_id)
        if resource.condition is not None:
            self.require(resource_key_since("condition"), "a resource condition")
            out["condition"] = self.condition(resource.condition)
        if resource.resource_description is not None:
            out["description"] = resource.resource_description
        return out

    def _parameter(self, parameter: Parameter[Any]) -> dict[str, object]:
        out: dict[str, object] = {"type": parameter.type}
        if parameter.label is not None:
            out["label"] = parameter.label
        if parameter.description is not None:
            out["description"] = parameter.description
        if parameter.default is not None:
            if isinstance(parameter.default, Intrinsic):
                self.report("a parameter default must be a literal value, not a function")
            else:
                out["default"] = self.value(parameter.default)
        if parameter.hidden or parameter in self.hidden:
            out["hidden"] = True
        if parameter.immutable:
            out["immutable"] = True
        if parameter.tags is not None:
            self.require(parameter_key_since("tags"), "parameter tags")
            out["tags"] = list(parameter.tags)
        if parameter.constraints:
            for constraint in parameter.constraints:
                if isinstance(constraint, Modulo):
                    self.require(Modulo.since, "the modulo constraint")
            out["constraints"] = [c.to_hot() for c in parameter.constraints]
        return out

    def _output(self, output: Output) -> dict[str, object]:
        out: dict[str, object] = {}
        if output.description is not None:
            out["description"] = output.description
        out["value"] = self.value(output.value)
        if output.condition is not None:
            self.require(output_key_since("condition"), "an output condition")
            out["condition"] = self.condition(output.condition)
        for key, value in output.extra_keys.items():
            if not isinstance(key, str) or key in ("description", "value", "condition"):
                self.report(f"an output's extra_keys cannot hold {key!r}")
                continue
            out[key] = self.value(value)
        return out

    def _parameter_group(self, group: ParameterGroup) -> dict[str, object]:
        out: dict[str, object] = {}
        if group.label is not None:
            out["label"] = group.label
        if group.description is not None:
            out["description"] = group.description
        out["parameters"] = [self.name_of(p) for p in group.parameters]
        return out

    def _key(self, key: object) -> object:
        if isinstance(key, _SCALARS):
            return key
        if isinstance(key, Intrinsic):
            self.report(
                "a mapping key must be a literal, not a function (Heat cannot resolve keys)"
            )
            return repr(key)
        self.report(f"a mapping key must be a str, int, float or bool, got {type(key).__name__}")
        return repr(key)


def owner_of(target: Construct) -> Stack | None:
    """The stack whose template holds `target`: a child stack is a resource of its parent's."""
    if isinstance(target, ChildStack):
        return target.parent
    return target.node._stack


def crossing_problem(stack: Stack, source: Stack | None, target: Construct) -> str | None:
    """Why a value of `target` (in `source`) cannot be used in `stack`, if it cannot."""
    if source is None:
        return f"{target.node.path} is not inside a stack"
    if isinstance(stack, ProviderTemplateStack) or isinstance(source, ProviderTemplateStack):
        return (
            f"a provider template can only use its own parameters and resources, not "
            f"{target.node.path}; pass the value in as a property"
        )
    if isinstance(target, Condition):
        return f"the condition {target.node.path} belongs to another stack; conditions cannot cross stacks"
    if app_of(source) is not app_of(stack):
        return (
            f"{target.node.path} belongs to a stack of another App (created at "
            f"{source.node.location}); a stack can use values only of stacks in its own App"
        )
    return None


def definition_of(condition: Condition) -> object:
    """What a condition is defined as, written out where it is only another condition.

    Heat refuses a bare condition name as a definition (`b: a`; heat/engine/conditions.py
    takes a bool or a function there), so `Condition(stack, "b", a)` is written with
    `a`'s own definition.
    """
    expression: object = condition.expression
    seen = {condition}
    while isinstance(expression, Condition) and expression not in seen:
        seen.add(expression)
        expression = expression.expression
    return expression


def app_of(construct: Construct) -> Construct:
    """The root of the tree `construct` is in (its App)."""
    node = construct.node
    while node.scope is not None:
        node = node.scope.node
    return node.construct


def child_towards(stack: Stack, source: Stack) -> ChildStack | None:
    """The child stack directly inside `stack` on the way down to `source`, if `source` is below it."""
    current: Stack = source
    while isinstance(current, ChildStack):
        if current.parent is stack:
            return current
        current = current.parent
    return None
