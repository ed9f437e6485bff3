"""Snapshots: every file synth writes for an app or a stack, kept beside the tests.

A snapshot is a folder of files, reviewed and committed like code. The first run
writes it; later runs compare and fail on any difference, with a diff; an update run
(`pytest --hotdsl-update-snapshots`, see `hotdsl.testing.plugin`) accepts the change.
Synth output is deterministic, so a snapshot only changes when the stack does.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs

from hotdsl.construct import App, Stack
from hotdsl.synth import synth
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest

__all__ = ["Snapshot", "SnapshotWrite", "synthesized_files"]

_DIFF_LINES = 40


@attrs.frozen
class SnapshotWrite:
    """A snapshot folder that was written instead of compared."""

    directory: Path
    created: bool
    """True for a new snapshot, False for an updated one."""


def synthesized_files(target: App | Stack) -> dict[str, str]:
    """What `hotdsl synth` writes, file name -> text: for an app, every file; for a
    top-level stack, its own files (template, environment files, files map)."""
    if isinstance(target, App):
        app = target
    elif isinstance(target, Stack):
        app = _app_of(target)
    else:
        raise TypeError(f"a snapshot is taken of an App or a Stack, not of {type(target).__name__}")
    with tempfile.TemporaryDirectory(prefix="hotdsl-snapshot-") as tmp:
        _, manifest = synth(app, Path(tmp))
        files = _read_folder(Path(tmp))
    if target is app:
        return files
    for entry in manifest.stacks:
        if entry.path == target.node.path:
            own = set(Manifest((entry,)).written_files()) - {MANIFEST_FILE}
            return {name: text for name, text in files.items() if name in own}
    raise TypeError(
        f"{target.node.path} is not a top-level stack; snapshot its top-level stack or the app"
    )


def _app_of(stack: Stack) -> App:
    root = stack.node
    while root.scope is not None:
        root = root.scope.node
    if not isinstance(root.construct, App):
        raise TypeError(f"{stack.node.path} is not inside an App")
    return root.construct


class Snapshot:
    """Compares synthesized files with the snapshot stored for one test.

    The `hot_snapshot` fixture makes one per test, stored under
    `__snapshots__/<test module>/<test name>/` beside the test file.
    """

    def __init__(
        self,
        directory: Path,
        *,
        update: bool = False,
        on_write: Callable[[SnapshotWrite], None] | None = None,
        how_to_update: str = "take the snapshot with update=True",
    ) -> None:
        self.directory = directory
        self.update = update
        self._on_write = on_write
        self._how_to_update = how_to_update
        self._used: set[str] = set()

    def assert_match(self, target: App | Stack, *, name: str | None = None) -> None:
        """Synthesize `target` and compare every file with the snapshot (write it if there is none).

        A test that takes more than one snapshot gives each a `name`.
        """
        __tracebackhide__ = True
        key = name or ""
        if key in self._used:
            raise ValueError(
                "this test already took a snapshot"
                f"{f' named {name!r}' if name else ''}; give each one its own name="
            )
        self._used.add(key)
        directory = (
            self.directory.with_name(f"{self.directory.name}-{_safe(name)}")
            if name
            else self.directory
        )
        produced = synthesized_files(target)
        stored = _read_folder(directory) if directory.is_dir() else {}
        if not stored or self.update:
            if _write_folder(directory, produced, stored) and self._on_write is not None:
                self._on_write(SnapshotWrite(directory, created=not stored))
            return
        if produced != stored:
            raise AssertionError(_difference(directory, produced, stored, self._how_to_update))


def _difference(
    directory: Path, produced: dict[str, str], stored: dict[str, str], how_to_update: str
) -> str:
    where = _shown(directory)
    lines = [f"the synthesized files differ from the snapshot in {where}:"]
    new = sorted(set(produced) - set(stored))
    gone = sorted(set(stored) - set(produced))
    changed = sorted(n for n in set(produced) & set(stored) if produced[n] != stored[n])
    if new:
        lines.append(f"  new files: {', '.join(new)}")
    if gone:
        lines.append(f"  files no longer written: {', '.join(gone)}")
    budget = _DIFF_LINES
    for name in changed:
        diff = list(
            difflib.unified_diff(
                stored[name].splitlines(),
                produced[name].splitlines(),
                f"snapshot/{name}",
                f"synthesized/{name}",
                lineterm="",
                n=2,
            )
        )
        lines.extend("  " + line for line in diff[:budget])
        if len(diff) > budget:
            lines.append(f"  ... ({len(diff) - budget} more diff lines)")
        budget = max(0, budget - len(diff))
    lines.append(f"if the change is intended, {how_to_update} and review the snapshot's diff")
    return "\n".join(lines)


def _read_folder(directory: Path) -> dict[str, str]:
    """Every file below `directory` by relative path; line endings as written (git may add CRs)."""
    return {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8").replace("\r\n", "\n")
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _write_folder(directory: Path, files: dict[str, str], stored: dict[str, str]) -> bool:
    """Make `directory` hold exactly `files`; True if anything changed."""
    changed = False
    for name, text in files.items():
        if stored.get(name) != text:
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            changed = True
    for name in stored:
        if name not in files:
            (directory / name).unlink()
            changed = True
    return changed


def _safe(name: str) -> str:
    """A test or snapshot name as a folder name that every file system takes."""
    return "".join(c if c.isalnum() or c in "_.-[]=,+" else "_" for c in name)


def snapshot_directory(test_file: Path, test_id: str) -> Path:
    """`<folder of test_file>/__snapshots__/<module>/<test>` for a test id like `TestX::test_y[a]`."""
    return test_file.parent / "__snapshots__" / test_file.stem / _safe(test_id.replace("::", "."))


def _shown(path: Path) -> str:
    """`path` relative to the working directory when below it, for messages."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
