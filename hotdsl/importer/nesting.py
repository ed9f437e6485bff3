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

from hotdsl.importer.collect import ImportPlan, ProviderPlan, walk
from hotdsl.importer.disk import real
from hotdsl.importer.model import FileRef, Map, ProviderTypeRef, ResourceModel, TemplateModel

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
    """The form of each nested template of `plan`, decided from the top template down: a
    template nested inside one written as a `TemplateResource` stays one too, and so does
    one that nests a template it is inside of (a child stack's class builds its children
    when it is made, so a cycle of them would never end; Heat rejects the template)."""
    uses: dict[int, list[Use]] = {}
    for model in plan.templates():
        for resource, kind, provider in _nested_uses(plan, model):
            uses.setdefault(id(provider), []).append((kind, model, resource))
    result = Nesting()
    parents: list[tuple[TemplateModel, frozenset[Path]]] = [
        (plan.main, frozenset({real(plan.main.document.path)}))
    ]
    while parents:
        model, ancestors = parents.pop(0)
        for resource, kind, provider in _nested_uses(plan, model):
            source = real(provider.model.document.path)
            form = _form(provider, uses.get(id(provider), []))
            if form == "provider" or id(provider) in result.forms or source in ancestors:
                continue
            assert kind != "definition"
            result.forms[id(provider)] = form
            result.children[(model.file, resource.name)] = Child(provider, form)
            parents.append((provider.model, ancestors | {source}))
    return result


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
    if len(uses) != 1 or provider.type_name is not None or not _plain_key(provider):
        return "provider"
    ((kind, model, resource),) = uses
    if kind == "definition" or _has_options(resource) or _depended_on(model, resource.name):
        return "provider"
    declared = {p.name for p in provider.model.parameters}
    properties = resource.properties
    if kind == "type":
        if properties is not None and not _names_in(properties, declared):
            return "provider"
        return "nested"
    assert isinstance(properties, Map)
    template = properties.get("template")
    if not isinstance(template, FileRef) or template.path != provider.template_file:
        return "provider"
    if not set(properties.keys()) <= set(REMOTE_PROPERTIES):
        return "provider"
    passed = properties.get("parameters")
    if passed is not None and not _names_in(passed, declared):
        return "provider"
    context = properties.get("context")
    if context is not None and not _names_in(context, set(REMOTE_CONTEXT_KEYS)):
        return "provider"
    return "remote"


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
