"""Build the graph of a synthesized out dir: manifest.json, templates, files and environments.

Only what synth writes is read, never synth's internals, so `--from` a CI artifact and a
fresh synth give the same picture. A resource's construct path is its logical name split
at `.` (the rule of `Node.logical_name`); a resource whose type is a template of the
stack's files map (directly, through the environment's `resource_registry`, as an
`OS::Heat::Stack` template or as the members of a ResourceGroup/AutoScalingGroup) becomes
a group holding that template's graph. The out dir may come from a pull request: paths
stay inside it, links are not followed, sizes and nesting are bounded, and whatever a
template holds is data (shown in escaped labels, never in ids).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from hotdsl.errors import HotdslError
from hotdsl.graph.model import Edge, Graph, Group, GroupKind, Node, merge_edges, short_type
from hotdsl.graph.quick_yaml import read_synth_yaml
from hotdsl.synth.manifest import Manifest, ManifestError, StackEntry, is_inside

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NESTING = 10
"""Templates inside templates drawn at most this deep (Heat itself stops at 5 by default)."""
MAX_NODES = 1_000_000
"""A graph larger than this is refused: nested templates multiply, a hostile out dir could
make the drawing exponential."""

_GROUP_TYPES = {
    "OS::Heat::ResourceGroup": "resource_def",
    "OS::Heat::AutoScalingGroup": "resource",
}


def read_graph(out_dir: Path, *, stage: str | None = None, stacks: Sequence[str] = ()) -> Graph:
    """The graph of every stack of `out_dir` (or of `stacks`), with `stage`'s environment."""
    manifest = _load_manifest(out_dir)
    known = [entry.name for entry in manifest.stacks]
    unknown = [name for name in stacks if name not in known]
    if unknown:
        raise HotdslError(
            f"no stack named {', '.join(map(repr, unknown))} in {out_dir} "
            f"(stacks: {', '.join(known) or 'none'})"
        )
    builder = _Builder(out_dir)
    chosen = [entry for entry in manifest.stacks if not stacks or entry.name in stacks]
    for entry in chosen:
        builder.add_stack(entry, stage)
    for entry in chosen:
        builder.link_imports(entry)
    return builder.graph()


def _load_manifest(out_dir: Path) -> Manifest:
    try:
        return Manifest.load(out_dir)
    except FileNotFoundError:
        raise HotdslError(f"{out_dir} has no manifest.json; run `hotdsl synth` first") from None
    except ManifestError:
        raise
    except (OSError, ValueError, LookupError, TypeError, AttributeError) as exc:
        raise HotdslError(
            f"{out_dir}/manifest.json: not a manifest hotdsl can read ({exc}); "
            "run `hotdsl synth` again"
        ) from None


class _Ids:
    """Ids of ASCII letters, digits and `_`: readable, stable, unique whatever the names.

    Each name keeps its letters and digits (anything else becomes `_`), names are joined
    with `__`, and an id already taken gets a number: `r_shop__database__data`.
    """

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, prefix: str, parts: Sequence[str]) -> str:
        base = prefix + "_" + "__".join(_safe(part) for part in parts)
        candidate, number = base, 1
        while candidate in self.used:
            number += 1
            candidate = f"{base}_{number}"
        self.used.add(candidate)
        return candidate


_UNSAFE = re.compile(r"[^A-Za-z0-9]")


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text)


@attrs.frozen
class _Scope:
    """Where a template is drawn: its stack, its place in the app and what it can use."""

    stack: str
    path: tuple[str, ...]
    """Logical names of the resources that lead to this template."""
    group: str
    group_path: str
    files: Mapping[str, str]
    registry: Mapping[str, str]
    chain: tuple[str, ...]
    """Template files on the way here, to stop a template that contains itself."""


@attrs.define
class _Template:
    """The node ids of one drawn template's parameters, outputs and resources."""

    scope: _Scope
    declared: frozenset[str]
    """Its parameters: a node is made for those something references."""
    params: dict[str, str] = attrs.field(factory=dict)
    outputs: dict[str, str] = attrs.field(factory=dict)
    resources: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen
class _Expansion:
    """A resource drawn as a group: the template inside and which properties feed it."""

    template: _Template | None
    inner_properties: Mapping[str, Any]
    """Properties that become the inner template's parameters (or the member's properties)."""
    skip: frozenset[str]
    """The resource's own properties that hold them, not drawn as feeding the resource."""
    member: str | None = None
    """For a group of plain resources, the node id of the member."""


