"""Generate hotdsl.stdlib's typed resource classes from Heat's own resource type schema.

Reads `stdlib/spec/heat-resource-types.json` (dumped from Heat by
`tools/dump_heat_spec.py`, see `stdlib/spec/README.md`) and writes one module per
service namespace under `stdlib/`, each importable as `hotdsl.stdlib.<module>`::

    .venv/bin/python tools/gen_stdlib.py            # rewrite the generated modules
    .venv/bin/python tools/gen_stdlib.py --check    # exit 1 if they differ from the spec (CI)

The output depends only on the spec and this file: it is formatted as `ruff format`
would format it, and regenerating gives no diff. Never edit the generated modules.

Naming rules
------------
Modules and classes:
    `OS::<Service>::<Name...>` -> module `<service>` (lower case), class `<Name...>` with
    the `::` removed: `OS::Nova::Server` -> `nova.Server`,
    `OS::Neutron::TaaS::TapFlow` -> `neutron.TaaSTapFlow`. `AWS::<Service>::<Name>` ->
    module `aws`, class `<Service><Name>`: `AWS::EC2::Instance` -> `aws.EC2Instance`. A
    class name that is a Python keyword gets a trailing underscore
    (`OS::Heat::None` -> `heat.None_`).

Properties:
    Each property is a keyword argument and attribute named as in Heat. Names that are
    not Python identifiers have each run of other characters replaced by `_`
    (`binding:vnic_type` -> `binding_vnic_type`, `X-Container-Read` -> `X_Container_Read`).
    A name that is then a Python keyword, or a name that hotdsl's resource base class
    already uses (`scope`, `id`, `node`, `description`, `depends_on`, `condition`,
    `deletion_policy`, `update_policy`, `external_id`, `resource_metadata`,
    `resource_type`, `heat_type`, `attrs`, and every other attribute or method of
    `TypedResource`), or a name the generated module uses in annotations, gets a
    trailing underscore: `description` -> `description_` (plain `description` is the
    HOT resource description), `id` -> `id_`, `class` -> `class_`. The template always
    gets Heat's name; each renamed field's docstring says so. Nested keys follow the
    same rule against `PropertyItem`'s names, attributes against `Attributes`' names.

Nested schemas and value types:
    A map with known keys gets a frozen class named `<Owner><Property>`
    (`ResourceGroup.resource_def` -> `ResourceGroupResourceDef`); the items of a list
    of such maps get `<Owner><Property>Item` (`Server.networks` ->
    `ServerNetworksItem`); nested ones repeat the rule with the item class as owner.
    Allowed values become a `Literal` alias with the same name rule
    (`Server.flavor_update_policy` -> `ServerFlavorUpdatePolicy`). Attributes live in
    `<Class>Attributes`, reached as `resource.attrs`.

Code:
    Each class writes its `__init__` out (keyword-only properties, optional ones default
    to None) and lists Heat's schema of its fields in `_property_schemas`, built on first
    use: importing a module defines plain classes and compiles nothing, which keeps a
    synth's start-up short. To mypy the classes are the attrs classes they behave like
    (`generated_resource` and `generated_item` are `attrs.define` and `attrs.frozen`
    when type checking, and do nothing at run time), and `attrs.fields(cls)` works at
    run time too (`hotdsl.stdlib._typed` makes the attrs view on request). An
    annotation too long for one line of the signature is named by a private
    module-level alias (`_<Class>_<field>`).

Hidden (retired) properties are not offered as arguments (the spec's README asks so);
they stay in each class's `hidden_properties` so that the diff and the importer know
them. Deprecated types and properties are generated and warn when used.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = Path("stdlib/spec/heat-resource-types.json")
"""The spec, relative to the repository root."""
OUT = Path("stdlib")
GENERATOR = "tools/gen_stdlib.py"
LINE_LENGTH = 100
"""The `line-length` of the repository's ruff configuration."""
DOC_WIDTH = 92
"""Docstrings are wrapped to this width (indentation included)."""

SCALAR_TYPES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
HOT_TYPES = {"integer": "number", "boolean": "boolean", "map": "json", "list": "json"}
"""The parameter type that carries an attribute to another stack (others: string)."""
ATTRIBUTE_TYPES = {
    "string": "str",
    "integer": "int",
    "boolean": "bool",
    "map": "dict[str, Any]",
    "list": "list[Any]",
    None: "Any",
}

# Names the generated code uses inside class bodies (annotations, decorators, calls): a
# field of the same name would shadow them there.
CODE_NAMES = frozenset(
    {
        "attrs",
        "Any",
        "ClassVar",
        "Literal",
        "Mapping",
        "Sequence",
        "TypeAlias",
        "Construct",
        "ConditionLike",
        "DeletionPolicy",
        "ResourceBase",
        "NO_DEPENDENCIES",
        "staticmethod",
        "generated_item",
        "generated_resource",
        "Intrinsic",
        "GetAttr",
        "ListOf",
        "MapOf",
        "AttributeAccess",
        "Attributes",
        "PropertyItem",
        "PropertySchema",
        "TypedResource",
        "heat_property",
        "AllowedPattern",
        "AllowedValues",
        "CustomConstraint",
        "Length",
        "Modulo",
        "Range",
        "str",
        "int",
        "float",
        "bool",
        "dict",
        "list",
        "tuple",
        "property",
        "None",
        "True",
        "False",
        "self",
    }
)


