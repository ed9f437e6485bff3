"""Parse: read a template or environment file as Heat reads it, keeping line numbers.

Heat parses templates with PyYAML's safe loader, except that timestamps stay strings
(`heat_template_version: 2013-05-23` is the string, not a date), and tries JSON first
(`heat/common/template_format.py`). This module does the same and records the line of
every mapping key and sequence item, so that later stages can say where a problem is.

The first stage of `hotdsl import`: takes a file (or its text), gives a `Document`
checked for size, depth and self-reference; `require_template` says whether it is a
HOT template at all. The model stage reads it next.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import yaml

from hotdsl.environment import ENVIRONMENT_SECTIONS
from hotdsl.errors import HotdslError
from hotdsl.heat_yaml import HeatLoader
from hotdsl.importer.disk import (
    HEAT_MAX_TEMPLATE_SIZE,
    MAX_TEMPLATE_BYTES,
    ReadRefused,
    read_bounded,
)

CFN_VERSION_KEYS = ("AWSTemplateFormatVersion", "HeatTemplateFormatVersion")

MAX_DEPTH = 100
"""The deepest a file's data may nest (real templates stay under 20; Python's parser, which
reads the generated module, takes about 200 levels of brackets)."""
MAX_VALUES = HEAT_MAX_TEMPLATE_SIZE // 2
"""The most values a file may expand to: as many as the largest template Heat takes can
hold (`[1,1,...]`, two bytes a value). YAML aliases can make a small file huge, and import
time grows with the values, not the bytes."""
MAX_TEXT = 2 * MAX_TEMPLATE_BYTES
"""The most characters of text (strings and keys) a file may expand to, for the same reason."""


class TemplateError(HotdslError):
    """A template or environment file that cannot be imported; the message says where and why."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.detail = message
        where = f"{file}:{line}: " if file and line else f"{file}: " if file else ""
        super().__init__(f"{where}{message}")


class SourceMap:
    """Line numbers (1-based) of parsed YAML data: of each container, key and item.

    Scalars are not unique objects, so a scalar's line is that of its key or index in
    the container that holds it.
    """

    def __init__(self) -> None:
        self._containers: dict[int, int] = {}
        self._entries: dict[tuple[int, object], int] = {}
        self._alive: list[object] = []
        """The containers whose ids are recorded, kept alive so the ids stay theirs."""

    def record(self, container: object, line: int) -> None:
        self._containers[id(container)] = line
        self._alive.append(container)

    def record_entry(self, container: object, key: object, line: int) -> None:
        self._entries[(id(container), _hashable(key))] = line

    def line(self, container: object, key: object = None) -> int | None:
        """The line of `container[key]` (or of the container itself without a key)."""
        if key is not None:
            found = self._entries.get((id(container), _hashable(key)))
            if found is not None:
                return found
        return self._containers.get(id(container))


def _hashable(key: object) -> object:
    return key if isinstance(key, (str, int, float, bool, type(None))) else repr(key)


@attrs.frozen
class Document:
    """One parsed file: its data and where each part of it came from."""

    path: Path
    """The file as the user named it (messages show it so)."""
    data: Any
    lines: SourceMap
    duplicates: tuple[tuple[str, int], ...] = ()
    """(key, line) of mapping keys that YAML gave twice; the last one wins, as in Heat."""

    @property
    def name(self) -> str:
        return str(self.path)

    def error(self, message: str, container: object = None, key: object = None) -> TemplateError:
        """A `TemplateError` at the line of `container[key]`."""
        line = self.lines.line(container, key) if container is not None else None
        return TemplateError(message, self.name, line)


class _HeatLoader(HeatLoader):
    """Heat's loader (timestamps as strings) that also records where each value was."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.source_map = SourceMap()
        self.duplicates: list[tuple[str, int]] = []

    def construct_heat_map(self, node: yaml.MappingNode) -> Iterator[dict[Any, Any]]:
        data: dict[Any, Any] = {}
        yield data
        self.source_map.record(data, node.start_mark.line + 1)
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                if key_node.value in seen:
                    self.duplicates.append((key_node.value, key_node.start_mark.line + 1))
                seen.add(key_node.value)
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=False)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a key that is a list or a mapping",
                    key_node.start_mark,
                ) from None
            data[key] = self.construct_object(value_node, deep=False)
            self.source_map.record_entry(data, key, key_node.start_mark.line + 1)

    def construct_heat_seq(self, node: yaml.SequenceNode) -> Iterator[list[Any]]:
        data: list[Any] = []
        yield data
        self.source_map.record(data, node.start_mark.line + 1)
        for index, item_node in enumerate(node.value):
            data.append(self.construct_object(item_node, deep=False))
            self.source_map.record_entry(data, index, item_node.start_mark.line + 1)

    def construct_heat_str(self, node: yaml.ScalarNode) -> str:
        return str(self.construct_scalar(node))

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Also record the line of containers other constructors make (`!!omap`, `!!set`)."""
        data = super().construct_object(node, deep)
        if isinstance(data, (list, dict, set)) and self.source_map.line(data) is None:
            self.source_map.record(data, node.start_mark.line + 1)
        return data


