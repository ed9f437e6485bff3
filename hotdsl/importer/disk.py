"""Disk: what `hotdsl import` may read, how much, and how it writes.

A template names other files (`get_file`, `type: child.yaml`, registry entries), and a
template can come from anyone (a pull request, a download). So import reads only
inside the template's folder and the folders the user allows (`--allow-dir`), checked
after symlinks are resolved; reads only regular files (never a FIFO or a device,
which could block or never end), and no more than Heat would take; and writes each
file whole or not at all, never through a symlink it did not make.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

HEAT_MAX_TEMPLATE_SIZE = 524_288
"""Heat's `max_template_size` (heat/common/config.py): the most bytes a template may have."""
HEAT_MAX_JSON_BODY_SIZE = 1_048_576
"""Heat's `max_json_body_size` (heat/common/wsgi.py): a whole request, files map included."""
SIZE_MULTIPLE = 4
"""Import takes this many times what a default Heat takes (clouds may raise the limits)."""
MAX_TEMPLATE_BYTES = SIZE_MULTIPLE * HEAT_MAX_TEMPLATE_SIZE
MAX_FILE_BYTES = SIZE_MULTIPLE * HEAT_MAX_JSON_BODY_SIZE
"""The largest file read with `get_file` that import copies next to the module."""


class ReadRefused(Exception):
    """A file import will not read; the message says why (the caller says where)."""


def real(path: Path) -> Path:
    """The path with every symlink resolved (a symlink loop is left as it is, never raised)."""
    return Path(os.path.realpath(path))


class ReadScope:
    """The folders import may read files from, as real paths (symlinks resolved)."""

    def __init__(self, home: Path, allowed: Iterable[Path] = ()) -> None:
        self.home = real(home)
        """The template's folder (or the folder being imported)."""
        self.allowed = tuple(dict.fromkeys(real(p) for p in allowed))

    def contains(self, path: Path) -> bool:
        """Whether `path`, symlinks resolved, lies inside one of the folders (by path parts)."""
        target = real(path)
        return any(target.is_relative_to(root) for root in (self.home, *self.allowed))

    def outside(self, what: str, path: Path) -> str:
        """Why `what` (at `path`) is refused, and what the user can do."""
        target = real(path)
        folders = ", ".join(str(p) for p in (self.home, *self.allowed))
        return (
            f"{what} resolves to {target}, outside the folders import may read ({folders}); "
            f"copy the file into the template's folder, or pass --allow-dir {target.parent} "
            "if you trust what is there"
        )


def file_kind(path: Path) -> str | None:
    """None for a regular file (symlinks followed) or a missing one; else what it is instead."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    return "not a regular file (a FIFO, device or socket), which import never reads"


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; `ReadRefused` for anything else.

    The file is checked before it is opened (a FIFO or device is never opened), opened
    without blocking, checked again, and read only up to the limit.
    """
    kind = file_kind(path)
    if kind is not None:
        raise ReadRefused(f"it is {kind}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadRefused(f"cannot read it: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb", closefd=True) as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused("it is not a regular file")
        if info.st_size > limit:
            raise ReadRefused(too_large(info.st_size, limit))
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise ReadRefused(f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise ReadRefused(too_large(len(data), limit))
    return data


def too_large(size: int, limit: int) -> str:
    """Why a file of `size` bytes is refused (`limit` is `MAX_TEMPLATE_BYTES` or `MAX_FILE_BYTES`)."""
    if limit == MAX_TEMPLATE_BYTES:
        heat, what = HEAT_MAX_TEMPLATE_SIZE, "a template of at most"
        setting, advice = "max_template_size", "; split it into nested templates"
    else:
        heat, what = HEAT_MAX_JSON_BODY_SIZE, "a request (files included) of at most"
        setting, advice = "max_json_body_size", ""
    return (
        f"it has {size} bytes or more; Heat takes {what} {heat} bytes ({setting}), and "
        f"hotdsl import {SIZE_MULTIPLE} times that, {limit}{advice}"
    )


def write_atomically(target: Path, data: bytes) -> None:
    """Write `target` whole or not at all: a temporary file beside it, then a rename.

    The rename replaces a symlink at `target` itself, never the file it points to. A new
    file gets the usual mode (0666 less the umask); an existing regular file keeps its own.
    """
    try:
        mode = stat.S_IMODE(os.lstat(target).st_mode) if target.is_file() else None
    except OSError:
        mode = None
    if mode is None or target.is_symlink():
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name[:64]}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
