"""Validate: check the rendered app before anything is written.

The third stage of synth, after link and render: `validate` runs every check and
returns every problem. Most work on the HOT data that render produced, the way Heat
itself would read it, so they also catch references the user wrote by hand
(`{"get_resource": "nme"}`). Every problem is collected with the user's file and line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from hotdsl.construct import Construct, Stack, is_heat_stack_name
from hotdsl.environment import Stage
from hotdsl.errors import Problem
from hotdsl.nested import TEMPLATE_RESOURCE_SUFFIXES, ChildStack
from hotdsl.releases import (
    HeatRelease,
    availability,
    describe_heat_version,
    describe_template_version_limit,
)
from hotdsl.secrets import MASK, redact
from hotdsl.synth.link import Links
from hotdsl.synth.render import Rendered, RenderedStack
from hotdsl.template import (
    Parameter,
    ResourceBase,
    check_parameter_default,
    check_parameter_input,
    parameter_definition_problems,
)
from hotdsl.versions import PSEUDO_PARAMETERS

MAX_NESTED_STACK_DEPTH = 5
"""Heat's default `max_nested_stack_depth`."""


# --- the whole app -------------------------------------------------------------------------


def validate_app(
    stages: Sequence[Stage],
    chosen: Sequence[Stage],
    stacks: Sequence[Stack],
    links: Links,
    rendered: Rendered,
    heat: HeatRelease | None = None,
    secret: frozenset[Parameter[Any]] = frozenset(),
) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) of an app: its stages and stack names, the order its stacks
    deploy in, then every template (`validate_templates`).

    `stages`: all of the app's stages; `chosen`: those synthesized.
    """
    problems = unknown_stage_values(stages, stacks)
    problems += duplicate_stack_names(stacks)
    problems += deploy_order_problems(stacks, links)
    problems += stage_stack_names(chosen, stacks)
    more, warnings = validate_templates(stacks, links, rendered, heat, secret)
    return problems + more, warnings


def validate_templates(
    stacks: Sequence[Stack],
    links: Links,
    rendered: Rendered,
    heat: HeatRelease | None = None,
    secret: frozenset[Parameter[Any]] = frozenset(),
) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings) of every rendered template, nested ones included: what link and
    render found, each template's own checks, on the target Heat release when there is one,
    and how the templates nest."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    everything = rendered.everything()
    if heat is not None:
        for item in everything:
            errors, retired = check_release(item, heat)
            problems += errors
            warnings += retired
    problems += passed_parameter_problems(links, rendered)
    problems += shared_file_problems(links, rendered)
    problems += taken_output_problems(links, rendered)
    for item in everything:
        problems += item.problems
        problems += validate_stack(item, secret)
    problems += nesting_problems(stacks, links, rendered, MAX_NESTED_STACK_DEPTH)
    return unique(problems), unique(warnings)


def unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def unknown_stage_values(stages: Sequence[Stage], stacks: Sequence[Stack]) -> list[Problem]:
    """Stage values for parameters that belong to no stack of the app."""
    problems = []
    for stage in stages:
        for parameter in stage.values:
            owner = parameter.node._stack
            if owner is None or _top(owner) not in stacks:
                problems.append(
                    Problem(
                        f"stage {stage.name!r} sets {parameter.node.path}, which is not a parameter of this app's stacks",
                        stage.value_locations.get(parameter, stage.location),
                    )
                )
    return problems


def _top(stack: Stack) -> Stack:
    while isinstance(stack, ChildStack):
        stack = stack.parent
    return stack


def duplicate_stack_names(stacks: Sequence[Stack]) -> list[Problem]:
    problems = []
    names: dict[str, Stack] = {}
    for stack in stacks:
        other = names.get(stack.stack_name)
        if other is not None:
            problems.append(
                Problem(
                    f"two stacks are named {stack.stack_name!r}: {other.node.path} (created at "
                    f"{other.node.location}) and {stack.node.path}; give one a different stack_name",
                    stack.node.location,
                    stack.node.path,
                )
            )
        names[stack.stack_name] = stack
    return problems


def deploy_order_problems(stacks: Sequence[Stack], links: Links) -> list[Problem]:
    """Top-level stacks that use each other's values in a cycle, or values of a stack that
    is not among the app's stacks: no deploy order exists."""
    graph = {
        s.node.path: list(dict.fromkeys(i.stack.node.path for i in links.of(s).imports))
        for s in stacks
    }
    by_path = {s.node.path: s for s in stacks}
    problems = []
    for cycle in find_cycles(graph):
        uses = []
        for i, path in enumerate(cycle):
            nxt = cycle[(i + 1) % len(cycle)]
            names = [
                imp.parameter
                for imp in links.of(by_path[path]).imports
                if imp.stack.node.path == nxt
            ]
            uses.append(f"{path} uses {', '.join(names)}")
        stack = by_path[cycle[0]]
        problems.append(
            Problem(
                "stacks use each other's values in a cycle: "
                + "; ".join(uses)
                + "; move the shared resources into one stack",
                stack.node.location,
                stack.node.path,
            )
        )
    if problems:
        return problems
    for stack in stacks:
        missing = [d for d in graph[stack.node.path] if d not in by_path]
        if missing:
            problems.append(
                Problem(
                    f"uses values of {', '.join(missing)}, which is not a stack of this app",
                    stack.node.location,
                    stack.node.path,
                )
            )
    return problems


