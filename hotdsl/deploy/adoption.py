"""Heat's abandon and adopt: move a stack's resources out of Heat's hands and back, as they are.

Abandoning deletes the stack from Heat but leaves its resources in the cloud, and gives
back Heat's record of them (template, environment, files, each resource's physical id);
adopting creates a stack from such a record without creating its resources again. In
between, the record can be edited (resources moved from one stack's record to another),
so resources change stacks without being recreated.

The record holds the stack's environment, hidden parameter values included, so it is
written only to the file the user names (readable by the user alone) and never shown.
Abandon changes only stacks hotdsl created unless the user says otherwise. Clouds turn
both calls off by default (Heat's `enable_stack_abandon`, `enable_stack_adopt`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from hotdsl.deploy.heat import HeatClient, HeatError, StackRef
from hotdsl.deploy.ownership import OWNER_TAG_PREFIX
from hotdsl.errors import HotdslError

NOT_OWNED_FLAG = "--not-owned"
MAX_RECORD_BYTES = 16 * 1024 * 1024


@attrs.frozen
class Abandoned:
    stack: StackRef
    resources: int
    file: Path


def abandon(client: HeatClient, name: str, to: Path, *, not_owned: bool = False) -> Abandoned:
    """Abandon the stack `name`, writing Heat's record of it to `to` (a new file, mode 0600)."""
    ref = client.find_stack(name)
    if ref is None:
        raise HotdslError(f"no stack named {name!r} in Heat; nothing abandoned")
    if not not_owned and not any(tag.startswith(OWNER_TAG_PREFIX) for tag in ref.tags):
        raise HotdslError(
            f"stack {ref.name} was not created by hotdsl; abandon leaves only hotdsl's stacks. "
            f"To abandon it anyway, run again with {NOT_OWNED_FLAG}"
        )
    if ref.in_progress:
        raise HotdslError(f"stack {ref.name} is {ref.status}; abandon it once Heat is done")
    try:
        # Claimed before Heat forgets the stack: the record must have somewhere to go.
        handle = os.open(to, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HotdslError(
            f"{to} exists; name a new file for the abandoned stack's record"
        ) from None
    except OSError as exc:
        raise HotdslError(f"cannot write {to}: {exc.strerror or exc}") from None
    try:
        record = client.abandon_stack(ref)
    except BaseException as exc:
        os.close(handle)
        to.unlink()
        if isinstance(exc, HeatError) and exc.status in (400, 403, 405):
            raise HotdslError(
                f"Heat refused to abandon {ref.name}: {exc} (the cloud may have "
                "enable_stack_abandon turned off)"
            ) from None
        raise
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(record, stream, indent=2, sort_keys=True)
        stream.write("\n")
    resources = record.get("resources") if isinstance(record, dict) else None
    return Abandoned(ref, len(resources) if isinstance(resources, dict) else 0, to)


def read_record(path: Path) -> dict[str, Any]:
    """An abandon record from `path`, checked enough to adopt it."""
    try:
        if path.stat().st_size > MAX_RECORD_BYTES:
            raise HotdslError(f"{path} is larger than {MAX_RECORD_BYTES} bytes; not a stack record")
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HotdslError(f"{path} does not exist; name the file `hotdsl abandon` wrote") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise HotdslError(f"cannot read {path}: {exc}") from None
    except ValueError as exc:
        raise HotdslError(
            f"{path} is not JSON ({exc}); name the file `hotdsl abandon` wrote"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("template"), dict):
        raise HotdslError(f"{path} holds no stack template; name the file `hotdsl abandon` wrote")
    if not isinstance(data.get("resources"), dict):
        raise HotdslError(f"{path} holds no resources; name the file `hotdsl abandon` wrote")
    return data


def adopt(
    client: HeatClient,
    record: dict[str, Any],
    name: str,
    *,
    sleep: Callable[[float], None],
    polls: int = 1200,
) -> StackRef:
    """Create the stack `name` from an abandon record, adopting its resources; wait for Heat."""
    if client.find_stack(name) is not None:
        raise HotdslError(f"a stack named {name!r} exists; adopt under another name with --name")
    tags = record.get("tags") or []
    body: dict[str, Any] = {
        "template": record["template"],
        "environment": record.get("environment") or {},
        "files": record.get("files") or {},
        "adopt_stack_data": json.dumps(record),
        "disable_rollback": True,
    }
    if isinstance(tags, list) and tags:
        body["tags"] = ",".join(str(tag) for tag in tags)
    try:
        ref = client.create_stack(name, body)
    except HeatError as exc:
        if exc.status in (400, 403, 405) and "adopt" in str(exc).lower():
            raise HotdslError(
                f"Heat refused to adopt {name}: {exc} (the cloud may have enable_stack_adopt "
                "turned off)"
            ) from None
        raise
    for _ in range(polls):
        ref = client.get_stack(ref)
        if not ref.in_progress:
            return ref
        sleep(0.5)
    raise HotdslError(f"stack {name} is still {ref.status}; follow it with `openstack stack show`")
