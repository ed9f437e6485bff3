"""Generate: an import plan -> the text of a Python module that synthesizes the same templates.

The module reads like hand-written hotdsl: a `Stack` subclass for the template, one
`TemplateResource` subclass per nested template, parameters and resources as Python
variables, references as Python references, HOT functions as the DSL's functions,
typed `hotdsl.stdlib` classes for Heat's types. Every piece of code is made from the
code model of `pysource` (never by pasting template text), and each typed argument is
checked against its annotation (`typed.fits`) so that the module passes mypy --strict.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from hotdsl import intrinsics as fn
from hotdsl.construct import Construct
from hotdsl.importer import typed
from hotdsl.importer.collect import FilePlan, ImportPlan, ProviderPlan, walk
from hotdsl.importer.environment import EnvironmentModel, ResourceSettingsModel
from hotdsl.importer.model import (
    AttrRef,
    Call,
    ConditionModel,
    CondRef,
    ConstraintModel,
    Expr,
    FileRef,
    Finding,
    Lit,
    Map,
    OutputModel,
    ParameterModel,
    ParamRef,
    ProviderTypeRef,
    ResourceModel,
    ResourceRef,
    Seq,
    TemplateModel,
    UndeclaredParamRef,
    to_data,
)
from hotdsl.importer.names import Namespace, camel_case
from hotdsl.importer.nesting import Child, nesting
from hotdsl.importer.parse import TemplateError
from hotdsl.importer.pysource import (
    INDENT,
    LINE_LENGTH,
    Atom,
    Bracket,
    Code,
    call,
    comment,
    definition,
    dict_display,
    display,
    docstring,
    flat,
    scalar,
    statement,
    string,
)
from hotdsl.importer.typed import ANY, OTHER, Inner, Static, fits, intrinsic, literal
from hotdsl.nested import NestedStack, RemoteContext, RemoteStack
from hotdsl.template import ResourceBase
from hotdsl.versions import (
    CONDITION_FUNCTION_SINCE,
    FUNCTION_SINCE,
    FUNCTIONS,
    PSEUDO_PARAMETER_PYTHON_NAMES,
)

GENERATOR = "hotdsl import"

_PARAMETER_INNER: dict[str, Inner] = {
    "string": "str",
    "boolean": "bool",
    "comma_delimited_list": "list_str",
}
"""What a `get_param` of each parameter type gives, for the importer's static typing."""


@functools.cache
def _hints(function: Callable[..., object]) -> dict[str, object]:
    """The annotations of a DSL function: what its arguments must be, as mypy sees them."""
    return typing.get_type_hints(function, localns={"Construct": Construct})


def want(function: Callable[..., object], parameter: str) -> object:
    return _hints(function)[parameter]


CONDITION_LIKE = want(fn.if_, "condition")
PATH_KEY = want(fn.get_param, "path")
VALUE_STR = want(fn.str_replace, "template")

HOTDSL_NAMES = (
    "App",
    "Condition",
    "Construct",
    "Environment",
    "Output",
    "Parameter",
    "ParameterGroup",
    "Resource",
    "ResourceSettings",
    "Stack",
    "AllowedPattern",
    "AllowedValues",
    "CustomConstraint",
    "Length",
    "Modulo",
    "Range",
    "NestedStack",
    "RemoteContext",
    "RemoteStack",
    "Value",
    *PSEUDO_PARAMETER_PYTHON_NAMES.values(),
    *(function.python_name for function in FUNCTIONS.values()),
    "undeclared_param",
    "fn",
)
OTHER_NAMES = ("Any", "ClassVar", "cast", "TemplateResource", "provider_template", "provider_type")
PSEUDO = PSEUDO_PARAMETER_PYTHON_NAMES
STACK_ATTRIBUTES = frozenset([*dir(NestedStack), *dir(RemoteStack)]) | {
    "description",
    "template_version",
    "stack_name",
    "environment",
    "node",
    "_members",
    "write_empty_resources",
    "parent",
    "file_name",
    "parameter_values",
    "context",
    "timeout_mins",
}
"""Names a stack class (a nested or remote one too) already uses: its parameters get others."""
REMOTE_CONTEXT_TYPES = typing.get_type_hints(RemoteContext)
CONSTRAINT_CLASSES = {
    "length": "Length",
    "range": "Range",
    "modulo": "Modulo",
    "allowed_values": "AllowedValues",
    "allowed_pattern": "AllowedPattern",
    "custom_constraint": "CustomConstraint",
}


@attrs.frozen
class GeneratedModule:
    source: str
    files: tuple[FilePlan, ...]
    """The files the module reads with get_file, to keep next to it."""
    findings: tuple[Finding, ...]


def generate(
    plan: ImportPlan,
    *,
    class_name: str,
    stack_id: str,
    width: int = LINE_LENGTH,
    source_name: str = "",
) -> GeneratedModule:
    """The module for `plan`; `class_name` is the stack class, `stack_id` the stack's id."""
    return _ModuleWriter(plan, class_name, stack_id, width, source_name).write()


Rendered = tuple[Code, Static]


class _Imports:
    def __init__(self) -> None:
        self.hotdsl: set[str] = set()
        self.stdlib: set[str] = set()
        self.typing: set[str] = set()

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.typing:
            out.append(f"from typing import {', '.join(sorted(self.typing))}")
            out.append("")
        hotdsl = sorted(
            self.hotdsl, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
        )
        groups = []
        if hotdsl:
            groups.append(("hotdsl", hotdsl))
        if self.stdlib:
            groups.append(("hotdsl.stdlib", sorted(self.stdlib)))
        for source, names in groups:
            line = f"from {source} import {', '.join(names)}"
            if len(line) <= LINE_LENGTH:
                out.append(line)
            else:
                out.append(f"from {source} import (")
                out.extend(f"{INDENT}{n}," for n in names)
                out.append(")")
        return out


