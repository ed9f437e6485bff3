"""Writing the module: its docstring, imports, one class per template, and the app.

A `Stack` subclass for the main template, one `TemplateResource`, `NestedStack` or
`RemoteStack` subclass per nested template, then `app = App()`, the stack, its
environment, and a stage with parameter values when the import gives one (a deployed
stack's values; hidden ones are read from the deployer's environment).
"""

from __future__ import annotations

import typing

import attrs

from hotdsl.importer.collect import FilePlan, ImportPlan, ProviderPlan
from hotdsl.importer.model import Finding, TemplateModel
from hotdsl.importer.names import module_names
from hotdsl.importer.nesting import nesting
from hotdsl.importer.pysource import (
    INDENT,
    Atom,
    Code,
    call,
    definition,
    dict_display,
    docstring,
    statement,
    string,
)
from hotdsl.importer.write.context import ModuleContext, plain_code
from hotdsl.importer.write.environment import environment_code
from hotdsl.importer.write.template import TemplateWriter

GENERATOR = "hotdsl import"


@attrs.frozen
class StageValues:
    """A stage to write after the stack: the values its parameters were given, and the
    hidden ones as environment variables to read at deploy time (never their values)."""

    name: str
    values: tuple[tuple[str, object], ...] = ()
    """(parameter name, value), in the template's order."""
    secrets: tuple[tuple[str, str], ...] = ()
    """(parameter name, environment variable) of the hidden parameters."""
    part_of_app: bool = False
    """Write `def add(app, stage)`, for an app of several modules, instead of an app."""


@attrs.frozen
class GeneratedModule:
    source: str
    files: tuple[FilePlan, ...]
    """The files the module reads with get_file, to keep next to it."""
    findings: tuple[Finding, ...]
    parameter_attributes: tuple[tuple[str, str], ...] = ()
    """(parameter name, attribute of the stack class) of the main template's parameters."""


