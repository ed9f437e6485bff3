"""`hotdsl import` over real templates: every shape Heat accepts, and a public corpus.

First, small templates for each shape of HOT that Heat accepts and the importer once
refused or changed (`SHAPES`): Heat's own validation (the `heat_validator` sandbox)
must accept the original, the import must synthesize back the same data, Heat must
accept what synth writes, and the sandbox must deploy it.

Then the HOT templates of the public openstack/heat-templates repository. Every file
of the corpus is surveyed: HOT templates are imported, synthesized and compared with
the original; environment files are imported together with the templates that use
them; the rest (CloudFormation templates, other YAML) are counted apart. Files the
templates read with `get_file` are not in the corpus (it keeps only YAML), so they get
empty stand-ins. Every difference must be one hotdsl's own synth makes on purpose, and
every generated module must pass `mypy --strict` and be formatted as `ruff format`
formats it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from hotdsl.importer.roundtrip import import_and_check
from hotdsl.importer.survey import Survey, SurveyEntry, heat_check, original_request, survey

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus" / "heat-templates"


SOFTWARE_CONFIG = "software-config/example-templates"
BOOT_CONFIG = "software-config/boot-config"
ENVIRONMENT_PAIRS = [
    *(
        (f"{SOFTWARE_CONFIG}/example-config-pristine-image.yaml", [f"{BOOT_CONFIG}/{env}"])
        for env in (
            "centos7_rdo_env.yaml",
            "container_agent_env.yaml",
            "fedora_pip_env.yaml",
            "fedora_yum_env.yaml",
            "none_env.yaml",
            "test_image_env.yaml",
            "ubuntu_pip_env.yaml",
        )
    ),
    (
        f"{SOFTWARE_CONFIG}/example-config-pristine-image.yaml",
        [f"{SOFTWARE_CONFIG}/example-config-pristine-image_env.yaml"],
    ),
    (
        f"{SOFTWARE_CONFIG}/example-pristine-atomic-docker-compose.yaml",
        [f"{SOFTWARE_CONFIG}/example-pristine-atomic-docker-compose_env.yaml"],
    ),
    (
        f"{SOFTWARE_CONFIG}/example-pristine-atomic-tool.yaml",
        [f"{SOFTWARE_CONFIG}/example-pristine-atomic-tool_env.yaml"],
    ),
    (
        "mistral/templates/autoscaling_using_mistral.yaml",
        ["mistral/nova_networking_server_with_ip_env.yaml"],
    ),
]
"""Each environment file of the corpus, with a template that uses it (as its README says)."""

HEAT_AGENTS = CORPUS.parents[1] / "heat-agents"
"""Where the boot-config templates read the agent scripts from (`get_file: ../../../../../
heat-agents/...`), outside the corpus: allowed, as a user would with --allow-dir."""

KNOWN_DIFFERENCES: dict[str, re.Pattern[str]] = {}
"""What hotdsl's synth writes differently from the template on purpose: nothing at present."""

