"""Fixtures shared by the test suite: the Heat sandbox that every `@pytest.mark.heat` test uses.

`heat_sandbox` starts one real Heat (engine and API in one process, on a loopback
port) for the whole test session, with the stand-ins of service resource types, and
stops it at the end. `heat_validator` is a second one without stand-ins, for Heat's
validation of the real resource types (conformance). Both are started on first use
only, so a run without heat tests starts none.

The Heat venv is `$HOTDSL_TEST_HEAT_VENV`, else the one `hotdsl sandbox start` uses
(`hotdsl.sandbox.default_venv`: one per user and set of pins, under the XDG data
directory), so Heat is installed once for both. The first session on a clean machine
creates it (a minute or more of pip) and says so on the terminal. The test
clouds.yaml is a temporary file named by `OS_CLIENT_CONFIG_FILE` for the session:
nothing is written to the user's own configuration.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from hotdsl.errors import HotdslError
from hotdsl.sandbox import (
    CLOUD_NAME,
    Sandbox,
    SandboxInfo,
    SandboxLayout,
    default_venv,
    ensure_heat_venv,
    write_cloud_entry,
)

if TYPE_CHECKING:
    from openstack.connection import Connection
    from openstack.orchestration.v1.stack import Stack as SdkStack

REPO = Path(__file__).resolve().parent.parent


def heat_venv_for_tests(environ: Mapping[str, str] | None = None) -> Path:
    """`$HOTDSL_TEST_HEAT_VENV`, else the Heat venv of the CLI's sandbox."""
    env = os.environ if environ is None else environ
    explicit = env.get("HOTDSL_TEST_HEAT_VENV")
    return Path(explicit) if explicit else default_venv(env)


HEAT_VENV = heat_venv_for_tests()
HEAT_FIXTURES = frozenset({"heat_sandbox", "heat_validator"})
_names = itertools.count(1)

# Property tests judge the code, not this machine's speed: no deadline per example and
# no "too slow" health check, both of which fail on a busy machine.
settings.register_profile("hotdsl", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("hotdsl")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests that talk to Heat for pytest-xdist (`-n 2 --dist loadgroup`).

    A worker starts a session's sandbox the first time one of its tests needs it, so
    each group stays in one worker: the Heat tests of a file form a group (module
    fixtures such as the fault proxy's deploys are made once), and all the tests that
    use `heat_validator` form one (that second Heat is started once). Heat-free tests
    go to whichever worker is free. Without xdist the mark does nothing.
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "heat_validator" in fixtures:
            group = "heat-validator"
        elif HEAT_FIXTURES & fixtures or item.get_closest_marker("heat") is not None:
            group = f"heat-{item.path.stem}"
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))


