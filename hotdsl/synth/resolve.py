"""Resolve: turn the app's stacks into HOT data, references into names.

The first stage of synth. Each stack's members are written section by section in
HOT's order; every reference (a resource, parameter, attribute or condition passed
as a value) becomes the matching function call. A reference that crosses a stack
boundary is wired here too:

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
from hotdsl.errors import Problem
from hotdsl.intrinsics import ConditionFunction, Intrinsic
from hotdsl.nested import (
    TEMPLATE_RESOURCE_SUFFIXES,
    ChildStack,
    ProviderResource,
    _ProviderTemplateStack,
)
from hotdsl.source import SourceLocation
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


@attrs.frozen
class StackImport:
    """A parameter of a top-level stack fed by an output of another top-level stack."""

    parameter: str
    stack: Stack
    output: str
    type: str


@attrs.define
class ResolvedStack:
    """A stack as HOT data, with what synth needs to check, order and write it."""

    stack: Stack
    template: dict[str, Any]
    resources: dict[str, Construct]
    """Resource logical name -> the construct that made it."""
    problems: list[Problem]
    files: dict[str, str | Stack] = attrs.field(factory=dict)
    """Top-level stacks only: files map key -> content, or a nested/provider template's stack."""
    registry: dict[str, str] = attrs.field(factory=dict)
    """Top-level stacks only: provider type name -> template key, for the stack's environment."""
    imports: list[StackImport] = attrs.field(factory=list)
    claimed: dict[str, Construct] = attrs.field(factory=dict)
    """`section:name` (`output:url`) -> the construct that made that template entry."""
    undeclared: dict[str, Problem] = attrs.field(factory=dict)
    """Parameters referenced with `undeclared_param` -> the warning about the first use."""


