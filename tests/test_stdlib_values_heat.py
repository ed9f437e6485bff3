"""Property values of the typed resource classes: hotdsl's synth check agrees with Heat, value for value.

One table of (resource class, property, literal value) runs through synth's property
check (`hotdsl.stdlib._typed`) and, in the sandbox, through Heat 27's stack preview,
which validates every property the way stack create does (`Property.get_value` in
heat/engine/properties.py reads the value as its type, then the schema's constraints
check what it read). What the table shows about Heat:

- boolean: `True`, `False`, or the text true or false in any case; not "yes", "on",
  "1", "t" (those are for boolean *parameters*), nor 1 or 0.
- integer: whatever Python's `int()` reads: "5", " 5 ", "+5", "5_0", True (1), and a
  float, cut to a whole number (5.7 is 5); not "5.0", "0x10", "1e2", inf or nan.
- number: any number (a boolean too), and text `int()` or `float()` reads: "1e3",
  " 2 ", "nan", "inf"; not "1,5" or "".
- string: text, and a whole number or a boolean as text (True is "True", so a
  length or allowed_values constraint sees "True"); never a float, a list or a map.
- list: any list (items are checked by their own schema); not text or a map.
- map: a mapping (its keys, where the schema names them, checked); not a list or text.

Every row states the verdict, so the table reads as documentation and the fast test
checks hotdsl without a sandbox; the heat test proves each stated verdict is Heat's.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest

from hotdsl import App, Stack, SynthError
from hotdsl.stdlib import heat
from hotdsl.stdlib._typed import TypedResource
from hotdsl.synth import synth_stack
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.link import link
from hotdsl.synth.render import render

OK, NO = True, False


@attrs.frozen
class Case:
    """`cls(stack, "r", **{prop: wrap(value)}, **others)`: accepted or not."""

    cls: type[TypedResource]
    prop: str
    value: object
    accepted: bool
    others: dict[str, Any] = attrs.field(factory=dict)
    path: str = ""
    """Where the value sits inside the property, for values of nested keys (`[0].min`)."""

    def __str__(self) -> str:
        return f"{self.cls.__name__}.{self.prop}{self.path}={self.value!r}"

    def arguments(self) -> dict[str, Any]:
        return {self.prop: _nest(self.path, self.value), **self.others}


def _nest(path: str, value: object) -> object:
    """`[0].min` -> `[{"min": value}]` (with the siblings the key needs)."""
    if not path:
        return value
    if path == "[0].min":
        return [{"class": "digits", "min": value}]
    if path == "[0].class":
        return [{"class": value, "min": 1}]
    if path == "[0].sequence":
        return [{"sequence": value, "min": 1}]
    if path == "[0].replace_on_change":
        return [{"name": "x", "replace_on_change": value}]
    if path == "[0].type":
        return [{"name": "x", "type": value}]
    if path == "[0].actions":
        return [{"tool": "script", "actions": value}]
    if path == "[0].resource_list":
        return [{"resource_list": value}]
    raise AssertionError(path)


def case(
    cls: type[TypedResource], prop: str, given: object, accepted: bool = OK, **others: Any
) -> Case:
    prop, _, rest = prop.partition("[")
    return Case(cls, prop, given, accepted, others, f"[{rest}" if rest else "")


GROUP: dict[str, Any] = {"resource_def": {"type": "OS::Heat::None"}}

VALUES: list[Case] = [
    # boolean: True, False or the words true/false in any case, and nothing else
    case(heat.TestResource, "fail", True),
    case(heat.TestResource, "fail", False),
    case(heat.TestResource, "fail", "true"),
    case(heat.TestResource, "fail", "False"),
    case(heat.TestResource, "fail", "TRUE"),
    case(heat.TestResource, "fail", "yes", NO),
    case(heat.TestResource, "fail", "no", NO),
    case(heat.TestResource, "fail", "on", NO),
    case(heat.TestResource, "fail", "off", NO),
    case(heat.TestResource, "fail", "1", NO),
    case(heat.TestResource, "fail", "0", NO),
    case(heat.TestResource, "fail", "t", NO),
    case(heat.TestResource, "fail", "y", NO),
    case(heat.TestResource, "fail", " true", NO),
    case(heat.TestResource, "fail", "", NO),
    case(heat.TestResource, "fail", 1, NO),
    case(heat.TestResource, "fail", 0, NO),
    case(heat.TestResource, "fail", 1.0, NO),
    case(heat.TestResource, "fail", [True], NO),
    case(heat.TestResource, "fail", {"a": True}, NO),
    case(heat.TestResource, "update_replace", "Yes", NO),
    case(heat.TestResource, "update_replace", "fAlSe"),
    case(heat.SoftwareConfig, "inputs[0].replace_on_change", "True"),
    case(heat.SoftwareConfig, "inputs[0].replace_on_change", "on", NO),
    case(heat.SoftwareConfig, "inputs[0].replace_on_change", 0, NO),
    # integer: what int() reads, floats cut to whole numbers; then the range
    case(heat.RandomString, "length", 5),
    case(heat.RandomString, "length", "5"),
    case(heat.RandomString, "length", " 5 "),
    case(heat.RandomString, "length", "+5"),
    case(heat.RandomString, "length", "5_0"),
    case(heat.RandomString, "length", "\u0665"),  # ARABIC-INDIC DIGIT FIVE
    case(heat.RandomString, "length", True),
    case(heat.RandomString, "length", False, NO),  # 0, below the range
    case(heat.RandomString, "length", 5.0),
    case(heat.RandomString, "length", 5.7),
    case(heat.RandomString, "length", 0.5, NO),  # 0
    case(heat.RandomString, "length", 512.9),
    case(heat.RandomString, "length", "5.0", NO),
    case(heat.RandomString, "length", "abc", NO),
    case(heat.RandomString, "length", "", NO),
    case(heat.RandomString, "length", "0x10", NO),
    case(heat.RandomString, "length", "1e2", NO),
    case(heat.RandomString, "length", [5], NO),
    case(heat.RandomString, "length", {"a": 1}, NO),
    case(heat.RandomString, "length", 513, NO),
    case(heat.RandomString, "length", "513", NO),
    case(heat.RandomString, "length", 0, NO),
    case(heat.RandomString, "length", -1, NO),
    case(heat.RandomString, "length", math.inf, NO),
    case(heat.RandomString, "length", math.nan, NO),
    case(heat.ResourceGroup, "count", False, **GROUP),
    case(heat.ResourceGroup, "count", "0", **GROUP),
    case(heat.ResourceGroup, "count", 1.9, **GROUP),
    case(heat.ResourceGroup, "count", -1, NO, **GROUP),
    case(heat.ResourceGroup, "count", "-1", NO, **GROUP),
    case(heat.RandomString, "character_classes[0].min", "3"),
    case(heat.RandomString, "character_classes[0].min", 0, NO),
    case(heat.RandomString, "character_classes[0].min", "x", NO),
    # number: any number (booleans too), text that int() or float() reads; then the range
    case(heat.TestResource, "wait_secs", 1.5),
    case(heat.TestResource, "wait_secs", "1.5"),
    case(heat.TestResource, "wait_secs", 2),
    case(heat.TestResource, "wait_secs", "1e3"),
    case(heat.TestResource, "wait_secs", " 2 "),
    case(heat.TestResource, "wait_secs", True),
    case(heat.TestResource, "wait_secs", "nan"),
    case(heat.TestResource, "wait_secs", "-inf"),
    case(heat.TestResource, "wait_secs", math.inf),
    case(heat.TestResource, "wait_secs", "abc", NO),
    case(heat.TestResource, "wait_secs", "", NO),
    case(heat.TestResource, "wait_secs", "1,5", NO),
    case(heat.TestResource, "wait_secs", "0x10", NO),
    case(heat.TestResource, "wait_secs", [1], NO),
    case(heat.TestResource, "wait_secs", {"a": 1}, NO),
    case(heat.Delay, "min_wait", 0),
    case(heat.Delay, "min_wait", False),
    case(heat.Delay, "min_wait", "0.5"),
    case(heat.Delay, "min_wait", -1, NO),
    case(heat.Delay, "min_wait", "-0.5", NO),
    case(heat.Delay, "min_wait", "-inf", NO),
    # string: text, and whole numbers and booleans as text; constraints see the text
    case(heat.TestResource, "value", "abc"),
    case(heat.TestResource, "value", ""),
    case(heat.TestResource, "value", 5),
    case(heat.TestResource, "value", True),
    case(heat.TestResource, "value", 0),
    case(heat.TestResource, "value", 1.5, NO),
    case(heat.TestResource, "value", 1.0, NO),
    case(heat.TestResource, "value", [], NO),
    case(heat.TestResource, "value", ["a"], NO),
    case(heat.TestResource, "value", {"a": "b"}, NO),
    case(heat.ResourceGroup, "removal_policies_mode", "append", **GROUP),
    case(heat.ResourceGroup, "removal_policies_mode", "Append", NO, **GROUP),
    case(heat.ResourceGroup, "removal_policies_mode", 5, NO, **GROUP),
    case(heat.RandomString, "character_classes[0].class", "digits"),
    case(heat.RandomString, "character_classes[0].class", "Digits", NO),
    case(heat.RandomString, "character_classes[0].class", True, NO),
    case(heat.Value, "type", "number", value=1),
    case(heat.Value, "type", True, NO, value=1),  # "True" is not "boolean"
    case(heat.ResourceGroup, "index_var", "%i%", **GROUP),
    case(heat.ResourceGroup, "index_var", "ab", NO, **GROUP),
    case(heat.ResourceGroup, "index_var", 12, NO, **GROUP),  # "12": too short
    case(heat.ResourceGroup, "index_var", 123, **GROUP),
    case(heat.ResourceGroup, "index_var", True, **GROUP),  # "True"
    case(heat.SoftwareConfig, "inputs[0].type", "String"),
    case(heat.SoftwareConfig, "inputs[0].type", "string", NO),
    case(heat.RandomString, "character_sequences[0].sequence", ""),
    case(heat.RandomString, "character_sequences[0].sequence", 7),
    case(heat.RandomString, "character_sequences[0].sequence", 7.5, NO),
    # list: a list; each item as its schema says (Delay's actions have none: compared as is)
    case(heat.Delay, "actions", ["CREATE"]),
    case(heat.Delay, "actions", []),
    case(heat.Delay, "actions", ("CREATE", "DELETE")),
    case(heat.Delay, "actions", ["create"], NO),
    case(heat.Delay, "actions", [1], NO),
    case(heat.Delay, "actions", "CREATE", NO),
    case(heat.Delay, "actions", {"CREATE": 1}, NO),
    case(heat.SoftwareComponent, "configs", [], NO),
    case(heat.SoftwareComponent, "configs", [{"tool": "script"}]),
    case(heat.SoftwareComponent, "configs", "script", NO),
    case(heat.SoftwareComponent, "configs", {"tool": "script"}, NO),
    case(heat.SoftwareComponent, "configs[0].actions", [], NO),
    case(heat.SoftwareComponent, "configs[0].actions", ["CREATE", 5]),
    case(heat.SoftwareComponent, "configs[0].actions", ["CREATE", 1.5], NO),
    case(heat.SoftwareComponent, "configs[0].actions", "CREATE", NO),
    case(heat.ResourceGroup, "removal_policies[0].resource_list", ["a"], **GROUP),
    case(heat.ResourceGroup, "removal_policies[0].resource_list", "a", NO, **GROUP),
    # map: a mapping, with the keys its schema names
    case(heat.TestResource, "action_wait_secs", {}),
    case(heat.TestResource, "action_wait_secs", {"create": 1}),
    case(heat.TestResource, "action_wait_secs", {"create": "2.5"}),
    case(heat.TestResource, "action_wait_secs", {"create": "abc"}, NO),
    case(heat.TestResource, "action_wait_secs", {"nope": 1}, NO),
    case(heat.TestResource, "action_wait_secs", [], NO),
    case(heat.TestResource, "action_wait_secs", "x", NO),
    case(heat.TestResource, "action_wait_secs", [{"create": 1}], NO),
    case(heat.SoftwareConfig, "options", {"a": [1, {"b": None}], "c": 1.5}),
    case(heat.SoftwareConfig, "options", [], NO),
    case(heat.SoftwareConfig, "options", "a", NO),
    case(heat.SoftwareConfig, "options", 5, NO),
    case(heat.CloudConfig, "cloud_config", {}),
    case(heat.CloudConfig, "cloud_config", [["a"]], NO),
    # any: Heat takes it as it is
    case(heat.Value, "value", 1.5),
    case(heat.Value, "value", [{"a": [1]}]),
    case(heat.Value, "value", "yes"),
]


def make_stack(row: Case) -> Stack:
    stack = Stack(App(), "values")
    row.cls(stack, "r", **row.arguments())
    return stack


def hotdsl_accepts(row: Case) -> bool:
    try:
        synth_stack(make_stack(row))
    except SynthError:
        return False
    return True


def template_text(stack: Stack) -> str:
    """The template synth writes, also where synth would refuse it (for Heat's verdict)."""
    (rendered,) = render([stack], link([stack])).stacks
    return emit_yaml(rendered.template)


@pytest.mark.parametrize("row", VALUES, ids=str)
def test_synth_checks_a_property_value_as_heat_does(row: Case) -> None:
    assert hotdsl_accepts(row) is row.accepted


def test_the_table_covers_every_property_type_both_ways() -> None:
    for kind, props in {
        "boolean": ("fail", "update_replace", "inputs"),
        "integer": ("length", "count", "character_classes"),
        "number": ("wait_secs", "min_wait"),
        "string": ("value", "removal_policies_mode", "type", "index_var", "character_sequences"),
        "list": ("actions", "configs", "removal_policies"),
        "map": ("action_wait_secs", "options", "cloud_config"),
    }.items():
        verdicts = {row.accepted for row in VALUES if row.prop in props}
        assert verdicts == {True, False}, kind
    assert len(VALUES) >= 120


def test_a_refused_value_says_what_heat_takes_at_the_users_line() -> None:
    stack = Stack(App(), "values")
    heat.TestResource(stack, "r", fail="yes")  # type: ignore[arg-type]
    with pytest.raises(SynthError) as error:
        synth_stack(stack)
    (problem,) = [str(p) for p in error.value.problems]
    assert problem.startswith("tests/test_stdlib_values_heat.py:")
    assert "TestResource.fail: must be a boolean (true or false), not str 'yes'" in problem


def _preview(heat_sandbox: Any, text: str) -> tuple[bool, str]:
    body = {"stack_name": heat_sandbox.unique_name("values"), "template": text}
    response = heat_sandbox.conn.orchestration.post("/stacks/preview", json=body)
    assert response.status_code in (200, 400), response.text
    return response.status_code == 200, response.text[:300]


@pytest.mark.heat
def test_heat_gives_every_property_value_the_stated_verdict(heat_validator: Any) -> None:
    disagreements = []
    for row in VALUES:
        accepted, answer = _preview(heat_validator, template_text(make_stack(row)))
        if accepted is not row.accepted:
            disagreements.append(f"{row}: Heat {'accepts' if accepted else 'refuses'}: {answer}")
    assert not disagreements, "\n".join(disagreements)
