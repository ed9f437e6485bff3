"""Synthesis, as a visible pipeline: model -> link -> render -> validate -> emit.

1. model: the app's top-level stacks and the stages chosen; the tree is locked from
   here on (`construct.locked`): a construct added during synth is an error.
2. link (`link.py`): one walk over every value finds what crosses a stack or nesting
   boundary, adds the parameters and outputs that carry it, builds provider
   templates, collects each stack's files map, and gives the deploy order.
3. render (`render.py`): each template as HOT data, from the model and the links alone.
4. validate (`validate.py`): every check of the stages, the stacks and each template,
   all problems at once.
5. emit (`emit.py`, `environments.py`): YAML text of the templates and environment
   files; `synth` then writes them and `manifest.json` into the out dir (`outdir.py`).

`synthesize(app)` runs the steps in memory and raises `SynthError` listing every
problem; `synth(app, out_dir)` also writes the out dir: per top-level stack its
template, its environment files (its own, and one per stage), the files map
(nested and provider templates, get_file targets) under `<stack>.files/`, and
`manifest.json` with the stacks in deploy order.
"""

from __future__ import annotations

import functools
import gc
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from hotdsl.construct import App, Stack, locked
from hotdsl.environment import Stage
from hotdsl.errors import Problem, SynthError
from hotdsl.releases import HeatRelease
from hotdsl.source import SourceLocation
from hotdsl.synth.emit import UnemittableType, UnemittableValue, emit_yaml
from hotdsl.synth.environments import (
    base_environment,
    hidden_value_warnings,
    secret_parameters,
    stage_environment,
)
from hotdsl.synth.link import Links, link
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest, StackEntry, StackImportEntry, StageEntry
from hotdsl.synth.outdir import file_name, write_out_dir
from hotdsl.synth.render import Rendered, RenderedStack, render
from hotdsl.synth.resolve import app_of
from hotdsl.synth.validate import unique, validate_app, validate_templates

__all__ = ["Manifest", "SynthResult", "SynthesizedStack", "synth", "synth_stack", "synthesize"]

MAX_TEMPLATE_BYTES = 524288
"""Heat's default `max_template_size`."""
MAX_RESOURCES_PER_STACK = 1000
"""Heat's default `max_resources_per_stack`."""


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
        """The stack's path with `-` for `/`: what its file names start with."""
        return self.stack.node.path.replace("/", "-")

    @property
    def file_name(self) -> str:
        return file_name(self.stem, ".yaml")

    @property
    def environment_file(self) -> str | None:
        """The stack's own environment file, if it has one."""
        return file_name(self.stem, ".env.yaml") if self.environment is not None else None

    def stage_file(self, stage: str) -> str | None:
        """The stage's own environment file for this stack, if it has one."""
        text, _secrets = self.stage_environments[stage]
        return file_name(f"{self.stem}.{stage}", ".env.yaml") if text is not None else None

    def contents(self) -> list[tuple[str, str]]:
        """Every file this stack has in the out dir: (path relative to it, text).

        A list, not a map: two entries with one path are a collision that synth reports.
        """
        out = [(self.file_name, self.text)]
        if self.environment is not None and self.environment_file is not None:
            out.append((self.environment_file, self.environment))
        for stage, (text, _secrets) in self.stage_environments.items():
            name = self.stage_file(stage)
            if text is not None and name is not None:
                out.append((name, text))
        out.extend((files_path(self.stem, key), content) for key, content in self.files.items())
        return out


@attrs.frozen
class SynthResult:
    """What synth made of an app: the stacks in deploy order and warnings that do not stop it."""

    stacks: tuple[SynthesizedStack, ...]
    stages: tuple[Stage, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def manifest(self) -> Manifest:
        entries = []
        for s in self.stacks:
            base = (s.environment_file,) if s.environment_file is not None else ()
            stages = {}
            for stage in self.stages:
                _text, secrets = s.stage_environments[stage.name]
                own = s.stage_file(stage.name)
                stages[stage.name] = StageEntry(
                    stack_name=stage.stack_name(s.stack),
                    environment_files=base + ((own,) if own is not None else ()),
                    secrets=secrets,
                    placement=s.stack.placement.within(stage.placement),
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
                    placement=s.stack.placement,
                )
            )
        return Manifest(tuple(entries))

    def out_files(self) -> dict[str, bytes]:
        """Everything `synth` writes into the out dir, manifest included: path -> bytes."""
        files = {
            path: text.encode("utf-8") for stack in self.stacks for path, text in stack.contents()
        }
        files[MANIFEST_FILE] = self.manifest().to_json().encode("utf-8")
        return files


def synth_stack(stack: Stack, heat: HeatRelease | None = None) -> dict[str, Any]:
    """One stack's template as HOT data, after the same checks as `synthesize`."""
    app = app_of(stack)
    stages = list(app.stages) if isinstance(app, App) else []
    secret = secret_parameters(stages)
    with locked(app):
        links = link([stack], secret)
        rendered = render([stack], links, secret)
        problems, _warnings = validate_templates([stack], links, rendered, heat, secret)
    if problems:
        raise SynthError(problems)
    return rendered.stacks[0].template


