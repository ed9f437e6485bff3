"""Views of a big graph: constructs collapsed to one node, crowds of one type folded.

`collapse` keeps the groups above level `depth` open (a stack is level 0, a construct or
nested stack in it level 1, ...: `depth=0` draws each stack as one node, `depth=1` each
construct of a stack as one node), plus the `focus` subtree and the groups leading to it; every other group
becomes one node that stands for all it holds, and the edges into and out of it are merged.
`fold` draws the many same-type siblings of one group (a 10,000-resource flat stack) as
one node per type, so that a huge stack still reads as an overview.
"""

from __future__ import annotations

from collections import Counter

from hotdsl.errors import HotdslError
from hotdsl.graph.model import Edge, Graph, Group, Node, merge_edges, short_type

DEFAULT_FOLD = 50
"""Siblings of one group above which same-type resources (or outputs) are folded."""


def collapse(graph: Graph, depth: int | None = None, focus: str | None = None) -> Graph:
    """`graph` with each group deeper than `depth` (and off the `focus` subtree) as one node."""
    if depth is None and focus is None:
        return graph
    if focus is not None:
        focus = focus.strip("/")
        if not any(group.path == focus for group in graph.groups):
            paths = [group.path for group in graph.groups][:8]
            raise HotdslError(
                f"--focus {focus}: no stack or construct with that path "
                f"(paths look like: {', '.join(paths) or 'none'})"
            )
    limit = 0 if depth is None else depth
    level: dict[str, int] = {}
    representative: dict[str, Group] = {}
    kept: list[Group] = []
    for group in graph.groups:
        level[group.id] = 0 if group.parent is None else level[group.parent] + 1
        outer = representative.get(group.parent) if group.parent is not None else None
        if outer is not None:
            representative[group.id] = outer
        elif level[group.id] < limit or _open(group.path, focus):
            kept.append(group)
        else:
            representative[group.id] = group
    counts: Counter[str] = Counter()
    for node in graph.nodes:
        if node.group in representative and node.kind != "parameter" and node.kind != "output":
            counts[representative[node.group].id] += node.count
    nodes: list[Node] = []
    mapped: dict[str, str] = {}
    made: set[str] = set()
    for node in graph.nodes:
        outer = representative.get(node.group) if node.group is not None else None
        if outer is None:
            nodes.append(node)
            continue
        collapsed_id = "c_" + outer.id
        mapped[node.id] = collapsed_id
        if collapsed_id not in made:
            made.add(collapsed_id)
            nodes.append(
                Node(
                    id=collapsed_id,
                    kind="collapsed",
                    stack=outer.stack,
                    path=tuple(outer.path.split("/")[1:]),
                    label=outer.label,
                    type=outer.detail,
                    group=outer.parent,
                    count=counts[outer.id],
                )
            )
    return Graph(tuple(kept), tuple(nodes), _remap(graph.edges, mapped))


def _open(path: str, focus: str | None) -> bool:
    """Whether a group is on the way to the focus or inside it."""
    if focus is None:
        return False
    return path == focus or focus.startswith(path + "/") or path.startswith(focus + "/")


def fold(graph: Graph, limit: int = DEFAULT_FOLD) -> Graph:
    """`graph` with each group's same-type resources folded when it holds more than `limit`."""
    if limit <= 0:
        return graph
    members: dict[tuple[str | None, str, str], list[Node]] = {}
    for node in graph.nodes:
        if node.kind in ("resource", "output", "parameter"):
            members.setdefault((node.group, node.kind, node.type), []).append(node)
    crowded: Counter[tuple[str | None, str]] = Counter()
    for (group, kind, _type), nodes in members.items():
        crowded[(group, "output" if kind == "output" else kind)] += len(nodes)
    used = {node.id for node in graph.nodes}
    mapped: dict[str, str] = {}
    first: dict[str, Node] = {}
    for (group, kind, resource_type), nodes in members.items():
        if len(nodes) < 2 or crowded[(group, kind)] <= limit:
            continue
        base = f"f_{group or 'top'}_{kind[0]}_{_safe(short_type(resource_type)) or kind}"
        folded_id, number = base, 1
        while folded_id in used:
            number += 1
            folded_id = f"{base}_{number}"
        used.add(folded_id)
        label = short_type(resource_type) if kind == "resource" else f"{kind}s"
        first[nodes[0].id] = Node(
            id=folded_id,
            kind="folded",
            stack=nodes[0].stack,
            path=nodes[0].path[:-1],
            label=label,
            type=resource_type,
            group=group,
            count=sum(node.count for node in nodes),
        )
        for node in nodes:
            mapped[node.id] = folded_id
    kept = [
        first.get(node.id, node)
        for node in graph.nodes
        if node.id not in mapped or node.id in first
    ]
    return Graph(graph.groups, tuple(kept), _remap(graph.edges, mapped))


def _remap(edges: tuple[Edge, ...], mapped: dict[str, str]) -> tuple[Edge, ...]:
    if not mapped:
        return edges
    moved = [
        Edge(
            mapped.get(edge.source, edge.source),
            mapped.get(edge.target, edge.target),
            edge.kind,
            edge.label,
            edge.count,
        )
        if edge.source in mapped or edge.target in mapped
        else edge
        for edge in edges
    ]
    return merge_edges(moved)


def _safe(text: str) -> str:
    return "".join(char if char.isascii() and char.isalnum() else "_" for char in text)
