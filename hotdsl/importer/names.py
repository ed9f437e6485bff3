"""Python names for template names: ASCII identifiers, never keywords, never taken twice.

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
