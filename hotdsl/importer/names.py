"""Name: Python names for template names: ASCII identifiers, never keywords, never taken twice.

The third stage of `hotdsl import`: it takes the names of the model (template,
parameter, condition, resource and output names) and gives the identifiers, class
names and construct ids the write stage uses.

A template may name things anything (`my-server.1`, `__import__('os')`, `class`, names
in any script); a Python name is derived from it by one rule and the template keeps the
original, which the generated code passes as a string. Only ASCII letters, digits and
underscores survive, so Python's NFKC normalisation of identifiers cannot make two
different names one.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable

from hotdsl.importer.typed import stdlib_modules
from hotdsl.nested import NestedStack, RemoteStack
from hotdsl.versions import FUNCTIONS, PSEUDO_PARAMETER_PYTHON_NAMES

MAX_LENGTH = 48
"""Longer names are cut (and numbered if that makes them collide)."""

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9]+")


def snake_case(name: str) -> str:
    """`WebServer` -> `web_server`, `my-server.1` -> `my_server_1`, `ünï` -> `n`; may be empty."""
    spaced = _WORD_BOUNDARY.sub("_", name)
    words = [w for w in _NOT_IDENTIFIER.split(spaced) if w]
    return "_".join(words).lower()


def camel_case(name: str) -> str:
    """`hello_world` -> `HelloWorld`, `WordPress_2_Instances` -> `WordPress2Instances`."""
    words = [w for w in _NOT_IDENTIFIER.split(name) if w]
    return "".join(w[:1].upper() + w[1:] for w in words)


RESERVED = (
    frozenset(dir(builtins))
    | frozenset(keyword.kwlist)
    | frozenset(keyword.softkwlist)
    | {
        "self",
        "scope",
        "id",
        "template",
        "app",
        "attrs",
        "annotations",
    }
)
"""Names a generated name must not shadow: builtins, keywords, the names of the code itself."""


class Namespace:
    """Hands out distinct identifiers in one scope of the generated module."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(RESERVED) | set(reserved)

    def reserve(self, *names: str) -> None:
        self.taken.update(names)

    def claim(self, wanted: str, fallback: str, *, style: str = "snake") -> str:
        """A fresh identifier close to `wanted` (`fallback` if nothing of it is usable)."""
        base = snake_case(wanted) if style == "snake" else camel_case(wanted)
        base = base[:MAX_LENGTH].rstrip("_")
        if not base or base[0].isdigit():
            base = f"{fallback}_{base}" if base else fallback
        candidate = base
        counter = 1
        while (
            candidate in self.taken or keyword.iskeyword(candidate) or not candidate.isidentifier()
        ):
            if counter == 1 and not base.lower().endswith(fallback.lower()):
                candidate = f"{base}_{fallback}" if style == "snake" else f"{base}{fallback}"
            else:
                candidate = f"{base}_{counter}" if style == "snake" else f"{base}{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate


HOTDSL_CLASSES = (
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
    "undeclared_param",
    "fn",
)
"""hotdsl's classes and helpers the generated module may import, besides the DSL functions
of HOT's functions and the pseudo parameters' constants (both in `hotdsl.versions`)."""
OTHER_NAMES = ("Any", "ClassVar", "cast", "TemplateResource", "provider_template", "provider_type")
"""Other names the generated module may import, from hotdsl and typing."""

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


def module_names() -> frozenset[str]:
    """Names the generated module's own code takes at module level, before any template name."""
    return frozenset(
        [
            *HOTDSL_CLASSES,
            *(function.python_name for function in FUNCTIONS.values()),
            *PSEUDO_PARAMETER_PYTHON_NAMES.values(),
            *OTHER_NAMES,
            *stdlib_modules(),
            "app",
            "stack",
        ]
    )


def class_name_for(stem: str) -> str:
    """The stack class name for a template file's stem."""
    name = camel_case(stem) or "Imported"
    return name if not name[0].isdigit() else f"Template{name}"


class ConstructIds:
    """Construct ids in one template: a template name where it can be one, else one made
    from it (then the logical name must be pinned to the template name)."""

    def __init__(self, resource_names: Iterable[str]) -> None:
        self.ids: set[str] = set()
        # resources keep their names as ids; other sections get theirs after them
        for name in resource_names:
            if "/" not in name:
                self.ids.add(name)
        self.reserved_resource_ids = set(self.ids)

    def resource_id(self, name: str) -> tuple[str, bool]:
        """The id of a resource; True if its logical name must be pinned."""
        if name in self.reserved_resource_ids:
            self.reserved_resource_ids.discard(name)
            return name, False
        return self.construct_id(name, "resource")

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
