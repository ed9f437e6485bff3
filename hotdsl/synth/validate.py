"""Validate: check a resolved stack before anything is written.

Works on the HOT data that resolve produced, the way Heat itself would read it, so
it also catches references the user wrote by hand (`{"get_resource": "nme"}`).
Every problem is collected with the user's file and line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any, cast

from hotdsl.errors import Problem
from hotdsl.releases import (
    HeatRelease,
    availability,
    describe_heat_version,
    describe_template_version_limit,
)
from hotdsl.secrets import MASK, redact
from hotdsl.synth.resolve import ResolvedStack
from hotdsl.template import (
    Parameter,
    ResourceBase,
    check_parameter_default,
    check_parameter_input,
    parameter_definition_problems,
)

PSEUDO_PARAMETERS = frozenset({"OS::stack_id", "OS::stack_name", "OS::project_id"})


def validate_stack(resolved: ResolvedStack) -> list[Problem]:
    """All problems of one resolved stack: references, cycles, properties, parameter defaults."""
    problems: list[Problem] = []
    template = resolved.template
    resources: dict[str, Any] = template["resources"]
    parameters: dict[str, Any] = template.get("parameters", {})
    conditions: dict[str, Any] = template.get("conditions", {})
    stack = resolved.stack

    def report(node: object, message: str) -> None:
        construct_node = getattr(node, "node", None)
        if construct_node is None:
            problems.append(Problem(message, stack.node.location, stack.node.path))
        else:
            problems.append(Problem(message, construct_node.location, construct_node.path))

    def check_references(owner: object, data: object, allow_resources: bool) -> list[str]:
        """Report references to names that do not exist; return the resources referenced."""
        used: list[str] = []
        if data is None or type(data) is str:
            return used
        for kind, name, attribute in _references(data):
            if kind == "get_param":
                if (
                    name not in parameters
                    and name not in PSEUDO_PARAMETERS
                    and name not in resolved.undeclared
                ):
                    report(
                        owner,
                        f"get_param refers to {name!r}, which is not a parameter of this stack",
                    )
            elif kind == "condition":
                if name not in conditions:
                    report(
                        owner,
                        f"if refers to the condition {name!r}, which this stack does not define",
                    )
            elif not allow_resources:
                report(owner, f"{kind} is not allowed here (it refers to the resource {name!r})")
            elif name not in resources:
                report(owner, f"{kind} refers to {name!r}, which is not a resource of this stack")
            else:
                if attribute is not None:
                    # Resources that know their type's attributes (hotdsl.stdlib) say what is wrong.
                    check_attribute = getattr(resolved.resources[name], "check_attribute", None)
                    message = check_attribute(attribute) if check_attribute is not None else None
                    if message is not None:
                        report(owner, f"get_attr of {name!r}: {message}")
                if name not in used:
                    used.append(name)
        return used

    dependencies: dict[str, list[str]] = {}
    for name, body in resources.items():
        resource = resolved.resources.get(name, stack)
        used = check_references(resource, body.get("properties"), True)
        used += [n for n in check_references(resource, body.get("metadata"), True) if n not in used]
        explicit = body.get("depends_on", ())
        for target in [explicit] if isinstance(explicit, str) else explicit:
            if target not in resources:
                report(
                    resource,
                    f"depends_on refers to {target!r}, which is not a resource of this stack",
                )
            elif target not in used:
                used.append(target)
        condition = body.get("condition")
        if isinstance(condition, str) and condition not in conditions:
            report(resource, f"condition {condition!r} is not defined in this stack")
        elif condition is not None:
            check_references(resource, condition, False)
        dependencies[name] = used
        if isinstance(resource, ResourceBase):
            for message in resource.check_properties():
                report(resource, message)

    members = {m.node.logical_name: m for m in stack.members if not isinstance(m, ResourceBase)}
    for name, body in template.get("outputs", {}).items():
        check_references(members.get(name), body.get("value"), True)
        condition = body.get("condition")
        if isinstance(condition, str) and condition not in conditions:
            report(members.get(name), f"condition {condition!r} is not defined in this stack")
    for name, expression in conditions.items():
        check_references(members.get(name), expression, False)
        for kind, other in _condition_names(expression):
            if other not in conditions:
                report(
                    members.get(name),
                    f"{kind} refers to the condition {other!r}, which this stack does not define",
                )

    for cycle in find_cycles(dependencies):
        chain = " -> ".join([*cycle, cycle[0]])
        places = ", ".join(f"{n} at {resolved.resources[n].node.location}" for n in cycle)
        report(
            resolved.resources[cycle[0]],
            f"dependency cycle: {chain} ({places}); break it by removing one reference",
        )

    for parameter in stack.members_of_type(Parameter):
        body = parameters.get(parameter.node.logical_name, {})
        default = body.get("default")
        for message in check_parameter(parameter, default):
            if parameter.hidden and default is not None:
                # a hidden value is never shown, not even in an error
                shown = message.replace(f"default {default!r}", f"default {MASK}", 1)
                message = redact(shown, [default, parameter.default])
            report(parameter, message)
    return problems


def check_parameter(parameter: Parameter[Any], default: object) -> list[str]:
    """Why Heat refuses this parameter: its type and constraints, then `default` (as written
    into the template), as Heat's parameter classes check them (hotdsl.template)."""
    definition = parameter_definition_problems(parameter.type, parameter.constraints)
    if definition or default is None:
        return definition
    message = check_parameter_default(parameter.type, default, parameter.constraints)
    return [] if message is None else [f"default {default!r} is invalid: {message}"]


