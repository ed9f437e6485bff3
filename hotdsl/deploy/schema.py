"""What Heat's resource schema says about updating a property: in place, by replacement, or never.

The diff asks this to predict replacements before Heat's preview confirms them. The
answer comes from the resource type spec dumped from Heat, the same spec the typed
classes of `hotdsl.stdlib` are generated from.
"""

from __future__ import annotations

from hotdsl.resource_spec import resource_types


def update_rule(resource_type: str, prop: str) -> tuple[bool, bool] | None:
    """(update_allowed, immutable) of a property of a Heat type, or None if the type is unknown."""
    spec = resource_types().get(resource_type)
    if not isinstance(spec, dict):
        return None
    schema = spec.get("properties", {}).get(prop)
    if not isinstance(schema, dict):
        return None
    return bool(schema.get("update_allowed")), bool(schema.get("immutable"))
