"""What a stack action shows, from Heat's events alone (no Heat here): the counter that
never goes back, a replacement told from a deletion, one action's timings and events,
failures named by path, and the JSON of `hotdsl events`. The same against a real Heat
is tests/test_deploy_after.py."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from hotdsl.deploy.engine import EventMarker, EventsSince, operation_failures
from hotdsl.deploy.progress import Progress
from hotdsl.toolkit import StackEvents

STACK = "app"


def event(name: str, status: str, reason: str = "state changed", **more: Any) -> dict[str, Any]:
    """A Heat event as the events API lists it; `owner` puts it in a nested stack."""
    owner = more.pop("owner", STACK)
    count = next(COUNTER)
    return {
        "id": f"e{count}",
        "event_time": more.pop("time", f"2026-01-01T10:00:{count:02d}Z"),
        "resource_name": name,
        "resource_status": status,
        "resource_status_reason": reason,
        "physical_resource_id": more.pop("physical", f"{owner}-{name}"),
        "links": [{"rel": "stack", "href": f"http://heat/v1/p/stacks/{owner}/{owner}-id"}],
    }


COUNTER = iter(range(10**6))


def counters(progress: Progress, events: list[dict[str, Any]]) -> list[tuple[int, int]]:
    seen = []
    for item in events:
        progress.event(STACK, item)
        seen.append(progress.actions[STACK].counter)
    return seen


def failed_update_with_rollback() -> list[dict[str, Any]]:
    return [
        event(STACK, "UPDATE_IN_PROGRESS", "Stack UPDATE started"),
        event("a", "UPDATE_IN_PROGRESS"),
        event("a", "UPDATE_COMPLETE"),
        event("b", "UPDATE_IN_PROGRESS"),
        event("b", "UPDATE_FAILED", "boom"),
        event(STACK, "UPDATE_FAILED", "Resource UPDATE failed: boom"),
        event(STACK, "ROLLBACK_IN_PROGRESS", "Stack ROLLBACK started"),
        event("a", "UPDATE_IN_PROGRESS"),
        event("b", "UPDATE_IN_PROGRESS"),
        event("c", "DELETE_IN_PROGRESS"),
        event("a", "UPDATE_COMPLETE"),
        event("b", "UPDATE_COMPLETE"),
        event("c", "DELETE_COMPLETE"),
        event(STACK, "ROLLBACK_COMPLETE", "Stack ROLLBACK completed successfully"),
    ]


def test_the_counter_never_goes_back_though_the_rollback_touches_resources_again() -> None:
    seen = counters(Progress(io.StringIO(), live=False), failed_update_with_rollback())
    done = [d for d, _ in seen]
    assert done == sorted(done), seen
    assert [total for _, total in seen] == sorted(total for _, total in seen)
    assert seen[-1] == (3, 3)


def test_a_new_action_starts_a_new_counter_and_new_timings() -> None:
    progress = Progress(io.StringIO(), live=False)
    counters(progress, failed_update_with_rollback())
    second = counters(
        progress,
        [
            event(STACK, "UPDATE_IN_PROGRESS", "Stack UPDATE started"),
            event("a", "UPDATE_IN_PROGRESS", time="2026-01-01T11:00:00Z"),
            event("a", "UPDATE_COMPLETE", time="2026-01-01T11:00:04Z"),
        ],
    )
    assert second == [(0, 0), (0, 1), (1, 1)]
    assert list(progress.timings[STACK]) == ["a"]
    timing = progress.timings[STACK]["a"]
    assert timing.started is not None and timing.finished is not None
    assert (timing.finished - timing.started).total_seconds() == 4


def test_the_status_line_tells_a_replacement_from_a_deletion() -> None:
    shown = io.StringIO()
    progress = Progress(shown, live=True)
    progress.stack_status(STACK, "UPDATE_IN_PROGRESS")
    lines = []
    for item in [
        event(STACK, "UPDATE_IN_PROGRESS", "Stack UPDATE started"),
        event("rnd", "UPDATE_IN_PROGRESS", physical="old"),
        event("rnd", "UPDATE_COMPLETE", "The Resource rnd requires replacement.", physical="old"),
        event("rnd", "CREATE_IN_PROGRESS", physical="new"),
        event("rnd", "CREATE_COMPLETE", physical="new"),
        event("rnd", "DELETE_IN_PROGRESS", physical="old"),
        event("gone", "DELETE_IN_PROGRESS"),
    ]:
        progress.event(STACK, item)
        lines.append(progress.status_line())
    assert lines[3].endswith("replacing rnd"), lines
    assert lines[5].endswith("deleting the replaced version rnd"), lines
    assert lines[6].endswith("deleting gone"), lines
    text = shown.getvalue()
    assert "rnd DELETE_IN_PROGRESS (deleting the replaced version)" in text
    assert re.search(r"gone DELETE_IN_PROGRESS\n", text)


def test_failures_are_named_by_path_and_a_parent_through_its_failed_child() -> None:
    nested = f"{STACK}-inner-x1"
    events = [
        event(STACK, "UPDATE_IN_PROGRESS", "Stack UPDATE started"),
        event("inner", "UPDATE_IN_PROGRESS", physical=f"{nested}-id"),
        event("item", "CREATE_FAILED", "ValueError: item failed", owner=nested),
        event(nested, "UPDATE_FAILED", "Resource CREATE failed", owner=nested),
        event("inner", "UPDATE_FAILED", "resources.inner: failed", physical=f"{nested}-id"),
        event("other", "CREATE_FAILED", "quota"),
        event(STACK, "UPDATE_FAILED", "Resource UPDATE failed"),
        event(STACK, "ROLLBACK_COMPLETE", "Stack ROLLBACK completed successfully"),
    ]
    found = operation_failures(STACK, events)
    assert [(f.resource, f.status, f.reason) for f in found] == [
        ("inner/item", "CREATE_FAILED", "ValueError: item failed"),
        ("other", "CREATE_FAILED", "quota"),
    ]
    assert str(found[0]) == "inner/item CREATE_FAILED: ValueError: item failed"


def test_only_events_after_the_action_began_belong_to_it() -> None:
    since = EventsSince(EventMarker("e5", "2026-01-01T10:00:05Z"), [])
    assert not since.after_start({"id": "e5", "event_time": "2026-01-01T10:00:05Z"})
    assert not since.after_start({"id": "e1", "event_time": "2026-01-01T10:00:01Z"})
    assert since.after_start({"id": "e9", "event_time": "2026-01-01T10:00:09Z"})
    assert EventsSince(None, []).after_start({"id": "e1", "event_time": "2026-01-01T10:00:01Z"})


def test_events_json_has_the_same_fields_for_every_event_and_paths() -> None:
    nested = f"{STACK}-inner-x1"
    events = (
        event("inner", "CREATE_IN_PROGRESS", physical=f"{nested}-id"),
        {**event("item", "CREATE_COMPLETE", owner=nested), "extra": "Heat may add fields"},
        event(nested, "CREATE_COMPLETE", "Stack CREATE completed", owner=nested),
    )
    data = StackEvents(STACK, events, "CREATE_COMPLETE").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["stack"] == STACK and data["status"] == "CREATE_COMPLETE"
    assert {frozenset(e) for e in data["events"]} == {
        frozenset(
            {"id", "time", "path", "status", "reason", "physical_resource_id", "nested_stack_event"}
        )
    }
    assert [e["path"] for e in data["events"]] == ["inner", "inner/item", nested]
    assert [e["nested_stack_event"] for e in data["events"]] == [False, False, True]
