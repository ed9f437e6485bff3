"""Synthesis, as a visible pipeline: model -> resolve -> validate -> emit.

`synthesize(app)` runs the stages in memory and raises `SynthError` listing every
problem; `synth(app, out_dir)` also writes the templates and `manifest.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from hotdsl.construct import App, Stack
from hotdsl.errors import Problem, SynthError
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest, StackEntry
from hotdsl.synth.resolve import ResolvedStack, resolve_stack
from hotdsl.synth.validate import validate_stack

__all__ = ["SynthResult", "SynthesizedStack", "synth", "synthesize", "synth_stack", "Manifest"]

MAX_TEMPLATE_BYTES = 524288
"""Heat's default `max_template_size`."""
MAX_RESOURCES_PER_STACK = 1000
"""Heat's default `max_resources_per_stack`."""


@attrs.frozen
class SynthesizedStack:
    """One stack after synth: its HOT data and its YAML text."""

    stack: Stack
    template: dict[str, Any]
    text: str

    @property
    def file_name(self) -> str:
        return self.stack.node.path.replace("/", "-") + ".yaml"


@attrs.frozen
class SynthResult:
    """What synth made of an app: the stacks and warnings that do not stop it."""

    stacks: tuple[SynthesizedStack, ...]
    warnings: tuple[Problem, ...] = ()

    def manifest(self) -> Manifest:
        return Manifest(
            tuple(
                StackEntry(
                    name=s.stack.stack_name,
                    path=s.stack.node.path,
                    template=s.file_name,
                    parameters=tuple(s.template.get("parameters", {})),
                )
                for s in self.stacks
            )
        )


def synth_stack(stack: Stack) -> dict[str, Any]:
    """One stack's template as HOT data, after the same checks as `synthesize`."""
    resolved = _resolve_and_validate([stack])
    return resolved[0].template


def synthesize(app: App) -> SynthResult:
    """Resolve, validate and emit every stack of the app, in memory."""
    stacks = app.stacks
    if not stacks:
        raise SynthError([Problem("the app has no stacks; create one with Stack(app, 'name')", app.node.location)])
    resolved = _resolve_and_validate(stacks)
    warnings: list[Problem] = []
    out: list[SynthesizedStack] = []
    for item in resolved:
        text = emit_yaml(item.template)
        out.append(SynthesizedStack(item.stack, item.template, text))
        warnings.extend(_limits(item, text))
    return SynthResult(tuple(out), tuple(warnings))


def synth(app: App, out_dir: Path) -> tuple[SynthResult, Manifest]:
    """Synthesize the app and write its files into `out_dir` (stale files of an earlier synth go)."""
    result = synthesize(app)
    manifest = result.manifest()
    out_dir.mkdir(parents=True, exist_ok=True)
    previous: list[str] = []
    if (out_dir / MANIFEST_FILE).exists():
        try:
            previous = Manifest.load(out_dir).written_files()
        except (ValueError, KeyError):
            previous = []
    for stack in result.stacks:
        _write(out_dir / stack.file_name, stack.text)
    _write(out_dir / MANIFEST_FILE, manifest.to_json())
    current = set(manifest.written_files())
    for stale in previous:
        if stale not in current:
            (out_dir / stale).unlink(missing_ok=True)
    return result, manifest


def _resolve_and_validate(stacks: list[Stack]) -> list[ResolvedStack]:
    problems: list[Problem] = []
    resolved: list[ResolvedStack] = []
    names: dict[str, Stack] = {}
    for stack in stacks:
        other = names.get(stack.stack_name)
        if other is not None:
            problems.append(Problem(
                f"two stacks are named {stack.stack_name!r}: {other.node.path} (created at "
                f"{other.node.location}) and {stack.node.path}; give one a different stack_name",
                stack.node.location, stack.node.path))
        names[stack.stack_name] = stack
        item = resolve_stack(stack)
        problems.extend(item.problems)
        problems.extend(validate_stack(item))
        resolved.append(item)
    if problems:
        raise SynthError(problems)
    return resolved


def _limits(item: ResolvedStack, text: str) -> list[Problem]:
    """Heat's default limits: a cloud may raise them, so exceeding them is a warning."""
    warnings = []
    stack = item.stack
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        warnings.append(Problem(
            f"the template is {size} bytes; Heat's default max_template_size is {MAX_TEMPLATE_BYTES}",
            stack.node.location, stack.node.path))
    count = len(item.template["resources"])
    if count > MAX_RESOURCES_PER_STACK:
        warnings.append(Problem(
            f"the stack has {count} resources; Heat's default max_resources_per_stack is {MAX_RESOURCES_PER_STACK}",
            stack.node.location, stack.node.path))
    return warnings


def _write(path: Path, text: str) -> None:
    """Write only when the content changed, so unchanged files keep their timestamps."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
