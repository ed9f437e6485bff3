"""Render: each stack's template as HOT data, a function of the model and its links.

The second pass of synth. A `Renderer` writes one stack: its own members (see
`resolve.py`; the link walk already wrote them, `Links.written`), the parameters and
outputs the link pass added to it, and the values its resource passes to each child
stack. It reads the model and the links and changes neither, and no renderer writes
into another's stack: each template depends only on its stack and its links, so the
stacks can be rendered in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from hotdsl.construct import Construct, Stack
from hotdsl.errors import Problem
from hotdsl.synth.link import ImportParameter, Links, StackImport
from hotdsl.synth.resolve import Resolver, Sections
from hotdsl.template import Parameter


@attrs.define
class RenderedStack:
    """A stack as HOT data, with what synth needs to check, order and write it."""

    stack: Stack
    template: dict[str, Any]
    resources: dict[str, Construct]
    """Resource logical name -> the construct that made it."""
    problems: list[Problem]
    files: dict[str, str | Stack] = attrs.field(factory=dict)
    """Top-level stacks only: files map key -> content, or a nested/provider template's stack."""
    registry: dict[str, str] = attrs.field(factory=dict)
    """Top-level stacks only: provider type name -> template key, for the stack's environment."""
    imports: list[StackImport] = attrs.field(factory=list)
    claimed: dict[str, Construct] = attrs.field(factory=dict)
    """`section:name` (`output:url`) -> the construct that made that template entry."""
    undeclared: dict[str, Problem] = attrs.field(factory=dict)
    """Parameters referenced with `undeclared_param` -> the warning about the first use."""


@attrs.frozen
class Rendered:
    """The templates of an app: its top-level stacks, then what they nest or use."""

    stacks: tuple[RenderedStack, ...]
    """The top-level stacks, in the order given."""
    nested: tuple[RenderedStack, ...]
    """Nested stacks and provider templates, in the order the link pass reached them."""

    def everything(self) -> list[RenderedStack]:
        return [*self.stacks, *self.nested]


def render(
    stacks: Sequence[Stack], links: Links, hidden: frozenset[Parameter[Any]] = frozenset()
) -> Rendered:
    """Every template of the linked stacks. `hidden`: parameters to write `hidden: true`
    (the same as given to `link`)."""
    return Rendered(
        tuple(render_stack(stack, links, hidden) for stack in stacks),
        tuple(render_stack(stack, links, hidden) for stack in links.nested()),
    )


def render_stack(
    stack: Stack, links: Links, hidden: frozenset[Parameter[Any]] = frozenset()
) -> RenderedStack:
    renderer = Renderer(stack, links, hidden)
    template, sections = renderer.template()
    own = links.of(stack)
    top_level = stack is links.root(stack)
    return RenderedStack(
        stack,
        template,
        sections.by_name,
        [*own.problems, *renderer.problems],
        files=links.files.get(stack, {}) if top_level else {},
        registry=links.registry.get(stack, {}) if top_level else {},
        imports=own.imports if top_level else [],
        claimed=sections.claimed,
        undeclared=renderer.undeclared,
    )


class Renderer(Resolver):
    """Writes one stack's template from its members and its links."""

    def __init__(
        self, stack: Stack, links: Links, hidden: frozenset[Parameter[Any]] = frozenset()
    ) -> None:
        super().__init__(stack, hidden)
        self.links = links

    def template(self) -> tuple[dict[str, Any], Sections]:
        """The stack's HOT data, sections in HOT's order."""
        stack = self.stack
        sections = self.links.written.get(stack)
        if sections is None:
            sections = self.sections()
        else:  # written by the link walk: take its findings, leave them as they are
            self.problems = list(sections.problems)
            self.undeclared = dict(sections.undeclared)
        own = self.links.of(stack)
        template: dict[str, Any] = {"heat_template_version": self.version}
        if stack.description is not None:
            template["description"] = stack.description
        if sections.groups:
            template["parameter_groups"] = sections.groups
        parameters = _with_added(sections, own.parameters)
        if parameters:
            template["parameters"] = parameters
        if sections.conditions:
            template["conditions"] = sections.conditions
        resources = dict(sections.resources)
        for child, passed in sections.passed.items():
            carried = {
                name: self.resolve_as(child, value)
                for name, value in self.links.of(child).passed_in.items()
            }
            body: dict[str, object] = {"type": child.heat_type}
            properties = self.resolve_as(child, child.resource_properties({**passed, **carried}))
            if properties:
                body["properties"] = properties
            resources[child.node.logical_name] = body
        template["resources"] = resources
        exports = {
            name: {"value": self.resolve_as(stack, value)} for name, value in own.exports.items()
        }
        if sections.outputs or exports:
            template["outputs"] = {**sections.outputs, **exports}
        return template, sections


def _with_added(sections: Sections, added: list[ImportParameter]) -> dict[str, object]:
    """The stack's own parameters with those linking added, each where linking found it
    needed: before the parameter of the member being written then."""
    if not added:
        return sections.parameters
    at: dict[int, list[ImportParameter]] = {}
    for parameter in added:
        at.setdefault(sections.marks[parameter.position], []).append(parameter)
    out: dict[str, object] = {}
    for index, (name, body) in enumerate([*sections.parameters.items(), ("", None)]):
        for parameter in at.get(index, ()):
            out[parameter.name] = parameter.definition()
        if index < len(sections.parameters):
            out[name] = body
    return out
