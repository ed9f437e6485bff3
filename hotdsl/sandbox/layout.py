"""Where a sandbox keeps its files: the Heat venv and the run directory.

A sandbox home holds `run/` (heat.conf, the sqlite database, the log, the state file
of the running server). Users get one per user, in their data directory; tests make
their own. The Heat venv is not in the home: one per user and per set of pins
(`default_venv`), shared by every sandbox, so Heat is installed once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from hotdsl.sandbox.install import heat_venv_key, is_heat_venv_ready

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
"""The sandbox's files are for its user only: the database holds hidden parameters in
clear, heat.conf the key that encrypts stored secrets, and the API has no authentication."""

HOME_ENV = "HOTDSL_SANDBOX_HOME"
"""Overrides the sandbox home (default: `$XDG_DATA_HOME/hotdsl/sandbox`)."""
VENV_ENV = "HOTDSL_SANDBOX_VENV"
"""Overrides where the Heat venv lives (default: `$XDG_DATA_HOME/hotdsl/heat/<key>`)."""


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """hotdsl's folder in the user's data directory: `$XDG_DATA_HOME/hotdsl`.

    `XDG_DATA_HOME` counts only when it is an absolute path (as the XDG spec says);
    else `~/.local/share/hotdsl`.
    """
    env = os.environ if environ is None else environ
    data = env.get("XDG_DATA_HOME", "")
    if not os.path.isabs(data):
        home = env.get("HOME")
        data = str(Path(home) if home else Path.home()) + "/.local/share"
    return Path(data) / "hotdsl"


def default_home(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user sandbox home: `$HOTDSL_SANDBOX_HOME`, else the XDG data directory."""
    env = os.environ if environ is None else environ
    explicit = env.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return data_dir(env) / "sandbox"


def default_venv(environ: Mapping[str, str] | None = None) -> Path:
    """The Heat venv that every sandbox of this user shares.

    `$HOTDSL_SANDBOX_VENV` if set; else `$XDG_DATA_HOME/hotdsl/heat/27.0.1-<digest of
    the pins>`. A finished install in `venv/` of the default sandbox home (where hotdsl
    put it before the venv was shared) is used when the shared one is not there yet,
    rather than installing Heat a second time.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(VENV_ENV)
    if explicit:
        return Path(explicit).expanduser()
    shared = data_dir(env) / "heat" / heat_venv_key()
    earlier = default_home(env) / "venv"
    if not is_heat_venv_ready(shared) and is_heat_venv_ready(earlier):
        return earlier
    return shared


@attrs.frozen
class SandboxLayout:
    """The files of one sandbox."""

    home: Path
    venv: Path

    @classmethod
    def default(cls, home: Path | None = None, venv: Path | None = None) -> SandboxLayout:
        """The user's sandbox and the shared Heat venv (`HOTDSL_SANDBOX_HOME`/`_VENV` honoured)."""
        home = home if home is not None else default_home()
        venv = venv if venv is not None else default_venv()
        return cls(home=home.absolute(), venv=venv.absolute())

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def heat_conf(self) -> Path:
        return self.run_dir / "heat.conf"

    @property
    def token_file(self) -> Path:
        return self.run_dir / "noauth-token.json"

    @property
    def environment_dir(self) -> Path:
        """Heat's `environment_dir`: the global environment every stack gets."""
        return self.run_dir / "environment.d"

    @property
    def database(self) -> Path:
        return self.run_dir / "heat.sqlite"

    @property
    def heat_log(self) -> Path:
        """What Heat logs (oslo.log's `log_file`)."""
        return self.run_dir / "heat.log"

    @property
    def server_log(self) -> Path:
        """The server process's stdout and stderr: start-up failures land here."""
        return self.run_dir / "server.out"

    @property
    def state_file(self) -> Path:
        """Written by the server once it answers; removed when it stops."""
        return self.run_dir / "server.json"

    @property
    def pid_file(self) -> Path:
        """Written when the server process is started, before it answers."""
        return self.run_dir / "server.pid"

    @property
    def lock_file(self) -> Path:
        return self.home / "sandbox.lock"

    def make_private(self) -> None:
        """Make the home and `run/` 0700 and everything in `run/` 0600 (folders 0700).

        Also tightens what an older hotdsl left at 0644/0755. Symlinks are not followed.
        """
        self.home.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        self.run_dir.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        for folder in (self.home, self.run_dir):
            folder.chmod(PRIVATE_DIR)
        for root, folders, files in os.walk(self.run_dir):
            for name in folders:
                path = Path(root, name)
                if not path.is_symlink():
                    path.chmod(PRIVATE_DIR)
            for name in files:
                path = Path(root, name)
                if not path.is_symlink():
                    path.chmod(PRIVATE_FILE)


def open_private(path: Path, *, append: bool = False) -> int:
    """A file descriptor for writing `path`, created 0600 (an existing file is made 0600)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_APPEND if append else os.O_TRUNC)
    handle = os.open(path, flags, PRIVATE_FILE)
    os.fchmod(handle, PRIVATE_FILE)
    return handle


def write_private(path: Path, text: str) -> None:
    """Write `path` as a file only its owner can read."""
    with os.fdopen(open_private(path), "w", encoding="utf-8") as output:
        output.write(text)