EXPECTED_INVALID = {
    "octavia/servers_with_octavia.yaml": "OS::Octavia::HealthMonitor has no property 'max_retries_down'",
}
"""Templates that Heat (27, the schema hotdsl knows) rejects, and why."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Survey:
    if not CORPUS.is_dir():
        pytest.skip(
            f"the template corpus is not at {CORPUS} "
            "(../shared/corpus/heat-templates beside the repository)"
        )
    pairs = [(Path(t), [Path(e) for e in envs]) for t, envs in ENVIRONMENT_PAIRS]
    return survey(
        CORPUS, tmp_path_factory.mktemp("corpus"), environments=pairs, allow_dirs=[HEAT_AGENTS]
    )


def reason(entry: SurveyEntry) -> str:
    reasons = set()
    for difference in entry.detail:
        matched = [
            name for name, pattern in KNOWN_DIFFERENCES.items() if pattern.search(difference)
        ]
        reasons.add(matched[0] if matched else f"UNEXPECTED: {difference}")
    return "; ".join(sorted(reasons))


def report(corpus: Survey, *, detail: bool = True) -> str:
    templates = [e for e in corpus.templates if "+" not in str(e.path)]
    with_env = [e for e in corpus.templates if "+" in str(e.path)]
    exact = [e for e in templates if e.outcome == "exact"]
    lines = [
        f"corpus: {len(exact)} of {len(templates)} HOT templates round-trip exactly; "
        f"{sum(e.outcome == 'exact' for e in with_env)} of {len(with_env)} template + environment pairs; "
        f"not HOT templates: {len(corpus.of('environment'))} environment files, "
        f"{len(corpus.of('cfn'))} CloudFormation templates, {len(corpus.of('other'))} other YAML files"
    ]
    reasons = Counter(reason(e) for e in corpus.of("differs"))
    lines.extend(f"  differ ({count}): {why}" for why, count in sorted(reasons.items()))
    for entry in corpus.of("invalid", "rejected"):
        lines.append(f"  {entry.outcome}: {entry.path}: {entry.detail[0] if entry.detail else ''}")
    if detail:
        lines.extend(f"  differs: {e.path}: {reason(e)}" for e in corpus.of("differs"))
    return "\n".join(lines)


def test_every_corpus_template_is_imported_and_synthesized_back(
    corpus: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    text = report(corpus)
    with capsys.disabled():
        print("\n" + report(corpus, detail=False))
    assert not corpus.of("rejected"), text
    assert "UNEXPECTED" not in text, text
    invalid = {str(e.path): e.detail for e in corpus.of("invalid")}
    assert invalid.keys() == EXPECTED_INVALID.keys(), text
    for path, why in EXPECTED_INVALID.items():
        assert any(why in detail for detail in invalid[path]), invalid[path]
    exact = [e for e in corpus.templates if e.outcome == "exact" and "+" not in str(e.path)]
    assert len(exact) >= 89, text
    with_env = [e for e in corpus.templates if "+" in str(e.path)]
    assert all(e.outcome == "exact" for e in with_env), text


def test_the_corpus_has_what_the_survey_counts_apart(corpus: Survey) -> None:
    assert len(corpus.of("environment")) == 11  # each also imported with a template that uses it
    assert {str(e.path) for e in corpus.of("other")} >= {
        "software-config/example-templates/config-scripts/example-docker-compose.yml",
        "software-config/test-image/elements/python-dev/package-installs.yaml",
    }
    assert not corpus.of("cfn")  # the repository keeps its CloudFormation templates apart


def modules(corpus: Survey) -> list[Path]:
    return [e.module for e in corpus.templates if e.module is not None]


def test_every_generated_module_passes_mypy_strict(corpus: Survey) -> None:
    found = modules(corpus)
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--scripts-are-modules",
            *map(str, found),
        ],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]
    assert f"no issues found in {len(found)} source files" in checked.stdout


def test_every_generated_module_is_formatted_as_ruff_formats_it(corpus: Survey) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    found = modules(corpus)
    checked = subprocess.run(
        [str(ruff), "format", "--isolated", "--check", "--diff", *map(str, found)],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]


def test_every_generated_module_is_clean_under_ruff_check(corpus: Survey) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    found = modules(corpus)
    # run where the modules are: in the repository, ruff would take hotdsl for first-party code
    checked = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "E4,E7,E9,F,I,B,RUF", *map(str, found)],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]


@pytest.mark.heat
def test_heat_accepts_each_synthesized_template_unless_the_survey_found_it_invalid(
    corpus: Survey, heat_validator: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Heat's own validation (Heat 27, real resource types) of what the modules synthesize.

    It must accept what the survey calls exact or differing, and reject what the survey
    calls invalid. Heat also rejects types it no longer has or whose service the
    validator's catalog lacks; such templates are listed, as invalid for this Heat.
    """
    from hotdsl.deploy.validation import validate_out_dir
    from hotdsl.project import load_app
    from hotdsl.synth import synth

    verdicts: dict[str, str] = {}
    for index, entry in enumerate(corpus.templates):
        assert entry.module is not None
        out = tmp_path / f"out{index}"
        synth(load_app(str(entry.module), entry.module.parent), out)
        rejected = [v.message for v in validate_out_dir(heat_validator.conn, out) if not v.ok]
        verdicts[str(entry.path)] = rejected[0] if rejected else ""
    for path in EXPECTED_INVALID:
        assert EXPECTED_INVALID[path].split("no property ")[-1].strip("'") in verdicts[path], (
            verdicts[path]
        )
    others = {path: why for path, why in verdicts.items() if why and path not in EXPECTED_INVALID}
    with capsys.disabled():
        print(
            f"\nHeat 27 validation: accepts {sum(not why for why in verdicts.values())} of {len(verdicts)}"
        )
        for path, why in sorted(others.items()):
            print(f"  rejects {path}: {why[:160]}")
    assert all(re.search(HEAT_LACKS, why) for why in others.values()), others


