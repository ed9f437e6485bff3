"""Python source text: safe literals and identifiers, laid out as `ruff format` lays them out.

Nothing from a template is ever pasted into code as it is. Strings become string
literals that are checked, by parsing them back, to be exactly one constant with the
right value; names become ASCII identifiers (`names.py`); numbers are written by their
`repr`. The layout follows ruff's (Black's) rules for the few shapes the importer
writes: calls, keyword arguments, list and dict displays, subscripts.
"""

from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Sequence

import attrs

LINE_LENGTH = 88
"""ruff's default line length, which the generated module is laid out for."""

INDENT = "    "


# --- the code model ---------------------------------------------------------------------------


@attrs.frozen
class Atom:
    """Code that is never split: a name, a number, a string literal (maybe multi-line)."""

    text: str


@attrs.frozen
class Keyword:
    """`name=value` in a call."""

    name: str
    value: Code


@attrs.frozen
class Pair:
    """`key: value` in a dict display."""

    key: Code
    value: Code


@attrs.frozen
class Bracket:
    """`head(items)`, `head[items]`, or a display `[items]` / `{items}` (empty head)."""

    head: str
    items: tuple[Code | Keyword | Pair, ...]
    open: str = "("
    close: str = ")"

    @property
    def is_display(self) -> bool:
        return not self.head


Code = Atom | Bracket


def call(head: str, *args: Code, **kwargs: Code) -> Bracket:
    """`head(*args, name=value, ...)`."""
    return Bracket(head, (*args, *(Keyword(k, v) for k, v in kwargs.items())))


def flat(code: Code | Keyword | Pair) -> str:
    """The code on one line (a multi-line string keeps its line breaks)."""
    if isinstance(code, Atom):
        return code.text
    if isinstance(code, Keyword):
        return f"{code.name}={flat(code.value)}"
    if isinstance(code, Pair):
        return f"{flat(code.key)}: {flat(code.value)}"
    return code.head + code.open + ", ".join(flat(i) for i in code.items) + code.close


def width_of(text: str) -> int:
    """Columns the text takes, as ruff counts them: wide East Asian characters and emoji two,
    combining marks none."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def layout(
    code: Code | Keyword | Pair,
    indent: str,
    prefix: str = "",
    suffix: str = "",
    width: int = LINE_LENGTH,
) -> list[str]:
    """Lines for `prefix + code + suffix` at `indent`, split where ruff would split them.

    Ruff's rules, for these shapes: what fits on the line stays there; otherwise a
    bracket's content goes on its own indented line if it fits there (a display with
    several items never: it gets one item per line), else one item per line with a
    trailing comma, each item laid out by the same rule. A multi-line string never
    fits; as the only argument of a call it stays hugged by the parentheses.
    """
    text = flat(code)
    if "\n" not in text and len(indent) + width_of(prefix) + width_of(text) + len(suffix) <= width:
        return [indent + prefix + text + suffix]
    if isinstance(code, Keyword):
        return layout(code.value, indent, f"{prefix}{code.name}=", suffix, width)
    if isinstance(code, Pair):
        return layout(code.value, indent, f"{prefix}{flat(code.key)}: ", suffix, width)
    if isinstance(code, Atom):
        return (indent + prefix + text + suffix).split("\n")
    items = code.items
    if (
        not code.is_display
        and len(items) == 1
        and isinstance(items[0], Atom)
        and "\n" in items[0].text
        and code.open == "("
    ):
        return (indent + prefix + text + suffix).split("\n")
    inner = indent + INDENT
    lines = [indent + prefix + code.head + code.open]
    joined = ", ".join(flat(i) for i in items)
    explode = code.is_display and len(items) > 1
    if not explode and "\n" not in joined and len(inner) + width_of(joined) <= width:
        lines.append(inner + joined)
    elif len(items) == 1:
        lines.extend(layout(items[0], inner, "", "", width))
    else:
        for item in items:
            lines.extend(layout(item, inner, "", ",", width))
    lines.append(indent + code.close + suffix)
    return lines


def statement(indent: str, target: str | None, code: Code, width: int = LINE_LENGTH) -> list[str]:
    """`target = code` (or the bare expression) as laid-out lines.

    A value that cannot be split (a long string) is put in parentheses on its own line
    when that makes it fit, as ruff does.
    """
    if target and isinstance(code, Atom) and "\n" not in code.text:
        head = f"{indent}{target} = "
        size = width_of(code.text)
        if width_of(head) + size > width and len(indent) + len(INDENT) + size <= width:
            return [f"{head}(", f"{indent}{INDENT}{code.text}", f"{indent})"]
    return layout(code, indent, f"{target} = " if target else "", "", width)


# --- literals --------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

_literal_cache: dict[str, str] = {}


def string(text: str) -> Atom:
    """A string literal for `text`: one line with escapes, or a triple-quoted block for a
    script (several lines of printable text)."""
    literal = _literal_cache.get(text)
    if literal is None:
        literal = _block_literal(text) if _is_script(text) else None
        if literal is None:
            literal = _line_literal(text)
        _check_literal(literal, text)
        _literal_cache[text] = literal
    return Atom(literal)


def _is_script(text: str) -> bool:
    body = text.rstrip("\n")
    return "\n" in body and all(line.isprintable() for line in text.replace("\t", " ").split("\n"))


def _line_literal(text: str) -> str:
    """Ruff's choice of quotes: double, unless the text holds more double than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    out = [quote]
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(_escape_code(char))
    out.append(quote)
    return "".join(out)


