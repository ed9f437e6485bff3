"""Text for people: diffs, deploy outcomes and outputs as the CLI prints them.

Structured results in (`StackDiff`, `StackOutcome`, outputs by stack), text out; no
printing and no Heat here, so a CI script renders the toolkit's results exactly as
`hotdsl` does. A diff renders as text for a terminal (coloured on request), as
Markdown for a pull request comment (`render_markdown`) or as JSON. Every value shown
is masked (`hotdsl.secrets`) before it is cut short.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from hotdsl.deploy.diff import MISSING, Action, Change, ResourceChange, StackDiff
from hotdsl.deploy.engine import StackOutcome
from hotdsl.secrets import mask

MARKS = {"add": "[+]", "remove": "[-]", "update": "[~]", "replace": "[!]", "unchanged": "[ ]"}
"""How each resource action is marked at the start of its line."""
LONGEST_VALUE = 120
"""Values longer than this many characters are cut short, with `...`."""


DiffFormat = Literal["text", "markdown", "json"]
"""The forms `hotdsl diff --format` prints."""
COLOURS = {
    "add": "32",
    "remove": "31",
    "update": "33",
    "replace": "1;31",
    "unchanged": "0",
    "title": "1",
    "+": "32",
    "-": "31",
    "@": "36",
}
"""ANSI colours (SGR codes) of the text diff: by resource action, for titles, and by the first
character of a line of a unified diff."""


Paint = Callable[[str, str], str]
"""Colours a line of the text diff by a key of `COLOURS` (or leaves it as it is)."""


def render_diff(item: StackDiff, *, colour: bool = False) -> str:
    """A diff as people read it: one block per stack, one line per change, files and
    scripts as unified diffs; `colour` adds ANSI colours for a terminal."""

    def paint(text: str, key: str) -> str:
        return f"\x1b[{COLOURS[key]}m{text}\x1b[0m" if colour and key in COLOURS else text

    if not item.exists:
        lines = [
            paint(
                f"Stack {item.stack_name}: new, {len(item.resources)} resources to create", "title"
            )
        ]
        lines += [paint(f"  [+] {r.name} ({r.type})", "add") for r in item.resources]
        return mask("\n".join(lines))
    owner = [f"  note: {item.not_owned}"] if item.not_owned else []
    if item.is_empty:
        return mask("\n".join([paint(f"Stack {item.stack_name}: no differences", "title"), *owner]))
    lines = [paint(f"Stack {item.stack_name}", "title"), *owner]
    if item.resources:
        lines.append("  Resources")
        for resource in item.resources:
            lines += _resource_lines(resource, paint, all_reasons=True)
    lines += [f"  warning: {risk}" for risk in item.risks]
    for key, nested in item.nested:
        lines.append(f"  Nested template {key}")
        for resource in nested:
            lines += _resource_lines(resource, paint, all_reasons=False)
    for title, changes in (
        ("Parameters", item.parameters),
        ("Template", item.template),
        ("Environment", item.environment),
        ("Files", item.files),
    ):
        if changes:
            lines.append(f"  {title}")
            for change in changes:
                lines += _change_lines(change, paint, "    ")
    if item.preview_error:
        lines.append(paint(f"  Heat's update preview failed: {item.preview_error}", "remove"))
    return mask("\n".join(lines))


def _resource_lines(resource: ResourceChange, paint: Any, *, all_reasons: bool) -> list[str]:
    note = ""
    if resource.action == "replace":
        note = " will be REPLACED: " + "; ".join(resource.reasons)
    elif resource.reasons and all_reasons:
        note = " " + "; ".join(resource.reasons)
    head = f"    {MARKS[resource.action]} {resource.name} ({resource.type}){note}"
    lines = [paint(head, resource.action)]
    for change in resource.changes:
        lines += _change_lines(change, paint, "        ")
    return lines


def _change_lines(change: Change, paint: Paint, indent: str) -> list[str]:
    """A change's line, then its unified diff (a file, a script) one line each."""
    lines = [f"{indent}{change_text(change)}"]
    if change.text_diff:
        lines += [f"{indent}  {paint(line, line[:1])}" for line in _diff_body(change.text_diff)]
    return lines


def _diff_body(text_diff: str) -> list[str]:
    """A unified diff's lines without its `---`/`+++` header (the change's path names the file)."""
    return [mask(line) for line in text_diff.splitlines() if not line.startswith(("---", "+++"))]


def change_text(change: Change) -> str:
    """One change on one line: `path: old -> new`, `(added)`, `(removed, was ...)` or a note."""
    if change.note is not None:
        return f"{change.path}: {change.note}"
    if change.text_diff is not None:
        old, new = _text_sizes(change)
        return f"{change.path}: {old} -> {new}"
    if change.old is MISSING:
        return f"{change.path}: (added) {_value(change.new)}"
    if change.new is MISSING:
        return f"{change.path}: (removed, was {_value(change.old)})"
    if change.old == change.new:
        return f"{change.path}: {_value(change.new)} (changed)"
    return f"{change.path}: {_value(change.old)} -> {_value(change.new)}"


def _text_sizes(change: Change) -> tuple[str, str]:
    """A file's or a script's before and after, in lines: its unified diff shows the rest."""

    def size(value: Any, absent: str) -> str:
        if value is MISSING:
            return absent
        if change.path.startswith("files."):
            return mask(str(value))  # the diff already says "N lines"
        lines = str(value).count("\n") + (0 if str(value).endswith("\n") else 1)
        return f"{lines} lines"

    return size(change.old, "new"), size(change.new, "removed")


def _value(value: Any) -> str:
    text = mask(json.dumps(value, default=str, ensure_ascii=False))  # before cutting it short
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 3] + "..."