def stage_stack_names(stages: Sequence[Stage], stacks: Sequence[Stack]) -> list[Problem]:
    """A stage's prefix must leave stack names that Heat accepts."""
    problems = []
    for stage in stages:
        for stack in stacks:
            name = stage.stack_name(stack)
            if not is_heat_stack_name(name):
                problems.append(
                    Problem(
                        f"stage {stage.name!r} would deploy {stack.node.path} as {name!r}, which "
                        "Heat refuses: a stack name starts with a letter and holds only letters, "
                        "digits, '_', '.' and '-' (at most 255); change stack_name_prefix",
                        stage.location,
                    )
                )
    return problems


def passed_parameter_problems(links: Links, rendered: Rendered) -> list[Problem]:
    """A value passed for a child's parameter must name one its template declares."""
    templates = {item.stack: item.template for item in rendered.everything()}
    problems = []
    for stack in links.stacks:
        for child in [m for m in stack.members if isinstance(m, ChildStack)]:
            template = templates.get(child)
            if template is None:
                continue
            declared = template.get("parameters", {})
            for name in child.parameter_values:
                if name not in declared:
                    known = ", ".join(p for p in declared if not p.startswith("import."))
                    problems.append(
                        Problem(
                            f"a value is passed for parameter {name!r}, which the child stack "
                            f"does not declare (its parameters: {known or 'none'})",
                            child.node.location,
                            child.node.path,
                        )
                    )
    return problems


def shared_file_problems(links: Links, rendered: Rendered) -> list[Problem]:
    """Child stacks sent under one files-map key must give the same template."""
    templates = {item.stack: item.template for item in rendered.everything()}
    problems = []
    for shared in links.shared:
        if templates.get(shared.first) != templates.get(shared.other):
            node = shared.where.node
            problems.append(
                Problem(
                    f"two different files would both be sent as {shared.key!r}; give one another name",
                    node.location,
                    node.path,
                )
            )
    return problems


def taken_output_problems(links: Links, rendered: Rendered) -> list[Problem]:
    """Each output a parameter takes by name (`Parameter.take_output`) exists in its stack."""
    templates = {item.stack: item.template for item in rendered.everything()}
    problems = []
    for taken in links.taken:
        outputs = templates.get(taken.source, {}).get("outputs", {})
        if taken.output not in outputs:
            known = ", ".join(o for o in outputs if not o.startswith("export.")) or "none"
            problems.append(
                Problem(
                    f"take_output: stack {taken.source.node.path} has no output {taken.output!r} "
                    f"(its outputs: {known})",
                    taken.parameter.node.location,
                    taken.parameter.node.path,
                )
            )
    return problems


