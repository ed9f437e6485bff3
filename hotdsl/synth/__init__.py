"""Synthesis, as a visible pipeline: model -> resolve -> validate -> emit.

`synthesize(app)` runs the stages in memory and raises `SynthError` listing every
problem; `synth(app, out_dir)` also writes the out dir: per top-level stack its
template, its environment files (its own, and one per stage), the files map
(nested and provider templates, get_file targets) under `<stack>.files/`, and
`manifest.json` with the stacks in deploy order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from hotdsl.construct import App, Stack
from hotdsl.environment import Stage
from hotdsl.errors import Problem, SynthError
from hotdsl.releases import HeatRelease
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.environments import (
    base_environment,
    hidden_value_warnings,
    mark_secret_parameters_hidden,
    stage_environment,
    unknown_stage_values,
)
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest, StackEntry, StackImportEntry, StageEntry
from hotdsl.synth.resolve import ResolvedStack, SynthSession
from hotdsl.synth.validate import check_release, find_cycles, validate_stack

__all__ = ["Manifest", "SynthResult", "SynthesizedStack", "synth", "synth_stack", "synthesize"]

MAX_TEMPLATE_BYTES = 524288
"""Heat's default `max_template_size`."""
MAX_RESOURCES_PER_STACK = 1000
"""Heat's default `max_resources_per_stack`."""
MAX_NESTED_STACK_DEPTH = 5
"""Heat's default `max_nested_stack_depth`."""


@attrs.frozen
class SynthesizedStack:
    """One top-level stack after synth: its HOT data, YAML text, files and environments."""

    stack: Stack
    template: dict[str, Any]
    text: str
    files: dict[str, str]
    """Files map key -> content (nested and provider templates already emitted)."""
    environment: str | None
    """The stack's own environment file text, if it has one."""
    stage_environments: dict[str, tuple[str | None, dict[str, dict[str, str]]]]
    """Stage name -> (environment file text or None, secrets by parameter name)."""
    imports: tuple[StackImportEntry, ...]
    depends_on: tuple[str, ...]

    @property
    def stem(self) -> str:
        return self.stack.node.path.replace("/", "-")

    @property
    def file_name(self) -> str:
        return self.stem + ".yaml"