def check_parameter_value(parameter: Parameter[Any], value: object) -> list[str]:
    """Why `value` is not a valid value for `parameter` (type, then constraints); [] if it is."""
    if parameter_definition_problems(parameter.type, parameter.constraints):
        return []  # reported once, with the parameter
    message = check_parameter_input(parameter.type, value, parameter.constraints)
    return [] if message is None else [message]


# --- a target Heat release ([tool.hotdsl] heat, synth --heat) ----------------------------


def check_release(
    resolved: ResolvedStack, release: HeatRelease
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of one stack on an older Heat, from Heat's support statuses.

    Errors: what the release does not have yet (the template version, and with it every
    function newer than the release; resource types; properties). Warnings: what it has
    deprecated, hidden (kept only for old stacks) or marks unsupported.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    stack = resolved.stack
    too_new = describe_template_version_limit(
        str(resolved.template["heat_template_version"]), release
    )
    if too_new is not None:
        errors.append(Problem(too_new, stack.node.location, stack.node.path))
    from hotdsl.resource_spec import resource_types  # only with a target release

    spec = resource_types()
    for name, body in resolved.template["resources"].items():
        type_name = body.get("type")
        type_spec = spec.get(type_name) if isinstance(type_name, str) else None
        if not isinstance(type_spec, dict):
            continue  # template resources, provider types, types Heat 27 no longer has
        node = resolved.resources.get(name, stack).node
        used = [(str(type_name), type_spec)]
        used += [
            (f"property {path!r} of {type_name}", schema)
            for path, schema in _used_properties(type_spec["properties"], body.get("properties"))
        ]
        for what, schema in used:
            found = availability(schema.get("support_status"), release)
            if not found.exists:
                since = describe_heat_version(found.since or "")
                message = f"{what} is new in {since}, newer than the target {release}"
                errors.append(Problem(message, node.location, node.path))
            elif found.status in _RETIRED:
                when = (
                    f"since {describe_heat_version(found.status_since)}"
                    if found.status_since is not None
                    else f"in {release}"
                )
                replacement = schema.get("replaced_by")
                hint = f"use {replacement!r} instead" if replacement else found.message
                message = f"{what} is {_RETIRED[found.status]} {when}"
                if found.status == "HIDDEN":
                    message += " (Heat accepts it but no longer documents it)"
                message += f": {hint}" if hint else ""
                warnings.append(Problem(message, node.location, node.path))
    return errors, warnings


_RETIRED = {
    "DEPRECATED": "deprecated",
    "HIDDEN": "retired",
    "UNSUPPORTED": "unsupported",
}
"""Heat's support statuses that warn, as words (HIDDEN: Heat no longer documents it)."""


def _used_properties(schemas: object, values: object, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, schema) of every property in `values` that the type's schema knows, nested
    maps and list items included (`networks[0].port`)."""
    if not isinstance(schemas, dict) or not isinstance(values, dict):
        return
    for key, value in values.items():
        schema = schemas.get(key)
        if not isinstance(schema, dict):
            continue
        yield f"{path}{key}", schema
        nested = schema.get("schema")
        if not isinstance(nested, dict):
            continue
        if schema.get("type") == "list":
            item = nested.get("*")
            if isinstance(item, dict) and isinstance(value, list):
                for index, element in enumerate(value):
                    yield from _used_properties(
                        item.get("schema"), element, f"{path}{key}[{index}]."
                    )
        else:
            yield from _used_properties(nested, value, f"{path}{key}.")


def _references(data: object) -> Iterator[tuple[str, str, str | None]]:
    """(function, name, attribute) for every get_param, get_resource, get_attr and if-condition
    in `data`; the attribute is get_attr's literal attribute name, else None."""
    stack = [data]
    pop = stack.pop
    extend = stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or kind is float or item is None:
            continue  # most of the data: settled without isinstance
        if kind is list:
            extend(cast("list[object]", item))
        elif isinstance(item, dict):
            if len(item) == 1:
                ((key, args),) = item.items()
                if key == "get_resource" and isinstance(args, str):
                    yield key, args, None
                    continue
                if key in ("get_attr", "get_param"):
                    name = args[0] if isinstance(args, list) and args else args
                    if isinstance(name, str):
                        attribute = (
                            args[1]
                            if key == "get_attr" and isinstance(args, list) and len(args) > 1
                            else None
                        )
                        yield key, name, attribute if isinstance(attribute, str) else None
                    if isinstance(args, list):
                        extend(args[1:])
                    continue
                if key == "if" and isinstance(args, list) and args and isinstance(args[0], str):
                    yield "condition", args[0], None
                    extend(args[1:])
                    continue
            extend(item.values())
        elif isinstance(item, list):
            extend(item)


def _condition_names(expression: object) -> Iterator[tuple[str, str]]:
    """Names of other conditions used inside a condition expression (`not: other`)."""
    if isinstance(expression, str):
        yield "condition", expression
    elif isinstance(expression, dict) and len(expression) == 1:
        ((key, args),) = expression.items()
        if key == "not":
            yield from _condition_names(args)
        elif key in ("and", "or") and isinstance(args, list):
            for arg in args:
                yield from _condition_names(arg)


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle (as a list of names) per strongly connected group of the dependency graph."""
    if _points_backwards(graph):
        return []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    order: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = counter
                counter += 1
                order.append(node)
                on_stack.add(node)
            targets = graph.get(node, [])
            if edge < len(targets):
                work.append((node, edge + 1))
                target = targets[edge]
                if target not in graph:
                    continue
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = order.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph.get(node, []):
                    cycles.append(_cycle_through(graph, set(group), node))
    return cycles


def _points_backwards(graph: dict[str, list[str]]) -> bool:
    """Whether every edge goes to a node listed earlier (or outside the graph): then no cycle.

    The usual case (a resource can only use what was created before it), checked in one
    cheap pass before the general search.
    """
    position = {name: here for here, name in enumerate(graph)}
    get = position.get
    return all(
        get(target, -1) < here for here, targets in enumerate(graph.values()) for target in targets
    )


def _cycle_through(graph: dict[str, list[str]], group: set[str], start: str) -> list[str]:
    """The shortest cycle from `start` back to itself inside one strongly connected group."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for target in graph[here]:
            if target == start:
                path = [here]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if target in group and target not in previous:
                previous[target] = here
                queue.append(target)
    return [start]
