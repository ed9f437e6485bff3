"""The sandbox: a real Heat on a loopback port, its files, its CLI, and its server's parts."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hotdsl.cli.main import app
from hotdsl.deploy.connection import CloudConnectionError, connect, connect_endpoint
from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.validation import validate_out_dir
from hotdsl.sandbox import (
    CLOUD_NAME,
    SandboxInfo,
    SandboxLayout,
    clouds_file,
    default_home,
    heat_server,
    write_cloud_entry,
)
from hotdsl.sandbox.config import global_environment, heat_conf_text, write_config
from hotdsl.sandbox.install import HEAT_REQUIREMENT, install_instructions, is_heat_venv_ready

from .conftest import HEAT_VENV, HeatSandbox


def _info(port: int = 8004, home: Path = Path("/nowhere")) -> SandboxInfo:
    url = f"http://127.0.0.1:{port}"
    return SandboxInfo(url, f"{url}/v1/admin", "127.0.0.1", port, 1, "27.0.1", home)


# --- where things live ------------------------------------------------------------------


def test_home_is_per_user_and_can_be_moved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HOTDSL_SANDBOX_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_home() == tmp_path / "data" / "hotdsl" / "sandbox"
    monkeypatch.setenv("HOTDSL_SANDBOX_HOME", str(tmp_path / "elsewhere"))
    layout = SandboxLayout.default()
    assert layout.home == tmp_path / "elsewhere"
    monkeypatch.setenv("HOTDSL_SANDBOX_VENV", str(tmp_path / "heat-venv"))
    assert SandboxLayout.default().venv == tmp_path / "heat-venv"


def test_a_missing_heat_venv_is_not_ready_and_the_error_says_what_to_run(tmp_path: Path) -> None:
    assert not is_heat_venv_ready(tmp_path / "venv")
    assert HEAT_REQUIREMENT in install_instructions(tmp_path / "venv")


# --- heat.conf and the global environment -------------------------------------------------


def test_heat_conf_runs_everything_in_one_process_with_convergence(tmp_path: Path) -> None:
    layout = SandboxLayout(home=tmp_path, venv=tmp_path / "venv")
    layout.run_dir.mkdir()
    text = heat_conf_text(layout)
    for line in (
        "transport_url = fake://",
        "convergence_engine = true",
        "num_engine_workers = 1",
        "flavor = noauth",
        f"connection = sqlite:///{layout.database}",
        "enforce_new_defaults = false",
    ):
        assert line in text
    key = next(line for line in text.splitlines() if line.startswith("auth_encryption_key"))
    assert len(key.split(" = ")[1]) == 32
    assert heat_conf_text(layout) == text, "the key is kept for the life of the database"


def test_the_global_environment_maps_service_types_to_standins(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    defaults = venv / "etc" / "heat" / "environment.d"
    defaults.mkdir(parents=True)
    (defaults / "default.yaml").write_text(
        'resource_registry:\n  "OS::Quantum*": "OS::Neutron*"\n'
        '  "AWS::RDS::DBInstance": "file:///etc/heat/templates/AWS_RDS_DBInstance.yaml"\n'
    )
    layout = SandboxLayout(home=tmp_path, venv=venv)
    write_config(layout, standins=True)
    registry = global_environment(layout, standins=True)["resource_registry"]
    assert registry["OS::Quantum*"] == "OS::Neutron*"
    assert (
        registry["AWS::RDS::DBInstance"]
        == f"file://{venv}/etc/heat/templates/AWS_RDS_DBInstance.yaml"
    )
    server = registry["OS::Nova::Server"]
    assert server == f"file://{layout.run_dir}/standins/OS__Nova__Server.yaml"
    assert Path(server.removeprefix("file://")).exists()
    assert "OS::Heat::RandomString" not in registry
    without = global_environment(layout, standins=False)["resource_registry"]
    assert "OS::Nova::Server" not in without


def test_types_left_out_are_mapped_to_null_which_removes_them_from_heat(tmp_path: Path) -> None:
    """Heat's ResourceRegistry deletes a type registered as None: a cloud without it."""
    layout = SandboxLayout(home=tmp_path, venv=tmp_path / "venv")
    gone = ("OS::Heat::RandomString", "OS::Nova::Server")
    registry = global_environment(layout, standins=False, without_types=gone)["resource_registry"]
    assert {name: registry[name] for name in gone} == dict.fromkeys(gone)
    write_config(layout, standins=True, without_types=gone)
    written = yaml.safe_load((layout.environment_dir / "hotdsl-sandbox.yaml").read_text())
    assert written["resource_registry"]["OS::Nova::Server"] is None