@attrs.frozen
class SynthResult:
    """What synth made of an app: the stacks in deploy order and warnings that do not stop it."""

    stacks: tuple[SynthesizedStack, ...]
    stages: tuple[Stage, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def manifest(self) -> Manifest:
        entries = []
        for s in self.stacks:
            base = (f"{s.stem}.env.yaml",) if s.environment is not None else ()
            stages = {}
            for stage in self.stages:
                text, secrets = s.stage_environments[stage.name]
                own = (f"{s.stem}.{stage.name}.env.yaml",) if text is not None else ()
                stages[stage.name] = StageEntry(
                    stack_name=stage.stack_name(s.stack),
                    environment_files=base + own,
                    secrets=secrets,
                )
            entries.append(
                StackEntry(
                    name=s.stack.stack_name,
                    path=s.stack.node.path,
                    template=s.file_name,
                    parameters=tuple(s.template.get("parameters", {})),
                    environment_files=base,
                    files={key: files_path(s.stem, key) for key in s.files},
                    depends_on=s.depends_on,
                    imports=s.imports,
                    stages=stages,
                )
            )
        return Manifest(tuple(entries))


def synth_stack(stack: Stack, heat: HeatRelease | None = None) -> dict[str, Any]:
    """One stack's template as HOT data, after the same checks as `synthesize`."""
    session = SynthSession()
    resolved = session.resolve([stack])
    problems, _warnings = _release_problems(session, resolved, heat)
    _raise_problems(session, resolved, problems)
    return resolved[0].template


def synthesize(
    app: App, stages: Sequence[str] | None = None, heat: HeatRelease | None = None
) -> SynthResult:
    """Resolve, validate and emit every stack of the app, in memory.

    `stages` picks stages by name; all of the app's stages by default. `heat` is the
    Heat release the cloud runs: what it lacks is a problem, what it retired a warning.
    """
    stacks = app.stacks
    if not stacks:
        raise SynthError(
            [
                Problem(
                    "the app has no stacks; create one with Stack(app, 'name')", app.node.location
                )
            ]
        )
    chosen = _choose_stages(app, stages)
    mark_secret_parameters_hidden(list(app.stages))
    session = SynthSession()
    resolved = session.resolve(stacks)
    problems = unknown_stage_values(list(app.stages), stacks)
    problems += _duplicate_stack_names(stacks)
    release_problems, release_warnings = _release_problems(session, resolved, heat)
    problems += release_problems
    order, stack_problems = _deploy_order(resolved)
    problems += stack_problems
    texts: dict[Stack, str] = {}
    environments: dict[
        Stack, tuple[str | None, dict[str, tuple[str | None, dict[str, dict[str, str]]]]]
    ] = {}
    for item in resolved:
        base = base_environment(item.stack, item.registry, problems)
        per_stage: dict[str, tuple[str | None, dict[str, dict[str, str]]]] = {}
        for stage in chosen:
            env = stage_environment(stage, item.stack, problems)
            per_stage[stage.name] = (emit_yaml(env.data) if env.data else None, env.secrets)
        environments[item.stack] = (emit_yaml(base) if base else None, per_stage)
    _raise_problems(session, resolved, problems)

    warnings: list[Problem] = list(release_warnings)
    out: list[SynthesizedStack] = []
    by_stack = {item.stack: item for item in resolved}
    for stack in order:
        item = by_stack[stack]
        text = texts.setdefault(stack, emit_yaml(item.template))
        files = {
            key: value if isinstance(value, str) else _emit_cached(session, value, texts)
            for key, value in sorted(item.files.items())
        }
        base_text, per_stage = environments[stack]
        out.append(
            SynthesizedStack(
                stack=stack,
                template=item.template,
                text=text,
                files=files,
                environment=base_text,
                stage_environments=per_stage,
                imports=tuple(
                    StackImportEntry(i.parameter, i.stack.stack_name, i.output, i.type)
                    for i in item.imports
                ),
                depends_on=tuple(dict.fromkeys(i.stack.stack_name for i in item.imports)),
            )
        )
        warnings.extend(_limits(item, text, session))
        warnings.extend(hidden_value_warnings(stack))
    return SynthResult(tuple(out), tuple(chosen), tuple(warnings))


def synth(
    app: App, out_dir: Path, stages: Sequence[str] | None = None, heat: HeatRelease | None = None
) -> tuple[SynthResult, Manifest]:
    """Synthesize the app and write its files into `out_dir` (stale files of an earlier synth go)."""
    result = synthesize(app, stages, heat)
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
        if stack.environment is not None:
            _write(out_dir / f"{stack.stem}.env.yaml", stack.environment)
        for name, (text, _secrets) in stack.stage_environments.items():
            if text is not None:
                _write(out_dir / f"{stack.stem}.{name}.env.yaml", text)
        for key, content in stack.files.items():
            _write(out_dir / files_path(stack.stem, key), content)
    _write(out_dir / MANIFEST_FILE, manifest.to_json())
    current = set(manifest.written_files())
    for stale in previous:
        if stale not in current:
            (out_dir / stale).unlink(missing_ok=True)
    return result, manifest


def files_path(stem: str, key: str) -> str:
    """Where a files-map entry is written in the out dir: below `<stack>.files/`, whatever the key.

    Keys keep the path the template uses (`../scripts/boot.sh`); on disk `..` becomes
    `__up__` and empty or `.` parts are dropped, so nothing lands outside the folder.
    """
    parts = [
        ("__up__" if part == ".." else part) for part in key.split("/") if part not in ("", ".")
    ]
    return "/".join([f"{stem}.files", *parts]) if parts else f"{stem}.files/__empty__"


def _choose_stages(app: App, names: Sequence[str] | None) -> list[Stage]:
    if names is None:
        return list(app.stages)
    known = {stage.name: stage for stage in app.stages}
    missing = [n for n in names if n not in known]
    if missing:
        listed = ", ".join(known) or "none"
        raise SynthError(
            [
                Problem(
                    f"no stage named {', '.join(map(repr, missing))}; the app's stages: {listed}",
                    app.node.location,
                )
            ]
        )
    return [known[n] for n in names]


def _raise_problems(
    session: SynthSession, resolved: list[ResolvedStack], problems: list[Problem]
) -> None:
    everything = list(problems)
    for item in [*resolved, *session.nested_resolved()]:
        everything.extend(item.problems)
        everything.extend(validate_stack(item))
    everything.extend(session.nesting_problems([r.stack for r in resolved], MAX_NESTED_STACK_DEPTH))
    if everything:
        raise SynthError(_unique(everything))


def _release_problems(
    session: SynthSession, resolved: list[ResolvedStack], heat: HeatRelease | None
) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of every stack, nested ones included, on the target Heat release."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if heat is not None:
        for item in [*resolved, *session.nested_resolved()]:
            more_errors, more_warnings = check_release(item, heat)
            errors += more_errors
            warnings += more_warnings
    return errors, _unique(warnings)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _emit_cached(session: SynthSession, stack: Stack, texts: dict[Stack, str]) -> str:
    text = texts.get(stack)
    if text is None:
        text = texts[stack] = emit_yaml(session.resolver(stack).template())
    return text


def _duplicate_stack_names(stacks: list[Stack]) -> list[Problem]:
    problems = []
    names: dict[str, Stack] = {}
    for stack in stacks:
        other = names.get(stack.stack_name)
        if other is not None:
            problems.append(
                Problem(
                    f"two stacks are named {stack.stack_name!r}: {other.node.path} (created at "
                    f"{other.node.location}) and {stack.node.path}; give one a different stack_name",
                    stack.node.location,
                    stack.node.path,
                )
            )
        names[stack.stack_name] = stack
    return problems


def _deploy_order(resolved: list[ResolvedStack]) -> tuple[list[Stack], list[Problem]]:
    """Top-level stacks ordered so each comes after the stacks whose outputs it uses."""
    graph = {
        item.stack.node.path: list(dict.fromkeys(i.stack.node.path for i in item.imports))
        for item in resolved
    }
    by_path = {item.stack.node.path: item for item in resolved}
    problems = []
    for cycle in find_cycles(graph):
        uses = []
        for i, path in enumerate(cycle):
            nxt = cycle[(i + 1) % len(cycle)]
            names = [imp.parameter for imp in by_path[path].imports if imp.stack.node.path == nxt]
            uses.append(f"{path} uses {', '.join(names)}")
        stack = by_path[cycle[0]].stack
        problems.append(
            Problem(
                "stacks use each other's values in a cycle: "
                + "; ".join(uses)
                + "; move the shared resources into one stack",
                stack.node.location,
                stack.node.path,
            )
        )
    if problems:
        return [item.stack for item in resolved], problems
    order: list[Stack] = []
    placed: set[str] = set()
    pending = [item.stack for item in resolved]
    while pending:
        ready = next(s for s in pending if all(dep in placed for dep in graph[s.node.path]))
        order.append(ready)
        placed.add(ready.node.path)
        pending.remove(ready)
    return order, problems


def _limits(item: ResolvedStack, text: str, session: SynthSession) -> list[Problem]:
    """Heat's default limits: a cloud may raise them, so exceeding them is a warning."""
    warnings = []
    stack = item.stack
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        warnings.append(
            Problem(
                f"the template is {size} bytes; Heat's default max_template_size is {MAX_TEMPLATE_BYTES}",
                stack.node.location,
                stack.node.path,
            )
        )
    count = len(item.template["resources"])
    if count > MAX_RESOURCES_PER_STACK:
        warnings.append(
            Problem(
                f"the stack has {count} resources; Heat's default max_resources_per_stack is {MAX_RESOURCES_PER_STACK}",
                stack.node.location,
                stack.node.path,
            )
        )
    return warnings


def _write(path: Path, text: str) -> None:
    """Write only when the content changed, so unchanged files keep their timestamps."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
