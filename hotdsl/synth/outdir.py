"""The out dir on disk: all of one synth's files or none of them, and nothing outside it.

A reader of the out dir (a deploy, a reviewer's editor, CI) must see the old out dir or
the new one, never a mix, whatever stops synth halfway: a full disk, SIGKILL, Ctrl-C.
So synth never writes into the out dir. It builds the new one beside it, in a folder of
the same parent named `.<out>.hotdsl-<tag>-new-<random>`, then swaps the two in one
step (Linux's `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, see `_swap`) and
only then removes the old one. A run that dies leaves at most such a folder behind;
the next synth removes it (only folders of that name, owned by the user and not locked
by a synth still running), or, if it died between the two renames, puts the old out dir
back first. Durability against power loss is not promised: that would need an fsync of
every file on every synth.

Ownership. The out dir is hotdsl's, but a user may keep files of their own in it (a
README). The previous manifest says which files synth wrote; those are replaced or
dropped. Every other entry is carried into the new out dir as it is (hard-linked, or
copied): regular files, folders and symlinks (the link itself, never its target). A
name that synth writes now is synth's. Synth creates every file new (`O_EXCL`) inside
its own fresh folder, so it cannot write through a symlink or a hard link, and the
manifest's paths are never used to delete anything: what goes is the old folder as a
whole, after the swap, and it holds only names below the out dir.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from hotdsl.errors import HotdslError
from hotdsl.synth.manifest import MANIFEST_FILE, Manifest, ManifestError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are not cleaned up there
    fcntl = None  # type: ignore[assignment]

__all__ = ["NAME_MAX", "file_name", "write_out_dir"]

NAME_MAX = 255
"""Bytes in one file name on Linux, macOS and Windows file systems."""

_UNSAFE = frozenset('\\/:*?"<>|%')


def file_name(text: str, suffix: str = "") -> str:
    """`text` + `suffix` as one file name that is readable and safe everywhere.

    Characters that are not printable (newlines, lone surrogates, bidi controls) or that
    some file system or shell reads specially (`\\ / : * ? " < > |`) are written as
    `%XX` UTF-8 bytes, and `%` itself too, so that two texts never share a name. A name
    longer than `NAME_MAX` bytes keeps its start and `suffix`, with a digest of the whole
    between them.
    """
    escaped = "".join(c if c.isprintable() and c not in _UNSAFE else _percent(c) for c in text)
    name = escaped + suffix
    data = name.encode("utf-8")
    if len(data) <= NAME_MAX:
        return name
    digest = hashlib.sha256(data).hexdigest()[:16]
    room = NAME_MAX - len(suffix.encode("utf-8")) - len(digest) - 1
    return f"{data[:room].decode('utf-8', 'ignore')}~{digest}{suffix}"


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def write_out_dir(out_dir: Path, files: Mapping[str, bytes]) -> list[str]:
    """Replace `out_dir` with one holding `files` (relative path -> content) and the user's own files.

    Returns warnings for the user. Raises `HotdslError` (one line) when the out dir
    cannot be replaced; it is then left as it was.
    """
    target = _target(out_dir)
    warnings: list[str] = []
    _clean_leftovers(target, warnings)
    old = _check_target(target)
    owned = _owned_files(target, warnings) if old is not None else set()
    _make_parent(target)
    build = _new_folder(target)
    build_lock = _lock(build)
    try:
        _fill(build, target if old is not None else None, files)
        if old is not None:
            _carry_over(target, build, owned, files, warnings)
            os.chmod(build, stat.S_IMODE(old.st_mode))
        previous = _swap(build, target, exists=old is not None)
    except OSError as exc:
        _remove(build, [])
        raise HotdslError(_write_failure(exc, build, target)) from None
    except BaseException:
        _remove(build, [])
        raise
    finally:
        _unlock(build_lock)
    if previous is not None:
        _remove(previous, warnings)
    return warnings


# --- checks before anything is written --------------------------------------------------


def _target(out_dir: Path) -> Path:
    """The out dir as an absolute path: its parent resolved, its own last part not followed."""
    absolute = Path(os.path.abspath(out_dir))
    if absolute.name in ("", ".", ".."):
        return absolute.resolve()
    return absolute.parent.resolve() / absolute.name


def _check_target(target: Path) -> os.stat_result | None:
    """The existing out dir's status, after the checks that make replacing it safe."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise HotdslError(
            f"cannot use {target} as the out dir: {_file_above(target)} is a file, not a folder"
        ) from None
    except OSError as exc:
        raise HotdslError(f"cannot use {target} as the out dir: {exc.strerror or exc}") from None
    if stat.S_ISLNK(status.st_mode):
        raise HotdslError(
            f"the out dir {target} is a symlink (to {os.readlink(target)}); synth replaces "
            "its out dir as a whole and does not follow links: remove the link, or pass the "
            "real folder with --out"
        )
    if not stat.S_ISDIR(status.st_mode):
        raise HotdslError(
            f"the out dir {target} is {_kind(status.st_mode)}, not a folder; pass a folder "
            "with --out (it is created if missing)"
        )
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    if here is not None and (here == target or target in here.parents):
        raise HotdslError(
            f"the out dir {target} holds the working directory; synth replaces its out dir "
            "as a whole, so it must be a folder of its own, such as hot.out"
        )
    if not os.access(target, os.W_OK | os.X_OK):
        raise HotdslError(f"the out dir {target} is not writable; fix its permissions")
    try:
        manifest = os.lstat(target / MANIFEST_FILE)
    except FileNotFoundError:
        manifest = None
    if not (manifest is not None and stat.S_ISREG(manifest.st_mode)) and os.listdir(target):
        what = "has no manifest.json" if manifest is None else "its manifest.json is not a file"
        raise HotdslError(
            f"{target} is not empty and {what}, so it is not an out dir hotdsl wrote; synth "
            "replaces its out dir as a whole: empty it, or pass another folder with --out"
        )
    return status