# --- formatting: expressions laid out the way ruff format lays them out -----------------------


@dataclass
class Call:
    """`head(items)`, `head[items]` or a bare `[items]` / `(items)` / `{items}`."""

    head: str
    items: list[Expr]
    open: str = "("
    close: str = ")"
    one_tuple: bool = False
    """A tuple of one item: `(x,)`."""


@dataclass
class Keyword:
    """`name=value` inside a call, or `key: value` inside a dict."""

    name: str
    value: Expr
    separator: str = "="


Expr = str | Call | Keyword


def flat(expr: Expr) -> str:
    if isinstance(expr, str):
        return expr
    if isinstance(expr, Keyword):
        return f"{expr.name}{expr.separator}{flat(expr.value)}"
    inner = ", ".join(flat(i) for i in expr.items)
    if expr.one_tuple:
        inner += ","
    return f"{expr.head}{expr.open}{inner}{expr.close}"


def layout(expr: Expr, indent: str, prefix: str = "", suffix: str = "") -> list[str]:
    """Lines for `prefix + expr + suffix` at `indent`, split at brackets where too long.

    The rule is ruff's for a call or subscript that does not fit: the content goes on
    its own indented line if it fits there, else one item per line with a trailing
    comma, each item laid out by the same rule. A collection literal (`[...]`, `(...)`,
    `{...}`) and a parenthesized import always get one item per line.
    """
    line = indent + prefix + flat(expr) + suffix
    if len(line) <= LINE_LENGTH or isinstance(expr, str):
        return [line]
    if isinstance(expr, Keyword):
        return layout(expr.value, indent, prefix + expr.name + expr.separator, suffix)
    inner = indent + "    "
    lines = [indent + prefix + expr.head + expr.open]
    joined = ", ".join(flat(i) for i in expr.items)
    subscript = expr.open == "[" and bool(expr.head)
    one_per_line = not expr.head or expr.head.startswith("from ")
    if len(inner + joined) <= LINE_LENGTH and not one_per_line:
        lines.append(inner + joined)
    else:
        for item in expr.items:
            comma = "" if subscript and len(expr.items) == 1 else ","
            lines.extend(layout(item, inner, "", comma))
    lines.append(indent + expr.close + suffix)
    return lines


def assignment(indent: str, target: str, annotation: str | None, value: Expr) -> list[str]:
    """Lines for `target: annotation = value`, split the way ruff splits them.

    Ruff keeps a call's head on the first line when it fits and splits the call;
    otherwise it puts the value in parentheses, or, when even `target: annotation = (`
    is too long, the annotation.
    """
    head = f"{target}: {annotation} = " if annotation else f"{target} = "
    line = indent + head + flat(value)
    if len(line) <= LINE_LENGTH:
        return [line]
    inner = indent + "    "
    if isinstance(value, str):
        return [indent + head + "(", inner + value, indent + ")"]
    if isinstance(value, Call) and len(indent + head + value.head + value.open) <= LINE_LENGTH:
        return layout(value, indent, head)
    if annotation is None or len(indent + head + "(") <= LINE_LENGTH:
        return [indent + head + "(", *layout(value, inner), indent + ")"]
    if len(inner + annotation) > LINE_LENGTH:
        raise ValueError(f"the annotation of {target!r} is too long for one line: {annotation}")
    return [indent + target + ": (", inner + annotation, *layout(value, indent, ") = ")]


def literal(value: object) -> Expr:
    """A Python expression for a JSON value."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list):
        return Call("", [literal(v) for v in value], "[", "]")
    if isinstance(value, dict):
        return Call(
            "", [Keyword(string(str(k)), literal(v), ": ") for k, v in value.items()], "{", "}"
        )
    raise TypeError(f"unexpected value in the spec: {value!r}")


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def string(text: str) -> str:
    """A string literal, quoted the way ruff prefers (double quotes unless that escapes more)."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return quote + "".join(out) + quote


