"""`hotdsl doctor` against a cloud that misbehaves: every case ends in checks, not a traceback.

The fault proxy stands in front of the real sandbox: Heat's answers fail (5xx, a reset
connection) or are replaced by answers Heat would never send (not JSON, JSON of another
shape). Each time the affected check fails with a one-line reason, the other checks
still run, the exit code is 1, and a secret of the app quoted in Heat's answers is masked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..faultproxy import FaultProxy

pytestmark = pytest.mark.heat

APP = """from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "doctored")
heat.Value(stack, "shown", value="hello")
"""
CANARY = "CANARY-doctor-secret-5d1e"


@pytest.fixture
def proxy(heat_sandbox: Any) -> Iterator[FaultProxy]:
    with FaultProxy(heat_sandbox.host, heat_sandbox.port) as running:
        yield running


def doctor(folder: Path, proxy: FaultProxy, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run `hotdsl doctor --json` as a user would, through the proxy's clouds entry."""
    clouds = proxy.clouds_file(folder, "proxied")
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "doctor", "--cloud", "proxied", "--json", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("OS_")},
            "OS_CLIENT_CONFIG_FILE": str(clouds),
        },
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr == "", result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    return result.returncode, checks, result.stdout


def test_heat_failing_its_type_and_version_lists_fails_those_checks_only(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(APP)
    proxy.fail("GET", r"/resource_types$", times=None, status=500)
    proxy.reset("GET", r"/template_versions$", times=None)
    code, checks, _ = doctor(tmp_path, proxy, "--app", "app.py")
    assert code == 1
    assert checks["resource-types"]["status"] == "fail"
    assert checks["resource-types"]["summary"].startswith("Heat did not list them: ")
    assert "500" in checks["resource-types"]["summary"]
    assert checks["template-versions"]["status"] == "fail"
    assert checks["template-versions"]["summary"].startswith("Heat did not list them: ")
    for id in ("app", "cloud", "heat-api", "stacks-failed", "stacks-in-progress", "limits"):
        assert checks[id]["status"] == "ok", checks[id]


def test_answers_heat_would_never_send_fail_the_check_that_reads_them(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(APP)
    proxy.answer("GET", r"/template_versions$", b'{"template_versions": "all of them"}', times=None)
    proxy.answer("GET", r"/resource_types$", b'{"resource_types": null}', times=None)
    proxy.answer("GET", r"/stacks$", b'{"stacks": [{"no": "name"}]}', times=None)
    code, checks, _ = doctor(tmp_path, proxy, "--app", "app.py")
    assert code == 1
    for id in ("template-versions", "resource-types", "stacks-failed", "stacks-in-progress"):
        assert checks[id]["status"] == "fail", checks[id]
        assert checks[id]["summary"].startswith("the cloud's answer is not what Heat sends ("), (
            checks[id]
        )
    assert checks["heat-api"]["status"] == "ok"


def test_a_heat_api_that_answers_no_json_fails_the_endpoint_check(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.answer("GET", r"/build_info$", b"<html>a login page</html>", times=None)
    code, checks, _ = doctor(tmp_path, proxy)
    assert code == 1
    assert checks["heat-api"]["status"] == "fail"
    assert checks["heat-api"]["summary"].startswith(f"Heat does not answer at {proxy.endpoint}: ")
    assert checks["template-versions"]["status"] == "skip"


def test_a_secret_of_the_app_quoted_in_heats_answer_is_masked(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    """The stage reads the secret from an environment variable; a Heat (or a proxy) that
    quotes it back in a failure reason does not get it printed."""
    (tmp_path / "app.py").write_text(
        "from hotdsl import App, Parameter, Stack, Stage, from_env\n"
        "from hotdsl.stdlib import heat\n"
        "app = App()\n"
        "stack = Stack(app, 'doctored')\n"
        "key = Parameter(stack, 'key', hidden=True)\n"
        "heat.Value(stack, 'shown', value=key)\n"
        "Stage(app, 'prod', stack_name_prefix='prod-', parameters={key: from_env('DOCTOR_KEY')})\n"
    )
    stack = {
        "stack_name": "prod-doctored",
        "id": "4b5ad4c4-7a2c-4f55-9a7a-5b3f3b2bb0f1",
        "stack_status": "CREATE_FAILED",
        "stack_status_reason": f"the key {CANARY} was refused",
        "tags": ["hotdsl-stack:doctored"],
    }
    proxy.answer("GET", r"/stacks$", json.dumps({"stacks": [stack]}).encode(), times=None)
    os.environ["DOCTOR_KEY"] = CANARY
    try:
        code, checks, output = doctor(tmp_path, proxy, "--app", "app.py")
    finally:
        del os.environ["DOCTOR_KEY"]
    assert code == 1
    assert checks["stacks-failed"]["status"] == "fail"
    assert "the key ****** was refused" in checks["stacks-failed"]["details"][0]
    assert CANARY not in output


def test_credentials_the_identity_service_refuses_fail_the_cloud_check_unshown(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    """A password entry whose identity service answers 401: the entry is named, the
    password is not, and nothing after the cloud check runs."""
    password = "CANARY-pw-8e21c"
    proxy.fail("GET", r"^/v3$", times=None, status=404)  # no version document: the URL says v3
    proxy.answer(
        "POST",
        r"/v3/auth/tokens$",
        json.dumps({"error": {"code": 401, "title": "Unauthorized", "message": password}}).encode(),
        status=401,
        times=None,
    )
    entry = {
        "auth": {
            "auth_url": f"{proxy.url}/v3",
            "username": "demo",
            "password": password,
            "project_name": "demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
        },
        "region_name": "RegionOne",
    }
    (tmp_path / "clouds.yaml").write_text(json.dumps({"clouds": {"refused": entry}}))
    result = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "doctor", "--cloud", "refused"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("OS_")},
            "OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml"),
        },
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and password not in result.stdout + result.stderr
    assert (
        "fail  cloud: cloud 'refused' (auth: password, region RegionOne): the identity service "
        f"at {proxy.url}/v3 refused the credentials" in result.stdout
    )
    assert "`openstack --os-cloud refused token issue`" in result.stdout
    assert "skip  heat-api: not checked: no connection to the cloud" in result.stdout
