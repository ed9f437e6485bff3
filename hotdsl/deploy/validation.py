"""Heat's own template validation of what `hotdsl synth` wrote, one verdict per stack.

Each stack's template goes to `POST /v1/{project}/validate` with its environment
files and its files map, as a deploy would send them, so Heat merges the environments
itself. openstacksdk's `validate_template` cannot send `files` or
`environment_files`, hence the raw POST through the orchestration proxy.

What Heat checks there (heat/engine/service.py, `validate_template`): the template's
sections and version, functions, that every resource type exists and its service is
in the catalog, and that property names are known. It does not check required
properties, value types or constraints; hotdsl's synth does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hotdsl.errors import HotdslError
from hotdsl.synth.manifest import Manifest, StackEntry

if TYPE_CHECKING:
    from openstack.connection import Connection


@attrs.frozen
class HeatVerdict:
    """What Heat said about one stack's template."""

    stack: str
    template: str
    """The template file, relative to the out dir."""
    ok: bool
    message: str = ""
    """Heat's error message when not ok."""
    stage: str | None = None

    def __str__(self) -> str:
        where = f"{self.stack}" + (f" ({self.stage})" if self.stage else "")
        return f"{where}: valid" if self.ok else f"{where}: {self.message}"


def validation_request(
    out_dir: Path, entry: StackEntry, stage: str | None = None
) -> dict[str, Any]:
    """The body of Heat's validate call for one stack of an out dir.

    The template is sent as the text synth wrote (Heat parses it as it would on
    deploy); environment files travel in `files` under the names listed in
    `environment_files`, in the order Heat merges them.
    """
    if stage is not None:
        if stage not in entry.stages:
            known = ", ".join(entry.stages) or "none"
            raise HotdslError(f"stack {entry.name} has no stage {stage!r} (its stages: {known})")
        environment_files = list(entry.stages[stage].environment_files)
    else:
        environment_files = list(entry.environment_files)
    files = {key: _read(out_dir, path) for key, path in sorted(entry.files.items())}
    for name in environment_files:
        files[name] = _read(out_dir, name)
    body: dict[str, Any] = {"template": _read(out_dir, entry.template), "files": files}
    if environment_files:
        body["environment_files"] = environment_files
    return body


def validate_out_dir(
    conn: Connection, out_dir: Path, *, stage: str | None = None
) -> list[HeatVerdict]:
    """Ask Heat to validate every stack of an out dir written by `hotdsl synth`."""
    try:
        manifest = Manifest.load(out_dir)
    except FileNotFoundError:
        raise HotdslError(f"{out_dir} has no manifest.json; run `hotdsl synth` first") from None
    return [validate_stack(conn, out_dir, entry, stage=stage) for entry in manifest.stacks]


def validate_stack(
    conn: Connection, out_dir: Path, entry: StackEntry, *, stage: str | None = None
) -> HeatVerdict:
    """Ask Heat to validate one stack; a 400 answer is a verdict, other failures raise."""
    body = validation_request(out_dir, entry, stage)
    response = conn.orchestration.post("/validate", json=body, raise_exc=False)
    if response.status_code == 200:
        return HeatVerdict(entry.name, entry.template, True, stage=stage)
    if response.status_code == 400:
        return HeatVerdict(entry.name, entry.template, False, _heat_message(response.text), stage)
    raise HotdslError(
        f"Heat answered {response.status_code} to validating {entry.name}: "
        f"{_heat_message(response.text)[:500]}"
    )


def _heat_message(text: str) -> str:
    """Heat's error text from its JSON fault body, or the body itself."""
    try:
        document = json.loads(text)
    except ValueError:
        return text.strip()
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(document, dict) and document.get("explanation"):
        return str(document["explanation"])
    return text.strip()


def _read(out_dir: Path, relative: str) -> str:
    path = out_dir / relative
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HotdslError(
            f"{path} is listed in manifest.json but missing; run `hotdsl synth` again"
        ) from None