class Resolver:
    """Resolves the values of one stack; implements `hotdsl.intrinsics.ResolveContext`."""

    def __init__(self, stack: Stack, session: SynthSession) -> None:
        self.stack = stack
        self.session = session
        self.version = stack.template_version
        self.problems: list[Problem] = []
        self._current: Construct = stack
        self._in_condition = False
        self._reported: set[tuple[str, str]] = set()
        self.groups: list[object] = []
        self.parameters: dict[str, object] = {}
        self.conditions: dict[str, object] = {}
        self.resources: dict[str, object] = {}
        self.outputs: dict[str, object] = {}
        self.exports: dict[str, object] = {}
        self.nested_parameters: dict[ChildStack, dict[str, object]] = {}
        """Child stack -> values its resource passes for its parameters (own ones, then wired ones)."""
        self.by_name: dict[str, Construct] = {}
        self.claimed: dict[str, Construct] = {}
        self.imports: list[StackImport] = []
        self.undeclared: dict[str, Problem] = {}
        self._resolved = False
        self._depth = 0
        self._items = 0

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
            except Exception as exc:  # the user's __hot__ failed: report it at their line
                from hotdsl.project import user_frame  # only on failure: it loads tomllib

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

    def reference(self, target: Construct) -> str:
        node: Node | None = getattr(target, "node", None)
        if node is None:
            self.report(f"cannot reference {target!r}: it is not a construct")
            return "<invalid>"
        owner = _owner(target)
        if owner is not self.stack:
            where = f"stack {owner.node.path!r}" if owner is not None else "no stack"
            self.report(
                f"references {node.path or '<app>'} ({type(target).__name__}) of {where}; "
                f"this kind of reference cannot cross into stack {self.stack.node.path!r}"
            )
        return node.logical_name

    def is_foreign(self, target: Construct) -> bool:
        node: Node | None = getattr(target, "node", None)
        return node is not None and _owner(target) is not self.stack

    def import_value(
        self, expression: Intrinsic[Any], target: Construct, key: str, hot_type: str
    ) -> object:
        return self.session.cross(self, expression, target, key, hot_type)

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
            return self.reference(expression)
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
        self.session.add_file(self, key, content)

    def use_provider(self, provider: type[Any]) -> None:
        self.session.use_provider(self, provider)

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

    # --- sections ---------------------------------------------------------------------

    def resolve(self) -> None:
        """Resolve the stack's own members (once); `template()` assembles the result."""
        if self._resolved:
            return
        self._resolved = True
        seen = self.claimed
        for member in self.stack.members:
            self._current = member
            if isinstance(member, ResourceBase):
                name = self._claim(seen, member, "resource")
                self.resources[name] = self._resource(member)
                self.by_name[name] = member
            elif isinstance(member, ChildStack):
                name = self._claim(seen, member, "resource")
                self.resources[name] = {}  # filled in template(), once all parameters are known
                self.by_name[name] = member
                passed = self.nested_parameters.setdefault(member, {})
                for parameter, value in member.parameter_values.items():
                    passed[parameter] = self.value(value)
                self.value(member.resource_properties({}))  # wires what its own settings use
                self.session.resolve_nested(self, member)
            elif isinstance(member, Parameter):
                name = self._claim(seen, member, "parameter")
                self.parameters[name] = self._parameter(member)
                if member.takes_output is not None:
                    self._take_output(name, member, *member.takes_output)
            elif isinstance(member, Condition):
                self.require(section_since("conditions"), "the conditions section")
                self.conditions[self._claim(seen, member, "condition")] = self.condition(
                    _definition_of(member)
                )
            elif isinstance(member, Output):
                self.outputs[self._claim(seen, member, "output")] = self._output(member)
            elif isinstance(member, ParameterGroup):
                self.groups.append(self._parameter_group(member))
        self._current = self.stack

    def _take_output(
        self, name: str, parameter: Parameter[Any], source: Construct, output: str
    ) -> None:
        """Record that deploy fills `parameter` with the deployed output `output` of `source`."""
        stack = self.stack
        if not isinstance(source, Stack) or self.session.root(source) is not source:
            self.report(f"take_output needs a top-level stack, not {source.node.path}")
        elif self.session.root(stack) is not stack:
            self.report(
                "take_output works for parameters of top-level stacks; pass a nested stack's "
                "values in as its parameters"
            )
        elif source is stack or _app_of(source) is not _app_of(stack):
            self.report(f"take_output needs another stack of the same App, not {source.node.path}")
        else:
            self.imports.append(StackImport(name, source, output, parameter.type))
            self.session.taken.append((self, parameter, source, output))

    def template(self) -> dict[str, Any]:
        """The stack's HOT data, sections in HOT's order."""
        template: dict[str, Any] = {"heat_template_version": self.version}
        if self.stack.description is not None:
            template["description"] = self.stack.description
        if self.groups:
            template["parameter_groups"] = self.groups
        if self.parameters:
            template["parameters"] = self.parameters
        if self.conditions:
            template["conditions"] = self.conditions
        for child, parameters in self.nested_parameters.items():
            body: dict[str, object] = {"type": child.heat_type}
            properties = self.resolve_as(child, child.resource_properties(parameters))
            if properties:
                body["properties"] = properties
            self.resources[child.node.logical_name] = body
        template["resources"] = self.resources
        if self.outputs or self.exports:
            template["outputs"] = {**self.outputs, **self.exports}
        return template

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
        single = isinstance(resource.depends_on, ResourceBase)
        targets: Sequence[object] = (
            [resource.depends_on]
            if isinstance(resource.depends_on, ResourceBase)
            else resource.depends_on
        )
        for target in targets:
            if not isinstance(target, ResourceBase):
                self.report(f"depends_on takes resources, got {type(target).__name__}")
                continue
            if self.is_foreign(target):
                self.report(
                    f"depends_on cannot name {target.node.path}, a resource of another stack; "
                    "stacks are ordered by the values they use from each other"
                )
                continue
            target_name = self.reference(target)
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
        if parameter.hidden:
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
        out["parameters"] = [self.reference(p) for p in group.parameters]
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