_HeatLoader.add_constructor("tag:yaml.org,2002:map", _HeatLoader.construct_heat_map)
_HeatLoader.add_constructor("tag:yaml.org,2002:seq", _HeatLoader.construct_heat_seq)
_HeatLoader.add_constructor("tag:yaml.org,2002:str", _HeatLoader.construct_heat_str)


def parse_text(text: str, path: Path) -> Document:
    """Parse template or environment text: JSON first, then YAML, as Heat does.

    Data nested deeper than `MAX_DEPTH`, expanding to more than `MAX_VALUES` values or
    containing itself is refused here, before anything walks it.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        raise TemplateError(_too_deep(), str(path)) from None
    except ValueError:
        pass
    else:
        document = _json_document(text, data, path)
        check_shape(document)
        return document
    document = parse_text_as_yaml(text, path)
    check_shape(document)
    return document


def _json_document(text: str, data: object, path: Path) -> Document:
    """JSON data, with line numbers from reading the same text as YAML where that agrees."""
    try:
        located = parse_text_as_yaml(text, path)
    except TemplateError:
        return Document(path, data, SourceMap())
    if located.data == data:
        return located
    lines = SourceMap()
    _transfer_lines(data, located.data, located.lines, lines)
    return Document(path, data, lines)


def _transfer_lines(data: object, twin: object, source: SourceMap, target: SourceMap) -> None:
    """Give JSON data the lines of its YAML reading, where the two have the same shape
    (they differ in a few scalars: YAML 1.1 reads `1e3` as a string, JSON as a number)."""
    if isinstance(data, dict) and isinstance(twin, dict):
        line = source.line(twin)
        if line is not None:
            target.record(data, line)
        for key, value in data.items():
            if key in twin:
                entry = source.line(twin, key)
                if entry is not None:
                    target.record_entry(data, key, entry)
                _transfer_lines(value, twin[key], source, target)
    elif isinstance(data, list) and isinstance(twin, list) and len(data) == len(twin):
        line = source.line(twin)
        if line is not None:
            target.record(data, line)
        for index, (item, other) in enumerate(zip(data, twin, strict=True)):
            entry = source.line(twin, index)
            if entry is not None:
                target.record_entry(data, index, entry)
            _transfer_lines(item, other, source, target)


def parse_text_as_yaml(text: str, path: Path) -> Document:
    loader = _HeatLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        raise TemplateError(
            f"YAML error: {problem}", str(path), mark.line + 1 if mark else None
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise TemplateError(
            f"YAML error: the character {_character(exc.character)} is not allowed in YAML text",
            str(path),
            line,
        ) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TemplateError(f"YAML error: {first}", str(path)) from None
    finally:
        loader.dispose()
    return Document(path, data, loader.source_map, tuple(loader.duplicates))


def check_shape(document: Document) -> None:
    """Refuse data that contains itself, expands to more than `MAX_VALUES` values or
    `MAX_TEXT` characters, or nests deeper than `MAX_DEPTH`, with the line where it does.

    One walk without recursion, each container measured once however many aliases name
    it, so that a billion laughs costs no more than the text it is written in.
    """
    heights: dict[int, int] = {}
    sizes: dict[int, tuple[int, int]] = {}
    """Container -> (values, characters of text) it expands to."""
    open_containers: set[int] = set()
    pending: list[tuple[object, bool]] = [(document.data, False)]
    while pending:
        node, finished = pending.pop()
        marker = id(node)
        children = _containers_in(node)
        if finished:
            open_containers.discard(marker)
            heights[marker] = 1 + max((heights[id(c)] for c in children), default=0)
            values, text = 1, 0
            for key, item in _entries(node):
                inner = sizes[id(item)] if isinstance(item, (dict, list)) else (1, _text(item))
                values, text = values + inner[0], text + inner[1] + _text(key)
                for part in (key, item):
                    found = _SURROGATE.search(part) if isinstance(part, str) else None
                    if found is not None:
                        raise document.error(
                            f"the text {found[0]!r} is half of a UTF-16 pair (a lone "
                            "surrogate), which no UTF-8 file can hold; fix the escape that "
                            "makes it",
                            node,
                            key,
                        )
            sizes[marker] = values, text
            if values > MAX_VALUES or text > MAX_TEXT:
                amount = f"{MAX_VALUES} values" if values > MAX_VALUES else f"{MAX_TEXT} characters"
                raise document.error(
                    f"the template expands to more than {amount} (through YAML aliases?); "
                    "hotdsl will not import it",
                    node,
                )
            continue
        if marker in heights:
            continue
        if marker in open_containers:
            raise document.error(
                "the YAML contains itself (a recursive alias); Heat cannot use it", node
            )
        open_containers.add(marker)
        pending.append((node, True))
        pending.extend((child, False) for child in reversed(children))
    root = document.data
    if heights.get(id(root), 0) > MAX_DEPTH:
        node, depth = root, 1
        while depth <= MAX_DEPTH:
            node = max(_containers_in(node), key=lambda c: heights[id(c)])
            depth += 1
        raise document.error(_too_deep(), node)


def _character(character: object) -> str:
    return f"U+{character:04X}" if isinstance(character, int) else repr(character)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _entries(node: object) -> list[tuple[object, object]]:
    if isinstance(node, dict):
        return list(node.items())
    return [(None, item) for item in node] if isinstance(node, list) else []


def _text(value: object) -> int:
    return len(value) if isinstance(value, str) else 1


def _containers_in(node: object) -> list[object]:
    """The lists and mappings directly inside `node` (its values, for a mapping)."""
    items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return [item for item in items if isinstance(item, (dict, list))]


def _too_deep() -> str:
    return (
        f"the data nests more than {MAX_DEPTH} levels deep; hotdsl import takes up to "
        f"{MAX_DEPTH} (the module it writes must stay within the 200 levels of brackets "
        "Python reads); flatten the value"
    )


def read_document(path: Path, shown: str | None = None) -> Document:
    """Read and parse one file; `shown` is how messages name it (the path by default).

    Only a regular file of at most `MAX_TEMPLATE_BYTES` is read (never a FIFO or device).
    """
    name = Path(shown) if shown is not None else path
    try:
        raw = read_bounded(path, MAX_TEMPLATE_BYTES)
    except ReadRefused as exc:
        raise TemplateError(f"hotdsl import does not read this file: {exc}", str(name)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise TemplateError("the file is not UTF-8 text", str(name), line) from None
    return parse_text(text, name)


def document_kind(document: Document) -> str:
    """`hot`, `cfn`, `environment`, or `other`: what a parsed file is."""
    data = document.data
    if not isinstance(data, dict):
        return "other"
    if "heat_template_version" in data:
        return "hot"
    if any(key in data for key in CFN_VERSION_KEYS):
        return "cfn"
    if data and all(key in ENVIRONMENT_SECTIONS for key in data):
        return "environment"
    return "other"


def require_template(document: Document) -> dict[Any, Any]:
    """The data of a HOT template, or a clear error saying what the file is instead."""
    kind = document_kind(document)
    data = document.data
    if kind == "hot":
        assert isinstance(data, dict)
        return data
    if kind == "cfn":
        key = next(k for k in CFN_VERSION_KEYS if k in data)
        raise document.error(
            f"not a HOT template: it has {key}, so it is a CloudFormation-format "
            "template; hotdsl imports HOT templates (heat_template_version) only",
            data,
            key,
        )
    if kind == "environment":
        raise document.error(
            "not a template but a Heat environment file (it has only environment "
            "sections); import the template that uses it and pass this file with -e"
        )
    if not isinstance(data, dict):
        shown = "empty" if data is None else f"a YAML {type(data).__name__}"
        raise document.error(f"not a Heat template: the file is {shown}, not a mapping")
    raise document.error(
        "not a Heat template: it has no heat_template_version "
        "(Heat: 'Template format version not found')"
    )


def require_environment(document: Document) -> dict[Any, Any]:
    """The data of an environment file, checked as Heat checks it."""
    data = document.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise document.error("not a Heat environment: the file is not a YAML mapping")
    if "heat_template_version" in data:
        raise document.error(
            "this is a template, not an environment file; import it as the template"
        )
    for key in data:
        if key not in ENVIRONMENT_SECTIONS:
            raise document.error(
                f"unknown environment section {key!r}; Heat knows "
                f"{', '.join(ENVIRONMENT_SECTIONS)}",
                data,
                key,
            )
        if data[key] is None:
            raise document.error(
                f"the environment section {key!r} is empty (Heat rejects that)", data, key
            )
    return data
