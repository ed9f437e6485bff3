"""Reading values: a template's data -> expressions, as Heat reads them in its version.

`TemplateReader` holds what the model stage knows while it reads one template (its
version, the names it declares, what it has found) and turns each value into an
`Expr`: single-key maps that are function calls in the version become calls, checked
by their reader in `functions.FUNCTION_READERS`; others stay data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hotdsl.importer.model.functions import FUNCTION_READERS
from hotdsl.importer.model.nodes import (
    Call,
    CondRef,
    Expr,
    Finding,
    FindingLevel,
    Lit,
    Map,
    ParamRef,
    ProviderTypeRef,
    Scalar,
    Seq,
    UndeclaredParamRef,
)
from hotdsl.importer.model.rules import RESOLVED_ARGUMENT_FUNCTIONS
from hotdsl.importer.parse import MAX_VALUES, Document, TemplateError
from hotdsl.versions import (
    CONDITION_FUNCTION_SINCE,
    FUNCTION_SINCE,
    TemplateVersion,
)

ProviderLookup = Callable[[str], bool]
"""Whether a resource type names a provider template (a file, or a registry mapping)."""


class TemplateReader:
    """The state of reading one template, and the reading of its values."""

    def __init__(
        self,
        document: Document,
        data: dict[Any, Any],
        language: TemplateVersion,
        is_provider: ProviderLookup,
    ) -> None:
        self.doc = document
        self.data = data
        self.language = language
        """What the template's version has: its sections, keys and functions."""
        self.version = language.date
        self.is_provider = is_provider
        self.findings: list[Finding] = []
        self.parameter_names: set[str] = set()
        self.resource_names: set[str] = set()
        self.condition_names: set[str] = set()
        self.budget = MAX_VALUES
        self.active: set[int] = set()
        self.in_properties = False
        """True while reading resource properties, where `type: x.yaml` names a provider."""
        self.guarded = 0
        """How many conditions and `if` branches enclose what is being read: there Heat may
        never evaluate a value, so a reference to nothing is a latent bug, not an error."""

    def error(self, message: str, container: object = None, key: object = None) -> TemplateError:
        return self.doc.error(message, container, key)

    def find(
        self, level: FindingLevel, message: str, container: object = None, key: object = None
    ) -> None:
        line = self.doc.lines.line(container, key) if container is not None else None
        self.findings.append(Finding(level, message, self.doc.name, line))

    def literal(self, value: object, container: object, key: object) -> None:
        """Check that a value is plain data (no binary, sets or other YAML-only types)."""
        self.expr(value, container, key, plain=True)

    def expr(
        self,
        value: object,
        container: object,
        key: object,
        *,
        condition: bool = False,
        plain: bool = False,
    ) -> Expr:
        """The expression for `value`, found at `container[key]` (for line numbers)."""
        self.budget -= 1
        if self.budget < 0:
            raise self.error(
                f"the template expands to more than {MAX_VALUES} values (through YAML "
                "aliases?); hotdsl will not import it",
                container,
                key,
            )
        if value is None or isinstance(value, (str, bool, int)):
            if condition and isinstance(value, str) and not plain:
                return self.condition_name(value, container, key)
            return Lit(value)
        if isinstance(value, float):
            return Lit(value)
        if isinstance(value, (list, dict)):
            marker = id(value)
            if marker in self.active:
                raise self.error(
                    "the YAML contains itself (a recursive alias); Heat cannot use it",
                    container,
                    key,
                )
            self.active.add(marker)
            try:
                if isinstance(value, list):
                    return Seq(
                        tuple(
                            self.expr(item, value, index, condition=False, plain=plain)
                            for index, item in enumerate(value)
                        )
                    )
                if len(value) == 1 and not plain:
                    ((name, args),) = value.items()
                    if isinstance(name, str):
                        call = self.function(name, args, value, container, key, condition)
                        if call is not None:
                            return call
                entries: list[tuple[Scalar, Expr]] = []
                for k, v in value.items():
                    if not (k is None or isinstance(k, (str, int, float, bool))):
                        raise self.error(
                            f"a mapping key must be a string or a number, not a {kind_of(k)}",
                            value,
                            k,
                        )
                    if (
                        self.in_properties
                        and k == "type"
                        and isinstance(v, str)
                        and self.is_provider(v)
                        and set(value) <= {"type", "properties", "metadata"}
                    ):
                        entries.append((k, ProviderTypeRef(v, self.doc.lines.line(value, k))))
                    else:
                        entries.append((k, self.expr(v, value, k, plain=plain)))
                return Map(tuple(entries))
            finally:
                self.active.discard(marker)
        raise self.error(
            f"a value of YAML type {kind_of(value)} cannot be written in a template "
            "(hotdsl imports strings, numbers, booleans, null, lists and mappings)",
            container,
            key,
        )

    def condition_name(self, name: str, container: object, key: object) -> Expr:
        if name in self.condition_names:
            return CondRef(name)
        raise self.error(
            f"{name!r} is not a condition of this template (a condition is a name from "
            "the conditions section, a boolean or a condition function)",
            container,
            key,
        )

    def condition_expr(self, value: object, container: object, key: object) -> Expr:
        """A condition as Heat takes it: a condition's name, a boolean or a function call."""
        self.guarded += 1
        try:
            expr = self.expr(value, container, key, condition=True)
        finally:
            self.guarded -= 1
        if isinstance(expr, (CondRef, Call, ParamRef, UndeclaredParamRef)) or (
            isinstance(expr, Lit) and isinstance(expr.value, bool)
        ):
            return expr
        functions = list(self.language.condition_functions)
        raise self.error(
            f"a condition cannot be a {kind_of(value)}: Heat takes the name of a condition, "
            f"true or false, or a condition function ({', '.join(functions)} in "
            f"heat_template_version {self.version})",
            container,
            key,
        )

    def function(
        self,
        name: str,
        args: object,
        holder: dict[Any, Any],
        container: object,
        key: object,
        condition: bool,
    ) -> Expr | None:
        """A function call, or None if Heat reads this single-key map as plain data."""
        version = self.version
        if name in self.language.cfn_functions:
            self.find(
                "note",
                f"{name} is a CloudFormation function that hotdsl has no function for; "
                "it is kept as a plain mapping, which Heat reads the same way",
                container,
                key,
            )
            return None
        if name in self.language.removed_functions:
            self.find(
                "invalid",
                f"{name} is not available in heat_template_version {version}; "
                "Heat rejects the template",
                container,
                key,
            )
            return None
        table = CONDITION_FUNCTION_SINCE if condition else FUNCTION_SINCE
        since = table.get(name)
        if since is None:
            if condition and name in FUNCTION_SINCE and "conditions" in self.language.sections:
                raise self.error(
                    f"{name} cannot be used in a condition; Heat allows only "
                    f"{', '.join(sorted(CONDITION_FUNCTION_SINCE))} there",
                    holder,
                    name,
                )
            return None
        if version < since:
            self.find(
                "note",
                f"{name} is not a function in heat_template_version {version} (it came in "
                f"{since}); Heat reads it as a plain mapping, and so does the import",
                container,
                key,
            )
            return None
        if name in RESOLVED_ARGUMENT_FUNCTIONS and isinstance(args, dict) and self.is_call(args):
            # `map_merge: {repeat: ...}`: Heat resolves the inner call, then checks its result
            return Call(name, self.expr(args, holder, name))
        return FUNCTION_READERS[name](self, args, holder, name)

    def is_call(self, value: dict[Any, Any]) -> bool:
        """Whether Heat reads this mapping as a function call in the template's version."""
        if len(value) != 1:
            return False
        (key,) = value
        return isinstance(key, str) and key in self.language.functions


def kind_of(value: object) -> str:
    """The YAML name of a value's type, for messages."""
    names = {
        dict: "mapping",
        list: "list",
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "null",
        bytes: "binary value",
        set: "set",
        tuple: "pair list",
    }
    return names.get(type(value), type(value).__name__)
