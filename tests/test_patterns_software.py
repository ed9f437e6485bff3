"""Configuring servers: render_file (jinja2 at synth, into the files map), CloudInit
(first-boot user data in parts) and SoftwareConfiguration (scripts Heat runs on a
running server, with inputs and outputs)."""

from __future__ import annotations

import re
import runpy
import textwrap
from pathlib import Path

import pytest

from hotdsl import App, ConstructError, Output, Parameter, Stack, SynthError, get_file
from hotdsl.stdlib.nova import Server
from hotdsl.stdlib.patterns import CloudInit, ServerWithPort, SoftwareConfiguration, render_file
from hotdsl.synth import synthesize
from hotdsl.testing import Match, Template


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def files_of(app: App) -> dict[str, str]:
    (stack,) = synthesize(app).stacks
    return stack.files


# --- render_file ----------------------------------------------------------------------------


def test_a_template_is_rendered_at_synth_and_sent_in_the_files_map(tmp_path: Path) -> None:
    template = write(
        tmp_path / "web.yaml.j2",
        """\
        #cloud-config
        packages:
        {% for package in packages %}
          - {{ package }}
        {% endfor %}
        write_files:
          - path: /etc/app.conf
            content: "port={{ port }}"
        """,
    )
    app = App()
    stack = Stack(app, "demo")
    Server(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        user_data_format="RAW",
        user_data=render_file(str(template), {"packages": ["nginx", "curl"], "port": 8080}),
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Nova::Server", {"user_data": {"get_file": "web.yaml"}}
    )
    assert files_of(app) == {
        "web.yaml": textwrap.dedent("""\
        #cloud-config
        packages:
          - nginx
          - curl
        write_files:
          - path: /etc/app.conf
            content: "port=8080"
        """)
    }


def test_the_template_path_is_relative_to_the_calling_file(tmp_path: Path) -> None:
    write(tmp_path / "cloud-init" / "boot.sh.j2", "#!/bin/sh\necho {{ message }}\n")
    app_file = write(
        tmp_path / "app.py",
        """\
        from hotdsl import App, Stack
        from hotdsl.stdlib.nova import Server
        from hotdsl.stdlib.patterns import render_file

        app = App()
        stack = Stack(app, "demo")
        Server(stack, "web", image="cirros", flavor="m1.small", user_data_format="RAW",
               user_data=render_file("cloud-init/boot.sh.j2", {"message": "hello"}))
        """,
    )
    app = runpy.run_path(str(app_file))["app"]
    assert files_of(app) == {"cloud-init/boot.sh": "#!/bin/sh\necho hello\n"}


def test_values_only_heat_knows_are_filled_in_by_heat(tmp_path: Path) -> None:
    template = write(
        tmp_path / "app.env.j2",
        "DB_HOST={{ db_host }}\nDB_NAME={{ db_name }}\nREGION={{ region }}\n",
    )
    app = App()
    stack = Stack(app, "demo")
    region = Parameter(stack, "region")
    db = Server(stack, "db", image="cirros", flavor="m1.small")
    unused = Parameter(stack, "unused", default="x")
    web = Server(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        user_data_format="RAW",
        user_data=render_file(
            str(template),
            {
                "db_host": db.attrs.networks["private"][0],
                "db_name": "app",
                "region": region,
                "not_in_template": unused,
            },
        ),
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Nova::Server",
        {
            "user_data": {
                "str_replace": {
                    "template": {"get_file": "app.env"},
                    "params": Match.object_equals(
                        {"__db_host__": db.attrs.networks["private"][0], "__region__": region}
                    ),
                }
            }
        },
    )
    assert files_of(app) == {"app.env": "DB_HOST=__db_host__\nDB_NAME=app\nREGION=__region__\n"}
    assert web.user_data is not None


def test_the_files_map_key_can_be_chosen(tmp_path: Path) -> None:
    template = write(tmp_path / "role.sh.j2", "#!/bin/sh\necho {{ role }}\n")
    app = App()
    stack = Stack(app, "demo")
    for role in ("web", "worker"):
        Server(
            stack,
            role,
            image="cirros",
            flavor="m1.small",
            user_data_format="RAW",
            user_data=render_file(str(template), {"role": role}, key=f"boot/{role}.sh"),
        )
    assert files_of(app) == {
        "boot/web.sh": "#!/bin/sh\necho web\n",
        "boot/worker.sh": "#!/bin/sh\necho worker\n",
    }


