"""Heat's own template validation of what `hotdsl synth` wrote, one verdict per stack.

Each stack's template goes to `POST /v1/{project}/validate` with its environment
files and its files map, as a deploy would send them, so Heat merges the environments
itself. openstacksdk's `validate_template` cannot send `files` or
`environment_files`, hence `HeatClient.validate`, and the body is built by the same
`stack_request` a deploy uses.

What Heat checks there (heat/engine/service.py, `validate_template`): the template's
sections and version, functions, that every resource type exists and its service is
in the catalog, and that property names are known. It does not check required
properties, value types or constraints; hotdsl's synth does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from hotdsl.deploy.heat import HeatClient, HeatError
from hotdsl.deploy.plan import DeployOptions, load_manifest, stack_request
from hotdsl.errors import HotdslError
from hotdsl.synth.manifest import StackEntry

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
    """The body of Heat's validate call for one stack of an out dir: what a deploy would send.

    The template goes as the text synth wrote (Heat parses it as it would on deploy);
    environment files travel in `files` under the names listed in `environment_files`,
    in the order Heat merges them. Secrets are not needed and not read.
    """
    return stack_request(out_dir, entry, DeployOptions(stage=stage), read_secrets=False).body()


def validate_out_dir(
    conn: Connection, out_dir: Path, *, stage: str | None = None
) -> list[HeatVerdict]:
    """Ask Heat to validate every stack of an out dir written by `hotdsl synth`."""
    manifest = load_manifest(out_dir)
    return [validate_stack(conn, out_dir, entry, stage=stage) for entry in manifest.stacks]


def validate_stack(
    conn: Connection, out_dir: Path, entry: StackEntry, *, stage: str | None = None
) -> HeatVerdict:
    """Ask Heat to validate one stack; a 400 answer is a verdict, other failures raise."""
    try:
        HeatClient(conn).validate(validation_request(out_dir, entry, stage))
    except HeatError as exc:
        if exc.status != 400:
            raise HotdslError(
                f"Heat answered {exc.status} to validating {entry.name}: {exc}"
            ) from exc
        return HeatVerdict(entry.name, entry.template, False, str(exc), stage)
    return HeatVerdict(entry.name, entry.template, True, stage=stage)
