"""The Heat virtual environment: `openstack-heat` pins many libraries, so it gets its own.

`ensure_heat_venv(path)` makes a venv with the running Python's `venv` module and
pip-installs `openstack-heat` into it, with the versions of `heat-constraints.txt`
(the ones the sandbox is tested with). A marker file records a finished install, so
an interrupted one is redone; a file lock keeps two processes from installing at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from hotdsl.errors import HotdslError

HEAT_VERSION = "27.0.1"
HEAT_REQUIREMENT = f"openstack-heat=={HEAT_VERSION}"
MARKER = "hotdsl-heat-venv.json"


class HeatInstallError(HotdslError):
    """The Heat venv could not be made; the message says what to run by hand."""


def heat_python(venv: Path) -> Path:
    """The interpreter of a Heat venv."""
    return venv / "bin" / "python"


def constraints_text() -> str:
    """The pinned versions shipped with hotdsl (`heat-constraints.txt`)."""
    return (resources.files("hotdsl.sandbox") / "heat-constraints.txt").read_text(encoding="utf-8")


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
    except ValueError:
        return False


def install_instructions(venv: Path) -> str:
    """The commands that make the Heat venv by hand."""
    return (
        f"{sys.executable} -m venv {venv}\n"
        f"{heat_python(venv)} -m pip install -c heat-constraints.txt {HEAT_REQUIREMENT}\n"
        "(heat-constraints.txt ships in hotdsl/sandbox/; `hotdsl sandbox start` does all this itself)"
    )


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_heat_venv(venv: Path, *, echo: Callable[[str], None] | None = None) -> Path:
    """Make `venv` a virtual environment with openstack-heat installed; return its python.

    Does nothing when a finished install is already there. Takes a minute or two the
    first time (pip downloads Heat and about 140 dependencies).
    """
    venv = venv.absolute()
    if is_heat_venv_ready(venv):
        return heat_python(venv)
    venv.mkdir(parents=True, exist_ok=True)
    with _exclusive(venv / ".hotdsl-install.lock"):
        if is_heat_venv_ready(venv):
            return heat_python(venv)
        say = echo or (lambda message: None)
        if not heat_python(venv).exists():
            say(f"creating the Heat venv in {venv}")
            _run([sys.executable, "-m", "venv", str(venv)], venv)
        constraints = venv / "hotdsl-heat-constraints.txt"
        constraints.write_text(constraints_text(), encoding="utf-8")
        say(f"installing {HEAT_REQUIREMENT} into {venv} (first use only; a minute or two)")
        _run(
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
            venv,
        )
        (venv / MARKER).write_text(json.dumps(_wanted()))
    return heat_python(venv)


def _run(command: list[str], venv: Path) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-15:])
        raise HeatInstallError(
            f"could not install Heat into {venv}: `{' '.join(command)}` failed:\n{tail}\n"
            f"To do it by hand:\n{install_instructions(venv)}"
        )
