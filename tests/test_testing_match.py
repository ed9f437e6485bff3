"""hotdsl.testing.Match: each matcher passing and failing, and what its failures say.

`matcher.test(value)` returns a `MatchResult`; its failures carry the path of each
difference, and `str(failure)` is the line an assertion shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from hotdsl.testing import Capture, Match, Matcher
from hotdsl.testing.match import as_matcher, show


def failures(matcher: Matcher, actual: Any) -> list[str]:
    return [str(f) for f in matcher.test(actual).failures]


def like(pattern: object) -> Matcher:
    """How a Template assertion reads a plain pattern: dicts partially."""
    return as_matcher(pattern, partial=True)


# --- plain values ---------------------------------------------------------------------------


def test_a_plain_dict_matches_partially_at_every_level() -> None:
    server = {"image": "cirros", "flavor": "m1.small", "metadata": {"role": "web", "tier": "1"}}
    assert like({"image": "cirros", "metadata": {"role": "web"}}).test(server).ok
    assert failures(like({"metadata": {"role": "db"}}), server) == [
        "metadata.role: expected db, got web"
    ]


def test_a_plain_list_matches_item_by_item_and_needs_the_same_length() -> None:
    assert like([{"port": "a"}, {"port": "b"}]).test([{"port": "a", "x": 1}, {"port": "b"}]).ok
    assert failures(like(["a"]), ["a", "b"]) == ["expected 1 item, got 2: [a, b]"]
    assert failures(like(["a", "c"]), ["a", "b"]) == ["[1]: expected c, got b"]


def test_scalars_must_be_of_the_same_kind() -> None:
    assert like(1).test(1.0).ok
    assert failures(like(1), True) == ["expected 1, got true"]
    assert failures(like("1"), 1) == ['expected "1", got 1']
    assert failures(like("yes"), True) == ['expected "yes", got true']


def test_a_missing_key_is_reported_with_what_was_expected() -> None:
    assert failures(like({"flavor": "m1.small"}), {}) == ["flavor: missing, expected m1.small"]


def test_a_function_call_differs_as_a_whole() -> None:
    pattern = {"networks": [{"port": {"get_resource": "port"}}]}
    actual = {"networks": [{"port": {"get_resource": "web.port"}}]}
    assert failures(like(pattern), actual) == [
        "networks[0].port: expected {get_resource: port}, got {get_resource: web.port}"
    ]


def test_keys_that_are_not_simple_names_are_shown_in_brackets() -> None:
    assert failures(like({"web.server": {"a b": 1}}), {"web.server": {"a b": 2}}) == [
        '["web.server"]["a b"]: expected 1, got 2'
    ]


# --- exact and equals -----------------------------------------------------------------------


def test_exact_allows_no_extra_keys_at_any_level() -> None:
    matcher = Match.exact({"metadata": {"role": "web"}})
    assert matcher.test({"metadata": {"role": "web"}}).ok
    assert failures(matcher, {"metadata": {"role": "web", "tier": 1}}) == [
        "metadata.tier: unexpected key, with value 1"
    ]


def test_object_equals_wants_exactly_the_keys_given() -> None:
    matcher = Match.object_equals({"image": "cirros"})
    assert matcher.test({"image": "cirros"}).ok
    assert failures(matcher, {"image": "cirros", "flavor": "m1.small"}) == [
        "flavor: unexpected key, with value m1.small"
    ]
    assert failures(matcher, "cirros") == ["expected a mapping {image: cirros}, got cirros"]


def test_object_like_is_the_explicit_form_of_the_default() -> None:
    matcher = Match.object_like({"image": "cirros"})
    assert matcher.test({"image": "cirros", "flavor": "m1.small"}).ok
    assert failures(matcher, {"image": "fedora"}) == ["image: expected cirros, got fedora"]
    assert matcher.describe() == "object_like({image: cirros})"


def test_array_equals_wants_the_same_items_in_the_same_order() -> None:
    matcher = Match.array_equals([{"port": "a"}])
    assert matcher.test([{"port": "a"}]).ok
    assert failures(matcher, [{"port": "a", "fixed_ip": "10.0.0.5"}]) == [
        "[0].fixed_ip: unexpected key, with value 10.0.0.5"
    ]
    assert failures(matcher, []) == ["expected 1 item, got 0: []"]


# --- array_with -----------------------------------------------------------------------------


def test_array_with_finds_its_items_in_order_with_others_between() -> None:
    matcher = Match.array_with(["b", "d"])
    assert matcher.test(["a", "b", "c", "d"]).ok
    assert not matcher.test(["d", "b"]).ok


def test_array_with_matches_dict_items_partially() -> None:
    networks = [{"network": "private"}, {"port": {"get_resource": "port"}, "fixed_ip": "10.0.0.5"}]
    assert Match.array_with([{"port": {"get_resource": "port"}}]).test(networks).ok


def test_array_with_names_the_closest_item_when_none_matches() -> None:
    matcher = Match.array_with([{"port": {"get_resource": "port"}}])
    assert failures(matcher, [{"port": {"get_resource": "web.port"}}]) == [
        (
            "no item matches {port: {get_resource: port}}; "
            "closest: [0].port: expected {get_resource: port}, got {get_resource: web.port}"
        )
    ]
    assert failures(matcher, []) == ["no item matches {port: {get_resource: port}}"]
    assert failures(matcher, "private") == [
        "expected a list array_with([{port: {get_resource: port}}]), got private"
    ]


# --- any_value, absent, string_like_regexp, not_ --------------------------------------------


def test_any_value_wants_the_key_there_and_not_null() -> None:
    matcher = like({"admin_pass": Match.any_value()})
    assert matcher.test({"admin_pass": {"get_resource": "password"}}).ok
    assert failures(matcher, {}) == ["admin_pass: missing, expected any value"]
    assert failures(matcher, {"admin_pass": None}) == ["admin_pass: expected any value, got null"]


def test_absent_wants_the_key_not_there() -> None:
    matcher = like({"key_name": Match.absent()})
    assert matcher.test({"image": "cirros"}).ok
    assert failures(matcher, {"key_name": "mine"}) == ["key_name: expected absent, got mine"]


def test_string_like_regexp_searches_the_string() -> None:
    matcher = Match.string_like_regexp(r"^m1\.")
    assert matcher.test("m1.small").ok
    assert failures(matcher, "ds1G") == [r"expected a string matching /^m1\./, got ds1G"]
    assert failures(matcher, 1) == [r"expected a string matching /^m1\./, got 1"]


def test_not_passes_when_its_pattern_fails() -> None:
    matcher = like({"flavor": Match.not_("m1.tiny")})
    assert matcher.test({"flavor": "m1.small"}).ok
    assert failures(matcher, {"flavor": "m1.tiny"}) == ["flavor: expected not m1.tiny, got m1.tiny"]
    assert like({"key_name": Match.not_(Match.absent())}).test({"key_name": "k"}).ok


def test_match_is_a_namespace_not_a_class_to_instantiate() -> None:
    with pytest.raises(TypeError, match="namespace"):
        Match()


# --- Capture --------------------------------------------------------------------------------


def test_a_capture_keeps_the_value_once_a_result_is_committed() -> None:
    flavor = Capture()
    result = like({"flavor": flavor}).test({"flavor": "m1.small"})
    assert flavor.values == []
    result.commit()
    assert flavor.as_string() == "m1.small"


def test_a_capture_with_a_pattern_only_takes_what_matches() -> None:
    port = Capture({"get_resource": Match.any_value()})
    assert not like({"port": port}).test({"port": "a-uuid"}).ok
    like({"port": port}).test({"port": {"get_resource": "port"}}).commit()
    assert port.as_dict() == {"get_resource": "port"}


def test_a_capture_that_caught_nothing_or_the_wrong_kind_says_so() -> None:
    capture = Capture()
    with pytest.raises(AssertionError, match="captured nothing"):
        _ = capture.value
    like({"size": capture}).test({"size": "10"}).commit()
    with pytest.raises(AssertionError, match='captured "10", not a number'):
        capture.as_number()


# --- showing values -------------------------------------------------------------------------


def test_values_are_shown_in_short_flow_style() -> None:
    assert show({"get_attr": ["server", "networks", 0]}) == "{get_attr: [server, networks, 0]}"
    assert show({"a": None, "b": False, "c": "two words"}) == '{a: null, b: false, c: "two words"}'
    assert show("x" * 200).endswith("...") and len(show("x" * 200)) == 100
