"""What Heat's resource schema says about updating a property: in place, by replacement, or never.

The diff asks this to predict replacements before Heat's preview confirms them. The
answer comes from the resource type spec dumped from Heat, the same spec the typed
classes of `hotdsl.stdlib` are generated from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _spec() -> dict[str, Any]:
    text = (
        resources.files("hotdsl.stdlib")
        .joinpath("spec/heat-resource-types.json")
        .read_text(encoding="utf-8")
    )
    types: dict[str, Any] = json.loads(text)["resource_types"]
    return types


def update_rule(resource_type: str, prop: str) -> tuple[bool, bool] | None:
    """(update_allowed, immutable) of a property of a Heat type, or None if the type is unknown."""
    spec = _spec().get(resource_type)
    if not isinstance(spec, dict):
        return None
    schema = spec.get("properties", {}).get(prop)
    if not isinstance(schema, dict):
        return None
    return bool(schema.get("update_allowed")), bool(schema.get("immutable"))
