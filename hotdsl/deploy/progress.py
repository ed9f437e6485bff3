"""Showing a deploy while Heat works: one line per event, or a live status line on a terminal.

On a terminal the current state of each stack is kept on one line that is rewritten
in place, with resource events printed above it; elsewhere (CI logs) every event is
one plain line. At the end, a summary gives the elapsed time per resource. Heat's
reasons can quote a secret the deploy sent; every line is masked (`hotdsl.secrets`).

What a stack action did is kept per stack in a `StackAction` (one per create, update
or delete of the stack, its rollback included): the timings of the summary, the
counter of the status line (resources seen, resources done; done never goes back,
though a resource is touched again by the rollback) and what each resource is doing,
a replacement told from a deletion. Events are labelled by their path in the nested
stacks (`EventPaths`), the way failures and `hotdsl events` name them too.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TextIO

import attrs

from hotdsl.secrets import MaskedStream

STARTS_AN_ACTION = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS")
"""A stack's own event with one of these statuses starts a new action (a rollback does not)."""
REPLACEMENT_MARK = "requires replacement"
"""Heat's reason on the event of a resource it is about to replace."""


@attrs.define
class ResourceTiming:
    started: datetime | None = None
    finished: datetime | None = None
    status: str = ""


class EventPaths:
    """Labels Heat's events by their path: `web`, `group/0/port` for nested stacks."""

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self._labels: dict[str, str] = {stack: ""}

    def label(self, event: Mapping[str, Any]) -> str | None:
        """The event's path; None for a nested stack's own start or finish (its parent
        resource's events say the same)."""
        name = str(event.get("resource_name", "?"))
        owner, owner_id = _owner_stack(event)
        owner = owner or self.stack
        labels = self._labels
        if owner not in labels:
            # Heat names a nested stack in its parent's events by name first, by id later.
            labels[owner] = labels.get(owner_id, owner)
        if name == owner and owner != self.stack:
            return None
        prefix = labels[owner]
        label = f"{prefix}/{name}" if prefix else name
        physical = event.get("physical_resource_id")
        if isinstance(physical, str) and physical and name != self.stack:
            labels.setdefault(physical, label)
        return label

    def path(self, stack: str, resource: str) -> str:
        """The path of a resource of `stack` (the top stack, or a nested one met in events)."""
        prefix = self._labels.get(stack, stack) if stack and stack != self.stack else ""
        return f"{prefix}/{resource}" if prefix else resource


@attrs.define
class StackAction:
    """One action of one stack (create, update or delete, with its rollback) as events show it."""

    timings: dict[str, ResourceTiming] = attrs.field(factory=dict)
    done: set[str] = attrs.field(factory=set)
    """Resources that reached COMPLETE or FAILED in this action: the counter only grows."""
    replaced: dict[str, str] = attrs.field(factory=dict)
    """Resources Heat replaces -> the physical id of the old one."""
    doing: dict[str, str] = attrs.field(factory=dict)
    """Resources in progress -> what they are doing (creating, replacing, deleting, ...)."""

    def record(self, label: str, event: Mapping[str, Any], when: datetime | None) -> str:
        """Take one resource event; returns what the resource does, as the status line says it."""
        status = str(event.get("resource_status", ""))
        reason = str(event.get("resource_status_reason") or "")
        physical = str(event.get("physical_resource_id") or "")
        timing = self.timings.setdefault(label, ResourceTiming())
        if status.endswith("IN_PROGRESS") and timing.started is None:
            timing.started = when
        elif status.endswith(("COMPLETE", "FAILED")):
            timing.finished = when
            self.done.add(label)
        timing.status = status
        if REPLACEMENT_MARK in reason:
            self.replaced[label] = physical
        doing = self.verb(label, status, physical)
        if status.endswith("IN_PROGRESS"):
            self.doing[label] = doing
        else:
            self.doing.pop(label, None)
        return doing

    def verb(self, label: str, status: str, physical: str) -> str:
        """What a status means for the resource: a delete of the version Heat replaced is
        part of the replacement, not a deletion."""
        action = status.split("_", 1)[0]
        old = self.replaced.get(label)
        if old is not None and action == "CREATE":
            return "replacing"
        if old is not None and action == "DELETE" and physical == old:
            return "deleting the replaced version"
        return {
            "CREATE": "creating",
            "UPDATE": "updating",
            "DELETE": "deleting",
            "ROLLBACK": "rolling back",
        }.get(action, action.lower())

    @property
    def counter(self) -> tuple[int, int]:
        """(resources done, resources seen) in this action."""
        return len(self.done), len(self.timings)