# --- clouds.yaml --------------------------------------------------------------------------


def test_the_clouds_entry_is_added_without_touching_other_clouds(tmp_path: Path) -> None:
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  prod:\n    auth:\n      auth_url: https://keystone.example\n")
    assert write_cloud_entry(_info(8004), path=path) == path
    clouds = yaml.safe_load(path.read_text())["clouds"]
    assert clouds["prod"] == {"auth": {"auth_url": "https://keystone.example"}}
    assert clouds[CLOUD_NAME]["orchestration_endpoint_override"] == "http://127.0.0.1:8004/v1/admin"
    assert clouds[CLOUD_NAME]["auth_type"] == "none"
    assert (tmp_path / "clouds.yaml.orig").read_text().startswith("clouds:\n  prod:")
    write_cloud_entry(_info(9000), path=path)
    clouds = yaml.safe_load(path.read_text())["clouds"]
    assert clouds[CLOUD_NAME]["auth"]["endpoint"] == "http://127.0.0.1:9000/v1/admin"


def test_clouds_yaml_is_the_one_openstacksdk_reads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "mine.yaml"))
    assert clouds_file(tmp_path) == tmp_path / "mine.yaml"
    monkeypatch.delenv("OS_CLIENT_CONFIG_FILE")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert clouds_file(tmp_path) == tmp_path / "config" / "openstack" / "clouds.yaml"
    (tmp_path / "clouds.yaml").write_text("clouds: {}\n")
    assert clouds_file(tmp_path) == tmp_path / "clouds.yaml"


def test_connect_without_any_cloud_says_how_to_name_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("OS_"):
            monkeypatch.delenv(key)
    with pytest.raises(CloudConnectionError, match="--cloud NAME"):
        connect()


# --- parts of the server, without Heat ----------------------------------------------------


def test_the_server_refuses_addresses_other_than_loopback() -> None:
    with pytest.raises(SystemExit):
        heat_server.parse_args(
            ["--config-file", "c", "--state-file", "s", "--token-file", "t", "--host", "0.0.0.0"]
        )


