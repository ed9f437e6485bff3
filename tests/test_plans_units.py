"""The pieces of saved plans and approval that need no Heat: what counts as a stack
having moved, and what each approval level asks about.

The whole path (diff --plan-out, deploy --plan, refusals, questions) runs against Heat
in test_plans.py; tampered plan files are in hostile/test_plans.py.
"""

from __future__ import annotations

from hotdsl.deploy.diff import Change, ResourceChange, StackDiff
from hotdsl.deploy.risk import Risk
from hotdsl.deploy.saved_plan import DeployedState, digest
from hotdsl.toolkit import approval_details

SEEN = DeployedState("id-1", None, digest({"t": 1}), digest({"e": 1}))


def test_each_way_a_stack_moves_is_named() -> None:
    assert DeployedState().changes_to(DeployedState()) == []
    assert SEEN.changes_to(SEEN) == []
    assert DeployedState().changes_to(SEEN) == ["was created since the plan (id id-1)"]
    assert SEEN.changes_to(DeployedState()) == ["was deleted since the plan"]
    again = DeployedState("id-2", None, SEEN.template, SEEN.environment)
    assert SEEN.changes_to(again) == ["was deleted and created again since the plan (id id-2)"]
    updated = DeployedState("id-1", "2026-11-28T10:00:00Z", digest({"t": 2}), digest({"e": 2}))
    assert SEEN.changes_to(updated) == [
        "was updated since the plan (updated_time never -> 2026-11-28T10:00:00Z)",
        "its deployed template changed",
        "its deployed environment changed",
    ]
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1}) != digest({"a": 1})


def test_each_level_asks_about_what_it_should() -> None:
    new = StackDiff("fresh", False, (ResourceChange("a", "T", "add"),))
    same = StackDiff("same", True)
    changed = StackDiff(
        "web",
        True,
        (
            ResourceChange("marker", "T", "update"),
            ResourceChange("server", "T", "replace"),
            ResourceChange("old", "T", "remove"),
        ),
        risks=(Risk("server", "replace", "deletion_policy Retain: kept"),),
    )
    only_parameters = StackDiff("db", True, parameters=(Change("parameters.x", "1", "2"),))
    diffs = (new, same, changed, only_parameters)
    assert approval_details(diffs, "any-change") == (
        "fresh: new stack, 1 resources",
        "web: update marker",
        "web: replace server",
        "web: remove old",
        "web: WARNING server: deletion_policy Retain: kept",
        "db: parameters change",
    )
    assert approval_details(diffs, "replacement") == (
        "web: replace server",
        "web: remove old",
        "web: WARNING server: deletion_policy Retain: kept",
    )
    assert approval_details((new, same, only_parameters), "replacement") == ()
    restricted_update = StackDiff(
        "api",
        True,
        (ResourceChange("app", "T", "update"),),
        risks=(Risk("app", "update", "restricted_actions forbids update"),),
    )
    assert approval_details((restricted_update,), "replacement") == (
        "api: WARNING app: restricted_actions forbids update",
    )
