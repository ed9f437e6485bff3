"""The `hot_snapshot` fixture and hotdsl's pytest plugin, run as a user's test session would.

Each test writes a small test module into a fresh folder and runs pytest on it
(`pytester`): the first run writes the snapshot, later runs compare, a change fails
with a diff, and `--hotdsl-update-snapshots` (or HOTDSL_UPDATE_SNAPSHOTS=1) accepts it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hotdsl import App, Resource, Stack
from hotdsl.testing.snapshot import Snapshot, synthesized_files

pytest_plugins = ["pytester"]

APP_TEST = """
from hotdsl import App, Parameter, Resource, Stack
from hotdsl.testing import Snapshot

LENGTH = {length}


def make_app() -> App:
    app = App()
    stack = Stack(app, "demo")
    Resource(stack, "password", type="OS::Heat::RandomString", properties={{"length": LENGTH}})
    return app


def test_demo(hot_snapshot: Snapshot) -> None:
    hot_snapshot.assert_match(make_app())
"""


@pytest.fixture(autouse=True)
def no_update_from_the_outer_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests set the update mode themselves, whatever the developer's shell says."""
    monkeypatch.delenv("HOTDSL_UPDATE_SNAPSHOTS", raising=False)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in the test's folder, without plugins that would only slow it down."""
    return pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider", *args)


def write_test(pytester: pytest.Pytester, length: int = 16) -> None:
    pytester.makepyfile(test_demo=APP_TEST.format(length=length))


def snapshot_files(pytester: pytest.Pytester) -> dict[str, str]:
    folder = pytester.path / "__snapshots__" / "test_demo" / "test_demo"
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_first_run_writes_the_snapshot_and_says_so(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*hotdsl snapshots written: 1 new*",
            "new: __snapshots__/test_demo/test_demo",
            "review them and commit them with the tests",
        ]
    )
    files = snapshot_files(pytester)
    assert sorted(files) == ["demo.yaml", "manifest.json"]
    assert "type: OS::Heat::RandomString" in files["demo.yaml"]


def test_a_later_run_compares_and_passes_when_nothing_changed(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert "snapshots written" not in result.stdout.str()


def test_a_change_fails_with_a_diff_and_how_to_accept_it(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    write_test(pytester, length=32)
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: the synthesized files differ from the snapshot in __snapshots__/test_demo/test_demo:",
            "*--- snapshot/demo.yaml",
            "*+++ synthesized/demo.yaml",
            "*-      length: 16",
            "*+      length: 32",
            (
                "*if the change is intended, run pytest --hotdsl-update-snapshots "
                "(or set HOTDSL_UPDATE_SNAPSHOTS=1) and review the snapshot's diff"
            ),
        ]
    )
    assert "length: 16" in snapshot_files(pytester)["demo.yaml"]


def test_the_update_flag_rewrites_the_snapshot(pytester: pytest.Pytester) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    write_test(pytester, length=32)
    result = run(pytester, "--hotdsl-update-snapshots")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*hotdsl snapshots written: 1 updated*", "updated: __snapshots__/test_demo/test_demo"]
    )
    assert "length: 32" in snapshot_files(pytester)["demo.yaml"]
    run(pytester).assert_outcomes(passed=1)


def test_the_environment_variable_does_the_same(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    write_test(pytester, length=32)
    monkeypatch.setenv("HOTDSL_UPDATE_SNAPSHOTS", "1")
    run(pytester).assert_outcomes(passed=1)
    assert "length: 32" in snapshot_files(pytester)["demo.yaml"]


def test_files_that_synth_no_longer_writes_fail_and_an_update_removes_them(
    pytester: pytest.Pytester,
) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    stale = pytester.path / "__snapshots__" / "test_demo" / "test_demo" / "old.yaml"
    stale.write_text("resources: {}\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*files no longer written: old.yaml"])
    run(pytester, "--hotdsl-update-snapshots").assert_outcomes(passed=1)
    assert not stale.exists()


