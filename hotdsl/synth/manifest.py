"""The manifest: what synth wrote, for deploy, diff and review tools to read.

`manifest.json` lists the top-level stacks in deploy order, each with its template,
environment files (its own, and per stage in the order they apply), the `files` map a
deploy sends to Heat, its parameters, the stacks it depends on and which of their
outputs feed which of its parameters, and the cloud and region the app names for it
(`cloud`/`region`, per stage and for a deploy without one; absent when the app names
none, as in manifests written before them). Secrets appear by variable or file name only.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import attrs

from hotdsl.errors import HotdslError
from hotdsl.placement import Placement

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""A manifest is a few kilobytes per stack; anything this large was not written by synth."""


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
    placement: Placement = attrs.field(factory=Placement)
    """The cloud and region the app names for this stack in this stage (stack's, else stage's)."""

    def to_json(self) -> dict[str, object]:
        return {
            "stack_name": self.stack_name,
            "environment_files": list(self.environment_files),
            "secrets": dict(sorted(self.secrets.items())),
            **self.placement.to_json(),
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
    placement: Placement = attrs.field(factory=Placement)
    """The cloud and region the stack names itself, for a deploy without a stage."""

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
            **self.placement.to_json(),
        }

    @classmethod
    def from_json(cls, data: object) -> StackEntry:
        """Read one entry; raises `ManifestError` for a wrong type or a path outside the out dir."""
        entry = _mapping(data, "a stack entry")
        name = _text(entry, "name")
        stages = {}
        for stage_name, stage in _mapping(entry.get("stages", {}), f"{name}: stages").items():
            where = f"{name}: stage {stage_name!r}"
            body = _mapping(stage, where)
            secrets = _mapping(body.get("secrets", {}), f"{where}: secrets")
            stages[stage_name] = StageEntry(
                stack_name=_text(body, "stack_name", where),
                environment_files=_paths(body, "environment_files", where),
                secrets={
                    str(k): {str(a): _scalar_text(b, where) for a, b in _mapping(v, where).items()}
                    for k, v in secrets.items()
                },
                placement=_placement(body, where),
            )
        files = _mapping(entry.get("files", {}), f"{name}: files")
        imports = []
        for item in _list(entry.get("imports", []), f"{name}: imports"):
            body = _mapping(item, f"{name}: imports")
            where = f"{name}: imports"
            imports.append(
                StackImportEntry(
                    parameter=_text(body, "parameter", where),
                    stack=_text(body, "stack", where),
                    output=_text(body, "output", where),
                    type=_text(body, "type", where, "string"),
                )
            )
        return cls(
            name=name,
            path=_text(entry, "path", name),
            template=_path(entry.get("template"), f"{name}: template"),
            parameters=_texts(entry, "parameters", name),
            environment_files=_paths(entry, "environment_files", name),
            files={str(k): _path(v, f"{name}: files[{k!r}]") for k, v in files.items()},
            depends_on=_texts(entry, "depends_on", name),
            imports=tuple(imports),
            stages=stages,
            placement=_placement(entry, name),
        )


class ManifestError(HotdslError):
    """manifest.json cannot be trusted: not JSON, wrong types, or a path outside its out dir."""

    def __init__(self, reason: str, file: Path | None = None) -> None:
        self.reason = reason
        self.file = file
        where = f"{file}: " if file is not None else ""
        advice = "; run `hotdsl synth` to write it again" if file is not None else ""
        super().__init__(f"{where}{reason}{advice}")


def is_inside(path: str) -> bool:
    """Whether `path` (as a manifest writes it) names a file inside the out dir.

    Relative, `/`-separated, no empty, `.` or `..` part, no backslash or NUL: whatever
    a pull request plants in manifest.json, such a path cannot leave the out dir
    (symlinks inside the out dir are the reader's to refuse).
    """
    if not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _mapping(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise ManifestError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _scalar_text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ManifestError(f"{where}: expected a string, got {type(value).__name__}")
    return value


def _text(data: dict[str, object], key: str, where: str = "", default: str | None = None) -> str:
    value = data.get(key, default)
    return _scalar_text(value, f"{where}: {key}" if where else key)


def _placement(data: dict[str, object], where: str) -> Placement:
    """`cloud` and `region` where a manifest names them (older manifests never do)."""
    cloud, region = (
        None if data.get(key) is None else _name(data, key, where) for key in ("cloud", "region")
    )
    return Placement(cloud, region)


def _name(data: dict[str, object], key: str, where: str) -> str:
    value = _text(data, key, where)
    if not value.strip() or not value.isprintable():
        raise ManifestError(f"{where}: {key} {value!r} is not a name")
    return value


def _texts(data: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    items = _list(data.get(key, []), f"{where}: {key}")
    return tuple(_scalar_text(item, f"{where}: {key}") for item in items)


def _path(value: object, where: str) -> str:
    path = _scalar_text(value, where)
    if not is_inside(path):
        raise ManifestError(f"{where}: {path!r} is not a path inside the out dir")
    return path


def _paths(data: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    items = _list(data.get(key, []), f"{where}: {key}")
    return tuple(_path(item, f"{where}: {key}") for item in items)


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
        """Read `manifest.json` from an out dir written by `hotdsl synth`.

        Raises FileNotFoundError when there is none, and `ManifestError` (one line, for
        the user) when it is not a manifest hotdsl could have written: not a regular
        file, too large, not JSON, wrong types, or a path outside the out dir.
        """
        file = out_dir / MANIFEST_FILE
        try:
            document = _mapping(_read_json(file), "the document")
            if document.get("format") != MANIFEST_FORMAT:
                raise ManifestError(f"unknown manifest format {document.get('format')!r}")
            stacks = _list(document.get("stacks"), "stacks")
            return cls(tuple(StackEntry.from_json(entry) for entry in stacks))
        except ManifestError as exc:
            raise ManifestError(exc.reason, file) from None


def _read_json(file: Path) -> object:
    """The JSON document in `file`: a regular file (not a link), of a sane size."""
    try:
        with open(file, "rb", opener=_open_no_follow) as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ManifestError("not a regular file")
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ManifestError("a symlink; hotdsl does not follow links in an out dir") from None
        raise ManifestError(f"cannot read it: {exc.strerror or exc}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ManifestError(f"not valid JSON ({_short(exc)})") from None


def _open_no_follow(path: str, flags: int) -> int:
    """Open without following a symlink in the last component (a planted link is refused)."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
