"""A target Heat release: what an older Heat lacks is a synth problem with the user's line.

`[tool.hotdsl] heat = "2023.1"` or `hotdsl synth --heat RELEASE` names the Heat the
cloud runs. A template version, resource type or property newer than that release is
an error; one that the release has deprecated, hidden or marks unsupported is a
warning. The facts come from the support status Heat records on every type and
property (stdlib/spec/heat-resource-types.json) and from hotdsl.releases' table of
series, release ids and Heat versions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from hotdsl import App, Resource, Stack, SynthError, list_concat
from hotdsl.nested import NestedStack
from hotdsl.releases import (
    LATEST_RELEASE,
    RELEASES,
    TEMPLATE_VERSION_FIRST_RELEASE,
    availability,
    heat_release,
    heat_version_ordinal,
)
from hotdsl.sandbox import HEAT_VERSION
from hotdsl.synth import synth_stack, synthesize
from hotdsl.versions import TEMPLATE_VERSIONS

SPEC = json.loads(
    (Path(__file__).parent.parent / "stdlib/spec/heat-resource-types.json").read_text()
)
TYPES: dict[str, Any] = SPEC["resource_types"]


# --- the release table ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "series"),
    [
        ("2023.1", "antelope"),
        ("Antelope", "antelope"),
        ("20", "antelope"),
        ("20.0.0", "antelope"),
        ("20.0.1", "antelope"),
        ("2026.1", "gazpacho"),
        ("26.0.1", "gazpacho"),
        ("27.0.1", "hibiscus"),
        ("2026.2", "hibiscus"),
        ("zed", "zed"),
        ("19.0.0", "zed"),
        ("pike", "pike"),
        ("9.0.0", "pike"),
        ("5.0.0", "liberty"),
        ("2015.1.0", "kilo"),
        ("2014.2", "juno"),
        ("2014.1", "icehouse"),
        ("2013.2", "havana"),
        (" rocky ", "rocky"),
    ],
)
def test_a_release_is_named_by_id_series_or_heat_version(text: str, series: str) -> None:
    assert heat_release(text).series == series


@pytest.mark.parametrize("text", ["28", "28.0.0", "2022.1", "4.0.0", "folsom", "", "20.x"])
def test_an_unknown_release_is_refused_saying_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape("give a release id (2023.1 to 2026.2)")):
        heat_release(text)


def test_the_newest_release_is_the_heat_hotdsl_is_made_from() -> None:
    assert heat_release(HEAT_VERSION) is LATEST_RELEASE
    assert heat_release(SPEC["heat_version"]) is LATEST_RELEASE
    assert [r.ordinal for r in RELEASES] == list(range(len(RELEASES)))
    assert str(heat_release("2023.1")) == "Heat 20.0.0 (2023.1 antelope)"
    assert str(heat_release("kilo")) == "Heat 2015.1 (kilo)"


def test_every_template_version_has_its_first_release() -> None:
    assert list(TEMPLATE_VERSION_FIRST_RELEASE) == list(TEMPLATE_VERSIONS)
    assert heat_release("2023.1").template_version == "2021-04-16"
    assert heat_release("victoria").template_version == "2018-08-31"
    assert heat_release("rocky").template_version == "2018-08-31"
    assert heat_release("ocata").template_version == "2017-02-24"
    assert heat_release("juno").template_version == "2014-10-16"
    assert heat_release("grizzly").template_version is None


def _statuses(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    status = schema.get("support_status")
    while status:
        yield status
        status = status["previous_status"]
    for nested in (schema.get("schema") or {}).values():
        yield from _statuses(nested)
    for prop in (schema.get("properties") or {}).values():
        yield from _statuses(prop)


def test_every_version_in_heats_support_statuses_names_a_known_release() -> None:
    versions = {s["version"] for t in TYPES.values() for s in _statuses(t) if s["version"]}
    assert len(versions) > 20
    for version in versions:
        ordinal = heat_version_ordinal(version)
        assert ordinal is not None and ordinal <= LATEST_RELEASE.ordinal, version


# --- support status at a release --------------------------------------------------------------


def status_at(support_status: Mapping[str, Any], release: str) -> str:
    found = availability(support_status, heat_release(release))
    return found.status if found.exists else "MISSING"


def test_a_type_exists_from_its_since_version_on() -> None:
    trunk = TYPES["OS::Neutron::Trunk"]["support_status"]  # SUPPORTED since 9.0.0
    assert status_at(trunk, "ocata") == "MISSING"
    assert status_at(trunk, "pike") == "SUPPORTED"


def test_each_status_holds_from_its_own_version() -> None:
    # HIDDEN 6.0.0 <- DEPRECATED 2015.1 <- SUPPORTED 2014.1
    l3 = TYPES["OS::Neutron::Router"]["properties"]["l3_agent_id"]["support_status"]
    assert [status_at(l3, r) for r in ("havana", "icehouse", "juno", "kilo", "mitaka", "zed")] == [
        "MISSING",
        "SUPPORTED",
        "SUPPORTED",
        "DEPRECATED",
        "HIDDEN",
        "HIDDEN",
    ]


def test_a_chain_that_starts_deprecated_is_of_something_older() -> None:
    domain = TYPES["AWS::EC2::EIP"]["properties"]["Domain"]["support_status"]  # DEPRECATED 9.0.0
    assert status_at(domain, "havana") == "SUPPORTED"
    assert status_at(domain, "pike") == "DEPRECATED"


def test_experimental_types_start_unsupported_at_their_version() -> None:
    pair = TYPES["OS::Neutron::PortPair"]["support_status"]  # UNSUPPORTED since 7.0.0
    assert status_at(pair, "mitaka") == "MISSING"
    assert status_at(pair, "newton") == "UNSUPPORTED"
    assert status_at(TYPES["OS::Neutron::ExtraRoute"]["support_status"], "havana") == "UNSUPPORTED"


# --- synth with a target release --------------------------------------------------------------


def problems(stack: Stack, release: str) -> list[str]:
    with pytest.raises(SynthError) as error:
        synth_stack(stack, heat_release(release))
    return [str(p) for p in error.value.problems]


def warnings(app: App, release: str) -> list[str]:
    return [str(w) for w in synthesize(app, heat=heat_release(release)).warnings]


HERE = "tests/test_releases.py:"


def test_a_type_newer_than_the_release_is_a_problem_at_its_line() -> None:
    stack = Stack(App(), "demo", template_version="2017-02-24")
    Resource(stack, "trunk", type="OS::Neutron::Trunk", properties={"port": "p"})
    (problem,) = problems(stack, "ocata")
    assert problem.startswith(HERE)
    assert problem.endswith(
        "demo/trunk: OS::Neutron::Trunk is new in Heat 9.0.0 (pike), "
        "newer than the target Heat 8.0.0 (ocata)"
    )
    synth_stack(stack, heat_release("pike"))


def test_a_typed_class_is_checked_the_same_way() -> None:
    from hotdsl.stdlib.neutron import Trunk

    stack = Stack(App(), "demo", template_version="2017-02-24")
    Trunk(stack, "trunk", port="p")
    (problem,) = problems(stack, "8.0.0")
    assert problem.startswith(HERE) and "OS::Neutron::Trunk is new in Heat 9.0.0" in problem


def test_a_property_newer_than_the_release_is_a_problem_at_its_resource() -> None:
    stack = Stack(App(), "demo", template_version="2017-02-24")
    Resource(
        stack,
        "subnet",
        type="OS::Neutron::Subnet",
        properties={"network": "n", "cidr": "10.0.0.0/24", "segment": "s"},
    )
    (problem,) = problems(stack, "ocata")
    assert problem.startswith(HERE)
    assert "property 'segment' of OS::Neutron::Subnet is new in Heat 9.0.0 (pike)" in problem


def test_a_nested_property_is_found_inside_list_items() -> None:
    # OS::Nova::Server networks[*].tag is new in 9.0.0 (pike); networks[*].network is older
    stack = Stack(App(), "demo", template_version="2017-02-24")
    Resource(
        stack,
        "server",
        type="OS::Nova::Server",
        properties={"image": "i", "flavor": "f", "networks": [{"network": "n"}, {"tag": "t"}]},
    )
    (problem,) = problems(stack, "ocata")
    assert "property 'networks[1].tag' of OS::Nova::Server is new in Heat 9.0.0 (pike)" in problem


def test_a_template_version_newer_than_the_release_is_a_problem_at_the_stack() -> None:
    stack = Stack(App(), "demo")  # 2021-04-16, the default
    Resource(stack, "r", type="OS::Heat::None")
    (problem,) = problems(stack, "ussuri")
    assert problem.startswith(HERE)
    assert problem.endswith(
        "demo: heat_template_version 2021-04-16 (wallaby) is new in Heat 16.0.0 (wallaby), "
        "newer than the target Heat 14.0.0 (ussuri); pass template_version='2018-08-31' "
        "(the newest it has) to the Stack"
    )
    lowered = Stack(App(), "demo", template_version="2018-08-31")
    Resource(lowered, "r", type="OS::Heat::None")
    synth_stack(lowered, heat_release("ussuri"))


def test_a_function_newer_than_the_release_is_a_problem_at_its_line() -> None:
    # A function newer than a release needs a template version newer than the release:
    # with the version the release has, synth names the function at its own line.
    stack = Stack(App(), "demo", template_version="2017-02-24")
    Resource(stack, "v", type="OS::Heat::Value", properties={"value": list_concat(["a"], ["b"])})
    (problem,) = problems(stack, "ocata")
    assert problem.startswith(HERE)
    assert "list_concat needs heat_template_version 2017-09-01 (pike) or newer" in problem


def test_a_nested_stacks_template_version_is_checked_too() -> None:
    stack = Stack(App(), "demo", template_version="2017-02-24")
    inner = NestedStack(stack, "inner", template_version="2018-03-02")
    Resource(inner, "r", type="OS::Heat::None")
    (problem,) = problems(stack, "ocata")
    assert "demo/inner: heat_template_version 2018-03-02 (queens) is new in Heat 10.0.0" in problem


def test_retired_types_and_properties_are_warnings_with_their_line() -> None:
    app = App()
    stack = Stack(app, "demo")
    Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={"meter_name": "m", "threshold": 1})
    Resource(
        stack,
        "subnet",
        type="OS::Neutron::Subnet",
        properties={"network_id": "n", "cidr": "10.0.0.0/24"},
    )
    Resource(stack, "route", type="OS::Neutron::ExtraRoute")
    found = warnings(app, "2023.1")
    assert len(found) == 3 and all(w.startswith(HERE) for w in found), found
    assert "demo/alarm: OS::Aodh::Alarm is deprecated since Heat 10.0.0 (queens): " in found[0]
    assert "Use OS::Aodh::GnocchiAggregationByResourcesAlarm instead." in found[0]
    assert found[1].endswith(
        "demo/subnet: property 'network_id' of OS::Neutron::Subnet is retired since Heat 5.0.0 "
        "(liberty) (Heat accepts it but no longer documents it): use 'network' instead"
    )
    assert "demo/route: OS::Neutron::ExtraRoute is unsupported in Heat 20.0.0" in found[2]
    # before queens the alarm was not deprecated yet
    assert not any("Aodh" in w for w in warnings(app_with_alarm("2017-09-01"), "pike"))


def app_with_alarm(version: str) -> App:
    app = App()
    stack = Stack(app, "demo", template_version=version)
    Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={"meter_name": "m", "threshold": 1})
    return app


def test_without_a_target_release_nothing_changes() -> None:
    app = App()
    stack = Stack(app, "demo")
    Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={"meter_name": "m", "threshold": 1})
    assert synthesize(app).warnings == ()
    assert synthesize(app, heat=LATEST_RELEASE).warnings != ()


# --- the command line and the project settings ------------------------------------------------

APP = """\
from hotdsl import App, Resource, Stack
app = App()
stack = Stack(app, "demo", template_version="2017-02-24")
Resource(stack, "trunk", type="OS::Neutron::Trunk", properties={"port": "p"})
Resource(stack, "alarm", type="OS::Aodh::Alarm", properties={"meter_name": "m", "threshold": 1})
"""


def hotdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )


def project(tmp_path: Path, heat: str | None) -> Path:
    (tmp_path / "app.py").write_text(APP)
    setting = f'heat = "{heat}"\n' if heat is not None else ""
    (tmp_path / "pyproject.toml").write_text(f'[tool.hotdsl]\napp = "app.py"\n{setting}')
    return tmp_path


def test_cli_heat_option_makes_a_missing_type_a_problem(tmp_path: Path) -> None:
    result = hotdsl("synth", "--heat", "ocata", cwd=project(tmp_path, None))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "app.py:4: demo/trunk: OS::Neutron::Trunk is new in Heat 9.0.0 (pike)" in result.stderr
    assert not (tmp_path / "hot.out").exists()


def test_pyproject_heat_setting_applies_and_the_option_overrides_it(tmp_path: Path) -> None:
    folder = project(tmp_path, "8.0.0")
    refused = hotdsl("synth", cwd=folder)
    assert refused.returncode == 1 and "newer than the target Heat 8.0.0 (ocata)" in refused.stderr
    passed = hotdsl("synth", "--heat", "2023.1", cwd=folder)
    assert passed.returncode == 0, passed.stderr
    assert "warning: app.py:5: demo/alarm: OS::Aodh::Alarm is deprecated since" in passed.stderr


def test_a_bad_release_is_a_short_error(tmp_path: Path) -> None:
    result = hotdsl("synth", "--heat", "2022.1", cwd=project(tmp_path, None))
    assert result.returncode == 1
    assert result.stderr.startswith("error: --heat: unknown Heat release '2022.1'")
    configured = hotdsl("synth", cwd=project(tmp_path, "latest"))
    assert configured.returncode == 1 and "Traceback" not in configured.stderr
    assert "pyproject.toml: [tool.hotdsl] heat: unknown Heat release 'latest'" in configured.stderr
