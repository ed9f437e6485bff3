"""Which of a template's names are referenced, and the order its parts are written in.

Python needs a variable before its use, HOT does not: conditions are written after
the conditions they name, resources after those they refer to (a cycle, which Heat
rejects, is broken and its dependencies added afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from hotdsl.importer.model import (
    AttrRef,
    ConditionModel,
    CondRef,
    Expr,
    ParamRef,
    ResourceModel,
    ResourceRef,
    TemplateModel,
    walk,
)
from hotdsl.importer.parse import TemplateError


@attrs.frozen
class References:
    """The names a template's values refer to."""

    parameters: frozenset[str]
    resources: frozenset[str]
    conditions: frozenset[str]


def referenced(model: TemplateModel) -> References:
    """The parameters, resources and conditions the template's values and groups name."""
    parameters: set[str] = set()
    resources: set[str] = set()
    conditions: set[str] = set()
    for group in model.parameter_groups:
        parameters.update(group.parameters)
    for expr in _all_values(model):
        for node in walk(expr):
            if isinstance(node, ParamRef):
                parameters.add(node.name)
            elif isinstance(node, (ResourceRef, AttrRef)):
                resources.add(node.name if isinstance(node, ResourceRef) else node.resource)
            elif isinstance(node, CondRef):
                conditions.add(node.name)
    for resource in model.resources:
        resources.update(resource.depends_on)
    return References(frozenset(parameters), frozenset(resources), frozenset(conditions))


def _all_values(model: TemplateModel) -> Iterator[Expr]:
    for condition in model.conditions:
        yield condition.expression
    for resource in model.resources:
        yield from _resource_exprs(resource)
    for output in model.outputs:
        yield output.value
        if output.condition is not None:
            yield output.condition


def _resource_exprs(resource: ResourceModel) -> Iterator[Expr]:
    for value in (
        resource.properties,
        resource.metadata,
        resource.update_policy,
        resource.external_id,
        resource.condition,
    ):
        if value is not None:
            yield value


def condition_order(model: TemplateModel) -> list[ConditionModel]:
    """Conditions ordered so that each comes after the conditions it names."""
    pending = list(model.conditions)
    done: set[str] = set()
    order: list[ConditionModel] = []
    while pending:
        for condition in pending:
            needs = {n.name for n in walk(condition.expression) if isinstance(n, CondRef)}
            if needs <= done:
                order.append(condition)
                done.add(condition.name)
                pending.remove(condition)
                break
        else:
            names = ", ".join(c.name for c in pending)
            raise TemplateError(
                f"the conditions {names} refer to each other in a cycle (Heat rejects this)",
                model.file,
                pending[0].line,
            )
    return order


def resource_order(model: TemplateModel) -> tuple[list[ResourceModel], dict[str, tuple[str, ...]]]:
    """Resources ordered so that each comes after those it refers to, in template order otherwise.

    A cycle (which Heat rejects) is broken at the earliest resource; the dependencies that
    point forward are returned per resource, to add once it exists.
    """
    needs: dict[str, set[str]] = {}
    for resource in model.resources:
        found: set[str] = set(resource.depends_on)
        for expr in _resource_exprs(resource):
            for node in walk(expr):
                if isinstance(node, ResourceRef):
                    found.add(node.name)
                elif isinstance(node, AttrRef):
                    found.add(node.resource)
        found.discard(resource.name)
        needs[resource.name] = found
    pending = list(model.resources)
    done: set[str] = set()
    order: list[ResourceModel] = []
    late: dict[str, list[str]] = {}
    while pending:
        ready = next((r for r in pending if needs[r.name] <= done), None)
        if ready is None:
            ready = pending[0]
            for target in ready.depends_on:
                if target not in done:
                    late.setdefault(target, []).append(ready.name)
        order.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return order, {k: tuple(v) for k, v in late.items()}