class _ModuleWriter:
    def __init__(
        self, plan: ImportPlan, class_name: str, stack_id: str, width: int, source_name: str
    ) -> None:
        self.plan = plan
        self.class_name = class_name
        self.stack_id = stack_id
        self.width = width
        self.source_name = source_name
        self.imports = _Imports()
        self.findings: list[Finding] = []
        self.files: dict[str, FilePlan] = {}
        self.nesting = nesting(plan)
        self.module_names = {
            *HOTDSL_NAMES,
            *OTHER_NAMES,
            *typed.stdlib_modules(),
            class_name,
            *(p.class_name for p in plan.providers),
            "app",
            "stack",
        }

    def write(self) -> GeneratedModule:
        main = self.plan.main
        blocks: list[list[str]] = []
        for provider in self.plan.providers:
            form = self.nesting.form_of(provider)
            if form == "provider":
                blocks.append(self.provider_class(provider))
            else:
                blocks.append(self.child_class(provider, form))
        blocks.append(self.stack_class(main))
        tail = self.app_lines()
        lines = [*self.module_docstring(), ""]
        imports = self.imports.lines()
        if imports:
            lines.extend([*imports, ""])
        for block in blocks:
            lines.extend(["", *block, ""])
        lines.extend(["", *tail])
        while lines and lines[-1] == "":
            lines.pop()
        return GeneratedModule(
            "\n".join(lines) + "\n", tuple(self.files.values()), tuple(self.findings)
        )

    def module_docstring(self) -> list[str]:
        name = self.source_name or self.plan.main.document.path.name
        return docstring("", f"The Heat template {name}, imported by `{GENERATOR}`.")

    def provider_class(self, provider: ProviderPlan) -> list[str]:
        self.imports.hotdsl.add("TemplateResource")
        self.imports.typing.add("ClassVar")
        self.imports.hotdsl.add("Stack")
        model = provider.model
        what = provider.type_name or provider.template_file
        lines = [f"class {provider.class_name}(TemplateResource):"]
        description = model.description
        described = description is not None and _fits_docstring(description)
        if described:
            # hotdsl takes a provider template's description from the class docstring
            assert description is not None
            lines.extend(docstring(INDENT, description))
        else:
            lines.extend(
                docstring(INDENT, f"The template {provider.template_file} as a resource type.")
            )
        lines.append("")
        if provider.type_name is not None:
            lines.extend(
                statement(
                    INDENT,
                    "type_name: ClassVar[str | None]",
                    string(provider.type_name),
                    self.width,
                )
            )
        lines.extend(
            statement(
                INDENT,
                "template_file: ClassVar[str | None]",
                string(provider.template_file),
                self.width,
            )
        )
        lines.extend(
            statement(INDENT, "template_version: ClassVar[str]", string(model.version), self.width)
        )
        lines.append("")
        lines.append(f"{INDENT}def build(self, template: Stack) -> None:")
        body = _TemplateWriter(self, model, scope="template", attributes=False, indent=INDENT * 2)
        # a template with nothing in it (no resources, say) still needs a body
        lines.extend(body.write(what, set_description=not described) or [f"{INDENT * 2}pass"])
        return lines

    def child_class(
        self, provider: ProviderPlan, form: typing.Literal["nested", "remote"]
    ) -> list[str]:
        """A `NestedStack` or `RemoteStack` subclass whose `__init__` builds the template."""
        base = "NestedStack" if form == "nested" else "RemoteStack"
        self.imports.hotdsl.update({base, "Construct"})
        model = provider.model
        lines = [f"class {provider.class_name}({base}):"]
        what = "a nested stack" if form == "nested" else "a remote stack (OS::Heat::Stack)"
        lines.extend(docstring(INDENT, f"The template {provider.template_file} as {what}."))
        lines.append("")
        parameters = ["self", "scope: Construct", "id: str", "*"]
        parameters.append("parameters: dict[str, object] | None = None")
        options = ["parameters"]
        if form == "remote":
            self.imports.hotdsl.update({"RemoteContext", "Value"})
            parameters.append("context: RemoteContext | None = None")
            parameters.append("timeout_mins: Value[int] | None = None")
            options += ["context", "timeout_mins"]
        lines.extend(definition(INDENT, "__init__", parameters, "None", self.width))
        arguments: dict[str, Code] = {}
        if model.description is not None:
            arguments["description"] = string(model.description)
        arguments["template_version"] = string(model.version)
        arguments["template_file"] = string(provider.template_file)
        arguments.update({option: Atom(option) for option in options})
        super_call = call("super().__init__", Atom("scope"), Atom("id"), **arguments)
        lines.extend(statement(INDENT * 2, None, super_call, self.width))
        body = _TemplateWriter(self, model, scope="self", attributes=True, indent=INDENT * 2)
        lines.extend(body.write(None))
        return lines

    def stack_class(self, model: TemplateModel) -> list[str]:
        self.imports.hotdsl.update({"Stack", "Construct"})
        lines = [f"class {self.class_name}(Stack):"]
        lines.extend(docstring(INDENT, f"The stack of {model.document.path.name}."))
        lines.append("")
        lines.append(f"{INDENT}def __init__(self, scope: Construct, id: str) -> None:")
        arguments: dict[str, Code] = {}
        if model.description is not None:
            arguments["description"] = string(model.description)
        arguments["template_version"] = string(model.version)
        super_call = call("super().__init__", Atom("scope"), Atom("id"), **arguments)
        body = _TemplateWriter(self, model, scope="self", attributes=True, indent=INDENT * 2)
        self.stack_body = body
        lines.extend(statement(INDENT * 2, None, super_call, self.width))
        lines.extend(body.write(None))
        return lines

    def app_lines(self) -> list[str]:
        self.imports.hotdsl.add("App")
        lines = ["app = App()"]
        instance = call(self.class_name, Atom("app"), string(self.stack_id))
        environment = self.plan.environment
        code = self.environment(environment) if environment is not None else None
        if code is None:
            lines.extend(statement("", None, instance, self.width))
            return lines
        self.imports.hotdsl.add("Environment")
        lines.extend(statement("", "stack", instance, self.width))
        lines.extend(statement("", "stack.environment", code, self.width))
        return lines

    # --- the environment ---

    def environment(self, env: EnvironmentModel) -> Code | None:
        parameters = self.stack_body.parameter_attributes
        used_templates = {p.type_name for p in self.plan.providers if p.type_name is not None}
        kwargs: dict[str, Code] = {}

        def parameter_key(name: str) -> Code:
            attribute = parameters.get(name)
            return Atom(f"stack.{attribute}") if attribute is not None else string(name)

        for section in ("parameters", "parameter_defaults"):
            values: dict[str, object] = getattr(env, section)
            if values:
                kwargs[section] = dict_display(
                    [(parameter_key(k), self.plain(v)) for k, v in values.items()]
                )
        registry = dict(env.registry)
        for type_name, entry in env.templates.items():
            if type_name not in used_templates:
                registry[type_name] = entry.path
                self.findings.append(
                    Finding(
                        "note",
                        f"the environment maps {type_name!r} to {entry.path!r}, which no resource uses; "
                        "the mapping is kept, the template is not imported or sent",
                        entry.file or env.files[-1].name,
                        entry.line,
                    )
                )
        if registry:
            kwargs["resource_registry"] = dict_display(
                [(string(k), string(v)) for k, v in registry.items()]
            )
        if env.resources:
            self.imports.hotdsl.add("ResourceSettings")
            kwargs["resources"] = dict_display(
                [(string(k), self.settings(v)) for k, v in env.resources.items()]
            )
        if env.event_sinks:
            kwargs["event_sinks"] = display([self.plain(s) for s in env.event_sinks])
        if env.parameter_merge_strategies:
            kwargs["parameter_merge_strategies"] = dict_display(
                [(parameter_key(k), string(v)) for k, v in env.parameter_merge_strategies.items()]
            )
        if env.encrypted_param_names:
            kwargs["encrypted_param_names"] = display(
                [parameter_key(n) for n in env.encrypted_param_names]
            )
        if not kwargs:
            return None
        return call("Environment", **kwargs)

    def settings(self, settings: ResourceSettingsModel) -> Code:
        kwargs: dict[str, Code] = {}
        if settings.types:
            kwargs["types"] = dict_display([(string(k), string(v)) for k, v in settings.types])
        if settings.hooks:
            kwargs["hooks"] = display([string(h) for h in settings.hooks])
        if settings.restricted_actions:
            kwargs["restricted_actions"] = display([string(a) for a in settings.restricted_actions])
        if settings.nested:
            kwargs["nested"] = dict_display(
                [(string(k), self.settings(v)) for k, v in settings.nested]
            )
        return call("ResourceSettings", **kwargs)

    def plain(self, value: object) -> Code:
        """Plain data (parameter values, defaults): no functions, nothing to resolve."""
        if isinstance(value, dict):
            return dict_display([(scalar(k), self.plain(v)) for k, v in value.items()])
        if isinstance(value, list):
            return display([self.plain(v) for v in value])
        return scalar(value)


