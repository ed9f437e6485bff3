"""`hotdsl import`: HOT templates and their environments -> a hotdsl Python module.

The pipeline, one module per stage: `parse` (YAML as Heat reads it, with line
numbers) -> `model` (sections, keys and function calls checked as Heat checks them,
values as expressions with references) -> `collect` (nested templates, environments,
files) -> `generate` (Python source, checked against the typed classes) -> `roundtrip`
(run the module, synthesize it, compare with the original).

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
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from hotdsl.errors import HotdslError
from hotdsl.importer import typed
from hotdsl.importer.collect import FilePlan, collect
from hotdsl.importer.generate import HOTDSL_NAMES, OTHER_NAMES, class_name_for, generate
from hotdsl.importer.model import Finding
from hotdsl.importer.names import Namespace
from hotdsl.importer.parse import TemplateError
from hotdsl.importer.pysource import LINE_LENGTH

__all__ = ["Finding", "ImportResult", "TemplateError", "import_template", "write_import"]


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

    def findings_of(self, level: str) -> list[Finding]:
        return [f for f in self.findings if f.level == level]


def import_template(
    template: Path, environments: Sequence[Path] = (), *, line_length: int = LINE_LENGTH
) -> ImportResult:
    """Import a HOT template (and its environment files) as the text of a Python module.

    Raises `TemplateError` (a `HotdslError`) with the file and line for input that Heat
    would reject as malformed, or that is not a HOT template at all.
    """
    stem = template.name.split(".")[0] or "template"
    names = Namespace([*HOTDSL_NAMES, *OTHER_NAMES, *typed.stdlib_modules(), "app", "stack"])
    class_name = names.claim(class_name_for(stem), "Stack", style="camel")
    plan = collect(template, environments, names)
    stack_id = _stack_id(stem)
    module = generate(
        plan, class_name=class_name, stack_id=stack_id, width=line_length, source_name=template.name
    )
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
    )


def _stack_id(stem: str) -> str:
    """A valid Heat stack name from a file name: letters first, then letters, digits, `_.-`."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "stack"
    if not cleaned[0].isalpha():
        cleaned = f"stack-{cleaned}"
    return cleaned[:255]


def write_import(result: ImportResult, out: Path, *, force: bool = False) -> list[Path]:
    """Write the module to `out` and copy the files it reads next to it; return what was written.

    Refuses to overwrite a different existing file unless `force`.
    """
    folder = out.parent
    planned: list[tuple[Path, bytes | Path]] = [(out, result.source.encode("utf-8"))]
    for kept in result.files:
        if kept.source is not None and kept.exists:
            planned.append((folder / Path(*kept.key.split("/")), kept.source))
    for target, content in planned:
        if target.exists() and not force:
            same = target.read_bytes() == (
                content if isinstance(content, bytes) else content.read_bytes()
            )
            if not same:
                raise HotdslError(f"{target} exists; pass --force to overwrite it")
    written: list[Path] = []
    for target, content in planned:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif content.resolve() != target.resolve():
            shutil.copyfile(content, target)
        written.append(target)
    return written