HEAT_LACKS = (
    r"could not be found|is not registered|not available|Service .* does not have required endpoint"
)
"""What Heat says about a type it does not have (any more) or a service the catalog lacks."""


# --- shapes Heat accepts: each imports, comes back as the same data, validates and deploys ---


@attrs.frozen
class Shape:
    """A small template of one shape Heat accepts, the files it nests, and what the
    generated module must say about it."""

    template: str
    files: dict[str, str] = attrs.field(factory=dict)
    code: tuple[str, ...] = ()
    """Text the generated module holds (after `compact`)."""
    findings: tuple[tuple[str, int | None, str], ...] = ()
    """(level, line, text) of findings the import must report."""


CHILD = """\
heat_template_version: 2018-08-31
parameters:
  size: {type: number, default: 1}
resources:
  value:
    type: OS::Heat::Value
    properties:
      value: {get_param: size}
outputs:
  size: {value: {get_attr: [value, value]}}
"""

SHAPES: dict[str, Shape] = {
    "os_heat_stack_is_a_remote_stack": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          region: {type: string, default: RegionOne}
        resources:
          far:
            type: OS::Heat::Stack
            properties:
              context: {region_name: {get_param: region}}
              template: {get_file: child.yaml}
              parameters: {size: 3}
              timeout: 10
          name:
            type: OS::Heat::Value
            properties:
              value: {list_join: ["-", [{get_attr: [far, stack_name]}, "x"]]}
        outputs:
          size: {value: {get_attr: [far, outputs, size]}}
          everything: {value: {get_attr: [far, outputs]}}
        """,
        {"child.yaml": CHILD},
        code=(
            "class Child(RemoteStack):",
            'far = Child(self, "far", parameters={"size": 3}, '
            "context=RemoteContext(region_name=self.region), timeout_mins=10)",
            "far.remote_stack_name",
            'far.get_output("size")',
            'get_attr(far, "outputs")',
        ),
    ),
    "one_template_for_remote_stacks_in_two_regions": Shape(
        """\
        heat_template_version: 2018-08-31
        resources:
          one:
            type: OS::Heat::Stack
            properties:
              context: {region_name: RegionOne}
              template: {get_file: child.yaml}
              parameters: {size: 1}
          two:
            type: OS::Heat::Stack
            properties:
              context: {region_name: RegionOne}
              template: {get_file: child.yaml}
              parameters: {size: 2}
        """,
        {"child.yaml": CHILD},
        code=(
            "class Child(RemoteStack):",
            'Child(self, "one", parameters={"size": 1}, '
            'context=RemoteContext(region_name="RegionOne"))',
            'Child(self, "two", parameters={"size": 2}, '
            'context=RemoteContext(region_name="RegionOne"))',
        ),
    ),
    "a_template_resource_used_once_is_a_nested_stack": Shape(
        """\
        heat_template_version: 2018-08-31
        resources:
          tier:
            type: child.yaml
            properties: {size: 2}
          marker:
            type: OS::Heat::Value
            properties:
              value: {get_resource: tier}
        outputs:
          size: {value: {get_attr: [tier, size]}}
          all: {value: {get_attr: [tier]}}
          inner: {value: {get_attr: [tier, empty]}}
        """,
        {
            "child.yaml": CHILD.replace(
                "resources:",
                "resources:\n  empty:\n    type: empty.yaml",
            ),
            "empty.yaml": "heat_template_version: 2018-08-31\noutputs:\n  none: {value: 0}\n",
        },
        code=(
            "class Child(NestedStack):",
            'tier = Child(self, "tier", parameters={"size": 2})',
            "class Empty(NestedStack):",
            "self.write_empty_resources = False",
            "value=get_resource(tier)",
            'tier.get_output("size")',
            "get_attr(tier)",
        ),
    ),
    "a_template_two_resources_share_is_a_template_resource": Shape(
        """\
        heat_template_version: 2018-08-31
        resources:
          one: {type: child.yaml, properties: {size: 1}}
          two: {type: child.yaml, depends_on: one}
        """,
        {"child.yaml": CHILD},
        code=(
            "class Child(TemplateResource):",
            'one = Child(self, "one", properties={"size": 1})',
            'Child(self, "two", depends_on=one)',
        ),
    ),
    "map_merge_of_a_function": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          names: {type: comma_delimited_list, default: "a,b"}
        resources:
          flags:
            type: OS::Heat::Value
            properties:
              value:
                map_merge:
                  repeat:
                    template: {<%name%>: true}
                    for_each: {<%name%>: {get_param: names}}
          lists:
            type: OS::Heat::Value
            properties:
              value:
                list_concat:
                  repeat:
                    template: [<%name%>]
                    for_each: {<%name%>: {get_param: names}}
        """,
        code=('{"map_merge": repeat(', '{"list_concat": repeat('),
    ),
    "keys_heat_ignores_in_repeat_str_replace_and_outputs": Shape(
        """\
        heat_template_version: 2016-10-14
        resources:
          items:
            type: OS::Heat::Value
            properties:
              value:
                repeat:
                  template: item-<%i%>
                  for_each: {<%i%>: [a, b]}
                  permutations: false
          text:
            type: OS::Heat::Value
            properties:
              value:
                str_replace:
                  template: hello NAME
                  params: {NAME: world}
                  comment: Heat reads only template and params
        outputs:
          items:
            value: {get_attr: [items, value]}
            label: Heat ignores this key
        """,
        code=('extra_keys={"label": "Heat ignores this key"}',),
        findings=(
            ("note", 10, "repeat has the key 'permutations', which Heat ignores"),
            ("note", 18, "str_replace has the key 'comment', which Heat ignores"),
            ("note", 22, "output 'items' has the key 'label', which Heat ignores"),
        ),
    ),
    "a_deletion_policy_from_a_parameter": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          policy: {type: string, default: Retain}
        resources:
          kept:
            type: OS::Heat::Value
            deletion_policy: {get_param: policy}
            properties: {value: kept}
        """,
        code=("deletion_policy=self.policy",),
    ),
    "conditions_defined_as_condition_functions": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          env: {type: string, default: prod}
          flag: {type: boolean, default: true}
        conditions:
          by_yaql:
            yaql:
              expression: $.data.env = prod
              data: {env: {get_param: env}}
          by_contains: {contains: [{get_param: env}, [prod, staging]]}
          by_param: {get_param: flag}
          by_not: {not: by_param}
          by_and: {and: [by_yaql, by_contains]}
          by_or: {or: [by_not, {equals: [{get_param: env}, dev]}]}
          always: true
        resources:
          value:
            type: OS::Heat::Value
            condition: {and: [by_and, always]}
            properties:
              value: {if: [by_or, yes, {if: [{not: by_param}, maybe, no]}]}
        outputs:
          shown:
            condition: {get_param: flag}
            value: {get_attr: [value, value]}
        """,
        code=('yaql("$.data.env = prod"', "contains(self.env"),
    ),
    "properties_and_metadata_given_as_one_function": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          big: {type: boolean, default: false}
          meta: {type: json, default: {role: web}}
        conditions:
          is_big: {get_param: big}
        resources:
          none:
            type: OS::Heat::None
            metadata: {get_param: meta}
            properties:
              if: [is_big, {size: large}, {size: small}]
        """,
        code=("resource_metadata=cast(Any, self.meta)", "properties=cast(Any, if_("),
    ),
    "get_param_written_as_a_one_item_list": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          name: {type: string, default: web}
        resources:
          value:
            type: OS::Heat::Value
            properties:
              value: {get_param: [name]}
          stack:
            type: OS::Heat::Value
            properties:
              value: {get_param: [OS::stack_name]}
        """,
        code=("get_param(self.name, listed=True)", 'get_param("OS::stack_name", listed=True)'),
    ),
    "no_resources_section": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          name: {type: string, default: web}
        outputs:
          name: {value: {get_param: name}}
        """,
        code=("self.write_empty_resources = False",),
    ),
    "an_undeclared_parameter_where_heat_never_looks": Shape(
        """\
        heat_template_version: 2018-08-31
        parameters:
          env: {type: string, default: prod}
        conditions:
          unused: {equals: [{get_param: nowhere}, x]}
          prod: {equals: [{get_param: env}, prod]}
        resources:
          value:
            type: OS::Heat::Value
            properties:
              value: {if: [prod, ok, {get_param: [missing]}]}
        """,
        code=('undeclared_param("nowhere")', 'undeclared_param("missing", listed=True)'),
        findings=(
            ("warning", 5, "get_param refers to 'nowhere', which is not a parameter"),
            ("warning", 11, "get_param refers to 'missing', which is not a parameter"),
        ),
    ),
}


def write_shape(folder: Path, shape: Shape) -> Path:
    for name, text in {"template.yaml": shape.template, **shape.files}.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder / "template.yaml"


def compact(source: str) -> str:
    """The code without the line breaks of its layout: `f(\n    a,\n)` -> `f(a)`."""
    text = re.sub(r"([(\[{])\s+", r"\1", source)
    text = re.sub(r",?\s+([)\]}])", r"\1", text)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", list(SHAPES))
def test_a_shape_heat_accepts_imports_and_comes_back_as_the_same_data(
    name: str, tmp_path: Path
) -> None:
    shape = SHAPES[name]
    (tmp_path / "src").mkdir()
    template = write_shape(tmp_path / "src", shape)
    result, outcome = import_and_check(template, out=tmp_path / "out" / "module.py")
    assert outcome.exact, (outcome.error, outcome.invalid, outcome.differences)
    assert not result.findings_of("invalid"), result.findings
    assert not result.findings_of("inexact"), result.findings
    code = compact(result.source)
    for text in shape.code:
        assert text in code, result.source
    found = [(f.level, f.line, f.message) for f in result.findings]
    for level, line, text in shape.findings:
        assert any((lvl, ln) == (level, line) and text in message for lvl, ln, message in found), (
            found
        )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "module.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "out",
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.heat
@pytest.mark.parametrize("name", list(SHAPES))
def test_heat_accepts_each_shape_as_written_and_as_synthesized_and_the_sandbox_deploys_it(
    name: str, tmp_path: Path, heat_validator: Any, heat_sandbox: Any
) -> None:
    from hotdsl.deploy.validation import validate_out_dir
    from hotdsl.project import load_app
    from hotdsl.synth import synth

    (tmp_path / "src").mkdir()
    template = write_shape(tmp_path / "src", SHAPES[name])
    result, outcome = import_and_check(template, out=tmp_path / "out" / "module.py")
    assert outcome.exact, outcome.differences
    heat = heat_check(heat_validator.conn)
    assert heat(original_request(result)) is None  # Heat's own verdict on the template
    out = tmp_path / "synth"
    synth(load_app(str(tmp_path / "out" / "module.py"), tmp_path / "out"), out)
    assert [v.message for v in validate_out_dir(heat_validator.conn, out) if not v.ok] == []
    assert outcome.request is not None
    request = outcome.request
    stack = heat_sandbox.create(
        yaml.safe_load(request["template"]),
        files=request["files"],
        environment=request["environment"],
    )
    heat_sandbox.delete(stack)


def test_synth_keeps_an_undeclared_get_param_written_by_hand_an_error() -> None:
    from hotdsl import App, Condition, Stack, equals, get_param
    from hotdsl.errors import SynthError
    from hotdsl.synth import synthesize

    app = App()
    stack = Stack(app, "mine")
    Condition(stack, "unused", equals(get_param("nowhere"), "x"))
    with pytest.raises(SynthError, match="get_param refers to 'nowhere', which is not a param"):
        synthesize(app)


def test_child_stacks_may_share_a_template_file_only_if_they_give_the_same_template() -> None:
    from hotdsl import App, Output, RemoteStack, Stack
    from hotdsl.errors import SynthError
    from hotdsl.synth import synthesize

    class Region(RemoteStack):
        def __init__(self, scope: Stack, id: str, *, value: str) -> None:
            super().__init__(scope, id, template_file="region.yaml")
            Output(self, "value", value=value)

    app = App()
    stack = Stack(app, "same")
    Region(stack, "one", value="x")
    Region(stack, "two", value="x")
    (synthesized,) = synthesize(app).stacks
    assert list(synthesized.files) == ["region.yaml"]
    app = App()
    stack = Stack(app, "different")
    Region(stack, "one", value="x")
    Region(stack, "two", value="y")
    with pytest.raises(
        SynthError, match=r"two different files would both be sent as 'region\.yaml'"
    ):
        synthesize(app)


def test_a_condition_defined_as_another_conditions_name_is_invalid_as_heat_says() -> None:
    from hotdsl.importer import import_template

    folder = Path(tempfile.mkdtemp())
    (folder / "t.yaml").write_text(
        "heat_template_version: 2018-08-31\nconditions:\n  a: true\n  b: a\n"
        "resources:\n  r: {type: OS::Heat::None, condition: b}\n"
    )
    result = import_template(folder / "t.yaml")
    (finding,) = result.findings_of("invalid")
    assert finding.line == 4
    assert "condition 'b' is defined as the name of another condition ('a')" in finding.message


CLOUD = "hotdsl-sandbox"
"""The clouds.yaml entry of a sandbox (`hotdsl.sandbox.CLOUD_NAME`)."""


@pytest.mark.heat
def test_folder_mode_labels_templates_by_heats_verdict_and_names_hotdsls_rule(
    tmp_path: Path, heat_validator: Any
) -> None:
    """Heat's validation does not check that required properties are there (only a
    create does): hotdsl's check is then stricter (`stricter`, with the rule); empty
    sections come back left out, which Heat reads alike (`equivalent`); a condition
    defined as another condition's name Heat rejects (`invalid`)."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "exact.yaml").write_text(textwrap.dedent(SHAPES["no_resources_section"].template))
    (folder / "stricter.yaml").write_text(
        "heat_template_version: 2018-08-31\nresources:\n  word:\n    type: OS::Heat::Value\n"
    )
    (folder / "alike.yaml").write_text(
        "heat_template_version: 2018-08-31\nparameters: {}\nresources:\n"
        "  a: {type: OS::Heat::None, depends_on: [b, b]}\n  b: {type: OS::Heat::None}\n"
    )
    (folder / "invalid.yaml").write_text(
        "heat_template_version: 2018-08-31\nconditions:\n  a: true\n  b: a\n"
        "resources:\n  r: {type: OS::Heat::None, condition: b}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "import", "templates", "-o", "py", "--cloud", CLOUD],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PYTHONPATH": "",
            "OS_CLIENT_CONFIG_FILE": str(heat_validator.clouds_file),
        },
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "equivalent: alike.yaml -> py/alike/alike.py: hotdsl's rule: the parameters section "
        "is empty; hotdsl leaves empty sections out"
    ), lines
    assert lines[1] == "exact: exact.yaml -> py/exact/exact.py", lines
    assert lines[2].startswith(
        "invalid: invalid.yaml -> py/invalid/invalid.py: Heat: Condition validation error: "
        'The definition of condition "b" is invalid'
    ), lines
    assert lines[3].startswith(
        "stricter: stricter.yaml -> py/stricter/stricter.py: Heat accepts it; hotdsl's "
        "check: resource 'word' is written as a generic Resource: it leaves out 'value'"
    ), lines
    assert lines[4] == (
        "1 of 4 templates come back exactly; 1 equivalent, 1 invalid, 1 stricter "
        "(valid and invalid as Heat says)"
    )
