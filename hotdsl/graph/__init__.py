"""`hotdsl graph`: see the stacks of an app, their resources and how they connect.

Read a synthesized out dir into a `Graph` (`read_graph`), narrow it for a big app
(`collapse`, `fold`) or a review (`changed_subgraph`), and draw it (`render`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hotdsl.graph.changes import ResourceChange, changed_subgraph, diff_changes
from hotdsl.graph.model import Edge, Graph, Group, Node
from hotdsl.graph.read import read_graph
from hotdsl.graph.render import FORMATS, MERMAID_MAX_EDGES, render
from hotdsl.graph.view import DEFAULT_FOLD, collapse, fold

__all__ = [
    "DEFAULT_FOLD",
    "FORMATS",
    "MERMAID_MAX_EDGES",
    "Edge",
    "Graph",
    "Group",
    "Node",
    "ResourceChange",
    "changed_subgraph",
    "collapse",
    "diff_changes",
    "draw",
    "fold",
    "read_graph",
    "render",
    "view",
]


def view(
    out_dir: Path,
    *,
    stage: str | None = None,
    stacks: Sequence[str] = (),
    depth: int | None = None,
    focus: str | None = None,
    fold_limit: int = DEFAULT_FOLD,
) -> Graph:
    """The graph `hotdsl graph` draws for an out dir: read, then collapsed and folded."""
    graph = read_graph(out_dir, stage=stage, stacks=stacks)
    return fold(collapse(graph, depth, focus), fold_limit)


def draw(
    out_dir: Path,
    *,
    format: str = "mermaid",
    stage: str | None = None,
    stacks: Sequence[str] = (),
    depth: int | None = None,
    focus: str | None = None,
    fold_limit: int = DEFAULT_FOLD,
) -> str:
    """What `hotdsl graph` prints for an out dir."""
    graph = view(
        out_dir, stage=stage, stacks=stacks, depth=depth, focus=focus, fold_limit=fold_limit
    )
    return render(graph, format)
