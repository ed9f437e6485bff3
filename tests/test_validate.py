"""Synth checks everything before it writes, and reports every problem with the user's file:line."""

from __future__ import annotations

import pytest

import hotdsl as h
from hotdsl import (
    AllowedPattern,
    AllowedValues,
    App,
    Length,
    Modulo,
    Output,
    Parameter,
    Range,
    Resource,
    Stack,
    SynthError,
)
from hotdsl.synth import synth_stack, synthesize


def problems_of(stack: Stack) -> list[str]:
    with pytest.raises(SynthError) as error:
        synth_stack(stack)
    return [str(p) for p in error.value.problems]


def test_all_problems_are_reported_at_once_each_with_file_and_line() -> None:
    stack = Stack(App(), "demo")
    Resource(stack, "a", type="OS::Heat::Value", properties={"value": {"get_resource": "nowhere"}})
    Resource(stack, "b", type="OS::Heat::Value", properties={"value": {"get_param": "missing"}})
    Parameter(stack, "size", type="number", default=50, constraints=[Range(max=10)])
    problems = problems_of(stack)
    assert len(problems) == 3
    assert all(p.startswith("tests/test_validate.py:") for p in problems), problems
    assert "get_resource refers to 'nowhere', which is not a resource of this stack" in problems[0]
    assert "get_param refers to 'missing'" in problems[1]
    assert "default 50 is invalid: must be at most 10, got 50" in problems[2]


def test_a_dependency_cycle_is_printed() -> None:
    stack = Stack(App(), "demo")
    a = Resource(stack, "a", type="OS::Heat::Value")
    b = Resource(stack, "b", type="OS::Heat::Value", properties={"value": a.get_attr("value")})
    c = Resource(stack, "c", type="OS::Heat::Value", properties={"value": b})
    a.add_dependency(c)
    (problem,) = problems_of(stack)
    assert "dependency cycle: a -> c -> b -> a" in problem
    assert "b at tests/test_validate.py:" in problem


def test_a_resource_that_depends_on_itself_is_a_cycle() -> None:
    stack = Stack(App(), "demo")
    a = Resource(stack, "a", type="OS::Heat::Value")
    a.properties = {"value": a}
    assert "dependency cycle: a -> a" in problems_of(stack)[0]


def test_two_nodes_with_one_logical_name_name_both_places() -> None:
    stack = Stack(App(), "demo")
    web = h.Construct(stack, "web")
    Resource(web, "server", type="OS::Heat::None")
    Resource(stack, "web.server", type="OS::Heat::None")
    (problem,) = problems_of(stack)
    assert "two resources would both be named 'web.server'" in problem
    assert "demo/web/server (created at tests/test_validate.py:" in problem


def test_depends_on_cannot_cross_stacks() -> None:
    app = App()
    net = Resource(Stack(app, "network"), "net", type="OS::Neutron::Net")
    stack = Stack(app, "compute")
    Resource(stack, "port", type="OS::Neutron::Port", depends_on=[net])
    assert (
        "depends_on cannot name network/net, a resource of another stack" in problems_of(stack)[0]
    )


def test_values_of_unknown_types_are_refused() -> None:
    stack = Stack(App(), "demo")
    Resource(stack, "a", type="OS::Heat::Value", properties={"value": {1, 2}})
    assert "cannot write a value of type set" in problems_of(stack)[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"type": "string", "default": "abc", "constraints": [Length(max=2)]},
            "length must be at most 2, got 3",
        ),
        (
            {"type": "string", "default": "x", "constraints": [AllowedValues(["a", "b"])]},
            "'x' is not one of ['a', 'b']",
        ),
        (
            {"type": "string", "default": "ab1", "constraints": [AllowedPattern("[a-z]+")]},
            "does not match the pattern",
        ),
        (
            {"type": "number", "default": 7, "constraints": [Modulo(step=2, offset=0)]},
            "must leave 0 when divided by 2",
        ),
        ({"type": "number", "default": "many"}, "a number parameter takes a number"),
        ({"type": "boolean", "default": "maybe"}, "a boolean parameter takes true or false"),
        ({"type": "json", "default": "{not json"}, "must hold valid JSON"),
        (
            {
                "type": "string",
                "default": "x",
                "constraints": [Length(min=3, description="at least three letters")],
            },
            "at least three letters",
        ),
    ],
)
def test_parameter_defaults_must_satisfy_their_own_constraints(
    kwargs: dict[str, object], message: str
) -> None:
    stack = Stack(App(), "demo")
    Parameter(stack, "p", **kwargs)  # type: ignore[call-overload]
    (problem,) = problems_of(stack)
    assert message in problem


def test_valid_defaults_pass() -> None:
    stack = Stack(App(), "demo")
    Parameter(
        stack, "a", default="ab", constraints=[Length(min=1, max=2), AllowedPattern("[a-z]+")]
    )
    Parameter(
        stack,
        "b",
        type="number",
        default=4,
        constraints=[Range(min=1, max=10), Modulo(step=2, offset=0)],
    )
    Parameter(
        stack,
        "c",
        type="comma_delimited_list",
        default="a,b",
        constraints=[AllowedValues(["a", "b"])],
    )
    Parameter(stack, "d", type="boolean", default=True)
    Parameter(stack, "e", type="json", default={"k": 1})
    synth_stack(stack)


def test_resource_level_keys_follow_hot_order() -> None:
    stack = Stack(App(), "demo")
    first = Resource(stack, "first", type="OS::Heat::None")
    cond = h.Condition(stack, "on", True)
    Resource(
        stack,
        "second",
        type="OS::Heat::Value",
        properties={"value": 1},
        depends_on=[first],
        deletion_policy="Retain",
        update_policy={"batch": 1},
        resource_metadata={"k": "v"},
        external_id="abc",
        condition=cond,
        resource_description="d",
    )
    body = synth_stack(stack)["resources"]["second"]
    assert list(body) == [
        "type",
        "properties",
        "metadata",
        "depends_on",
        "update_policy",
        "deletion_policy",
        "external_id",
        "condition",
        "description",
    ]


def test_section_features_are_gated_by_version() -> None:
    stack = Stack(App(), "demo", template_version="2016-04-08")
    Parameter(
        stack, "p", type="number", default=2, constraints=[Modulo(step=2, offset=0)], tags=["x"]
    )
    Resource(stack, "r", type="OS::Heat::None", external_id="abc", deletion_policy="retain")
    problems = "\n".join(problems_of(stack))
    assert "parameter tags needs heat_template_version 2018-03-02 (queens)" in problems
    assert "the modulo constraint needs heat_template_version 2017-02-24 (ocata)" in problems
    assert "external_id needs heat_template_version 2016-10-14 (newton)" in problems
    assert "lower-case deletion policy 'retain' needs" in problems


def test_an_app_without_stacks_is_an_error() -> None:
    with pytest.raises(SynthError, match="the app has no stacks"):
        synthesize(App())


def test_heat_limits_are_warnings() -> None:
    app = App()
    stack = Stack(app, "big")
    for i in range(1001):
        Resource(stack, f"r{i}", type="OS::Heat::None")
    result = synthesize(app)
    assert any("max_resources_per_stack is 1000" in str(w) for w in result.warnings)


def test_outputs_with_dangling_references() -> None:
    stack = Stack(App(), "demo")
    Output(stack, "x", value={"get_attr": ["ghost", "name"]})
    assert "get_attr refers to 'ghost'" in problems_of(stack)[0]