def test_version_discovery_answers_where_openstacksdk_asks() -> None:
    seen: list[str] = []

    def heat(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("404 Not Found", [])
        return [b""]

    discovery = heat_server.VersionDiscovery(heat)
    statuses: list[str] = []
    for path in ("/v1", "/v1/", "/v1/admin"):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": "127.0.0.1:8004"}
        body = b"".join(discovery(environ, lambda status, headers: statuses.append(status)))
        assert statuses.pop() == "200 OK"
        links = json.loads(body)["versions"][0]["links"]
        assert links == [{"rel": "self", "href": "http://127.0.0.1:8004/v1/"}]
    discovery({"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/admin/stacks"}, lambda s, h: None)
    assert seen == ["/v1/admin/stacks"]


def test_the_token_catalog_lists_services_on_an_unserved_loopback_port() -> None:
    token = heat_server.token_document("http://127.0.0.1:8004/v1/admin")["token"]
    urls = {entry["type"]: entry["endpoints"][0]["url"] for entry in token["catalog"]}
    assert urls["orchestration"] == "http://127.0.0.1:8004/v1/admin"
    for kind in ("compute", "network", "volumev3", "image", "load-balancer", "identity"):
        assert urls[kind].startswith("http://127.0.0.1:9/")


def test_the_connection_gate_is_reentrant_and_released_by_any_thread() -> None:
    gate = heat_server.ConnectionGate(patience=5.0)
    assert gate.enter() and gate.enter()
    order: list[str] = []

    def other() -> None:
        gate.enter()
        order.append("other")
        gate.leave()

    thread = threading.Thread(target=other)
    thread.start()
    time.sleep(0.05)
    order.append("first")
    gate.leave()
    threading.Thread(target=gate.leave).start()
    thread.join(2.0)
    assert order == ["first", "other"]


def test_the_connection_gate_gives_up_after_its_patience() -> None:
    gate = heat_server.ConnectionGate(patience=0.05)
    holder = threading.Thread(target=gate.enter)
    holder.start()
    holder.join()
    assert gate.enter() is False, "a stuck holder must not hang the sandbox"


def test_capped_sleep_affects_only_the_patched_module() -> None:
    asked: list[float] = []
    clock = types.ModuleType("time")
    clock.sleep = asked.append  # type: ignore[attr-defined]
    clock.monotonic = lambda: 42.0  # type: ignore[attr-defined]
    module = types.ModuleType("fake_heat_module")
    module.time = clock  # type: ignore[attr-defined]
    heat_server.cap_sleep(module, 0.25)
    module.time.sleep(5)
    module.time.sleep(0.1)
    assert asked == [0.25, 0.1]
    assert module.time.monotonic() == 42.0
    assert clock.sleep == asked.append, "the module's own time is left as it was"


# --- the real thing -----------------------------------------------------------------------


@pytest.mark.heat
def test_openstacksdk_reaches_the_sandbox_by_its_cloud_name(heat_sandbox: HeatSandbox) -> None:
    conn = connect(CLOUD_NAME)
    assert isinstance(list(conn.orchestration.stacks()), list)
    assert heat_sandbox.info.startup_seconds is not None


@pytest.mark.heat
def test_the_openstack_cli_lists_stacks_through_the_clouds_entry(heat_sandbox: HeatSandbox) -> None:
    openstack = HEAT_VENV / "bin" / "openstack"
    if not openstack.exists():
        pytest.skip("python-openstackclient is not in the Heat venv")
    stack = heat_sandbox.create({"heat_template_version": "2021-04-16", "resources": {}})
    result = subprocess.run(
        [str(openstack), "--os-cloud", CLOUD_NAME, "stack", "list", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "OS_CLIENT_CONFIG_FILE": str(heat_sandbox.clouds_file)},
    )
    assert result.returncode == 0, result.stderr
    assert stack.name in {row["Stack Name"] for row in json.loads(result.stdout)}


@pytest.mark.heat
def test_heat_types_run_for_real_with_ordering_outputs_and_conditions(
    heat_sandbox: HeatSandbox,
) -> None:
    template: dict[str, Any] = {
        "heat_template_version": "2021-04-16",
        "parameters": {
            "count": {"type": "number", "default": 2},
            "env": {"type": "string", "default": "dev"},
        },
        "conditions": {"is_prod": {"equals": [{"get_param": "env"}, "prod"]}},
        "resources": {
            "secret": {"type": "OS::Heat::RandomString", "properties": {"length": 12}},
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": {"get_param": "count"},
                    "resource_def": {
                        "type": "OS::Heat::Value",
                        "properties": {"value": "member-%index%"},
                    },
                },
            },
            "prod_only": {"type": "OS::Heat::None", "condition": "is_prod"},
            "nested": {
                "type": "child.yaml",
                "properties": {"word": {"get_attr": ["secret", "value"]}},
            },
        },
        "outputs": {
            "members": {"value": {"get_attr": ["group", "value"]}},
            "length": {
                "value": {
                    "yaql": {
                        "expression": "$.data.len()",
                        "data": {"get_attr": ["secret", "value"]},
                    }
                }
            },
            "echo": {"value": {"get_attr": ["nested", "echo"]}},
            "prod": {"value": {"if": ["is_prod", "yes", "no"]}},
        },
    }
    child = yaml.safe_dump(
        {
            "heat_template_version": "2021-04-16",
            "parameters": {"word": {"type": "string"}},
            "resources": {
                "v": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "word"}}}
            },
            "outputs": {"echo": {"value": {"get_attr": ["v", "value"]}}},
        }
    )
    stack = heat_sandbox.create(template, files={"child.yaml": child})
    outputs = heat_sandbox.outputs(stack)
    assert outputs["members"] == ["member-0", "member-1"]
    assert outputs["length"] == 12
    assert len(outputs["echo"]) == 12
    assert outputs["prod"] == "no"
    stack = heat_sandbox.update(
        stack, template, parameters={"count": 3, "env": "prod"}, files={"child.yaml": child}
    )
    outputs = heat_sandbox.outputs(stack)
    assert outputs["members"] == ["member-0", "member-1", "member-2"]
    assert outputs["prod"] == "yes"
    heat_sandbox.delete(stack)