def _file_above(target: Path) -> Path:
    for folder in reversed(target.parents):
        if folder.exists() and not folder.is_dir():
            return folder
    return target.parent


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file or folder"


def _owned_files(target: Path, warnings: list[str]) -> set[str]:
    """The files of the existing out dir that the previous synth wrote (by its manifest)."""
    try:
        written = Manifest.load(target).written_files()
    except FileNotFoundError:  # an empty folder
        return {MANIFEST_FILE}
    except ManifestError as exc:
        warnings.append(
            f"ignored {exc.file}: {exc.reason}; synth wrote a new manifest.json and kept the "
            f"other files of {target}: delete stale ones by hand"
        )
        return {MANIFEST_FILE}
    return {MANIFEST_FILE, *written}


def _make_parent(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise HotdslError(
            f"cannot create the out dir {target}: {_file_above(target)} is a file, not a folder"
        ) from None
    except OSError as exc:
        raise HotdslError(f"cannot create the out dir {target}: {exc.strerror or exc}") from None


# --- the new out dir, built beside the old one -------------------------------------------


def _temp_prefix(target: Path) -> str:
    """`.hot.out.hotdsl-<tag>-`: the names of this out dir's temporary folders, and only its."""
    tag = hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]
    head = target.name.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")
    return f".{head}.hotdsl-{tag}-"


def _temp_name(target: Path, role: str) -> Path:
    return target.parent / f"{_temp_prefix(target)}{role}-{secrets.token_hex(6)}"


def _new_folder(target: Path) -> Path:
    """A fresh folder beside the out dir (mode from the umask, as the out dir would get)."""
    while True:
        folder = _temp_name(target, "new")
        try:
            os.mkdir(folder, 0o777)
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise HotdslError(
                f"cannot create a folder in {target.parent} ({exc.strerror or exc}): synth "
                f"builds the new out dir beside {target.name} and swaps it in, so it needs to "
                "write there"
            ) from None


def _fill(build: Path, old: Path | None, files: Mapping[str, bytes]) -> None:
    """Write `files` into the new folder; a file whose old copy is identical is hard-linked,
    so that it keeps its timestamp."""
    real_old = old.resolve() if old is not None else None
    for relative, data in files.items():
        destination = build / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if real_old is not None and _same_file(real_old, relative, data):
            try:
                os.link(real_old / relative, destination, follow_symlinks=False)
                continue
            except OSError:
                pass
        _write_file(destination, data)


