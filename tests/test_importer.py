"""`hotdsl import`: a HOT template in, a typed Python module out, the same template back from synth.

Each test imports a small template, writes the module, runs it, synthesizes it and
compares the result with the original (`roundtrip.check_round_trip`), then looks at the
code a person would read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from hotdsl.importer import ImportResult, TemplateError, import_template
from hotdsl.importer.roundtrip import RoundTrip, import_and_check

REPO = Path(__file__).resolve().parent.parent


def import_text(
    tmp_path: Path,
    text: str,
    *,
    name: str = "template.yaml",
    environments: dict[str, str] | None = None,
    files: dict[str, str] | None = None,
    allow_dirs: Sequence[Path] = (),
) -> tuple[ImportResult, RoundTrip]:
    """Write the template (and its environments and files) into tmp_path/src, import it into
    tmp_path/out/module.py, synthesize and compare."""
    source = tmp_path / "src"
    for relative, content in {name: text, **(environments or {}), **(files or {})}.items():
        path = source / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    envs = [source / e for e in (environments or {})]
    return import_and_check(
        source / name, envs, out=tmp_path / "out" / "module.py", allow_dirs=allow_dirs
    )


def compact(source: str) -> str:
    """The code without the line breaks of its layout: `f(\n    a,\n)` -> `f(a)`."""
    text = re.sub(r"([(\[{])\s+", r"\1", source)
    text = re.sub(r",?\s+([)\]}])", r"\1", text)
    return re.sub(r"\s+", " ", text)


def assert_exact(outcome: RoundTrip) -> None:
    assert outcome.exact, (outcome.error, outcome.invalid, outcome.differences)


def mypy_strict(*modules: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, modules)],
        capture_output=True,
        text=True,
        cwd=modules[0].parent,
    )


SERVER = """\
heat_template_version: 2018-08-31
description: One server on a new port.
parameters:
  image:
    type: string
    default: cirros
  flavor:
    type: string
    constraints:
      - allowed_values: [m1.small, m1.large]
        description: a known flavor
  network:
    type: json
    default: {name: private}
resources:
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_param: [network, name]}
  server:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks:
        - port: {get_resource: port}
      user_data_format: RAW
      user_data: |
        #!/bin/sh
        echo "hello from $(hostname)"
outputs:
  address:
    description: The first address.
    value: {get_attr: [server, addresses, private, 0, addr]}
  port_id:
    value: {get_resource: port}
"""


def test_a_template_comes_back_exactly_from_typed_python(tmp_path: Path) -> None:
    result, outcome = import_text(tmp_path, SERVER)
    assert_exact(outcome)
    source = result.source
    assert "class Template(Stack):" in source
    assert 'self.image = Parameter(self, "image", default="cirros")' in source
    assert 'port = neutron.Port(self, "port", network=self.network["name"])' in source
    assert "networks=[nova.ServerNetworksItem(port=port)]" in source
    assert 'value=server.attrs.addresses["private"][0]["addr"]' in source
    assert 'user_data="""\\\n#!/bin/sh\necho "hello from $(hostname)"\n"""' in source
    assert 'Output(self, "port_id", value=port)' in source
    assert source.rstrip().endswith('Template(app, "template")')
    assert not result.findings


def test_the_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    import_text(tmp_path, SERVER)
    checked = mypy_strict(tmp_path / "out" / "module.py")
    assert checked.returncode == 0, checked.stdout


