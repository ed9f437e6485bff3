"""Emit: the last synth stage, plain template data -> HOT YAML text.

Why not ``yaml.dump``? Three reasons, all of which matter for synthesized templates:

* **Speed.** A 10,001-resource template takes PyYAML's C dumper over a second; the
  generic representer/serializer/emitter machinery does far more than plain data needs.
  This writer handles only dict/list/str/int/float/bool/None, memoizes the rendering of
  every string (templates repeat the same names and values constantly) and builds the
  text with one ``"".join``; it is more than ten times faster.
* **Readability.** Templates are reviewed in pull requests, so the output looks like what
  Heat users write by hand: block style, 2-space indentation, sequences indented under
  their key, short intrinsic calls on one line (``{get_param: image}``), scripts as
  literal blocks, keys in the order the caller gave, and no line folding.
* **Exactness.** ``yaml.safe_load(emit_yaml(d)) == d`` with the same types: every string
  that YAML 1.1 (PyYAML's resolver) or YAML 1.2 would read as a bool, null, number,
  date or merge key is quoted, and floats are written in a form PyYAML reads back as a
  float (``1.0e-05``, not Python's ``1e-05``, which PyYAML reads as a string).

Quoting is chosen per string, simplest first: plain when safe, single quotes when the
string is printable and on one line, a literal block (``|``) for printable multi-line
values, double quotes with escapes for everything else. Characters that Python does not
consider printable (controls, format characters such as bidi overrides or zero-width
spaces, line separators, the BOM) are always escaped, so a reviewer sees them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import cast

from hotdsl.versions import FUNCTION_NAMES

__all__ = ["UnemittableType", "UnemittableValue", "emit_yaml"]

# A flow-style intrinsic call longer than this is written in block style instead.
_FLOW_MAX_WIDTH = 100

# A block mapping key whose text is longer than this (in UTF-8 bytes) is written as an
# explicit ``? key`` entry: YAML parsers give up on implicit keys after 1024 characters.
_IMPLICIT_KEY_MAX_BYTES = 1000

# Strings a YAML 1.1 or 1.2 reader would resolve to something other than a string when
# written plain. This is a superset of PyYAML's implicit resolvers (yaml/resolver.py):
# over-quoting is harmless, under-quoting corrupts data. The one-letter booleans, YAML 1.2
# numbers (``1e3``, ``0o17``) and signed ``.5`` forms are quoted for other readers' sake.
_IMPLICITLY_TYPED = re.compile(
    r"""
      [yYnN] | yes | Yes | YES | no | No | NO | on | On | ON | off | Off | OFF
    | true | True | TRUE | false | False | FALSE
    | ~ | null | Null | NULL
    | << | =
    | [-+]? (?: [0-9][0-9_]* (?: \.[0-9_]* )? | \.[0-9][0-9_]* ) (?: [eE][-+]?[0-9]+ )?
    | [-+]? [0-9][0-9_]* (?: :[0-5]?[0-9] )+ (?: \.[0-9_]* )?
    | [-+]? 0 (?: b[01_]+ | o[0-7_]+ | x[0-9a-fA-F_]+ )
    | [-+]? \. (?: inf | Inf | INF | nan | NaN | NAN )
    | [0-9]{4} -[0-9][0-9]? -[0-9][0-9]? (?: [Tt \t] .* )?
    """,
    re.VERBOSE | re.DOTALL,
)

# Shapes that stop a printable, non-empty, single-line string from being a plain scalar in
# block context: a leading indicator or space, a document marker, a mapping indicator or
# comment inside, a trailing colon or space.
_NOT_PLAIN_IN_BLOCK = re.compile(
    r"""
      ^ (?: [?:,\[\]{}\#&*!|>'"%@`\ ] | -(?:\ |$) | --- | \.\.\. )
    | :\  | \ \#
    | [:\ ] $
    """,
    re.VERBOSE,
)

# Most keys and values of a template are names, words and paths: such a string is plain,
# unless it is one of the words that `_IMPLICITLY_TYPED` reads as a bool or null (its
# other forms start with a digit, a sign, a dot or a symbol), a shortcut for
# `_is_plain_in_block`.
_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_TYPED_WORDS = frozenset(
    "y Y n N yes Yes YES no No NO on On ON off Off OFF true True TRUE false False FALSE "
    "null Null NULL".split()
)

# In flow context (inside ``{...}`` or ``[...]``) the flow indicators end a plain scalar
# too, and PyYAML (unlike libyaml) also stops at ``?``.
_NOT_PLAIN_IN_FLOW = re.compile(r"[,\[\]{}?]")

_SURROGATE = re.compile("[\ud800-\udfff]")

_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


class UnemittableValue(ValueError):
    """A string YAML cannot hold (a lone surrogate), or data nested too deeply or in itself."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        """Where in the document: keys and list indexes from the top."""


class UnemittableType(TypeError):
    """A value or key of a type that YAML data does not have."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        """Where in the document: keys and list indexes from the top."""


class _EmitError(Exception):
    """Raised deep in the writer; frames add their key or index on the way out."""

    def __init__(
        self,
        error_type: type[UnemittableValue | UnemittableType],
        what: str,
        hint: str,
        *,
        at_key: bool = False,
    ):
        super().__init__(what)
        self.error_type = error_type
        self.what = what
        self.hint = hint
        self.path: list[str | int] = []
        # The offending thing is a key of the innermost mapping, not one of its values.
        self.at_key = at_key


def emit_yaml(
    document: Mapping[str, object],
    *,
    intrinsic_functions: frozenset[str] = FUNCTION_NAMES,
) -> str:
    """Return *document* as block-style YAML text that ``yaml.safe_load`` reads back equal.

    *document* is plain data: mappings, lists (tuples are written as lists), str, int,
    float, bool and None. A one-key mapping whose key is in *intrinsic_functions* (by
    default every HOT function, `hotdsl.versions.FUNCTION_NAMES`) and whose value is a
    scalar or a flat list of scalars is written on one line in flow style when it is short.
    Raises `UnemittableType` (a TypeError) for other types and `UnemittableValue` (a
    ValueError) for strings with lone surrogates; both name the path inside the document.
    """
    if not isinstance(document, Mapping):
        raise TypeError(
            f"emit_yaml expects a mapping at the top of the document, got {type(document).__name__}"
        )
    if not document:
        return "{}\n"
    out: list[str] = []
    write_mapping = _make_writer(out, intrinsic_functions)
    try:
        write_mapping(cast(Mapping[object, object], document), 0)
    except _EmitError as error:
        raise error.error_type(_located(error), tuple(reversed(error.path))) from None
    except RecursionError:
        raise UnemittableValue(
            "cannot emit the document: it nests too deeply or contains itself"
        ) from None
    return "".join(out)


def _located(error: _EmitError) -> str:
    where = ""
    for step in reversed(error.path):
        if isinstance(step, int):
            where += f"[{step}]"
        else:
            where += f".{step}" if where else step
    return f"{error.what} at {where or 'the top of the document'}: {error.hint}"


def _make_writer(
    out: list[str], intrinsic_functions: frozenset[str]
) -> Callable[[Mapping[object, object], int], None]:
    """Build the recursive writer: closures over *out* and the memo tables of one run."""
    append = out.append
    # "  " * n and "  " * n + "- ", grown on demand.
    indents: list[str] = [""]
    dashes: list[str] = ["- "]
    # str -> text of a value after "key: " or "- ", including the newline; "" marks a
    # string written as a literal block, whose text depends on the indentation.
    value_texts: dict[str, str] = {}
    literal_texts: dict[tuple[str, int], str] = {}
    # One table per indentation level: str key -> "<indent>key: ".
    key_prefixes: list[dict[str, str]] = [{}]
    flow_texts: dict[str, str | None] = {}
    flow_calls: dict[tuple[object, str], str | None] = {}
    # Keys found plain in block context: resource names, which get_resource repeats.
    plain_keys: set[str] = set()

    def grow(level: int) -> None:
        while len(indents) <= level + 1:
            indents.append(indents[-1] + "  ")
            dashes.append(indents[-1] + "- ")
            key_prefixes.append({})

    def key_prefix(key: object, level: int) -> str:
        """The text before a value in a mapping at *level*: ``"  name: "``."""
        if isinstance(key, str):
            key = str.__str__(key)
            text = _key_text(key)
            if text is key:
                plain_keys.add(key)
        elif key is None or isinstance(key, bool | int | float):
            text = _scalar_text(key)
        else:
            raise _EmitError(
                UnemittableType,
                f"cannot emit the mapping key {key!r} (a {type(key).__name__})",
                "keys must be str, int, float, bool or None",
                at_key=True,
            )
        indent = indents[level]
        # At most 4 UTF-8 bytes a character: only a long key needs encoding to be measured.
        if (
            len(text) * 4 > _IMPLICIT_KEY_MAX_BYTES
            and len(text.encode("utf-8", "surrogatepass")) > _IMPLICIT_KEY_MAX_BYTES
        ):
            return f"{indent}? {text}\n{indent}: "
        return f"{indent}{text}: "

    def flow_scalar(value: object) -> str | None:
        """A scalar as written inside a flow collection, or None if it cannot be."""
        if type(value) is str:
            text = flow_texts.get(value, "")
            if text == "":
                if value in plain_keys:  # what _flow_str_text gives, with one check
                    text = value if not _NOT_PLAIN_IN_FLOW.search(value) else _quoted(value)
                else:
                    text = _flow_str_text(value)
                flow_texts[value] = text
            return text
        if isinstance(value, str):
            return flow_scalar(str.__str__(value))
        if value is None or isinstance(value, bool | int | float):
            return _scalar_text(value)
        return None

    def flow_call(function: object, argument: object) -> str | None:
        """``{get_attr: [server, name]}`` plus newline for a short intrinsic call, else None."""
        if type(argument) is str:
            memo_key = (function, argument)
            text = flow_calls.get(memo_key, "")  # "" is never a flow text: it means "unknown"
            if text == "":
                text = flow_calls[memo_key] = flow_call_text(function, argument)
            return text
        return flow_call_text(function, argument)

    def flow_call_text(function: object, argument: object) -> str | None:
        name = flow_scalar(function)
        if isinstance(argument, list | tuple):
            parts: list[str] = []
            for item in argument:
                part = flow_scalar(item)
                if part is None:
                    return None
                parts.append(part)
            if name is None:
                return None
            text = f"{{{name}: [{', '.join(parts)}]}}"
        else:
            argument_text = flow_scalar(argument)
            if name is None or argument_text is None:
                return None
            text = f"{{{name}: {argument_text}}}"
        return text + "\n" if len(text) <= _FLOW_MAX_WIDTH else None

    def literal(value: str, level: int) -> str:
        memo_key = (value, level)
        text = literal_texts.get(memo_key)
        if text is None:
            grow(level)
            text = literal_texts[memo_key] = _literal_text(value, indents[level])
        return text

    def write_value(prefix: str, value: object, level: int, in_sequence: bool) -> None:
        """Write *value* after *prefix* (``"key: "`` or ``"- "``) of a node at *level*.

        Nested collections start on the next line, at *level* + 1; in a sequence the
        first line of a nested collection shares the line with the dash instead.
        """
        if type(value) is str:
            text = value_texts.get(value)
            if text is None:
                text = value_texts[value] = _value_text(value)
            append(prefix + (text or literal(value, level + 1)))
        elif type(value) is dict or (type(value) is not list and isinstance(value, Mapping)):
            size = len(value)
            if size == 1:
                for function, argument in value.items():
                    if function in intrinsic_functions:
                        text = flow_call(function, argument)
                        if text is not None:
                            append(prefix + text)
                            return
            if not size:
                append(prefix + "{}\n")
            elif in_sequence:
                start = len(out)
                write_mapping(value, level + 1)
                out[start] = prefix + out[start][len(prefix) :]
            else:
                append(prefix[:-1] + "\n")
                write_mapping(value, level + 1)
        elif type(value) is list or type(value) is tuple:
            if not value:
                append(prefix + "[]\n")
            elif in_sequence:
                start = len(out)
                write_sequence(value, level + 1)
                out[start] = prefix + out[start][len(prefix) :]
            else:
                append(prefix[:-1] + "\n")
                write_sequence(value, level + 1)
        elif value is None or isinstance(value, bool | int | float):
            append(prefix + _scalar_text(value) + "\n")
        elif isinstance(value, str):
            write_value(prefix, str.__str__(value), level, in_sequence)
        else:
            raise _EmitError(
                UnemittableType,
                f"cannot emit a value of type {type(value).__name__}",
                "YAML data is dict, list, tuple, str, int, float, bool or None",
            )

    def write_mapping(mapping: Mapping[object, object], level: int) -> None:
        if level + 1 >= len(indents):
            grow(level)
        prefixes = key_prefixes[level]
        key: object = None
        try:
            for key, value in mapping.items():
                if type(key) is str:
                    prefix = prefixes.get(key)
                    if prefix is None:
                        prefix = prefixes[key] = key_prefix(key, level)
                else:
                    prefix = key_prefix(key, level)
                # Strings are most of the data, then nested mappings: handled here, without
                # a call to write_value.
                if type(value) is str:
                    text = value_texts.get(value)
                    if text is None:
                        text = value_texts[value] = _value_text(value)
                    append(prefix + (text or literal(value, level + 1)))
                elif type(value) is dict and len(value) > 1:
                    append(prefix[:-1] + "\n")
                    write_mapping(value, level + 1)
                else:
                    write_value(prefix, value, level, False)
        except _EmitError as error:
            if error.at_key:
                error.at_key = False
            else:
                error.path.append(str(key) if isinstance(key, str) else repr(key))
            raise

    def write_sequence(items: list[object] | tuple[object, ...], level: int) -> None:
        if level + 1 >= len(indents):
            grow(level)
        dash = dashes[level]
        item: object = None
        try:
            for item in items:
                if type(item) is str:
                    text = value_texts.get(item)
                    if text is None:
                        text = value_texts[item] = _value_text(item)
                    append(dash + (text or literal(item, level + 1)))
                else:
                    write_value(dash, item, level, True)
        except _EmitError as error:
            error.path.append(next(i for i, each in enumerate(items) if each is item))
            raise

    return write_mapping


def _scalar_text(value: object) -> str:
    """The YAML text of None, a bool, an int or a float."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    assert isinstance(value, float)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = float.__repr__(value)
    # PyYAML reads a float only with a dot: Python's "1e-05" would come back as a string.
    if "e" in text and "." not in text:
        text = text.replace("e", ".0e", 1)
    return text


def _is_plain_in_block(text: str) -> bool:
    if _NAME_LIKE.fullmatch(text) is not None:
        return text not in _TYPED_WORDS
    return (
        text != ""
        and text.isprintable()
        and not _NOT_PLAIN_IN_BLOCK.search(text)
        and not _IMPLICITLY_TYPED.fullmatch(text)
    )


def _quoted(text: str) -> str:
    """Single quotes for printable text, double quotes with escapes for the rest."""
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    surrogate = _SURROGATE.search(text)
    if surrogate:
        raise _EmitError(
            UnemittableValue,
            f"cannot emit a string with the lone surrogate {surrogate.group()!r}",
            "YAML text is Unicode; decode the bytes properly or drop that character",
        )
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char: str) -> str:
    if char.isprintable() and char not in '"\\':
        return char
    escape = _ESCAPES.get(char)
    if escape is not None:
        return escape
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _key_text(key: str) -> str:
    return key if _is_plain_in_block(key) else _quoted(key)


def _flow_str_text(text: str) -> str | None:
    """A string inside ``{...}``/``[...]``; None if it is multi-line (kept in block style)."""
    if "\n" in text:
        return None
    if _is_plain_in_block(text) and not _NOT_PLAIN_IN_FLOW.search(text):
        return text
    return _quoted(text)


def _value_text(text: str) -> str:
    """A string after ``key: `` or ``- ``, with its newline; "" when it needs a literal block."""
    if _is_plain_in_block(text):
        return text + "\n"
    if _fits_literal_block(text):
        return ""
    return _quoted(text) + "\n"


def _fits_literal_block(text: str) -> bool:
    # A literal block keeps every character but cannot hold non-printable ones (tabs are
    # fine), other line breaks (\r, \x85, \u2028, \u2029) or a string of only newlines.
    return (
        "\n" in text
        and text.strip("\n") != ""
        and text.replace("\n", "").replace("\t", "").isprintable()
    )


def _literal_text(text: str, indent: str) -> str:
    """``|`` header and body lines at *indent* for a multi-line string."""
    body = text.rstrip("\n")
    trailing_newlines = len(text) - len(body)
    chomping = "-" if trailing_newlines == 0 else "" if trailing_newlines == 1 else "+"
    # A first line starting with a space would be taken as more indentation, and libyaml
    # rejects a tab there while it detects the indentation: state the indentation.
    indentation = "2" if text.lstrip("\n")[:1] in (" ", "\t") else ""
    lines = [f"|{indentation}{chomping}\n"]
    for line in body.split("\n"):
        lines.append(f"{indent}{line}\n" if line else "\n")
    lines.append("\n" * (trailing_newlines - 1) if trailing_newlines > 1 else "")
    return "".join(lines)
