"""Templates inside templates: nested stacks, remote stacks and provider templates.

- `NestedStack` is a stack inside its parent's: Heat runs it as a template resource
  (`type: <file>.yaml`, the template in the files map), inside the parent's own
  create, update, rollback, preview and events. References between it and its parent
  (either way) are wired automatically: the nested stack gets a parameter (which the
  parent passes as a property) or an output (which the parent reads as an attribute).
- `RemoteStack` is the same typed construct deployed as `OS::Heat::Stack`: a separate
  top-level stack that Heat creates through its own API, optionally in another region
  or cloud (`context`), with a lifecycle of its own (Heat never rolls it back).
- `ProviderResource` is a resource type you define in Python. Subclass it as an attrs
  class: its fields are the template's parameters (and the resource's properties,
  typed), `build()` fills the template, `output_attribute` exposes outputs as typed
  attributes. hotdsl writes the template file, puts it in the files map and registers
  the type in the stack's environment (`My::Web::Tier: my-web-tier.yaml`).

```python
@attrs.define(kw_only=True, eq=False)
class WebTier(ProviderResource):
    type_name: ClassVar[str] = "My::Web::Tier"
    image: Value[str]
    flavor: Value[str] = "m1.small"
    address = output_attribute[str]()

    def build(self, template: Stack) -> None:
        server = Server(template, "server", image=self.image, flavor=self.flavor)
        Output(template, "address", value=server.attrs.first_address)
```
"""

from __future__ import annotations

import abc
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, overload

import attrs

from hotdsl.construct import App, Construct, Stack
from hotdsl.errors import ConstructError
from hotdsl.intrinsics import GetAttr, Intrinsic, ResolveContext, Value
from hotdsl.template import Output, Parameter, ParameterConstraint, ResourceBase
from hotdsl.versions import LATEST_VERSION, ParameterType

T = TypeVar("T")

PARAMETER_METADATA = "hotdsl.parameter"
"""attrs field metadata key: options for the parameter a `ProviderResource` field becomes."""


def parameter_options(
    *,
    type: ParameterType | None = None,
    description: str | None = None,
    label: str | None = None,
    constraints: Sequence[ParameterConstraint] = (),
    hidden: bool = False,
) -> dict[str, object]:
    """Field metadata for a `ProviderResource` parameter: `attrs.field(metadata=parameter_options(...))`."""
    return {
        PARAMETER_METADATA: {
            "type": type,
            "description": description,
            "label": label,
            "constraints": list(constraints),
            "hidden": hidden,
        }
    }


TEMPLATE_RESOURCE_SUFFIXES = (".yaml", ".template")
"""The only file names Heat takes as a template resource's type (`.yml` is not one of them)."""


class ChildStack(Stack):
    """A stack whose template is one resource of its parent's: what `NestedStack` and
    `RemoteStack` share.

    `template_file` is the template's key in the files map (and its file name in the out
    dir), by default the construct path (`app-db.yaml`). `parameters` gives values for
    parameters the child declares itself, by name; more can be set later with
    `set_parameter`. Parameters and outputs that references across the boundary need
    are added by synth, not here.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        description: str | None = None,
        template_version: str | None = None,
        template_file: str | None = None,
        parameters: Mapping[str, object] | None = None,
    ) -> None:
        parent = scope.node.stack
        super().__init__(
            scope,
            id,
            description=description,
            template_version=template_version or parent.template_version,
        )
        self.parent = parent
        """The stack whose template holds this one as a resource."""
        self.file_name = template_file or _slug(self.node.path) + ".yaml"
        self.parameter_values: dict[str, object] = dict(parameters or {})
        """Values the parent passes for the child's own parameters, by parameter name."""

    def set_parameter(self, parameter: Parameter[Any] | str, value: object) -> None:
        """Pass `value` (a literal, or any value of the parent's) for one of the child's parameters."""
        name = parameter if isinstance(parameter, str) else parameter.node.logical_name
        self.parameter_values[name] = value

    @abc.abstractmethod
    def get_output(self, output: Output | str) -> GetAttr[Any]:
        """An output of the child stack, for use in its parent."""

    @abc.abstractmethod
    def resource_properties(self, parameters: Mapping[str, object]) -> dict[str, object]:
        """The resource's properties in the parent, given the values passed for parameters."""

    @property
    @abc.abstractmethod
    def heat_type(self) -> str:
        """The resource's type in the parent's template."""


