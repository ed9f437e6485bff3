"""Writing resources: a typed class where the properties fit it, a `Resource` where not.

A resource becomes its typed class from `hotdsl.stdlib` (`nova.Server(...)`) when each
property fits the class's annotation and Heat's schema accepts the values; a provider
template's class, or a `NestedStack` / `RemoteStack`, when it is one; else a generic
`Resource`, with a comment and a finding saying why.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from hotdsl.importer import typed
from hotdsl.importer.model import Expr, FindingLevel, Lit, Map, ResourceModel, Seq
from hotdsl.importer.nesting import Child
from hotdsl.importer.pysource import Atom, Code, call, dict_display, display, string
from hotdsl.importer.write.context import CONDITION_LIKE, VALUE_STR, want
from hotdsl.importer.write.values import ResourceVar
from hotdsl.nested import RemoteContext, RemoteStack

if TYPE_CHECKING:
    from hotdsl.importer.write.template import TemplateWriter

REMOTE_CONTEXT_TYPES = typing.get_type_hints(RemoteContext)


class ResourceWriter:
    """The resources of one template, written into its `TemplateWriter`."""

    def __init__(self, template: TemplateWriter) -> None:
        self.template = template
        self.values = template.values
        self.context = template.context
        self.model = template.model

    def resource(self, resource: ResourceModel, late: Sequence[str]) -> None:
        self.values.current_line = resource.line
        construct_id, pinned = self.template.ids.resource_id(resource.name)
        child = self.context.nesting.child(self.model, resource.name)
        if child is not None:
            head, kwargs, cls = (
                child.provider.class_name,
                self.child_arguments(resource, child),
                None,
            )
            common: dict[str, Code] = {}
        else:
            common = self.resource_keys(resource)
            head, kwargs, cls, notes = self.resource_call(resource)
            for text in notes:
                self.template.note(text)
        code = call(head, Atom(self.template.scope), string(construct_id), **kwargs, **common)
        needs_var = (
            resource.name in self.template.referenced.resources
            or pinned
            or bool(late)
            or resource.name in self.template.late_dependents
        )
        target = self.template.locals.claim(resource.name, "resource") if needs_var else None
        self.template.emit(target, code)
        if pinned and target is not None:
            self.template.pin(target, resource.name)
        self.values.bound.resources[resource.name] = ResourceVar(target, cls, resource.type, child)
        for other_name in late:
            other = self.values.bound.resources.get(other_name)
            if other is not None and other.code is not None and target is not None:
                if any(r.name == other_name and r.depends_on_single for r in self.model.resources):
                    self.template.emit(f"{other.code}.depends_on", Atom(target))
                else:
                    self.template.emit(None, call(f"{other.code}.add_dependency", Atom(target)))

    def child_arguments(self, resource: ResourceModel, child: Child) -> dict[str, Code]:
        """The keyword arguments of a `NestedStack` or `RemoteStack` made from `resource`."""
        properties = resource.properties
        if properties is None:
            return {}
        assert isinstance(properties, Map)
        if child.form == "nested":
            return {"parameters": self.passed(properties)} if properties.entries else {}
        kwargs: dict[str, Code] = {}
        parameters = properties.get("parameters")
        if parameters is not None:
            assert isinstance(parameters, Map)
            kwargs["parameters"] = self.passed(parameters)
        context = properties.get("context")
        if context is not None:
            assert isinstance(context, Map)
            settings = {
                str(key): self.typed_or_cast(value, REMOTE_CONTEXT_TYPES[str(key)])
                for key, value in context.entries
            }
            kwargs["context"] = call(self.values.use("RemoteContext"), **settings)
        timeout = properties.get("timeout")
        if timeout is not None:
            kwargs["timeout_mins"] = self.typed_or_cast(
                timeout, want(RemoteStack.__init__, "timeout_mins")
            )
        return kwargs

    def passed(self, values: Map) -> Code:
        """Values for a child stack's parameters, by parameter name."""
        pairs = []
        for key, value in values.entries:
            rendered = self.values.value(value, object)
            assert rendered is not None
            pairs.append((string(str(key)), rendered[0]))
        return dict_display(pairs)

    def resource_keys(self, resource: ResourceModel) -> dict[str, Code]:
        """The keyword arguments every resource class takes (HOT's resource-level keys)."""
        kwargs: dict[str, Code] = {}
        written = [
            self.values.bound.resources[d].code
            for d in resource.depends_on
            if d in self.values.bound.resources
        ]
        if written and resource.depends_on_single and written[0] is not None:
            kwargs["depends_on"] = Atom(written[0])
        elif written:
            kwargs["depends_on"] = display([Atom(c) for c in written if c is not None])
        if resource.condition is not None:
            rendered = self.values.value(resource.condition, CONDITION_LIKE)
            assert rendered is not None
            kwargs["condition"] = rendered[0]
        policy = resource.deletion_policy
        if isinstance(policy, Lit) and isinstance(policy.value, str):
            kwargs["deletion_policy"] = string(policy.value)
        elif policy is not None:
            kwargs["deletion_policy"] = self.typed_or_cast(policy, VALUE_STR)
        if resource.update_policy is not None:
            kwargs["update_policy"] = self.typed_or_cast(
                resource.update_policy, Mapping[str, object]
            )
        if resource.external_id is not None:
            kwargs["external_id"] = self.typed_or_cast(resource.external_id, VALUE_STR)
        if resource.metadata is not None:
            kwargs["resource_metadata"] = self.typed_or_cast(
                resource.metadata, Mapping[str, object]
            )
        if resource.description is not None:
            kwargs["resource_description"] = string(resource.description)
        return kwargs

    def typed_or_cast(self, expr: Expr, want: object) -> Code:
        """Code for `expr` where `want` is expected, cast for mypy when Python's type does
        not say what Heat takes (a function call that Heat resolves to a mapping)."""
        rendered = self.values.value(expr, want)
        if rendered is not None:
            return rendered[0]
        rendered = self.values.value(expr, object)
        assert rendered is not None
        self.context.imports.typing.update({"Any", "cast"})
        return call("cast", Atom("Any"), rendered[0])

    def resource_call(
        self, resource: ResourceModel
    ) -> tuple[str, dict[str, Code], type | None, list[str]]:
        provider = self.context.plan.provider_for(self.model, resource.type)
        properties = resource.properties
        if provider is not None:
            kwargs = (
                {"properties": self.properties_dict(properties)} if properties is not None else {}
            )
            return provider.class_name, kwargs, None, []
        entry = typed.typed_classes().get(resource.type)
        notes: list[str] = []
        if entry is not None:
            attempt = self.typed_arguments(resource, entry.cls)
            if isinstance(attempt, dict):
                self.context.imports.stdlib.add(entry.module)
                return f"{entry.module}.{entry.name}", attempt, entry.cls, []
            level, reason = attempt
            self.values.finding(
                level,
                f"resource {resource.name!r} is written as a generic Resource: {reason}",
                resource.line,
            )
            notes.append(f"Not {entry.module}.{entry.name}: {reason}.")
        elif resource.type.startswith(("OS::", "AWS::")):
            self.values.finding(
                "note",
                f"resource {resource.name!r} has the type {resource.type!r}, which Heat's "
                "resource schema that hotdsl knows does not have (an older type, or one from a "
                "plugin or an environment)",
                resource.line,
            )
        self.context.imports.hotdsl.add("Resource")
        kwargs = {"type": string(resource.type)}
        if properties is not None:
            kwargs["properties"] = self.properties_dict(properties)
        return "Resource", kwargs, None, notes

    def properties_dict(self, properties: Expr | None) -> Code:
        assert properties is not None
        return self.typed_or_cast(properties, Mapping[str, object])

    def typed_arguments(
        self, resource: ResourceModel, cls: type
    ) -> dict[str, Code] | tuple[FindingLevel, str]:
        """The typed class's keyword arguments, or (finding level, why the class does not fit)."""
        if resource.type == "OS::Heat::None" and resource.properties is not None:
            return "note", "OS::Heat::None takes any properties, which only Resource can write"
        if resource.properties is not None and not isinstance(resource.properties, Map):
            return "note", "its properties are one function call, which only Resource can write"
        fields = typed.fields_by_heat_name(cls)
        kwargs: dict[str, Code] = {}
        checked: dict[str, object] = {}
        given: set[str] = set()
        given_properties = resource.properties if isinstance(resource.properties, Map) else Map(())
        for name, expr in given_properties.entries:
            assert isinstance(name, str)
            info = fields.get(name)
            if info is None:
                return "invalid", f"{resource.type} has no property {name!r}"
            if info.hidden:
                return "note", f"the property {name!r} is retired in Heat (it still reads it)"
            if isinstance(expr, Lit) and expr.value is None:
                return "note", f"the property {name!r} is null, which a typed class leaves out"
            rendered = self.values.value(expr, info.annotation)
            if rendered is None:
                return (
                    "note",
                    f"the value of {name!r} does not have the Python type the class declares",
                )
            kwargs[info.python_name] = rendered[0]
            checked[info.python_name] = runtime_value(expr)
            given.add(name)
        external = resource.external_id is not None
        for name, info in fields.items():
            if info.required and not info.hidden and name not in given:
                if external:
                    return "note", (
                        f"it leaves out {name!r}, which the typed class requires; Heat does not "
                        "check the properties of an external resource"
                    )
                return (
                    "invalid",
                    f"it leaves out {name!r}, which {resource.type} requires (Heat rejects it)",
                )
        problems = typed.property_problems(cls, checked)
        if problems:
            cleaned = problems[0].split(": ", 1)[-1] if ": " in problems[0] else problems[0]
            if external:
                return (
                    "note",
                    f"hotdsl's check of its properties fails ({cleaned}), which Heat skips here",
                )
            return "invalid", f"Heat's schema rejects it ({cleaned})"
        return kwargs


def runtime_value(expr: Expr) -> object:
    """What a property check sees: plain data, and `Computed` for what Heat computes."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Seq):
        return [runtime_value(i) for i in expr.items]
    if isinstance(expr, Map):
        return {k: runtime_value(v) for k, v in expr.entries}
    return typed.Computed()
