"""Round trip: run an imported module, synthesize it, and compare the result with the original.

The comparison is of data as Heat reads it (both sides parsed by the same rules); the
only normalisation is the one the import may make: `heat_template_version` release
names become their dates (and mapping key order does not matter, as for Heat). The
nested templates hotdsl sends in the files map and the environment are compared too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hotdsl.errors import HotdslError, SynthError
from hotdsl.importer.disk import real, write_atomically
from hotdsl.importer.parse import parse_text, read_document
from hotdsl.project import load_app
from hotdsl.synth import synthesize
from hotdsl.versions import normalize_version

if TYPE_CHECKING:
    from hotdsl.importer import ImportResult

MAX_DIFFERENCES = 20


@attrs.frozen
class RoundTrip:
    """What synthesizing an imported module gave back."""

    differences: tuple[str, ...] = ()
    """Where the synthesized templates or environment differ from the originals."""
    invalid: tuple[str, ...] = ()
    """The problems synth found (the template is invalid in a way hotdsl checks)."""
    error: str | None = None
    """The module could not even be run."""

    @property
    def exact(self) -> bool:
        return not (self.differences or self.invalid or self.error)


def check_round_trip(
    module: Path,
    template: Path,
    nested: Mapping[str, Path] = {},
    environment: Mapping[str, Any] | None = None,
) -> RoundTrip:
    """Synthesize the app in `module` and compare it with `template`, the nested templates
    (files-map key -> original file) and the merged environment data."""
    try:
        app = load_app(str(module.resolve()), module.parent)
    except HotdslError as exc:
        return RoundTrip(error=str(exc))
    try:
        result = synthesize(app)
    except SynthError as exc:
        return RoundTrip(invalid=tuple(p.message for p in exc.problems))
    except HotdslError as exc:
        return RoundTrip(error=str(exc))
    (stack,) = result.stacks
    differences: list[str] = []
    expected = _normalized(read_document(template).data)
    actual = _normalized(parse_text(stack.text, Path(stack.file_name)).data)
    differences.extend(differences_between(expected, actual, ""))
    for key, source in nested.items():
        text = stack.files.get(key)
        if text is None:
            differences.append(f"files[{key!r}]: the nested template is not sent")
            continue
        original = _normalized(read_document(source).data)
        synthesized = _normalized(parse_text(text, Path(key)).data)
        differences.extend(differences_between(original, synthesized, f"files[{key!r}]"))
    expected_env = dict(environment or {})
    actual_env = (
        parse_text(stack.environment, Path("environment")).data if stack.environment else {}
    )
    differences.extend(differences_between(expected_env, actual_env or {}, "environment"))
    return RoundTrip(differences=tuple(differences[:MAX_DIFFERENCES]))


def _normalized(data: object) -> object:
    if isinstance(data, dict) and isinstance(data.get("heat_template_version"), str):
        try:
            return {
                **data,
                "heat_template_version": normalize_version(data["heat_template_version"]),
            }
        except ValueError:
            return data
    return data


def differences_between(expected: object, actual: object, path: str) -> list[str]:
    """Where two pieces of template data differ, as `path: template has X, synth gives Y`."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in expected:
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: missing after synth (template has {_short(expected[key])})")
            else:
                out.extend(differences_between(expected[key], actual[key], where))
        for key in actual:
            if key not in expected:
                where = f"{path}.{key}" if path else str(key)
                out.append(f"{where}: added by synth ({_short(actual[key])})")
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        out = []
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            out.extend(differences_between(left, right, f"{path}[{index}]"))
        return out
    if _same(expected, actual):
        return []
    return [
        f"{path or 'the document'}: template has {_short(expected)}, synth gives {_short(actual)}"
    ]


def _same(left: object, right: object) -> bool:
    if type(left) is not type(right):
        return False
    if (
        isinstance(left, float)
        and isinstance(right, float)
        and math.isnan(left)
        and math.isnan(right)
    ):
        return True
    return left == right


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def import_and_check(
    template: Path,
    environments: Sequence[Path] = (),
    *,
    out: Path,
    stub_missing_files: bool = False,
    force: bool = True,
    allow_dirs: Sequence[Path] = (),
) -> tuple[ImportResult, RoundTrip]:
    """Import `template` into the module `out`, then synthesize it and compare."""
    from hotdsl.importer import import_template

    result = import_template(template, environments, allow_dirs=allow_dirs)
    return result, write_and_check(result, out, stub_missing_files=stub_missing_files, force=force)


def write_and_check(
    result: ImportResult, out: Path, *, stub_missing_files: bool = False, force: bool = True
) -> RoundTrip:
    """Write an imported module (and the files it keeps) to `out`, synthesize it and compare.

    With `stub_missing_files`, files the template reads with `get_file` but that are not
    there get an empty stand-in, so that the templates can still be compared (a corpus
    of templates often lacks the scripts they read).
    """
    from hotdsl.importer import write_import

    write_import(result, out, force=force)
    if stub_missing_files:
        for kept in result.files:
            target = out.parent / Path(*kept.key.split("/"))
            inside = real(target.parent).is_relative_to(real(out.parent))
            if kept.source is not None and inside and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, b"")
    return check_round_trip(
        out, result.template, dict(result.nested_templates), result.environment_data
    )