def docstring(paragraphs: Sequence[str], indent: str) -> list[str]:
    """A docstring of wrapped paragraphs (a paragraph starting with "\\0" is kept as is)."""
    width = DOC_WIDTH - len(indent)
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        if paragraph.startswith("\0"):
            lines.extend(line.rstrip() for line in paragraph[1:].splitlines())
        else:
            lines.extend(
                textwrap.wrap(
                    " ".join(paragraph.split()),
                    width,
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    lines = [_doc_escape(line) for line in lines]
    if lines and lines[0].startswith('"'):
        lines[0] = " " + lines[0]
    if len(lines) == 1:
        text = lines[0]
        if text.endswith('"'):
            text += " "
        return [f'{indent}"""{text}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(indent + line if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def _doc_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


# --- names ------------------------------------------------------------------------------------


def camel(name: str) -> str:
    """`flavor_update_policy` -> `FlavorUpdatePolicy`; `BlockDeviceMappings` stays."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def python_name(name: str, taken: set[str], reserved: frozenset[str]) -> str:
    """The Python name of a Heat property, key or attribute (see the module docstring)."""
    result = re.sub(r"[^A-Za-z0-9_]+", "_", name)
    if not result or result[0].isdigit() or result.startswith("_"):
        raise ValueError(f"no Python name rule covers {name!r}")
    while keyword.iskeyword(result) or result in reserved or result in taken:
        result += "_"
    taken.add(result)
    return result


def module_and_class(type_name: str) -> tuple[str, str]:
    """`OS::Nova::Server` -> ("nova", "Server"); `AWS::EC2::Instance` -> ("aws", "EC2Instance")."""
    parts = type_name.split("::")
    if parts[0] == "OS" and len(parts) >= 3:
        module, rest = parts[1].lower(), parts[2:]
    elif parts[0] == "AWS" and len(parts) >= 3:
        module, rest = "aws", parts[1:]
    else:
        raise ValueError(f"no module rule covers {type_name!r}")
    name = "".join(rest)
    if keyword.iskeyword(name):
        name += "_"
    if not name.isidentifier():
        raise ValueError(f"{type_name!r} gives the class name {name!r}, which is not an identifier")
    return module, name


def reserved_names() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Names that fields of resources, nested items and attribute classes must not take."""
    import attrs

    from hotdsl.stdlib._typed import Attributes, PropertyItem, TypedResource

    resource = set(dir(TypedResource)) | {"node", "attrs", "resource_type", "heat_type"}
    resource |= {a.name for a in attrs.fields(TypedResource)} | {
        a.alias for a in attrs.fields(TypedResource) if a.alias is not None
    }
    item = set(dir(PropertyItem))
    attributes = set(dir(Attributes))
    return (
        frozenset(resource | CODE_NAMES),
        frozenset(item | CODE_NAMES),
        frozenset(attributes | CODE_NAMES),
    )


# --- the model of a module ----------------------------------------------------------------------


@dataclass
class Module:
    name: str
    heat_version: str
    types: list[str] = field(default_factory=list)
    blocks: list[list[str]] = field(default_factory=list)
    """Top-level statements, each a list of lines."""
    public: list[str] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    """Imported helper names the module uses."""
    classes: list[tuple[str, str]] = field(default_factory=list)
    """(class name, Heat type) of the resource classes."""

    planned: set[str] = field(default_factory=set)
    """The names of the resource and attribute classes, claimed when they are made."""

    def claim(self, name: str, what: str, planned: bool = False) -> str:
        if name in self.names or (name in self.planned and not planned) or name in CODE_NAMES:
            raise ValueError(f"module {self.name}: two generated names would be {name!r} ({what})")
        self.names.add(name)
        self.public.append(name)
        return name

    def use(self, *names: str) -> None:
        self.used.update(names)


IMPORTS: list[tuple[int, str, list[str]]] = [
    # (isort section: standard library, third party, first party, local), module, names
    (0, "collections.abc", ["Mapping", "Sequence"]),
    (0, "typing", ["Any", "ClassVar", "Literal", "TypeAlias"]),
    (2, "hotdsl.construct", ["Construct"]),
    (2, "hotdsl.intrinsics", ["ConditionLike", "GetAttr", "Intrinsic"]),
    (
        2,
        "hotdsl.template",
        [
            "AllowedPattern",
            "AllowedValues",
            "CustomConstraint",
            "DeletionPolicy",
            "Length",
            "Modulo",
            "Range",
            "ResourceBase",
        ],
    ),
    (
        3,
        "._typed",
        [
            "NO_DEPENDENCIES",
            "AttributeAccess",
            "Attributes",
            "ListOf",
            "MapOf",
            "PropertyItem",
            "PropertySchema",
            "SupportStatus",
            "TypedResource",
            "generated_item",
            "generated_resource",
        ],
    ),
]

RESOURCE_PARAMETERS: list[tuple[str, str, str]] = [
    # The keywords of every resource (`ResourceBase`'s fields): name, annotation, default.
    ("depends_on", "ResourceBase | Sequence[ResourceBase]", "NO_DEPENDENCIES"),
    ("condition", "ConditionLike | None", "None"),
    ("deletion_policy", "DeletionPolicy | Intrinsic[str] | None", "None"),
    ("update_policy", "Mapping[str, object] | None", "None"),
    ("external_id", "str | Intrinsic[str] | None", "None"),
    ("resource_metadata", "Mapping[str, object] | None", "None"),
    ("resource_description", "str | None", "None"),
]


@dataclass
class FieldCode:
    """One property of a generated class: its attribute, `__init__` keyword and schema."""

    lines: list[str]
    """The class-body annotation and docstring."""
    name: str
    annotation: str
    required: bool
    schema: Call


class Generator:
    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self.version = spec["heat_version"]
        self.dynamic = frozenset(spec.get("dynamic_attributes", ()))
        self.reserved_resource, self.reserved_item, self.reserved_attributes = reserved_names()
        self.stats: dict[str, Any] = {"types": 0, "classes": 0, "aliases": 0, "renamed": []}
        self.item_classes: dict[int, str] = {}
        """id() of a nested map schema of the spec -> the name of its generated class."""

    # --- modules ---

    def modules(self) -> dict[str, str]:
        """File name -> text of every generated module."""
        grouped: dict[str, list[tuple[str, str]]] = {}
        for type_name in sorted(self.spec["resource_types"]):
            module_name, cls = module_and_class(type_name)
            grouped.setdefault(module_name, []).append((cls, type_name))
        out: dict[str, str] = {}
        for module_name, entries in sorted(grouped.items()):
            module = Module(module_name, self.version)
            module.planned = {cls for cls, _ in entries} | {
                f"{cls}Attributes" for cls, _ in entries
            }
            if len(module.planned) != 2 * len(entries):
                raise ValueError(f"module {module_name}: two types give one class name")
            for cls, type_name in sorted(entries, key=lambda e: e[0]):
                self.resource(module, cls, type_name, self.spec["resource_types"][type_name])
            out[f"{module_name}.py"] = self.render(module)
        return out

    def render(self, module: Module) -> str:
        lines = [
            f"# Generated by {GENERATOR} from {SPEC.as_posix()} (Heat {module.heat_version}).",
            f"# Do not edit: change the generator or the spec and run `python {GENERATOR}`.",
        ]
        prefixes = sorted({"::".join(t.split("::")[:2]) for _, t in module.classes})
        title = " and ".join(f"``{p}::*``" for p in prefixes)
        summary = [
            f"Typed classes for Heat's {title} resource types, generated from Heat {module.heat_version}."
        ]
        listing = "\0" + "\n".join(f"- `{cls}`: ``{heat}``" for cls, heat in module.classes)
        usage = (
            "Each class takes its properties as keyword arguments named as in Heat (see "
            "`tools/gen_stdlib.py` for the few renamed ones) and offers Heat's attributes "
            "as typed `get_attr` values under `.attrs`."
        )
        lines.extend(docstring([*summary, usage, listing], ""))
        lines.append("")
        lines.append("from __future__ import annotations")
        lines.append("")
        groups: list[list[str]] = [[], [], [], []]
        for section, source, names in IMPORTS:
            if not names:
                if source in module.used:
                    groups[section].append(f"import {source}")
                continue
            used = sorted((n for n in names if n in module.used), key=_import_order)
            if not used:
                continue
            text = f"from {source} import {', '.join(used)}"
            if len(text) <= LINE_LENGTH:
                groups[section].append(text)
            else:
                groups[section].extend(layout(Call(f"from {source} import ", [*used]), ""))
        first = True
        for group in groups:
            if not group:
                continue
            if not first:
                lines.append("")
            lines.extend(group)
            first = False
        lines.append("")
        lines.extend(
            assignment(
                "",
                "__all__",
                None,
                Call("", [string(n) for n in sorted(module.public, key=_all_order)], "[", "]"),
            )
        )
        previous_is_class = False
        for block in module.blocks:
            is_class = block[0].startswith(("@", "class "))
            lines.append("")
            if is_class or previous_is_class:
                lines.append("")
            lines.extend(block)
            previous_is_class = is_class
        return "\n".join(lines) + "\n"

    # --- resources ---

    def resource(self, module: Module, cls: str, type_name: str, spec: Mapping[str, Any]) -> None:
        self.stats["types"] += 1
        module.classes.append((cls, type_name))
        module.claim(cls, type_name, planned=True)
        attributes_class = self.attributes(module, cls, type_name, spec)
        status = spec.get("support_status") or {}
        fields, hidden = self.fields(
            module, cls, spec["properties"], self.reserved_resource, top=True
        )
        module.use("ClassVar", "TypedResource", "AttributeAccess", "PropertySchema")
        module.use("Construct", "ResourceBase", "Sequence", "ConditionLike", "DeletionPolicy")
        module.use("Intrinsic", "Mapping", "NO_DEPENDENCIES")

        doc = [_first_paragraph(type_name, spec.get("description"))]
        rest = _rest_paragraphs(spec.get("description"))
        doc.extend(rest)
        doc.append(
            f"Heat type ``{type_name}``. Attributes: `{attributes_class}`, as "
            f"``{_instance_name(cls)}.attrs.<name>``."
        )
        note = _status_note("type", status)
        if note:
            doc.append(note)
        if type_name == "OS::Heat::None":
            doc.append(
                "Heat also accepts any properties for this type; write them with "
                '`hotdsl.Resource(..., type="OS::Heat::None", properties=...)`.'
            )
        module.use("generated_resource")
        lines = [
            "@generated_resource(eq=False, slots=False, repr=False, kw_only=True)",
            f"class {cls}(TypedResource):",
        ]
        lines.extend(docstring(doc, "    "))
        lines.append("")
        lines.append(f"    resource_type: ClassVar[str] = {string(type_name)}")
        if status.get("status", "SUPPORTED") != "SUPPORTED":
            module.use("SupportStatus")
            lines.append(
                f"    support_status: ClassVar[SupportStatus] = {string(status['status'])}"
            )
            if status.get("message"):
                message = " ".join(status["message"].split())
                lines.extend(
                    assignment("    ", "support_message", "ClassVar[str | None]", string(message))
                )
        if hidden:
            lines.extend(self.hidden_block(module, hidden))
        for field_code in fields:
            lines.append("")
            lines.extend(field_code.lines)
        lines.append("")
        lines.append(f"    attrs = AttributeAccess({attributes_class})")
        parameters = [
            "self",
            "scope: Construct",
            "id: str",
            "*",
            *(f"{n}: {a} = {d}" for n, a, d in RESOURCE_PARAMETERS),
            *self.parameters(module, cls, fields),
        ]
        # What `ResourceBase`'s attrs `__init__` does, then the fields, then the node.
        body = ["        self._scope = scope", "        self._id = id"]
        body.append("        self.depends_on = [] if depends_on is NO_DEPENDENCIES else depends_on")
        body.extend(f"        self.{n} = {n}" for n, _, _ in RESOURCE_PARAMETERS[1:])
        body.extend(f"        self.{f.name} = {f.name}" for f in fields)
        body.append("        self._attach(scope, id)")
        lines.extend(self.methods(parameters, body, fields))
        module.blocks.append(lines)
        self.stats["classes"] += 1

    def hidden_block(self, module: Module, hidden: list[tuple[str, Expr]]) -> list[str]:
        module.use("Mapping", "PropertySchema")
        entries = Call("", [Keyword(string(name), expr, ": ") for name, expr in hidden], "{", "}")
        return assignment(
            "    ", "hidden_properties", "ClassVar[Mapping[str, PropertySchema]]", entries
        )

    def fields(
        self,
        module: Module,
        owner: str,
        properties: Mapping[str, Any],
        reserved: frozenset[str],
        top: bool,
    ) -> tuple[list[FieldCode], list[tuple[str, Expr]]]:
        """The fields of a resource or item class, and its hidden properties."""
        taken: set[str] = set()
        fields: list[FieldCode] = []
        hidden: list[tuple[str, Expr]] = []
        for name in sorted(properties):
            schema = properties[name]
            if schema.get("hidden"):
                hidden.append((name, self.schema_expr(module, name, None, schema)))
                continue
            pname = python_name(name, taken, reserved)
            if pname != name:
                self.stats["renamed"].append(f"{owner}.{name} -> {pname}")
            annotation = self.annotation(module, owner, name, schema, item=False)
            required = bool(schema.get("required"))
            if not required and annotation != "Any":
                annotation += " | None"
            # Laid out as ruff does: on one line; else the default in parentheses; else
            # the annotation.
            default = "" if required else " = None"
            if len(f"    {pname}: {annotation}{default}") <= LINE_LENGTH:
                lines = [f"    {pname}: {annotation}{default}"]
            elif default and len(f"    {pname}: {annotation} = (") <= LINE_LENGTH:
                lines = [f"    {pname}: {annotation} = (", "        None", "    )"]
            else:
                lines = [f"    {pname}: (", f"        {annotation}", f"    ){default}"]
            lines.extend(docstring(self.field_doc(name, pname, schema, top), "    "))
            expr = self.schema_expr(module, name, pname, schema)
            fields.append(FieldCode(lines, pname, annotation, required, expr))
        return fields, hidden

    def parameters(self, module: Module, owner: str, fields: list[FieldCode]) -> list[str]:
        """The `__init__` keywords of the fields; an annotation too long for one line of the
        signature is named by a private alias first (ruff would split it over lines)."""
        out = []
        for code in fields:
            annotation = code.annotation
            default = "" if code.required else " = None"
            if len(f"        {code.name}: {annotation}{default},") > LINE_LENGTH:
                alias = f"_{owner}_{code.name}"
                module.use("TypeAlias")
                module.blocks.append(assignment("", alias, "TypeAlias", annotation))
                annotation = alias
            out.append(f"{code.name}: {annotation}{default}")
        return out

    def methods(self, parameters: list[str], body: list[str], fields: list[FieldCode]) -> list[str]:
        """`__init__` (written out, so that importing the module compiles nothing) and
        `_property_schemas` (Heat's schema of each field, built on first use)."""
        lines = [""]
        if len(parameters) == 1:
            lines.append("    def __init__(self) -> None:")
        else:
            lines.append("    def __init__(")
            lines.extend(f"        {p}," for p in parameters)
            lines.append("    ) -> None:")
        lines.extend(body or ["        pass"])
        lines.append("")
        lines.append("    @staticmethod")
        lines.append("    def _property_schemas() -> tuple[PropertySchema, ...]:")
        schemas = Call("", [f.schema for f in fields], "(", ")", one_tuple=len(fields) == 1)
        lines.extend(layout(schemas, "        ", "return "))
        return lines

    def field_doc(self, name: str, pname: str, schema: Mapping[str, Any], top: bool) -> list[str]:
        paragraphs = [schema.get("description") or f"Heat's ``{name}`` property."]
        notes: list[str] = []
        if schema.get("required"):
            notes.append("Required.")
        if top:
            if schema.get("immutable"):
                notes.append("Immutable: changing it fails the stack update.")
            elif schema.get("update_allowed"):
                notes.append("Can be changed in place.")
            else:
                notes.append("Changing it replaces the resource.")
        for constraint in schema.get("constraints") or ():
            text = _constraint_note(constraint)
            if text:
                notes.append(text)
        if "default" in schema:
            notes.append(f"Heat's default: ``{json.dumps(schema['default'])}``.")
        note = _status_note("property", schema.get("support_status") or {})
        if note:
            notes.append(note)
        if pname != name:
            notes.append(f"Heat's name: ``{name}`` (renamed in Python; see `tools/gen_stdlib.py`).")
        if notes:
            paragraphs.append(" ".join(notes))
        return paragraphs

    # --- types of values ---

    def annotation(
        self,
        module: Module,
        owner: str,
        name: str,
        schema: Mapping[str, Any],
        item: bool,
        allowed: list[Any] | None = None,
    ) -> str:
        """The Python type of a property, a nested key or a list item.

        Makes the Literal aliases and item classes the type names, and records the
        item classes by schema for `schema_expr`.
        """
        kind = schema["type"]
        base = camel(name) + ("Item" if item else "")
        allowed = _allowed_values(schema) or allowed
        where = f"{owner}.{name}"
        if kind in SCALAR_TYPES:
            py = SCALAR_TYPES[kind]
            module.use("Intrinsic")
            if allowed is not None:
                alias = self.literal_alias(module, owner + base, allowed, kind, where)
                return f"{alias} | Intrinsic[{py}]"
            return f"{py} | Intrinsic[{py}]"
        if kind == "list":
            module.use("ListOf")
            item_schema = (schema.get("schema") or {}).get("*")
            if item_schema is None:
                item_schema = {"type": "string" if allowed is not None else "any"}
            inner = self.annotation(module, owner, name, item_schema, item=True, allowed=allowed)
            return f"ListOf[{inner}]"
        if kind == "map":
            keys = schema.get("schema")
            if keys:
                module.use("MapOf")
                item_class = self.item_class(module, owner + base, keys, schema, where, item)
                self.item_classes[id(schema)] = item_class
                return f"MapOf[{item_class}]"
            module.use("Intrinsic", "Mapping", "Any")
            return "Mapping[str, Any] | Intrinsic[Mapping[str, Any]]"
        if kind == "any":
            module.use("Any")
            return "Any"
        raise ValueError(f"{owner}.{name}: unknown property type {kind!r}")

    def literal_alias(
        self, module: Module, name: str, allowed: list[Any], kind: str, where: str
    ) -> str:
        module.claim(name, where)
        module.use("Literal", "TypeAlias")
        if kind == "string":
            values = list(dict.fromkeys(str(v) for v in allowed))
        else:
            values = list(dict.fromkeys(allowed))
        lines = assignment(
            "", name, "TypeAlias", Call("Literal", [literal(v) for v in values], "[", "]")
        )
        lines.extend(docstring([f"The values Heat allows for `{where}`."], ""))
        module.blocks.append(lines)
        self.stats["aliases"] += 1
        return name

    def item_class(
        self,
        module: Module,
        name: str,
        keys: Mapping[str, Any],
        schema: Mapping[str, Any],
        where: str,
        item: bool,
    ) -> str:
        module.claim(name, where)
        module.use("PropertyItem", "PropertySchema", "generated_item")
        fields, hidden = self.fields(module, name, keys, self.reserved_item, top=False)
        what = f"An item of `{where}`" if item else f"The value of `{where}`"
        doc = [f"{what}: a map with these keys (a dict with Heat's key names works too)."]
        if schema.get("description"):
            doc.append(schema["description"])
        lines = ["@generated_item(kw_only=True)", f"class {name}(PropertyItem):"]
        lines.extend(docstring(doc, "    "))
        if hidden:
            lines.append("")
            lines.extend(self.hidden_block(module, hidden))
        for field_code in fields:
            lines.append("")
            lines.extend(field_code.lines)
        parameters = ["self", *(["*"] if fields else []), *self.parameters(module, name, fields)]
        body = layout(
            Call("self.__dict__.update", [f"{f.name}={f.name}" for f in fields]), "        "
        )
        lines.extend(self.methods(parameters, body if fields else [], fields))
        module.blocks.append(lines)
        self.stats["classes"] += 1
        return name

    def schema_expr(
        self,
        module: Module,
        name: str,
        pname: str | None,
        schema: Mapping[str, Any],
        call: str = "PropertySchema",
    ) -> Call:
        """`heat_property(...)` / `PropertySchema(...)`: Heat's schema as Python.

        Nested map schemas refer to the item classes `annotation` made for them; the
        schema of a hidden property has none (it is not offered as an argument).
        """
        module.use(call)
        args: list[Expr] = [string(name), string(schema["type"])]
        if pname is not None and pname != name:
            args.append(Keyword("python_name", string(pname)))
        for key in ("required", "update_allowed", "immutable"):
            if schema.get(key):
                args.append(Keyword(key, "True"))
        if "default" in schema and schema["default"] is not None:
            args.append(Keyword("default", literal(schema["default"])))
        constraints = [self.constraint_expr(module, c) for c in schema.get("constraints") or ()]
        if constraints:
            args.append(Keyword("constraints", Call("", constraints, "[", "]")))
        sub = schema.get("schema") or {}
        if schema["type"] == "list" and "*" in sub:
            args.append(Keyword("item", self.schema_expr(module, "*", None, sub["*"])))
        item_class = self.item_classes.get(id(schema))
        if item_class is not None:
            args.append(Keyword("item_class", item_class))
        status = schema.get("support_status") or {}
        if status.get("status", "SUPPORTED") != "SUPPORTED":
            args.append(Keyword("status", string(status["status"])))
            if status.get("message"):
                args.append(Keyword("status_message", string(status["message"])))
        if schema.get("replaced_by"):
            args.append(Keyword("replaced_by", string(schema["replaced_by"])))
        return Call(call, args)

    def constraint_expr(self, module: Module, constraint: Mapping[str, Any]) -> Expr:
        args: list[Expr]
        if "length" in constraint or "range" in constraint:
            kind = "length" if "length" in constraint else "range"
            bounds = constraint[kind]
            args = [
                Keyword(k, literal(bounds[k])) for k in ("min", "max") if bounds.get(k) is not None
            ]
            cls = "Length" if kind == "length" else "Range"
        elif "modulo" in constraint:
            cls = "Modulo"
            args = [Keyword(k, literal(constraint["modulo"][k])) for k in ("step", "offset")]
        elif "allowed_values" in constraint:
            cls = "AllowedValues"
            args = [literal(list(constraint["allowed_values"]))]
        elif "allowed_pattern" in constraint:
            cls = "AllowedPattern"
            args = [string(constraint["allowed_pattern"])]
        elif "custom_constraint" in constraint:
            cls = "CustomConstraint"
            args = [string(constraint["custom_constraint"])]
        else:
            raise ValueError(f"unknown constraint {constraint!r}")
        if constraint.get("description"):
            args.append(Keyword("description", string(constraint["description"])))
        module.use(cls)
        return Call(cls, args)

    # --- attributes ---

    def attributes(self, module: Module, cls: str, type_name: str, spec: Mapping[str, Any]) -> str:
        name = module.claim(f"{cls}Attributes", type_name, planned=True)
        module.use("Attributes", "ClassVar", "GetAttr")
        attributes: Mapping[str, Any] = spec["attributes"]
        dynamic = type_name in self.dynamic
        doc = [
            f"Heat's attributes of `{cls}` (``{type_name}``), as ``{_instance_name(cls)}.attrs.<name>``."
        ]
        if dynamic:
            doc.append(
                "This type also resolves attribute names that are not listed here (see "
                "Heat's documentation of the type); reach them with ``get(name)``."
            )
        lines = [f"class {name}(Attributes):"]
        lines.extend(docstring(doc, "    "))
        lines.append("")
        lines.append("    __slots__ = ()")
        names = Call(
            "", [string(a) for a in sorted(attributes)], "(", ")", one_tuple=len(attributes) == 1
        )
        lines.extend(assignment("    ", "names", "ClassVar[tuple[str, ...]]", names))
        if dynamic:
            lines.append("    dynamic: ClassVar[bool] = True")
        taken: set[str] = set()
        for attribute in sorted(attributes):
            schema = attributes[attribute]
            pname = python_name(attribute, taken, self.reserved_attributes)
            py = ATTRIBUTE_TYPES[schema.get("type")]
            if "Any" in py:
                module.use("Any")
            status = schema.get("support_status") or {}
            lines.append("")
            lines.append("    @property")
            lines.append(f"    def {pname}(self) -> GetAttr[{py}]:")
            paragraphs = [schema.get("description") or f"Heat's ``{attribute}`` attribute."]
            notes = []
            note = _status_note("attribute", status)
            if note:
                notes.append(note)
            if pname != attribute:
                notes.append(f"Heat's name: ``{attribute}``.")
            if notes:
                paragraphs.append(" ".join(notes))
            lines.extend(docstring(paragraphs, "        "))
            hot_type = HOT_TYPES.get(schema.get("type") or "")
            extra = [string(hot_type)] if hot_type else []
            if status.get("status") in ("DEPRECATED", "HIDDEN"):
                message = string(status["message"]) if status.get("message") else "None"
                call = Call(
                    "self._get_deprecated",
                    [string(attribute), string(status["status"]), message, *extra],
                )
            else:
                call = Call("self._get", [string(attribute), *extra])
            lines.extend(layout(call, "        ", "return "))
        module.blocks.append(lines)
        self.stats["classes"] += 1
        return name


def _import_order(name: str) -> tuple[int, str]:
    """isort's order within one import: CONSTANTS, Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1, name) if name[0].isupper() else (2, name)


def _all_order(name: str) -> tuple[int, list[int | str]]:
    """ruff's order of `__all__` (RUF022): CONSTANTS, Classes, others; digits compared as numbers."""
    natural: list[int | str] = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
    return _import_order(name)[0], natural


def _instance_name(cls: str) -> str:
    """`Server` -> `server`, `EC2Instance` -> `ec2_instance`: how the docs call an instance."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.rstrip("_")).lower()


def _allowed_values(schema: Mapping[str, Any]) -> list[Any] | None:
    for constraint in schema.get("constraints") or ():
        if "allowed_values" in constraint:
            return list(constraint["allowed_values"])
    return None


NO_DESCRIPTION = "No description available"


def _first_paragraph(type_name: str, description: str | None) -> str:
    if not description or description.strip() == NO_DESCRIPTION:
        return f"``{type_name}``: Heat's {type_name.split('::')[-1]} resource."
    first = description.strip().split("\n\n")[0]
    return f"``{type_name}``: {' '.join(first.split())}"


def _rest_paragraphs(description: str | None) -> list[str]:
    if not description or description.strip() == NO_DESCRIPTION:
        return []
    rest = description.strip().split("\n\n", 1)
    if len(rest) == 1:
        return []
    return ["\0" + textwrap.dedent(rest[1]).strip("\n")]


def _status_note(what: str, status: Mapping[str, Any]) -> str | None:
    state = status.get("status", "SUPPORTED")
    version = status.get("version")
    message = status.get("message")
    if state == "SUPPORTED":
        return f"Available since Heat {version}." if version else None
    words = {
        "DEPRECATED": f"Deprecated {what}",
        "HIDDEN": f"Retired {what} (hidden in Heat)",
        "UNSUPPORTED": f"Unsupported {what}: Heat does not test it; use at your own risk",
        "UNKNOWN": f"Support status of this {what} unknown",
    }
    text = words.get(state, f"Support status {state}")
    if version:
        text += f" since Heat {version}"
    text += "."
    if message:
        text += " " + " ".join(str(message).split())
        if not text.endswith("."):
            text += "."
    return text


def _constraint_note(constraint: Mapping[str, Any]) -> str | None:
    if "range" in constraint or "length" in constraint:
        kind = "range" if "range" in constraint else "length"
        bounds = constraint[kind]
        low, high = bounds.get("min"), bounds.get("max")
        label = "Range" if kind == "range" else "Length"
        if low is not None and high is not None:
            return f"{label}: {low} to {high}."
        if low is not None:
            return f"{label}: at least {low}."
        return f"{label}: at most {high}."
    if "modulo" in constraint:
        return f"Modulo: {constraint['modulo']}."
    if "allowed_values" in constraint:
        values = constraint["allowed_values"]
        if len(values) > 12:
            return f"One of {len(values)} allowed values."
        return "Allowed values: " + ", ".join(f"``{v}``" for v in values) + "."
    if "allowed_pattern" in constraint:
        return f"Must match ``{constraint['allowed_pattern']}``."
    if "custom_constraint" in constraint:
        return f"Heat checks it against the cloud as a ``{constraint['custom_constraint']}``."
    return None


# --- entry points ---------------------------------------------------------------------------------


def generate(spec: Mapping[str, Any]) -> dict[str, str]:
    """File name (`nova.py`) -> text of every generated module."""
    return Generator(spec).modules()


def load_spec(path: Path = ROOT / SPEC) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def generated_files(out: Path) -> Iterator[Path]:
    """The modules in `out` that this generator wrote (by their header)."""
    for path in sorted(out.glob("*.py")):
        with open(path, encoding="utf-8") as handle:
            if handle.readline().startswith(f"# Generated by {GENERATOR}"):
                yield path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=ROOT / SPEC)
    parser.add_argument("--out", type=Path, default=ROOT / OUT)
    parser.add_argument("--check", action="store_true", help="fail if the generated modules differ")
    args = parser.parse_args(argv)
    generator = Generator(load_spec(args.spec))
    modules = generator.modules()
    stale = [p for p in generated_files(args.out) if p.name not in modules]
    changed = [n for n, text in modules.items() if not _same(args.out / n, text)]
    if args.check:
        for name in changed:
            print(f"{args.out / name} differs from what {GENERATOR} generates", file=sys.stderr)
        for path in stale:
            print(f"{path} was generated but no longer is", file=sys.stderr)
        if changed or stale:
            print(f"run `python {GENERATOR}` and commit the result", file=sys.stderr)
            return 1
        return 0
    for name in changed:
        (args.out / name).write_text(modules[name], encoding="utf-8")
    for path in stale:
        path.unlink()
    stats = generator.stats
    print(
        f"{len(modules)} modules, {stats['types']} resource types, {stats['classes']} classes, "
        f"{stats['aliases']} Literal aliases, {len(stats['renamed'])} renamed names; "
        f"{len(changed)} files written, {len(stale)} removed",
        file=sys.stderr,
    )
    return 0


def _same(path: Path, text: str) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == text


if __name__ == "__main__":
    sys.exit(main())
