"""Environments and stages: one template, one environment file per stack and stage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from hotdsl import (
    AllowedValues,
    App,
    Environment,
    Parameter,
    Range,
    Resource,
    ResourceSettings,
    Stack,
    Stage,
    SynthError,
    from_env,
    from_file,
    get_file,
)
from hotdsl.synth import synth, synthesize


def staged_app() -> tuple[App, Stack, Parameter[str], Parameter[object], Parameter[str]]:
    app = App()
    stack = Stack(app, "web")
    flavor = Parameter(
        stack, "flavor", default="m1.small", constraints=[AllowedValues(["m1.small", "m1.large"])]
    )
    count = Parameter(stack, "count", type="number", default=1, constraints=[Range(min=1, max=10)])
    password = Parameter(stack, "db_password")
    server = Resource(
        stack,
        "server",
        type="OS::Nova::Server",
        properties={"flavor": flavor, "admin_pass": password},
    )
    Resource(stack, "group", type="OS::Heat::ResourceGroup", properties={"count": count})
    Stage(app, "dev", parameters={password: from_env("DEV_DB_PASSWORD")})
    prod = Stage(app, "prod", parameters={count: 4}, stack_name_prefix="prod-")
    prod.set(flavor, "m1.large")
    prod.set(password, from_file("~/.secrets/prod-db"))
    prod.environment(stack).resources = {
        server: ResourceSettings(hooks=["pre-update"], restricted_actions=["replace"])
    }
    return app, stack, flavor, count, password


def test_each_stage_gets_its_own_environment_file_and_manifest_entry(tmp_path: Path) -> None:
    app, *_ = staged_app()
    synth(app, tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["manifest.json", "web.prod.env.yaml", "web.yaml"]
    assert (tmp_path / "web.prod.env.yaml").read_text() == (
        "parameters:\n"
        "  flavor: m1.large\n"
        "  count: 4\n"
        "resource_registry:\n"
        "  resources:\n"
        "    server:\n"
        "      hooks:\n"
        "        - pre-update\n"
        "      restricted_actions:\n"
        "        - replace\n"
    )
    stages = json.loads((tmp_path / "manifest.json").read_text())["stacks"][0]["stages"]
    assert stages == {
        "dev": {
            "stack_name": "web",
            "environment_files": [],
            "secrets": {"db_password": {"from_env": "DEV_DB_PASSWORD"}},
        },
        "prod": {
            "stack_name": "prod-web",
            "environment_files": ["web.prod.env.yaml"],
            "secrets": {"db_password": {"from_file": "~/.secrets/prod-db"}},
        },
    }


def test_a_parameter_fed_by_a_secret_is_hidden() -> None:
    app, *_ = staged_app()
    template = synthesize(app).stacks[0].template
    assert template["parameters"]["db_password"] == {"type": "string", "hidden": True}


def test_synth_can_write_only_some_stages(tmp_path: Path) -> None:
    app, *_ = staged_app()
    _, manifest = synth(app, tmp_path, stages=["dev"])
    assert list(manifest.stacks[0].stages) == ["dev"]
    with pytest.raises(SynthError, match="no stage named 'qa'; the app's stages: dev, prod"):
        synthesize(app, ["qa"])


def test_stage_values_are_checked_against_type_and_constraints() -> None:
    app, _, flavor, count, _ = staged_app()
    bad = Stage(app, "bad")
    bad.set(flavor, "m1.huge")
    bad.set(count, 50)
    with pytest.raises(SynthError) as error:
        synthesize(app)
    messages = [str(p) for p in error.value.problems]
    assert len(messages) == 2
    assert all(m.startswith("tests/test_environments.py:") for m in messages)
    assert (
        "stage 'bad': value 'm1.huge' for web/flavor is invalid: 'm1.huge' is not one of"
        in messages[0]
    )
    assert "value 50 for web/count is invalid: must be between 1 and 10, got 50" in messages[1]


SECRET = "s3cr3t-planted-value-0xC0FFEE"


def test_a_planted_secret_never_lands_in_any_file_synth_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEV_DB_PASSWORD", SECRET)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    app, _stack, _, _, password = staged_app()
    Stage(app, "qa", parameters={password: from_file(str(secret_file))})
    out = tmp_path / "out"
    synth(app, out)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert len(written) >= 3
    for path in written:
        assert SECRET not in path.read_text(), path


def test_the_whole_environment_format() -> None:
    app = App()
    stack = Stack(app, "s")
    image = Parameter(stack, "image", default="cirros")
    tags = Parameter(stack, "tags", type="json", default={})
    server = Resource(stack, "server", type="OS::Nova::Server", properties={"image": image})
    stack.environment = Environment(
        parameters={image: "ubuntu"},
        parameter_defaults={"NtpServer": "pool.ntp.org"},
        resource_registry={"OS::Networking::*": "OS::Neutron::*", "My::Server": "my-server.yaml"},
        resources={
            server: ResourceSettings(
                types={"OS::Nova::Server": "OS::Heat::None"}, hooks=["pre-create"]
            ),
            "db_*": ResourceSettings(nested={"volume": ResourceSettings(hooks=["pre-delete"])}),
        },
        event_sinks=[{"type": "zaqar-queue", "target": "events"}],
        parameter_merge_strategies={"default": "overwrite", tags: "deep_merge"},
        encrypted_param_names=[image],
    )
    env = synthesize(app).stacks[0].environment
    assert env is not None
    assert yaml.safe_load(env) == {
        "parameters": {"image": "ubuntu"},
        "parameter_defaults": {"NtpServer": "pool.ntp.org"},
        "parameter_merge_strategies": {"default": "overwrite", "tags": "deep_merge"},
        "encrypted_param_names": ["image"],
        "event_sinks": [{"type": "zaqar-queue", "target": "events"}],
        "resource_registry": {
            "OS::Networking::*": "OS::Neutron::*",
            "My::Server": "my-server.yaml",
            "resources": {
                "server": {"OS::Nova::Server": "OS::Heat::None", "hooks": ["pre-create"]},
                "db_*": {"volume": {"hooks": ["pre-delete"]}},
            },
        },
    }


def test_stage_values_for_parameters_of_no_stack_are_refused() -> None:
    app = App()
    Resource(Stack(app, "a"), "r", type="OS::Heat::None")
    stray = Parameter(Stack(App(), "elsewhere"), "p")
    Stage(app, "dev", parameters={stray: "x"})
    with pytest.raises(
        SynthError, match="sets elsewhere/p, which is not a parameter of this app's stacks"
    ):
        synthesize(app)


def test_get_file_copies_the_file_into_the_out_dir_and_the_files_map(tmp_path: Path) -> None:
    here = Path(__file__).parent / "golden" / "files"
    app = App()
    stack = Stack(app, "boot")
    Resource(
        stack,
        "config",
        type="OS::Heat::SoftwareConfig",
        properties={"config": get_file("golden/files/boot.sh"), "group": "script"},
    )
    Resource(
        stack,
        "inline",
        type="OS::Heat::SoftwareConfig",
        properties={"config": get_file("rendered/hello.sh", content="echo hello\n")},
    )
    _, manifest = synth(app, tmp_path)
    assert manifest.stacks[0].files == {
        "golden/files/boot.sh": "boot.files/golden/files/boot.sh",
        "rendered/hello.sh": "boot.files/rendered/hello.sh",
    }
    assert (tmp_path / "boot.files/golden/files/boot.sh").read_text() == (
        here / "boot.sh"
    ).read_text()
    assert (tmp_path / "boot.files/rendered/hello.sh").read_text() == "echo hello\n"


def test_a_missing_file_is_a_problem_at_the_users_line() -> None:
    app = App()
    stack = Stack(app, "boot")
    Resource(
        stack,
        "config",
        type="OS::Heat::SoftwareConfig",
        properties={"config": get_file("no/such/file.sh")},
    )
    with pytest.raises(
        SynthError,
        match=r"test_environments.py:\d+: boot/config: get_file cannot read 'no/such/file.sh'",
    ):
        synthesize(app)