def render_app(app: App) -> Rendered:
    """Every template of the app as HOT data, linked and rendered but not validated or
    written: for tools that need to know which construct made each template entry."""
    stacks = _stacks(app)
    secret = secret_parameters(list(app.stages))
    with locked(app):
        return render(stacks, link(stacks, secret), secret)


def synthesize(
    app: App, stages: Sequence[str] | None = None, heat: HeatRelease | None = None
) -> SynthResult:
    """Link, render, validate and emit every stack of the app, in memory.

    `stages` picks stages by name; all of the app's stages by default. `heat` is the
    Heat release the cloud runs: what it lacks is a problem, what it retired a warning.
    """
    stacks = _stacks(app)  # 1. model
    chosen = _choose_stages(app, stages)
    secret = secret_parameters(list(app.stages))
    with locked(app), _collector_paused():
        links = link(stacks, secret)  # 2. link
        rendered = render(stacks, links, secret)  # 3. render
        problems, warnings = validate_app(  # 4. validate
            list(app.stages), chosen, stacks, links, rendered, heat, secret
        )
        emitted = _emit_files(rendered, chosen, secret, problems)  # 5. emit
    if problems:
        raise SynthError(unique(problems))
    return _result(links, rendered, emitted, chosen, stacks, warnings, secret)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a synth, as it was after.

    Synth allocates many small dicts and lists and frees next to none of them in cycles;
    the collector would walk the whole model again and again (about a tenth of the time
    of a large synth) to find nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def synth(
    app: App, out_dir: Path, stages: Sequence[str] | None = None, heat: HeatRelease | None = None
) -> tuple[SynthResult, Manifest]:
    """Synthesize the app and replace `out_dir` with its files, in one step (see `outdir`).

    Files of the user's own in the out dir (not listed in its previous manifest) are
    kept; nothing outside the out dir is written or deleted.
    """
    result = synthesize(app, stages, heat)
    notes = write_out_dir(out_dir, result.out_files())
    if notes:
        result = attrs.evolve(result, warnings=(*result.warnings, *map(Problem, notes)))
    return result, result.manifest()


def files_path(stem: str, key: str) -> str:
    """Where a files-map entry is written in the out dir: below `<stack>.files/`, whatever the key.

    Keys keep the path the template uses (`../scripts/boot.sh`); on disk `..` becomes
    `__up__`, empty or `.` parts are dropped and each part is made a safe file name
    (`outdir.file_name`), so nothing lands outside the folder.
    """
    parts = [
        ("__up__" if part == ".." else file_name(part))
        for part in key.split("/")
        if part not in ("", ".")
    ]
    folder = file_name(stem, ".files")
    return "/".join([folder, *parts]) if parts else f"{folder}/__empty__"


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


def _stacks(app: App) -> list[Stack]:
    """The model step: the app's top-level stacks; an app without any is a problem."""
    stacks = app.stacks
    if not stacks:
        raise SynthError(
            [
                Problem(
                    "the app has no stacks; create one with Stack(app, 'name')", app.node.location
                )
            ]
        )
    return stacks


@attrs.frozen
class _Emitted:
    """The emit step's text: every template, and each top-level stack's environment files."""

    templates: dict[Stack, str]
    environments: dict[
        Stack, tuple[str | None, dict[str, tuple[str | None, dict[str, dict[str, str]]]]]
    ]


def _emit_files(
    rendered: Rendered,
    stages: list[Stage],
    secret: frozenset[Any],
    problems: list[Problem],
) -> _Emitted:
    """The emit step: YAML text of every template and environment file; what cannot be
    written (a value YAML cannot hold, a stage value Heat would refuse) joins `problems`."""
    texts: dict[Stack, str] = {}
    for item in rendered.everything():
        text = _emit(_as_written(item), problems, functools.partial(_owner, item))
        if text is not None:
            texts[item.stack] = text
    environments: dict[
        Stack, tuple[str | None, dict[str, tuple[str | None, dict[str, dict[str, str]]]]]
    ] = {}
    for item in rendered.stacks:
        stack = item.stack
        base = base_environment(stack, item.registry, problems, secret)
        per_stage: dict[str, tuple[str | None, dict[str, dict[str, str]]]] = {}
        for stage in stages:
            env = stage_environment(stage, stack, problems, secret)
            text = _emit(env.data, problems, _in_stage(stage, stack)) if env.data else None
            per_stage[stage.name] = (text, env.secrets)
        at_stack = _always((stack.node.location, stack.node.path))
        environments[stack] = (
            _emit(base, problems, at_stack) if base else None,
            per_stage,
        )
        problems += _unwritable_files(item)
    return _Emitted(texts, environments)


