"""Nesting: which construct each nested template of an import plan becomes.

Heat nests a template in two ways, and hotdsl has a construct for each
(`hotdsl.nested`): a template resource (`type: child.yaml`) is a `NestedStack`, an
`OS::Heat::Stack` whose `template` is `get_file: child.yaml` is a `RemoteStack`. Such a
construct is one resource of its parent and nothing more: its properties are the child's
parameters (a remote stack's `parameters`, with its `context` and `timeout`), and it
has no resource options (`depends_on`, `condition`, policies, `metadata`, ...), nor can
another resource depend on it. A template used otherwise (by several resources, in a
group's resource definition, under a registry type name, or with options) stays a
`TemplateResource` class, which writes any of that.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

import attrs

from hotdsl.importer.collect import ImportPlan, ProviderPlan
from hotdsl.importer.disk import real
from hotdsl.importer.model import FileRef, Map, ProviderTypeRef, ResourceModel, TemplateModel, walk

NestingForm = Literal["nested", "remote", "provider"]

REMOTE_PROPERTIES = ("context", "template", "parameters", "timeout")
"""`OS::Heat::Stack`'s properties that `RemoteStack` writes."""
REMOTE_CONTEXT_KEYS = ("region_name", "credential_secret_id", "ca_cert", "insecure")
"""The keys of `OS::Heat::Stack`'s `context` that `RemoteContext` writes."""


@attrs.frozen
class Child:
    """A resource of a template that is written as a `NestedStack` or `RemoteStack`."""

    provider: ProviderPlan
    form: Literal["nested", "remote"]

    @property
    def outputs(self) -> set[str]:
        return {output.name for output in self.provider.model.outputs}


@attrs.define
class Nesting:
    forms: dict[int, NestingForm] = attrs.field(factory=dict)
    """id(ProviderPlan) -> its form."""
    children: dict[tuple[str, str], Child] = attrs.field(factory=dict)
    """(template file, resource name) -> the child construct the resource is written as."""

    def form_of(self, provider: ProviderPlan) -> NestingForm:
        return self.forms.get(id(provider), "provider")

    def child(self, model: TemplateModel, resource: str) -> Child | None:
        return self.children.get((model.file, resource))


Use = tuple[Literal["type", "stack", "definition"], TemplateModel, ResourceModel]


def nesting(plan: ImportPlan) -> Nesting:
    """The form of each nested template of `plan`.

    A template stays a `TemplateResource` when a template that uses it does (a class of
    that kind cannot hold a child stack), and when it is part of a cycle of templates
    that nest each other (a child stack's class builds its children when it is made, so
    the cycle would never end; Heat rejects such templates anyway).
    """
    uses: dict[int, list[Use]] = {}
    for model in plan.templates():
        for resource, kind, provider in _nested_uses(plan, model):
            uses.setdefault(id(provider), []).append((kind, model, resource))
    forms = {id(p): _form(p, uses.get(id(p), [])) for p in plan.providers}
    while True:
        # the templates written as a Stack, NestedStack or RemoteStack class
        holders = {id(plan.main)} | {
            id(p.model) for p in plan.providers if forms[id(p)] != "provider"
        }
        cyclic = _in_cycles(plan, forms)
        demoted = [
            p
            for p in plan.providers
            if forms[id(p)] != "provider"
            and (id(p) in cyclic or any(id(m) not in holders for _, m, _ in uses[id(p)]))
        ]
        if not demoted:
            break
        for provider in demoted:
            forms[id(provider)] = "provider"
    result = Nesting(forms)
    for provider in plan.providers:
        form = forms[id(provider)]
        if form != "provider":
            for _, model, resource in uses[id(provider)]:
                result.children[(model.file, resource.name)] = Child(provider, form)
    return result