class ProgressObserver(Protocol):
    """What the deploy engine reports while it follows Heat (`Progress` prints it).

    Called from the engine's worker threads: an implementation must be thread-safe.
    """

    def say(self, stack: str, message: str) -> None:
        """A step of one stack: creating, updating, waiting, deleted, ..."""

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        """One of Heat's events for the stack (or one of its nested stacks)."""

    def stack_status(self, stack: str, status: str) -> None:
        """The stack's status at the latest poll."""

    def summary(self, stack: str, elapsed: float) -> None:
        """The stack's create or update is over, after `elapsed` seconds."""


class Progress:
    """Prints events for one or more stacks; safe to use from several threads."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = MaskedStream(stream or sys.stdout)
        self.live = self.stream.isatty() if live is None else live
        self._lock = threading.Lock()
        self._status: dict[str, str] = {}
        self.actions: dict[str, StackAction] = {}
        """The current (or last) action of each stack."""
        self._paths: dict[str, EventPaths] = {}
        self._status_shown = False

    @property
    def timings(self) -> dict[str, dict[str, ResourceTiming]]:
        """Elapsed time per resource of each stack's current (or last) action."""
        return {stack: action.timings for stack, action in self.actions.items()}

    def say(self, stack: str, message: str) -> None:
        with self._lock:
            self._clear_status()
            self.stream.write(f"{stack}: {message}\n")
            self._show_status()
            self.stream.flush()

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        """Print one Heat event; events of nested stacks are labelled by their path (`web/0/port`)."""
        status = str(event.get("resource_status", ""))
        reason = str(event.get("resource_status_reason") or "")
        when = _parse_time(event.get("event_time"))
        with self._lock:
            label = self._paths.setdefault(stack, EventPaths(stack)).label(event)
            if label is None:
                return
            if label == stack:
                if status in STARTS_AN_ACTION or stack not in self.actions:
                    self.actions[stack] = StackAction()
                note = ""
            else:
                action = self.actions.setdefault(stack, StackAction())
                doing = action.record(label, event, when)
                note = (
                    f" ({doing})" if doing in ("replacing", "deleting the replaced version") else ""
                )
            stamp = when.strftime("%H:%M:%S") if when else "--:--:--"
            extra = f" {reason}" if reason and reason != "state changed" else ""
            self._clear_status()
            self.stream.write(f"{stack} | {stamp} | {label} {status}{extra}{note}\n")
            self._show_status()
            self.stream.flush()

    def stack_status(self, stack: str, status: str) -> None:
        with self._lock:
            self._clear_status()
            self._status[stack] = status
            self._show_status()
            self.stream.flush()

    def status_line(self) -> str:
        """The live line: each stack's status, its counter and what its resources are doing."""
        parts = []
        for stack, status in self._status.items():
            action = self.actions.get(stack)
            done, total = action.counter if action else (0, 0)
            text = f"{stack} {status} [{done}/{total}]" if total else f"{stack} {status}"
            if action is not None and action.doing:
                label, doing = next(reversed(action.doing.items()))
                text += f" {doing} {label}"
            parts.append(text)
        return " | ".join(parts)[:200]

    def summary(self, stack: str, elapsed: float) -> None:
        """Elapsed time per resource of the stack's last action, slowest first."""
        rows = []
        action = self.actions.get(stack, StackAction())
        for name, timing in action.timings.items():
            if name == stack or timing.started is None or timing.finished is None:
                continue
            rows.append(((timing.finished - timing.started).total_seconds(), name, timing.status))
        rows.sort(key=lambda row: (-row[0], row[1]))
        with self._lock:
            self._clear_status()
            self._status.pop(stack, None)
            self.stream.write(f"{stack}: done in {elapsed:.1f} s\n")
            for seconds, name, status in rows[:20]:
                self.stream.write(f"  {seconds:6.1f} s  {name} ({status})\n")
            if len(rows) > 20:
                self.stream.write(f"  ... and {len(rows) - 20} more resources\n")
            self._show_status()
            self.stream.flush()

    def close(self) -> None:
        with self._lock:
            self._clear_status()
            self.stream.flush()

    def _clear_status(self) -> None:
        if self.live and self._status_shown:
            self.stream.write("\r\x1b[2K")
            self._status_shown = False

    def _show_status(self) -> None:
        if not self.live or not self._status:
            return
        self.stream.write(self.status_line())
        self._status_shown = True


def _owner_stack(event: Mapping[str, Any]) -> tuple[str | None, str]:
    """The name and id of the stack an event belongs to, from its `stack` link."""
    for link in event.get("links") or ():
        if link.get("rel") == "stack":
            tail = str(link.get("href", "")).split("/stacks/", 1)[-1]
            name, _, rest = tail.partition("/")
            return name, rest.split("/", 1)[0]
    return None, ""


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