class ModuleWriter:
    """The text of one module, from an import plan."""

    def __init__(
        self,
        plan: ImportPlan,
        class_name: str,
        stack_id: str,
        width: int,
        source_name: str,
        stage: StageValues | None = None,
    ) -> None:
        self.plan = plan
        self.stage = stage
        self.class_name = class_name
        self.stack_id = stack_id
        self.width = width
        self.source_name = source_name
        names = {*module_names(), class_name, *(p.class_name for p in plan.providers)}
        self.context = ModuleContext(plan, width, nesting(plan), frozenset(names))

    def write(self) -> GeneratedModule:
        main = self.plan.main
        blocks: list[list[str]] = []
        for provider in self.plan.providers:
            form = self.context.nesting.form_of(provider)
            if form == "provider":
                blocks.append(self.provider_class(provider))
            else:
                blocks.append(self.child_class(provider, form))
        blocks.append(self.stack_class(main))
        tail = self.app_lines()
        lines = [*self.module_docstring(), ""]
        imports = self.context.imports.lines()
        if imports:
            lines.extend([*imports, ""])
        for block in blocks:
            lines.extend(["", *block, ""])
        lines.extend(["", *tail])
        while lines and lines[-1] == "":
            lines.pop()
        return GeneratedModule(
            "\n".join(lines) + "\n",
            tuple(self.context.files.values()),
            tuple(self.context.findings),
            tuple(self.stack_body.parameter_attributes.items()),
        )

    def module_docstring(self) -> list[str]:
        name = self.source_name or self.plan.main.document.path.name
        return docstring("", f"The Heat template {name}, imported by `{GENERATOR}`.")

    def provider_class(self, provider: ProviderPlan) -> list[str]:
        self.context.imports.hotdsl.add("TemplateResource")
        self.context.imports.typing.add("ClassVar")
        self.context.imports.hotdsl.add("Stack")
        model = provider.model
        what = provider.type_name or provider.template_file
        lines = [f"class {provider.class_name}(TemplateResource):"]
        description = model.description
        described = description is not None and fits_docstring(description)
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
        body = TemplateWriter(
            self.context, model, scope="template", attributes=False, indent=INDENT * 2
        )
        # a template with nothing in it (no resources, say) still needs a body
        lines.extend(body.write(what, set_description=not described) or [f"{INDENT * 2}pass"])
        return lines

    def child_class(
        self, provider: ProviderPlan, form: typing.Literal["nested", "remote"]
    ) -> list[str]:
        """A `NestedStack` or `RemoteStack` subclass whose `__init__` builds the template."""
        base = "NestedStack" if form == "nested" else "RemoteStack"
        self.context.imports.hotdsl.update({base, "Construct"})
        model = provider.model
        lines = [f"class {provider.class_name}({base}):"]
        what = "a nested stack" if form == "nested" else "a remote stack (OS::Heat::Stack)"
        lines.extend(docstring(INDENT, f"The template {provider.template_file} as {what}."))
        lines.append("")
        parameters = ["self", "scope: Construct", "id: str", "*"]
        parameters.append("parameters: dict[str, object] | None = None")
        options = ["parameters"]
        if form == "remote":
            self.context.imports.hotdsl.update({"RemoteContext", "Value"})
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
        body = TemplateWriter(self.context, model, scope="self", attributes=True, indent=INDENT * 2)
        lines.extend(body.write(None))
        return lines

    def stack_class(self, model: TemplateModel) -> list[str]:
        self.context.imports.hotdsl.update({"Stack", "Construct"})
        lines = [f"class {self.class_name}(Stack):"]
        lines.extend(docstring(INDENT, f"The stack of {model.document.path.name}."))
        lines.append("")
        lines.append(f"{INDENT}def __init__(self, scope: Construct, id: str) -> None:")
        arguments: dict[str, Code] = {}
        if model.description is not None:
            arguments["description"] = string(model.description)
        arguments["template_version"] = string(model.version)
        super_call = call("super().__init__", Atom("scope"), Atom("id"), **arguments)
        body = TemplateWriter(self.context, model, scope="self", attributes=True, indent=INDENT * 2)
        self.stack_body = body
        lines.extend(statement(INDENT * 2, None, super_call, self.width))
        lines.extend(body.write(None))
        return lines

    def app_lines(self) -> list[str]:
        if self.stage is not None and self.stage.part_of_app:
            return self.add_function()
        self.context.imports.hotdsl.add("App")
        lines = ["app = App()"]
        instance = call(self.class_name, Atom("app"), string(self.stack_id))
        environment = self.plan.environment
        code = (
            environment_code(self.context, environment, self.stack_body.parameter_attributes)
            if environment is not None
            else None
        )
        stage = self.stage_code()
        if code is None and stage is None:
            lines.extend(statement("", None, instance, self.width))
            return lines
        lines.extend(statement("", "stack", instance, self.width))
        if code is not None:
            self.context.imports.hotdsl.add("Environment")
            lines.extend(statement("", "stack.environment", code, self.width))
        if stage is not None:
            lines.extend(statement("", None, stage, self.width))
        return lines

    def add_function(self) -> list[str]:
        """`def add(app, stage)`: the stack in an app of several modules, its values in the stage."""
        self.context.imports.hotdsl.update({"App", "Stage"})
        lines = definition("", "add", ["app: App", "stage: Stage"], self.class_name, self.width)
        lines.extend(
            docstring(
                INDENT, f"The stack {self.stack_id} in `app`, its deployed values in `stage`."
            )
        )
        instance = call(self.class_name, Atom("app"), string(self.stack_id))
        lines.extend(statement(INDENT, "stack", instance, self.width))
        environment = self.plan.environment
        if environment is not None:
            attributes = self.stack_body.parameter_attributes
            code = environment_code(self.context, environment, attributes)
            if code is not None:
                self.context.imports.hotdsl.add("Environment")
                lines.extend(statement(INDENT, "stack.environment", code, self.width))
        pairs = self.stage_values()
        if pairs:
            self.context.imports.hotdsl.add("Parameter")
            self.context.imports.typing.add("Any")
            target = "values: dict[Parameter[Any], object]"
            lines.extend(statement(INDENT, target, dict_display(pairs), self.width))
            lines.append(f"{INDENT}for parameter, value in values.items():")
            lines.append(f"{INDENT * 2}stage.set(parameter, value)")
        lines.append(f"{INDENT}return stack")
        return lines

    def stage_code(self) -> Code | None:
        """`Stage(app, name, parameters={stack.x: value, stack.secret: from_env("X")})`."""
        if self.stage is None:
            return None
        pairs = self.stage_values()
        self.context.imports.hotdsl.add("Stage")
        arguments: dict[str, Code] = {"parameters": dict_display(pairs)} if pairs else {}
        return call("Stage", Atom("app"), string(self.stage.name), **arguments)

    def stage_values(self) -> list[tuple[Code, Code]]:
        """`stack.x: value` and `stack.secret: from_env("X")` for each value of the stage."""
        if self.stage is None:
            return []
        attributes = self.stack_body.parameter_attributes
        pairs: list[tuple[Code, Code]] = []
        secrets = dict(self.stage.secrets)
        for name, value in [*self.stage.values, *((n, None) for n in secrets)]:
            attribute = attributes.get(name)
            if attribute is None:
                self.context.findings.append(
                    Finding(
                        "warning",
                        f"the stage cannot set parameter {name!r}: the template has no such "
                        "parameter",
                        self.source_name,
                        None,
                    )
                )
                continue
            if name in secrets:
                self.context.imports.hotdsl.add("from_env")
                pairs.append((Atom(f"stack.{attribute}"), call("from_env", string(secrets[name]))))
            else:
                pairs.append((Atom(f"stack.{attribute}"), plain_code(value)))
        return pairs


def fits_docstring(text: str) -> bool:
    """Whether a one-line docstring can carry `text` exactly (as a provider's description)."""
    return (
        bool(text)
        and text == text.strip()
        and text.isprintable()
        and '"' not in text
        and "\\" not in text
        and len(text) < 200
    )