def test_one_template_rendered_twice_under_one_key_is_a_synth_error(tmp_path: Path) -> None:
    template = write(tmp_path / "role.sh.j2", "#!/bin/sh\necho {{ role }}\n")
    app = App()
    stack = Stack(app, "demo")
    for role in ("web", "worker"):
        Server(
            stack,
            role,
            image="cirros",
            flavor="m1.small",
            user_data_format="RAW",
            user_data=render_file(str(template), {"role": role}),
        )
    with pytest.raises(
        SynthError, match=re.escape("two different files would both be sent as 'role.sh'")
    ):
        synthesize(app)


def test_a_variable_the_template_needs_but_is_not_given_is_an_error(tmp_path: Path) -> None:
    template = write(tmp_path / "boot.sh.j2", "#!/bin/sh\necho {{ greeting }}\n")
    with pytest.raises(
        ConstructError,
        match=r"test_patterns_software.py:\d+: rendering .*boot.sh.j2: "
        r"'greeting' is undefined; pass it in the variables",
    ):
        render_file(str(template), {"greting": "hello"})


def test_a_template_with_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    template = write(tmp_path / "boot.sh.j2", "#!/bin/sh\n{% if x %}\necho\n")
    with pytest.raises(ConstructError, match=r"boot.sh.j2, line 3: Unexpected end of template"):
        render_file(str(template), {"x": True})


def test_a_missing_template_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConstructError, match=re.escape("render_file cannot find the template 'nope.j2'")
    ):
        render_file(str(tmp_path / "nope.j2"))


def test_a_template_that_already_holds_a_placeholder_is_an_error(tmp_path: Path) -> None:
    template = write(tmp_path / "boot.sh.j2", "echo __host__ {{ host }}\n")
    stack = Stack(App(), "demo")
    host = Parameter(stack, "host")
    with pytest.raises(ConstructError, match="already holds the text '__host__'"):
        render_file(str(template), {"host": host})


# --- CloudInit ------------------------------------------------------------------------------


def test_cloud_init_combines_a_cloud_config_and_scripts_in_one_multipart_message() -> None:
    stack = Stack(App(), "demo")
    boot = CloudInit(
        stack,
        "boot",
        cloud_config={"packages": ["nginx"]},
        scripts={"motd": "#!/bin/sh\necho hi > /etc/motd\n", "site": "#!/bin/sh\ntrue\n"},
    )
    Server(
        stack,
        "web",
        image="cirros",
        flavor="m1.small",
        user_data_format="RAW",
        user_data=boot.user_data,
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Heat::CloudConfig", {"cloud_config": {"packages": ["nginx"]}}
    )
    template.resource_count_is("OS::Heat::SoftwareConfig", 2)
    template.has_resource_properties(
        "OS::Heat::SoftwareConfig", {"config": "#!/bin/sh\necho hi > /etc/motd\n"}
    )
    template.has_resource_properties(
        "OS::Heat::MultipartMime",
        {
            "parts": [
                {"config": boot.cloud_config},
                {"config": boot.scripts["motd"]},
                {"config": boot.scripts["site"]},
            ]
        },
    )
    template.has_resource_properties("OS::Nova::Server", {"user_data": boot.mime})
    assert list(Template.from_stack(stack).to_dict()["resources"])[:4] == [
        "boot.cloud_config",
        "boot.motd",
        "boot.site",
        "boot.mime",
    ]


def test_cloud_init_may_be_only_scripts_or_only_a_cloud_config() -> None:
    stack = Stack(App(), "demo")
    CloudInit(
        stack,
        "scripts_only",
        scripts={"setup": get_file("scripts/setup.sh", content="#!/bin/sh\n")},
    )
    CloudInit(stack, "config_only", cloud_config={"timezone": "UTC"})
    template = Template.from_stack(stack)
    template.resource_count_is("OS::Heat::CloudConfig", 1)
    template.resource_count_is("OS::Heat::MultipartMime", 2)
    template.has_resource_properties(
        "OS::Heat::SoftwareConfig", {"config": {"get_file": "scripts/setup.sh"}}
    )


def test_cloud_init_with_nothing_in_it_is_an_error() -> None:
    with pytest.raises(ConstructError, match="CloudInit 'boot' needs a cloud_config or scripts"):
        CloudInit(Stack(App(), "demo"), "boot")


# --- SoftwareConfiguration ------------------------------------------------------------------


def software_server(stack: Stack) -> ServerWithPort:
    return ServerWithPort(
        stack,
        "app",
        image="fedora-heat-agents",
        flavor="m1.small",
        network="private",
        user_data_format="SOFTWARE_CONFIG",
    )


