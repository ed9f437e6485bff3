"""Resolve: turn one stack's constructs into HOT data, references into names.

The first stage of synth. It walks the stack's members once, writes each section in
HOT's order, and turns every reference (a resource, parameter, attribute or condition
passed as a value) into the matching function call. Problems are collected, not raised, so that synth can report
them all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hotdsl.construct import Construct, Node, Stack
from hotdsl.errors import Problem
from hotdsl.intrinsics import ConditionFunction, Intrinsic
from hotdsl.source import SourceLocation
from hotdsl.template import Condition, Modulo, Output, Parameter, ParameterGroup, ResourceBase
from hotdsl.versions import describe_version

_SCALARS = (str, int, float, bool, type(None))


@attrs.define
class ResolvedStack:
    """A stack as HOT data, with what synth needs to check and order it."""

    stack: Stack
    template: dict[str, Any]
    resources: dict[str, ResourceBase]
    """Resource logical name -> the resource construct."""
    problems: list[Problem]


class Resolver:
    """Resolves the values of one stack; implements `hotdsl.intrinsics.ResolveContext`."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.version = stack.template_version
        self.problems: list[Problem] = []
        self._current: Construct = stack
        self._in_condition = False
        self._reported: set[tuple[str, str]] = set()

    # --- ResolveContext ---------------------------------------------------------------

    def value(self, value: object) -> object:
        kind = type(value)
        if kind is str or kind is int or kind is bool or kind is float or value is None:
            return value
        if kind is dict or isinstance(value, Mapping):
            assert isinstance(value, Mapping)
            return {self._key(k): self.value(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            assert isinstance(value, (list, tuple))
            return [self.value(v) for v in value]
        if isinstance(value, Intrinsic):
            if isinstance(value, ConditionFunction) and not self._in_condition and value.name != "contains":
                self._problem(
                    f"{value.name}() is a condition function: use it in a Condition, in a "
                    "resource's or output's condition, or as the first argument of if_()"
                )
                return None
            return value.resolve(self)
        to_hot = getattr(value, "__hot__", None)
        if to_hot is not None:
            return self.value(to_hot())
        self._problem(
            f"cannot write a value of type {kind.__name__} into a template ({value!r:.60}); "
            "use str, int, float, bool, None, lists, dicts, or hotdsl functions"
        )
        return None

    def reference(self, target: Construct) -> str:
        node: Node | None = getattr(target, "node", None)
        if node is None:
            self._problem(f"cannot reference {target!r}: it is not a construct")
            return "<invalid>"
        target_stack = node._stack
        if target_stack is not self.stack:
            where = f"stack {target_stack.node.path!r}" if target_stack is not None else "no stack"
            self._problem(
                f"references {node.path or '<app>'} ({type(target).__name__}), which belongs to {where}, "
                f"not to stack {self.stack.node.path!r}; a value can only reference nodes of its own stack"
            )
            return node.logical_name if target_stack is not None else "<invalid>"
        return node.logical_name

    def require(self, version: str, feature: str) -> None:
        if self.version >= version:
            return
        key = (self._current.node.path, feature)
        if key in self._reported:
            return
        self._reported.add(key)
        self._problem(
            f"{feature} needs heat_template_version {describe_version(version)} or newer; "
            f"stack {self.stack.node.path!r} uses {describe_version(self.version)} "
            "(pass template_version= to the Stack)"
        )

    def condition(self, expression: object) -> object:
        if isinstance(expression, bool):
            return expression
        if isinstance(expression, Condition):
            self.require("2016-10-14", "conditions")
            return self.reference(expression)
        if isinstance(expression, Parameter) or isinstance(expression, Intrinsic):
            outer = self._in_condition
            self._in_condition = True
            try:
                if isinstance(expression, ConditionFunction) and expression.name == "contains":
                    self.require("2017-09-01", "contains as a condition")
                elif getattr(expression, "name", None) == "yaql":
                    self.require("2017-09-01", "yaql as a condition")
                return expression.resolve(self)
            finally:
                self._in_condition = outer
        self._problem(
            f"a condition must be a Condition, a condition function (equals, not_, and_, or_, "
            f"contains, yaql), a parameter or a bool; got {type(expression).__name__}"
        )
        return None

    # --- sections ---------------------------------------------------------------------

    def resolve(self) -> ResolvedStack:
        stack = self.stack
        template: dict[str, Any] = {"heat_template_version": self.version}
        if stack.description is not None:
            template["description"] = stack.description
        groups: list[object] = []
        parameters: dict[str, object] = {}
        conditions: dict[str, object] = {}
        resources: dict[str, object] = {}
        outputs: dict[str, object] = {}
        by_name: dict[str, ResourceBase] = {}
        seen: dict[str, Construct] = {}

        for member in stack.members:
            self._current = member
            if isinstance(member, ResourceBase):
                name = self._claim(seen, member, "resource")
                resources[name] = self._resource(member)
                by_name[name] = member
            elif isinstance(member, Parameter):
                parameters[self._claim(seen, member, "parameter")] = self._parameter(member)
            elif isinstance(member, Condition):
                self.require("2016-10-14", "the conditions section")
                conditions[self._claim(seen, member, "condition")] = self.condition(member.expression)
            elif isinstance(member, Output):
                outputs[self._claim(seen, member, "output")] = self._output(member)
            elif isinstance(member, ParameterGroup):
                groups.append(self._parameter_group(member))
        self._current = stack

        if groups:
            template["parameter_groups"] = groups
        if parameters:
            template["parameters"] = parameters
        if conditions:
            template["conditions"] = conditions
        template["resources"] = resources
        if outputs:
            template["outputs"] = outputs
        return ResolvedStack(stack, template, by_name, self.problems)

    def _claim(self, seen: dict[str, Construct], member: Construct, section: str) -> str:
        """The member's logical name; two members of one section with one name are a problem."""
        name = member.node.logical_name
        key = f"{section}:{name}"
        other = seen.get(key)
        if other is not None:
            self._problem(
                f"two {section}s would both be named {name!r} in the template: {other.node.path} "
                f"(created at {other.node.location}) and {member.node.path}; rename one of them "
                "or call node.override_logical_name()"
            )
        else:
            seen[key] = member
        return name

    def _resource(self, resource: ResourceBase) -> dict[str, object]:
        out: dict[str, object] = {"type": resource.heat_type}
        properties = self.value(resource.heat_properties())
        if properties:
            out["properties"] = properties
        if resource.resource_metadata is not None:
            out["metadata"] = self.value(resource.resource_metadata)
        explicit: list[str] = []
        for target in resource.depends_on:
            if not isinstance(target, ResourceBase):
                self._problem(f"depends_on takes resources, got {type(target).__name__}")
                continue
            target_name = self.reference(target)
            if target_name not in explicit:
                explicit.append(target_name)
        if explicit:
            out["depends_on"] = explicit
        if resource.update_policy is not None:
            out["update_policy"] = self.value(resource.update_policy)
        if resource.deletion_policy is not None:
            if resource.deletion_policy.islower():
                self.require("2016-10-14", f"the lower-case deletion policy {resource.deletion_policy!r}")
            out["deletion_policy"] = resource.deletion_policy
        if resource.external_id is not None:
            self.require("2016-10-14", "external_id")
            out["external_id"] = self.value(resource.external_id)
        if resource.condition is not None:
            self.require("2016-10-14", "a resource condition")
            out["condition"] = self.condition(resource.condition)
        if resource.description is not None:
            out["description"] = resource.description
        return out

    def _parameter(self, parameter: Parameter[Any]) -> dict[str, object]:
        out: dict[str, object] = {"type": parameter.type}
        if parameter.label is not None:
            out["label"] = parameter.label
        if parameter.description is not None:
            out["description"] = parameter.description
        if parameter.default is not None:
            if isinstance(parameter.default, Intrinsic):
                self._problem("a parameter default must be a literal value, not a function")
            else:
                out["default"] = self.value(parameter.default)
        if parameter.hidden:
            out["hidden"] = True
        if parameter.immutable:
            out["immutable"] = True
        if parameter.tags is not None:
            self.require("2018-03-02", "parameter tags")
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
            self.require("2016-10-14", "an output condition")
            out["condition"] = self.condition(output.condition)
        return out

    def _parameter_group(self, group: ParameterGroup) -> dict[str, object]:
        out: dict[str, object] = {"label": group.label}
        if group.description is not None:
            out["description"] = group.description
        out["parameters"] = [self.reference(p) for p in group.parameters]
        return out

    def _key(self, key: object) -> object:
        if isinstance(key, _SCALARS):
            return key
        if isinstance(key, Intrinsic):
            self._problem("a mapping key must be a literal, not a function (Heat cannot resolve keys)")
            return repr(key)
        self._problem(f"a mapping key must be a str, int, float or bool, got {type(key).__name__}")
        return repr(key)

    def _problem(self, message: str) -> None:
        node = self._current.node
        location: SourceLocation | None = node.location
        self.problems.append(Problem(message, location, node.path))


def resolve_stack(stack: Stack) -> ResolvedStack:
    """Turn a stack into HOT data, collecting every problem found on the way."""
    return Resolver(stack).resolve()
