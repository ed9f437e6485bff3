"""A fast reader for the YAML that synth writes, for graphs of stacks with 10,000 resources.

PyYAML takes seconds for such a template; the graph needs it in well under one. Synth's
emitter (`hotdsl.synth.emit`) writes a small, regular subset of YAML: block mappings and
sequences indented by two, one-line flow calls (`{get_attr: [server, name]}`), plain,
single-quoted and literal-block scalars. `read_synth_yaml` reads exactly that subset and
returns None for anything else (comments, anchors, tags, escapes, other layouts), so the
caller falls back to PyYAML: it never guesses.

Every scalar is returned as text, as PyYAML's BaseLoader does (`read_synth_yaml(t) ==
yaml.load(t, BaseLoader)` whenever it answers; the graph needs names, not numbers).
"""

from __future__ import annotations

MAX_DEPTH = 200
"""Deeper nesting is left to PyYAML (and its own limits)."""

_NOT_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_STOP = frozenset(",[]{}")


class _Unsupported(Exception):
    """Not the subset synth writes: the caller reads the text with PyYAML instead."""


def read_synth_yaml(text: str) -> object | None:
    """The data of `text` (all scalars as text), or None when it is not synth's subset."""
    if not text.endswith("\n"):
        return None
    reader = _Reader(text[:-1].split("\n"))
    try:
        value = reader.node(0, 0)
    except (_Unsupported, IndexError, RecursionError):
        return None
    return value if reader.at == len(reader.lines) else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = 0
        self.keys: dict[str, tuple[int, str, str]] = {}
        """line -> (indent, key, rest): templates repeat the same lines thousands of times."""

    def node(self, indent: int, depth: int) -> object:
        """The block mapping or sequence whose first line (at `self.at`) is at `indent`."""
        if depth > MAX_DEPTH:
            raise _Unsupported
        content = self.lines[self.at][indent:]
        if content == "-" or content.startswith("- "):
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> dict[str, object]:
        result: dict[str, object] = {}
        lines = self.lines
        keys = self.keys
        while self.at < len(lines):
            line = lines[self.at]
            known = keys.get(line)
            if known is None:
                own = len(line) - len(line.lstrip(" "))
                if own < indent and line.strip():
                    break
                if own != indent or not line.strip():
                    raise _Unsupported
                known = keys[line] = (own, *_key(line[own:]))
            own, key, rest = known
            if own != indent:
                if own < indent:
                    break
                raise _Unsupported
            if key in result:
                raise _Unsupported
            self.at += 1
            result[key] = self.value(rest, indent, depth)
        return result

    def sequence(self, indent: int, depth: int) -> list[object]:
        items: list[object] = []
        lines = self.lines
        while self.at < len(lines):
            line = lines[self.at]
            own = len(line) - len(line.lstrip(" "))
            if own < indent and line.strip():
                break
            content = line[indent:]
            if own != indent or not (content == "-" or content.startswith("- ")):
                if own == indent and line.strip():
                    break  # a key of the mapping this sequence is in would be unusual
                raise _Unsupported
            rest = content[2:]
            if rest.startswith("- ") or rest == "-" or _is_key(rest):
                # A collection sharing the dash's line: read it as if it began on its own.
                lines[self.at] = " " * (indent + 2) + rest
                items.append(self.node(indent + 2, depth + 1))
            else:
                self.at += 1
                items.append(self.value(rest, indent, depth))
        return items

    def value(self, rest: str, indent: int, depth: int) -> object:
        """The value after `key: ` or `- ` on a line at `indent` (the line is consumed)."""
        if rest == "":
            if self.at >= len(self.lines):
                raise _Unsupported
            deeper = _indent(self.lines[self.at])
            if deeper <= indent or not self.lines[self.at].strip():
                raise _Unsupported
            return self.node(deeper, depth + 1)
        first = rest[0]
        if first in "{[":
            value, end = _flow(rest, 0, depth)
            if end != len(rest):
                raise _Unsupported
            return value
        if first == "|":
            return self.literal(rest, indent)
        return _scalar(rest)

    def literal(self, header: str, indent: int) -> str:
        if header not in ("|", "|-", "|+"):
            raise _Unsupported
        lines = self.lines
        if self.at >= len(lines) or not lines[self.at].strip():
            raise _Unsupported
        block = _indent(lines[self.at])
        if block <= indent:
            raise _Unsupported
        body: list[str] = []
        trailing = 0
        while self.at < len(lines):
            line = lines[self.at]
            if not line.strip() and len(line) <= block:
                trailing += 1
            elif _indent(line) >= block:
                body.extend([""] * trailing)
                trailing = 0
                body.append(line[block:])
            else:
                break
            self.at += 1
        text = "\n".join(body)
        if header == "|-":
            return text
        if header == "|+":
            return text + "\n" * (1 + trailing)
        return text + "\n"