class SynthSession:
    """Resolves an app's stacks together, since what crosses a stack boundary needs both sides."""

    def __init__(self) -> None:
        self.resolvers: dict[Stack, Resolver] = {}
        self.files: dict[Stack, dict[str, str | Stack]] = {}
        self.registry: dict[Stack, dict[str, str]] = {}
        self.providers: dict[Stack, dict[type[ProviderResource], Stack | None]] = {}
        self.shared: list[tuple[Resolver, str, Stack, Stack]] = []
        """(resolver, key, first, other): two child stacks sent under one key, which must
        give the same template (several remote stacks of one template, say)."""
        self.taken: list[tuple[Resolver, Parameter[Any], Stack, str]] = []
        """(resolver, parameter, stack, output) of every `Parameter.take_output`."""

    def resolver(self, stack: Stack) -> Resolver:
        found = self.resolvers.get(stack)
        if found is None:
            found = self.resolvers[stack] = Resolver(stack, self)
        return found

    def resolve(self, stacks: list[Stack]) -> list[ResolvedStack]:
        for stack in stacks:
            self.resolver(stack).resolve()
        self._check_passed_parameters()
        self._check_shared_files()
        self._check_taken_outputs()
        out = []
        for stack in stacks:
            resolver = self.resolvers[stack]
            out.append(
                ResolvedStack(
                    stack,
                    resolver.template(),
                    resolver.by_name,
                    resolver.problems,
                    files=self.files.get(stack, {}),
                    registry=self.registry.get(stack, {}),
                    imports=resolver.imports,
                    claimed=resolver.claimed,
                    undeclared=resolver.undeclared,
                )
            )
        return out

    def nested_resolved(self) -> list[ResolvedStack]:
        """Every nested and provider template resolved so far, for validation and emission."""
        return [
            ResolvedStack(
                stack,
                resolver.template(),
                resolver.by_name,
                resolver.problems,
                claimed=resolver.claimed,
                undeclared=resolver.undeclared,
            )
            for stack, resolver in self.resolvers.items()
            if isinstance(stack, (ChildStack, _ProviderTemplateStack))
        ]

    def _check_passed_parameters(self) -> None:
        """A value passed for a child's parameter must name one its template declares."""
        for resolver in list(self.resolvers.values()):
            for child in resolver.nested_parameters:
                declared = self.resolver(child).parameters
                for name in child.parameter_values:
                    if name not in declared:
                        known = ", ".join(p for p in declared if not p.startswith("import."))
                        resolver.problems.append(
                            Problem(
                                f"a value is passed for parameter {name!r}, which the child stack "
                                f"does not declare (its parameters: {known or 'none'})",
                                child.node.location,
                                child.node.path,
                            )
                        )

    def _check_taken_outputs(self) -> None:
        """Each output a parameter takes exists in its stack."""
        for resolver, parameter, source, output in self.taken:
            outputs = self.resolver(source)
            outputs.resolve()
            if output not in outputs.outputs and output not in outputs.exports:
                known = ", ".join(o for o in outputs.outputs) or "none"
                resolver.problems.append(
                    Problem(
                        f"take_output: stack {source.node.path} has no output {output!r} "
                        f"(its outputs: {known})",
                        parameter.node.location,
                        parameter.node.path,
                    )
                )

    def _check_shared_files(self) -> None:
        for resolver, key, first, other in self.shared:
            if self.resolver(first).template() != self.resolver(other).template():
                resolver.report(
                    f"two different files would both be sent as {key!r}; give one another name"
                )

    def nesting_problems(self, stacks: Sequence[Stack], max_depth: int) -> list[Problem]:
        """Template resources nested deeper than Heat's `max_nested_stack_depth`, and template
        file names Heat will not take as a type.

        Heat counts one level per resource that runs a stack of its own: a nested stack, a
        provider (template) resource, a group (whose members sit one level further down).
        An `OS::Heat::Stack` starts a new top-level stack, at depth 0.
        """
        problems: list[Problem] = []
        deepest: dict[Stack, int] = {}

        def walk(stack: Stack, depth: int) -> None:
            if deepest.get(stack, -1) >= depth:
                return
            deepest[stack] = depth
            root = self.root(stack)
            files = self.files.get(root, {})
            registry = self.registry.get(root, {})
            resolver = self.resolver(stack)
            for name, body in resolver.template()["resources"].items():
                construct = resolver.by_name.get(name, stack)
                kind = body.get("type") if isinstance(body, Mapping) else None
                properties = body.get("properties") if isinstance(body, Mapping) else None
                below: list[tuple[str, int]] = []
                if isinstance(kind, str) and isinstance(files.get(registry.get(kind, kind)), Stack):
                    below.append((kind, depth + 1))
                elif kind in STACK_RESOURCE_TYPES:
                    if depth + 1 > max_depth:
                        problems.append(_too_deep(construct, depth + 1, max_depth))
                        continue
                    below += [(t, depth + 2) for t in _types_inside(properties)]
                elif kind == "OS::Heat::Stack" and isinstance(properties, Mapping):
                    key = _get_file_key(properties.get("template"))
                    remote = files.get(key) if key is not None else None
                    if isinstance(remote, Stack):
                        walk(remote, 0)
                for type_name, level in below:
                    key = registry.get(type_name, type_name)
                    template = files.get(key)
                    if not isinstance(template, Stack):
                        continue
                    if not key.endswith(TEMPLATE_RESOURCE_SUFFIXES):
                        problems.append(
                            Problem(
                                f"the template {key!r} is used as a resource type, but Heat takes "
                                "only files named .yaml or .template as types; rename it",
                                construct.node.location,
                                construct.node.path,
                            )
                        )
                    if level > max_depth:
                        problems.append(_too_deep(construct, level, max_depth))
                    else:
                        walk(template, level)

        for stack in stacks:
            walk(stack, 0)
        return list(dict.fromkeys(problems))

    # --- files, nested stacks, provider templates --------------------------------------------

    def root(self, stack: Stack) -> Stack:
        """The top-level stack whose files map and environment serve `stack`."""
        while isinstance(stack, ChildStack):
            stack = stack.parent
        if isinstance(stack, _ProviderTemplateStack):
            return stack.served_root
        return stack

    def add_file(self, resolver: Resolver, key: str, content: str | Stack) -> None:
        files = self.files.setdefault(self.root(resolver.stack), {})
        existing = files.get(key)
        if existing is not None and existing is not content and existing != content:
            if isinstance(existing, Stack) and isinstance(content, Stack):
                self.shared.append((resolver, key, existing, content))  # compared once resolved
                return
            resolver.report(
                f"two different files would both be sent as {key!r}; give one another name"
            )
            return
        files[key] = content

    def resolve_nested(self, parent: Resolver, nested: ChildStack) -> None:
        self.add_file(parent, nested.file_name, nested)
        self.resolver(nested).resolve()

    def use_provider(self, resolver: Resolver, provider: type[Any]) -> None:
        root = self.root(resolver.stack)
        built = self.providers.setdefault(root, {})
        if provider in built:
            return
        built[provider] = None
        try:
            template = provider.build_template()
        except Exception as exc:  # the user's build() failed: report it at their line
            from hotdsl.project import user_frame  # only on failure: it loads tomllib

            where = user_frame(exc)
            resolver.report(
                f"{provider.__name__}.build() failed{f' at {where}' if where else ''}: "
                f"{type(exc).__name__}: {exc}"
            )
            return
        template.served_root = root
        built[provider] = template
        key = provider.file_key()
        self.add_file(resolver, key, template)
        if provider.type_name:
            registry = self.registry.setdefault(root, {})
            registry[provider.type_name] = key
        self.resolver(template).resolve()

    # --- references across stacks ---------------------------------------------------------

    def cross(
        self, here: Resolver, expression: Intrinsic[Any], target: Construct, key: str, hot_type: str
    ) -> object:
        source = _owner(target)
        stack = here.stack
        if source is None:
            here.report(f"{target.node.path} is not inside a stack")
            return None
        if isinstance(stack, _ProviderTemplateStack) or isinstance(source, _ProviderTemplateStack):
            here.report(
                f"a provider template can only use its own parameters and resources, not "
                f"{target.node.path}; pass the value in as a property"
            )
            return None
        if isinstance(target, Condition):
            here.report(
                f"the condition {target.node.path} belongs to another stack; conditions cannot cross stacks"
            )
            return None
        if _app_of(source) is not _app_of(stack):
            here.report(
                f"{target.node.path} belongs to a stack of another App (created at "
                f"{source.node.location}); a stack can use values only of stacks in its own App"
            )
            return None
        export = f"export.{source.node.path}.{key}"
        child = _child_towards(stack, source)
        if child is not None:
            self.export(child, export, expression)
            return here.value(child.get_output(export))
        parameter = f"import.{source.node.path}.{key}"
        if parameter not in here.parameters:
            here.parameters[parameter] = {
                "type": hot_type,
                "description": f"{key} of {source.node.path}, wired in by hotdsl",
            }
            if isinstance(stack, ChildStack):
                parent = self.resolver(stack.parent)
                parent.nested_parameters.setdefault(stack, {})[parameter] = parent.resolve_as(
                    stack, expression
                )
            else:
                top = self.root(source)
                self.export(top, export, expression)
                here.imports.append(StackImport(parameter, top, export, hot_type))
        return {"get_param": parameter}

    def export(self, stack: Stack, name: str, expression: Intrinsic[Any]) -> None:
        resolver = self.resolver(stack)
        if name in resolver.exports:
            return
        resolver.exports[name] = {}  # claimed first: a reference chain may come back here
        resolver.exports[name] = {"value": resolver.resolve_as(stack, expression)}


