"""Every HOT function: the data it writes, and the first template version that has it."""

from __future__ import annotations

from typing import Any

import pytest

import hotdsl as h
from hotdsl import App, Condition, Output, Parameter, Resource, Stack, SynthError
from hotdsl.synth import synth_stack


def output_of(value: object, version: str = "2021-04-16") -> Any:
    """Synthesize a stack whose only output is `value`, and return that output's HOT data."""
    stack = Stack(App(), "demo", template_version=version)
    Output(stack, "out", value=value)
    return synth_stack(stack)["outputs"]["out"]["value"]


def make_stack(version: str = "2021-04-16") -> tuple[Stack, Resource, Parameter[str]]:
    stack = Stack(App(), "demo", template_version=version)
    res = Resource(stack, "res", type="OS::Heat::RandomString")
    param = Parameter(stack, "name", default="x")
    return stack, res, param


def test_references_are_plain_python() -> None:
    stack, res, param = make_stack()
    Output(stack, "id", value=res)
    Output(stack, "attr", value=res.get_attr("value"))
    Output(stack, "path", value=h.get_attr(res, "show", "name", 0))
    Output(stack, "param", value=param)
    Output(stack, "pseudo", value=h.STACK_NAME)
    outputs = synth_stack(stack)["outputs"]
    assert outputs["id"]["value"] == {"get_resource": "res"}
    assert outputs["attr"]["value"] == {"get_attr": ["res", "value"]}
    assert outputs["path"]["value"] == {"get_attr": ["res", "show", "name", 0]}
    assert outputs["param"]["value"] == {"get_param": "name"}
    assert outputs["pseudo"]["value"] == {"get_param": "OS::stack_name"}


FUNCTIONS: list[tuple[str, Any, Any, str]] = [
    ("list_join", h.list_join(",", ["a", "b"]), {"list_join": [",", ["a", "b"]]}, "2013-05-23"),
    (
        "str_replace",
        h.str_replace("x $a", {"$a": "1"}),
        {"str_replace": {"template": "x $a", "params": {"$a": "1"}}},
        "2013-05-23",
    ),
    ("get_file", h.get_file("a.sh", content="echo hi"), {"get_file": "a.sh"}, "2013-05-23"),
    (
        "resource_facade",
        h.resource_facade("metadata"),
        {"resource_facade": "metadata"},
        "2013-05-23",
    ),
    ("digest", h.digest("sha256", "x"), {"digest": ["sha256", "x"]}, "2015-04-30"),
    (
        "repeat",
        h.repeat("<%p%>", {"<%p%>": ["a"]}),
        {"repeat": {"for_each": {"<%p%>": ["a"]}, "template": "<%p%>"}},
        "2015-04-30",
    ),
    (
        "repeat over a map",
        h.repeat("<%k%>", {"<%k%>": {"a": 1}}),
        {"repeat": {"for_each": {"<%k%>": {"a": 1}}, "template": "<%k%>"}},
        "2016-10-14",
    ),
    ("str_split", h.str_split(",", "a,b", 1), {"str_split": [",", "a,b", 1]}, "2015-10-15"),
    (
        "map_merge",
        h.map_merge({"a": 1}, {"b": 2}),
        {"map_merge": [{"a": 1}, {"b": 2}]},
        "2016-04-08",
    ),
    (
        "map_replace",
        h.map_replace({"a": 1}, keys={"a": "b"}),
        {"map_replace": [{"a": 1}, {"keys": {"a": "b"}}]},
        "2016-10-14",
    ),
    (
        "yaql",
        h.yaql("$.data.x", {"x": 1}),
        {"yaql": {"expression": "$.data.x", "data": {"x": 1}}},
        "2016-10-14",
    ),
    ("filter", h.filter([None], ["a", None]), {"filter": [[None], ["a", None]]}, "2017-02-24"),
    (
        "str_replace_strict",
        h.str_replace_strict("a", {"a": "b"}),
        {"str_replace_strict": {"template": "a", "params": {"a": "b"}}},
        "2017-02-24",
    ),
    (
        "str_replace_vstrict",
        h.str_replace_vstrict("a", {"a": "b"}),
        {"str_replace_vstrict": {"template": "a", "params": {"a": "b"}}},
        "2017-09-01",
    ),
    (
        "make_url",
        h.make_url(scheme="https", host="h", port=443, path="/x"),
        {"make_url": {"scheme": "https", "host": "h", "port": 443, "path": "/x"}},
        "2017-09-01",
    ),
    ("list_concat", h.list_concat(["a"], ["b"]), {"list_concat": [["a"], ["b"]]}, "2017-09-01"),
    (
        "list_concat_unique",
        h.list_concat_unique(["a"], ["a"]),
        {"list_concat_unique": [["a"], ["a"]]},
        "2017-09-01",
    ),
    ("contains", h.contains("a", ["a"]), {"contains": ["a", ["a"]]}, "2017-09-01"),
    (
        "list_join of several lists",
        h.list_join(",", ["a"], ["b"]),
        {"list_join": [",", ["a"], ["b"]]},
        "2015-10-15",
    ),
    (
        "repeat with permutations",
        h.repeat("%a%%b%", {"%a%": ["1"], "%b%": ["2"]}, permutations=False),
        {
            "repeat": {
                "for_each": {"%a%": ["1"], "%b%": ["2"]},
                "template": "%a%%b%",
                "permutations": False,
            }
        },
        "2017-09-01",
    ),
]


