"""Survey: import every template of a folder and say, per file, what came back.

What someone migrating a template set wants to know first: which templates hotdsl
takes over exactly, which it takes over with a known difference, which are invalid
for Heat, and which files are not HOT templates at all (environments, CloudFormation
templates, other YAML). The corpus test and the benchmark run it over the public
heat-templates repository.

A template set may hold anything, so one file's failure never stops the survey: an
unexpected exception is that file's `bug` outcome, and the survey goes on. Files are
read only inside the surveyed folder (and the folders the caller allows).
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import attrs

from hotdsl.errors import HotdslError
from hotdsl.importer import ImportBug, import_template
from hotdsl.importer.disk import ReadScope
from hotdsl.importer.model import Finding
from hotdsl.importer.parse import TemplateError, document_kind, read_document
from hotdsl.importer.roundtrip import write_and_check

Outcome = Literal["exact", "differs", "invalid", "rejected", "bug", "environment", "cfn", "other"]
"""`exact`: synth gives back the same data; `differs`: it gives back something else (see
`detail`); `invalid`: synth (or the importer) found the template invalid; `rejected`: the
importer refused it (malformed for Heat, or it names a file outside the folder); `bug`:
hotdsl failed on it in a way it never should; the rest are files that are not HOT
templates."""

TEMPLATE_PATTERNS = ("*.yaml", "*.yml", "*.template", "*.json")


@attrs.frozen
class SurveyEntry:
    path: Path
    """The file, relative to the surveyed folder."""
    outcome: Outcome
    detail: tuple[str, ...] = ()
    module: Path | None = None
    findings: tuple[Finding, ...] = ()
    import_seconds: float = 0.0
    synth_seconds: float = 0.0
    """Loading the module, synthesizing it and comparing."""


@attrs.frozen
class Survey:
    entries: tuple[SurveyEntry, ...]

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.outcome for e in self.entries))

    def of(self, *outcomes: Outcome) -> list[SurveyEntry]:
        return [e for e in self.entries if e.outcome in outcomes]

    @property
    def templates(self) -> list[SurveyEntry]:
        return self.of("exact", "differs", "invalid", "rejected", "bug")


def template_files(folder: Path) -> list[Path]:
    found = {p for pattern in TEMPLATE_PATTERNS for p in folder.rglob(pattern) if p.is_file()}
    return sorted(found)


def entry_line(entry: SurveyEntry) -> str:
    """`outcome: file -> module: first detail`, as `hotdsl import FOLDER` prints it."""
    where = f" -> {entry.module}" if entry.module is not None else ""
    detail = f": {entry.detail[0]}" if entry.detail else ""
    return f"{entry.outcome}: {entry.path}{where}{detail}"


def survey(
    folder: Path,
    out: Path,
    *,
    environments: Sequence[tuple[Path, Sequence[Path]]] = (),
    stub_missing_files: bool = True,
    force: bool = True,
    allow_dirs: Sequence[Path] = (),
    on_entry: Callable[[SurveyEntry], None] = lambda entry: None,
) -> Survey:
    """Import every template under `folder` into modules under `out`, synthesize and compare.

    Each template gets a folder of its own under `out` (its module and the files it
    reads). `environments` pairs templates with environment files (both relative to
    `folder`) for further entries `template + env`. Files are read only inside `folder`
    and `allow_dirs`. `on_entry` sees each entry as soon as it is known.
    """
    entries: list[SurveyEntry] = []
    pairs: list[tuple[Path, tuple[Path, ...]]] = []
    for path in template_files(folder):
        pairs.append((path, ()))
    for template, envs in environments:
        pairs.append((folder / template, tuple(folder / e for e in envs)))
    used: set[str] = set()
    scope = ReadScope(folder, allow_dirs)
    for path, envs in pairs:
        relative = path.relative_to(folder)
        shown = (
            relative
            if not envs
            else Path(f"{relative} + {' + '.join(str(e.relative_to(folder)) for e in envs)}")
        )
        try:
            entry = _entry(path, envs, shown, out, used, scope, stub_missing_files, force)
        except Exception as exc:  # one file's bug must not end the survey of the others
            entry = SurveyEntry(shown, "bug", (_bug(exc),))
        entries.append(entry)
        on_entry(entry)
    return Survey(tuple(entries))


def _bug(exc: BaseException) -> str:
    """One line for an unexpected exception: what it was and where in hotdsl it happened."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return (
        f"hotdsl failed on this file with {type(exc).__name__}{where}"
        f"{': ' + message if message else ''}; please report it with the file"
    )


def _entry(
    path: Path,
    envs: tuple[Path, ...],
    shown: Path,
    out: Path,
    used: set[str],
    scope: ReadScope,
    stub_missing_files: bool,
    force: bool,
) -> SurveyEntry:
    if not scope.contains(path):
        return SurveyEntry(shown, "rejected", (scope.outside("the file", path),))
    try:
        kind = document_kind(read_document(path))
    except TemplateError as exc:
        return SurveyEntry(shown, "rejected", (str(exc),))
    if kind != "hot":
        other: Outcome = (
            "environment" if kind == "environment" else "cfn" if kind == "cfn" else "other"
        )
        return SurveyEntry(shown, other)
    return _one(path, envs, shown, out, used, scope, stub_missing_files, force)


def _module_name(relative: Path, used: set[str]) -> str:
    base = "_".join(relative.with_suffix("").parts)
    name = (
        "".join(c if c.isalnum() or c == "_" else "_" for c in base).strip("_").lower()
        or "template"
    )
    if name[0].isdigit():
        name = f"t_{name}"
    candidate, counter = name, 2
    while candidate in used:
        candidate, counter = f"{name}_{counter}", counter + 1
    used.add(candidate)
    return candidate


def _one(
    path: Path,
    envs: tuple[Path, ...],
    shown: Path,
    out: Path,
    used: set[str],
    scope: ReadScope,
    stub_missing_files: bool,
    force: bool,
) -> SurveyEntry:
    name = _module_name(shown, used)
    module = out / name / f"{name}.py"
    started = time.perf_counter()
    try:
        result = import_template(path, envs, home=scope.home, allow_dirs=scope.allowed)
    except ImportBug as exc:
        return SurveyEntry(shown, "bug", (str(exc),), import_seconds=time.perf_counter() - started)
    except HotdslError as exc:
        return SurveyEntry(
            shown, "rejected", (str(exc),), import_seconds=time.perf_counter() - started
        )
    imported = time.perf_counter()
    try:
        outcome = write_and_check(
            result, module, stub_missing_files=stub_missing_files, force=force
        )
    except HotdslError as exc:
        return SurveyEntry(shown, "rejected", (str(exc),), import_seconds=imported - started)
    check_seconds = time.perf_counter() - imported
    invalid = [
        f"{f.message} ({f.file}:{f.line})" if f.line else f.message
        for f in result.findings
        if f.level == "invalid"
    ]
    if outcome.exact and not invalid:
        status: Outcome = "exact"
        detail: tuple[str, ...] = ()
    elif outcome.invalid or outcome.error or invalid:
        status = "invalid"
        detail = tuple([*invalid, *outcome.invalid, *([outcome.error] if outcome.error else [])])
    else:
        status = "differs"
        detail = outcome.differences
    return SurveyEntry(
        shown, status, detail, module, result.findings, imported - started, check_seconds
    )
