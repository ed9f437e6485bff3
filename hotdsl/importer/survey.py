"""Survey: import every template of a folder and say, per file, what came back.

What someone migrating a template set wants to know first: which templates hotdsl
takes over exactly, which it takes over with a known difference, which are invalid
for Heat, and which files are not HOT templates at all (environments, CloudFormation
templates, other YAML). The corpus test and the benchmark run it over the public
heat-templates repository.

A template set may hold anything, so one file's failure never stops the survey: an
unexpected exception is that file's `bug` outcome, and the survey goes on. Files are
read only inside the surveyed folder (and the folders the caller allows).

hotdsl's own checks are stricter than Heat's in places. Given a Heat to ask
(`heat_check`, `hotdsl import FOLDER --cloud`), the survey labels each template by
Heat's verdict on the original (its validate call, with the files and environment a
deploy would send) and says which of hotdsl's rules made a difference.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from hotdsl.errors import HotdslError
from hotdsl.importer import ImportBug, ImportResult, import_template
from hotdsl.importer.disk import MAX_FILE_BYTES, ReadRefused, ReadScope, read_bounded
from hotdsl.importer.model import Finding
from hotdsl.importer.parse import TemplateError, document_kind, read_document
from hotdsl.importer.roundtrip import HEAT_READS_ALIKE, RoundTrip, write_and_check

if TYPE_CHECKING:
    from openstack.connection import Connection

Outcome = Literal[
    "exact",
    "equivalent",
    "differs",
    "invalid",
    "stricter",
    "rejected",
    "bug",
    "environment",
    "cfn",
    "other",
]
"""`exact`: synth gives back the same data; `equivalent`: data that differs only in ways
Heat reads alike (`detail` says which rule of hotdsl's made the difference); `differs`:
it gives back something else (see `detail`); `invalid`: Heat rejects the template (or,
with no Heat to ask, hotdsl's checks say it would); `stricter`: Heat accepts it, but a
check of hotdsl's does not (`detail` names it); `rejected`: the importer refused it
(malformed for Heat, or it names a file outside the folder); `bug`: hotdsl failed on it
in a way it never should; the rest are files that are not HOT templates."""

TEMPLATE_OUTCOMES: tuple[Outcome, ...] = (
    "exact",
    "equivalent",
    "differs",
    "invalid",
    "stricter",
    "rejected",
    "bug",
)

HeatCheck = Callable[[dict[str, Any]], "str | None"]
"""Heat's verdict on the body of a validate request: None if it accepts, else its message."""


class HeatUnavailable(HotdslError):
    """Heat could not give a verdict (not a 400): the survey stops rather than guess."""


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
    same_text: bool = False
    """Synth wrote the template's text itself, byte for byte (not only the same data)."""


@attrs.frozen
class Survey:
    entries: tuple[SurveyEntry, ...]

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.outcome for e in self.entries))

    def of(self, *outcomes: Outcome) -> list[SurveyEntry]:
        return [e for e in self.entries if e.outcome in outcomes]

    @property
    def templates(self) -> list[SurveyEntry]:
        return self.of(*TEMPLATE_OUTCOMES)


