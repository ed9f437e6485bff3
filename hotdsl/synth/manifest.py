"""The manifest: what synth wrote, for deploy, diff and review tools to read.

`manifest.json` lists the top-level stacks in deploy order, each with its template,
environment files (its own, and per stage in the order they apply), the `files` map a
deploy sends to Heat, its parameters, the stacks it depends on and which of their
outputs feed which of its parameters. Secrets appear by variable or file name only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


@attrs.frozen
class StackImportEntry:
    """`parameter` of this stack is filled from `output` of the deployed stack `stack`."""

    parameter: str
    stack: str
    output: str
    type: str = "string"

    def to_json(self) -> dict[str, str]:
        return {
            "parameter": self.parameter,
            "stack": self.stack,
            "output": self.output,
            "type": self.type,
        }


@attrs.frozen
class StageEntry:
    """How one stage deploys one stack."""

    stack_name: str
    environment_files: tuple[str, ...] = ()
    """Applied in this order (later files win, as Heat merges them)."""
    secrets: dict[str, dict[str, str]] = attrs.field(factory=dict)
    """Parameter name -> {"from_env": VAR} or {"from_file": PATH}, read at deploy time."""

    def to_json(self) -> dict[str, object]:
        return {
            "stack_name": self.stack_name,
            "environment_files": list(self.environment_files),
            "secrets": dict(sorted(self.secrets.items())),
        }


@attrs.frozen
class StackEntry:
    """One top-level stack in the out dir."""

    name: str
    """The Heat stack name (without a stage's prefix)."""
    path: str
    """The construct path of the stack in the app."""
    template: str
    """The template file, relative to the out dir."""
    parameters: tuple[str, ...] = ()
    environment_files: tuple[str, ...] = ()
    """The stack's own environment files, for a deploy without a stage."""
    files: dict[str, str] = attrs.field(factory=dict)
    """Keys as the template refers to them (get_file, nested template names) -> paths in the out dir."""
    depends_on: tuple[str, ...] = ()
    """Names of stacks that must be deployed first."""
    imports: tuple[StackImportEntry, ...] = ()
    stages: dict[str, StageEntry] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "path": self.path,
            "template": self.template,
            "parameters": list(self.parameters),
            "environment_files": list(self.environment_files),
            "files": dict(sorted(self.files.items())),
            "depends_on": list(self.depends_on),
            "imports": [i.to_json() for i in self.imports],
            "stages": {name: stage.to_json() for name, stage in self.stages.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackEntry:
        return cls(
            name=data["name"],
            path=data["path"],
            template=data["template"],
            parameters=tuple(data.get("parameters", ())),
            environment_files=tuple(data.get("environment_files", ())),
            files=dict(data.get("files", {})),
            depends_on=tuple(data.get("depends_on", ())),
            imports=tuple(StackImportEntry(**i) for i in data.get("imports", ())),
            stages={
                name: StageEntry(
                    stack_name=s["stack_name"],
                    environment_files=tuple(s["environment_files"]),
                    secrets=dict(s.get("secrets", {})),
                )
                for name, s in data.get("stages", {}).items()
            },
        )


@attrs.frozen
class Manifest:
    """Everything synth wrote into one out dir."""

    stacks: tuple[StackEntry, ...]

    def to_json(self) -> str:
        document = {"format": MANIFEST_FORMAT, "stacks": [s.to_json() for s in self.stacks]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def written_files(self) -> list[str]:
        """Every file of the out dir this manifest accounts for, relative to it."""
        files = [MANIFEST_FILE]
        for stack in self.stacks:
            files.append(stack.template)
            files.extend(stack.environment_files)
            files.extend(stack.files.values())
            for stage in stack.stages.values():
                files.extend(stage.environment_files)
        return list(dict.fromkeys(files))

    def stack(self, name: str) -> StackEntry:
        for entry in self.stacks:
            if entry.name == name:
                return entry
        raise KeyError(name)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        """Read `manifest.json` from an out dir written by `hotdsl synth`."""
        data = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(
                f"{out_dir / MANIFEST_FILE}: unknown manifest format {data.get('format')!r}"
            )
        return cls(tuple(StackEntry.from_json(s) for s in data["stacks"]))