FUNCTIONS = """\
heat_template_version: wallaby
parameters:
  names: {type: comma_delimited_list, default: "a,b"}
  env: {type: string, default: prod}
  count: {type: number, default: 2}
conditions:
  is_prod: {equals: [{get_param: env}, prod]}
  is_big: {and: [is_prod, {not: {equals: [{get_param: count}, 1]}}]}
resources:
  value:
    type: OS::Heat::Value
    condition: is_big
    properties:
      value:
        joined: {list_join: [",", {get_param: names}, [x, y]]}
        replaced: {str_replace: {template: "hi NAME", params: {NAME: {get_param: env}}}}
        strict: {str_replace_strict: {template: "hi NAME", params: {NAME: x}}}
        split: {str_split: [",", "a,b,c", 1]}
        digest: {digest: [sha256, abc]}
        repeated: {repeat: {for_each: {"<%n%>": {get_param: names}}, template: "n-<%n%>"}}
        merged: {map_merge: [{a: 1}, {b: 2}]}
        renamed: {map_replace: [{a: 1}, {keys: {a: b}}]}
        yaql: {yaql: {expression: "$.data.x", data: {x: 1}}}
        chosen: {if: [is_prod, big, small]}
        dropped: {if: [is_prod, only-in-prod]}
        filtered: {filter: [[a], [a, b]]}
        url: {make_url: {scheme: https, host: example.com, port: 443, path: /x}}
        concat: {list_concat: [[a], [b]]}
        unique: {list_concat_unique: [[a], [a]]}
        contains: {contains: [a, [a, b]]}
        facade: {resource_facade: metadata}
        stack: {get_param: OS::stack_name}
        not_a_function: {equals: [1, 2]}
outputs:
  chosen:
    value: {if: [{or: [is_prod, {contains: [{get_param: env}, [dev, test]]}]}, 1, 2]}
    condition: {not: is_prod}
"""


def test_hot_functions_become_the_dsls_functions(tmp_path: Path) -> None:
    result, outcome = import_text(tmp_path, FUNCTIONS)
    assert_exact(outcome)
    source = compact(result.source)
    for call in [
        'list_join(",", self.names, ["x", "y"])',
        'str_replace("hi NAME", {"NAME": self.env})',
        'str_split(",", "a,b,c", 1)',
        'digest("sha256", "abc")',
        "map_merge({",
        "map_replace({",
        'keys={"a": "b"}',
        'yaql("$.data.x", {"x": 1})',
        'if_(is_prod, "big", "small")',
        'if_(is_prod, "only-in-prod")',
        'make_url(scheme="https", host="example.com", port=443, path="/x")',
        "list_concat(",
        "list_concat_unique(",
        'resource_facade("metadata")',
        "STACK_NAME",
        'is_prod = Condition(self, "is_prod", equals(self.env, "prod"))',
        "and_(is_prod, not_(equals(self.count, 1)))",
        "condition=is_big",
        "condition=not_(is_prod)",
        'contains("a", ["a", "b"])',
    ]:
        assert call in source, call
    # Outside a condition, `equals` is a plain map to Heat, and so it stays.
    assert '"not_a_function": {"equals": [1, 2]}' in source


def test_a_function_newer_than_the_template_is_a_plain_map_as_for_heat(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2015-04-30
        resources:
          value:
            type: OS::Heat::Value
            properties:
              value: {str_split: [",", "a,b"]}
        """,
    )
    assert_exact(outcome)
    assert 'heat.Value(self, "value", value={"str_split": [",", "a,b"]})' in result.source
    (note,) = result.findings
    assert (
        note.level == "note"
        and "str_split is not a function in heat_template_version 2015-04-30" in note.message
    )
    assert note.line == 6


def test_a_property_the_typed_class_cannot_take_makes_a_generic_resource_with_the_reason(
    tmp_path: Path,
) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        resources:
          server:
            type: OS::Nova::Server
            properties:
              flavor: 42
              image: cirros
        """,
    )
    assert_exact(outcome)
    assert (
        "# Not nova.Server: the value of 'flavor' does not have the Python type the class"
        in result.source
    )
    assert (
        'Resource(\n            self,\n            "server",\n            type="OS::Nova::Server"'
        in result.source
    )
    (finding,) = result.findings
    assert finding.level == "note" and finding.line == 3


