"""`hotdsl doctor` against the real Heat sandbox: each check's verdict and what it tells the user.

A healthy app and cloud pass every check; a cloud whose Heat lacks a resource type (a
second sandbox with the type removed from its global environment) fails with the type
and the user's file:line; a stack Heat failed is named with its failed resource and
Heat's reason; a stack left in progress warns, and past its timeout (judged with an
injected clock) fails with what to do; a cloud entry whose port is closed fails the
auth or endpoint check without showing its password.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hotdsl.cli.main import app as cli
from hotdsl.deploy.doctor import DoctorReport, diagnose
from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.ownership import owner_tag
from hotdsl.deploy.plan import DeployOptions, load_manifest, stack_request
from hotdsl.project import load_app
from hotdsl.sandbox import CLOUD_NAME, Sandbox, SandboxLayout, write_cloud_entry
from hotdsl.synth import synth

from .conftest import HEAT_VENV, HeatSandbox

CHECK_IDS = [
    "app",
    "cloud",
    "heat-api",
    "template-versions",
    "resource-types",
    "stacks-failed",
    "stacks-in-progress",
    "limits",
]

APP = """from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
token = heat.RandomString(stack, "token", length=8)
heat.Value(stack, "shown", value=token.attrs.value)
"""
"""The RandomString is made on line 6 of app.py."""

FAILING_APP = """from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
heat.Value(stack, "fine", value="ok")
heat.TestResource(stack, "broken", value="x", fail=True)
"""

SLOW_APP = """from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
heat.TestResource(stack, "slow", value="x", action_wait_secs={{"create": 600}})
"""


def write_app(folder: Path, text: str, name: str) -> Path:
    (folder / "app.py").write_text(text.format(name=name))
    return folder / "app.py"


def run_doctor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["doctor", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def statuses(report: DoctorReport) -> dict[str, str]:
    return {check.id: check.status for check in report.checks}


def free_port() -> int:
    """A loopback port that nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def delete(client: HeatClient, name: str) -> None:
    """Delete a stack and wait until Heat no longer has it."""
    ref = client.find_stack(name)
    if ref is None:
        return
    client.delete_stack(ref)
    for _ in range(600):
        now = client.find_stack(name)
        if now is None:
            return
        if now.status == "DELETE_FAILED":
            raise AssertionError(f"{name}: {now.status_reason}")
        time.sleep(0.2)
    raise AssertionError(f"{name} was not deleted")


# --- a healthy app on a healthy cloud ------------------------------------------------------