@attrs.define
class _ResourceVar:
    code: str | None
    """The variable holding the resource (None until written, or if nothing refers to it)."""
    cls: type | None
    """The typed class it was written with, if any (for `.attrs`)."""
    type: str = ""
    child: Child | None = None
    """Set when the resource is written as a `NestedStack` or `RemoteStack`."""


class _TemplateWriter:
    """The statements that build one template, in a Stack's `__init__` or a provider's `build()`."""

    def __init__(
        self,
        module: _ModuleWriter,
        model: TemplateModel,
        *,
        scope: str,
        attributes: bool,
        indent: str,
    ) -> None:
        self.module = module
        self.model = model
        self.scope = scope
        self.indent = indent
        self.width = module.width
        self.imports = module.imports
        self.locals = Namespace(module.module_names)
        self.attribute_names = Namespace(STACK_ATTRIBUTES) if attributes else None
        self.parameter_attributes: dict[str, str] = {}
        self.parameters: dict[str, tuple[str, ParameterModel]] = {}
        self.conditions: dict[str, str] = {}
        self.resources: dict[str, _ResourceVar] = {}
        self.ids: set[str] = set()
        self.lines: list[str] = []
        self.referenced = _referenced(model)
        self.current_line: int | None = None
        """The template line of what is being written, for findings."""

    # --- output helpers ---

    def emit(self, target: str | None, code: Code) -> None:
        self.lines.extend(statement(self.indent, target, code, self.width))

    def note(self, text: str) -> None:
        self.lines.extend(comment(self.indent, text, self.width))

    def finding(self, level: str, message: str, line: int | None) -> None:
        self.module.findings.append(Finding(level, message, self.model.file, line))  # type: ignore[arg-type]

    def construct_id(self, name: str, fallback: str) -> tuple[str, bool]:
        """The construct id for a template name; True if the logical name must be pinned."""
        if "/" not in name and name not in self.ids:
            self.ids.add(name)
            return name, False
        base = name.replace("/", "_") or fallback
        candidate = f"{base}.{fallback}"
        counter = 2
        while candidate in self.ids:
            candidate = f"{base}.{fallback}{counter}"
            counter += 1
        self.ids.add(candidate)
        return candidate, True

    def pin(self, target: str, name: str) -> None:
        self.emit(None, call(f"{target}.node.override_logical_name", string(name)))

    # --- the template ---

    def write(self, provider_type: str | None, *, set_description: bool = False) -> list[str]:
        model = self.model
        if provider_type is not None and set_description:
            description = (
                string(model.description) if model.description is not None else Atom("None")
            )
            self.emit(f"{self.scope}.description", description)
        if not model.resources_section:
            self.note("The template has no resources section; it is written without one.")
            self.emit(f"{self.scope}.write_empty_resources", Atom("False"))
        self.reserve_ids()
        for parameter in model.parameters:
            self.parameter(parameter)
        for index, group in enumerate(model.parameter_groups):
            self.parameter_group(index, group)
        for condition in _condition_order(model):
            self.condition(condition)
        order, late = _resource_order(model)
        self.late_dependents = {name for names in late.values() for name in names}
        for resource in order:
            self.resource(resource, late.get(resource.name, ()))
        for output in model.outputs:
            self.output(output)
        return self.lines

    def reserve_ids(self) -> None:
        """Resources keep their names as ids; other sections get theirs after them."""
        for resource in self.model.resources:
            if "/" not in resource.name:
                self.ids.add(resource.name)
        self.reserved_resource_ids = set(self.ids)

    def resource_id(self, name: str) -> tuple[str, bool]:
        if name in self.reserved_resource_ids:
            self.reserved_resource_ids.discard(name)
            return name, False
        return self.construct_id(name, "resource")

    # --- parameters ---

    def parameter(self, parameter: ParameterModel) -> None:
        self.imports.hotdsl.add("Parameter")
        construct_id, pinned = self.construct_id(parameter.name, "parameter")
        kwargs: dict[str, Code] = {}
        if parameter.type != "string":
            kwargs["type"] = string(parameter.type)
        if parameter.label is not None:
            kwargs["label"] = string(parameter.label)
        if parameter.description is not None:
            kwargs["description"] = string(parameter.description)
        if parameter.has_default:
            kwargs["default"] = self.parameter_default(parameter)
        if parameter.hidden:
            kwargs["hidden"] = Atom("True")
        if parameter.immutable:
            kwargs["immutable"] = Atom("True")
        if parameter.tags is not None:
            kwargs["tags"] = display([string(t) for t in parameter.tags])
        if parameter.constraints:
            kwargs["constraints"] = display([self.constraint(c) for c in parameter.constraints])
        code = call("Parameter", Atom(self.scope), string(construct_id), **kwargs)
        target: str | None
        if self.attribute_names is not None:
            attribute = self.attribute_names.claim(parameter.name, "param")
            target = f"self.{attribute}"
            self.parameter_attributes[parameter.name] = attribute
        elif parameter.name in self.referenced.parameters or pinned:
            target = self.locals.claim(parameter.name, "param")
        else:
            target = None
        self.emit(target, code)
        if pinned and target is not None:
            self.pin(target, parameter.name)
        if target is not None:
            self.parameters[parameter.name] = (target, parameter)

    def parameter_default(self, parameter: ParameterModel) -> Code:
        value = parameter.default
        kind = parameter.type
        fits_overload = (
            (kind == "string" and isinstance(value, str))
            or (kind == "boolean" and isinstance(value, (bool, str)))
            or (
                kind == "comma_delimited_list"
                and (
                    isinstance(value, str)
                    or (isinstance(value, list) and all(isinstance(v, str) for v in value))
                )
            )
            or kind in ("number", "json")
        )
        code = self.module.plain(value)
        if fits_overload:
            return code
        self.imports.typing.update({"Any", "cast"})
        self.note(
            f"The default of {parameter.name!r} is not a {kind} in Python's terms, but Heat "
            "reads it as one: cast for mypy, written as it is."
        )
        return call("cast", Atom("Any"), code)

    def constraint(self, constraint: ConstraintModel) -> Code:
        cls = CONSTRAINT_CLASSES[constraint.kind]
        self.imports.hotdsl.add(cls)
        value = constraint.value
        args: list[Code] = []
        kwargs: dict[str, Code] = {}
        if isinstance(value, dict):
            kwargs.update({k: scalar(v) for k, v in value.items()})
        elif isinstance(value, list):
            args.append(self.module.plain(value))
        else:
            args.append(scalar(value))
        if constraint.description is not None:
            kwargs["description"] = string(constraint.description)
        return call(cls, *args, **kwargs)

    def parameter_group(self, index: int, group: Any) -> None:
        self.imports.hotdsl.add("ParameterGroup")
        wanted = group.label if group.label else f"group-{index + 1}"
        construct_id, _ = self.construct_id(wanted, "group")
        kwargs: dict[str, Code] = {
            "parameters": display([self.parameter_reference(n) for n in group.parameters]),
        }
        if group.label is not None:
            kwargs["label"] = string(group.label)
        if group.description is not None:
            kwargs["description"] = string(group.description)
        self.emit(None, call("ParameterGroup", Atom(self.scope), string(construct_id), **kwargs))

    def parameter_reference(self, name: str) -> Code:
        found = self.parameters.get(name)
        assert found is not None, name
        return Atom(found[0])

    # --- conditions ---

    def condition(self, condition: ConditionModel) -> None:
        self.imports.hotdsl.add("Condition")
        construct_id, pinned = self.construct_id(condition.name, "condition")
        expression = self.value(condition.expression, CONDITION_LIKE)
        assert expression is not None
        target = None
        if condition.name in self.referenced.conditions or pinned:
            target = self.locals.claim(condition.name, "condition")
        self.emit(target, call("Condition", Atom(self.scope), string(construct_id), expression[0]))
        if pinned and target is not None:
            self.pin(target, condition.name)
        if target is not None:
            self.conditions[condition.name] = target

    # --- resources ---

    def resource(self, resource: ResourceModel, late: Sequence[str]) -> None:
        self.current_line = resource.line
        construct_id, pinned = self.resource_id(resource.name)
        child = self.module.nesting.child(self.model, resource.name)
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
                self.note(text)
        code = call(head, Atom(self.scope), string(construct_id), **kwargs, **common)
        needs_var = (
            resource.name in self.referenced.resources
            or pinned
            or bool(late)
            or resource.name in self.late_dependents
        )
        target = self.locals.claim(resource.name, "resource") if needs_var else None
        self.emit(target, code)
        if pinned and target is not None:
            self.pin(target, resource.name)
        self.resources[resource.name] = _ResourceVar(target, cls, resource.type, child)
        for other_name in late:
            other = self.resources.get(other_name)
            if other is not None and other.code is not None and target is not None:
                if any(r.name == other_name and r.depends_on_single for r in self.model.resources):
                    self.emit(f"{other.code}.depends_on", Atom(target))
                else:
                    self.emit(None, call(f"{other.code}.add_dependency", Atom(target)))

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
            kwargs["context"] = call(self.use("RemoteContext"), **settings)
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
            rendered = self.value(value, object)
            assert rendered is not None
            pairs.append((string(str(key)), rendered[0]))
        return dict_display(pairs)

    def resource_keys(self, resource: ResourceModel) -> dict[str, Code]:
        """The keyword arguments every resource class takes (HOT's resource-level keys)."""
        kwargs: dict[str, Code] = {}
        written = [self.resources[d].code for d in resource.depends_on if d in self.resources]
        if written and resource.depends_on_single and written[0] is not None:
            kwargs["depends_on"] = Atom(written[0])
        elif written:
            kwargs["depends_on"] = display([Atom(c) for c in written if c is not None])
        if resource.condition is not None:
            rendered = self.value(resource.condition, CONDITION_LIKE)
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
        rendered = self.value(expr, want)
        if rendered is not None:
            return rendered[0]
        rendered = self.value(expr, object)
        assert rendered is not None
        self.imports.typing.update({"Any", "cast"})
        return call("cast", Atom("Any"), rendered[0])

    def resource_call(
        self, resource: ResourceModel
    ) -> tuple[str, dict[str, Code], type | None, list[str]]:
        provider = self.module.plan.provider_for(self.model, resource.type)
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
                self.imports.stdlib.add(entry.module)
                return f"{entry.module}.{entry.name}", attempt, entry.cls, []
            level, reason = attempt
            self.finding(
                level,
                f"resource {resource.name!r} is written as a generic Resource: {reason}",
                resource.line,
            )
            notes.append(f"Not {entry.module}.{entry.name}: {reason}.")
        elif resource.type.startswith(("OS::", "AWS::")):
            self.finding(
                "note",
                f"resource {resource.name!r} has the type {resource.type!r}, which Heat's "
                "resource schema that hotdsl knows does not have (an older type, or one from a "
                "plugin or an environment)",
                resource.line,
            )
        self.imports.hotdsl.add("Resource")
        kwargs = {"type": string(resource.type)}
        if properties is not None:
            kwargs["properties"] = self.properties_dict(properties)
        return "Resource", kwargs, None, notes

    def properties_dict(self, properties: Expr | None) -> Code:
        assert properties is not None
        return self.typed_or_cast(properties, Mapping[str, object])

    def typed_arguments(
        self, resource: ResourceModel, cls: type
    ) -> dict[str, Code] | tuple[str, str]:
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
            rendered = self.value(expr, info.annotation)
            if rendered is None:
                return (
                    "note",
                    f"the value of {name!r} does not have the Python type the class declares",
                )
            kwargs[info.python_name] = rendered[0]
            checked[info.python_name] = _runtime_value(expr)
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

    # --- outputs ---

    def output(self, output: OutputModel) -> None:
        self.current_line = output.line
        self.imports.hotdsl.add("Output")
        construct_id, pinned = self.construct_id(output.name, "output")
        rendered = self.value(output.value, object)
        assert rendered is not None
        kwargs: dict[str, Code] = {"value": rendered[0]}
        if output.description is not None:
            kwargs["description"] = string(output.description)
        if output.condition is not None:
            condition = self.value(output.condition, CONDITION_LIKE)
            assert condition is not None
            kwargs["condition"] = condition[0]
        if output.extra is not None:
            kwargs["extra_keys"] = self.module.plain(to_data(output.extra))
        code = call("Output", Atom(self.scope), string(construct_id), **kwargs)
        if pinned:
            target = self.locals.claim(output.name, "output")
            self.emit(target, code)
            self.pin(target, output.name)
        else:
            self.emit(None, code)

    # --- values ---

    def value(self, expr: Expr, want: object) -> Rendered | None:
        """Code for `expr` whose static type fits `want`, or None if none does."""
        rendered = self.typed_value(expr, want)
        if rendered is None and want is CONDITION_LIKE:
            return self.condition_call(expr)
        return rendered

    def condition_call(self, expr: Expr) -> Rendered | None:
        """A call Heat takes as a condition that the typed functions cannot write (`yaql`
        without `data`, or with `data` from a function), written as the call it is."""
        if isinstance(expr, Call):
            name, args = expr.name, expr.args
        elif isinstance(expr, ParamRef):
            name, args = (
                "get_param",
                Seq((Lit(expr.name), *expr.path)) if expr.path else Lit(expr.name),
            )
        else:
            return None
        rendered = self.typed_value(args, object)
        if rendered is None:
            return None
        since = CONDITION_FUNCTION_SINCE.get(name) or FUNCTION_SINCE[name]
        code = call(f"{self.use('fn')}.FunctionCall", string(name), rendered[0], string(since))
        return code, intrinsic("bool")

    def typed_value(self, expr: Expr, want: object) -> Rendered | None:
        if isinstance(expr, Lit):
            static = literal(expr.value)
            return (scalar(expr.value), static) if fits(static, want) else None
        if isinstance(expr, Seq):
            return self.sequence(expr, want)
        if isinstance(expr, Map):
            return self.mapping_value(expr, want)
        if isinstance(expr, ParamRef):
            return self.check(self.param_ref(expr, want), want)
        if isinstance(expr, UndeclaredParamRef):
            return self.check(self.undeclared_ref(expr), want)
        if isinstance(expr, ResourceRef):
            var = self.resources.get(expr.name)
            if var is None or var.code is None:
                return self.check(self.raw({"get_resource": Lit(expr.name)}), want)
            if var.child is not None:  # a child stack is no value itself
                return self.check(
                    (call(self.use("get_resource"), Atom(var.code)), intrinsic("str")), want
                )
            return self.check((Atom(var.code), intrinsic("str")), want)
        if isinstance(expr, AttrRef):
            return self.check(self.attr_ref(expr, want), want)
        if isinstance(expr, CondRef):
            found = self.conditions.get(expr.name)
            assert found is not None, expr.name
            return self.check((Atom(found), intrinsic("bool")), want)
        if isinstance(expr, FileRef):
            return self.check(self.file_ref(expr), want)
        if isinstance(expr, ProviderTypeRef):
            provider = self.module.plan.provider_for(self.model, expr.type_name)
            if provider is None:
                return self.value(Lit(expr.type_name), want)
            self.imports.hotdsl.add("provider_type")
            return self.check(
                (call("provider_type", Atom(provider.class_name)), intrinsic("str")), want
            )
        return self.check(self.function(expr), want)

    @staticmethod
    def check(rendered: Rendered | None, want: object) -> Rendered | None:
        if rendered is None or not fits(rendered[1], want):
            return None
        return rendered

    def sequence(self, expr: Seq, want: object) -> Rendered | None:
        for item_type in _candidates(want, "sequence"):
            items: list[Rendered] = []
            for item in expr.items:
                rendered = self.value(item, item_type)
                if rendered is None:
                    break
                items.append(rendered)
            else:
                static = Static("list", items=tuple(s for _, s in items))
                if fits(static, want):
                    return display([c for c, _ in items]), static
        return None

    def mapping_value(self, expr: Map, want: object) -> Rendered | None:
        for candidate in _candidates(want, "mapping"):
            if isinstance(candidate, _ItemClass):
                rendered = self.item_class(expr, candidate.cls)
                if rendered is not None:
                    return rendered
                continue
            str_keys = all(isinstance(k, str) for k, _ in expr.entries)
            if candidate is not Any and not str_keys:
                continue
            pairs: list[tuple[Code, Code]] = []
            statics: list[Static] = []
            for key, value in expr.entries:
                rendered = self.value(value, candidate)
                if rendered is None:
                    break
                pairs.append((scalar(key), rendered[0]))
                statics.append(rendered[1])
            else:
                static = Static("dict", items=tuple(statics), str_keys=str_keys)
                if fits(static, want):
                    return dict_display(pairs), static
        return None

    def item_class(self, expr: Map, cls: type) -> Rendered | None:
        fields = typed.fields_by_heat_name(cls)
        kwargs: dict[str, Code] = {}
        given = set()
        for key, value in expr.entries:
            info = fields.get(key) if isinstance(key, str) else None
            if info is None or info.hidden or (isinstance(value, Lit) and value.value is None):
                return None
            rendered = self.value(value, info.annotation)
            if rendered is None:
                return None
            kwargs[info.python_name] = rendered[0]
            given.add(key)
        if any(i.required and not i.hidden and n not in given for n, i in fields.items()):
            return None
        module = cls.__module__.rsplit(".", 1)[-1]
        self.imports.stdlib.add(module)
        return call(f"{module}.{cls.__name__}", **kwargs), Static("item", item_class=cls)

    def param_ref(self, expr: ParamRef, want: object) -> Rendered | None:
        listed = {"listed": Atom("True")} if expr.listed and not expr.path else {}
        if expr.name in PSEUDO:
            if not expr.path and not listed:
                self.imports.hotdsl.add(PSEUDO[expr.name])
                direct: Rendered = (Atom(PSEUDO[expr.name]), intrinsic("str"))
                if fits(direct[1], want):
                    return direct
            path = self.path(expr.path)
            if path is None:
                return self.raw(
                    {
                        "get_param": Seq((Lit(expr.name), *expr.path))
                        if expr.path
                        else Lit(expr.name)
                    }
                )
            self.imports.hotdsl.add("get_param")
            return call("get_param", string(expr.name), *path, **listed), ANY
        found = self.parameters.get(expr.name)
        assert found is not None, expr.name
        variable, parameter = found
        if expr.path:
            path = self.path(expr.path)
            if path is None:
                return self.raw({"get_param": Seq((Lit(expr.name), *expr.path))})
            code: Code = Atom(variable)
            for key in path:
                code = Bracket(_flat_head(code), (key,), "[", "]")
            return code, ANY
        inner: Inner = _PARAMETER_INNER.get(parameter.type, "any")
        static = intrinsic(inner)
        if fits(static, want) and not listed:
            return Atom(variable), static
        self.imports.hotdsl.add("get_param")
        return call("get_param", Atom(variable), **listed), ANY

    def undeclared_ref(self, expr: UndeclaredParamRef) -> Rendered | None:
        path = self.path(expr.path)
        if path is None:
            return None
        kwargs = {"listed": Atom("True")} if expr.listed and not expr.path else {}
        return call(self.use("undeclared_param"), string(expr.name), *path, **kwargs), ANY

    def path(self, items: Sequence[Expr]) -> list[Code] | None:
        out = []
        for item in items:
            rendered = self.value(item, PATH_KEY)
            if rendered is None:
                return None
            out.append(rendered[0])
        return out

    def attr_ref(self, expr: AttrRef, want: object) -> Rendered | None:
        var = self.resources.get(expr.resource)
        if var is None or var.code is None:
            head = (
                [Lit(expr.resource)]
                if expr.attribute is None
                else [Lit(expr.resource), Lit(expr.attribute)]
            )
            return self.raw({"get_attr": Seq((*head, *expr.path))})
        if var.child is not None:
            return self.child_attr(var.code, var.child, expr)
        if expr.attribute is None:
            return call(f"{var.code}.get_attr"), ANY
        path = self.path(expr.path)
        if path is None:
            head = [Lit(expr.resource), Lit(expr.attribute)]
            return self.raw({"get_attr": Seq((*head, *expr.path))})
        known: dict[str, typed.AttributeInfo] = {}
        if var.cls is not None:
            known, dynamic = typed.attributes(var.cls)
            if expr.attribute not in known and not dynamic:
                self.finding(
                    "invalid",
                    f"get_attr of {expr.resource!r}: its type {var.type} has no attribute "
                    f"{expr.attribute!r} (Heat rejects it)",
                    self.current_line,
                )
        info = known.get(expr.attribute)
        code: Code
        if info is not None and not info.deprecated:
            code = Atom(f"{var.code}.attrs.{info.python_name}")
            static = intrinsic(info.inner)
            if not path and not fits(static, want):
                code, static = call(f"{var.code}.get_attr", string(expr.attribute)), ANY
        else:
            code, static = call(f"{var.code}.get_attr", string(expr.attribute)), ANY
        for key in path:
            code = Bracket(_flat_head(code), (key,), "[", "]")
            static = ANY
        return code, static

    def child_attr(self, variable: str, child: Child, expr: AttrRef) -> Rendered:
        """`get_attr` of a nested or remote stack: an output by name, else the attribute."""
        rest = list(expr.path)
        output: str | None = None
        if child.form == "nested" and expr.attribute in child.outputs:
            output = expr.attribute
        elif child.form == "remote" and expr.attribute == "outputs" and rest:
            first = rest[0]
            if isinstance(first, Lit) and isinstance(first.value, str):
                output = first.value
                rest = rest[1:]
        if child.form == "remote" and expr.attribute == "stack_name" and not rest:
            return Atom(f"{variable}.remote_stack_name"), intrinsic("str")
        path = self.path(rest)
        if path is None:
            head = [Lit(expr.resource)] + ([Lit(expr.attribute)] if expr.attribute else [])
            return self.raw({"get_attr": Seq((*head, *expr.path))})
        code: Code
        if output is not None:
            code = call(f"{variable}.get_output", string(output))
        else:
            named = [Atom(variable)] + ([string(expr.attribute)] if expr.attribute else [])
            code = call(self.use("get_attr"), *named, *path)
            path = []
        for key in path:
            code = Bracket(_flat_head(code), (key,), "[", "]")
        return code, ANY

    def file_ref(self, expr: FileRef) -> Rendered:
        nested = self.module.plan.stack_template_for(self.model, expr.path)
        if nested is not None:
            self.imports.hotdsl.add("provider_template")
            return call("provider_template", Atom(nested.class_name)), intrinsic("str")
        plan = self.module.plan.file_for(self.model, expr.path)
        if plan.source is not None:
            self.module.files.setdefault(plan.key, plan)
        self.imports.hotdsl.add("get_file")
        if plan.sent_as:
            return call("get_file", string(plan.key), key=string(plan.sent_as)), intrinsic("str")
        return call("get_file", string(plan.key)), intrinsic("str")

    def raw(self, data: Mapping[str, Expr]) -> Rendered:
        """A function call written as the plain mapping it is in HOT (names as strings)."""
        pairs = []
        for key, value in data.items():
            rendered = self.value(value, object)
            assert rendered is not None
            pairs.append((string(key), rendered[0]))
        return dict_display(pairs), Static("dict", items=(OTHER,) * len(pairs))

    # --- functions ---

    def function(self, expr: Call) -> Rendered:
        method = getattr(self, "fn_" + expr.name, None)
        rendered: Rendered | None = method(expr.args) if method is not None else None
        if rendered is None:
            return self.raw({expr.name: expr.args})
        return rendered

    def use(self, name: str) -> str:
        self.imports.hotdsl.add(name)
        return name

    def args(self, items: Iterable[tuple[Expr, object]]) -> list[Code] | None:
        out = []
        for expr, want in items:
            rendered = self.value(expr, want)
            if rendered is None:
                return None
            out.append(rendered[0])
        return out

    def fn_list_join(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        delimiter, *lists = args.items
        if not (isinstance(delimiter, Lit) and isinstance(delimiter.value, str)):
            return None
        codes = self.args((item, want(fn.list_join, "lists")) for item in lists)
        if codes is None:
            return None
        return call(self.use("list_join"), string(delimiter.value), *codes), intrinsic("str")

    def replace(self, name: str, args: Expr, function: str) -> Rendered | None:
        assert isinstance(args, Map)
        if set(args.keys()) != {"template", "params"}:
            return None  # keys Heat ignores: kept as written
        template, params = args.get("template"), args.get("params")
        assert template is not None and params is not None
        if not isinstance(params, Map) or not all(isinstance(k, str) for k in params.keys()):
            return None
        codes = self.args([(template, VALUE_STR), (params, Mapping[str, object])])
        if codes is None:
            return None
        return call(self.use(function), *codes), intrinsic("str")

    def fn_str_replace(self, args: Expr) -> Rendered | None:
        return self.replace("str_replace", args, "str_replace")

    def fn_str_replace_strict(self, args: Expr) -> Rendered | None:
        return self.replace("str_replace_strict", args, "str_replace_strict")

    def fn_str_replace_vstrict(self, args: Expr) -> Rendered | None:
        return self.replace("str_replace_vstrict", args, "str_replace_vstrict")

    def fn_resource_facade(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Lit) and isinstance(args.value, str)
        return call(self.use("resource_facade"), string(args.value)), ANY

    def fn_digest(self, args: Expr) -> Rendered | None:
        if not isinstance(args, Seq):
            return None
        algorithm, value = args.items
        if not (
            isinstance(algorithm, Lit)
            and algorithm.value in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
        ):
            return None
        codes = self.args([(value, VALUE_STR)])
        if codes is None:
            return None
        return call(self.use("digest"), scalar(algorithm.value), *codes), intrinsic("str")

    def fn_repeat(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Map)
        known = {"for_each", "template"} | (
            {"permutations"} if self.model.version >= "2017-09-01" else set()
        )
        if not set(args.keys()) <= known:
            return None  # keys Heat ignores: kept as written
        for_each, template, permutations = (
            args.get("for_each"),
            args.get("template"),
            args.get("permutations"),
        )
        assert for_each is not None and template is not None
        if not isinstance(for_each, Map) or not all(isinstance(k, str) for k in for_each.keys()):
            return None
        codes = self.args([(template, object), (for_each, Mapping[str, object])])
        if codes is None:
            return None
        kwargs: dict[str, Code] = {}
        if permutations is not None:
            if not (isinstance(permutations, Lit) and isinstance(permutations.value, bool)):
                return None
            kwargs["permutations"] = scalar(permutations.value)
        return call(self.use("repeat"), *codes, **kwargs), intrinsic("list")

    def fn_str_split(self, args: Expr) -> Rendered | None:
        if not isinstance(args, Seq):
            return None
        delimiter, *rest = args.items
        if not (isinstance(delimiter, Lit) and isinstance(delimiter.value, str)):
            return None
        wants: list[object] = [VALUE_STR, want(fn.str_split, "index")]
        codes = self.args(zip(rest, wants, strict=False))
        if codes is None:
            return None
        return call(self.use("str_split"), string(delimiter.value), *codes), ANY

    def fn_map_merge(self, args: Expr) -> Rendered | None:
        if not isinstance(args, Seq):
            return None
        codes = self.args((item, want(fn.map_merge, "maps")) for item in args.items)
        if codes is None:
            return None
        return call(self.use("map_merge"), *codes), intrinsic("dict")

    def lists(self, function: str, args: Expr) -> Rendered | None:
        if not isinstance(args, Seq):
            return None
        codes = self.args((item, want(fn.list_concat, "lists")) for item in args.items)
        if codes is None:
            return None
        return call(self.use(function), *codes), intrinsic("list")

    def fn_list_concat(self, args: Expr) -> Rendered | None:
        return self.lists("list_concat", args)

    def fn_list_concat_unique(self, args: Expr) -> Rendered | None:
        return self.lists("list_concat_unique", args)

    def fn_map_replace(self, args: Expr) -> Rendered | None:
        if not isinstance(args, Seq) or len(args.items) != 2:
            return None  # map_replace() always writes the replacements, {} if none
        source, replacements = args.items
        if not isinstance(replacements, Map):
            return None
        codes = self.args([(source, want(fn.map_replace, "map"))])
        if codes is None:
            return None
        kwargs: dict[str, Code] = {}
        for key, value in replacements.entries:
            rendered = self.value(value, want(fn.map_replace, str(key)))
            if rendered is None:
                return None
            kwargs[str(key)] = rendered[0]
        return call(self.use("map_replace"), *codes, **kwargs), intrinsic("dict")

    def fn_yaql(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Map)
        expression, data = args.get("expression"), args.get("data")
        if not (isinstance(expression, Lit) and isinstance(expression.value, str)):
            return None
        if not isinstance(data, Map) or not all(isinstance(k, str) for k in data.keys()):
            return None
        codes = self.args([(data, Mapping[str, object])])
        if codes is None:
            return None
        return call(self.use("yaql"), string(expression.value), *codes), ANY

    def fn_if(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        condition, *values = args.items
        codes = self.args([(condition, CONDITION_LIKE), *((v, object) for v in values)])
        if codes is None:
            return None
        return call(self.use("if_"), *codes), ANY

    def fn_filter(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        codes = self.args((item, want(fn.filter, "values")) for item in args.items)
        if codes is None:
            return None
        return call(self.use("filter"), *codes), intrinsic("list")

    def fn_make_url(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Map)
        kwargs: dict[str, Code] = {}
        for key, value in args.entries:
            rendered = self.value(value, want(fn.make_url, str(key)))
            if rendered is None:
                return None
            kwargs[str(key)] = rendered[0]
        return call(self.use("make_url"), **kwargs), intrinsic("str")

    def fn_contains(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        value, sequence = args.items
        codes = self.args([(value, object), (sequence, want(fn.contains, "sequence"))])
        if codes is None:
            return None
        return call(self.use("contains"), *codes), intrinsic("bool")

    def fn_equals(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        codes = self.args((item, object) for item in args.items)
        if codes is None:
            return None
        return call(self.use("equals"), *codes), intrinsic("bool")

    def fn_not(self, args: Expr) -> Rendered | None:
        codes = self.args([(args, CONDITION_LIKE)])
        if codes is None:
            return None
        return call(self.use("not_"), *codes), intrinsic("bool")

    def fn_and(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        codes = self.args((item, CONDITION_LIKE) for item in args.items)
        if codes is None:
            return None
        return call(self.use("and_"), *codes), intrinsic("bool")

    def fn_or(self, args: Expr) -> Rendered | None:
        assert isinstance(args, Seq)
        codes = self.args((item, CONDITION_LIKE) for item in args.items)
        if codes is None:
            return None
        return call(self.use("or_"), *codes), intrinsic("bool")


def _fits_docstring(text: str) -> bool:
    """Whether a one-line docstring can carry `text` exactly (as a provider's description)."""
    return (
        bool(text)
        and text == text.strip()
        and text.isprintable()
        and '"' not in text
        and "\\" not in text
        and len(text) < 200
    )


def _flat_head(code: Code) -> str:
    return flat(code)


def _candidates(want: object, shape: str) -> list[object]:
    """The members of `want` a list (`sequence`) or a dict (`mapping`) display could be."""
    if want is Any or want is object:
        return [Any]
    origin = typing.get_origin(want)
    if origin in (typing.Union, types.UnionType):
        out: list[object] = []
        for member in typing.get_args(want):
            for found in _candidates(member, shape):
                if found not in out:
                    out.append(found)
        return out
    base = origin if origin is not None else want
    if (
        shape == "sequence"
        and isinstance(base, type)
        and issubclass(base, Sequence)
        and base is not str
    ):
        args = typing.get_args(want)
        return [args[0] if args else Any]
    if shape == "mapping":
        if isinstance(base, type) and issubclass(base, Mapping):
            args = typing.get_args(want)
            return [args[1] if args else Any]
        if (
            isinstance(want, type)
            and hasattr(want, "property_schemas")
            and not issubclass(want, ResourceBase)
        ):
            return [_ItemClass(want)]
    return []


@attrs.frozen
class _ItemClass:
    """A typed item class a dict display may be written as."""

    cls: type


def _runtime_value(expr: Expr) -> object:
    """What a property check sees: plain data, and `Computed` for what Heat computes."""
    if isinstance(expr, Lit):
        return expr.value
    if isinstance(expr, Seq):
        return [_runtime_value(i) for i in expr.items]
    if isinstance(expr, Map):
        return {k: _runtime_value(v) for k, v in expr.entries}
    return typed.Computed()


@attrs.frozen
class _References:
    parameters: frozenset[str]
    resources: frozenset[str]
    conditions: frozenset[str]


def _referenced(model: TemplateModel) -> _References:
    parameters: set[str] = set()
    resources: set[str] = set()
    conditions: set[str] = set()
    for group in model.parameter_groups:
        parameters.update(group.parameters)
    for expr in _all_values(model):
        for node in walk(expr):
            if isinstance(node, ParamRef):
                parameters.add(node.name)
            elif isinstance(node, (ResourceRef, AttrRef)):
                resources.add(node.name if isinstance(node, ResourceRef) else node.resource)
            elif isinstance(node, CondRef):
                conditions.add(node.name)
    for resource in model.resources:
        resources.update(resource.depends_on)
    return _References(frozenset(parameters), frozenset(resources), frozenset(conditions))


def _all_values(model: TemplateModel) -> Iterator[Expr]:
    for condition in model.conditions:
        yield condition.expression
    for resource in model.resources:
        yield from _resource_exprs(resource)
    for output in model.outputs:
        yield output.value
        if output.condition is not None:
            yield output.condition


def _resource_exprs(resource: ResourceModel) -> Iterator[Expr]:
    for value in (
        resource.properties,
        resource.metadata,
        resource.update_policy,
        resource.external_id,
        resource.condition,
    ):
        if value is not None:
            yield value


def _condition_order(model: TemplateModel) -> list[ConditionModel]:
    """Conditions ordered so that each comes after the conditions it names."""
    pending = list(model.conditions)
    done: set[str] = set()
    order: list[ConditionModel] = []
    while pending:
        for condition in pending:
            needs = {n.name for n in walk(condition.expression) if isinstance(n, CondRef)}
            if needs <= done:
                order.append(condition)
                done.add(condition.name)
                pending.remove(condition)
                break
        else:
            names = ", ".join(c.name for c in pending)
            raise TemplateError(
                f"the conditions {names} refer to each other in a cycle (Heat rejects this)",
                model.file,
                pending[0].line,
            )
    return order


def _resource_order(model: TemplateModel) -> tuple[list[ResourceModel], dict[str, tuple[str, ...]]]:
    """Resources ordered so that each comes after those it refers to, in template order otherwise.

    A cycle (which Heat rejects) is broken at the earliest resource; the dependencies that
    point forward are returned per resource, to add once it exists.
    """
    needs: dict[str, set[str]] = {}
    for resource in model.resources:
        found: set[str] = set(resource.depends_on)
        for expr in _resource_exprs(resource):
            for node in walk(expr):
                if isinstance(node, ResourceRef):
                    found.add(node.name)
                elif isinstance(node, AttrRef):
                    found.add(node.resource)
        found.discard(resource.name)
        needs[resource.name] = found
    pending = list(model.resources)
    done: set[str] = set()
    order: list[ResourceModel] = []
    late: dict[str, list[str]] = {}
    while pending:
        ready = next((r for r in pending if needs[r.name] <= done), None)
        if ready is None:
            ready = pending[0]
            for target in ready.depends_on:
                if target not in done:
                    late.setdefault(target, []).append(ready.name)
        order.append(ready)
        done.add(ready.name)
        pending.remove(ready)
    return order, {k: tuple(v) for k, v in late.items()}


def class_name_for(stem: str) -> str:
    name = camel_case(stem) or "Imported"
    return name if not name[0].isdigit() else f"Template{name}"
