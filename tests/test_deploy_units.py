"""Pieces of the deploy engine that need no Heat: reading Heat's answers, parameter values, diffs."""

from __future__ import annotations

from hotdsl.deploy.diff import MISSING, Change, deep_diff
from hotdsl.deploy.engine import parameter_value
from hotdsl.deploy.heat import StackRef

BASE = {"stack_name": "s", "id": "1", "stack_status": "CREATE_COMPLETE"}


def test_stack_tags_come_as_a_list_a_string_or_not_at_all() -> None:
    assert StackRef.from_api({**BASE, "tags": ["a", "b"]}).tags == ("a", "b")
    assert StackRef.from_api({**BASE, "tags": "a,b"}).tags == ("a", "b")
    assert StackRef.from_api({**BASE, "tags": None}).tags == ()
    assert StackRef.from_api(BASE).tags == ()


def test_output_values_become_the_parameter_type_they_feed() -> None:
    assert parameter_value("abc", "string") == "abc"
    assert parameter_value({"a": 1}, "string") == '{"a": 1}'
    assert parameter_value(["a", "b"], "comma_delimited_list") == "a,b"
    assert parameter_value('{"a": 1}', "json") == {"a": 1}
    assert parameter_value(True, "boolean") == "true"
    assert parameter_value(3, "number") == 3


def test_deep_diff_names_each_changed_leaf_and_keeps_function_calls_whole() -> None:
    old = {"image": "cirros", "networks": [{"port": {"get_resource": "a"}}], "gone": 1}
    new = {"image": "ubuntu", "networks": [{"port": {"get_resource": "b"}}], "added": True}
    assert list(deep_diff(old, new, "properties")) == [
        Change("properties.image", "cirros", "ubuntu"),
        Change("properties.networks[0].port", {"get_resource": "a"}, {"get_resource": "b"}),
        Change("properties.gone", 1, MISSING),
        Change("properties.added", MISSING, True),
    ]
