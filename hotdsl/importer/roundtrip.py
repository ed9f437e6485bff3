"""Round trip: run an imported module, synthesize it, and compare the result with the original.

The comparison is of data as Heat reads it (both sides parsed by the same rules); the
only normalisation is the one the import may make: `heat_template_version` release
names become their dates (and mapping key order does not matter, as for Heat). The
nested templates hotdsl sends in the files map and the environment are compared too.

Where the data differs, `heat_equivalent` says whether Heat reads both the same (an
empty section and a missing one, `depends_on: a` and `depends_on: [a]`, ...): the
rules in `HEAT_READS_ALIKE`, each as Heat's template classes apply it.
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
    equivalent: bool = False
    """The data differs only in ways Heat reads alike (`heat_equivalent`)."""
    request: dict[str, Any] | None = attrs.field(default=None, eq=False)
    """What synth made, as the body of a Heat validate request (template, files,
    environment); None if synth made nothing."""

    @property
    def exact(self) -> bool:
        return not (self.differences or self.invalid or self.error)


def check_round_trip(
    module: Path,
    template: Path,
    nested: Mapping[str, Path] = {},
    environment: Mapping[str, Any] | None = None,
    *,
    stack_name: str | None = None,
) -> RoundTrip:
    """Synthesize the app in `module` and compare it with `template`, the nested templates
    (files-map key -> original file) and the merged environment data.

    The app has one stack, or `stack_name` names the one to compare (an app of several)."""
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
    stacks = [s for s in result.stacks if stack_name in (None, s.stack.stack_name)]
    if len(stacks) != 1:
        return RoundTrip(error=f"the app has no single stack named {stack_name!r}")
    (stack,) = stacks
    differences: list[str] = []
    alike = True
    expected = _normalized(read_document(template).data)
    actual = _normalized(parse_text(stack.text, Path(stack.file_name)).data)
    differences.extend(differences_between(expected, actual, ""))
    alike = alike and heat_equivalent(expected, actual)
    for key, source in nested.items():
        text = stack.files.get(key)
        if text is None:
            differences.append(f"files[{key!r}]: the nested template is not sent")
            alike = False
            continue
        original = _normalized(read_document(source).data)
        synthesized = _normalized(parse_text(text, Path(key)).data)
        differences.extend(differences_between(original, synthesized, f"files[{key!r}]"))
        alike = alike and heat_equivalent(original, synthesized)
    expected_env = dict(environment or {})
    actual_env = (
        parse_text(stack.environment, Path("environment")).data if stack.environment else {}
    )
    differences.extend(differences_between(expected_env, actual_env or {}, "environment"))
    alike = alike and heat_equivalent(expected_env, actual_env or {}, environment=True)
    request = {
        "template": stack.text,
        "files": dict(stack.files),
        "environment": actual_env or {},
    }
    return RoundTrip(
        differences=tuple(differences[:MAX_DIFFERENCES]),
        equivalent=bool(differences) and alike,
        request=request,
    )


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


# --- what Heat reads alike --------------------------------------------------------------------

HEAT_READS_ALIKE = (
    "an empty or null section is read as a missing one (HOTemplate20130523.__getitem__)",
    "a null description is no description",
    "a parameter's null default, hidden: false and immutable: false are the defaults",
    "a resource's null or empty properties, metadata and depends_on are none",
    "depends_on: NAME is depends_on: [NAME], and a name given twice counts once",
    "get_param: [NAME] is get_param: NAME",
    "an environment's hooks and restricted_actions: one word is a one-item list",
)
"""The differences Heat does not see, each as its template and environment classes
read the data (heat/engine/hot/template.py, template_common.py, environment.py)."""


def heat_equivalent(expected: object, actual: object, *, environment: bool = False) -> bool:
    """Whether Heat reads two templates (or environments) alike: `HEAT_READS_ALIKE`."""
    read = _heat_environment if environment else _heat_template
    return _same_data(read(expected), read(actual))


def _heat_template(data: object) -> object:
    if not isinstance(data, dict):
        return data
    out: dict[object, object] = {}
    for key, value in data.items():
        if key in ("parameters", "resources", "outputs", "conditions", "parameter_groups"):
            if not value:
                continue
        if key == "description" and value is None:
            continue
        out[key] = value
    parameters = out.get("parameters")
    if isinstance(parameters, dict):
        out["parameters"] = {name: _heat_parameter(p) for name, p in parameters.items()}
    resources = out.get("resources")
    if isinstance(resources, dict):
        out["resources"] = {name: _heat_resource(r) for name, r in resources.items()}
    return _heat_functions(out)


def _heat_parameter(spec: object) -> object:
    if not isinstance(spec, dict):
        return spec
    return {
        k: v
        for k, v in spec.items()
        if not (k == "default" and v is None) and not (k in ("hidden", "immutable") and v is False)
    }


def _heat_resource(body: object) -> object:
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if not (k in ("properties", "metadata") and not v)}
    depends = out.pop("depends_on", None)
    names = [depends] if isinstance(depends, str) else depends
    if isinstance(names, list) and names:
        out["depends_on"] = list(dict.fromkeys(names))
    elif names:
        out["depends_on"] = names
    return out


def _heat_functions(value: object) -> object:
    """`get_param: [NAME]` as `get_param: NAME`, everywhere in `value`."""
    if isinstance(value, dict):
        if len(value) == 1 and "get_param" in value:
            args = value["get_param"]
            if isinstance(args, list) and len(args) == 1:
                return {"get_param": args[0]}
        return {k: _heat_functions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_heat_functions(v) for v in value]
    return value


def _heat_environment(data: object) -> object:
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if v not in ({}, [])}
    registry = out.get("resource_registry")
    if isinstance(registry, dict) and isinstance(registry.get("resources"), dict):
        out["resource_registry"] = {
            **registry,
            "resources": {
                pattern: _heat_settings(settings)
                for pattern, settings in registry["resources"].items()
            },
        }
    return out


def _heat_settings(settings: object) -> object:
    if not isinstance(settings, dict):
        return settings
    return {
        k: [v] if k in ("hooks", "restricted_actions") and isinstance(v, str) else v
        for k, v in settings.items()
    }


def _same_data(left: object, right: object) -> bool:
    return not differences_between(left, right, "")


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
