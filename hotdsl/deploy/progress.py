"""Showing a deploy while Heat works: one line per event, or a live status line on a terminal.

On a terminal the current state of each stack is kept on one line that is rewritten
in place, with resource events printed above it; elsewhere (CI logs) every event is
one plain line. At the end, a summary gives the elapsed time per resource. Heat's
reasons can quote a secret the deploy sent; every line is masked (`hotdsl.secrets`).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TextIO

import attrs

from hotdsl.secrets import MaskedStream


@attrs.define
class ResourceTiming:
    started: datetime | None = None
    finished: datetime | None = None
    status: str = ""


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
        self._counts: dict[str, tuple[int, int]] = {}
        self.timings: dict[str, dict[str, ResourceTiming]] = {}
        self._status_shown = False
        self._labels: dict[str, dict[str, str]] = {}

    def say(self, stack: str, message: str) -> None:
        with self._lock:
            self._clear_status()
            self.stream.write(f"{stack}: {message}\n")
            self._show_status()
            self.stream.flush()

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        """Print one Heat event; events of nested stacks are labelled by their path (`web/0/port`)."""
        name = str(event.get("resource_name", "?"))
        status = str(event.get("resource_status", ""))
        reason = str(event.get("resource_status_reason") or "")
        when = _parse_time(event.get("event_time"))
        owner, owner_id = _owner_stack(event)
        owner = owner or stack
        labels = self._labels.setdefault(stack, {stack: ""})
        if owner not in labels:
            # Heat names a nested stack in its parent's events by name first, by id later.
            labels[owner] = labels.get(owner_id, owner)
        if name == owner and owner != stack:
            return  # a nested stack's own start/finish: its parent resource's events say the same
        prefix = labels[owner]
        label = f"{prefix}/{name}" if prefix else name
        physical = event.get("physical_resource_id")
        if isinstance(physical, str) and physical and name != stack:
            labels.setdefault(physical, label)
        timing = self.timings.setdefault(stack, {}).setdefault(label, ResourceTiming())
        if status.endswith("IN_PROGRESS") and timing.started is None:
            timing.started = when
        elif status.endswith(("COMPLETE", "FAILED")):
            timing.finished = when
        timing.status = status
        stamp = when.strftime("%H:%M:%S") if when else "--:--:--"
        extra = f" {reason}" if reason and reason != "state changed" else ""
        with self._lock:
            self._clear_status()
            self.stream.write(f"{stack} | {stamp} | {label} {status}{extra}\n")
            done = sum(
                1 for t in self.timings[stack].values() if t.status.endswith(("COMPLETE", "FAILED"))
            )
            self._counts[stack] = (done, len(self.timings[stack]))
            self._show_status()
            self.stream.flush()

    def stack_status(self, stack: str, status: str) -> None:
        with self._lock:
            self._clear_status()
            self._status[stack] = status
            self._show_status()
            self.stream.flush()

    def summary(self, stack: str, elapsed: float) -> None:
        """Elapsed time per resource of one stack, slowest first."""
        rows = []
        for name, timing in self.timings.get(stack, {}).items():
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
        parts = []
        for stack, status in self._status.items():
            done, total = self._counts.get(stack, (0, 0))
            parts.append(f"{stack} {status} [{done}/{total}]" if total else f"{stack} {status}")
        self.stream.write(" | ".join(parts)[:200])
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
