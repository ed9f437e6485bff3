"""The few constructs imported code uses beyond hotdsl's own: nested templates written exactly.

`hotdsl.ProviderResource` builds a template's parameters from typed fields, which is
what a person writes for a new resource type; but it writes a field's default into
every resource that leaves the field out, and takes the template's description from
the class docstring. An imported template must come back exactly as it was, so
`TemplateResource` declares its parameters in `build()` like any other stack, and takes
its properties as a mapping, as `hotdsl.Resource` does. `provider_type` and
`provider_template` name such a template where HOT names a template file by a string:
a group's `resource_def: {type: member.yaml}` and `OS::Heat::Stack`'s
`template: {get_file: nested.yaml}`; both also send the template to Heat with the stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hotdsl.intrinsics import Intrinsic, ResolveContext
from hotdsl.nested import ProviderResource


@attrs.define(eq=False, slots=False, repr=False)
class TemplateResource(ProviderResource):
    """A resource type whose template `build()` writes in full, parameters and all.

    Subclasses set `template_file` (the key in the files map, and the type name when
    `type_name` is not set), `template_version`, and write `build(self, template)`.
    """

    properties: Mapping[str, object] = attrs.field(factory=dict, kw_only=True)
    """The resource's properties: values for the template's parameters, by name."""

    @classmethod
    def parameter_fields(cls) -> list[attrs.Attribute[Any]]:
        """None: `build()` declares the parameters itself, defaults and all."""
        return []

    def heat_properties(self) -> Mapping[str, object]:
        return self.properties


@attrs.frozen
class _ProviderReference(Intrinsic[str]):
    provider: type[ProviderResource]
    as_file: bool

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.use_provider(self.provider)
        key = self.provider.file_key()
        if self.as_file:
            return {"get_file": key}
        return self.provider.type_name or key


def provider_type(provider: type[ProviderResource]) -> Intrinsic[str]:
    """The type name of a provider template, for a resource definition inside a property
    (`ResourceGroup`'s `resource_def`, `AutoScalingGroup`'s `resource`)."""
    return _ProviderReference(provider, as_file=False)


def provider_template(provider: type[ProviderResource]) -> Intrinsic[str]:
    """`get_file` of a provider class's template: for `OS::Heat::Stack`'s `template`."""
    return _ProviderReference(provider, as_file=True)
