"""hotdsl's pytest plugin: the `hot_snapshot` fixture and `--hotdsl-update-snapshots`.

pytest loads it in every session of anyone who installed hotdsl (the `pytest11`
entry point), so this module imports nothing but pytest; the snapshot machinery is
imported when a test first asks for the fixture.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hotdsl.testing.snapshot import Snapshot, SnapshotWrite

UPDATE_OPTION = "--hotdsl-update-snapshots"
UPDATE_ENV = "HOTDSL_UPDATE_SNAPSHOTS"

_WRITTEN: pytest.StashKey[list[SnapshotWrite]] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hotdsl", "hotdsl snapshots")
    group.addoption(
        UPDATE_OPTION,
        action="store_true",
        default=False,
        help=f"rewrite the hot_snapshot snapshots of the tests that run instead of comparing "
        f"(or set {UPDATE_ENV}=1); review the diff before committing",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_WRITTEN] = []


@pytest.fixture
def hot_snapshot(request: pytest.FixtureRequest) -> Snapshot:
    """Compare an app's or stack's synthesized files with the snapshot of this test.

    ```python
    def test_synthesized_files(hot_snapshot: Snapshot) -> None:
        hot_snapshot.assert_match(app)
    ```
    Stored in `__snapshots__/<test module>/<test name>/` beside the test file; written
    on the first run (the summary lists it), compared afterwards.
    """
    from hotdsl.testing.snapshot import Snapshot, snapshot_directory

    test_id = (
        request.node.nodeid.split("::", 1)[-1] if "::" in request.node.nodeid else request.node.name
    )
    update = bool(request.config.getoption(UPDATE_OPTION)) or os.environ.get(
        UPDATE_ENV, ""
    ) not in ("", "0")
    written = request.config.stash.get(_WRITTEN, None)
    return Snapshot(
        snapshot_directory(request.path, test_id),
        update=update,
        on_write=written.append if written is not None else None,
        how_to_update=f"run pytest {UPDATE_OPTION} (or set {UPDATE_ENV}=1)",
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    written = config.stash.get(_WRITTEN, [])
    if not written:
        return
    created = sum(1 for w in written if w.created)
    updated = len(written) - created
    counts = ", ".join(
        part
        for part in (f"{created} new" if created else "", f"{updated} updated" if updated else "")
        if part
    )
    terminalreporter.write_sep("-", f"hotdsl snapshots written: {counts}")
    root = config.rootpath
    for write in written:
        try:
            shown = write.directory.relative_to(root).as_posix()
        except ValueError:
            shown = str(write.directory)
        terminalreporter.write_line(f"{'new' if write.created else 'updated'}: {shown}")
    terminalreporter.write_line("review them and commit them with the tests")
