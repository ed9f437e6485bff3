"""Pieces of the deploy engine that need no Heat: Heat's answers, parameter values, diffs,
ownership tags and refusals, settings, and the out dir's paths."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from hotdsl.deploy.diff import MISSING, Change, deep_diff
from hotdsl.deploy.engine import DeploySettings
from hotdsl.deploy.heat import StackRef
from hotdsl.deploy.imports import parameter_value
from hotdsl.deploy.ownership import check_user_tag, is_owned, owner_tag, refusal, uses_tag
from hotdsl.deploy.plan import check_out_paths
from hotdsl.errors import HotdslError
from hotdsl.synth.manifest import StackEntry
from hotdsl.versions import FUNCTION_NAMES

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


@pytest.mark.parametrize("name", sorted(FUNCTION_NAMES))
def test_deep_diff_keeps_a_call_of_every_hot_function_whole(name: str) -> None:
    old, new = {name: {"a": 1, "b": [1]}}, {name: {"a": 2, "b": [1]}}
    assert list(deep_diff(old, new, "value")) == [Change("value", old, new)]


def test_ownership_tags_fit_heats_limits_and_keep_long_names_apart() -> None:
    assert owner_tag("web") == "hotdsl-stack:web"
    assert uses_tag("prod-network") == "hotdsl-uses:prod-network"
    long_a, long_b = "a" * 200 + "1", "a" * 200 + "2"
    for tag in (owner_tag(long_a), owner_tag(long_b), uses_tag(long_a), owner_tag("a,b" * 40)):
        assert len(tag) <= 80 and "," not in tag
    assert owner_tag(long_a) != owner_tag(long_b)
    assert len(uses_tag("a" * 68)) == 80 and uses_tag("a" * 68).endswith("a")


def test_a_stack_is_hotdsls_only_with_the_tag_for_that_stack() -> None:
    ref = StackRef.from_api({**BASE, "stack_name": "prod-web", "tags": ["hotdsl-stack:web"]})
    assert is_owned(ref, "web")
    assert not is_owned(ref, "prod-web") and not is_owned(StackRef.from_api(BASE), "s")


def test_refusals_name_the_stacks_and_the_flag() -> None:
    theirs = StackRef.from_api(BASE)
    failed = StackRef.from_api(
        {**BASE, "stack_name": "db", "stack_status": "CREATE_FAILED", "tags": "hotdsl-stack:x"}
    )
    one = str(refusal([("s", theirs)], "deploy"))
    assert one.startswith("stack s (CREATE_COMPLETE, no hotdsl-stack tag) exists in Heat")
    assert "run again with --take-over s (once: the update tags it;" in one
    both = str(refusal([("s", theirs), ("db", failed)], "deploy"))
    assert "db (CREATE_FAILED, tagged for the stack 'x')" in both
    assert "`openstack stack delete db`" in both and "--take-over s --take-over db" in both
    gone = str(refusal([("s", theirs)], "destroy"))
    assert "destroy deletes only stacks hotdsl created" in gone and "--take-over s" in gone


def test_user_tags_may_not_use_hotdsls_prefix_or_exceed_heats_length() -> None:
    check_user_tag("team:web")
    for bad in ("hotdsl-stack:web", "hotdsl-uses:x", "x" * 81):
        with pytest.raises(HotdslError):
            check_user_tag(bad)


def test_concurrency_and_timeout_below_one_are_refused() -> None:
    for settings in ({"concurrency": 0}, {"concurrency": -1}, {"timeout_mins": 0}):
        with pytest.raises(ValueError):
            DeploySettings(**settings)  # type: ignore[arg-type]


def test_manifest_paths_must_stay_inside_the_out_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "t.yaml").write_text("heat_template_version: 2021-04-16\n")
    (tmp_path / "private").write_text("secret")
    (out / "link").symlink_to(tmp_path / "private")
    entry = StackEntry(name="s", path="s", template="t.yaml", files={"a": "sub/../t.yaml"})
    check_out_paths(out, entry)
    for files in ({"a": "../private"}, {"a": str(tmp_path / "private")}, {"a": "link"}):
        with pytest.raises(HotdslError, match=r"stack s, files entry 'a' .* lies outside"):
            check_out_paths(out, attrs.evolve(entry, files=files))