def test_what_heat_would_reject_is_said_and_kept_as_written(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        resources:
          server:
            type: OS::Nova::Server
            properties:
              image: cirros
              flavour: m1.small
          value:
            type: OS::Heat::Value
            properties:
              value: {get_resource: nowhere}
        """,
    )
    assert [f.level for f in result.findings] == ["invalid", "invalid"]
    messages = [f"{f.line}: {f.message}" for f in result.findings]
    assert any(m.startswith("11: get_resource refers to 'nowhere'") for m in messages), messages
    assert any(
        m.startswith(
            "3: resource 'server' is written as a generic Resource: OS::Nova::Server has no "
            "property 'flavour'"
        )
        for m in messages
    ), messages
    # synth says so too: the reference is kept as written, not dropped
    assert outcome.invalid == (
        "get_resource refers to 'nowhere', which is not a resource of this stack",
    )


def test_names_that_clash_in_python_or_in_the_construct_tree_still_come_back(
    tmp_path: Path,
) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        parameters:
          WebServer.flavor: {type: string, default: m1.small}
          class: {type: string, default: x}
          description: {type: string, default: y}
        resources:
          WebServer.flavor:
            type: OS::Heat::RandomString
          web-server-flavor:
            type: OS::Heat::Value
            properties:
              value: [{get_param: WebServer.flavor}, {get_param: class}, {get_param: description}]
        outputs:
          WebServer.flavor:
            value: {get_attr: [WebServer.flavor, value]}
        """,
        name="my-stack.v2.yaml",
    )
    assert_exact(outcome)
    source = result.source
    assert 'self.web_server_flavor = Parameter(self, "WebServer.flavor.parameter"' in compact(
        source
    )
    assert 'self.web_server_flavor.node.override_logical_name("WebServer.flavor")' in source
    assert 'self.class_param = Parameter(self, "class"' in source
    assert 'self.description_param = Parameter(self, "description"' in source
    assert 'web_server_flavor = heat.RandomString(self, "WebServer.flavor")' in source
    assert 'heat.Value(\n            self,\n            "web-server-flavor"' in source
    assert "class MyStack(Stack):" in source
    assert 'MyStack(app, "my-stack")' in source


def test_a_resource_name_with_a_slash_is_rejected_as_heat_rejects_it(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"template.yaml:3: resource name 'a/b' contains '/'"):
        import_text(
            tmp_path,
            """\
            heat_template_version: 2018-08-31
            resources:
              a/b: {type: OS::Heat::None}
            """,
        )


NESTED = {
    "member.yaml": """\
        heat_template_version: 2016-10-14
        description: >
          One member.
        parameters:
          index: {type: number}
          prefix: {type: string, default: web}
        resources:
          name:
            type: OS::Heat::Value
            properties:
              value: {list_join: ["-", [{get_param: prefix}, {get_param: index}]]}
        outputs:
          name: {value: {get_attr: [name, value]}}
        """,
    "templates/region.yaml": """\
        heat_template_version: 2016-10-14
        parameters:
          size: {type: number, default: 1}
        resources:
          config:
            type: Custom::Config
        outputs:
          size: {value: {get_param: size}}
        """,
    "templates/config.yaml": """\
        heat_template_version: 2016-10-14
        resources:
          config:
            type: OS::Heat::SoftwareConfig
            properties:
              config: {get_file: scripts/boot.sh}
        """,
    "templates/scripts/boot.sh": "#!/bin/sh\necho boot\n",
}

PARENT = """\
heat_template_version: 2016-10-14
resources:
  group:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: member.yaml
        properties:
          index: "%index%"
  single:
    type: member.yaml
    properties:
      index: 7
  remote:
    type: OS::Heat::Stack
    properties:
      template: {get_file: templates/region.yaml}
      parameters: {size: 3}
outputs:
  names: {value: {get_attr: [group, name]}}
  single: {value: {get_attr: [single, name]}}
"""


