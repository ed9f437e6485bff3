"""The graph of an app: resources, parameters and outputs as nodes, references as edges,
stacks, constructs, nested stacks, provider templates and group members as groups.

The model is plain data, built from a synthesized out dir (`hotdsl.graph.read`),
narrowed by views (`hotdsl.graph.view`, `hotdsl.graph.changes`) and drawn by renderers
(`hotdsl.graph.render`). Every `id` is made of ASCII letters, digits and `_` only, so
a renderer can use it as is, whatever the logical names hold; names are data, shown
only in escaped labels.
"""

from __future__ import annotations

from typing import Literal

import attrs

NodeKind = Literal["resource", "parameter", "output", "collapsed", "folded"]
"""`collapsed`: a construct or nested stack drawn as one node; `folded`: many siblings of
one type drawn as one node (`count` of them)."""
EdgeKind = Literal["reference", "depends_on", "cross_stack"]
"""`reference`: get_resource, get_attr or get_param (the value flows from source to
target); `depends_on`: an explicit ordering; `cross_stack`: an output of one stack feeds a
parameter of a stack deployed after it."""
GroupKind = Literal["stack", "construct", "nested_stack", "provider", "resource_group", "members"]
ChangeKind = Literal["added", "changed", "replaced", "removed"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("added", "changed", "replaced", "removed")


@attrs.frozen
class Group:
    """A box: a stack, a construct, the template a resource runs, or a group's members."""

    id: str
    kind: GroupKind
    stack: str
    """The name of the top-level stack it belongs to."""
    path: str
    """Its construct path, `stack/construct/...`; `--focus` takes one of these."""
    label: str
    detail: str = ""
    """What it runs: a template file, a provider type, the members' type."""
    parent: str | None = None
    """The id of the group around it; None for a stack."""


@attrs.frozen
class Node:
    """One resource, parameter or output (or several of them, collapsed or folded)."""

    id: str
    kind: NodeKind
    stack: str
    path: tuple[str, ...]
    """Logical names from the stack's template down through nested templates, ending in
    the node's own name: `("database", "backups", "volume")`."""
    label: str
    type: str = ""
    """The resource type as the template writes it (empty for a parameter or output)."""
    group: str | None = None
    count: int = 1
    """Resources (or parameters, outputs) this node stands for."""
    change: ChangeKind | None = None


@attrs.frozen
class Edge:
    """`source` feeds or comes before `target`."""

    source: str
    target: str
    kind: EdgeKind
    label: str = ""
    """The attribute read (`fixed_ips.0.ip_address`), or the output a stack link carries."""
    count: int = 1
    """References this edge stands for, after collapsing or folding."""


@attrs.frozen
class Graph:
    """Groups, nodes and edges, each in a stable order (deploy order, then template order)."""

    groups: tuple[Group, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def short_type(resource_type: str) -> str:
    """`OS::Nova::Server` -> `Nova::Server`; any other type as it is."""
    return resource_type[4:] if resource_type.startswith("OS::") else resource_type


MAX_EDGE_LABELS = 3
"""Distinct attribute names shown on one merged edge before `...`."""


def merge_edges(edges: list[Edge]) -> tuple[Edge, ...]:
    """One edge per (source, target, kind), first-seen order; self-loops dropped.

    Merged edges add their counts and list their distinct labels (a few, then `...`).
    """
    merged: dict[tuple[str, str, str], list[Edge]] = {}
    for edge in edges:
        if edge.source != edge.target:
            merged.setdefault((edge.source, edge.target, edge.kind), []).append(edge)
    result = []
    for (source, target, _kind), same in merged.items():
        if len(same) == 1:
            result.append(same[0])
            continue
        labels = list(dict.fromkeys(edge.label for edge in same if edge.label))
        count = sum(edge.count for edge in same)
        result.append(Edge(source, target, same[0].kind, _joined(labels), count))
    return tuple(result)


def _joined(labels: list[str]) -> str:
    shown = labels[:MAX_EDGE_LABELS]
    return ", ".join(shown) + (", ..." if len(labels) > MAX_EDGE_LABELS else "")
