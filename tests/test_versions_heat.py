"""hotdsl's table of HOT's language (`hotdsl.versions`) is Heat's own, value for value.

A script run by the Python of the Heat venv reads Heat 27's template classes (each
`heat_template_version.*` entry point, its `functions`, `condition_functions`,
sections, resource and output keys, deletion policies, parameter schema keys and
types, the pseudo parameters it defines, and which constraint kind wins when a map
names several) and prints them as JSON; the test compares that with the table. No
sandbox is started: only Heat's Python code is imported.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from typing import Any

import pytest

from hotdsl.sandbox import ensure_heat_venv
from hotdsl.versions import RELEASE_NAMES, VERSIONS, TemplateVersion

from .conftest import HEAT_VENV

pytestmark = pytest.mark.heat

READ_HEAT = r"""
import itertools, json, warnings
warnings.simplefilter("ignore")
from importlib.metadata import entry_points
from heat.engine.hot import parameters as hot_params
from heat.engine.hot import functions as hot_funcs
from heat.engine.cfn import functions as cfn_funcs

class Identifier:
    stack_id, stack_name, tenant = "id", "name", "project"

KINDS = ["range", "length", "modulo", "allowed_values", "allowed_pattern", "custom_constraint"]
SAMPLE = {
    "range": {"min": 1}, "length": {"min": 1}, "modulo": {"step": 2, "offset": 0},
    "allowed_values": ["a"], "allowed_pattern": "a", "custom_constraint": "x",
}

def accepted(schema, kinds):
    try:
        return type(schema._constraint_from_def({k: SAMPLE[k] for k in kinds})).__name__
    except Exception:
        return None

out = {"aliases": {}, "versions": {}}
for entry in entry_points(group="heat.templates"):
    kind, _, name = entry.name.partition(".")
    if kind != "heat_template_version":
        continue
    cls = entry.load()
    if not name[0].isdigit():
        out["aliases"][name] = cls.__name__
        continue
    schema = cls.param_schema_class
    functions, cfn, removed = {}, {}, []
    for fname, impl in cls.functions.items():
        if impl is hot_funcs.Removed:
            removed.append(fname)
        elif impl.__module__ == cfn_funcs.__name__:
            cfn[fname] = impl.__name__
        else:
            functions[fname] = impl.__name__
    single = {k: accepted(schema, [k]) for k in KINDS if accepted(schema, [k])}
    order = {f"{a}+{b}": accepted(schema, [a, b]) for a, b in itertools.permutations(single, 2)}
    params = hot_params.HOTParameters
    pseudo = [p.name for p in params._pseudo_parameters(params.__new__(params), Identifier())]
    out["versions"][name] = {
        "class": cls.__name__,
        "sections": [s for s in cls.SECTIONS if s != "__undefined__"],
        "functions": functions,
        "cfn_functions": cfn,
        "removed_functions": sorted(removed),
        "condition_functions": {
            n: f.__name__ for n, f in getattr(cls, "condition_functions", {}).items()
        },
        "resource_keys": list(cls._RESOURCE_KEYS),
        "output_keys": list(cls.OUTPUT_KEYS),
        "deletion_policies": list(cls.deletion_policies),
        "parameter_keys": list(schema.KEYS),
        "parameter_types": list(schema.TYPES),
        "constraint_kinds": single,  # kind -> the constraint class Heat makes of it
        "constraint_winner": order,
        "pseudo_parameters": pseudo,
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def heat_language() -> dict[str, Any]:
    ensure_heat_venv(HEAT_VENV)
    done = subprocess.run(
        [str(HEAT_VENV / "bin" / "python"), "-c", READ_HEAT],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_versions_and_release_names_are_heats(heat_language: dict[str, Any]) -> None:
    assert [v.date for v in VERSIONS] == sorted(heat_language["versions"])
    classes = {d: v["class"] for d, v in heat_language["versions"].items()}
    assert {name: classes[date] for name, date in RELEASE_NAMES.items()} == heat_language["aliases"]


@pytest.mark.parametrize("version", VERSIONS, ids=[v.date for v in VERSIONS])
def test_each_version_reads_what_heats_class_reads(
    version: TemplateVersion, heat_language: dict[str, Any]
) -> None:
    heat = heat_language["versions"][version.date]
    assert list(version.sections) == heat["sections"]
    assert dict(version.functions) == heat["functions"]
    assert dict(version.cfn_functions) == heat["cfn_functions"]
    assert sorted(version.removed_functions) == heat["removed_functions"]
    assert dict(version.condition_functions) == heat["condition_functions"]
    assert list(version.resource_keys) == heat["resource_keys"]
    assert list(version.output_keys) == heat["output_keys"]
    assert list(version.deletion_policies) == heat["deletion_policies"]
    assert list(version.parameter_keys) == heat["parameter_keys"]
    assert sorted(version.parameter_types) == sorted(heat["parameter_types"])
    assert sorted(version.pseudo_parameters) == sorted(heat["pseudo_parameters"])
    kinds = heat["constraint_kinds"]
    assert sorted(version.constraint_kinds) == sorted(kinds)
    # Of a map that names two kinds, Heat makes the constraint of the one the table lists first.
    for first, second in itertools.combinations(version.constraint_kinds, 2):
        assert heat["constraint_winner"][f"{first}+{second}"] == kinds[first], (first, second)
        assert heat["constraint_winner"][f"{second}+{first}"] == kinds[first], (first, second)