class HeatSandbox:
    """A running sandbox for tests: where it answers, a connection, and stack helpers.

    `host`/`port` are exposed so that a test can put a proxy in front of `endpoint`.
    """

    def __init__(self, sandbox: Sandbox, info: SandboxInfo, clouds_file: Path) -> None:
        self.sandbox = sandbox
        self.info = info
        self.clouds_file = clouds_file
        self.cloud = CLOUD_NAME
        self._conn: Connection | None = None

    @property
    def host(self) -> str:
        return self.info.host

    @property
    def port(self) -> int:
        return self.info.port

    @property
    def url(self) -> str:
        return self.info.url

    @property
    def endpoint(self) -> str:
        """`http://127.0.0.1:PORT/v1/admin`, what openstacksdk's orchestration proxy uses."""
        return self.info.endpoint

    @property
    def conn(self) -> Connection:
        """One openstacksdk Connection for the session."""
        if self._conn is None:
            self._conn = self.info.connect()
        return self._conn

    def unique_name(self, prefix: str = "test") -> str:
        """A stack name no other test of this session uses."""
        return f"{prefix}-{os.getpid()}-{next(_names)}"

    def create(
        self,
        template: Mapping[str, Any],
        *,
        name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        files: Mapping[str, str] | None = None,
        timeout: float = 120.0,
        expect: str = "CREATE_COMPLETE",
    ) -> SdkStack:
        """Create a stack and wait until it is `expect` (or fails)."""
        stack = self.conn.orchestration.create_stack(
            name=name or self.unique_name(),
            template=dict(template),
            parameters=dict(parameters or {}),
            environment=dict(environment or {}),
            files=dict(files or {}),
        )
        return self.wait(stack, expect, timeout)

    def update(
        self,
        stack: SdkStack,
        template: Mapping[str, Any],
        *,
        parameters: Mapping[str, Any] | None = None,
        files: Mapping[str, str] | None = None,
        timeout: float = 120.0,
        expect: str = "UPDATE_COMPLETE",
    ) -> SdkStack:
        """Update a stack (Heat's PUT: the new template and parameters replace the old).

        A raw PUT: openstacksdk's `update_stack` does not always send the template.
        """
        body = {
            "template": dict(template),
            "parameters": dict(parameters or {}),
            "files": dict(files or {}),
        }
        response = self.conn.orchestration.put(f"/stacks/{stack.name}/{stack.id}", json=body)
        assert response.status_code == 202, response.text
        return self.wait(stack, expect, timeout)

    def delete(self, stack: SdkStack, timeout: float = 120.0) -> None:
        """Delete a stack and wait until Heat no longer lists it."""
        self.conn.orchestration.delete_stack(stack)
        self.conn.orchestration.wait_for_delete(stack, interval=0.2, wait=int(timeout))

    def wait(self, stack: SdkStack, status: str, timeout: float = 120.0) -> SdkStack:
        """Poll until the stack reaches `status`; fail with Heat's reason if its action fails.

        A status of another action (the CREATE_COMPLETE an update starts from) is waited out.
        """
        action = status.split("_")[0]
        deadline = time.monotonic() + timeout
        pause = 0.05
        while True:
            current = self.conn.orchestration.get_stack(stack.id)
            if current.status == status:
                return current
            if current.status == f"{action}_FAILED":
                raise AssertionError(
                    f"stack {current.name} is {current.status}: {current.status_reason}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"stack {current.name} still {current.status} after {timeout:.0f} s"
                )
            # Showing a big stack costs Heat a lot: poll quickly at first, then less.
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def outputs(self, stack: SdkStack) -> dict[str, Any]:
        """The stack's outputs, name -> value (errors raise)."""
        current = self.conn.orchestration.get_stack(stack.id)
        values = {}
        for output in current.outputs or []:
            if output.get("output_error"):
                raise AssertionError(f"output {output['output_key']}: {output['output_error']}")
            values[output["output_key"]] = output.get("output_value")
        return values


def terminal_echo(config: pytest.Config) -> Callable[[str], None]:
    """Print on the terminal past pytest's capture: a first Heat install takes minutes."""
    capture = config.pluginmanager.getplugin("capturemanager")

    def echo(message: str) -> None:
        disabled = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with disabled:
            sys.stderr.write(f"\n[hotdsl sandbox] {message}\n")
            sys.stderr.flush()

    return echo


def _start(home: Path, clouds_file: Path, *, standins: bool, config: pytest.Config) -> HeatSandbox:
    sandbox = Sandbox(SandboxLayout(home=home, venv=HEAT_VENV), standins=standins)
    try:
        ensure_heat_venv(HEAT_VENV, echo=terminal_echo(config))
        info = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
    except HotdslError as exc:
        pytest.fail(f"could not start the Heat sandbox: {exc}", pytrace=False)
    write_cloud_entry(info, path=clouds_file)
    return HeatSandbox(sandbox, info, clouds_file)


@pytest.fixture(scope="session")
def heat_sandbox(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[HeatSandbox]:
    """The session's Heat, with stand-ins: every example stack deploys on it.

    Its clouds.yaml entry `hotdsl-sandbox` is in a temporary file that
    `OS_CLIENT_CONFIG_FILE` names for the rest of the session, so `--cloud
    hotdsl-sandbox` works in CLI tests. `XDG_CONFIG_HOME` points into the sandbox's
    folder too, so that the secret key deploy creates is never the user's own.
    """
    home = tmp_path_factory.mktemp("heat-sandbox")
    clouds_file = home / "clouds.yaml"
    running = _start(home, clouds_file, standins=True, config=pytestconfig)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds_file))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        patch.delenv("OS_CLOUD", raising=False)
        yield running
    running.sandbox.stop()


@pytest.fixture(scope="session")
def heat_validator(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[HeatSandbox]:
    """A second Heat without stand-ins: validation sees the real resource types."""
    home = tmp_path_factory.mktemp("heat-validator")
    running = _start(home, home / "clouds.yaml", standins=False, config=pytestconfig)
    yield running
    running.sandbox.stop()
