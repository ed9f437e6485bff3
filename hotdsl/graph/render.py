"""Draw a graph as Mermaid (the default: GitHub and GitLab render it in Markdown), Graphviz
DOT, or JSON for tools.

The same graph always gives the same text, so a graph file can be committed and diffed.
Ids are safe as they are (see `hotdsl.graph.model`); every name is shown inside a quoted
label with anything but letters, digits and plain punctuation escaped, so no logical
name can end a label, start an edge or close a subgraph.

Arrows follow the data: from what is referenced to what uses it (a parameter into a
resource, a network into its subnet, a resource into an output, an output of one stack
into a parameter of a stack deployed after it). References are solid arrows labelled
with the attribute read, `depends_on` is dashed, cross-stack links are thick.

The JSON document (`JSON_FORMAT`, version `JSON_VERSION`; a field is only ever added
within a version):

    {"format": "hotdsl-graph", "version": 1,
     "groups": [{"id", "kind", "stack", "path", "label", "detail", "parent"}],
     "nodes": [{"id", "kind", "stack", "path": [...], "label", "type", "group", "count",
                "change"}],
     "edges": [{"source", "target", "kind", "label", "count"}]}

with the kinds of `hotdsl.graph.model` (`parent`, `group` and `change` may be null).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from hotdsl.graph.model import Edge, Graph, Group, Node, short_type

JSON_FORMAT = "hotdsl-graph"
JSON_VERSION = 1
FORMATS = ("mermaid", "dot", "json")
MERMAID_MAX_EDGES = 500
"""Mermaid's default `maxEdges`: GitHub and GitLab show an error instead of a larger graph."""

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,:/()-+=*@!?'")

_MERMAID_CLASSES = {
    "parameter": "fill:#eef3ff,stroke:#5b6b9a",
    "output": "fill:#eefbea,stroke:#4d8a4d",
    "collapsed": "fill:#f2f2f2,stroke:#333,stroke-width:2px",
    "folded": "fill:#fffbe6,stroke:#9a8a3a",
    "added": "fill:#d4f8d4,stroke:#2a7a2a,stroke-width:2px",
    "changed": "fill:#fff3c4,stroke:#a07800,stroke-width:2px",
    "replaced": "fill:#ffd8b0,stroke:#b35900,stroke-width:2px",
    "removed": "fill:#f8d4d4,stroke:#a02a2a,stroke-width:2px,stroke-dasharray:4 2",
}
_DOT_FILL = {
    "added": "#d4f8d4",
    "changed": "#fff3c4",
    "replaced": "#ffd8b0",
    "removed": "#f8d4d4",
}


def render(graph: Graph, format: str) -> str:
    """`graph` in one of `FORMATS`."""
    renderers: dict[str, Callable[[Graph], str]] = {
        "mermaid": to_mermaid,
        "dot": to_dot,
        "json": to_json,
    }
    return renderers[format](graph)


def node_lines(node: Node) -> list[str]:
    """What a node's box says, line by line (unescaped)."""
    if node.kind == "resource":
        return [node.label, short_type(node.type)] if node.type else [node.label]
    if node.kind == "collapsed":
        noun = "resource" if node.count == 1 else "resources"
        detail = [node.type] if node.type else []
        return [node.label, *detail, f"{node.count} {noun}"]
    if node.kind == "folded":
        return [f"{node.label} x{node.count}"]
    return [node.label]


def group_title(group: Group) -> str:
    return f"{group.label}: {group.detail}" if group.detail else group.label


def edge_text(edge: Edge) -> str:
    count = f"x{edge.count}" if edge.count > 1 else ""
    return " ".join(part for part in (edge.label, count) if part)


def node_class(node: Node) -> str | None:
    """The style of a node: its change, else its kind (a plain resource has none)."""
    if node.change is not None:
        return node.change
    return None if node.kind == "resource" else node.kind


def _tree(graph: Graph) -> tuple[dict[str | None, list[Group]], dict[str | None, list[Node]]]:
    children: dict[str | None, list[Group]] = {}
    for group in graph.groups:
        children.setdefault(group.parent, []).append(group)
    members: dict[str | None, list[Node]] = {}
    for node in graph.nodes:
        members.setdefault(node.group, []).append(node)
    for nodes in members.values():
        nodes.sort(key=lambda node: _RANK[node.kind])
    return children, members


_RANK = {"parameter": 0, "resource": 1, "collapsed": 1, "folded": 1, "output": 2}
"""Inside a box: what comes in, what it holds, what goes out."""


def _walk(
    graph: Graph,
) -> Iterator[tuple[str, int, Group | Node | None]]:
    """("open", depth, group), ("node", depth, node), ("close", depth, None), in tree order.

    Iterative: nested stacks and constructs may go deep.
    """
    children, members = _tree(graph)
    pending: list[tuple[str, int, Group | Node | None]] = []

    def push_contents(parent: str | None, depth: int) -> None:
        items: list[tuple[str, int, Group | Node | None]] = [
            ("node", depth, node) for node in members.get(parent, [])
        ]
        for group in children.get(parent, []):
            items += [("open", depth, group)]
        pending.extend(reversed(items))

    push_contents(None, 0)
    while pending:
        step, depth, item = pending.pop()
        yield step, depth, item
        if step == "open" and isinstance(item, Group):
            pending.append(("close", depth, None))
            push_contents(item.id, depth + 1)


