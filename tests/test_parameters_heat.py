"""Parameter checks at synth agree with Heat's own parameter classes, case for case.

One table of (type, default, constraints) runs through hotdsl's synth check and, in
the sandbox, through Heat 27's stack preview, which validates the parameters the way
stack create does: the schema (each constraint must suit the type), the default as
written against the constraints, then the default read by the type's class
(`StringParam`, `NumberParam`, `BooleanParam`, `CommaDelimitedListParam`, `JsonParam`
in heat/engine/parameters.py). `POST /validate` is not enough as a referee: it skips
the last step, so it accepts a number parameter whose default is `"abc"`, which no
stack create accepts.

Every row also states the verdict, so the table reads as documentation and the fast
test checks hotdsl without a sandbox; the heat test proves each stated verdict is
Heat's. A second table does the same for values given in an environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import pytest

from hotdsl import (
    AllowedPattern,
    AllowedValues,
    App,
    Length,
    Modulo,
    Parameter,
    Range,
    Resource,
    Stack,
    SynthError,
)
from hotdsl.synth import synth_stack
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.link import link
from hotdsl.synth.render import render
from hotdsl.synth.validate import check_parameter_value
from hotdsl.template import ParameterConstraint

OK, NO = True, False


@attrs.frozen
class Case:
    type: str
    default: object
    constraints: Sequence[ParameterConstraint] = ()
    accepted: bool = True

    def __str__(self) -> str:
        shown = ",".join(c.__class__.__name__ for c in self.constraints)
        return f"{self.type}={self.default!r}" + (f"[{shown}]" if shown else "")


def case(
    kind: str, default: object, *constraints: ParameterConstraint, accepted: bool = OK
) -> Case:
    return Case(kind, default, constraints, accepted)


DEFAULTS: list[Case] = [
    # string: any value is read with str(); constraints see the value as written
    case("string", False),
    case("string", True),
    case("string", 8080),
    case("string", 1.5),
    case("string", ""),
    case("string", [1, 2]),
    case("string", {"a": 1}),
    case("string", "abc", Length(max=2), accepted=NO),
    case("string", "ab", Length(max=2)),
    case("string", 8080, Length(min=1), accepted=NO),
    case("string", False, Length(min=1), accepted=NO),
    case("string", {"a": 1, "b": 2}, Length(max=1), accepted=NO),
    case("string", {"a": 1, "b": 2}, Length(max=2)),
    case("string", False, AllowedValues(["False"])),
    case("string", False, AllowedValues(["false"]), accepted=NO),
    case("string", 8080, AllowedValues([8080])),
    case("string", 8080, AllowedValues(["8080"])),
    case("string", "x", AllowedValues(["a", "b"]), accepted=NO),
    case("string", ["a"], AllowedValues(["a"])),
    case("string", ["a", "c"], AllowedValues(["a"]), accepted=NO),
    case("string", "8080", AllowedPattern("[0-9]+")),
    case("string", 8080, AllowedPattern("[0-9]+"), accepted=NO),
    case("string", "ab1", AllowedPattern("[a-z]+"), accepted=NO),
    case("string", "x", Range(min=1), accepted=NO),
    case("string", "x", Modulo(step=2, offset=0), accepted=NO),
    # number: int(), then float(); booleans are numbers too
    case("number", "0x10", accepted=NO),
    case("number", "1e3"),
    case("number", " 5 "),
    case("number", "1_000"),
    case("number", "nan"),
    case("number", "-2.5"),
    case("number", "abc", accepted=NO),
    case("number", "", accepted=NO),
    case("number", True),
    case("number", [1], accepted=NO),
    case("number", {"a": 1}, accepted=NO),
    case("number", 5, Range(max=4), accepted=NO),
    case("number", "5", Range(max=4), accepted=NO),
    case("number", "4", Range(max=4)),
    case("number", "1e1", Range(min=1, max=10)),
    case("number", -1, Range(min=0), accepted=NO),
    case("number", " 5 ", AllowedValues(["5", "6"])),
    case("number", 5, AllowedValues(["5"])),
    case("number", 5.0, AllowedValues([5])),
    case("number", "5.0", AllowedValues([5])),
    case("number", 6, AllowedValues([5]), accepted=NO),
    case("number", 5, AllowedValues(["five"]), accepted=NO),
    case("number", 7, Modulo(step=2, offset=1)),
    case("number", "7", Modulo(step=2, offset=1)),
    case("number", 8, Modulo(step=2, offset=1), accepted=NO),
    case("number", 7.5, Modulo(step=2, offset=1), accepted=NO),
    case("number", -3, Modulo(step=-2, offset=-1)),
    case("number", 1, Modulo(step=2, offset=2), accepted=NO),
    case("number", 1, Modulo(step=0, offset=0), accepted=NO),
    case("number", 1, Modulo(step=-2, offset=1), accepted=NO),
    case("number", 5, Length(max=3), accepted=NO),
    case("number", 3, AllowedPattern("[0-9]"), accepted=NO),
    case("number", 5, Range(), accepted=NO),
    # boolean: oslo's bool_from_string(strict=True) of str(value), spaces and case ignored
    case("boolean", True),
    case("boolean", "yes"),
    case("boolean", "On"),
    case("boolean", " yes "),
    case("boolean", "t"),
    case("boolean", "N"),
    case("boolean", 1),
    case("boolean", 0),
    case("boolean", 2, accepted=NO),
    case("boolean", 1.0, accepted=NO),
    case("boolean", "maybe", accepted=NO),
    case("boolean", "", accepted=NO),
    case("boolean", [], accepted=NO),
    case("boolean", True, AllowedValues([True])),
    case("boolean", "yes", AllowedValues(["true"])),
    case("boolean", "no", AllowedValues(["true"]), accepted=NO),
    case("boolean", True, AllowedValues(["maybe"]), accepted=NO),
    case("boolean", True, Length(max=5), accepted=NO),
    # comma_delimited_list: a list (items read with str()) or a string split on commas
    case("comma_delimited_list", "a,b"),
    case("comma_delimited_list", ["a", "b"]),
    case("comma_delimited_list", []),
    case("comma_delimited_list", ""),
    case("comma_delimited_list", 5, accepted=NO),
    case("comma_delimited_list", True, accepted=NO),
    case("comma_delimited_list", {"a": 1}, accepted=NO),
    case("comma_delimited_list", "a,b", Length(max=1), accepted=NO),
    case("comma_delimited_list", "a,b", Length(max=2)),
    case("comma_delimited_list", ["a", "b", "c"], Length(max=2), accepted=NO),
    case("comma_delimited_list", "", Length(min=1), accepted=NO),
    case("comma_delimited_list", "", Length(max=0), accepted=NO),
    case("comma_delimited_list", "a,b", AllowedValues(["a", "b"])),
    case("comma_delimited_list", "a, b", AllowedValues(["a", "b"]), accepted=NO),
    case("comma_delimited_list", [1, 2], AllowedValues([1, 2]), accepted=NO),
    case("comma_delimited_list", ["1", "2"], AllowedValues(["1", "2"])),
    case("comma_delimited_list", "1,2", AllowedValues([1, 2]), accepted=NO),
    case("comma_delimited_list", "a", AllowedPattern("a"), accepted=NO),
    case("comma_delimited_list", "1", Range(min=0), accepted=NO),
    # json: a string is parsed (an empty one kept as is), anything else dumped and parsed
    case("json", ""),
    case("json", "[]"),
    case("json", "{}"),
    case("json", " [1] "),
    case("json", [1, 2]),
    case("json", {"a": {"b": [1]}}),
    case("json", "5"),
    case("json", 5),
    case("json", True),
    case("json", "null"),
    case("json", "{bad", accepted=NO),
    case("json", "[1,", accepted=NO),
    case("json", "[1,2]", Length(max=3), accepted=NO),
    case("json", "[1,2]", Length(max=5)),
    case("json", [1, 2], Length(max=3)),
    case("json", {"a": 1}, Length(max=1)),
    case("json", {"a": 1, "b": 2}, Length(max=1), accepted=NO),
    case("json", "", Length(min=1), accepted=NO),
    case("json", "5", Length(max=3), accepted=NO),
    case("json", [1], AllowedValues([[1]]), accepted=NO),
    case("json", "{}", AllowedPattern(".*"), accepted=NO),
]

ENVIRONMENT_VALUES: list[Case] = [
    # (type, value given in the environment's parameters, constraints): Heat's _validate only
    case("string", False),
    case("string", 8080, Length(min=1), accepted=NO),
    case("number", "0x10", accepted=NO),
    case("number", " 7 ", Modulo(step=2, offset=1)),
    case("boolean", "Off"),
    case("boolean", 2, accepted=NO),
    case("comma_delimited_list", "", Length(min=1), accepted=NO),
    case("comma_delimited_list", "a,b", Length(max=2)),
    case("json", ""),
    case("json", "{bad", accepted=NO),
    case("json", "[1,2]", Length(max=3)),
]


def make_stack(row: Case, *, with_default: bool = True) -> Stack:
    stack = Stack(App(), "params")
    Parameter(  # type: ignore[call-overload]
        stack,
        "p",
        type=row.type,
        default=row.default if with_default else None,
        constraints=list(row.constraints),
    )
    Resource(stack, "r", type="OS::Heat::None")
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


@pytest.mark.parametrize("row", DEFAULTS, ids=str)
def test_synth_checks_a_default_as_heat_does(row: Case) -> None:
    assert hotdsl_accepts(row) is row.accepted


@pytest.mark.parametrize("row", ENVIRONMENT_VALUES, ids=str)
def test_synth_checks_an_environment_value_as_heat_does(row: Case) -> None:
    parameter = make_stack(row, with_default=False).members_of_type(Parameter)[0]
    assert (check_parameter_value(parameter, row.default) == []) is row.accepted


def test_the_table_covers_every_type_both_ways() -> None:
    for kind in ("string", "number", "boolean", "comma_delimited_list", "json"):
        verdicts = {row.accepted for row in DEFAULTS if row.type == kind}
        assert verdicts == {True, False}, kind
    assert len(DEFAULTS) >= 100


def test_a_refused_default_names_the_parameter_and_the_users_line() -> None:
    stack = make_stack(case("json", "{bad"))
    with pytest.raises(SynthError) as error:
        synth_stack(stack)
    (problem,) = [str(p) for p in error.value.problems]
    assert problem.startswith("tests/test_parameters_heat.py:")
    assert "params/p: default '{bad' is invalid: a json parameter given as a string" in problem


def test_a_constraint_that_does_not_suit_the_type_is_refused_without_a_default() -> None:
    stack = make_stack(case("number", None, Length(max=3)), with_default=False)
    with pytest.raises(SynthError, match="a length constraint does not apply to a number"):
        synth_stack(stack)


def _preview(heat: Any, text: str, environment: dict[str, Any] | None = None) -> tuple[bool, str]:
    body: dict[str, Any] = {"stack_name": heat.unique_name("params"), "template": text}
    if environment is not None:
        body["environment"] = environment
    response = heat.conn.orchestration.post("/stacks/preview", json=body)
    assert response.status_code in (200, 400), response.text
    return response.status_code == 200, response.text[:300]


@pytest.mark.heat
def test_heat_gives_every_default_the_stated_verdict(heat_validator: Any) -> None:
    disagreements = []
    for row in DEFAULTS:
        accepted, answer = _preview(heat_validator, template_text(make_stack(row)))
        if accepted is not row.accepted:
            disagreements.append(f"{row}: Heat {'accepts' if accepted else 'refuses'}: {answer}")
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.heat
def test_heat_gives_every_environment_value_the_stated_verdict(heat_validator: Any) -> None:
    disagreements = []
    for row in ENVIRONMENT_VALUES:
        text = template_text(make_stack(row, with_default=False))
        accepted, answer = _preview(heat_validator, text, {"parameters": {"p": row.default}})
        if accepted is not row.accepted:
            disagreements.append(f"{row}: Heat {'accepts' if accepted else 'refuses'}: {answer}")
    assert not disagreements, "\n".join(disagreements)