def nesting_problems(
    stacks: Sequence[Stack], links: Links, rendered: Rendered, max_depth: int
) -> list[Problem]:
    """Template resources nested deeper than Heat's `max_nested_stack_depth`, and template
    file names Heat will not take as a type.

    Heat counts one level per resource that runs a stack of its own: a nested stack, a
    provider (template) resource, a group (whose members sit one level further down).
    An `OS::Heat::Stack` starts a new top-level stack, at depth 0.
    """
    problems: list[Problem] = []
    deepest: dict[Stack, int] = {}
    by_stack = {item.stack: item for item in rendered.everything()}

    def walk(stack: Stack, depth: int) -> None:
        if deepest.get(stack, -1) >= depth:
            return
        deepest[stack] = depth
        item = by_stack.get(stack)
        if item is None:
            return
        root = links.root(stack)
        files = links.files.get(root, {})
        registry = links.registry.get(root, {})
        for name, body in item.template["resources"].items():
            construct = item.resources.get(name, stack)
            if type(body) is dict or isinstance(body, Mapping):  # a dict: without the ABC's check
                kind = body.get("type")
                properties = body.get("properties")
            else:
                kind = properties = None
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


# --- one template ---------------------------------------------------------------------------


def validate_stack(
    resolved: RenderedStack, secret: frozenset[Parameter[Any]] = frozenset()
) -> list[Problem]:
    """All problems of one rendered stack: references, cycles, properties, parameter defaults.

    `secret`: parameters a stage gives a secret, hidden like those declared hidden."""
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
        metadata = body.get("metadata")
        if metadata is not None:
            used += [n for n in check_references(resource, metadata, True) if n not in used]
        explicit = body.get("depends_on", ())
        if explicit or isinstance(explicit, str):
            for target in [explicit] if isinstance(explicit, str) else explicit:
                if target not in resources:
                    report(
                        resource,
                        f"depends_on refers to {target!r}, which is not a resource of this stack",
                    )
                elif target not in used:
                    used.append(target)
        condition = body.get("condition")
        if condition is not None:
            if isinstance(condition, str) and condition not in conditions:
                report(resource, f"condition {condition!r} is not defined in this stack")
            else:
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
            if is_hidden(parameter, secret) and default is not None:
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


def is_hidden(parameter: Parameter[Any], secret: frozenset[Parameter[Any]]) -> bool:
    """Whether a parameter is hidden: declared so, or given a secret by a stage."""
    return parameter.hidden or parameter in secret


def check_parameter_value(parameter: Parameter[Any], value: object) -> list[str]:
    """Why `value` is not a valid value for `parameter` (type, then constraints); [] if it is."""
    if parameter_definition_problems(parameter.type, parameter.constraints):
        return []  # reported once, with the parameter
    message = check_parameter_input(parameter.type, value, parameter.constraints)
    return [] if message is None else [message]


# --- a target Heat release ([tool.hotdsl] heat, synth --heat) ----------------------------


def check_release(
    resolved: RenderedStack, release: HeatRelease
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


def _references(data: object) -> list[tuple[str, str, str | None]]:
    """(function, name, attribute) for every get_param, get_resource, get_attr and if-condition
    in `data`; the attribute is get_attr's literal attribute name, else None."""
    found: list[tuple[str, str, str | None]] = []
    add = found.append
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
                    add((key, args, None))
                    continue
                if key in ("get_attr", "get_param"):
                    name = args[0] if isinstance(args, list) and args else args
                    if isinstance(name, str):
                        attribute = (
                            args[1]
                            if key == "get_attr" and isinstance(args, list) and len(args) > 1
                            else None
                        )
                        add((key, name, attribute if isinstance(attribute, str) else None))
                    if isinstance(args, list):
                        extend(args[1:])
                    continue
                if key == "if" and isinstance(args, list) and args and isinstance(args[0], str):
                    add(("condition", args[0], None))
                    extend(args[1:])
                    continue
            extend(item.values())
        elif isinstance(item, list):
            extend(item)
    return found


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