class NestedStack(ChildStack):
    """A stack inside a stack: Heat runs it as a template resource of its parent.

    Its template is sent in the files map under `template_file` (which must end in
    `.yaml` or `.template`, as Heat requires); its parameters are the resource's
    properties and its outputs the resource's attributes. It is created, updated,
    previewed and rolled back with its parent, in one operation.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        description: str | None = None,
        template_version: str | None = None,
        template_file: str | None = None,
        parameters: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            description=description,
            template_version=template_version,
            template_file=template_file,
            parameters=parameters,
        )
        if not self.file_name.endswith(TEMPLATE_RESOURCE_SUFFIXES):
            raise ConstructError(
                f"{self.node.location}: template_file {self.file_name!r} must end in .yaml or "
                ".template: Heat takes no other file name as a nested stack's type"
            )

    @property
    def heat_type(self) -> str:
        return self.file_name

    def get_output(self, output: Output | str) -> GetAttr[Any]:
        """An output of the nested stack by name: `get_attr: [this, name]` in the parent."""
        return GetAttr(self, _output_name(output))

    def resource_properties(self, parameters: Mapping[str, object]) -> dict[str, object]:
        return dict(parameters)


@attrs.frozen
class RemoteContext:
    """Where Heat creates a `RemoteStack`: `OS::Heat::Stack`'s `context` property.

    `region_name` picks another region of the same cloud; `credential_secret_id` (a
    Barbican secret holding the credentials) another cloud, reached with `ca_cert`
    (the certificate's text) or `insecure` to skip TLS verification.
    """

    region_name: Value[str] | None = None
    credential_secret_id: Value[str] | None = None
    ca_cert: Value[str] | None = None
    insecure: Value[bool] | None = None

    def __hot__(self) -> dict[str, object]:
        return {
            key: value
            for key, value in (
                ("region_name", self.region_name),
                ("credential_secret_id", self.credential_secret_id),
                ("ca_cert", self.ca_cert),
                ("insecure", self.insecure),
            )
            if value is not None
        }


class RemoteStack(ChildStack):
    """A child stack deployed as `OS::Heat::Stack`: a separate top-level stack.

    Heat creates it through its own API (in `context`'s region or cloud when given),
    always with rollback disabled, and polls it: the parent's rollback, preview and
    events do not reach inside. Pick it for another region or an independent
    lifecycle; otherwise `NestedStack` is the atomic choice. References are wired as
    for `NestedStack`: values go in `parameters`, outputs come back through `outputs`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        description: str | None = None,
        template_version: str | None = None,
        template_file: str | None = None,
        parameters: Mapping[str, object] | None = None,
        context: RemoteContext | None = None,
        timeout_mins: Value[int] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            description=description,
            template_version=template_version,
            template_file=template_file,
            parameters=parameters,
        )
        self.context = context
        self.timeout_mins = timeout_mins

    @property
    def heat_type(self) -> str:
        return "OS::Heat::Stack"

    def get_output(self, output: Output | str) -> GetAttr[Any]:
        """An output of the remote stack by name: `get_attr: [this, outputs, name]` in the parent."""
        return GetAttr(self, "outputs", (_output_name(output),))

    @property
    def remote_stack_name(self) -> GetAttr[str]:
        """The name Heat gave the remote stack (`get_attr: [this, stack_name]`)."""
        return GetAttr(self, "stack_name")

    def resource_properties(self, parameters: Mapping[str, object]) -> dict[str, object]:
        properties: dict[str, object] = {}
        if self.context is not None:
            properties["context"] = self.context
        properties["template"] = {"get_file": self.file_name}
        if parameters:
            properties["parameters"] = dict(parameters)
        if self.timeout_mins is not None:
            properties["timeout"] = self.timeout_mins
        return properties


def _output_name(output: Output | str) -> str:
    return output if isinstance(output, str) else output.node.logical_name


class output_attribute(Generic[T]):
    """A typed attribute of a `ProviderResource`: one output of its template."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or ""

    def __set_name__(self, owner: type, name: str) -> None:
        if not self.name:
            self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> output_attribute[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> GetAttr[T]: ...

    def __get__(self, instance: object | None, owner: type) -> output_attribute[T] | GetAttr[T]:
        if instance is None:
            return self
        assert isinstance(instance, Construct)
        return GetAttr(instance, self.name)


@attrs.define(eq=False, slots=False, repr=False)
class ProviderResource(ResourceBase):
    """A resource type of your own, its template built in Python by `build()`.

    Class settings: `type_name` (registered in the stack's resource_registry; without
    it resources use the template file name as their type), `template_file` (the file
    key, by default the class name in kebab case), `template_version`.
    """

    type_name: ClassVar[str | None] = None
    template_file: ClassVar[str | None] = None
    template_version: ClassVar[str] = LATEST_VERSION

    def build(self, template: Stack) -> None:
        """Fill the template. Here `self.<field>` are the template's parameters."""
        raise NotImplementedError(f"{type(self).__name__} must define build(self, template)")

    @classmethod
    def file_key(cls) -> str:
        """The template's key in the files map and its file name in the out dir."""
        return cls.template_file or _slug(_kebab(cls.__name__)) + ".yaml"

    @property
    def heat_type(self) -> str:
        return type(self).type_name or type(self).file_key()

    @classmethod
    def parameter_fields(cls) -> list[attrs.Attribute[Any]]:
        """The fields that are the template's parameters (those a subclass declares)."""
        own = {f.name for f in attrs.fields(ProviderResource)}
        return [f for f in attrs.fields(cls) if f.name not in own]

    def heat_properties(self) -> Mapping[str, object]:
        """The properties set to something other than the template's default (as one writes HOT)."""
        out = {}
        for field in self.parameter_fields():
            value = getattr(self, field.name)
            if value is None or _is_default(field, value):
                continue
            out[field.name] = value
        return out

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.use_provider(type(self))
        return super().resolve(ctx)

    @classmethod
    def definition(cls, **properties: object) -> ProviderDefinition:
        """`{type, properties}` for a ResourceGroup's `resource_def` or a scaling group's `resource`."""
        return ProviderDefinition(cls, dict(properties))

    @classmethod
    def build_template(cls) -> ProviderTemplateStack:
        """A standalone stack holding the template: one parameter per field, then `build()`."""
        holder = App()
        template = ProviderTemplateStack(
            holder,
            _slug(cls.__name__) or "provider",
            provider=cls,
            description=(cls.__doc__ or "").strip().split("\n\n")[0] or None,
            template_version=cls.template_version,
        )
        hints = _field_annotations(cls)
        instance = cls.__new__(cls)
        for field in cls.parameter_fields():
            options: dict[str, Any] = dict(field.metadata.get(PARAMETER_METADATA, {}))
            hot_type = options.pop("type", None) or parameter_type_of(hints.get(field.name, str))
            default: object = None if field.default is attrs.NOTHING else field.default
            factory = getattr(default, "factory", None)
            if isinstance(default, type(attrs.Factory(list))) and callable(factory):
                default = factory()
            parameter: Parameter[Any] = Parameter(
                template,
                field.name,
                type=hot_type,  # type: ignore[arg-type]
                default=None if isinstance(default, Intrinsic) else default,
                **{k: v for k, v in options.items() if v},
            )
            object.__setattr__(instance, field.name, parameter)
        instance.build(template)
        return template


class ProviderTemplateStack(Stack):
    """The stack a provider template is built in (not one of the app's stacks)."""

    def __init__(
        self,
        scope: App,
        id: str,
        *,
        provider: type[ProviderResource],
        description: str | None,
        template_version: str,
    ) -> None:
        super().__init__(scope, id, description=description, template_version=template_version)
        self.provider = provider


@attrs.frozen
class ProviderDefinition(Intrinsic[Mapping[str, Any]]):
    """A provider type with properties, as a group's `resource_def` or `resource` wants it."""

    provider: type[ProviderResource]
    properties: dict[str, object]

    def resolve(self, ctx: ResolveContext) -> object:
        return ctx.value({"type": _ProviderTypeName(self.provider), "properties": self.properties})


@attrs.frozen
class _ProviderTypeName(Intrinsic[str]):
    """The provider's type name; resolving it registers the template with the stack."""

    provider: type[ProviderResource]

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.use_provider(self.provider)
        return self.provider.type_name or self.provider.file_key()


def _field_annotations(cls: type[ProviderResource]) -> dict[str, object]:
    """The annotations a provider subclass declares, evaluated where they were written."""
    hints: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if (
            not (isinstance(klass, type) and issubclass(klass, ProviderResource))
            or klass is ProviderResource
        ):
            continue
        namespace = _namespace_of(klass)
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            try:
                hints[name] = (
                    eval(annotation, namespace) if isinstance(annotation, str) else annotation
                )
            except Exception:
                hints[name] = str
    return hints


def _is_default(field: attrs.Attribute[Any], value: object) -> bool:
    default = field.default
    if default is attrs.NOTHING:
        return False
    factory = getattr(default, "factory", None)
    if isinstance(default, type(attrs.Factory(list))) and callable(factory):
        default = factory()
    return type(value) is type(default) and bool(value == default)


def _namespace_of(klass: type) -> dict[str, Any]:
    """The globals the class was written in (its module's, or those of a function it defines)."""
    module = sys.modules.get(klass.__module__)
    if module is not None:
        return vars(module)
    for value in vars(klass).values():
        found = getattr(value, "__globals__", None)
        if isinstance(found, dict):
            return found
    return {}


def parameter_type_of(annotation: object) -> ParameterType:
    """The HOT parameter type for a Python annotation such as `Value[str]` or `list[str]`."""
    candidates = [
        a for a in _union_members(annotation) if not _is_intrinsic(a) and a is not type(None)
    ]
    for candidate in candidates:
        origin = typing.get_origin(candidate) or candidate
        if origin is bool:
            return "boolean"
        if origin in (int, float):
            return "number"
        if origin is str:
            return "string"
        if isinstance(origin, type) and issubclass(origin, Mapping):
            return "json"
        if isinstance(origin, type) and issubclass(origin, Sequence):
            items = typing.get_args(candidate)
            return "comma_delimited_list" if items and str in _union_members(items[0]) else "json"
    return "string"


def _union_members(annotation: object) -> list[object]:
    if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType):
        out: list[object] = []
        for member in typing.get_args(annotation):
            out.extend(_union_members(member))
        return out
    return [annotation]


def _is_intrinsic(annotation: object) -> bool:
    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, Intrinsic)


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_.-]+", "-", text).strip("-")


# --- templates written in full: what `hotdsl import` writes, and a way to keep a template exact ---
#
# `ProviderResource` derives a template's parameters from typed fields, which is what a
# person writes for a new resource type. `TemplateResource` lets `build()` declare every
# parameter itself, defaults and all, and takes the resource's properties as a mapping,
# as `Resource` does; `provider_type` and `provider_template` name such a template where
# HOT names a template file by a string (a group's `resource_def: {type: member.yaml}`,
# `OS::Heat::Stack`'s `template: {get_file: nested.yaml}`), and send it along.


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