# -- Mermaid ---------------------------------------------------------------------------


def visible(text: str) -> str:
    """`text` with each character Python cannot print (controls, line breaks, bidi
    overrides, zero-width spaces) shown as `<U+XXXX>`: a label never hides or reorders
    what a name holds."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else f"<U+{ord(char):04X}>" for char in text)


def mermaid_text(text: str) -> str:
    """`text` safe inside a Mermaid "quoted" label: other characters as `#code;` entities."""
    return "".join(
        char if char in _PLAIN or (char.isalnum() and not char.isascii()) else f"#{ord(char)};"
        for char in visible(text)
    )


def to_mermaid(graph: Graph) -> str:
    lines = ["flowchart TB"]
    for step, depth, item in _walk(graph):
        pad = "  " * (depth + 1)
        if step == "open" and isinstance(item, Group):
            lines.append(f'{pad}subgraph {item.id} ["{mermaid_text(group_title(item))}"]')
        elif step == "close":
            lines.append(f"{pad}end")
        elif isinstance(item, Node):
            lines.append(pad + _mermaid_node(item))
    for edge in graph.edges:
        arrow = {"reference": "-->", "depends_on": "-.->", "cross_stack": "==>"}[edge.kind]
        text = edge_text(edge)
        label = f'|"{mermaid_text(text)}"|' if text else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    styled: dict[str, list[str]] = {}
    for node in graph.nodes:
        name = node_class(node)
        if name is not None:
            styled.setdefault(name, []).append(node.id)
    for name in _MERMAID_CLASSES:
        if name in styled:
            lines.append(f"  classDef {name} {_MERMAID_CLASSES[name]}")
            lines.append(f"  class {','.join(styled[name])} {name}")
    return "\n".join(lines) + "\n"


def _mermaid_node(node: Node) -> str:
    text = "<br/>".join(mermaid_text(line) for line in node_lines(node))
    opening, closing = {
        "resource": ("[", "]"),
        "parameter": ("[/", "/]"),
        "output": ("([", "])"),
        "collapsed": ("[[", "]]"),
        "folded": ("{{", "}}"),
    }[node.kind]
    return f'{node.id}{opening}"{text}"{closing}'


# -- DOT -------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """`text` safe inside a DOT "quoted" string: backslashes and quotes escaped, see `visible`."""
    return "".join("\\" + char if char in ('"', "\\") else char for char in visible(text))


_DOT_SHAPES = {
    "resource": "box",
    "parameter": "parallelogram",
    "output": "ellipse",
    "collapsed": "box3d",
    "folded": "folder",
}


def to_dot(graph: Graph) -> str:
    lines = [
        'digraph "hotdsl" {',
        "  rankdir=TB;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for step, depth, item in _walk(graph):
        pad = "  " * (depth + 1)
        if step == "open" and isinstance(item, Group):
            lines.append(f'{pad}subgraph "cluster_{item.id}" {{')
            lines.append(f'{pad}  label="{dot_text(group_title(item))}";')
        elif step == "close":
            lines.append(f"{pad}}}")
        elif isinstance(item, Node):
            label = "\\n".join(dot_text(line) for line in node_lines(item))
            attributes = [f'label="{label}"', f"shape={_DOT_SHAPES[item.kind]}"]
            if item.change is not None:
                attributes += ["style=filled", f'fillcolor="{_DOT_FILL[item.change]}"']
                if item.change == "removed":
                    attributes[-2] = 'style="filled,dashed"'
            lines.append(f'{pad}"{item.id}" [{", ".join(attributes)}];')
    for edge in graph.edges:
        attributes = []
        text = edge_text(edge)
        if text:
            attributes.append(f'label="{dot_text(text)}"')
        if edge.kind == "depends_on":
            attributes.append("style=dashed")
        elif edge.kind == "cross_stack":
            attributes.append("penwidth=2.5")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f'  "{edge.source}" -> "{edge.target}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- JSON ------------------------------------------------------------------------------


def to_json(graph: Graph) -> str:
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "groups": [
            {
                "id": g.id,
                "kind": g.kind,
                "stack": g.stack,
                "path": g.path,
                "label": g.label,
                "detail": g.detail,
                "parent": g.parent,
            }
            for g in graph.groups
        ],
        "nodes": [
            {
                "id": n.id,
                "kind": n.kind,
                "stack": n.stack,
                "path": list(n.path),
                "label": n.label,
                "type": n.type,
                "group": n.group,
                "count": n.count,
                "change": n.change,
            }
            for n in graph.nodes
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "label": e.label,
                "count": e.count,
            }
            for e in graph.edges
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
