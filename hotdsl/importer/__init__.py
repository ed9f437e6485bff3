"""`hotdsl import`: HOT templates and their environments -> a hotdsl Python module.

The pipeline, one module (or package) per stage, each taking what the one before gives:

- `parse`: HOT text -> a checked `Document` (YAML as Heat reads it, with line numbers);
- `model`: `Document` -> `TemplateModel` (sections, keys and function calls checked as
  Heat checks them, values as expressions with references); `collect` gathers the
  models of the nested templates, the environments (`environment`) and the files
  into an `ImportPlan`, and `nesting` decides what each nested template becomes;
- `names`: the Python names, class names and construct ids for the template's names;
- `write`: `ImportPlan` -> the Python source (checked against the typed classes with
  `typed`, laid out by `pysource`).

Then `roundtrip` runs the module, synthesizes it and compares with the original.

```python
from hotdsl.importer import import_template, write_import

result = import_template(Path("server.yaml"), [Path("env.yaml")])
write_import(result, Path("server.py"))
for finding in result.findings:
    print(finding)
```
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from hotdsl.errors import HotdslError
from hotdsl.importer.collect import FilePlan, collect
from hotdsl.importer.disk import (
    MAX_FILE_BYTES,
    ReadRefused,
    ReadScope,
    read_bounded,
    real,
    write_atomically,
)
from hotdsl.importer.model import Finding
from hotdsl.importer.names import Namespace, class_name_for, module_names
from hotdsl.importer.parse import TemplateError
from hotdsl.importer.pysource import LINE_LENGTH
from hotdsl.importer.write import StageValues, write_module

__all__ = [
    "Finding",
    "ImportBug",
    "ImportResult",
    "StageValues",
    "TemplateError",
    "import_template",
    "write_import",
]


class ImportBug(HotdslError):
    """Import made something it should not have (a module that does not compile): a bug in
    hotdsl, not in the template; the message says so and what to report."""


@attrs.frozen
class ImportResult:
    """A generated module, the files it reads, and what the importer found on the way."""

    template: Path
    environments: tuple[Path, ...]
    source: str
    """The text of the module."""
    files: tuple[FilePlan, ...]
    """Files the module reads with `get_file`, to keep next to it under `FilePlan.key`."""
    findings: tuple[Finding, ...]
    class_name: str
    stack_id: str
    nested_templates: tuple[tuple[str, Path], ...] = ()
    """(files-map key, original file) of every nested template the module writes."""
    environment_data: dict[str, Any] | None = None
    """The environment as Heat would merge the `-e` files (what synth should give back)."""
    parameter_attributes: tuple[tuple[str, str], ...] = ()
    """(parameter name, attribute of the stack class): `stack.<attribute>` in the module."""

    def findings_of(self, level: str) -> list[Finding]:
        return [f for f in self.findings if f.level == level]


def import_template(
    template: Path,
    environments: Sequence[Path] = (),
    *,
    line_length: int = LINE_LENGTH,
    allow_dirs: Sequence[Path] = (),
    home: Path | None = None,
    stack_id: str | None = None,
    stage: StageValues | None = None,
    source_name: str | None = None,
) -> ImportResult:
    """Import a HOT template (and its environment files) as the text of a Python module.

    Files the template names are read only inside `home` (by default the template's
    folder) and `allow_dirs`. Raises `TemplateError` (a `HotdslError`) with the file and
    line for input that Heat would reject as malformed, that is not a HOT template at
    all, or that names a file outside those folders; `ImportBug` if the module made does
    not compile. `stack_id` names the stack in the app (default: from the file name);
    `stage`, when given, is written after the stack with its parameter values;
    `source_name` says where the template came from (default: its file name).
    """
    stem = template.name.split(".")[0] or "template"
    names = Namespace(module_names())
    class_name = names.claim(class_name_for(stem), "Stack", style="camel")
    scope = ReadScope(home if home is not None else template.parent, allow_dirs)
    plan = collect(template, environments, names, scope=scope)
    stack_id = stack_id if stack_id is not None else _stack_id(stem)
    module = write_module(
        plan,
        class_name=class_name,
        stack_id=stack_id,
        width=line_length,
        source_name=source_name if source_name is not None else template.name,
        stage=stage,
    )
    _require_compiles(module.source, template)
    files = [template, *(p.model.document.path for p in plan.providers), *environments]
    order = {str(path): index for index, path in enumerate(files)}
    findings = tuple(
        sorted(
            dict.fromkeys([*plan.all_findings(), *module.findings]),
            key=lambda f: (order.get(f.file, len(order)), f.line or 0),
        )
    )
    nested = tuple((p.template_file, p.model.document.path) for p in plan.providers)
    environment = plan.environment.raw if plan.environment is not None else None
    return ImportResult(
        template,
        tuple(environments),
        module.source,
        module.files,
        findings,
        class_name,
        stack_id,
        nested,
        environment,
        module.parameter_attributes,
    )


def _require_compiles(source: str, template: Path) -> None:
    """Raise `ImportBug` unless Python compiles `source` (the module is never written then)."""
    try:
        source.encode("utf-8")
        compile(source, f"<module imported from {template.name}>", "exec", dont_inherit=True)
    except UnicodeEncodeError as exc:
        problem = f"it cannot be written as UTF-8: {exc.reason}"
    except SyntaxError as exc:
        where = f" (line {exc.lineno} of the module)" if exc.lineno else ""
        problem = f"{exc.msg}{where}"
    except (ValueError, RecursionError, MemoryError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    else:
        return
    raise ImportBug(
        f"{template}: bug: hotdsl import made a module that does not compile ({problem}); "
        "nothing was written. Please report this with the template"
    )


def _stack_id(stem: str) -> str:
    """A valid Heat stack name from a file name: letters first, then letters, digits, `_.-`."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "stack"
    if not cleaned[0].isalpha():
        cleaned = f"stack-{cleaned}"
    return cleaned[:255]


