"""The manifest: what synth wrote, for deploy, diff and review tools to read.

`manifest.json` lists the stacks in deploy order with their template, environment
files, the `files` map a deploy sends to Heat, parameters and dependencies.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1


@attrs.frozen
class StackEntry:
    """One stack in the out dir."""

    name: str
    """The Heat stack name."""
    path: str
    """The construct path of the stack in the app."""
    template: str
    """The template file, relative to the out dir."""
    parameters: tuple[str, ...] = ()
    environment_files: tuple[str, ...] = ()
    files: dict[str, str] = attrs.field(factory=dict)
    """Keys as the template refers to them (get_file, nested template names) -> paths in the out dir."""
    depends_on: tuple[str, ...] = ()
    """Names of stacks that must be deployed first."""

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "path": self.path,
            "template": self.template,
            "parameters": list(self.parameters),
            "environment_files": list(self.environment_files),
            "files": dict(sorted(self.files.items())),
            "depends_on": list(self.depends_on),
        }


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
        return files

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
            raise ValueError(f"{out_dir / MANIFEST_FILE}: unknown manifest format {data.get('format')!r}")
        return cls(
            tuple(
                StackEntry(
                    name=s["name"],
                    path=s["path"],
                    template=s["template"],
                    parameters=tuple(s.get("parameters", ())),
                    environment_files=tuple(s.get("environment_files", ())),
                    files=dict(s.get("files", {})),
                    depends_on=tuple(s.get("depends_on", ())),
                )
                for s in data["stacks"]
            )
        )