def test_a_snapshot_checked_out_with_crlf_line_endings_still_matches(
    pytester: pytest.Pytester,
) -> None:
    write_test(pytester)
    run(pytester).assert_outcomes(passed=1)
    template = pytester.path / "__snapshots__" / "test_demo" / "test_demo" / "demo.yaml"
    template.write_bytes(template.read_bytes().replace(b"\n", b"\r\n"))
    run(pytester).assert_outcomes(passed=1)


def test_parametrized_tests_and_named_snapshots_get_folders_of_their_own(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_many="""
import pytest
from hotdsl import App, Resource, Stack
from hotdsl.testing import Snapshot


def app_of(size: int) -> App:
    app = App()
    Resource(Stack(app, "vol"), "volume", type="OS::Cinder::Volume", properties={"size": size})
    return app


@pytest.mark.parametrize("size", [1, 2])
def test_sizes(hot_snapshot: Snapshot, size: int) -> None:
    hot_snapshot.assert_match(app_of(size))


class TestTwoSnapshots:
    def test_named(self, hot_snapshot: Snapshot) -> None:
        hot_snapshot.assert_match(app_of(1), name="small")
        hot_snapshot.assert_match(app_of(9), name="big")

    def test_unnamed_twice(self, hot_snapshot: Snapshot) -> None:
        hot_snapshot.assert_match(app_of(1))
        hot_snapshot.assert_match(app_of(1))
"""
    )
    result = run(pytester)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["*ValueError: this test already took a snapshot; give each one its own name="]
    )
    folders = sorted(p.name for p in (pytester.path / "__snapshots__" / "test_many").iterdir())
    assert folders == [
        "TestTwoSnapshots.test_named-big",
        "TestTwoSnapshots.test_named-small",
        "TestTwoSnapshots.test_unnamed_twice",
        "test_sizes[1]",
        "test_sizes[2]",
    ]


def test_the_option_is_listed_in_pytest_help(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(["*--hotdsl-update-snapshots*"])


def test_loading_the_plugin_imports_neither_openstacksdk_nor_the_synth_pipeline(
    tmp_path: Path,
) -> None:
    """The plugin loads in every pytest session of anyone who installed hotdsl."""
    code = (
        "import sys, hotdsl.testing.plugin\n"
        "heavy = [m for m in ('openstack', 'hotdsl.synth', 'hotdsl.testing.template', 'yaml') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


# --- the Snapshot class on its own ----------------------------------------------------------


def two_stacks() -> tuple[App, Stack]:
    app = App()
    first = Stack(app, "first")
    Resource(first, "a", type="OS::Heat::None")
    second = Stack(app, "second")
    Resource(second, "b", type="OS::Heat::None")
    return app, second


def test_an_app_snapshot_holds_every_file_synth_writes() -> None:
    app, _ = two_stacks()
    assert sorted(synthesized_files(app)) == ["first.yaml", "manifest.json", "second.yaml"]


def test_a_stack_snapshot_holds_that_stack_s_files_only() -> None:
    _, second = two_stacks()
    assert sorted(synthesized_files(second)) == ["second.yaml"]


def test_synthesized_files_are_the_same_every_time() -> None:
    assert synthesized_files(two_stacks()[0]) == synthesized_files(two_stacks()[0])


def test_a_snapshot_used_outside_pytest_says_how_to_update_it(tmp_path: Path) -> None:
    _, second = two_stacks()
    snapshot = Snapshot(tmp_path / "snap")
    snapshot.assert_match(second)
    Resource(second, "c", type="OS::Heat::None")
    with pytest.raises(AssertionError, match="take the snapshot with update=True"):
        Snapshot(tmp_path / "snap").assert_match(second)
    Snapshot(tmp_path / "snap", update=True).assert_match(second)
    Snapshot(tmp_path / "snap").assert_match(second)