def write_import(result: ImportResult, out: Path, *, force: bool = False) -> list[Path]:
    """Write the module to `out` and copy the files it reads next to it; return what was written.

    Refuses to overwrite a different existing file unless `force`, and to write through a
    symlinked folder out of `out`'s folder. Each file is written whole or not at all; a
    symlink in the way is replaced, never written through.
    """
    folder = out.parent
    planned: list[tuple[Path, bytes | None]] = [(out, result.source.encode("utf-8"))]
    for kept in result.files:
        if kept.source is not None and kept.exists:
            target = folder / Path(*kept.key.split("/"))
            if real(kept.source) == real(target):
                planned.append((target, None))  # imported in place: the file is there
                continue
            try:
                planned.append((target, read_bounded(kept.source, MAX_FILE_BYTES)))
            except ReadRefused as exc:
                raise HotdslError(f"cannot copy {kept.source}: {exc}") from None
    home = real(folder)
    for target, data in planned:
        if not real(target.parent).is_relative_to(home):
            raise HotdslError(
                f"{target.parent} leads out of {folder} (a symlink?); import writes only inside it"
            )
        if target.is_dir():
            raise HotdslError(f"{target} is a folder; name the module to write with --out")
        if data is not None and (target.exists() or target.is_symlink()) and not force:
            if not _holds(target, data):
                raise HotdslError(f"{target} exists; pass --force to overwrite it")
    written: list[Path] = []
    try:
        for target, data in planned:
            if data is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, data)
            written.append(target)
    except OSError as exc:
        raise HotdslError(f"cannot write {target}: {exc.strerror or exc}") from None
    return written


def _holds(target: Path, content: bytes) -> bool:
    """Whether `target` is a regular file (not a symlink) that holds exactly `content`."""
    if target.is_symlink() or not target.is_file() or target.stat().st_size != len(content):
        return False
    try:
        return read_bounded(target, len(content)) == content
    except ReadRefused:
        return False