def test_nested_templates_are_imported_as_their_own_classes(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        PARENT,
        environments={
            "env.yaml": """\
            resource_registry:
              "Custom::Config": templates/config.yaml
            """,
        },
        files=NESTED,
    )
    assert_exact(outcome)
    source = result.source
    assert "class Member(TemplateResource):" in source
    assert 'template_file: ClassVar[str | None] = "member.yaml"' in source
    # used once, as OS::Heat::Stack's template: a remote stack; member.yaml is used twice
    assert "class Region(RemoteStack):" in source
    assert "class Config(TemplateResource):" in source
    assert 'type_name: ClassVar[str | None] = "Custom::Config"' in source
    assert (
        "resource_def=heat.ResourceGroupResourceDef(\n                type=provider_type(Member)"
        in source
    )
    assert 'single = Member(self, "single", properties={"index": 7})' in source
    assert 'Region(self, "remote", parameters={"size": 3})' in source
    assert 'config=get_file("scripts/boot.sh")' in source
    # the file read by the nested template is kept next to the module, under its key
    assert (tmp_path / "out" / "scripts" / "boot.sh").read_text() == "#!/bin/sh\necho boot\n"
    assert dict(result.nested_templates).keys() == {
        "member.yaml",
        "templates/region.yaml",
        "templates/config.yaml",
    }
    checked = mypy_strict(tmp_path / "out" / "module.py")
    assert checked.returncode == 0, checked.stdout


ENVIRONMENT = """\
parameters:
  flavor: m1.large
  not_in_the_template: 1
parameter_defaults:
  nested_param: [a, b]
resource_registry:
  "OS::Networking::*": "OS::Neutron::*"
  resources:
    server:
      hooks: [pre-create]
      restricted_actions: [replace]
    "web_*":
      OS::Nova::Server: My::Server
event_sinks:
  - type: zaqar-queue
    target: events
encrypted_param_names: [flavor]
"""


def test_an_environment_comes_back_as_the_stacks_environment(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        parameters:
          flavor: {type: string, default: m1.small}
        resources:
          server: {type: OS::Heat::None}
        """,
        environments={"env.yaml": ENVIRONMENT},
    )
    assert_exact(outcome)
    source = result.source
    assert 'stack = Template(app, "template")' in source
    assert "stack.environment = Environment(" in source
    assert 'parameters={stack.flavor: "m1.large", "not_in_the_template": 1}' in source
    assert (
        '"server": ResourceSettings(hooks=["pre-create"], restricted_actions=["replace"])'
        in compact(source)
    )
    assert "encrypted_param_names=[stack.flavor]" in source


def test_several_environment_files_merge_into_one_later_ones_winning(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        parameters:
          a: {type: string}
          b: {type: string}
        resources: {}
        """,
        environments={
            "one.yaml": "parameters: {a: one, b: one}\n",
            "two.yaml": "parameters: {b: two}\n",
        },
    )
    assert_exact(outcome)
    assert 'parameters={stack.a: "one", stack.b: "two"}' in result.source
    assert [f.level for f in result.findings] == ["note"]  # the merge


def test_a_note_about_an_unused_registry_mapping_names_the_file_and_line_it_came_from(
    tmp_path: Path,
) -> None:
    result, outcome = import_text(
        tmp_path,
        "heat_template_version: 2018-08-31\nresources: {}\n",
        environments={
            "one.yaml": 'resource_registry:\n  "My::Unused": unused.yaml\n',
            "two.yaml": "parameters: {b: two}\n",
        },
        files={"unused.yaml": "heat_template_version: 2018-08-31\n"},
    )
    assert_exact(outcome)
    (note,) = [f for f in result.findings if "no resource uses" in f.message]
    assert (Path(note.file).name, note.line) == ("one.yaml", 2)