def test_a_configuration_is_a_software_config_deployed_to_the_server() -> None:
    stack = Stack(App(), "demo")
    server = software_server(stack)
    site = SoftwareConfiguration(
        stack, "site", server=server, config="#!/bin/sh\necho configured\n"
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Heat::SoftwareConfig",
        Match.object_equals({"group": "script", "config": "#!/bin/sh\necho configured\n"}),
    )
    template.has_resource_properties(
        "OS::Heat::SoftwareDeployment",
        Match.object_equals({"config": site.config, "server": server.server}),
    )


def test_inputs_are_declared_on_the_config_and_valued_on_the_deployment() -> None:
    stack = Stack(App(), "demo")
    greeting = Parameter(stack, "greeting", default="hello")
    server = software_server(stack)
    SoftwareConfiguration(
        stack,
        "site",
        server=server,
        config="#!/bin/sh\n",
        inputs={"greeting": greeting, "port": 8080},
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "OS::Heat::SoftwareConfig", {"inputs": [{"name": "greeting"}, {"name": "port"}]}
    )
    template.has_resource_properties(
        "OS::Heat::SoftwareDeployment", {"input_values": {"greeting": greeting, "port": 8080}}
    )


def test_outputs_come_back_as_attributes_of_the_deployment() -> None:
    stack = Stack(App(), "demo")
    site = SoftwareConfiguration(
        stack, "site", server=software_server(stack), config="#!/bin/sh\n", outputs=["url"]
    )
    Output(stack, "url", value=site.output("url"))
    Output(stack, "log", value=site.stdout)
    Output(stack, "status", value=site.status_code)
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Heat::SoftwareConfig", {"outputs": [{"name": "url"}]})
    template.has_output("url", value={"get_attr": ["site.deployment", "url"]})
    template.has_output("log", value={"get_attr": ["site.deployment", "deploy_stdout"]})
    template.has_output("status", value={"get_attr": ["site.deployment", "deploy_status_code"]})


def test_asking_for_an_output_the_script_does_not_declare_is_an_error() -> None:
    stack = Stack(App(), "demo")
    site = SoftwareConfiguration(
        stack, "site", server=software_server(stack), config="#!/bin/sh\n", outputs=["url"]
    )
    with pytest.raises(
        ConstructError, match=r"demo/site has no output 'ulr'; its outputs are \['url'\]"
    ):
        site.output("ulr")


def test_actions_group_and_signal_transport_are_passed_on() -> None:
    stack = Stack(App(), "demo")
    SoftwareConfiguration(
        stack,
        "site",
        server=software_server(stack),
        config="- hosts: all\n",
        group="ansible",
        actions=["CREATE", "UPDATE", "DELETE"],
        signal_transport="HEAT_SIGNAL",
    )
    template = Template.from_stack(stack)
    template.has_resource_properties("OS::Heat::SoftwareConfig", {"group": "ansible"})
    template.has_resource_properties(
        "OS::Heat::SoftwareDeployment",
        {"actions": ["CREATE", "UPDATE", "DELETE"], "signal_transport": "HEAT_SIGNAL"},
    )


def test_a_plain_server_works_too() -> None:
    stack = Stack(App(), "demo")
    server = Server(
        stack,
        "app",
        image="fedora-heat-agents",
        flavor="m1.small",
        user_data_format="SOFTWARE_CONFIG",
    )
    SoftwareConfiguration(stack, "site", server=server, config="#!/bin/sh\n")
    Template.from_stack(stack).has_resource_properties(
        "OS::Heat::SoftwareDeployment", {"server": server}
    )


def test_heat_deploys_only_to_servers_with_software_config_user_data() -> None:
    stack = Stack(App(), "demo")
    server = ServerWithPort(stack, "app", image="cirros", flavor="m1.small", network="private")
    with pytest.raises(
        ConstructError,
        match="whose user_data_format is 'RAW'; Heat deploys software "
        "configuration only to servers with user_data_format='SOFTWARE_CONFIG'",
    ):
        SoftwareConfiguration(stack, "site", server=server, config="#!/bin/sh\n")


def test_a_rendered_script_is_a_configuration_too(tmp_path: Path) -> None:
    template = write(tmp_path / "site.sh.j2", "#!/bin/sh\necho {{ name }} > /etc/site\n")
    app = App()
    stack = Stack(app, "demo")
    SoftwareConfiguration(
        stack,
        "site",
        server=software_server(stack),
        config=render_file(str(template), {"name": "hotdsl"}),
    )
    Template.from_stack(stack).has_resource_properties(
        "OS::Heat::SoftwareConfig", {"config": {"get_file": "site.sh"}}
    )
    assert files_of(app) == {"site.sh": "#!/bin/sh\necho hotdsl > /etc/site\n"}