STACK_RESOURCE_TYPES = frozenset(
    {
        "OS::Heat::ResourceGroup",
        "OS::Heat::ResourceChain",
        "OS::Heat::AutoScalingGroup",
        "OS::Heat::InstanceGroup",
        "OS::Heat::SoftwareDeploymentGroup",
        "OS::Heat::StructuredDeploymentGroup",
        "OS::Heat::SoftwareDeployments",
        "OS::Heat::StructuredDeployments",
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::CloudFormation::Stack",
        "AWS::ElasticLoadBalancing::LoadBalancer",
    }
)
"""Heat's resource types that run a nested stack of their own (`StackResource` subclasses)."""


def _too_deep(construct: Construct, depth: int, max_depth: int) -> Problem:
    return Problem(
        f"this puts a stack {depth} levels deep; Heat's max_nested_stack_depth is {max_depth} "
        "(nested stacks, template resources and groups each count one level)",
        construct.node.location,
        construct.node.path,
    )


def _types_inside(value: object) -> list[str]:
    """Resource types named in a group's definition (`resource_def`, `resource`, `resources`)."""
    found: list[str] = []
    if isinstance(value, Mapping):
        kind = value.get("type")
        if isinstance(kind, str):
            found.append(kind)
        for item in value.values():
            found += _types_inside(item)
    elif isinstance(value, list):
        for item in value:
            found += _types_inside(item)
        found += [item for item in value if isinstance(item, str)]  # ResourceChain's resources
    return found


def _get_file_key(value: object) -> str | None:
    if isinstance(value, Mapping) and len(value) == 1 and isinstance(value.get("get_file"), str):
        return str(value["get_file"])
    return None


def _owner(target: Construct) -> Stack | None:
    """The stack whose template holds `target`: a child stack is a resource of its parent's."""
    if isinstance(target, ChildStack):
        return target.parent
    return target.node._stack


def _definition_of(condition: Condition) -> object:
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


def _app_of(construct: Construct) -> Construct:
    """The root of the tree `construct` is in (its App)."""
    node = construct.node
    while node.scope is not None:
        node = node.scope.node
    return node.construct


def _child_towards(stack: Stack, source: Stack) -> ChildStack | None:
    """The child stack directly inside `stack` on the way down to `source`, if `source` is below it."""
    current: Stack = source
    while isinstance(current, ChildStack):
        if current.parent is stack:
            return current
        current = current.parent
    return None
