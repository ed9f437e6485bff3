"""Start, stop and inspect the sandbox's Heat server process.

The server (`heat_server.py`) runs in the background with the Heat venv's Python, in
its own session so that it outlives the command that started it. It writes
`server.json` once it answers; `Sandbox.status()` trusts that file only while the
process it names is alive and is a sandbox server.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from hotdsl.errors import HotdslError
from hotdsl.sandbox.config import write_config
from hotdsl.sandbox.install import (
    ensure_heat_venv,
    heat_python,
    install_instructions,
    is_heat_venv_ready,
)
from hotdsl.sandbox.layout import PRIVATE_DIR, SandboxLayout, open_private, write_private

if TYPE_CHECKING:
    from openstack.connection import Connection

SERVER_SCRIPT = Path(__file__).with_name("heat_server.py")
CLOUD_NAME = "hotdsl-sandbox"
"""The clouds.yaml entry that `hotdsl sandbox start` writes."""


class SandboxError(HotdslError):
    """The sandbox could not be started or stopped; the message says why and what to do."""


@attrs.frozen
class SandboxInfo:
    """A running sandbox: where it answers and which process it is."""

    url: str
    """The root of Heat's API, e.g. `http://127.0.0.1:40123`."""
    endpoint: str
    """The orchestration endpoint with the project, e.g. `http://127.0.0.1:40123/v1/admin`."""
    host: str
    port: int
    pid: int
    heat_version: str
    home: Path
    startup_seconds: float | None = None
    """Seconds from process start until Heat answered (as measured by the server)."""

    def connect(self) -> Connection:
        """An openstacksdk Connection to this sandbox."""
        from hotdsl.deploy.connection import connect_endpoint

        return connect_endpoint(self.endpoint)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError, IndexError):
            # A zombie has exited; it only waits for its parent to reap it.
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _is_sandbox_server(pid: int, layout: SandboxLayout) -> bool:
    """True when `pid` runs heat_server.py with this sandbox's heat.conf (where /proc says)."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        return _process_alive(pid)
    try:
        arguments = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return (
        any(a.endswith(b"heat_server.py") for a in arguments)
        and str(layout.heat_conf).encode() in arguments
    )


def _answers(host: str, port: int, timeout: float = 3.0) -> bool:
    """True when Heat lists stacks: the API and the engine behind it both work."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/v1/admin/stacks?limit=1")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _tail(path: Path, lines: int) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with os.fdopen(open_private(path, append=True), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Sandbox:
    """A local Heat: engine and API in one background process, on a loopback port.

    `start()` is idempotent and returns the running sandbox if there is one; `stop()`
    leaves no process behind. The database survives a restart unless `fresh=True`.

    `standins` maps the resource types of other services to generated stand-ins (so
    stacks using them deploy); without it they keep their real implementations, which
    validate but cannot be created. `trigger_interval` and `poll_interval` are the
    engine's pacing (see heat_server.py): the pause between leaf triggers, and the
    first wait between the steps of a resource action (doubling up to Heat's 1 s).
    `convergence=False` runs the legacy engine (for comparison only). `without_types`
    removes resource types from Heat's registry, to try an app on a cloud that lacks them.
    """

    def __init__(
        self,
        layout: SandboxLayout | None = None,
        *,
        standins: bool = True,
        debug: bool = False,
        trigger_interval: float = 0.0,
        poll_interval: float = 0.1,
        convergence: bool = True,
        without_types: Sequence[str] = (),
    ) -> None:
        self.layout = layout if layout is not None else SandboxLayout.default()
        self.standins = standins
        self.debug = debug
        self.trigger_interval = trigger_interval
        self.poll_interval = poll_interval
        self.convergence = convergence
        self.without_types = tuple(without_types)
        self._process: subprocess.Popen[bytes] | None = None

    def status(self) -> SandboxInfo | None:
        """The running sandbox, or None (stale files of a dead one are removed)."""
        state = self._read_state()
        if state is None:
            return None
        if not (_is_sandbox_server(state.pid, self.layout) and _process_alive(state.pid)):
            self._forget()
            return None
        return state

    def is_answering(self) -> bool:
        info = self.status()
        return info is not None and _answers(info.host, info.port)

    def start(
        self,
        *,
        port: int = 0,
        timeout: float = 120.0,
        install: bool = True,
        fresh: bool = False,
        exit_with_pid: int | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> SandboxInfo:
        """Start Heat in the background and wait until it answers; install it first if needed.

        With `install=False` a missing Heat venv is an error that says how to make it.
        `exit_with_pid` makes the server exit when that process is gone (test sessions).
        """
        say = echo or (lambda message: None)
        with _locked(self.layout.lock_file):
            running = self.status()
            if running is not None and _answers(running.host, running.port):
                return running
            self._stop_locked(timeout=15.0)
            if install:
                ensure_heat_venv(self.layout.venv, echo=say)
            elif not is_heat_venv_ready(self.layout.venv):
                raise SandboxError(
                    f"no Heat venv at {self.layout.venv}; make it with\n{install_instructions(self.layout.venv)}"
                )
            self.layout.make_private()
            if fresh:
                for path in (self.layout.database, self.layout.heat_log):
                    path.unlink(missing_ok=True)
            write_config(
                self.layout,
                standins=self.standins,
                debug=self.debug,
                convergence=self.convergence,
                without_types=self.without_types,
            )
            self.layout.make_private()
            return self._spawn(port=port, timeout=timeout, exit_with_pid=exit_with_pid, say=say)

    def stop(self, timeout: float = 15.0) -> bool:
        """Stop the server; True if one was running. Waits for the process to be gone."""
        with _locked(self.layout.lock_file):
            return self._stop_locked(timeout=timeout)

    def log_text(self, lines: int = 50) -> str:
        """The last lines of Heat's log, and of the server's own output if it failed."""
        parts = []
        for path in (self.layout.server_log, self.layout.heat_log):
            text = _tail(path, lines)
            if text:
                parts.append(f"==> {path} <==\n{text}")
        return "\n\n".join(parts)

    def _spawn(
        self, *, port: int, timeout: float, exit_with_pid: int | None, say: Callable[[str], None]
    ) -> SandboxInfo:
        layout = self.layout
        layout.state_file.unlink(missing_ok=True)
        command = [
            str(heat_python(layout.venv)),
            str(SERVER_SCRIPT),
            "--config-file",
            str(layout.heat_conf),
            "--state-file",
            str(layout.state_file),
            "--token-file",
            str(layout.token_file),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--trigger-interval",
            str(self.trigger_interval),
            "--poll-interval",
            str(self.poll_interval),
        ]
        if exit_with_pid is not None:
            command += ["--exit-with-pid", str(exit_with_pid)]
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OS_"))}
        environment["PYTHONWARNINGS"] = "ignore"
        say("starting Heat")
        with os.fdopen(open_private(layout.server_log), "wb") as output:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=layout.run_dir,
                env=environment,
                start_new_session=True,
                # What the server creates (database, log, token, state) is its user's only.
                umask=0o077,
            )
        self._process = process
        write_private(layout.pid_file, str(process.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self._forget()
                raise SandboxError(
                    f"the sandbox's Heat server exited with code {process.returncode} while starting.\n"
                    + self.log_text(30)
                )
            info = self._read_state()
            if info is not None and _answers(info.host, info.port):
                return info
            time.sleep(0.1)
        self._stop_locked(timeout=10.0)
        raise SandboxError(
            f"the sandbox did not answer within {timeout:.0f} s.\n" + self.log_text(30)
        )

    def _stop_locked(self, timeout: float) -> bool:
        pids = set()
        state = self._read_state()
        if state is not None:
            pids.add(state.pid)
        if self.layout.pid_file.exists():
            with contextlib.suppress(ValueError):
                pids.add(int(self.layout.pid_file.read_text().strip()))
        stopped = False
        for pid in pids:
            if _process_alive(pid) and _is_sandbox_server(pid, self.layout):
                self._terminate(pid, timeout)
                stopped = True
            else:
                self._reap(pid)  # a server of ours that died on its own is still a zombie
        self._forget()
        return stopped

    def _terminate(self, pid: int, timeout: float) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._exited(pid):
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            # The server leads its own session (start_new_session): end the group.
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        for _ in range(50):
            if self._exited(pid):
                return
            time.sleep(0.1)
        raise SandboxError(f"the sandbox's Heat server (pid {pid}) did not stop")

    def _exited(self, pid: int) -> bool:
        """True once the server has exited; a child of this process only once it is reaped.

        The main thread of a server can show as a zombie while its other threads are
        still ending, and such a process cannot be reaped yet: for our own child only
        `waitpid` says when it is gone, and then it leaves no zombie behind.
        """
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is not None
        try:
            reaped, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # another process's child (or reaped already)
            return not _process_alive(pid)
        return reaped == pid

    def _reap(self, pid: int) -> None:
        """Collect the exit status if the server is our child (else it stays a zombie)."""
        if self._process is not None and self._process.pid == pid:
            self._process.poll()
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    def _read_state(self) -> SandboxInfo | None:
        try:
            data = json.loads(self.layout.state_file.read_text())
            return SandboxInfo(
                url=data["url"],
                endpoint=data["endpoint"],
                host=data["host"],
                port=int(data["port"]),
                pid=int(data["pid"]),
                heat_version=data["heat_version"],
                home=self.layout.home,
                startup_seconds=data.get("startup_seconds"),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _forget(self) -> None:
        self.layout.state_file.unlink(missing_ok=True)
        self.layout.pid_file.unlink(missing_ok=True)