@pytest.mark.parametrize(
    ("name", "call", "expected", "since"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS]
)
def test_each_function_writes_its_hot_form_and_is_gated_by_version(
    name: str, call: Any, expected: Any, since: str
) -> None:
    assert output_of(call, since) == expected
    from hotdsl.versions import TEMPLATE_VERSIONS

    index = TEMPLATE_VERSIONS.index(since)
    if index == 0:
        return
    older = TEMPLATE_VERSIONS[index - 1]
    with pytest.raises(SynthError) as error:
        output_of(call, older)
    assert f"needs heat_template_version {since}" in str(error.value)
    assert f"uses {older}" in str(error.value)


def test_get_attr_without_a_name_needs_2015_10_15() -> None:
    stack, res, _ = make_stack("2015-04-30")
    Output(stack, "all", value=h.get_attr(res))
    with pytest.raises(SynthError, match="get_attr without an attribute name"):
        synth_stack(stack)


def test_conditions_and_if() -> None:
    stack, res, param = make_stack()
    prod = Condition(stack, "prod", h.equals(param, "prod"))
    big = Condition(stack, "big", prod & h.not_(h.equals(param, "small")))
    res.condition = big
    Output(stack, "pick", value=h.if_(prod, "a", "b"))
    Output(stack, "drop", value=h.if_(~prod, "a"), condition=prod | big)
    template = synth_stack(stack)
    assert template["conditions"] == {
        "prod": {"equals": [{"get_param": "name"}, "prod"]},
        "big": {"and": ["prod", {"not": {"equals": [{"get_param": "name"}, "small"]}}]},
    }
    assert template["resources"]["res"]["condition"] == "big"
    assert template["outputs"]["pick"]["value"] == {"if": ["prod", "a", "b"]}
    assert template["outputs"]["drop"] == {
        "value": {"if": [{"not": "prod"}, "a"]},
        "condition": {"or": ["prod", "big"]},
    }


def test_if_without_a_false_value_needs_wallaby() -> None:
    stack, _, param = make_stack("2018-08-31")
    prod = Condition(stack, "prod", h.equals(param, "prod"))
    Output(stack, "x", value=h.if_(prod, "a"))
    with pytest.raises(SynthError, match=r"needs heat_template_version 2021-04-16 \(wallaby\)"):
        synth_stack(stack)


def test_conditions_need_newton() -> None:
    stack, _, param = make_stack("2016-04-08")
    Condition(stack, "prod", h.equals(param, "prod"))
    with pytest.raises(
        SynthError, match="the conditions section needs heat_template_version 2016-10-14"
    ):
        synth_stack(stack)


def test_condition_functions_are_refused_outside_conditions() -> None:
    with pytest.raises(SynthError, match="equals\\(\\) is a condition function"):
        output_of(h.equals("a", "b"))


def test_selecting_into_attributes_and_json_parameters() -> None:
    stack = Stack(App(), "demo")
    res = Resource(stack, "res", type="OS::Nova::Server")
    config = Parameter(stack, "config", type="json", default={"a": [1]})
    Output(stack, "addr", value=res.get_attr("addresses")["private"][0]["addr"])
    Output(stack, "cfg", value=config["a"][0])
    outputs = synth_stack(stack)["outputs"]
    assert outputs["addr"]["value"] == {"get_attr": ["res", "addresses", "private", 0, "addr"]}
    assert outputs["cfg"]["value"] == {"get_param": ["config", "a", 0]}


def _aliased_condition_template() -> dict[str, Any]:
    stack, res, param = make_stack()
    prod = Condition(stack, "prod", h.equals(param, "prod"))
    res.condition = Condition(stack, "live", prod)
    return synth_stack(stack)


def test_a_condition_defined_as_another_is_written_with_its_definition() -> None:
    """Heat takes no bare condition name as a definition (`live: prod`), so the other's is used."""
    conditions = _aliased_condition_template()["conditions"]
    assert conditions["live"] == conditions["prod"] == {"equals": [{"get_param": "name"}, "prod"]}


@pytest.mark.heat
def test_heat_accepts_the_written_alias_and_refuses_the_bare_name(heat_validator: Any) -> None:
    template = _aliased_condition_template()
    accepted = heat_validator.conn.orchestration.post("/validate", json={"template": template})
    assert accepted.status_code == 200, accepted.text
    template["conditions"]["live"] = "prod"
    refused = heat_validator.conn.orchestration.post("/validate", json={"template": template})
    assert refused.status_code == 400 and "definition of condition" in refused.text
