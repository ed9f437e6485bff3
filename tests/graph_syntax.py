"""Checkers for what `hotdsl graph` emits: the Mermaid and DOT subsets and the JSON schema.

Each is a small grammar of exactly the statements the renderers write, stricter than the
real parsers (every node defined once before use, no stray character in a label), so
that output which passes renders, and malformed output fails with the line that is wrong.
"""

from __future__ import annotations

import re

# -- Mermaid ---------------------------------------------------------------------------

MERMAID_RESERVED = {
    "end",
    "subgraph",
    "graph",
    "flowchart",
    "class",
    "classDef",
    "style",
    "click",
    "linkStyle",
    "direction",
    "default",
    "call",
    "href",
}
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
# Inside "...": no quote, no raw < or >, `#` only as an entity (#35; #quot;), `<br/>` only
# as the line break the renderer writes.
_TEXT = r'(?:[^"<>#]|#[0-9]+;|#[a-z]+;|<br/>)*'
_SHAPES = [
    (r"\[", r"\]"),
    (r"\[/", r"/\]"),
    (r"\(\[", r"\]\)"),
    (r"\[\[", r"\]\]"),
    (r"\{\{", r"\}\}"),
]
_NODE = re.compile(rf"(?P<id>{_ID})(?:" + "|".join(rf'{o}"{_TEXT}"{c}' for o, c in _SHAPES) + r")")
_SUBGRAPH = re.compile(rf'subgraph (?P<id>{_ID}) \["{_TEXT}"\]')
_EDGE = re.compile(rf'(?P<source>{_ID}) (?:-->|-\.->|==>)(?:\|"{_TEXT}"\|)? (?P<target>{_ID})')
_STYLE = r"[a-z-]+:[#A-Za-z0-9.% ]+(?:,[a-z-]+:[#A-Za-z0-9.% ]+)*"
_CLASSDEF = re.compile(rf"classDef (?P<name>{_ID}) {_STYLE}")
_CLASS = re.compile(rf"class (?P<ids>{_ID}(?:,{_ID})*) (?P<name>{_ID})")
_DIRECTION = re.compile(r"flowchart (?:TB|TD|BT|LR|RL)")


def check_mermaid(text: str) -> None:
    """Raise AssertionError naming the first line outside the emitted Mermaid grammar."""
    assert text.endswith("\n"), "the text ends without a newline"
    lines = text[:-1].split("\n")
    assert _DIRECTION.fullmatch(lines[0]), f"line 1 is not a flowchart header: {lines[0]!r}"
    defined: set[str] = set()
    classes: set[str] = set()
    open_groups: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        where = f"line {number} {line!r}"
        assert line == line.rstrip() and stripped, f"{where}: blank or trailing space"
        if stripped == "end":
            assert open_groups, f"{where}: `end` without a subgraph"
            open_groups.pop()
            continue
        match = _SUBGRAPH.fullmatch(stripped)
        if match:
            _define(match["id"], defined, where)
            open_groups.append(match["id"])
            continue
        match = _NODE.fullmatch(stripped)
        if match:
            _define(match["id"], defined, where)
            continue
        match = _EDGE.fullmatch(stripped)
        if match:
            for end in (match["source"], match["target"]):
                assert end in defined, f"{where}: edge to {end}, which is not defined"
            continue
        match = _CLASSDEF.fullmatch(stripped)
        if match:
            classes.add(match["name"])
            continue
        match = _CLASS.fullmatch(stripped)
        if match:
            assert match["name"] in classes, f"{where}: class {match['name']} has no classDef"
            for node in match["ids"].split(","):
                assert node in defined, f"{where}: class of {node}, which is not defined"
            continue
        raise AssertionError(f"{where}: not a statement of the emitted Mermaid subset")
    assert not open_groups, f"subgraph {open_groups[-1]} is never closed"


def _define(name: str, defined: set[str], where: str) -> None:
    assert name not in MERMAID_RESERVED, f"{where}: {name} is a Mermaid keyword"
    assert name not in defined, f"{where}: {name} is defined twice"
    defined.add(name)


# -- DOT -------------------------------------------------------------------------------

