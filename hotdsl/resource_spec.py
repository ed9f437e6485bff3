"""Heat's resource type spec, as shipped with the typed classes of `hotdsl.stdlib`.

The spec is dumped from Heat (`tools/dump_heat_spec.py`) and is what the typed classes
are generated from; synth reads it to check a target Heat release, the diff to predict
replacements. Read from the package data with the standard library only, once.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def resource_types() -> dict[str, Any]:
    """Resource type name -> its spec (`properties`, `attributes`, `support_status`)."""
    text = (
        resources.files("hotdsl.stdlib")
        .joinpath("spec/heat-resource-types.json")
        .read_text(encoding="utf-8")
    )
    types: dict[str, Any] = json.loads(text)["resource_types"]
    return types
