"""The Heat virtual environment: `openstack-heat` pins many libraries, so it gets its own.

One install serves every sandbox of a user: it lives under the user's data directory in
a folder named by the Heat version and a digest of the pins (`heat_venv_key`), so the
CLI's sandbox, test sessions and benchmarks all find the same one, and a hotdsl with
other pins gets another (see `hotdsl.sandbox.layout.default_venv`).

`ensure_heat_venv(path)` makes a venv with the running Python's `venv` module and
pip-installs `openstack-heat` into it, with the versions of `heat-constraints.txt`
(the ones the sandbox is tested with), saying what it does while pip runs. A marker
file records a finished install, so an interrupted one is redone; a file lock keeps
two processes from installing at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from hotdsl.errors import HotdslError

HEAT_VERSION = "27.0.1"
HEAT_REQUIREMENT = f"openstack-heat=={HEAT_VERSION}"
MARKER = "hotdsl-heat-venv.json"
INSTALL_LOG = "hotdsl-install.log"
PROGRESS_EVERY = 30.0
"""Seconds between two "still installing" lines."""

Echo = Callable[[str], None]
Clock = Callable[[], float]
InstallCommands = Callable[[Path, Path], list[list[str]]]
"""(venv, constraints file) -> the commands that install Heat into the venv, in order."""


class HeatInstallError(HotdslError):
    """The Heat venv could not be made; the message says what to run by hand."""


def heat_python(venv: Path) -> Path:
    """The interpreter of a Heat venv."""
    return venv / "bin" / "python"


def constraints_text() -> str:
    """The pinned versions shipped with hotdsl (`heat-constraints.txt`)."""
    return (resources.files("hotdsl.sandbox") / "heat-constraints.txt").read_text(encoding="utf-8")


def heat_venv_key(constraints: str | None = None, version: str = HEAT_VERSION) -> str:
    """The name of the shared venv for these pins, e.g. `27.0.1-3f2a9c01b7de`.

    Another Heat version or any change to the constraints gives another name, so a
    venv is never reused for pins it was not made with.
    """
    text = constraints_text() if constraints is None else constraints
    digest = hashlib.sha256(f"{version}\n{text}".encode()).hexdigest()[:12]
    return f"{version}-{digest}"


def _wanted() -> dict[str, str]:
    digest = hashlib.sha256(constraints_text().encode()).hexdigest()[:16]
    return {"requirement": HEAT_REQUIREMENT, "constraints": digest}


def is_heat_venv_ready(venv: Path) -> bool:
    """True when `venv` holds a finished install of the Heat this hotdsl expects."""
    marker = venv / MARKER
    if not heat_python(venv).exists() or not marker.exists():
        return False
    try:
        return bool(json.loads(marker.read_text()) == _wanted())
    except (OSError, ValueError):
        return False


def install_instructions(venv: Path) -> str:
    """The commands that make the Heat venv by hand."""
    return (
        f"{sys.executable} -m venv {venv}\n"
        f"{heat_python(venv)} -m pip install -c heat-constraints.txt {HEAT_REQUIREMENT}\n"
        "(heat-constraints.txt ships in hotdsl/sandbox/; `hotdsl sandbox start` does all this itself)"
    )


def install_commands(venv: Path, constraints: Path) -> list[list[str]]:
    """A venv made by the Python that runs hotdsl, then pip with the pinned versions."""
    return [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(heat_python(venv)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(constraints),
            HEAT_REQUIREMENT,
        ],
    ]


class InstallProgress:
    """Says "still installing Heat (90 s) ..." each time `every` seconds of `clock` pass."""

    def __init__(self, say: Echo, clock: Clock, every: float = PROGRESS_EVERY) -> None:
        self.say = say
        self.clock = clock
        self.every = every
        self.started = clock()
        self.next_report = self.started + every

    def tick(self) -> None:
        now = self.clock()
        if now < self.next_report:
            return
        self.say(f"still installing Heat ({now - self.started:.0f} s) ...")
        while self.next_report <= now:
            self.next_report += self.every


@contextmanager
def _exclusive(lock_path: Path, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold an exclusive lock; `on_wait` is called once if another process holds it."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_heat_venv(
    venv: Path,
    *,
    echo: Echo | None = None,
    commands: InstallCommands = install_commands,
    clock: Clock = time.monotonic,
    progress_every: float = PROGRESS_EVERY,
    poll: float = 1.0,
) -> Path:
    """Make `venv` a virtual environment with openstack-heat installed; return its python.

    Does nothing when a finished install is already there. The first time takes a
    minute or more (pip downloads Heat and about 140 dependencies): `echo` hears what
    is being installed where, then a progress line every `progress_every` seconds.
    pip's output goes to `hotdsl-install.log` in the venv; a failure shows its end.
    """
    venv = venv.absolute()
    if is_heat_venv_ready(venv):
        return heat_python(venv)
    say = echo or (lambda message: None)
    venv.mkdir(parents=True, exist_ok=True)
    waiting = f"waiting for another process that installs Heat into {venv}"
    with _exclusive(venv / ".hotdsl-install.lock", on_wait=lambda: say(waiting)):
        if is_heat_venv_ready(venv):
            return heat_python(venv)
        constraints = venv / "hotdsl-heat-constraints.txt"
        constraints.write_text(constraints_text(), encoding="utf-8")
        log = venv / INSTALL_LOG
        log.write_text("")
        say(f"installing Heat {HEAT_VERSION} into {venv} (one time, about a minute)")
        progress = InstallProgress(say, clock, progress_every)
        for command in commands(venv, constraints):
            _run(command, venv, log, progress, poll)
        (venv / MARKER).write_text(json.dumps(_wanted()))
    return heat_python(venv)


def _run(command: list[str], venv: Path, log: Path, progress: InstallProgress, poll: float) -> None:
    """Run one install step, its output appended to `log`, ticking `progress` while it runs."""
    with log.open("ab") as output:
        output.write(f"$ {' '.join(command)}\n".encode())
        output.flush()
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )
        except OSError as exc:
            raise HeatInstallError(
                f"could not install Heat into {venv}: cannot run {command[0]} ({exc.strerror}).\n"
                f"To do it by hand:\n{install_instructions(venv)}"
            ) from exc
        try:
            while True:
                try:
                    code = process.wait(timeout=poll)
                    break
                except subprocess.TimeoutExpired:
                    progress.tick()
        except BaseException:
            # Ctrl-C: leave no pip running; the next start redoes the install.
            process.kill()
            process.wait()
            raise
    if code != 0:
        lines = log.read_text(errors="replace").strip().splitlines()
        tail = "\n".join(lines[-15:])
        raise HeatInstallError(
            f"could not install Heat into {venv}: `{' '.join(command)}` failed "
            f"(exit code {code}; all of its output is in {log}):\n{tail}\n"
            f"To do it by hand:\n{install_instructions(venv)}"
        )