class _Builder:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root: Path | None = None
        self.ids = _Ids()
        self.groups: list[Group] = []
        self.nodes: list[Node | None] = []
        """None holds the place of a resource whose template is being drawn: the resource
        comes first in its box."""
        self.edges: list[Edge] = []
        self.documents: dict[str, object] = {}
        self.stacks: dict[str, _Template] = {}

    def graph(self) -> Graph:
        nodes = tuple(node for node in self.nodes if node is not None)
        return Graph(tuple(self.groups), nodes, merge_edges(self.edges))

    # -- stacks ---------------------------------------------------------------------

    def add_stack(self, entry: StackEntry, stage: str | None) -> None:
        label, environment_files = entry.name, entry.environment_files
        if stage is not None:
            stage_entry = entry.stages.get(stage)
            if stage_entry is None:
                stages = ", ".join(entry.stages) or "none"
                raise HotdslError(f"stack {entry.name} has no stage {stage!r} (stages: {stages})")
            label, environment_files = stage_entry.stack_name, stage_entry.environment_files
        group = self._group("stack", entry.name, entry.name, label, entry.template, None)
        registry: dict[str, str] = {}
        for file in environment_files:
            registry.update(_registry(self._document(file)))
        scope = _Scope(
            stack=entry.name,
            path=(),
            group=group.id,
            group_path=entry.name,
            files=entry.files,
            registry=registry,
            chain=(entry.template,),
        )
        self.stacks[entry.name] = self._template(self._document(entry.template), scope)

    def link_imports(self, entry: StackEntry) -> None:
        """Draw each output of an earlier stack that feeds a parameter of this one."""
        target = self.stacks[entry.name]
        for item in entry.imports:
            source = self.stacks.get(item.stack)
            if source is None or item.output not in source.outputs:
                continue
            parameter = self._parameter(target, item.parameter)
            if parameter is not None:
                self.edges.append(
                    Edge(source.outputs[item.output], parameter, "cross_stack", item.output)
                )

    # -- one template ---------------------------------------------------------------

    def _template(self, document: object, scope: _Scope) -> _Template:
        body = document if isinstance(document, dict) else {}
        resources = _mapping(body.get("resources"))
        drawn = _Template(scope, frozenset(str(k) for k in _mapping(body.get("parameters"))))
        constructs: dict[tuple[str, ...], tuple[str, str]] = {}
        expansions: dict[str, _Expansion] = {}
        for key, definition in resources.items():
            name = str(key)
            if len(self.nodes) + len(self.groups) >= MAX_NODES:
                raise HotdslError(
                    f"{self.out_dir}: more than {MAX_NODES} nodes and boxes to draw; "
                    "graph a single stack or check the templates"
                )
            *prefix, own = name.split(".")
            parent, parent_path = self._construct(scope, constructs, tuple(prefix))
            body_of = _mapping(definition)
            resource_type = body_of.get("type")
            resource_type = resource_type if isinstance(resource_type, str) else ""
            slot = len(self.nodes)
            self.nodes.append(None)
            expansion, node_group = self._expand(
                scope,
                name,
                own,
                resource_type,
                _mapping(body_of.get("properties")),
                parent,
                parent_path,
            )
            node = Node(
                id=self.ids.make("r", (scope.stack, *scope.path, name)),
                kind="resource",
                stack=scope.stack,
                path=(*scope.path, name),
                label=own,
                type=resource_type,
                group=node_group,
            )
            self.nodes[slot] = node
            drawn.resources[name] = node.id
            if expansion is not None:
                expansions[name] = expansion
        for key, definition in resources.items():
            name = str(key)
            self._resource_edges(drawn, name, _mapping(definition), expansions.get(name))
        for key, definition in _mapping(body.get("outputs")).items():
            output = Node(
                id=self.ids.make("v", (scope.stack, *scope.path, str(key))),
                kind="output",
                stack=scope.stack,
                path=(*scope.path, str(key)),
                label=str(key),
                group=scope.group,
            )
            self.nodes.append(output)
            drawn.outputs[str(key)] = output.id
            self._edges_into(drawn, _mapping(definition).get("value"), output.id)
        return drawn

    def _construct(
        self,
        scope: _Scope,
        constructs: dict[tuple[str, ...], tuple[str, str]],
        prefix: tuple[str, ...],
    ) -> tuple[str, str]:
        """The (id, path) of the construct group for a logical name's prefix, made on first use.

        Iterative: a hostile name may hold thousands of dots."""
        parent, parent_path = scope.group, scope.group_path
        for end in range(1, len(prefix) + 1):
            known = constructs.get(prefix[:end])
            if known is None:
                path = f"{parent_path}/{prefix[end - 1]}"
                group = self._group("construct", scope.stack, path, prefix[end - 1], "", parent)
                known = constructs[prefix[:end]] = (group.id, path)
            parent, parent_path = known
        return parent, parent_path

    def _expand(
        self,
        scope: _Scope,
        name: str,
        own: str,
        resource_type: str,
        properties: dict[str, Any],
        parent: str,
        parent_path: str,
    ) -> tuple[_Expansion | None, str]:
        """The expansion of a resource that runs a template or members, and the node's group."""
        path = f"{parent_path}/{own}"
        member_key = _GROUP_TYPES.get(resource_type)
        if member_key is not None:
            definition = _mapping(properties.get(member_key))
            member_type = definition.get("type")
            member_type = member_type if isinstance(member_type, str) else ""
            member_properties = _mapping(definition.get("properties"))
            group = self._group(
                "resource_group", scope.stack, path, own, short_type(resource_type), parent
            )
            file = self._template_file(scope, member_type)
            members = self._group(
                "members",
                scope.stack,
                f"{path}/members",
                "members",
                short_type(member_type)
                if file is None or file == member_type
                else f"{member_type}: {file}",
                group.id,
            )
            inner_scope = attrs.evolve(
                scope, path=(*scope.path, name), group=members.id, group_path=members.path
            )
            if file is not None and self._may_enter(scope, file):
                inner = self._template(
                    self._document(scope.files[file]),
                    attrs.evolve(inner_scope, chain=(*scope.chain, file)),
                )
                return _Expansion(inner, member_properties, frozenset([member_key])), group.id
            member = Node(
                id=self.ids.make("r", (scope.stack, *scope.path, name, "member")),
                kind="resource",
                stack=scope.stack,
                path=(*scope.path, name, "member"),
                label="member",
                type=member_type,
                group=members.id,
            )
            self.nodes.append(member)
            return _Expansion(None, member_properties, frozenset([member_key]), member.id), group.id
        kind: GroupKind
        if resource_type == "OS::Heat::Stack":
            template = _mapping(properties.get("template")).get("get_file")
            file = template if isinstance(template, str) and template in scope.files else None
            inner_properties = _mapping(properties.get("parameters"))
            skip = frozenset(["parameters"])
            kind, detail = "nested_stack", f"Heat::Stack: {file}"
        else:
            file = self._template_file(scope, resource_type)
            inner_properties = properties
            skip = frozenset(str(key) for key in properties)
            provider = file is not None and file != resource_type
            kind = "provider" if provider else "nested_stack"
            detail = f"{resource_type}: {file}" if provider else resource_type
        if file is None or not self._may_enter(scope, file):
            return None, parent
        group = self._group(kind, scope.stack, path, own, detail, parent)
        inner = self._template(
            self._document(scope.files[file]),
            attrs.evolve(
                scope,
                path=(*scope.path, name),
                group=group.id,
                group_path=path,
                chain=(*scope.chain, file),
            ),
        )
        return _Expansion(inner, inner_properties, skip), group.id

    def _template_file(self, scope: _Scope, resource_type: str) -> str | None:
        """The files-map key of the template a type runs, if it runs one."""
        if resource_type in scope.files:
            return resource_type
        registered = scope.registry.get(resource_type)
        return registered if registered is not None and registered in scope.files else None

    def _may_enter(self, scope: _Scope, file: str) -> bool:
        return file not in scope.chain and len(scope.chain) <= MAX_NESTING

    def _resource_edges(
        self,
        drawn: _Template,
        name: str,
        definition: dict[str, Any],
        expansion: _Expansion | None,
    ) -> None:
        node = drawn.resources[name]
        skip: frozenset[str] = frozenset()
        if expansion is not None:
            skip = expansion.skip
            for key, value in expansion.inner_properties.items():
                target = expansion.member
                if expansion.template is not None:
                    target = self._parameter(expansion.template, str(key))
                self._edges_into(drawn, value, target or node)
        self._edges_into(drawn, definition.get("properties"), node, skip)
        self._edges_into(drawn, definition.get("metadata"), node)
        depends_on = definition.get("depends_on")
        for dependency in depends_on if isinstance(depends_on, list) else [depends_on]:
            source = drawn.resources.get(dependency) if isinstance(dependency, str) else None
            if source is not None:
                self.edges.append(Edge(source, node, "depends_on"))

    def _edges_into(
        self, drawn: _Template, value: object, target: str, skip: frozenset[str] = frozenset()
    ) -> None:
        """An edge from everything `value` references (in `drawn`) to `target`."""
        for function, name, label in _references(value, skip):
            if function == "get_param":
                source = self._parameter(drawn, name)
            else:
                source = drawn.resources.get(name)
            if source is not None:
                self.edges.append(Edge(source, target, "reference", label))

    def _parameter(self, drawn: _Template, name: str) -> str | None:
        """The node of a declared parameter, made when first referenced."""
        known = drawn.params.get(name)
        if known is not None or name not in drawn.declared:
            return known
        scope = drawn.scope
        node = Node(
            id=self.ids.make("p", (scope.stack, *scope.path, name)),
            kind="parameter",
            stack=scope.stack,
            path=(*scope.path, name),
            label=name,
            group=scope.group,
        )
        self.nodes.append(node)
        drawn.params[name] = node.id
        return node.id

    # -- groups and files -----------------------------------------------------------

    def _group(
        self, kind: GroupKind, stack: str, path: str, label: str, detail: str, parent: str | None
    ) -> Group:
        prefix = "s" if kind == "stack" else "g"
        group = Group(
            id=self.ids.make(prefix, path.split("/")),
            kind=kind,
            stack=stack,
            path=path,
            label=label,
            detail=detail,
            parent=parent,
        )
        self.groups.append(group)
        return group

    def _document(self, relative: str) -> object:
        """A YAML file of the out dir, parsed once (a provider template may be used often).

        Every scalar is read as text: the graph shows names, and a number or date read as
        text is drawn as it is written."""
        if relative not in self.documents:
            text = self._read(relative)
            try:
                quick = read_synth_yaml(text)
                self.documents[relative] = quick if quick is not None else _load_yaml(text)
            except Exception as exc:  # yaml.YAMLError, RecursionError: a file synth did not write
                reason = " ".join(str(exc).split())[:200] or type(exc).__name__
                raise HotdslError(
                    f"{self.out_dir / relative}: not YAML hotdsl can read ({reason}); "
                    "run `hotdsl synth` again"
                ) from None
        return self.documents[relative]

    def _read(self, relative: str) -> str:
        file = self.out_dir / relative
        advice = "; run `hotdsl synth` again"
        if not is_inside(relative):
            raise HotdslError(f"{file}: not a path inside the out dir{advice}")
        if self.root is None:
            self.root = self.out_dir.resolve()
        if not file.resolve().is_relative_to(self.root):
            raise HotdslError(f"{file}: lies outside {self.out_dir}{advice}")
        try:
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
            with open(file, "rb", opener=lambda path, _: os.open(path, flags)) as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    raise HotdslError(f"{file}: not a regular file{advice}")
                raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise HotdslError(
                    f"{file}: a symlink; hotdsl does not follow links{advice}"
                ) from None
            raise HotdslError(f"{file}: {exc.strerror or exc}{advice}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise HotdslError(f"{file}: larger than {MAX_FILE_BYTES} bytes{advice}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HotdslError(f"{file}: not UTF-8 text{advice}") from None


def _load_yaml(text: str) -> object:
    """YAML synth did not write (or wrote beyond `read_synth_yaml`), every scalar as text."""
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    return yaml.load(text, Loader=loader)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _registry(document: object) -> dict[str, str]:
    """The type -> file entries of an environment's `resource_registry`."""
    registry = _mapping(_mapping(document).get("resource_registry"))
    return {k: v for k, v in registry.items() if isinstance(k, str) and isinstance(v, str)}


def _references(value: object, skip: frozenset[str]) -> list[tuple[str, str, str]]:
    """(function, name, attribute) of each get_resource, get_attr and get_param in `value`.

    Iterative and visiting each container once: YAML aliases can share one list between
    thousands of places, and a template can nest deeper than Python's stack.
    """
    found: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    top = _mapping(value)
    pending: list[object] = (
        [v for k, v in reversed(top.items()) if k not in skip] if skip and top else [value]
    )
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if id(item) in seen:
                continue
            seen.add(id(item))
            if len(item) == 1:
                function, argument = next(iter(item.items()))
                if function == "get_resource" and isinstance(argument, str):
                    found.append(("get_resource", argument, ""))
                    continue
                if function in ("get_attr", "get_param"):
                    arguments = argument if isinstance(argument, list) else [argument]
                    if arguments and isinstance(arguments[0], str):
                        label = _attribute(arguments[1:]) if function == "get_attr" else ""
                        found.append((function, arguments[0], label))
                        pending.extend(reversed(arguments[1:]))
                        continue
            pending.extend(reversed(item.values()))
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            pending.extend(reversed(item))
    return found


def _attribute(parts: list[object]) -> str:
    """`[fixed_ips, 0, ip_address]` -> `fixed_ips.0.ip_address` (a function shows as `*`)."""
    return ".".join(str(part) if isinstance(part, (str, int, float)) else "*" for part in parts)
