"""Writing one template: the statements that build it, in a Stack's `__init__` or a
provider's `build()`.

Takes a `TemplateModel`, gives lines of code: parameters, parameter groups,
conditions, resources (`resources`) and outputs, in an order where every name is
written before it is used (`order`).
"""

from __future__ import annotations

from hotdsl.importer.model import (
    ConditionModel,
    ConstraintModel,
    OutputModel,
    ParameterGroupModel,
    ParameterModel,
    TemplateModel,
    to_data,
)
from hotdsl.importer.names import STACK_ATTRIBUTES, ConstructIds, Namespace
from hotdsl.importer.pysource import Atom, Code, call, comment, display, scalar, statement, string
from hotdsl.importer.write.context import CONDITION_LIKE, ModuleContext, plain_code
from hotdsl.importer.write.order import condition_order, referenced, resource_order
from hotdsl.importer.write.resources import ResourceWriter
from hotdsl.importer.write.values import ValueWriter

CONSTRAINT_CLASSES = {
    "length": "Length",
    "range": "Range",
    "modulo": "Modulo",
    "allowed_values": "AllowedValues",
    "allowed_pattern": "AllowedPattern",
    "custom_constraint": "CustomConstraint",
}


class TemplateWriter:
    """The statements that build one template."""

    def __init__(
        self,
        context: ModuleContext,
        model: TemplateModel,
        *,
        scope: str,
        attributes: bool,
        indent: str,
    ) -> None:
        self.context = context
        self.model = model
        self.scope = scope
        """What the statements build on: `self`, or a provider's `template`."""
        self.indent = indent
        self.locals = Namespace(context.module_names)
        self.attribute_names = Namespace(STACK_ATTRIBUTES) if attributes else None
        self.parameter_attributes: dict[str, str] = {}
        """Parameter name -> the stack attribute that holds it (when `attributes`)."""
        self.ids = ConstructIds(r.name for r in model.resources)
        self.lines: list[str] = []
        self.referenced = referenced(model)
        self.late_dependents: set[str] = set()
        """Resources that depend on one written after them (a cycle Heat rejects)."""
        self.values = ValueWriter(context, model)
        self.resource_writer = ResourceWriter(self)

    def emit(self, target: str | None, code: Code) -> None:
        self.lines.extend(statement(self.indent, target, code, self.context.width))

    def note(self, text: str) -> None:
        self.lines.extend(comment(self.indent, text, self.context.width))

    def pin(self, target: str, name: str) -> None:
        self.emit(None, call(f"{target}.node.override_logical_name", string(name)))

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
        for parameter in model.parameters:
            self.parameter(parameter)
        for index, group in enumerate(model.parameter_groups):
            self.parameter_group(index, group)
        for condition in condition_order(model):
            self.condition(condition)
        order, late = resource_order(model)
        self.late_dependents = {name for names in late.values() for name in names}
        for resource in order:
            self.resource_writer.resource(resource, late.get(resource.name, ()))
        for output in model.outputs:
            self.output(output)
        return self.lines

    def parameter(self, parameter: ParameterModel) -> None:
        self.context.imports.hotdsl.add("Parameter")
        construct_id, pinned = self.ids.construct_id(parameter.name, "parameter")
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
            self.values.bound.parameters[parameter.name] = (target, parameter)

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
        code = plain_code(value)
        if fits_overload:
            return code
        self.context.imports.typing.update({"Any", "cast"})
        self.note(
            f"The default of {parameter.name!r} is not a {kind} in Python's terms, but Heat "
            "reads it as one: cast for mypy, written as it is."
        )
        return call("cast", Atom("Any"), code)

    def constraint(self, constraint: ConstraintModel) -> Code:
        cls = CONSTRAINT_CLASSES[constraint.kind]
        self.context.imports.hotdsl.add(cls)
        value = constraint.value
        args: list[Code] = []
        kwargs: dict[str, Code] = {}
        if isinstance(value, dict):
            kwargs.update({k: scalar(v) for k, v in value.items()})
        elif isinstance(value, list):
            args.append(plain_code(value))
        else:
            args.append(scalar(value))
        if constraint.description is not None:
            kwargs["description"] = string(constraint.description)
        return call(cls, *args, **kwargs)

    def parameter_group(self, index: int, group: ParameterGroupModel) -> None:
        self.context.imports.hotdsl.add("ParameterGroup")
        wanted = group.label if group.label else f"group-{index + 1}"
        construct_id, _ = self.ids.construct_id(wanted, "group")
        kwargs: dict[str, Code] = {
            "parameters": display([self.parameter_reference(n) for n in group.parameters]),
        }
        if group.label is not None:
            kwargs["label"] = string(group.label)
        if group.description is not None:
            kwargs["description"] = string(group.description)
        self.emit(None, call("ParameterGroup", Atom(self.scope), string(construct_id), **kwargs))

    def parameter_reference(self, name: str) -> Code:
        found = self.values.bound.parameters.get(name)
        assert found is not None, name
        return Atom(found[0])

    def condition(self, condition: ConditionModel) -> None:
        self.context.imports.hotdsl.add("Condition")
        construct_id, pinned = self.ids.construct_id(condition.name, "condition")
        expression = self.values.value(condition.expression, CONDITION_LIKE)
        assert expression is not None
        target = None
        if condition.name in self.referenced.conditions or pinned:
            target = self.locals.claim(condition.name, "condition")
        self.emit(target, call("Condition", Atom(self.scope), string(construct_id), expression[0]))
        if pinned and target is not None:
            self.pin(target, condition.name)
        if target is not None:
            self.values.bound.conditions[condition.name] = target

    def output(self, output: OutputModel) -> None:
        self.values.current_line = output.line
        self.context.imports.hotdsl.add("Output")
        construct_id, pinned = self.ids.construct_id(output.name, "output")
        rendered = self.values.value(output.value, object)
        assert rendered is not None
        kwargs: dict[str, Code] = {"value": rendered[0]}
        if output.description is not None:
            kwargs["description"] = string(output.description)
        if output.condition is not None:
            condition = self.values.value(output.condition, CONDITION_LIKE)
            assert condition is not None
            kwargs["condition"] = condition[0]
        if output.extra is not None:
            kwargs["extra_keys"] = plain_code(to_data(output.extra))
        code = call("Output", Atom(self.scope), string(construct_id), **kwargs)
        if pinned:
            target = self.locals.claim(output.name, "output")
            self.emit(target, code)
            self.pin(target, output.name)
        else:
            self.emit(None, code)
