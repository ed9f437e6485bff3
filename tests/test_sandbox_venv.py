"""One Heat venv per user and set of pins, shared by the CLI's sandbox and the test sessions,
and an install that says what it is doing while pip runs.

The installer's commands and its clock are injected: no test here installs Heat or
depends on how fast this machine is.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hotdsl.sandbox import HEAT_VERSION, HeatInstallError, SandboxLayout, default_venv
from hotdsl.sandbox.install import (
    HEAT_REQUIREMENT,
    MARKER,
    _exclusive,
    _wanted,
    constraints_text,
    ensure_heat_venv,
    heat_venv_key,
    install_commands,
    is_heat_venv_ready,
)

from .conftest import REPO, heat_venv_for_tests

# A stand-in for pip: makes the venv's python, then waits until the test lets it finish.
FAKE_INSTALL = """
import os, sys, time
venv, release = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(venv, "bin"), exist_ok=True)
os.symlink(sys.executable, os.path.join(venv, "bin", "python"))
print("Collecting openstack-heat==27.0.1")
for _ in range(6000):
    if os.path.exists(release):
        sys.exit(0)
    time.sleep(0.01)
sys.exit(1)
"""


class SteppingClock:
    """Reads 0, 10, 20, ... seconds; at `release_at` it lets the fake install finish and stops."""

    def __init__(self, release: Path, release_at: float) -> None:
        self.release = release
        self.release_at = release_at
        self.now: float | None = None

    def __call__(self) -> float:
        self.now = 0.0 if self.now is None else min(self.now + 10.0, self.release_at)
        if self.now >= self.release_at:
            self.release.touch()
        return self.now


def make_ready(venv: Path) -> None:
    """A venv that passes for a finished install of these pins."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / MARKER).write_text(json.dumps(_wanted()))


# --- where the venv is ----------------------------------------------------------------------


def test_the_venv_key_names_the_heat_version_and_changes_with_the_pins() -> None:
    key = heat_venv_key()
    assert re.fullmatch(rf"{re.escape(HEAT_VERSION)}-[0-9a-f]{{12}}", key)
    assert heat_venv_key(constraints_text()) == key
    assert heat_venv_key(constraints_text() + "greenlet==3.5.7\n") != key
    assert heat_venv_key(version="28.0.0") != key


def test_the_shared_venv_is_in_the_users_data_directory(tmp_path: Path) -> None:
    key = heat_venv_key()
    data = tmp_path / "data"
    assert default_venv({"XDG_DATA_HOME": str(data)}) == data / "hotdsl" / "heat" / key
    home = tmp_path / "home"
    expected = home / ".local" / "share" / "hotdsl" / "heat" / key
    assert default_venv({"HOME": str(home)}) == expected
    assert default_venv({"HOME": str(home), "XDG_DATA_HOME": "relative/data"}) == expected, (
        "a relative XDG_DATA_HOME is invalid and ignored, as the XDG spec says"
    )
    explicit = {"XDG_DATA_HOME": str(data), "HOTDSL_SANDBOX_VENV": str(tmp_path / "mine")}
    assert default_venv(explicit) == tmp_path / "mine"


def test_a_finished_venv_where_earlier_versions_put_it_is_reused(tmp_path: Path) -> None:
    environ = {"XDG_DATA_HOME": str(tmp_path)}
    earlier = tmp_path / "hotdsl" / "sandbox" / "venv"
    earlier.mkdir(parents=True)
    assert default_venv(environ) == tmp_path / "hotdsl" / "heat" / heat_venv_key(), (
        "an unfinished one is not"
    )
    make_ready(earlier)
    assert default_venv(environ) == earlier
    make_ready(tmp_path / "hotdsl" / "heat" / heat_venv_key())
    assert default_venv(environ) == tmp_path / "hotdsl" / "heat" / heat_venv_key()


def test_every_sandbox_home_shares_the_venv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HOTDSL_SANDBOX_VENV", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    first = SandboxLayout.default(home=tmp_path / "one")
    second = SandboxLayout.default(home=tmp_path / "two")
    assert first.venv == second.venv == tmp_path / "hotdsl" / "heat" / heat_venv_key()


