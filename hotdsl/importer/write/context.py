"""What every writer of one module shares: the plan, the imports, findings and kept files.

Also the annotations of hotdsl's own functions that the writers check code against
(`want`), and `plain_code` for plain data.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable

import attrs

from hotdsl import intrinsics as fn
from hotdsl.construct import Construct
from hotdsl.importer.collect import FilePlan, ImportPlan
from hotdsl.importer.model import Finding
from hotdsl.importer.nesting import Nesting
from hotdsl.importer.pysource import (
    INDENT,
    LINE_LENGTH,
    Code,
    dict_display,
    display,
    scalar,
)
from hotdsl.importer.typed import Static

Rendered = tuple[Code, Static]
"""Code, and its static type as mypy will see it."""


@functools.cache
def _hints(function: Callable[..., object]) -> dict[str, object]:
    """The annotations of a DSL function: what its arguments must be, as mypy sees them."""
    return typing.get_type_hints(function, localns={"Construct": Construct})


def want(function: Callable[..., object], parameter: str) -> object:
    return _hints(function)[parameter]


CONDITION_LIKE = want(fn.if_, "condition")
PATH_KEY = want(fn.get_param, "path")
VALUE_STR = want(fn.str_replace, "template")


class Imports:
    """What the generated module imports, gathered while it is written."""

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


@attrs.define
class ModuleContext:
    """One module being written: what its template writers read and add to."""

    plan: ImportPlan
    width: int
    nesting: Nesting
    module_names: frozenset[str]
    """Names taken at module level: hotdsl's, the stdlib modules', the classes'."""
    imports: Imports = attrs.field(factory=Imports)
    findings: list[Finding] = attrs.field(factory=list)
    files: dict[str, FilePlan] = attrs.field(factory=dict)
    """The files the module reads with get_file, by key."""


def plain_code(value: object) -> Code:
    """Plain data (parameter values, defaults): no functions, nothing to resolve."""
    if isinstance(value, dict):
        return dict_display([(scalar(k), plain_code(v)) for k, v in value.items()])
    if isinstance(value, list):
        return display([plain_code(v) for v in value])
    return scalar(value)