def _write_file(path: Path, data: bytes) -> None:
    """Create `path` new (never open an existing file, a symlink or a hard link) and write it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o666)
    with open(descriptor, "wb") as handle:
        handle.write(data)


def _same_file(old: Path, relative: str, data: bytes) -> bool:
    """Whether the old out dir has a regular file at `relative`, reached without a symlink,
    linked nowhere else, holding exactly `data`."""
    path = old / relative
    try:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1 or status.st_size != len(data):
            return False  # a hard link may be shared with a file outside: write a new one
        if os.path.realpath(path) != str(path):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _carry_over(
    old: Path, build: Path, owned: set[str], written: Iterable[str], warnings: list[str]
) -> None:
    """Copy the user's own entries of the old out dir into the new one, as they are."""
    written = set(written)
    folders = {"/".join(p.split("/")[:i]) for p in written for i in range(1, p.count("/") + 1)}
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(old / folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            relative = f"{folder}/{entry.name}" if folder else entry.name
            mode = entry.stat(follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                if relative in written:
                    warnings.append(_replaced(old, relative))
                else:
                    pending.append(relative)
                continue
            if relative in owned:
                continue
            if relative in written or relative in folders:
                warnings.append(_replaced(old, relative))
                continue
            source, destination = old / relative, build / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(source), destination)
            elif stat.S_ISREG(mode):
                try:
                    os.link(source, destination, follow_symlinks=False)
                except OSError:
                    shutil.copy2(source, destination, follow_symlinks=False)
            else:
                raise HotdslError(
                    f"{source} is {_kind(mode)}; hotdsl keeps only regular files, folders and "
                    "symlinks of yours in its out dir: move it elsewhere"
                )


def _replaced(old: Path, relative: str) -> str:
    return f"replaced {old / relative}, which the previous manifest did not list as synth's"


# --- the swap ------------------------------------------------------------------------------


def _swap(build: Path, target: Path, *, exists: bool) -> Path | None:
    """Put `build` at `target`; return where the old out dir went (to be removed).

    With RENAME_EXCHANGE a reader sees the old out dir or the new one. Without it, two
    renames: for a moment there is no out dir at all (never a mixed one); a run killed
    in that moment leaves the old one beside it, and the next synth puts it back.
    """
    if not exists:
        os.rename(build, target)
        return None
    old_lock = _lock(target)
    try:
        if _exchange(build, target):
            return build
        aside = _temp_name(target, "old")
        try:
            os.rename(target, aside)
            os.rename(build, target)
        except BaseException:  # Ctrl-C may land between the two: undo the first
            if os.path.lexists(aside) and not os.path.lexists(target):
                os.rename(aside, target)
            raise
        return aside
    finally:
        _unlock(old_lock)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system or file system cannot."""
    if sys.platform != "linux":
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


# --- leftovers, locks, removal ----------------------------------------------------------


def _clean_leftovers(target: Path, warnings: list[str]) -> None:
    """Remove what killed runs left beside the out dir, or put back an old out dir a run
    killed between its two renames had moved aside.

    Only folders named with this out dir's temporary prefix, owned by this user, and not
    locked by a synth that is still running.
    """
    if fcntl is None:
        return
    prefix = _temp_prefix(target)
    try:
        with os.scandir(target.parent) as listing:
            found = sorted(e.name for e in listing if e.name.startswith(prefix))
    except OSError:
        return
    for name in found:
        folder = target.parent / name
        try:
            status = os.lstat(folder)
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid():
            continue
        lock = _lock(folder)
        if lock is None:
            continue
        try:
            if name[len(prefix) :].startswith("old-") and not os.path.lexists(target):
                os.rename(folder, target)
                warnings.append(f"put back {target}, which an interrupted synth had moved aside")
            else:
                _remove(folder, warnings)
        finally:
            _unlock(lock)


def _lock(folder: Path) -> int | None:
    """An exclusive lock on a folder (held while a synth uses it), or None if another holds it."""
    if fcntl is None:
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def _unlock(descriptor: int | None) -> None:
    if descriptor is not None:
        os.close(descriptor)


def _remove(folder: Path, warnings: list[str]) -> None:
    """Remove a folder of synth's own; links inside are removed, never followed."""
    failures: list[str] = []
    shutil.rmtree(folder, onerror=lambda _f, path, info: failures.append(f"{path}: {info[1]}"))
    if failures:
        warnings.append(f"could not remove {folder} ({failures[0]}); remove it by hand")


def _write_failure(exc: OSError, build: Path, target: Path) -> str:
    where = exc.filename
    if isinstance(where, str) and where.startswith(str(build)):
        where = str(target) + where[len(str(build)) :]
    reason = exc.strerror or str(exc)
    return f"cannot write the out dir {target} ({where}: {reason}); it was left as it was"