@pytest.mark.heat
def test_a_healthy_app_and_cloud_pass_every_check(
    heat_sandbox: HeatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_app(tmp_path, APP, heat_sandbox.unique_name("healthy"))
    code, output = run_doctor("--app", "app.py", "--cloud", CLOUD_NAME)
    assert code == 0, output
    lines = [line for line in output.splitlines() if not line.startswith(" ")]
    assert [line.split()[1].rstrip(":") for line in lines] == CHECK_IDS
    assert all(line.split()[0] == "ok" for line in lines), output
    assert (
        f"ok    cloud: cloud '{CLOUD_NAME}' (auth: none, region RegionOne): no authentication"
        in (output)
    )
    assert f"Heat API v1 answers at {heat_sandbox.endpoint}" in output
    assert "this Heat reads 2021-04-16" in output


@pytest.mark.heat
def test_json_lists_every_check_in_a_stable_layout(
    heat_sandbox: HeatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_app(tmp_path, APP, heat_sandbox.unique_name("json"))
    code, output = run_doctor("--app", "app.py", "--cloud", CLOUD_NAME, "--json")
    assert code == 0, output
    report = json.loads(output)
    assert (report["format"], report["ok"]) == (1, True)
    assert [c["id"] for c in report["checks"]] == CHECK_IDS
    for check in report["checks"]:
        assert set(check) == {"id", "status", "summary", "details", "advice"}
        assert check["status"] == "ok"


def test_without_an_app_the_app_checks_are_skipped_and_say_how_to_name_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OS_CLOUD", raising=False)
    for key in [k for k in os.environ if k.startswith("OS_AUTH")]:
        monkeypatch.delenv(key)
    report = diagnose(cloud=None, load_app=None)
    assert statuses(report) == {
        "app": "skip",
        "cloud": "fail",
        "heat-api": "skip",
        "template-versions": "skip",
        "resource-types": "skip",
        "stacks-failed": "skip",
        "stacks-in-progress": "skip",
        "limits": "skip",
    }
    assert "--app FILE.py" in report.check("app").summary
    assert "no cloud given: pass --cloud NAME" in report.check("cloud").summary
    assert not report.ok


def test_an_app_that_does_not_synthesize_fails_with_the_users_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "from hotdsl import App, Resource, Stack\n"
        "app = App()\n"
        "stack = Stack(app, 'demo')\n"
        "Resource(stack, 'a', type='OS::Heat::Value', properties={'value': {'get_param': 'x'}})\n"
    )
    report = diagnose(cloud=None, load_app=lambda: load_app("app.py", tmp_path))
    check = report.check("app")
    assert (check.status, check.summary) == ("fail", "synth found 1 problem:")
    assert check.details == (
        "app.py:4: demo/a: get_param refers to 'x', which is not a parameter of this stack",
    )
    assert report.check("limits").status == "skip"


def test_a_template_past_heats_default_limits_warns_with_the_stacks_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "from hotdsl import App, Stack\n"
        "from hotdsl.stdlib import heat\n"
        "app = App()\n"
        "stack = Stack(app, 'big')\n"
        "heat.Value(stack, 'blob', value='x' * 1_100_000)\n"
    )
    report = diagnose(cloud=None, load_app=lambda: load_app("app.py", tmp_path))
    check = report.check("limits")
    assert check.status == "warn", report.render()
    size, body = check.details
    assert size.startswith("app.py:4: big: big.yaml is ")
    assert size.endswith(" bytes; max_template_size is 524288")
    assert body.startswith("app.py:4: big: a deploy request is about ")
    assert body.endswith("max_json_body_size is 1048576")
    assert report.check("app").status == "warn"  # synth's own warning about the size


# --- a cloud whose Heat lacks a resource type ----------------------------------------------