def _escape_code(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _block_literal(text: str) -> str | None:
    """`\"\"\"\\` + the text's lines + `\"\"\"`: a script reads as a script."""
    out = ['"""\\\n']
    for index, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char == "\t":
            out.append("\\t")
        elif char == '"' and (
            index == len(text) - 1
            or text[index + 1] == '"'
            or (index > 0 and text[index - 1] == '"')
        ):
            out.append('\\"')
        else:
            out.append(char)
    out.append('"""')
    return "".join(out)


def _check_literal(literal: str, text: str) -> None:
    """The literal must be one string constant equal to `text`: nothing else can hide in it."""
    tree = ast.parse(literal, mode="eval")
    if not (
        isinstance(tree.body, ast.Constant)
        and tree.body.value == text
        and type(tree.body.value) is str
    ):
        raise AssertionError(f"string literal does not round-trip: {text!r}")


def scalar(value: object) -> Atom:
    """A literal for a YAML scalar: None, a bool, an int, a float or a string."""
    if value is None or isinstance(value, bool):
        return Atom(repr(value))
    if isinstance(value, int):
        return Atom(int.__repr__(value))
    if isinstance(value, float):
        if math.isnan(value):
            return Atom('float("nan")')
        if math.isinf(value):
            return Atom('float("inf")' if value > 0 else 'float("-inf")')
        return Atom(float.__repr__(value))
    if isinstance(value, str):
        return string(str.__str__(value))
    raise TypeError(f"not a scalar: {type(value).__name__}")


def comment(indent: str, text: str, width: int = LINE_LENGTH) -> list[str]:
    """`# text` lines, wrapped; anything unprintable (line breaks above all) is escaped."""
    safe = "".join(c if c.isprintable() else _escape_code(c) for c in text)
    words = safe.split(" ")
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and len(indent) + 2 + len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return [f"{indent}# {line}".rstrip() for line in lines]


def docstring(indent: str, text: str) -> list[str]:
    """A one-line docstring of printable text without quotes or backslashes."""
    safe = "".join(c for c in text if c.isprintable() and c not in '"\\').strip()
    return [f'{indent}"""{safe}"""']


def display(items: Sequence[Code], open: str = "[", close: str = "]") -> Bracket:
    return Bracket("", tuple(items), open, close)


def dict_display(pairs: Sequence[tuple[Code, Code]]) -> Bracket:
    return Bracket("", tuple(Pair(k, v) for k, v in pairs), "{", "}")


def definition(
    indent: str, name: str, parameters: Sequence[str], returns: str, width: int = LINE_LENGTH
) -> list[str]:
    """`def name(parameters) -> returns:` laid out as ruff lays it out: on one line if it
    fits, else the parameters on one line of their own, else one parameter a line."""
    joined = ", ".join(parameters)
    one = f"{indent}def {name}({joined}) -> {returns}:"
    if width_of(one) <= width:
        return [one]
    inner = indent + INDENT
    head, tail = f"{indent}def {name}(", f"{indent}) -> {returns}:"
    if width_of(inner + joined) <= width:
        return [head, inner + joined, tail]
    return [head, *(f"{inner}{parameter}," for parameter in parameters), tail]
