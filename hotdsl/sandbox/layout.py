"""Where a sandbox keeps its files: the Heat venv and the run directory.

A sandbox home holds `venv/` (the Heat virtual environment, unless placed elsewhere)
and `run/` (heat.conf, the sqlite database, the log, the state file of the running
server). Users get one per user, in their data directory; tests make their own.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

HOME_ENV = "HOTDSL_SANDBOX_HOME"
"""Overrides the sandbox home (default: `$XDG_DATA_HOME/hotdsl/sandbox`)."""
VENV_ENV = "HOTDSL_SANDBOX_VENV"
"""Overrides where the Heat venv lives (default: `<home>/venv`)."""


def default_home() -> Path:
    """The per-user sandbox home: `$HOTDSL_SANDBOX_HOME`, else the XDG data directory."""
    explicit = os.environ.get(HOME_ENV)
    if explicit:
        return Path(explicit).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "hotdsl" / "sandbox"


@attrs.frozen
class SandboxLayout:
    """The files of one sandbox."""

    home: Path
    venv: Path

    @classmethod
    def default(cls, home: Path | None = None, venv: Path | None = None) -> SandboxLayout:
        """The user's sandbox, with `HOTDSL_SANDBOX_HOME`/`HOTDSL_SANDBOX_VENV` honoured."""
        home = home if home is not None else default_home()
        if venv is None:
            explicit = os.environ.get(VENV_ENV)
            venv = Path(explicit).expanduser() if explicit else home / "venv"
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
