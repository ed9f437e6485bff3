"""Every function of the table of HOT's language (`hotdsl.versions`), in every version that has it,
works end to end: constructible in Python, importable from HOT, and emitted back.

For each template version, one template uses every value function the table says the
version has (one output each) and every condition function (one condition each). The
Python side builds the same stack through `hotdsl.intrinsics`, calling each function by
the `python_name` the table gives, and synth must write exactly those HOT calls. The
HOT side goes through the public importer (`hotdsl import`: HOT text -> Python), whose
module must call the DSL's function for each (not keep a plain mapping), and whose
synth must give the template back exactly. A function added to the table without a
sample here fails `test_every_function_has_a_sample`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from hotdsl import App, Condition, Output, Parameter, Resource, Stack, SynthError, intrinsics
from hotdsl.importer.roundtrip import import_and_check
from hotdsl.releases import RELEASES
from hotdsl.synth import synth_stack
from hotdsl.versions import (
    FUNCTIONS,
    PSEUDO_PARAMETER_PYTHON_NAMES,
    PSEUDO_PARAMETERS,
    RELEASE_NAMES,
    TEMPLATE_VERSIONS,
    VERSIONS,
    Function,
    TemplateVersion,
    section_since,
)


@attrs.frozen
class Refs:
    """What the samples refer to: a parameter, a boolean parameter, a resource, a condition."""

    param: Parameter[str]
    flag: Parameter[bool]
    resource: Resource
    condition: Condition | None


Build = Callable[[Callable[..., Any], Refs], object]


@attrs.frozen
class Sample:
    hot: object
    """The arguments in HOT."""
    python: Build
    """The same call in Python, given the function the table names and the references."""
    as_code: bool = True
    """Whether the imported module calls the function by name (references are written as
    the parameter or resource itself: `self.p`, `r.attrs.value`)."""


STR_REPLACE = {"template": "x $a", "params": {"$a": "1"}}

VALUE_SAMPLES: dict[str, Sample] = {
    "get_param": Sample("p", lambda f, r: f(r.param), as_code=False),
    "get_resource": Sample("r", lambda f, r: f(r.resource), as_code=False),
    "get_attr": Sample(["r", "value"], lambda f, r: f(r.resource, "value"), as_code=False),
    "get_file": Sample("https://example.com/x.sh", lambda f, r: f("https://example.com/x.sh")),
    "list_join": Sample([",", ["a", "b"]], lambda f, r: f(",", ["a", "b"])),
    "str_replace": Sample(STR_REPLACE, lambda f, r: f("x $a", {"$a": "1"})),
    "str_replace_strict": Sample(STR_REPLACE, lambda f, r: f("x $a", {"$a": "1"})),
    "str_replace_vstrict": Sample(STR_REPLACE, lambda f, r: f("x $a", {"$a": "1"})),
    "resource_facade": Sample("metadata", lambda f, r: f("metadata")),
    "digest": Sample(["sha256", "x"], lambda f, r: f("sha256", "x")),
    "repeat": Sample(
        {"for_each": {"<%p%>": ["a"]}, "template": "<%p%>"},
        lambda f, r: f("<%p%>", {"<%p%>": ["a"]}),
    ),
    "str_split": Sample([",", "a,b", 1], lambda f, r: f(",", "a,b", 1)),
    "map_merge": Sample([{"a": 1}, {"b": 2}], lambda f, r: f({"a": 1}, {"b": 2})),
    "map_replace": Sample(
        [{"a": 1}, {"keys": {"a": "b"}}], lambda f, r: f({"a": 1}, keys={"a": "b"})
    ),
    "yaql": Sample(
        {"expression": "$.data.x", "data": {"x": 1}}, lambda f, r: f("$.data.x", {"x": 1})
    ),
    "if": Sample(["c", "big", "small"], lambda f, r: f(r.condition, "big", "small")),
    "filter": Sample([[1], [1, 2]], lambda f, r: f([1], [1, 2])),
    "make_url": Sample(
        {"scheme": "https", "host": "example.com"},
        lambda f, r: f(scheme="https", host="example.com"),
    ),
    "list_concat": Sample([["a"], ["b"]], lambda f, r: f(["a"], ["b"])),
    "list_concat_unique": Sample([["a"], ["a"]], lambda f, r: f(["a"], ["a"])),
    "contains": Sample(["a", ["a", "b"]], lambda f, r: f("a", ["a", "b"])),
}
"""A use of each value function, in an output."""

CONDITION_SAMPLES: dict[str, Sample] = {
    "get_param": Sample("flag", lambda f, r: f(r.flag), as_code=False),
    "equals": Sample([{"get_param": "p"}, "a"], lambda f, r: f(r.param, "a")),
    "not": Sample("c", lambda f, r: f(r.condition)),
    "and": Sample(["c", "c"], lambda f, r: f(r.condition, r.condition)),
    "or": Sample(["c", True], lambda f, r: f(r.condition, True)),
    "yaql": Sample(
        {"expression": "$.data.x", "data": {"x": True}}, lambda f, r: f("$.data.x", {"x": True})
    ),
    "contains": Sample(["a", ["a", "b"]], lambda f, r: f("a", ["a", "b"])),
}
"""A use of each condition function, as a condition of its own (`c` is `equals`)."""

IDS = [v.date for v in VERSIONS]


def hot_template(version: TemplateVersion) -> dict[str, Any]:
    """The template that uses every function of `version` once."""
    template: dict[str, Any] = {
        "heat_template_version": version.date,
        "parameters": {
            "p": {"type": "string", "default": "a"},
            "flag": {"type": "boolean", "default": True},
        },
        "resources": {"r": {"type": "OS::Heat::RandomString"}},
        "outputs": {
            f"out_{name}": {"value": {name: VALUE_SAMPLES[name].hot}} for name in version.functions
        },
    }
    if version.condition_functions:
        template["conditions"] = {
            "c": {"equals": [{"get_param": "p"}, "a"]},
            **{
                f"c_{name}": {name: CONDITION_SAMPLES[name].hot}
                for name in version.condition_functions
            },
        }
    return template


def python_stack(version: TemplateVersion) -> Stack:
    """The same template, built in Python with the functions the table names."""
    stack = Stack(App(), "s", template_version=version.date)
    param: Parameter[str] = Parameter(stack, "p", default="a")
    flag: Parameter[bool] = Parameter(stack, "flag", type="boolean", default=True)
    resource = Resource(stack, "r", type="OS::Heat::RandomString")
    condition = None
    if version.condition_functions:
        condition = Condition(stack, "c", intrinsics.equals(param, "a"))
    refs = Refs(param, flag, resource, condition)
    for name in version.functions:
        function = getattr(intrinsics, FUNCTIONS[name].python_name)
        Output(stack, f"out_{name}", value=VALUE_SAMPLES[name].python(function, refs))
    for name in version.condition_functions:
        function = getattr(intrinsics, FUNCTIONS[name].python_name)
        expression = CONDITION_SAMPLES[name].python(function, refs)
        assert isinstance(expression, intrinsics.Intrinsic), name
        Condition(stack, f"c_{name}", expression)
    return stack


def test_every_function_has_a_sample() -> None:
    assert set(VALUE_SAMPLES) == {n for v in VERSIONS for n in v.functions}
    assert set(CONDITION_SAMPLES) == {n for v in VERSIONS for n in v.condition_functions}
    assert set(FUNCTIONS) == set(VALUE_SAMPLES) | set(CONDITION_SAMPLES)
    for function in FUNCTIONS.values():
        assert callable(getattr(intrinsics, function.python_name)), function


def test_every_pseudo_parameter_has_its_constant() -> None:
    assert set(PSEUDO_PARAMETER_PYTHON_NAMES) == set(PSEUDO_PARAMETERS)
    for name, constant in PSEUDO_PARAMETER_PYTHON_NAMES.items():
        assert getattr(intrinsics, constant).parameter == name


def test_only_versions_with_conditions_have_condition_functions() -> None:
    for version in VERSIONS:
        assert bool(version.condition_functions) == (version.date >= section_since("conditions"))


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_each_function_of_a_version_is_built_in_python_and_written_as_hot(
    version: TemplateVersion,
) -> None:
    written = synth_stack(python_stack(version))
    expected = hot_template(version)
    assert written["heat_template_version"] == version.date
    for name in version.functions:
        assert written["outputs"][f"out_{name}"]["value"] == {name: VALUE_SAMPLES[name].hot}
    for name in version.condition_functions:
        assert written["conditions"][f"c_{name}"] == expected["conditions"][f"c_{name}"]


@pytest.mark.parametrize("version", VERSIONS, ids=IDS)
def test_each_function_of_a_version_is_imported_and_comes_back(
    version: TemplateVersion, tmp_path: Path
) -> None:
    source = tmp_path / "template.yaml"
    source.write_text(yaml.safe_dump(hot_template(version), sort_keys=False), encoding="utf-8")
    result, outcome = import_and_check(source, out=tmp_path / "out" / "module.py")
    assert outcome.exact, (outcome.error, outcome.invalid, outcome.differences)
    assert not [f for f in result.findings if f.level != "note"], result.findings
    code = result.source
    used = [
        *((n, VALUE_SAMPLES[n]) for n in version.functions),
        *((n, CONDITION_SAMPLES[n]) for n in version.condition_functions),
    ]
    for name, sample in used:
        assert f'"{name}":' not in code, f"{name} was kept as a plain mapping"
        if sample.as_code:
            assert f"{FUNCTIONS[name].python_name}(" in code, name


# --- the table is the only place that names a version -------------------------------------

REPO = Path(__file__).resolve().parent.parent
TABLE = "hotdsl/versions.py"
SCANNED = ("hotdsl", "cli")
SERIES_NAMES = "hotdsl/releases.py"
"""Names every Heat release series (`RELEASES`); a release-name alias is the series that
brought its version, which `test_a_release_name_is_the_series_that_brought_its_version`
ties to the table."""


def version_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal in code that holds a template version date or is
    a release name. Docstrings (a string as a statement of its own) are prose, not code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    names = set(RELEASE_NAMES)
    if path.relative_to(REPO).as_posix() == SERIES_NAMES:
        names = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            text = node.value
            dates = {d for d in re.findall(r"\d{4}-\d{2}-\d{2}", text) if d in TEMPLATE_VERSIONS}
            if dates or text.strip().lower() in names:
                found.append((node.lineno, text))
    return found


def test_only_the_table_names_template_versions() -> None:
    offending = []
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            if relative == TABLE:
                continue
            offending += [f"{relative}:{line}: {text!r}" for line, text in version_literals(path)]
    assert not offending, "read versions from hotdsl.versions instead:\n" + "\n".join(offending)


def test_the_scan_finds_version_literals() -> None:
    table = version_literals(REPO / TABLE)
    assert {text for _, text in table} >= {*TEMPLATE_VERSIONS, *RELEASE_NAMES}


def test_a_release_name_is_the_series_that_brought_its_version() -> None:
    for version in VERSIONS:
        if version.alias is not None:
            assert RELEASES[version.first_heat_release].series == version.alias


@pytest.mark.parametrize(
    "function",
    [f for f in FUNCTIONS.values() if f.refers_to is not None],
    ids=lambda f: f.name,
)
def test_synth_checks_what_a_function_refers_to_as_the_table_says(function: Function) -> None:
    stack = Stack(App(), "s")
    arguments = "missing" if function.name == "get_resource" else ["missing", "x", "y"]
    Output(stack, "out", value={function.name: arguments})
    with pytest.raises(SynthError) as error:
        synth_stack(stack)
    assert f"{function.name} refers to" in str(error.value)
    assert f"'missing', which is not a {function.refers_to}" in str(error.value) or (
        f"the {function.refers_to} 'missing'" in str(error.value)
    )
