"""Text for people: diffs, deploy outcomes and outputs as the CLI prints them.

Structured results in (`StackDiff`, `StackOutcome`, outputs by stack), text out; no
printing and no Heat here, so a CI script renders the toolkit's results exactly as
`hotdsl` does. Every value shown is masked (`hotdsl.secrets`) before it is cut short.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hotdsl.deploy.diff import MISSING, Change, ResourceChange, StackDiff
from hotdsl.deploy.engine import StackOutcome
from hotdsl.secrets import mask

MARKS = {"add": "[+]", "remove": "[-]", "update": "[~]", "replace": "[!]", "unchanged": "[ ]"}
"""How each resource action is marked at the start of its line."""
LONGEST_VALUE = 120
"""Values longer than this many characters are cut short, with `...`."""


def render_diff(item: StackDiff) -> str:
    """A diff as people read it: one block per stack, one line per change."""
    if not item.exists:
        lines = [f"Stack {item.stack_name}: new, {len(item.resources)} resources to create"]
        lines += [f"  [+] {r.name} ({r.type})" for r in item.resources]
        return "\n".join(lines)
    owner = [f"  note: {item.not_owned}"] if item.not_owned else []
    if item.is_empty:
        return "\n".join([f"Stack {item.stack_name}: no differences", *owner])
    lines = [f"Stack {item.stack_name}", *owner]
    if item.resources:
        lines.append("  Resources")
        for resource in item.resources:
            lines += _resource_lines(resource, all_reasons=True)
    lines += [f"  warning: {risk}" for risk in item.risks]
    for key, nested in item.nested:
        lines.append(f"  Nested template {key}")
        for resource in nested:
            lines += _resource_lines(resource, all_reasons=False)
    for title, changes in (
        ("Parameters", item.parameters),
        ("Template", item.template),
        ("Environment", item.environment),
        ("Files", item.files),
    ):
        if changes:
            lines.append(f"  {title}")
            lines += [f"    {change_text(c)}" for c in changes]
    if item.preview_error:
        lines.append(f"  Heat's update preview failed: {item.preview_error}")
    return "\n".join(lines)


def _resource_lines(resource: ResourceChange, *, all_reasons: bool) -> list[str]:
    note = ""
    if resource.action == "replace":
        note = " will be REPLACED: " + "; ".join(resource.reasons)
    elif resource.reasons and all_reasons:
        note = " " + "; ".join(resource.reasons)
    head = f"    {MARKS[resource.action]} {resource.name} ({resource.type}){note}"
    return [head, *(f"        {change_text(change)}" for change in resource.changes)]


def change_text(change: Change) -> str:
    """One change on one line: `path: old -> new`, `(added)`, `(removed, was ...)` or a note."""
    if change.note is not None:
        return f"{change.path}: {change.note}"
    if change.old is MISSING:
        return f"{change.path}: (added) {_value(change.new)}"
    if change.new is MISSING:
        return f"{change.path}: (removed, was {_value(change.old)})"
    if change.old == change.new:
        return f"{change.path}: {_value(change.new)} (changed)"
    return f"{change.path}: {_value(change.old)} -> {_value(change.new)}"


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
