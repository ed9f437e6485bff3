"""hotdsl.testing.Template: assertions on a synthesized stack, as users write them.

Each failing assertion raises AssertionError with a short message that names the
closest candidate and the path of each difference; these tests pin that text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotdsl import (
    App,
    Condition,
    Construct,
    Output,
    Parameter,
    Resource,
    Stack,
    equals,
    get_attr,
)
from hotdsl.errors import SynthError
from hotdsl.testing import Capture, Match, Template


class WebServer(Construct):
    """A port and a server on it."""

    def __init__(self, scope: Construct, id: str, *, image: Parameter[str]) -> None:
        super().__init__(scope, id)
        self.port = Resource(
            self, "port", type="OS::Neutron::Port", properties={"network": "private"}
        )
        self.server = Resource(
            self,
            "server",
            type="OS::Nova::Server",
            properties={"image": image, "flavor": "m1.small", "networks": [{"port": self.port}]},
        )


class Shop(Stack):
    """Two web servers, a spare port, a condition and outputs."""

    def __init__(self, scope: App, id: str) -> None:
        super().__init__(scope, id)
        self.image = Parameter(self, "image", default="cirros", description="Glance image.")
        self.env = Parameter(self, "env", default="dev")
        self.prod = Condition(self, "is_prod", equals(self.env, "prod"))
        self.spare = Resource(
            self, "port", type="OS::Neutron::Port", properties={"network": "private"}
        )
        self.blue = WebServer(self, "blue", image=self.image)
        self.green = WebServer(self, "green", image=self.image)
        self.green.server.add_dependency(self.blue.server)
        self.backup = Resource(
            self,
            "backup",
            type="OS::Cinder::Volume",
            properties={"size": 10},
            condition=self.prod,
            deletion_policy="Retain",
        )
        Output(
            self,
            "blue_ip",
            value=self.blue.server.get_attr("first_address"),
            description="Blue's IP.",
        )
        Output(self, "green_ip", value=self.green.server.get_attr("first_address"))


@pytest.fixture
def shop() -> Shop:
    return Shop(App(), "shop")


@pytest.fixture
def template(shop: Shop) -> Template:
    return Template.from_stack(shop)


def fails(text: str) -> pytest.RaisesExc[AssertionError]:
    """Expect an AssertionError whose message contains `text`."""
    return pytest.raises(AssertionError, match=re.escape(text))


def message(excinfo: pytest.ExceptionInfo[AssertionError]) -> str:
    return str(excinfo.value)


# --- making a Template ----------------------------------------------------------------------


def test_from_stack_runs_the_checks_of_hotdsl_synth() -> None:
    stack = Stack(App(), "broken")
    Resource(stack, "r", type="OS::Heat::None", properties={"value": object()})
    with pytest.raises(SynthError, match="cannot write a value of type object"):
        Template.from_stack(stack)


def test_from_dict_and_from_file_read_hot_data_and_yaml(template: Template, tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(template.to_yaml(), encoding="utf-8")
    from_file = Template.from_file(path)
    assert (
        from_file.to_dict()
        == template.to_dict()
        == Template.from_dict(template.to_dict()).to_dict()
    )
    from_file.resource_count_is("OS::Nova::Server", 2)


def test_yaml_is_read_as_heat_reads_it_so_a_date_stays_a_string() -> None:
    template = Template.from_yaml("heat_template_version: 2021-04-16\nresources: {}\n")
    assert template.to_dict()["heat_template_version"] == "2021-04-16"
    with pytest.raises(TypeError, match="not a HOT template"):
        Template.from_yaml("- a list\n")


def test_to_dict_is_a_copy(template: Template) -> None:
    template.to_dict()["resources"].clear()
    template.resource_count_is("OS::Nova::Server", 2)


# --- counting and finding resources ---------------------------------------------------------


def test_resource_count_is(template: Template) -> None:
    template.resource_count_is("OS::Neutron::Port", 3)
    template.resource_count_is("OS::Heat::None", 0)
    template.resource_count_is(Match.string_like_regexp("^OS::Nova::"), 2)
    with fails("expected 1 resource of type OS::Nova::Server, found 2: blue.server, green.server"):
        template.resource_count_is("OS::Nova::Server", 1)


def test_resource_properties_count_is(template: Template) -> None:
    template.resource_properties_count_is("OS::Neutron::Port", {"network": "private"}, 3)
    with fails("expected 1 resource of type OS::Volume with matching properties, found 0"):
        template.resource_properties_count_is("OS::Volume", {"size": 10}, 1)


def test_find_resources_returns_the_matching_ones_by_logical_name(
    shop: Shop, template: Template
) -> None:
    found = template.find_resources(
        "OS::Nova::Server", properties={"networks": [{"port": shop.blue.port}]}
    )
    assert list(found) == ["blue.server"]
    assert found["blue.server"]["properties"]["flavor"] == "m1.small"
    assert list(template.find_resources("OS::Nova::Server", depends_on=Match.absent())) == [
        "blue.server"
    ]
    assert template.find_resources("OS::Nova::Server", properties={"flavor": "m1.large"}) == {}


# --- has_resource ---------------------------------------------------------------------------


def test_has_resource_properties_with_objects_for_references(
    shop: Shop, template: Template
) -> None:
    template.has_resource_properties(
        "OS::Nova::Server",
        {
            "image": shop.image,
            "networks": [{"port": shop.green.port}],
        },
    )


def test_has_resource_checks_any_key_of_the_resource(shop: Shop, template: Template) -> None:
    template.has_resource("OS::Nova::Server", depends_on=[shop.blue.server])
    template.has_resource(
        "OS::Cinder::Volume", properties={"size": 10}, condition=shop.prod, deletion_policy="Retain"
    )
    template.has_resource("OS::Neutron::Port")


def test_a_failure_names_the_closest_candidate_and_the_path_of_the_difference(
    shop: Shop, template: Template
) -> None:
    with fails("no OS::Nova::Server resource matches") as excinfo:
        template.has_resource_properties(
            "OS::Nova::Server",
            {
                "image": shop.image,
                "flavor": "m1.small",
                "networks": [{"port": shop.spare}],
            },
        )
    assert message(excinfo) == (
        "no OS::Nova::Server resource matches; the closest of 2 candidates is blue.server:\n"
        "  properties.networks[0].port: expected {get_resource: port}, got {get_resource: blue.port}"
    )


def test_the_closest_candidate_is_the_one_with_most_expected_values_matching(
    template: Template,
) -> None:
    with fails("the closest of 2 candidates is green.server:") as excinfo:
        template.has_resource(
            "OS::Nova::Server", properties={"flavor": "m1.large"}, depends_on=["blue.server"]
        )
    assert message(excinfo).endswith("\n  properties.flavor: expected m1.large, got m1.small")


def test_a_failure_lists_at_most_three_differences(template: Template) -> None:
    with fails("no OS::Cinder::Volume") as excinfo:
        template.has_resource_properties(
            "OS::Cinder::Volume", {"size": 1, "a": 1, "b": 2, "c": 3, "d": 4}
        )
    assert message(excinfo).splitlines()[1:] == [
        "  properties.size: expected 1, got 10",
        "  properties.a: missing, expected 1",
        "  properties.b: missing, expected 2",
        "  ... and 2 more differences",
    ]


def test_an_unknown_type_suggests_the_nearest_one(template: Template) -> None:
    with fails("no resource of type OS::Nova::Servr") as excinfo:
        template.has_resource_properties("OS::Nova::Servr", {})
    assert message(excinfo) == (
        "no resource of type OS::Nova::Servr; did you mean OS::Nova::Server?\n"
        "  the template has OS::Cinder::Volume (1), OS::Neutron::Port (3), OS::Nova::Server (2)"
    )


def test_a_misspelt_keyword_is_a_type_error_not_a_failed_match(template: Template) -> None:
    with pytest.raises(
        TypeError, match="unexpected keyword 'propertes'; the keys it checks are properties"
    ):
        template.has_resource("OS::Nova::Server", propertes={})  # type: ignore[call-arg]


def test_all_resources_wants_every_resource_of_the_type_to_match(template: Template) -> None:
    template.all_resources_properties("OS::Neutron::Port", {"network": "private"})
    template.all_resources("OS::Nova::Server", properties={"flavor": "m1.small"})
    with fails("1 of 2 resources of type OS::Nova::Server do not match") as excinfo:
        template.all_resources("OS::Nova::Server", depends_on=Match.absent())
    assert message(excinfo) == (
        "1 of 2 resources of type OS::Nova::Server do not match (green.server); green.server:\n"
        "  depends_on: expected absent, got [blue.server]"
    )
    with fails("no resource of type OS::Heat::None"):
        template.all_resources("OS::Heat::None")


# --- outputs, parameters, conditions --------------------------------------------------------


def test_has_output(shop: Shop, template: Template) -> None:
    template.has_output(
        "blue_ip", value=shop.blue.server.get_attr("first_address"), description=Match.any_value()
    )
    template.has_output(
        Match.string_like_regexp("_ip$"), value={"get_attr": ["green.server", "first_address"]}
    )
    with fails(
        "output blue_ip does not match:\n"
        "  value: expected {get_attr: [green.server, first_address]}, "
        "got {get_attr: [blue.server, first_address]}"
    ):
        template.has_output("blue_ip", value=get_attr(shop.green.server, "first_address"))


def test_has_output_names_the_outputs_there_are(template: Template) -> None:
    with fails("no output named blue_ips") as excinfo:
        template.has_output("blue_ips")
    assert (
        message(excinfo)
        == "no output named blue_ips; did you mean blue_ip? (outputs: blue_ip, green_ip)"
    )
    with fails("no output matches; the closest of 2 candidates is blue_ip:\n  value: expected 1"):
        template.has_output(Match.any_value(), value=1)


def test_find_outputs(template: Template) -> None:
    assert list(template.find_outputs()) == ["blue_ip", "green_ip"]
    assert list(template.find_outputs(description=Match.any_value())) == ["blue_ip"]


def test_has_parameter_and_find_parameters(shop: Shop, template: Template) -> None:
    template.has_parameter("image", type="string", default="cirros")
    template.has_parameter(shop.env, default="dev", description=Match.absent())
    assert list(template.find_parameters(default="dev")) == ["env"]
    with fails("parameter image does not match:\n  default: expected fedora, got cirros"):
        template.has_parameter("image", default="fedora")


def test_has_condition_takes_the_expression_as_written_in_python(
    shop: Shop, template: Template
) -> None:
    template.has_condition("is_prod", equals(shop.env, "prod"))
    template.has_condition(shop.prod)
    assert template.find_conditions() == {"is_prod": {"equals": [{"get_param": "env"}, "prod"]}}
    with fails(
        'condition is_prod does not match:\n  expected {equals: [{get_param: env}, "yes"]}, '
        "got {equals: [{get_param: env}, prod]}"
    ):
        template.has_condition("is_prod", equals(shop.env, "yes"))
    empty = Template.from_dict({"heat_template_version": "2021-04-16", "resources": {}})
    with fails("no condition is_prod: the template has no conditions"):
        empty.has_condition("is_prod")


def test_template_matches_checks_the_whole_template(template: Template) -> None:
    template.template_matches({"heat_template_version": "2021-04-16", "outputs": {"blue_ip": {}}})
    with fails("the template does not match:\n  description: missing, expected shop"):
        template.template_matches({"description": "shop"})


# --- captures -------------------------------------------------------------------------------


def test_a_capture_records_the_value_of_every_accepted_entry_in_order(template: Template) -> None:
    port = Capture()
    template.has_resource_properties("OS::Nova::Server", {"networks": [{"port": port}]})
    assert port.values == [{"get_resource": "blue.port"}, {"get_resource": "green.port"}]
    assert port.value == {"get_resource": "blue.port"}


def test_a_capture_in_an_entry_that_did_not_match_records_nothing(template: Template) -> None:
    flavor = Capture()
    template.has_resource(
        "OS::Nova::Server", properties={"flavor": flavor}, depends_on=Match.any_value()
    )
    assert flavor.values == ["m1.small"]


# --- expected values that are Python objects ------------------------------------------------


def test_a_reference_across_stacks_is_expected_as_synth_wires_it() -> None:
    app = App()
    network = Stack(app, "network")
    port = Resource(network, "port", type="OS::Neutron::Port", properties={"network": "private"})
    compute = Stack(app, "compute")
    Resource(compute, "server", type="OS::Nova::Server", properties={"networks": [{"port": port}]})
    template = Template.from_stack(compute)
    template.has_resource_properties("OS::Nova::Server", {"networks": [{"port": port}]})
    template.has_resource_properties(
        "OS::Nova::Server", {"networks": [{"port": {"get_param": "import.network.port"}}]}
    )


def test_expected_values_of_a_template_from_a_dict_are_hot_data(
    shop: Shop, template: Template
) -> None:
    plain = Template.from_dict(template.to_dict())
    plain.has_resource_properties("OS::Nova::Server", {"image": {"get_param": "image"}})
    with pytest.raises(
        TypeError,
        match=re.escape("only a Template.from_stack(stack) knows how that stack writes it"),
    ):
        plain.has_resource_properties("OS::Nova::Server", {"image": shop.image})


def test_a_construct_without_a_hot_form_is_a_type_error(shop: Shop, template: Template) -> None:
    with pytest.raises(TypeError, match="which has no HOT form; pass one of its resources"):
        template.has_resource_properties("OS::Nova::Server", {"networks": [{"port": shop.blue}]})


def test_objects_inside_matchers_are_written_in_their_hot_form_too(
    shop: Shop, template: Template
) -> None:
    template.has_resource_properties(
        "OS::Nova::Server",
        {
            "image": Match.exact(shop.image),
            "networks": Match.array_with([{"port": shop.green.port}]),
            "flavor": Match.not_(shop.image),
        },
    )
    port = Capture({"get_resource": Match.any_value()})
    template.has_resource(
        "OS::Nova::Server", properties={"networks": [{"port": port}]}, depends_on=[shop.blue.server]
    )
    assert port.values == [{"get_resource": "green.port"}]