@pytest.fixture(scope="module")
def lacking_clouds(
    heat_sandbox: HeatSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A clouds.yaml whose entry `lacking` is a sandbox without OS::Heat::RandomString."""
    home = tmp_path_factory.mktemp("heat-lacking")
    sandbox = Sandbox(
        SandboxLayout(home=home, venv=HEAT_VENV), without_types=("OS::Heat::RandomString",)
    )
    info = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
    clouds = home / "clouds.yaml"
    write_cloud_entry(info, name="lacking", path=clouds)
    yield clouds
    sandbox.stop()


@pytest.mark.heat
def test_a_resource_type_the_cloud_lacks_is_named_with_the_users_line(
    lacking_clouds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(lacking_clouds))
    write_app(tmp_path, APP, "lacks")
    code, output = run_doctor("--app", "app.py", "--cloud", "lacking")
    assert code == 1, output
    assert (
        "fail  resource-types: 1 resource type the app uses is not offered by this cloud: "
        "OS::Heat::RandomString" in output
    )
    assert "        OS::Heat::RandomString: app.py:6 (lacks/token)" in output
    assert "Heat: The Resource Type (OS::Heat::RandomString) could not be found." in output
    assert "what to do: the cloud lacks the service" in output
    # everything else about this cloud is fine
    assert "ok    heat-api:" in output and "ok    template-versions:" in output


NESTED_APP = """from hotdsl import App, NestedStack, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "outer")
inner = NestedStack(stack, "inner")
heat.RandomString(inner, "deep", length=8)
heat.RandomString(stack, "shallow", length=8)
"""


@pytest.mark.heat
def test_a_missing_type_inside_a_nested_stack_is_named_with_its_line_too(
    lacking_clouds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(lacking_clouds))
    (tmp_path / "app.py").write_text(NESTED_APP)
    report = diagnose(cloud="lacking", load_app=lambda: load_app("app.py", tmp_path))
    check = report.check("resource-types")
    assert check.status == "fail", report.render()
    assert check.details[0] == (
        "OS::Heat::RandomString: app.py:8 (outer/shallow), app.py:7 (outer/inner/deep)"
    )
    # the nested template's own type (a file name) is the app's, not the cloud's to offer
    assert "inner" not in check.summary


@pytest.mark.heat
def test_the_same_app_passes_on_the_cloud_that_has_the_type(
    heat_sandbox: HeatSandbox, lacking_clouds: Path, tmp_path: Path
) -> None:
    """The failure above is the missing type, not the app: the full sandbox offers it."""
    write_app(tmp_path, APP, "has")
    loader = lambda: load_app("app.py", tmp_path)  # noqa: E731
    full = diagnose(cloud=CLOUD_NAME, load_app=loader)
    assert full.check("resource-types").status == "ok", full.render()
    assert "all 2 resource types the app uses are offered" in full.check("resource-types").summary


# --- the app's stacks in Heat ---------------------------------------------------------------


@pytest.mark.heat
def test_a_failed_stack_is_named_with_its_failed_resource_and_heats_reason(
    heat_sandbox: HeatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = heat_sandbox.unique_name("failing")
    write_app(tmp_path, FAILING_APP, name)
    client = HeatClient(heat_sandbox.conn)
    try:
        deployed = CliRunner().invoke(
            cli, ["deploy", "--app", "app.py", "--cloud", CLOUD_NAME, "--no-rollback"]
        )
        assert deployed.exit_code == 1, deployed.output
        ref = client.find_stack(name)
        assert ref is not None and ref.status == "CREATE_FAILED"
        (broken,) = [r for r in client.resources(ref) if r["resource_name"] == "broken"]
        reason = broken["resource_status_reason"]
        assert reason

        code, output = run_doctor("--app", "app.py", "--cloud", CLOUD_NAME)
        assert code == 1, output
        assert f"fail  stacks-failed: 1 of the app's stacks failed: {name}" in output
        assert f"        {name} CREATE_FAILED: {ref.status_reason}" in output
        assert f"          failed: broken (OS::Heat::TestResource) CREATE_FAILED: {reason}" in (
            output
        )
        assert "run `hotdsl deploy` again" in output
        assert "ok    stacks-in-progress:" in output
    finally:
        delete(client, name)


@pytest.mark.heat
def test_a_stack_that_hotdsl_did_not_create_is_not_the_apps(
    heat_sandbox: HeatSandbox, tmp_path: Path
) -> None:
    """Only stacks tagged for the app are judged: a failed stack of the same name without
    hotdsl's tag is someone else's."""
    name = heat_sandbox.unique_name("theirs")
    heat_sandbox.create(
        {
            "heat_template_version": "2021-04-16",
            "resources": {"bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}}},
        },
        name=name,
        expect="CREATE_FAILED",
    )
    client = HeatClient(heat_sandbox.conn)
    try:
        write_app(tmp_path, FAILING_APP, name)
        report = diagnose(cloud=CLOUD_NAME, load_app=lambda: load_app("app.py", tmp_path))
        assert report.check("stacks-failed").status == "ok", report.render()
        assert "none deployed yet" in report.check("stacks-failed").summary
    finally:
        delete(client, name)


@pytest.mark.heat
def test_a_stack_in_progress_warns_and_past_its_timeout_fails_with_what_to_do(
    heat_sandbox: HeatSandbox, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("slow")
    write_app(tmp_path, SLOW_APP, name)
    synth(load_app("app.py", tmp_path), tmp_path / "out")
    (entry,) = load_manifest(tmp_path / "out").stacks
    body = stack_request(tmp_path / "out", entry, DeployOptions()).body()
    body.update(tags=owner_tag(name), timeout_mins=10)
    client = HeatClient(heat_sandbox.conn)
    client.create_stack(name, body)  # not followed: it stays CREATE_IN_PROGRESS for 10 min
    try:
        ref = client.find_stack(name)
        assert ref is not None and ref.status == "CREATE_IN_PROGRESS"
        started = datetime.datetime.fromisoformat(str(ref.creation_time)).replace(
            tzinfo=datetime.UTC
        )
        loader = lambda: load_app("app.py", tmp_path)  # noqa: E731

        # The injected clock says how long it has been: 3 min is a deploy at work ...
        soon = diagnose(
            cloud=CLOUD_NAME, load_app=loader, now=lambda: started + datetime.timedelta(minutes=3)
        )
        check = soon.check("stacks-in-progress")
        assert (check.status, soon.ok) == ("warn", True), soon.render()
        assert check.details == (f"{name} CREATE_IN_PROGRESS for 3 min (its timeout: 10 min)",)
        assert "`hotdsl events STACK`" in check.advice

        # ... 16 min is past its 10 min timeout and the margin deploy waits: Heat lost it.
        late = diagnose(
            cloud=CLOUD_NAME, load_app=loader, now=lambda: started + datetime.timedelta(minutes=16)
        )
        check = late.check("stacks-in-progress")
        assert (check.status, late.ok) == ("fail", False), late.render()
        (detail,) = check.details
        assert detail.startswith(f"{name} CREATE_IN_PROGRESS for 16 min (its timeout: 10 min)")
        assert f"`openstack stack cancel --no-rollback {name}`" in detail
        assert f"`openstack stack check {name}`" in detail
    finally:
        delete(client, name)


# --- clouds that cannot be reached ------------------------------------------------------------


def test_an_unreachable_endpoint_or_identity_service_fails_with_what_to_do(
    tmp_path: Path,
) -> None:
    """Closed loopback ports: the Heat endpoint of a no-auth entry, the auth_url of a
    password entry. Run as the user runs it; the password is never shown."""
    port = free_port()
    password = "hunter2-Zq8-not-shown"
    endpoint = f"http://127.0.0.1:{port}/v1/admin"
    clouds = {
        "clouds": {
            "closed-heat": {
                "auth_type": "none",
                "auth": {"endpoint": endpoint},
                "orchestration_api_version": "1",
                "orchestration_endpoint_override": endpoint,
            },
            "closed-keystone": {
                "auth": {
                    "auth_url": f"http://127.0.0.1:{port}/v3",
                    "username": "demo",
                    "password": password,
                    "project_name": "demo",
                    "user_domain_name": "Default",
                    "project_domain_name": "Default",
                },
                "region_name": "RegionOne",
            },
        }
    }
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump(clouds))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OS_")},
        "OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml"),
        "PYTHONPATH": "",
    }

    def doctor(cloud: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", "doctor", "--cloud", cloud, "--json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    heat = doctor("closed-heat")
    assert heat.returncode == 1, heat.stderr
    assert "Traceback" not in heat.stderr
    checks = {c["id"]: c for c in json.loads(heat.stdout)["checks"]}
    assert checks["cloud"]["status"] == "ok"
    assert checks["heat-api"]["status"] == "fail"
    assert checks["heat-api"]["summary"].startswith(f"Heat does not answer at {endpoint}: ")
    assert "`hotdsl sandbox status`" in checks["heat-api"]["advice"]
    assert checks["resource-types"]["status"] == "skip"

    keystone = doctor("closed-keystone")
    assert keystone.returncode == 1, keystone.stderr
    assert password not in keystone.stdout + keystone.stderr
    checks = {c["id"]: c for c in json.loads(keystone.stdout)["checks"]}
    assert checks["cloud"] == {
        "id": "cloud",
        "status": "fail",
        "summary": "cloud 'closed-keystone' (auth: password, region RegionOne): cannot reach "
        f"the identity service at http://127.0.0.1:{port}/v3 (ConnectFailure)",
        "details": [],
        "advice": "check auth_url of the entry 'closed-keystone' and that the cloud is "
        "reachable from here (VPN, proxy, firewall)",
    }
    assert checks["heat-api"]["status"] == "skip"


def test_an_unknown_cloud_entry_fails_and_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    report = diagnose(cloud="nowhere", load_app=None)
    check = report.check("cloud")
    assert check.status == "fail"
    assert check.summary.startswith("cloud 'nowhere': ")
    assert "clouds.yaml" in check.advice
