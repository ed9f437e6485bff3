"""mypy sees the mistakes in typed resource code before it runs.

Each snippet below is a small user program; one `mypy --strict` run checks them all
(as separate files), and each test asserts the error mypy gives for its snippet. The
correct program must pass without a single error. mypy runs from a temporary folder,
so that the repository's source folders do not shadow the installed package.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEADER = """\
from hotdsl import App, Output, Parameter, Stack, get_attr
from hotdsl.stdlib.heat import ResourceGroup, ResourceGroupResourceDef
from hotdsl.stdlib.neutron import Net, Port, SecurityGroup, SecurityGroupRulesItem
from hotdsl.stdlib.nova import Server, ServerNetworksItem

stack = Stack(App(), "demo")
"""

SNIPPETS: dict[str, str] = {
    "correct": """
        image = Parameter(stack, "image", default="cirros")
        net = Net(stack, "net", name="private")
        group = SecurityGroup(
            stack,
            "sg",
            description="ssh and ping",
            rules=[
                SecurityGroupRulesItem(protocol="tcp", port_range_min=22, port_range_max=22),
                {"protocol": "icmp"},
            ],
        )
        port = Port(stack, "port", network=net, binding_vnic_type="normal", security_groups=[group])
        server = Server(
            stack,
            "web",
            flavor="m1.small",
            image=image,
            flavor_update_policy="RESIZE",
            networks=[ServerNetworksItem(port=port), {"network": net}],
            metadata={"role": "web"},
        )
        servers = ResourceGroup(
            stack, "servers", count=2, resource_def=ResourceGroupResourceDef(type="OS::Nova::Server")
        )
        Output(stack, "ip", value=server.attrs.first_address)
        Output(stack, "address", value=server.attrs.networks["private"][0])
        Output(stack, "first", value=servers.attrs.get("resource.0"))
        Output(stack, "fixed_ips", value=get_attr(port, "fixed_ips"))
        Port(stack, "port2", network=server.attrs.name)
    """,
    "wrong_property_type": """
        Server(stack, "web", flavor=2, image="cirros")
    """,
    "missing_required_property": """
        Server(stack, "web", image="cirros")
    """,
    "wrong_literal": """
        Server(stack, "web", flavor="m1.small", flavor_update_policy="RESIZ")
    """,
    "misspelt_attribute": """
        server = Server(stack, "web", flavor="m1.small")
        Output(stack, "ip", value=server.attrs.frist_address)
    """,
    "misspelt_property": """
        Server(stack, "web", flavour="m1.small")
    """,
    "misspelt_nested_key": """
        Server(stack, "web", flavor="m1.small", networks=[ServerNetworksItem(netwrk="private")])
    """,
    "wrong_item_class": """
        Server(stack, "web", flavor="m1.small", networks=[SecurityGroupRulesItem(protocol="tcp")])
    """,
    "attribute_of_the_wrong_type": """
        server = Server(stack, "web", flavor="m1.small")
        Server(stack, "web2", flavor=server.attrs.networks)
    """,
}


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """snippet name -> mypy's error lines for it (message and code, without file:line)."""
    folder = tmp_path_factory.mktemp("snippets")
    for name, body in SNIPPETS.items():
        (folder / f"{name}.py").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(folder / ".mypy_cache"),
            ".",
        ],
        cwd=folder,
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr or run.stdout
    errors: dict[str, list[str]] = {name: [] for name in SNIPPETS}
    for line in run.stdout.splitlines():
        match = re.match(r"(\w+)\.py:\d+: error: (.*)", line)
        if match:
            errors[match.group(1)].append(match.group(2))
    return errors


def only_error(errors: dict[str, list[str]], snippet: str) -> str:
    assert len(errors[snippet]) == 1, errors[snippet]
    return errors[snippet][0]


def test_a_correct_program_has_no_errors(mypy_errors: dict[str, list[str]]) -> None:
    assert mypy_errors["correct"] == []


def test_a_property_of_the_wrong_type(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "wrong_property_type") == (
        'Argument "flavor" to "Server" has incompatible type "int"; '
        'expected "str | Intrinsic[str]"  [arg-type]'
    )


def test_a_missing_required_property(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "missing_required_property") == (
        'Missing named argument "flavor" for "Server"  [call-arg]'
    )


def test_a_value_outside_the_allowed_values(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "wrong_literal") == (
        'Argument "flavor_update_policy" to "Server" has incompatible type "Literal[\'RESIZ\']"; '
        "expected \"Literal['RESIZE', 'REPLACE'] | Intrinsic[str] | None\"  [arg-type]"
    )


def test_a_misspelt_attribute(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "misspelt_attribute") == (
        '"ServerAttributes" has no attribute "frist_address"; maybe "first_address"?  [attr-defined]'
    )


def test_a_misspelt_property(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "misspelt_property") == (
        'Unexpected keyword argument "flavour" for "Server"; did you mean "flavor"?  [call-arg]'
    )


def test_a_misspelt_key_of_a_nested_item(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "misspelt_nested_key") == (
        'Unexpected keyword argument "netwrk" for "ServerNetworksItem"; did you mean "network"?  [call-arg]'
    )


def test_a_nested_item_of_another_property(mypy_errors: dict[str, list[str]]) -> None:
    assert only_error(mypy_errors, "wrong_item_class") == (
        'List item 0 has incompatible type "SecurityGroupRulesItem"; expected '
        '"ServerNetworksItem | Mapping[str, Any] | Intrinsic[Mapping[str, Any]]"  [list-item]'
    )


def test_an_attribute_whose_type_does_not_fit_the_property(
    mypy_errors: dict[str, list[str]],
) -> None:
    error = only_error(mypy_errors, "attribute_of_the_wrong_type")
    assert error == (
        'Argument "flavor" to "Server" has incompatible type "GetAttr[dict[str, Any]]"; '
        'expected "str | Intrinsic[str]"  [arg-type]'
    )


def test_the_snippets_use_the_installed_package() -> None:
    """The snippets import `hotdsl.stdlib`, which only the installed package has."""
    assert not (Path(__file__).resolve().parents[1] / "hotdsl" / "stdlib").exists()