@pytest.mark.heat
def test_validate_out_dir_reports_heats_verdict_per_stack(
    heat_sandbox: HeatSandbox, tmp_path: Path
) -> None:
    good = {
        "heat_template_version": "2021-04-16",
        "resources": {"v": {"type": "OS::Heat::Value", "properties": {"value": 1}}},
    }
    bad = {
        "heat_template_version": "2021-04-16",
        "resources": {"v": {"type": "OS::Heat::Value", "properties": {"valeu": 1}}},
    }
    (tmp_path / "good.yaml").write_text(yaml.safe_dump(good))
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad))
    (tmp_path / "good.env.yaml").write_text("parameter_defaults: {}\n")
    manifest = {
        "format": 1,
        "stacks": [
            {
                "name": "good",
                "path": "good",
                "template": "good.yaml",
                "environment_files": ["good.env.yaml"],
            },
            {"name": "bad", "path": "bad", "template": "bad.yaml"},
        ],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    verdicts = validate_out_dir(heat_sandbox.conn, tmp_path)
    assert [(v.stack, v.ok) for v in verdicts] == [("good", True), ("bad", False)]
    assert "Unknown Property valeu" in verdicts[1].message


@pytest.mark.heat
def test_hotdsl_validate_with_a_cloud_asks_heat(
    heat_sandbox: HeatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(
        "from hotdsl import App, Resource, Stack\n"
        "app = App()\n"
        "stack = Stack(app, 'checked')\n"
        "Resource(stack, 'port', type='OS::Neutron::Port', properties={'network': 'private'})\n"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    local = runner.invoke(app, ["validate", "--app", "app.py"])
    assert local.exit_code == 0, local.output
    assert "checked: valid (local checks)" in local.output
    remote = runner.invoke(app, ["validate", "--app", "app.py", "--cloud", CLOUD_NAME])
    assert remote.exit_code == 0, remote.output
    assert f"checked: valid (Heat on {CLOUD_NAME})" in remote.output


@pytest.mark.heat
def test_the_cli_starts_an_idempotent_sandbox_and_stop_leaves_no_process(
    heat_sandbox: HeatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # heat_sandbox first: it made sure the Heat venv exists.
    monkeypatch.setenv("HOTDSL_SANDBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOTDSL_SANDBOX_VENV", str(HEAT_VENV))
    clouds = tmp_path / "clouds.yaml"
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    runner = CliRunner()
    assert runner.invoke(app, ["sandbox", "status"]).exit_code == 1
    first = runner.invoke(
        app, ["sandbox", "start", "--no-standins", "--without-type", "OS::Heat::RandomString"]
    )
    assert first.exit_code == 0, first.output
    info = json.loads((tmp_path / "home" / "run" / "server.json").read_text())
    assert f"at http://127.0.0.1:{info['port']}" in first.output
    # how to use it: the cloud's name; clouds.yaml is already the one openstacksdk reads
    assert f"  export OS_CLOUD={CLOUD_NAME}\n" in first.output
    assert "OS_CLIENT_CONFIG_FILE" not in first.output
    endpoint = f"http://127.0.0.1:{info['port']}/v1/admin"
    types = HeatClient(connect_endpoint(endpoint)).resource_types()
    assert "OS::Heat::RandomString" not in types and "OS::Heat::Value" in types
    second = runner.invoke(app, ["sandbox", "start", "--clouds-file", str(tmp_path / "other.yaml")])
    assert "already running" in second.output
    # another clouds.yaml than openstacksdk's: say how to point it there
    assert f"  export OS_CLIENT_CONFIG_FILE={tmp_path / 'other.yaml'}\n" in second.output
    assert f"  export OS_CLOUD={CLOUD_NAME}\n" in second.output
    assert json.loads((tmp_path / "home" / "run" / "server.json").read_text())["pid"] == info["pid"]
    assert yaml.safe_load(clouds.read_text())["clouds"][CLOUD_NAME]["auth"]["endpoint"].endswith(
        f":{info['port']}/v1/admin"
    )
    status = runner.invoke(app, ["sandbox", "status"])
    assert status.exit_code == 0 and "answering" in status.output
    logs = runner.invoke(app, ["sandbox", "logs", "-n", "5"])
    assert "heat.log" in logs.output
    server = process_start(info["pid"])
    assert server is not None
    stopped = runner.invoke(app, ["sandbox", "stop"])
    assert (stopped.exit_code, stopped.output.strip()) == (0, "stopped")
    # stop waits for the server to exit and reaps it (this process started it): no
    # process is left, not even a zombie, and nothing listens on its port any more.
    assert process_start(info["pid"]) != server, process_state(info["pid"])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", info["port"]), timeout=5).close()
    again = runner.invoke(app, ["sandbox", "stop"])
    assert (again.exit_code, again.output.strip()) == (0, "not running")
    assert runner.invoke(app, ["sandbox", "status"]).exit_code == 1
    shutil.rmtree(tmp_path / "home", ignore_errors=True)


def process_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None when there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()


def process_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot): tells it from a later one of that pid."""
    fields = process_stat(pid)
    return None if fields is None else fields[19]


def process_state(pid: int) -> str:
    fields = process_stat(pid)
    if fields is None:
        return f"pid {pid} is gone"
    return f"pid {pid} is in state {fields[0]}, child of {fields[1]} (this is {os.getpid()})"


def test_task_polling_starts_quick_and_backs_off_to_heats_pace() -> None:
    waits: list[float | None] = []

    class TaskRunner:
        def _sleep(self, wait_time: float | None) -> None:
            waits.append(wait_time)

    scheduler = types.ModuleType("fake_scheduler")
    scheduler.TaskRunner = TaskRunner  # type: ignore[attr-defined]
    heat_server.cap_task_polling(scheduler, 0.1)
    runner = TaskRunner()
    for _ in range(6):
        runner._sleep(1)
    runner._sleep(0)
    runner._sleep(None)
    TaskRunner()._sleep(1)
    assert waits == [0.1, 0.2, 0.4, 0.8, 1, 1, 0, None, 0.1]


def test_sqlite_tables_get_ids_that_are_never_reused(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "heat.sqlite"
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute(
        "CREATE TABLE resource_properties_data (\n\tid INTEGER NOT NULL, \n\tdata TEXT, \n\tPRIMARY KEY (id)\n)"
    )
    connection.execute("CREATE TABLE stack (\n\tid VARCHAR(36) NOT NULL, \n\tPRIMARY KEY (id)\n)")
    connection.execute("CREATE INDEX ix_data ON resource_properties_data (data)")
    connection.execute("INSERT INTO resource_properties_data (data) VALUES ('a'), ('b')")
    connection.execute("DELETE FROM resource_properties_data WHERE id = 2")
    connection.close()

    assert heat_server.never_reuse_row_ids(database) == ["resource_properties_data"]
    assert heat_server.never_reuse_row_ids(database) == [], "a second start changes nothing"
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("INSERT INTO resource_properties_data (data) VALUES ('c')")
    connection.execute("DELETE FROM resource_properties_data WHERE data = 'c'")
    connection.execute("INSERT INTO resource_properties_data (data) VALUES ('d')")
    rows = connection.execute(
        "SELECT id, data FROM resource_properties_data ORDER BY id"
    ).fetchall()
    indexes = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    connection.close()
    assert rows == [(1, "a"), (3, "d")], "'c' got 2 and was deleted; 'd' does not get 2 again"
    assert ("ix_data",) in indexes


def test_yaql_expressions_are_parsed_one_at_a_time() -> None:
    inside = threading.Semaphore(1)
    overlaps: list[str] = []

    class Yaql:
        def _parse(self, expression: str) -> str:
            if not inside.acquire(blocking=False):
                overlaps.append(expression)
                return expression
            time.sleep(0.001)
            inside.release()
            return expression.upper()

    functions = types.ModuleType("fake_hot_functions")
    functions.Yaql = Yaql  # type: ignore[attr-defined]
    heat_server.serialise_yaql_parsing(functions)
    results: list[str] = []

    def parse_many(prefix: str) -> None:
        results.extend(Yaql()._parse(f"{prefix}{n}") for n in range(50))

    threads = [threading.Thread(target=parse_many, args=(p,)) for p in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert sorted(results) == sorted(f"{p}{n}".upper() for p in "abcd" for n in range(50))
