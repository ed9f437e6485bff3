"""Link: find what crosses a stack or nesting boundary, before any template is put together.

The first pass of synth (CDK's `resolveReferences`). It walks every value of the
app's stacks once, following nested stacks and provider templates where they are
used, and records in `Links`:

- per stack, the parameters and outputs synth adds to carry values across a boundary,
  and per child stack the values its parent passes for them;
- per top-level stack, its files map, the provider types of its environment, and the
  outputs of other top-level stacks it takes (`StackImport`): its place in the deploy order;
- the provider templates it built, and the top-level stack each one serves.

Linking changes nothing in the model; the render pass reads the result. The walk
writes each stack's own members as it goes (`Resolver.sections`, a function of the
model alone), and `Links.written` keeps them, so that rendering need not write them a
second time. Problems found here are those of linking itself (a provider whose
`build()` fails, two files sent under one key) and those of the members' values; what
linking walks besides (the values it carries across) the render pass reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from hotdsl.construct import Construct, Stack
from hotdsl.errors import ModelLockedError, Problem
from hotdsl.intrinsics import Reference
from hotdsl.nested import ChildStack, ProviderResource, ProviderTemplateStack
from hotdsl.source import user_frame
from hotdsl.synth.resolve import Resolver, Sections, app_of
from hotdsl.template import Parameter


@attrs.frozen
class StackImport:
    """A parameter of a top-level stack fed by an output of another top-level stack."""

    parameter: str
    stack: Stack
    output: str
    type: str


@attrs.frozen
class ImportParameter:
    """A parameter synth adds to a stack to take a value of another stack."""

    name: str
    key: str
    source: Stack
    type: str
    position: int
    """The index of the stack's member being written when the value was met (one past the
    last: after all); the parameter goes before that member's own parameter."""

    def definition(self) -> dict[str, object]:
        return {
            "type": self.type,
            "description": f"{self.key} of {self.source.node.path}, wired in by hotdsl",
        }


@attrs.define
class StackLinks:
    """What linking adds to one stack."""

    parameters: list[ImportParameter] = attrs.field(factory=list)
    exports: dict[str, Reference[Any]] = attrs.field(factory=dict)
    """Output name -> the value the stack outputs for another stack."""
    passed_in: dict[str, Reference[Any]] = attrs.field(factory=dict)
    """A child stack's added parameter -> the value its parent passes for it."""
    imports: list[StackImport] = attrs.field(factory=list)
    problems: list[Problem] = attrs.field(factory=list)


@attrs.frozen
class TakenOutput:
    """A parameter that takes another top-level stack's deployed output by name
    (`Parameter.take_output`): validation checks that the output exists."""

    stack: Stack
    parameter: Parameter[Any]
    source: Stack
    output: str


@attrs.frozen
class SharedFile:
    """Two child stacks sent under one files-map key: their templates must be the same."""

    key: str
    first: Stack
    other: Stack
    where: Construct
    """The construct whose use of `other` sent it."""


@attrs.define
class Links:
    """Everything the link pass found; the render pass only reads it."""

    stacks: dict[Stack, StackLinks] = attrs.field(factory=dict)
    """Every stack linked (top-level, nested, provider templates), in the order reached."""
    files: dict[Stack, dict[str, str | Stack]] = attrs.field(factory=dict)
    """Top-level stack -> files map key -> content, or a nested or provider template's stack."""
    registry: dict[Stack, dict[str, str]] = attrs.field(factory=dict)
    """Top-level stack -> provider type name -> template key, for the stack's environment."""
    roots: dict[Stack, Stack] = attrs.field(factory=dict)
    """Provider template -> the top-level stack whose files map and environment carry it."""
    shared: list[SharedFile] = attrs.field(factory=list)
    taken: list[TakenOutput] = attrs.field(factory=list)
    written: dict[Stack, Sections] = attrs.field(factory=dict)
    """Stack -> its own members as the link walk wrote them (render reuses them)."""

    def of(self, stack: Stack) -> StackLinks:
        return self.stacks.get(stack) or StackLinks()

    def root(self, stack: Stack) -> Stack:
        """The top-level stack whose files map and environment serve `stack`."""
        while isinstance(stack, ChildStack):
            stack = stack.parent
        return self.roots.get(stack, stack)

    def nested(self) -> list[Stack]:
        """The nested stacks and provider templates linked, in the order reached."""
        return [s for s in self.stacks if isinstance(s, (ChildStack, ProviderTemplateStack))]

    def deploy_order(self, stacks: Sequence[Stack]) -> list[Stack]:
        """Top-level stacks ordered so each comes after the stacks whose outputs it takes.

        Stacks caught in a cycle, or taking values of a stack not among `stacks`, keep
        their given order at the end (validation reports them).
        """
        needs = {s: {i.stack for i in self.of(s).imports} for s in stacks}
        order: list[Stack] = []
        placed: set[Stack] = set()
        pending = list(stacks)
        while pending:
            ready = next((s for s in pending if needs[s] <= placed), None)
            if ready is None:
                return [*order, *pending]
            order.append(ready)
            placed.add(ready)
            pending.remove(ready)
        return order


def link(stacks: Sequence[Stack], hidden: frozenset[Parameter[Any]] = frozenset()) -> Links:
    """Link the stacks (and everything they nest or use) in one walk over their values.

    `hidden`: parameters to write `hidden: true` (those a stage gives a secret)."""
    linking = _Linking(hidden)
    for stack in stacks:
        linking.linker(stack).link()
    return linking.links