def test_the_cli_and_the_test_fixture_resolve_to_the_same_venv(tmp_path: Path) -> None:
    """The real `hotdsl` command, in a clean environment, against the fixture's rule."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HOTDSL_") and key != "XDG_DATA_HOME"
    }
    environ["XDG_DATA_HOME"] = str(tmp_path / "data")
    hotdsl = Path(sys.executable).parent / "hotdsl"
    result = subprocess.run(
        [str(hotdsl), "sandbox", "status"],
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    match = re.search(r"Heat venv (\S+)\)", result.stdout)
    assert match, result.stdout
    cli_venv = Path(match.group(1))
    assert cli_venv == heat_venv_for_tests(environ)
    assert cli_venv == tmp_path / "data" / "hotdsl" / "heat" / heat_venv_key()
    assert heat_venv_for_tests({**environ, "HOTDSL_TEST_HEAT_VENV": "/elsewhere"}) == Path(
        "/elsewhere"
    ), "CI and helpers can still name the venv of the tests"


# --- the install ----------------------------------------------------------------------------


def test_the_install_commands_use_this_python_and_the_pins(tmp_path: Path) -> None:
    venv, pins = tmp_path / "venv", tmp_path / "pins.txt"
    make_venv, pip = install_commands(venv, pins)
    assert make_venv == [sys.executable, "-m", "venv", str(venv)]
    assert pip[:4] == [str(venv / "bin" / "python"), "-m", "pip", "install"]
    assert pip[-3:] == ["-c", str(pins), HEAT_REQUIREMENT]


def test_the_install_says_where_and_then_how_long_it_has_been_running(tmp_path: Path) -> None:
    venv, release = tmp_path / "venv", tmp_path / "release"
    heard: list[str] = []
    seen_pins: list[str] = []

    def commands(target: Path, constraints: Path) -> list[list[str]]:
        seen_pins.append(constraints.read_text())
        return [[sys.executable, "-c", FAKE_INSTALL, str(target), str(release)]]

    python = ensure_heat_venv(
        venv,
        echo=heard.append,
        commands=commands,
        clock=SteppingClock(release, release_at=90.0),
        poll=0.01,
    )
    assert heard == [
        f"installing Heat {HEAT_VERSION} into {venv} (one time, about a minute)",
        "still installing Heat (30 s) ...",
        "still installing Heat (60 s) ...",
        "still installing Heat (90 s) ...",
    ]
    assert seen_pins == [constraints_text()]
    assert python == venv / "bin" / "python"
    assert is_heat_venv_ready(venv)
    assert "Collecting openstack-heat" in (venv / "hotdsl-install.log").read_text()

    def must_not_run(target: Path, constraints: Path) -> list[list[str]]:
        raise AssertionError("a finished venv is not installed again")

    heard.clear()
    assert ensure_heat_venv(venv, echo=heard.append, commands=must_not_run) == python
    assert heard == []


def test_a_quick_install_prints_no_progress_line(tmp_path: Path) -> None:
    venv, release = tmp_path / "venv", tmp_path / "release"
    heard: list[str] = []
    ensure_heat_venv(
        venv,
        echo=heard.append,
        commands=lambda target, _: [
            [sys.executable, "-c", FAKE_INSTALL, str(target), str(release)]
        ],
        clock=SteppingClock(release, release_at=20.0),
        poll=0.01,
    )
    assert heard == [f"installing Heat {HEAT_VERSION} into {venv} (one time, about a minute)"]


def test_a_failed_install_is_one_error_with_the_end_of_pips_output(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    script = (
        "import sys; print('ERROR: No matching distribution found for openstack-heat'); sys.exit(3)"
    )
    with pytest.raises(HeatInstallError) as caught:
        ensure_heat_venv(
            venv, commands=lambda target, _: [[sys.executable, "-c", script]], poll=0.01
        )
    message = str(caught.value)
    assert "exit code 3" in message
    assert "No matching distribution found" in message
    assert "To do it by hand" in message and HEAT_REQUIREMENT in message
    assert not is_heat_venv_ready(venv), "an unfinished install is redone next time"


def test_a_missing_installer_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(HeatInstallError, match="cannot run /no/such/python"):
        ensure_heat_venv(tmp_path / "venv", commands=lambda target, _: [["/no/such/python"]])


def test_a_second_process_says_it_waits_for_the_first_install(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    heard: list[str] = []
    waiting = threading.Event()

    def echo(message: str) -> None:
        heard.append(message)
        waiting.set()

    def must_not_run(target: Path, constraints: Path) -> list[list[str]]:
        raise AssertionError("the other process installed it")

    finished: list[Path] = []
    with _exclusive(venv / ".hotdsl-install.lock", on_wait=lambda: None):
        # flock locks belong to the open file: the installer opens its own, so it waits.
        worker = threading.Thread(
            target=lambda: finished.append(ensure_heat_venv(venv, echo=echo, commands=must_not_run))
        )
        worker.start()
        assert waiting.wait(30)
        make_ready(venv)
    worker.join(30)
    assert heard == [f"waiting for another process that installs Heat into {venv}"]
    assert finished == [venv / "bin" / "python"]


def test_install_messages_reach_the_terminal_while_pytest_captures(tmp_path: Path) -> None:
    """The fixture's echo, called inside a passing test whose own output pytest swallows."""
    (tmp_path / "test_echo.py").write_text(
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('repo_conftest', {str(REPO / 'tests' / 'conftest.py')!r})\n"
        "conftest = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(conftest)\n"
        "def test_echo(pytestconfig):\n"
        "    print('swallowed by capture')\n"
        "    conftest.terminal_echo(pytestconfig)('installing Heat 27.0.1 into /x (one time)')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_echo.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[hotdsl sandbox] installing Heat 27.0.1 into /x (one time)" in result.stderr
    assert "swallowed by capture" not in result.stdout + result.stderr