def _in_cycles(plan: ImportPlan, forms: dict[int, NestingForm]) -> set[int]:
    """The child-stack templates (by id of their plan) on a cycle of templates nesting
    each other, files compared by their real paths."""
    edges: dict[Path, set[Path]] = {}
    of_path: dict[Path, list[ProviderPlan]] = {}
    for provider in plan.providers:
        of_path.setdefault(real(provider.model.document.path), []).append(provider)
    for model in plan.templates():
        source = real(model.document.path)
        for _, _, provider in _nested_uses(plan, model):
            if forms[id(provider)] != "provider":
                edges.setdefault(source, set()).add(real(provider.model.document.path))
    on_cycle: set[Path] = set()
    for start in edges:
        pending, seen = list(edges[start]), set()
        while pending:
            node = pending.pop()
            if node == start:
                on_cycle.add(start)
                break
            if node not in seen:
                seen.add(node)
                pending.extend(edges.get(node, ()))
    return {id(p) for path in on_cycle for p in of_path.get(path, [])}


def _nested_uses(
    plan: ImportPlan, model: TemplateModel
) -> list[tuple[ResourceModel, Literal["type", "stack", "definition"], ProviderPlan]]:
    found: list[tuple[ResourceModel, Literal["type", "stack", "definition"], ProviderPlan]] = []
    for resource in model.resources:
        provider = plan.provider_for(model, resource.type)
        if provider is not None:
            found.append((resource, "type", provider))
        template = (
            resource.properties.get("template") if isinstance(resource.properties, Map) else None
        )
        if resource.type == "OS::Heat::Stack" and isinstance(template, FileRef):
            nested = plan.stack_template_for(model, template.path)
            if nested is not None:
                found.append((resource, "stack", nested))
        for value in (resource.properties, resource.metadata, resource.update_policy):
            for node in walk(value) if value is not None else ():
                if isinstance(node, ProviderTypeRef):
                    named = plan.provider_for(model, node.type_name)
                    if named is not None:
                        found.append((resource, "definition", named))
    return found


def _form(provider: ProviderPlan, uses: list[Use]) -> NestingForm:
    """The form the uses of a template allow: a nested stack for one template resource, a
    remote stack for `OS::Heat::Stack` resources (one or more: each is a stack of its own)."""
    if not uses or provider.type_name is not None or not _plain_key(provider):
        return "provider"
    kinds = {kind for kind, _, _ in uses}
    if kinds == {"type"} and len(uses) == 1:
        ((_, model, resource),) = uses
        return "nested" if _fits(provider, model, resource, "type") else "provider"
    if kinds == {"stack"} and all(_fits(provider, m, r, "stack") for _, m, r in uses):
        return "remote"
    return "provider"


def _fits(provider: ProviderPlan, model: TemplateModel, resource: ResourceModel, kind: str) -> bool:
    """Whether one resource can be written as the child stack of `provider`."""
    if _has_options(resource) or _depended_on(model, resource.name):
        return False
    declared = {p.name for p in provider.model.parameters}
    properties = resource.properties
    if kind == "type":
        return properties is None or _names_in(properties, declared)
    assert isinstance(properties, Map)
    template = properties.get("template")
    if not isinstance(template, FileRef) or template.path != provider.template_file:
        return False
    if not set(properties.keys()) <= set(REMOTE_PROPERTIES):
        return False
    passed = properties.get("parameters")
    if passed is not None and not _names_in(passed, declared):
        return False
    context = properties.get("context")
    if context is not None and not _names_in(context, set(REMOTE_CONTEXT_KEYS)):
        return False
    return True


def _plain_key(provider: ProviderPlan) -> bool:
    """A files-map key a child stack can be written under: relative, inside the out dir."""
    path = PurePosixPath(provider.template_file)
    return not path.is_absolute() and ".." not in path.parts and "\\" not in str(path)


def _has_options(resource: ResourceModel) -> bool:
    return any(
        value is not None and value != ()
        for value in (
            resource.metadata,
            resource.depends_on,
            resource.deletion_policy,
            resource.update_policy,
            resource.description,
            resource.condition,
            resource.external_id,
        )
    )


def _depended_on(model: TemplateModel, name: str) -> bool:
    return any(name in other.depends_on for other in model.resources)


def _names_in(value: object, names: set[str]) -> bool:
    """Whether `value` is a mapping whose keys are all among `names`."""
    return isinstance(value, Map) and all(isinstance(k, str) and k in names for k in value.keys())