def test_a_single_depends_on_and_a_file_outside_the_folder_round_trip(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        heat_template_version: 2018-08-31
        resources:
          a: {type: OS::Heat::None}
          b:
            type: OS::Heat::None
            depends_on: a
          c:
            type: OS::Heat::SoftwareConfig
            properties:
              config: {get_file: ../outside.sh}
        """,
        files={"../outside.sh": "echo\n"},
        allow_dirs=[tmp_path],  # without it, the file outside the folder is refused
    )
    assert [(f.level, f.line) for f in result.findings] == [("note", 10)]
    assert "still sends it to Heat under its original name" in result.findings[0].message
    assert outcome.differences == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "heat_template_version: 2018-08-31\nresources:\n  a: {type: [x\n",
            r"template.yaml:4: YAML error: while parsing a flow sequence",
        ),
        (
            "heat_template_version: 2018-08-31\nresource:\n  a: {type: x}\n",
            r"template.yaml:2: unknown template section 'resource'; HOT has heat_template_version",
        ),
        (
            "heat_template_version: 2015-04-30\nconditions: {}\nresources: {}\n",
            r"template.yaml:2: unknown template section 'conditions' \(conditions need heat_template_version "
            r"2016-10-14",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n"
            "      value: {get_attr: server}\n",
            r"template.yaml:6: malformed get_attr: write get_attr: \[RESOURCE",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::Value\n    properties:\n"
            "      value: {str_replace: {template: x}}\n",
            r"template.yaml:6: malformed str_replace: its argument must be a mapping with template, params",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::None\n    depends: b\n",
            r"template.yaml:5: resource 'a' has the unknown key 'depends'",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::None\n    depends_on: b\n",
            r"template.yaml:5: resource 'a' depends on 'b', which is not a resource",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::None\n    condition: nope\n",
            r"template.yaml:5: 'nope' is not a condition of this template",
        ),
        (
            "heat_template_version: 2019-01-01\nresources: {}\n",
            r"template.yaml:1: unknown heat_template_version",
        ),
        (
            "heat_template_version: 2018-08-31\nparameters:\n  p: {default: 1}\n",
            r"template.yaml:3: parameter 'p' has "
            "no type",
        ),
        (
            "heat_template_version: 2018-08-31\noutputs:\n  o: {description: x}\n",
            r"template.yaml:3: output 'o' has no "
            "value",
        ),
        (
            "AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n",
            r"template.yaml:1: not a HOT template: it has AWSTemplateFormatVersion, so it is a CloudFormation-format",
        ),
        (
            "resource_registry:\n  A: b.yaml\n",
            r"template.yaml: not a template but a Heat environment file",
        ),
        (
            "packages: [a, b]\n",
            r"template.yaml: not a Heat template: it has no heat_template_version",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::Value\n"
            "    properties:\n      value: {get_param: []}\n",
            r"template.yaml:6: malformed get_param: write get_param: "
            "NAME or",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::Value\n"
            "    properties:\n      value: &x [*x]\n",
            r"template.yaml:6: the YAML contains itself",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::Value\n"
            "    properties: [value, 1]\n",
            r"template.yaml:5: the properties of resource 'r' must be a mapping with string "
            "keys, or a function that gives one, not a list",
        ),
        (
            "heat_template_version: 2018-08-31\nresources:\n  r:\n    type: OS::Heat::Value\n"
            "    properties:\n      value: !!binary aGVsbG8=\n",
            r"template.yaml:6: a value of YAML type binary value",
        ),
    ],
)
def test_bad_input_is_a_clear_error_with_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "template.yaml").write_text(text)
    with pytest.raises(TemplateError, match=message):
        import_template(tmp_path / "template.yaml")


def test_a_json_template_is_imported_too(tmp_path: Path) -> None:
    result, outcome = import_text(
        tmp_path,
        """\
        {"heat_template_version": "2016-10-14",
         "resources": {"value": {"type": "OS::Heat::Value", "properties": {"value": 1e3}}},
         "outputs": {"value": {"value": {"get_attr": ["value", "valu"]}}}}
        """,
        name="template.json",
    )
    assert 'heat.Value(self, "value", value=1000.0)' in result.source
    # line numbers come from reading the same text as YAML
    (finding,) = result.findings
    assert (finding.level, finding.line) == ("invalid", 3)
    assert "has no attribute 'valu'" in finding.message
    assert outcome.invalid


def test_a_bad_environment_is_a_clear_error_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("heat_template_version: 2018-08-31\nresources: {}\n")
    (tmp_path / "env.yaml").write_text("parameters: {a: 1}\nresource_registy:\n  A: b\n")
    with pytest.raises(
        TemplateError, match=r"env.yaml:2: unknown environment section 'resource_registy'"
    ):
        import_template(tmp_path / "template.yaml", [tmp_path / "env.yaml"])


def test_a_yaml_alias_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    lines = [
        "heat_template_version: 2018-08-31",
        "resources:",
        "  r:",
        "    type: OS::Heat::Value",
        "    properties:",
        "      value:",
        "        a0: &a0 [x, x, x, x, x, x, x, x, x, x]",
    ]
    for level in range(1, 8):
        lines.append(f"        a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(
        TemplateError, match=r"bomb.yaml:\d+: the template expands to more than \d+ values"
    ):
        import_template(tmp_path / "bomb.yaml")


def test_the_command_writes_the_module_and_says_how_the_round_trip_went(tmp_path: Path) -> None:
    (tmp_path / "server.yaml").write_text(SERVER)
    done = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "server.yaml", "-o", "infra/app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "wrote infra/app.py (stack class Server)",
        "round trip: synth gives back the same template",
        "next: hotdsl synth --app infra/app.py",
    ]
    assert (
        (tmp_path / "infra" / "app.py")
        .read_text()
        .startswith('"""The Heat template server.yaml, imported by')
    )
    again = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "server.yaml", "-o", "infra/app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert again.returncode == 0  # the same content again is fine


