"""Property: any small valid template, imported and synthesized, comes back exactly.

Hypothesis writes templates with arbitrary names and values (any Unicode but NUL and
lone surrogates, numbers of every size, nested lists and maps), parameters of every
type, typed and generic resources, references among them, and outputs; each is
imported, run, synthesized and compared. The modules of all the examples are then
checked with `mypy --strict` together.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotdsl.importer.model import CFN_FUNCTIONS_2013
from hotdsl.importer.roundtrip import import_and_check
from hotdsl.versions import CONDITION_FUNCTION_SINCE, FUNCTION_SINCE, TEMPLATE_VERSIONS

RESERVED_KEYS = set(FUNCTION_SINCE) | set(CONDITION_FUNCTION_SINCE) | CFN_FUNCTIONS_2013

text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)
names = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00/"),
    min_size=1,
    max_size=12,
)
keys = text.filter(lambda k: k not in RESERVED_KEYS)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
plain = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def parameters(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in draw(st.lists(names, max_size=4, unique=True)):
        kind = draw(
            st.sampled_from(["string", "number", "json", "boolean", "comma_delimited_list"])
        )
        spec: dict[str, Any] = {"type": kind}
        default = draw(
            st.none()
            | {
                "string": text,
                "number": st.integers(-1000, 1000) | st.floats(-1e6, 1e6),
                "json": st.dictionaries(keys, plain, max_size=2),
                "boolean": st.booleans(),
                "comma_delimited_list": st.lists(text.filter(lambda t: "," not in t), max_size=3),
            }[kind]
        )
        if default is not None:
            spec["default"] = default
        if draw(st.booleans()):
            spec["description"] = draw(text)
        if draw(st.booleans()):
            spec["label"] = draw(text)
        if draw(st.booleans()):
            spec["hidden"] = True
        out[name] = spec
    return out


ATTRIBUTES = {
    "OS::Heat::Value": ["value", "show"],
    "OS::Heat::RandomString": ["value", "show"],
    "OS::Heat::None": ["show"],
}
"""Attributes the typed classes know (any name goes for the generic type)."""


def values(parameter_names: list[str], resources: dict[str, str]) -> st.SearchStrategy[Any]:
    """Plain data with references to the given parameters and resources, and a few functions."""
    leaves: list[st.SearchStrategy[Any]] = [scalars]
    if parameter_names:
        leaves.append(st.sampled_from(parameter_names).map(lambda n: {"get_param": n}))
    if resources:
        resource = st.sampled_from(sorted(resources))
        leaves.append(resource.map(lambda n: {"get_resource": n}))

        def attribute(name: str) -> st.SearchStrategy[Any]:
            known = ATTRIBUTES.get(resources[name])
            return (st.sampled_from(known) if known else text.filter(bool)).map(lambda a: [name, a])

        leaves.append(
            st.tuples(
                resource.flatmap(attribute), st.lists(text | st.integers(0, 3), max_size=2)
            ).map(lambda t: {"get_attr": [*t[0], *t[1]]})
        )
    leaf = st.one_of(leaves)

    def extend(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return (
            st.lists(inner, max_size=3)
            | st.dictionaries(keys, inner, max_size=3)
            | st.tuples(text, st.lists(inner, max_size=3)).map(
                lambda t: {"list_join": [t[0], t[1]]}
            )
            | st.tuples(text, st.dictionaries(keys, inner, max_size=2)).map(
                lambda t: {"str_replace": {"template": t[0], "params": t[1]}}
            )
        )

    return st.recursive(leaf, extend, max_leaves=8)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    params = draw(parameters())
    resource_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    resources: dict[str, Any] = {}
    kinds = {
        name: draw(
            st.sampled_from(
                [
                    "OS::Heat::Value",
                    "OS::Heat::RandomString",
                    "OS::Heat::None",
                    "Test::Generic::Type",
                ]
            )
        )
        for name in resource_names
    }
    for index, name in enumerate(resource_names):
        earlier_names = resource_names[:index]
        earlier = {n: kinds[n] for n in earlier_names}
        kind = kinds[name]
        body: dict[str, Any] = {"type": kind}
        if kind == "OS::Heat::Value":
            body["properties"] = {"value": draw(values(list(params), earlier))}
        elif kind == "OS::Heat::RandomString":
            body["properties"] = {"length": draw(st.integers(1, 512))}
        elif kind == "Test::Generic::Type":
            props = draw(
                st.dictionaries(
                    keys.filter(bool), values(list(params), earlier), min_size=1, max_size=3
                )
            )
            body["properties"] = props
        if earlier_names:
            if draw(st.booleans()):
                body["depends_on"] = draw(
                    st.lists(st.sampled_from(earlier_names), min_size=1, unique=True)
                )
        if draw(st.booleans()):
            body["description"] = draw(text)
        resources[name] = body
    outputs = {
        name: {"value": draw(values(list(params), kinds))}
        for name in draw(st.lists(names, max_size=3, unique=True))
    }
    template: dict[str, Any] = {"heat_template_version": draw(st.sampled_from(TEMPLATE_VERSIONS))}
    if draw(st.booleans()):
        template["description"] = draw(text)
    if params:
        template["parameters"] = params
    template["resources"] = resources
    if outputs:
        template["outputs"] = outputs
    return template


def test_any_small_template_round_trips_and_its_module_passes_mypy() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        modules: list[Path] = []

        @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
        @given(templates())
        def round_trip(template: dict[str, Any]) -> None:
            index = len(modules)
            source = root / f"template_{index}.yaml"
            source.write_text(
                yaml.safe_dump(template, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
            out = root / f"m{index}" / f"module_{index}.py"
            result, outcome = import_and_check(source, out=out)
            assert outcome.exact, (
                outcome.error,
                outcome.invalid,
                outcome.differences,
                result.source,
            )
            assert not [f for f in result.findings if f.level != "note"], result.findings
            modules.append(out)

        round_trip()
        assert len(modules) >= 50  # most examples are distinct templates
        checked = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                *(str(m) for m in modules),
            ],
            capture_output=True,
            text=True,
            cwd=root,
        )
        assert checked.returncode == 0, checked.stdout