def _result(
    links: Links,
    rendered: Rendered,
    emitted: _Emitted,
    stages: list[Stage],
    stacks: list[Stack],
    warnings: list[Problem],
    secret: frozenset[Any],
) -> SynthResult:
    """The synthesized stacks in deploy order, with every warning."""
    warnings = [*warnings, *(w for item in rendered.everything() for w in item.undeclared.values())]
    texts = emitted.templates
    out: list[SynthesizedStack] = []
    by_stack = {item.stack: item for item in rendered.stacks}
    for stack in links.deploy_order(stacks):
        item = by_stack[stack]
        text = texts[stack]
        files = {
            key: value if isinstance(value, str) else texts[value]
            for key, value in sorted(item.files.items())
        }
        base_text, per_stage = emitted.environments[stack]
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
        warnings.extend(_limits(item, text))
        warnings.extend(hidden_value_warnings(stack, secret))
    file_problems = _colliding_files(out)
    if file_problems:
        raise SynthError(file_problems)
    return SynthResult(tuple(out), tuple(stages), tuple(warnings))


def _limits(item: RenderedStack, text: str) -> list[Problem]:
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


_SECTIONS = {
    "resources": "resource",
    "parameters": "parameter",
    "conditions": "condition",
    "outputs": "output",
}


def _owner(item: RenderedStack, path: tuple[str | int, ...]) -> tuple[SourceLocation, str]:
    """The user's location of the template entry at `path` (the stack's, if none claims it)."""
    node = item.stack.node
    if len(path) >= 2 and path[0] in _SECTIONS:
        found = item.claimed.get(f"{_SECTIONS[str(path[0])]}:{path[1]}")
        if found is not None:
            node = found.node
    return node.location, node.path


def _always(
    where: tuple[SourceLocation, str],
) -> Callable[[tuple[str | int, ...]], tuple[SourceLocation, str]]:
    return lambda _path: where


def _in_stage(
    stage: Stage, stack: Stack
) -> Callable[[tuple[str | int, ...]], tuple[SourceLocation, str]]:
    """Locate an entry of the stage's environment file: the line that set the value."""
    lines = {p.node.logical_name: line for p, line in stage.value_locations.items()}

    def locate(path: tuple[str | int, ...]) -> tuple[SourceLocation, str]:
        name = path[1] if len(path) >= 2 else None
        return lines.get(str(name), stage.location), stack.node.path

    return locate


def _as_written(item: RenderedStack) -> dict[str, Any]:
    """The template to write: without its resources section when that is empty and the
    stack says not to write one (`Stack.write_empty_resources`)."""
    template = item.template
    if template.get("resources") or item.stack.write_empty_resources:
        return template
    return {key: value for key, value in template.items() if key != "resources"}


def _emit(
    data: dict[str, Any],
    problems: list[Problem],
    locate: Callable[[tuple[str | int, ...]], tuple[SourceLocation, str]],
) -> str | None:
    """YAML text of `data`, or None after reporting, at the user's line, what YAML cannot hold."""
    try:
        return emit_yaml(data)
    except (UnemittableValue, UnemittableType) as exc:
        location, path = locate(exc.path)
        problems.append(Problem(str(exc), location, path))
        return None


def _unwritable_files(item: RenderedStack) -> list[Problem]:
    """Files-map contents that UTF-8 cannot encode (a lone surrogate in `get_file(content=...)`)."""
    problems = []
    for key, content in item.files.items():
        if not isinstance(content, str):
            continue
        try:
            content.encode("utf-8")
        except UnicodeEncodeError as exc:
            problems.append(
                Problem(
                    f"the file {key!r} sent with the stack holds the lone surrogate "
                    f"{content[exc.start : exc.end]!r}; decode its bytes properly or drop it",
                    item.stack.node.location,
                    item.stack.node.path,
                )
            )
    return problems


def _colliding_files(stacks: list[SynthesizedStack]) -> list[Problem]:
    """Two files of the out dir that would be one: the same name, names that differ only in
    case or Unicode form (one file on macOS and Windows), or a file where another needs a folder."""
    problems = []
    seen: dict[str, tuple[str, Stack | None]] = {_fold(MANIFEST_FILE): (MANIFEST_FILE, None)}
    entries = [(path, stack.stack) for stack in stacks for path, _text in stack.contents()]
    for path, stack in entries:
        other = seen.get(_fold(path))
        if other is not None:
            problems.append(_collision(path, stack, other, "would be the same file"))
        else:
            seen[_fold(path)] = (path, stack)
    for path, stack in entries:
        parts = path.split("/")
        for end in range(1, len(parts)):
            blocking = seen.get(_fold("/".join(parts[:end])))
            if blocking is not None:
                problems.append(_collision(path, stack, blocking, "needs as a folder the file"))
    return unique(problems)


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def _collision(path: str, stack: Stack, other: tuple[str, Stack | None], what: str) -> Problem:
    other_path, other_stack = other
    owner = f" (of {other_stack.node.path})" if other_stack is not None else ""
    case = (
        " on a case-insensitive file system"
        if _fold(path) == _fold(other_path) and path != other_path
        else ""
    )
    return Problem(
        f"the out dir file {path} {what} {other_path}{owner}{case}; give a stack, stage or "
        "file another name",
        stack.node.location,
        stack.node.path,
    )
