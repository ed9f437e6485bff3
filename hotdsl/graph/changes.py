"""The part of a graph a change touches: changed resources, each with its kind of change,
and their direct neighbours, for a review (`hotdsl diff --format markdown --graph`).

A removed resource is no longer in the synthesized templates: it is added to the graph,
in its stack (or in the nested template that held it, when that is still drawn), with
no edges, since only the deployed stack knew them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from hotdsl.errors import HotdslError
from hotdsl.graph.model import CHANGE_KINDS, ChangeKind, Graph, Group, Node


@attrs.frozen
class ResourceChange:
    """One resource of a diff: its stack, its logical names down from the stack, the change."""

    stack: str
    path: tuple[str, ...]
    kind: ChangeKind
    type: str = ""
    """The resource type, for a removed resource the graph does not know."""


DIFF_ACTIONS: dict[str, ChangeKind] = {
    "add": "added",
    "update": "changed",
    "replace": "replaced",
    "remove": "removed",
}
"""`hotdsl diff`'s resource actions -> the graph's kinds of change (`unchanged`: none)."""


def diff_changes(
    graph: Graph, stack: str, resources: Iterable[tuple[str, str, str]]
) -> list[ResourceChange]:
    """A diff's resource changes in `stack`, given as (name, type, action) with the name
    as the diff writes it (`web/0/port`), as changes of the graph's resources.

    A group's members are drawn once for all of them, so a member's index is dropped
    (`web/port`); a change the graph has no node for marks its nearest drawn ancestor
    (a member of a group of plain resources marks the group). Members of one group drawn
    as one node show their weightiest change."""
    known = {node.path for node in graph.nodes if node.kind == "resource" and node.stack == stack}
    found: dict[tuple[str, ...], ResourceChange] = {}
    for name, type_name, action in resources:
        kind = DIFF_ACTIONS.get(action)
        if kind is None:
            continue
        parts = tuple(name.split("/"))
        path = parts if parts in known else tuple(p for p in parts if not p.isdigit())
        if path not in known and kind != "removed":
            ancestors = [path[:i] for i in range(len(path) - 1, 0, -1) if path[:i] in known]
            if not ancestors:
                continue
            path, kind = ancestors[0], "changed"
        before = found.get(path)
        if before is None or _SEVERITY[kind] > _SEVERITY[before.kind]:
            found[path] = ResourceChange(stack, path, kind, before.type if before else type_name)
    return list(found.values())


_SEVERITY: dict[ChangeKind, int] = {"added": 0, "changed": 1, "replaced": 2, "removed": 3}
"""Several changes drawn as one node (a group's members) show the weightiest."""


def changed_subgraph(graph: Graph, changes: Iterable[ResourceChange]) -> Graph:
    """The changed resources of `graph`, styled by change, with their direct neighbours.

    Groups are kept where they hold a kept node (with the groups around them), so the
    boxes still say where each resource lives.
    """
    by_key = {(node.stack, node.path): node for node in graph.nodes if node.kind == "resource"}
    stacks = {group.stack: group.id for group in graph.groups if group.kind == "stack"}
    owners = _template_groups(graph)
    used = {node.id for node in graph.nodes}
    changed: dict[str, Node] = {}
    added: list[Node] = []
    for change in changes:
        if change.kind not in CHANGE_KINDS:
            raise HotdslError(f"unknown change kind {change.kind!r} for {'/'.join(change.path)}")
        node = by_key.get((change.stack, change.path))
        if node is not None:
            changed[node.id] = attrs.evolve(node, change=change.kind)
            continue
        if change.kind != "removed":
            raise HotdslError(
                f"{change.stack}: no resource {'.'.join(change.path)!r} in the graph to mark "
                f"{change.kind}"
            )
        group = owners.get((change.stack, change.path[:-1])) or stacks.get(change.stack)
        removed = Node(
            id=_unique(used, change),
            kind="resource",
            stack=change.stack,
            path=change.path,
            label=change.path[-1] if change.path else "",
            type=change.type,
            group=group,
            change="removed",
        )
        added.append(removed)
    neighbours = {
        other
        for edge in graph.edges
        for this, other in ((edge.source, edge.target), (edge.target, edge.source))
        if this in changed
    }
    keep = set(changed) | neighbours
    nodes = [changed.get(node.id, node) for node in graph.nodes if node.id in keep] + added
    edges = tuple(edge for edge in graph.edges if edge.source in keep and edge.target in keep)
    parents = {group.id: group.parent for group in graph.groups}
    needed: set[str] = set()
    for node in nodes:
        group_id = node.group
        while group_id is not None and group_id not in needed:
            needed.add(group_id)
            group_id = parents.get(group_id)
    groups = tuple(group for group in graph.groups if group.id in needed)
    return Graph(groups, tuple(nodes), edges)


def _template_groups(graph: Graph) -> dict[tuple[str, tuple[str, ...]], str]:
    """(stack, path of a resource running a template) -> the group its template is drawn in.

    The resource itself is the node of that group with the shortest path (the template's
    own resources are one name longer).
    """
    by_group: dict[str, Group] = {group.id: group for group in graph.groups}
    owner: dict[str, Node] = {}
    for node in graph.nodes:
        group = by_group.get(node.group) if node.group is not None else None
        if node.kind != "resource" or group is None:
            continue
        if group.kind not in ("nested_stack", "provider", "resource_group"):
            continue
        seen = owner.get(group.id)
        if seen is None or len(node.path) < len(seen.path):
            owner[group.id] = node
    members = {g.parent: g.id for g in graph.groups if g.kind == "members"}
    return {
        (node.stack, node.path): members.get(group_id, group_id) for group_id, node in owner.items()
    }


def _unique(used: set[str], change: ResourceChange) -> str:
    """An id for a removed resource (`d_`, deleted), safe and unused like every other."""
    base = "d_" + "__".join(
        "".join(c if c.isascii() and c.isalnum() else "_" for c in part)
        for part in (change.stack, *change.path)
    )
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}_{number}"
    used.add(candidate)
    return candidate