class _Linking:
    """The link pass in progress: one `Linker` per stack reached."""

    def __init__(self, hidden: frozenset[Parameter[Any]]) -> None:
        self.links = Links()
        self.hidden = hidden
        self.linkers: dict[Stack, Linker] = {}
        self.providers: dict[Stack, dict[type[ProviderResource], Stack | None]] = {}

    def linker(self, stack: Stack) -> Linker:
        found = self.linkers.get(stack)
        if found is None:
            found = self.linkers[stack] = Linker(stack, self)
        return found

    def add_file(self, linker: Linker, key: str, content: str | Stack) -> None:
        files = self.links.files.setdefault(self.links.root(linker.stack), {})
        existing = files.get(key)
        if existing is not None and existing is not content and existing != content:
            if isinstance(existing, Stack) and isinstance(content, Stack):
                self.links.shared.append(SharedFile(key, existing, content, linker.current))
                return
            linker.problem(
                f"two different files would both be sent as {key!r}; give one another name"
            )
            return
        files[key] = content

    def use_provider(self, linker: Linker, provider: type[ProviderResource]) -> None:
        root = self.links.root(linker.stack)
        built = self.providers.setdefault(root, {})
        if provider in built:
            return
        built[provider] = None
        try:
            template = provider.build_template()
        except ModelLockedError:
            raise
        except Exception as exc:  # the user's build() failed: report it at their line
            where = user_frame(exc)
            linker.problem(
                f"{provider.__name__}.build() failed{f' at {where}' if where else ''}: "
                f"{type(exc).__name__}: {exc}"
            )
            return
        self.links.roots[template] = root
        built[provider] = template
        key = provider.file_key()
        self.add_file(linker, key, template)
        if provider.type_name:
            self.links.registry.setdefault(root, {})[provider.type_name] = key
        self.linker(template).link()


class Linker(Resolver):
    """Walks one stack's values to record its links."""

    def __init__(self, stack: Stack, linking: _Linking) -> None:
        super().__init__(stack, linking.hidden)
        self.linking = linking
        self.own = linking.links.stacks.setdefault(stack, StackLinks())
        self._linked = False
        self._muted = False
        self._imported: set[str] = set()

    @property
    def current(self) -> Construct:
        return self._current

    def link(self) -> None:
        """Walk the stack's own members (once)."""
        if self._linked:
            return
        self._linked = True
        self.linking.links.written[self.stack] = self.sections()

    def problem(self, message: str) -> None:
        node = self._current.node
        self.own.problems.append(Problem(message, node.location, node.path))

    # A value carried across is written, and its problems reported, by the render pass.
    def report(self, message: str) -> None:
        if not self._muted:
            super().report(message)

    def require(self, version: str, feature: str) -> None:
        if not self._muted:
            super().require(version, feature)

    def tolerate_undeclared_parameter(self, name: str) -> None:
        if not self._muted:
            super().tolerate_undeclared_parameter(name)

    def _walk(self, current: Construct, reference: Reference[Any]) -> None:
        """Walk a value carried across for the links it needs in turn, reporting nothing."""
        muted = self._muted
        self._muted = True
        try:
            self.resolve_as(current, reference)
        finally:
            self._muted = muted

    def nested_stack(self, child: ChildStack) -> None:
        self.linking.add_file(self, child.file_name, child)
        self.linking.linker(child).link()

    def add_file(self, key: str, content: str) -> None:
        self.linking.add_file(self, key, content)

    def use_provider(self, provider: type[Any]) -> None:
        self.linking.use_provider(self, provider)

    def take_output(
        self, name: str, parameter: Parameter[Any], source: Construct, output: str
    ) -> None:
        stack = self.stack
        if not isinstance(source, Stack) or isinstance(source, (ChildStack, ProviderTemplateStack)):
            self.report(f"take_output needs a top-level stack, not {source.node.path}")
        elif isinstance(stack, (ChildStack, ProviderTemplateStack)):
            self.report(
                "take_output works for parameters of top-level stacks; pass a nested stack's "
                "values in as its parameters"
            )
        elif source is stack or app_of(source) is not app_of(stack):
            self.report(f"take_output needs another stack of the same App, not {source.node.path}")
        else:
            self.own.imports.append(StackImport(name, source, output, parameter.type))
            self.linking.links.taken.append(TakenOutput(stack, parameter, source, output))

    def carry_out(self, child: ChildStack, export: str, reference: Reference[Any]) -> None:
        self.linking.linker(child).export(export, reference)

    def export(self, name: str, reference: Reference[Any]) -> None:
        """Output `reference` as `name`, and link what its value needs in turn."""
        if name in self.own.exports:
            return
        self.own.exports[name] = reference  # recorded before the walk: a chain back here ends
        self._walk(self.stack, reference)

    def carry_in(
        self, parameter: str, reference: Reference[Any], source: Stack, key: str, hot_type: str
    ) -> None:
        own = self.writing.parameters if self.writing is not None else {}
        if parameter in own or parameter in self._imported:
            return
        self._imported.add(parameter)
        self.own.parameters.append(ImportParameter(parameter, key, source, hot_type, self.position))
        stack = self.stack
        if isinstance(stack, ChildStack):
            self.linking.linker(stack.parent).pass_in(stack, parameter, reference)
        else:
            top = self.linking.links.root(source)
            export = f"export.{source.node.path}.{key}"
            self.linking.linker(top).export(export, reference)
            self.own.imports.append(StackImport(parameter, top, export, hot_type))

    def pass_in(self, child: ChildStack, parameter: str, reference: Reference[Any]) -> None:
        """Pass the value of `reference` for `child`'s added `parameter` (linking what it needs)."""
        self._walk(child, reference)
        self.linking.linker(child).own.passed_in[parameter] = reference