def render_outcome(outcome: StackOutcome) -> str:
    """What happened to one stack; a failure adds Heat's reason, the failed resources and advice."""
    lines = [f"{outcome.stack_name}: {outcome.outcome} ({outcome.status}, {outcome.elapsed:.1f} s)"]
    if outcome.reason:
        lines.append(f"  Heat: {mask(outcome.reason)}")
    lines += [f"  failed: {mask(str(failure))}" for failure in outcome.failures]
    if outcome.advice:
        lines.append(f"  {outcome.advice}")
    return "\n".join(lines)


def render_outputs(found: Mapping[str, Mapping[str, Any]]) -> str:
    """Outputs by stack as a table: the stack's name, then one `key  value` line per output."""
    lines = []
    for stack, values in found.items():
        lines.append(stack)
        width = max((len(k) for k in values), default=0)
        for key, value in sorted(values.items()):
            shown = value if isinstance(value, str) else json.dumps(value, default=str)
            lines.append(f"  {key.ljust(width)}  {mask(shown)}")
    return "\n".join(lines)


ACTION_WORDS: dict[Action, str] = {
    "add": "add",
    "update": "change in place",
    "replace": "REPLACE",
    "remove": "REMOVE",
    "unchanged": "unchanged",
}
"""How each resource action reads in a Markdown diff."""


def render_markdown(diffs: Sequence[StackDiff]) -> str:
    """A diff for a pull request comment: a summary table (one row per stack, with its
    risk), then per stack a collapsible `<details>` block with the resource changes,
    each replacement's reason, and unified diffs of changed files and scripts."""
    lines = [
        "### hotdsl diff",
        "",
        "| Stack | Added | Changed | Replaced | Removed | Risk |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for item in diffs:
        s = item.summary()
        name = _cell(item.stack_name) + ("" if item.exists else " (new)")
        lines.append(
            f"| {name} | {s.added} | {s.changed} | {s.replaced} | {s.removed} | {s.risk} |"
        )
    for item in diffs:
        lines += ["", *_markdown_stack(item)]
    return mask("\n".join(lines) + "\n")


def _markdown_stack(item: StackDiff) -> list[str]:
    s = item.summary()
    if item.exists and item.is_empty:
        return [f"`{_plain(item.stack_name)}`: no differences."]
    counts = (
        f"{s.added} to add, {s.changed} to change, {s.replaced} to replace, {s.removed} to remove"
    )
    lines = [
        "<details>",
        f"<summary><code>{_html(item.stack_name)}</code>: {counts} (risk: {s.risk})</summary>",
        "",
    ]
    if item.not_owned:
        lines += [f"> **Note:** {_plain(item.not_owned)}", ""]
    if item.preview_error:
        lines += [f"> **Heat's update preview failed:** {_plain(item.preview_error)}", ""]
    if item.resources:
        lines += ["#### Resources", ""]
        for resource in item.resources:
            lines += _markdown_resource(resource)
        lines.append("")
    for key, nested in item.nested:
        lines += [f"#### Nested template {_code(key)}", ""]
        for resource in nested:
            lines += _markdown_resource(resource)
        lines.append("")
    for title, changes in (
        ("Parameters", item.parameters),
        ("Template", item.template),
        ("Environment", item.environment),
        ("Files", item.files),
    ):
        if changes:
            lines += [f"#### {title}", ""]
            for change in changes:
                lines += _markdown_change(change, "")
            lines.append("")
    return [*lines, "</details>"]


def _markdown_resource(resource: ResourceChange) -> list[str]:
    head = f"- **{ACTION_WORDS[resource.action]}** {_code(resource.name)} ({_code(resource.type)})"
    if resource.reasons:
        head += ": " + "; ".join(_plain(r) for r in resource.reasons)
    lines = [head]
    for change in resource.changes:
        lines += _markdown_change(change, "  ")
    return lines


def _markdown_change(change: Change, indent: str) -> list[str]:
    if change.note is not None:
        line = f"{_code(change.path)}: {_plain(change.note)}"
    elif change.text_diff is not None:
        old, new = _text_sizes(change)
        line = f"{_code(change.path)}: {_plain(old)} → {_plain(new)}"
    elif change.old is MISSING:
        line = f"{_code(change.path)}: added {_code(_value(change.new))}"
    elif change.new is MISSING:
        line = f"{_code(change.path)}: removed (was {_code(_value(change.old))})"
    elif change.old == change.new:
        line = f"{_code(change.path)}: {_code(_value(change.new))} (changed)"
    else:
        line = f"{_code(change.path)}: {_code(_value(change.old))} → {_code(_value(change.new))}"
    lines = [f"{indent}- {line}"]
    if change.text_diff:
        body = _diff_body(change.text_diff)
        fence = "`" * max(3, 1 + max((len(run) for run in _ticks(body)), default=0))
        lines += [f"{indent}  {fence}diff", *(f"{indent}  {b}" for b in body), f"{indent}  {fence}"]
    return lines


def _ticks(lines: list[str]) -> list[str]:
    return [run for line in lines for run in re.findall(r"`+", line)]


def _code(text: str) -> str:
    """`text` as inline code on one line, that no backtick in it can break."""
    text = " ".join(mask(text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _cell(text: str) -> str:
    """Inline code in a table cell, where GitHub reads `\\|` as a pipe, not a column."""
    return _code(text).replace("|", "\\|")


def _plain(text: str) -> str:
    """Text from Heat or hotdsl, kept from being read as Markdown or HTML."""
    return re.sub(r"([\\`*\[\]<>|#])", r"\\\1", " ".join(mask(text).split()))


def _html(text: str) -> str:
    return mask(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
