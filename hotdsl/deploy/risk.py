"""Resource changes that lose or leave behind data, or that Heat will refuse halfway through.

A resource with `deletion_policy: Retain` is not deleted when it is replaced or
removed: Heat leaves the old one behind, outside the stack. One with `Snapshot` is
snapshotted, then deleted: the replacement starts empty. A resource covered by
`restricted_actions` in the environment's `resource_registry` makes Heat fail the
stack update when it reaches that resource (`ResourceActionRestricted`, in
heat/engine/resource.py), after the resources before it have changed. Diff flags
each of them, and deploy's approval asks about them.

Heat matches a registry entry's name against the resource's with shell wildcards
(`fnmatch`), and entries for resources of a nested stack sit under the nested
stack's resource name (heat/engine/environment.py `get_rsrc_restricted_actions`).
The stack's new environment and its deployed one are both read: a restriction in
either is flagged.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

KEPT_POLICIES = {"retain": "Retain", "snapshot": "Snapshot"}
"""Deletion policies (as Heat reads them, any case) under which a replaced resource is not just deleted."""


@attrs.frozen
class Risk:
    """One resource change to look at twice, and why."""

    resource: str
    """Its name, or its path below the stack (`db/server`) inside a nested stack."""
    action: str
    """What the deploy does to it: replace, remove or update."""
    why: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.why}"

    def to_json(self) -> dict[str, str]:
        return {"resource": self.resource, "action": self.action, "why": self.why}


def change_risks(
    changes: Iterable[tuple[str, str]],
    templates: Sequence[Mapping[str, Any]],
    environments: Sequence[Mapping[str, Any]],
) -> tuple[Risk, ...]:
    """The risks of the (resource name or path, action) changes of one stack.

    `templates`: the stack's deployed template first, then its new one (where a
    resource's deletion policy is read); `environments`: the deployed and new environments.
    """
    risks = []
    for name, action in changes:
        if action in ("replace", "remove"):
            policy = _deletion_policy(name, templates)
            if policy == "Retain":
                verb = "replaces" if action == "replace" else "removes"
                risks.append(
                    Risk(
                        name,
                        action,
                        f"deletion_policy Retain: when Heat {verb} it, the old resource is left "
                        "behind outside the stack (still there, still billed, no longer managed)",
                    )
                )
            elif policy == "Snapshot":
                what = "the new one starts empty" if action == "replace" else "it is gone"
                risks.append(
                    Risk(
                        name,
                        action,
                        f"deletion_policy Snapshot: Heat snapshots it and deletes it; {what}",
                    )
                )
        restricted = _restricted_actions(name, environments)
        if action in ("replace", "update") and action in restricted:
            risks.append(
                Risk(
                    name,
                    action,
                    f"restricted_actions forbids {action} in the environment's resource_registry: "
                    "Heat will refuse it halfway through the update, after the resources "
                    "before it have changed",
                )
            )
    return tuple(risks)


def _deletion_policy(name: str, templates: Sequence[Mapping[str, Any]]) -> str | None:
    """The first Retain or Snapshot policy a top-level resource has in any of the templates."""
    if "/" in name:
        return None  # a nested stack's resource: its template is not at hand here
    for template in templates:
        resources = template.get("resources")
        body = resources.get(name) if isinstance(resources, Mapping) else None
        if not isinstance(body, Mapping):
            continue
        for key in ("deletion_policy", "DeletionPolicy"):
            value = body.get(key)
            if isinstance(value, str) and value.lower() in KEPT_POLICIES:
                return KEPT_POLICIES[value.lower()]
    return None


def _restricted_actions(name: str, environments: Sequence[Mapping[str, Any]]) -> set[str]:
    """The actions some environment's `resource_registry` restricts for the resource at `name`."""
    found: set[str] = set()
    parts = name.split("/")
    for environment in environments:
        registry = environment.get("resource_registry")
        level = registry.get("resources") if isinstance(registry, Mapping) else None
        found |= _restricted_in(level, parts)
    return found


def _restricted_in(level: object, parts: list[str]) -> set[str]:
    if not isinstance(level, Mapping):
        return set()
    found: set[str] = set()
    head, rest = parts[0], parts[1:]
    for pattern, entry in level.items():
        if not isinstance(entry, Mapping) or not fnmatch.fnmatchcase(head, str(pattern)):
            continue
        if rest:
            found |= _restricted_in(entry, rest)
            continue
        actions = entry.get("restricted_actions")
        if isinstance(actions, str):
            found.add(actions)
        elif isinstance(actions, list):
            found |= {a for a in actions if isinstance(a, str)}
    return found