def heat_check(conn: Connection) -> HeatCheck:
    """Ask the Heat of `conn` (its validate call) for its verdict on a request body."""
    from hotdsl.deploy.heat import HeatClient, HeatError

    client = HeatClient(conn)

    def check(body: dict[str, Any]) -> str | None:
        try:
            client.validate(body)
        except HeatError as exc:
            if exc.status != 400:
                raise HeatUnavailable(f"Heat answered {exc.status} to a validation: {exc}") from exc
            return str(exc)
        return None

    return check


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
    heat: HeatCheck | None = None,
) -> Survey:
    """Import every template under `folder` into modules under `out`, synthesize and compare.

    Each template gets a folder of its own under `out` (its module and the files it
    reads). `environments` pairs templates with environment files (both relative to
    `folder`) for further entries `template + env`. Files are read only inside `folder`
    and `allow_dirs`. `on_entry` sees each entry as soon as it is known. With `heat`,
    Heat's verdict labels each template (`HeatUnavailable` stops the survey).
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
            entry = _entry(path, envs, shown, out, used, scope, stub_missing_files, force, heat)
        except HeatUnavailable:
            raise
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
    heat: HeatCheck | None,
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
    return _one(path, envs, shown, out, used, scope, stub_missing_files, force, heat)


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
    heat: HeatCheck | None,
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
    if heat is not None:
        status, detail = _by_heat(result, outcome, heat, stub_missing_files)
    else:
        status, detail = _by_hotdsl(result, outcome)
    check_seconds = time.perf_counter() - imported
    same_text = outcome.request is not None and outcome.request["template"] == _text(path)
    return SurveyEntry(
        shown,
        status,
        detail,
        module,
        result.findings,
        imported - started,
        check_seconds,
        same_text,
    )


def _shown(finding: Finding) -> str:
    return f"{finding.message} ({finding.file}:{finding.line})" if finding.line else finding.message


def _hotdsl_refusals(result: ImportResult, outcome: RoundTrip) -> list[str]:
    """What hotdsl's own checks say Heat would reject: the importer's, then synth's."""
    return [
        *(_shown(f) for f in result.findings if f.level == "invalid"),
        *outcome.invalid,
        *([outcome.error] if outcome.error else []),
    ]


def _by_data(result: ImportResult, outcome: RoundTrip) -> tuple[Outcome, tuple[str, ...]]:
    """exact, equivalent or differs, with the rules of hotdsl's that made a difference."""
    if outcome.exact:
        return "exact", ()
    rules = [f"hotdsl's rule: {_shown(f)}" for f in result.findings if f.level == "inexact"]
    if outcome.equivalent:
        alike = f"Heat reads both alike ({'; '.join(HEAT_READS_ALIKE)})"
        return "equivalent", tuple(rules or [f"{outcome.differences[0]}: {alike}"])
    return "differs", (*outcome.differences, *rules)


def _by_hotdsl(result: ImportResult, outcome: RoundTrip) -> tuple[Outcome, tuple[str, ...]]:
    refusals = _hotdsl_refusals(result, outcome)
    if refusals:
        return "invalid", tuple(f"hotdsl's check: {r}" for r in refusals)
    return _by_data(result, outcome)


def _by_heat(
    result: ImportResult, outcome: RoundTrip, heat: HeatCheck, stub_missing_files: bool
) -> tuple[Outcome, tuple[str, ...]]:
    """The label Heat's verdict on the original gives, and why hotdsl's differs if it does."""
    verdict = heat(original_request(result, stub_missing_files=stub_missing_files))
    refusals = _hotdsl_refusals(result, outcome)
    if verdict is not None:
        return "invalid", (f"Heat: {verdict}", *(f"hotdsl's check: {r}" for r in refusals))
    if refusals:
        return "stricter", tuple(f"Heat accepts it; hotdsl's check: {r}" for r in refusals)
    status, detail = _by_data(result, outcome)
    if status != "exact" and outcome.request is not None:
        again = heat(outcome.request)
        if again is not None:
            return "differs", (f"Heat accepts the template, not what synth gives: {again}", *detail)
    return status, detail


def original_request(result: ImportResult, *, stub_missing_files: bool = True) -> dict[str, Any]:
    """The body of a Heat validate request for the imported template as it was: its text,
    the nested templates and files it reads (a missing file as empty text, with
    `stub_missing_files`), and its merged environment."""
    files: dict[str, str] = {}
    for key, source in result.nested_templates:
        files[key] = _text(source)
    for kept in result.files:
        if kept.source is None:
            continue
        if kept.exists:
            files[kept.sent_as or kept.key] = _text(kept.source)
        elif stub_missing_files:
            files[kept.sent_as or kept.key] = ""
    return {
        "template": _text(result.template),
        "files": files,
        "environment": result.environment_data or {},
    }


def _text(path: Path) -> str:
    try:
        return read_bounded(path, MAX_FILE_BYTES).decode("utf-8", "replace")
    except ReadRefused as exc:
        raise HotdslError(f"cannot read {path}: {exc}") from None