def test_the_command_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "heat_template_version: 2018-08-31\nresources:\n  a: {typ: x}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        == "error: bad.yaml:3: resource 'a' has the unknown key 'typ'; a resource has "
        "type, properties, metadata, depends_on, deletion_policy, update_policy, description, external_id, condition"
    )


def test_the_command_does_not_overwrite_a_different_file(tmp_path: Path) -> None:
    (tmp_path / "server.yaml").write_text(SERVER)
    (tmp_path / "server.py").write_text("# mine\n")
    done = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "server.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 1
    assert "server.py exists; pass --force to overwrite it" in done.stderr
    assert (tmp_path / "server.py").read_text() == "# mine\n"


EXAMPLE = REPO / "examples" / "imported"


def test_the_examples_imported_module_is_what_hotdsl_import_writes_today() -> None:
    result = import_template(EXAMPLE / "original.yaml", line_length=100)
    assert result.source == (EXAMPLE / "imported.py").read_text(encoding="utf-8")


def test_the_refactored_example_keeps_every_name_of_the_original() -> None:
    from hotdsl.importer.parse import read_document
    from hotdsl.importer.roundtrip import differences_between

    original = read_document(EXAMPLE / "original.yaml").data
    golden = (
        REPO
        / "tests"
        / "golden"
        / "expected"
        / "example-imported"
        / "servers-in-new-neutron-net.yaml"
    )
    synthesized = read_document(golden).data
    assert {n: p["type"] for n, p in synthesized["parameters"].items()} == {
        n: p["type"] for n, p in original["parameters"].items()
    }
    assert synthesized["outputs"] == original["outputs"]
    assert {n: r["type"] for n, r in synthesized["resources"].items()} == {
        n: r["type"] for n, r in original["resources"].items()
    }
    # what README.md says the refactoring changed, and nothing else
    assert synthesized["description"] == " ".join(original["description"].split())
    for difference in differences_between(original, synthesized, ""):
        assert (
            re.match(r"(description|parameters\.public_net\.description): template has", difference)
            or re.search(r"\.(network_id|subnet_id|router_id): missing after synth", difference)
            or re.search(r"\.(network|subnet|router): added by synth", difference)
        ), difference


def test_the_command_imports_a_folder_of_templates_and_says_which_come_back(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "server.yaml").write_text(SERVER)
    (folder / "old.yaml").write_text(
        "heat_template_version: 2018-08-31\nresources:\n  a: {type: OS::Heat::None, "
        "depends_on: b}\n  b: {type: OS::Heat::None}\n"
    )
    (folder / "env.yaml").write_text("parameters: {image: fedora}\n")
    (folder / "cfn.yaml").write_text("AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n")
    done = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "templates", "-o", "py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "cfn: cfn.yaml",
        "environment: env.yaml",
        "exact: old.yaml -> py/old/old.py",
        "exact: server.yaml -> py/server/server.py",
        "2 of 2 templates come back exactly; 1 cfn, 1 environment",
    ]