_QUOTED = r'"(?:[^"\\\n]|\\.)*"'
_ATTRIBUTE = rf"[a-z]+=(?:{_QUOTED}|[A-Za-z0-9.]+)"
_ATTRIBUTES = rf"\[{_ATTRIBUTE}(?:, {_ATTRIBUTE})*\]"
_DOT_NODE = re.compile(rf'"(?P<id>{_ID})" {_ATTRIBUTES};')
_DOT_EDGE = re.compile(rf'"(?P<source>{_ID})" -> "(?P<target>{_ID})"(?: {_ATTRIBUTES})?;')
_DOT_CLUSTER = re.compile(rf'subgraph "cluster_(?P<id>{_ID})" \{{')
_DOT_LABEL = re.compile(rf"label={_QUOTED};")
_DOT_DEFAULTS = re.compile(rf"(?:rankdir=TB|(?:node|edge) {_ATTRIBUTES});")


def check_dot(text: str) -> None:
    """Raise AssertionError naming the first line outside the emitted DOT grammar."""
    assert text.endswith("\n"), "the text ends without a newline"
    lines = text[:-1].split("\n")
    assert lines[0] == 'digraph "hotdsl" {', f"line 1 is not the digraph header: {lines[0]!r}"
    assert lines[-1] == "}", "the digraph is not closed on the last line"
    defined: set[str] = set()
    depth = 0
    for number, line in enumerate(lines[1:-1], start=2):
        stripped = line.strip()
        where = f"line {number} {line!r}"
        if stripped == "}":
            assert depth > 0, f"{where}: closes more than it opened"
            depth -= 1
            continue
        match = _DOT_CLUSTER.fullmatch(stripped)
        if match:
            assert match["id"] not in defined, f"{where}: {match['id']} defined twice"
            defined.add(match["id"])
            depth += 1
            continue
        match = _DOT_NODE.fullmatch(stripped)
        if match:
            assert match["id"] not in defined, f"{where}: {match['id']} defined twice"
            defined.add(match["id"])
            continue
        match = _DOT_EDGE.fullmatch(stripped)
        if match:
            for end in (match["source"], match["target"]):
                assert end in defined, f"{where}: edge to {end}, which is not defined"
            continue
        if (depth and _DOT_LABEL.fullmatch(stripped)) or _DOT_DEFAULTS.fullmatch(stripped):
            continue
        raise AssertionError(f"{where}: not a statement of the emitted DOT subset")
    assert depth == 0, "a cluster is never closed"


# -- JSON ------------------------------------------------------------------------------

GROUP_KINDS = {"stack", "construct", "nested_stack", "provider", "resource_group", "members"}
NODE_KINDS = {"resource", "parameter", "output", "collapsed", "folded"}
EDGE_KINDS = {"reference", "depends_on", "cross_stack"}
CHANGES = {None, "added", "changed", "replaced", "removed"}


def check_graph_json(document: object) -> None:
    """Raise AssertionError where `document` departs from the documented schema (version 1)."""
    assert isinstance(document, dict)
    assert set(document) == {"format", "version", "groups", "nodes", "edges"}
    assert document["format"] == "hotdsl-graph" and document["version"] == 1
    groups: set[str] = set()
    for group in document["groups"]:
        assert set(group) == {"id", "kind", "stack", "path", "label", "detail", "parent"}
        assert re.fullmatch(_ID, group["id"]) and group["id"] not in groups
        assert group["kind"] in GROUP_KINDS
        assert all(isinstance(group[k], str) for k in ("stack", "path", "label", "detail"))
        assert group["parent"] is None or group["parent"] in groups, "a parent comes first"
        groups.add(group["id"])
    nodes: set[str] = set()
    for node in document["nodes"]:
        assert set(node) == {
            "id",
            "kind",
            "stack",
            "path",
            "label",
            "type",
            "group",
            "count",
            "change",
        }
        assert re.fullmatch(_ID, node["id"]) and node["id"] not in nodes | groups
        assert node["kind"] in NODE_KINDS and node["change"] in CHANGES
        assert isinstance(node["path"], list) and all(isinstance(p, str) for p in node["path"])
        assert all(isinstance(node[k], str) for k in ("stack", "label", "type"))
        assert node["group"] is None or node["group"] in groups
        assert isinstance(node["count"], int) and node["count"] >= 1
        nodes.add(node["id"])
    for edge in document["edges"]:
        assert set(edge) == {"source", "target", "kind", "label", "count"}
        assert edge["source"] in nodes and edge["target"] in nodes
        assert edge["source"] != edge["target"]
        assert edge["kind"] in EDGE_KINDS and isinstance(edge["label"], str)
        assert isinstance(edge["count"], int) and edge["count"] >= 1