def _is_key(text: str) -> bool:
    try:
        _key(text)
    except _Unsupported:
        return False
    return True


def _key(content: str) -> tuple[str, str]:
    """(key, the rest after `: `) of a mapping line's content."""
    if not content or content[0] in "{[?&*!|>%@`#":
        raise _Unsupported
    if content[0] == "'":
        end = _single_quote_end(content, 0)
        key = content[1:end].replace("''", "'")
        after = content[end + 1 :]
    elif content[0] == '"':
        end = content.find('"', 1)
        if end < 0 or "\\" in content[1:end]:
            raise _Unsupported
        key, after = content[1:end], content[end + 1 :]
    else:
        colon = content.find(": ")
        if colon < 0:
            if not content.endswith(":"):
                raise _Unsupported
            colon = len(content) - 1
        key, after = content[:colon], content[colon:]
        _check_plain(key)
    if after == ":":
        return key, ""
    if not after.startswith(": "):
        raise _Unsupported
    return key, after[2:]


def _plain_start(text: str) -> bool:
    """Whether a plain scalar may begin like `text` (`-1` may, `- x` and `&a` may not)."""
    if text[0] in "-?:":
        return len(text) > 1 and text[1] != " "
    return text[0] not in _NOT_PLAIN_START


def _check_plain(text: str) -> None:
    if (
        not text
        or not _plain_start(text)
        or text != text.strip()
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or not text.isprintable()
    ):
        raise _Unsupported


def _scalar(text: str) -> str:
    """A scalar that fills the rest of a line."""
    if text[0] == "'":
        end = _single_quote_end(text, 0)
        if end != len(text) - 1:
            raise _Unsupported
        return text[1:end].replace("''", "'")
    if text[0] == '"':
        if len(text) < 2 or not text.endswith('"') or "\\" in text or '"' in text[1:-1]:
            raise _Unsupported
        return text[1:-1]
    _check_plain(text)
    return text


def _single_quote_end(text: str, start: int) -> int:
    """The index of the quote closing the single-quoted scalar opening at `start`."""
    at = start + 1
    while True:
        end = text.find("'", at)
        if end < 0:
            raise _Unsupported
        if end + 1 < len(text) and text[end + 1] == "'":
            at = end + 2
            continue
        return end


def _flow(text: str, at: int, depth: int) -> tuple[object, int]:
    """The flow node starting at `text[at]` and the index just after it."""
    if depth > MAX_DEPTH:
        raise _Unsupported
    opening = text[at]
    if opening == "{":
        mapping: dict[str, object] = {}
        at = _skip(text, at + 1)
        if text[at] == "}":
            return mapping, at + 1
        while True:
            key, at = _flow_scalar(text, at, key=True)
            if text[at] != ":" or text[at + 1] != " " or key in mapping:
                raise _Unsupported
            value, at = _flow(text, _skip(text, at + 1), depth + 1)
            mapping[key] = value
            at = _skip(text, at)
            if text[at] == "}":
                return mapping, at + 1
            if text[at] != ",":
                raise _Unsupported
            at = _skip(text, at + 1)
    if opening == "[":
        items: list[object] = []
        at = _skip(text, at + 1)
        if text[at] == "]":
            return items, at + 1
        while True:
            value, at = _flow(text, at, depth + 1)
            items.append(value)
            at = _skip(text, at)
            if text[at] == "]":
                return items, at + 1
            if text[at] != ",":
                raise _Unsupported
            at = _skip(text, at + 1)
    return _flow_scalar(text, at, key=False)


def _flow_scalar(text: str, at: int, *, key: bool) -> tuple[str, int]:
    first = text[at]
    if first == "'":
        end = _single_quote_end(text, at)
        return text[at + 1 : end].replace("''", "'"), end + 1
    if first == '"':
        end = text.find('"', at + 1)
        if end < 0 or "\\" in text[at + 1 : end]:
            raise _Unsupported
        return text[at + 1 : end], end + 1
    end = at
    while end < len(text):
        char = text[end]
        if char in _FLOW_STOP:
            break
        if char == ":" and (end + 1 == len(text) or text[end + 1] in " ,[]{}"):
            break
        end += 1
    value = text[at:end].rstrip(" ")
    if not value or not _plain_start(value) or " #" in value or not value.isprintable():
        raise _Unsupported
    if key and (end >= len(text) or text[end] != ":"):
        raise _Unsupported
    return value, end


def _skip(text: str, at: int) -> int:
    while text[at] == " ":
        at += 1
    return at
