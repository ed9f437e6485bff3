"""The checked-in Heat resource type spec (stdlib/spec/heat-resource-types.json).

The spec is dumped from Heat by tools/dump_heat_spec.py; these tests need no
Heat.  They pin what hotdsl relies on: the shape every generator reads, and
facts of Heat 27.0.1 that show the dump is Heat's own view of its types.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SPEC_PATH = Path(__file__).resolve().parents[1] / "stdlib" / "spec" / "heat-resource-types.json"

PROPERTY_TYPES = {"string", "integer", "number", "boolean", "map", "list", "any"}
ATTRIBUTE_TYPES = {"string", "integer", "boolean", "map", "list", None}
SUPPORT_STATUSES = {"SUPPORTED", "DEPRECATED", "UNSUPPORTED", "HIDDEN", "UNKNOWN"}
CONSTRAINT_KINDS = {
    "length",
    "range",
    "modulo",
    "allowed_values",
    "allowed_pattern",
    "custom_constraint",
}
PROPERTY_KEYS = {
    "type",
    "description",
    "default",
    "required",
    "update_allowed",
    "immutable",
    "constraints",
    "schema",
    "support_status",
    "hidden",
    "replaced_by",
}
ALWAYS_PRESENT = {"type", "required", "update_allowed", "immutable", "support_status", "hidden"}
DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "map": (dict,),
    "list": (list,),
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


@pytest.fixture(scope="module")
def types(spec: dict[str, Any]) -> dict[str, Any]:
    resource_types: dict[str, Any] = spec["resource_types"]
    return resource_types


def all_properties(types: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema, nested ones included, with a dotted path for messages."""

    def walk(path: str, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield path, schema
        for name, nested in schema.get("schema", {}).items():
            yield from walk(f"{path}.{name}", nested)

    for type_name, rtype in types.items():
        for name, schema in rtype["properties"].items():
            yield from walk(f"{type_name}.{name}", schema)


def check_support_status(where: str, status: dict[str, Any] | None) -> None:
    assert status is not None, where
    assert set(status) == {"status", "version", "message", "previous_status"}, where
    assert status["status"] in SUPPORT_STATUSES, where
    if status["previous_status"] is not None:
        check_support_status(where, status["previous_status"])


# The file itself


def test_records_the_heat_version_and_the_generator(spec: dict[str, Any]) -> None:
    assert spec["heat_version"] == "27.0.1"
    assert spec["generated_by"] == "tools/dump_heat_spec.py"


def test_is_written_canonically_so_regenerating_gives_no_diff(spec: dict[str, Any]) -> None:
    canonical = json.dumps(spec, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert SPEC_PATH.read_text(encoding="utf-8") == canonical


# Which types


def test_holds_the_163_types_heat_lists(types: dict[str, Any]) -> None:
    assert len(types) == 163


def test_covers_openstack_and_aws_compatibility_namespaces(types: dict[str, Any]) -> None:
    namespaces = {"::".join(name.split("::")[:2]) for name in types}
    assert {"OS::Nova", "OS::Neutron", "OS::Cinder", "OS::Heat", "OS::Octavia"} <= namespaces
    assert {"AWS::EC2", "AWS::AutoScaling", "AWS::CloudFormation", "AWS::IAM"} <= namespaces
    assert "OS::Heat::ResourceGroup" in types
    assert "AWS::EC2::Instance" in types


def test_leaves_out_hidden_types(types: dict[str, Any]) -> None:
    assert all(t["support_status"]["status"] != "HIDDEN" for t in types.values())
    for retired in ("OS::Senlin::Cluster", "OS::Sahara::Cluster", "OS::Nova::FloatingIP"):
        assert retired not in types


def test_leaves_out_deployment_aliases(types: dict[str, Any]) -> None:
    # Aliases from a Heat host's environment.d, not plugins of the package.
    assert "OS::Quantum::Net" not in types
    assert "AWS::RDS::DBInstance" not in types


def test_keeps_deprecated_types_with_their_status(types: dict[str, Any]) -> None:
    alarm = types["OS::Aodh::Alarm"]["support_status"]
    assert alarm["status"] == "DEPRECATED"
    assert "OS::Aodh::GnocchiAggregationByResourcesAlarm" in alarm["message"]
    assert alarm["previous_status"]["status"] == "SUPPORTED"


# Facts about well-known types


def test_server_requires_a_flavor_but_not_an_image(types: dict[str, Any]) -> None:
    props = types["OS::Nova::Server"]["properties"]
    assert props["flavor"]["required"] is True
    assert props["flavor"]["update_allowed"] is True  # resizes in place
    assert props["flavor"]["constraints"] == [{"custom_constraint": "nova.flavor"}]
    assert props["image"]["required"] is False  # may boot from a volume
    assert props["image"]["constraints"] == [{"custom_constraint": "glance.image"}]


def test_server_networks_is_a_list_of_maps(types: dict[str, Any]) -> None:
    networks = types["OS::Nova::Server"]["properties"]["networks"]
    assert networks["type"] == "list"
    item = networks["schema"]["*"]
    assert item["type"] == "map"
    assert item["schema"]["network"]["type"] == "string"
    assert item["schema"]["uuid"]["hidden"] is True
    assert item["schema"]["uuid"]["replaced_by"] == "network"


def test_random_string_length_replaces_the_resource_when_changed(
    types: dict[str, Any],
) -> None:
    length = types["OS::Heat::RandomString"]["properties"]["length"]
    assert length["type"] == "integer"
    assert length["update_allowed"] is False
    assert length["default"] == 32
    assert length["constraints"] == [{"range": {"min": 1, "max": 512}}]


def test_loose_defaults_are_recorded_as_heat_reads_them(types: dict[str, Any]) -> None:
    # The Aodh plugins write the default as the string "true"; Heat reads True.
    assert types["OS::Aodh::Alarm"]["properties"]["enabled"]["default"] is True
    assert types["OS::Neutron::MeteringRule"]["properties"]["excluded"]["default"] is False
    # OS::Neutron::NetworkGateway writes {} for a list; Heat reads [].
    assert types["OS::Neutron::NetworkGateway"]["properties"]["connections"]["default"] == []


def test_hidden_properties_are_kept_and_marked(types: dict[str, Any]) -> None:
    network_id = types["OS::Neutron::Port"]["properties"]["network_id"]
    assert network_id["hidden"] is True
    assert network_id["support_status"]["status"] == "HIDDEN"
    assert network_id["replaced_by"] == "network"


def test_deprecated_property_names_point_to_their_replacement(types: dict[str, Any]) -> None:
    masters = types["OS::Designate::Zone"]["properties"]["masters"]
    assert masters["support_status"]["status"] == "DEPRECATED"
    assert masters["replaced_by"] == "primaries"


def test_unimplemented_aws_properties_are_left_out(types: dict[str, Any]) -> None:
    instance = types["AWS::EC2::Instance"]["properties"]
    assert "ImageId" in instance
    assert "KernelId" not in instance  # Heat: "not implemented yet"
    assert "Tags" not in types["AWS::EC2::VPC"]["properties"]  # items not implemented


def test_descriptions_come_from_the_plugin_docstrings(types: dict[str, Any]) -> None:
    assert types["OS::Nova::Server"]["description"].startswith(
        "A resource for managing Nova instances."
    )
    assert types["AWS::EC2::Instance"]["description"] == "No description available"


# The shape every generator reads


def test_every_type_has_the_four_sections(types: dict[str, Any]) -> None:
    for name, rtype in types.items():
        assert set(rtype) == {"description", "support_status", "properties", "attributes"}, name
        assert isinstance(rtype["description"], str), name
        check_support_status(name, rtype["support_status"])


def test_every_property_has_a_valid_type_and_flags(types: dict[str, Any]) -> None:
    for path, schema in all_properties(types):
        assert ALWAYS_PRESENT <= set(schema) <= PROPERTY_KEYS, path
        assert schema["type"] in PROPERTY_TYPES, path
        for flag in ("required", "update_allowed", "immutable", "hidden"):
            assert isinstance(schema[flag], bool), path
        assert not (schema["update_allowed"] and schema["immutable"]), path
        check_support_status(path, schema["support_status"])
        assert schema["hidden"] == (schema["support_status"]["status"] == "HIDDEN"), path


def test_defaults_have_the_type_of_their_property(types: dict[str, Any]) -> None:
    for path, schema in all_properties(types):
        if "default" not in schema or schema["type"] == "any":
            continue
        default = schema["default"]
        assert isinstance(default, DEFAULT_TYPES[schema["type"]]), path
        if schema["type"] in ("integer", "number"):
            assert not isinstance(default, bool), path


def test_nested_schemas_are_well_formed(types: dict[str, Any]) -> None:
    for path, schema in all_properties(types):
        if "schema" not in schema:
            continue
        nested = schema["schema"]
        assert schema["type"] in ("list", "map"), path
        if schema["type"] == "list":
            assert list(nested) == ["*"], path
        else:
            assert nested and "*" not in nested, path


def test_constraints_are_heat_constraint_dicts(types: dict[str, Any]) -> None:
    for path, schema in all_properties(types):
        for constraint in schema.get("constraints", []):
            kinds = set(constraint) - {"description"}
            assert len(kinds) == 1 and kinds <= CONSTRAINT_KINDS, path
            (kind,) = kinds
            if kind in ("length", "range"):
                assert set(constraint[kind]) <= {"min", "max"}, path
            elif kind == "modulo":
                assert set(constraint[kind]) == {"step", "offset"}, path
            elif kind == "allowed_values":
                assert isinstance(constraint[kind], list), path
            else:
                assert isinstance(constraint[kind], str), path


def test_replacements_are_current_siblings(types: dict[str, Any]) -> None:
    def check(path: str, siblings: dict[str, Any]) -> None:
        for name, schema in siblings.items():
            replacement = schema["replaced_by"]
            if replacement is not None:
                assert schema["support_status"]["status"] in ("DEPRECATED", "HIDDEN"), path
                assert siblings[replacement]["support_status"]["status"] == "SUPPORTED", path
            check(f"{path}.{name}", schema.get("schema", {}))

    for name, rtype in types.items():
        check(name, rtype["properties"])


def test_every_type_has_the_show_attribute(types: dict[str, Any]) -> None:
    for name, rtype in types.items():
        assert rtype["attributes"]["show"]["type"] == "map", name


def test_every_attribute_has_a_type_or_null_and_a_status(types: dict[str, Any]) -> None:
    for type_name, rtype in types.items():
        for name, attribute in rtype["attributes"].items():
            where = f"{type_name}.{name}"
            assert set(attribute) == {"type", "description", "support_status", "hidden"}, where
            assert attribute["type"] in ATTRIBUTE_TYPES, where
            check_support_status(where, attribute["support_status"])
    assert types["OS::Nova::Server"]["attributes"]["first_address"]["hidden"] is True


def test_dynamic_attributes_name_group_and_deployment_types(spec: dict[str, Any]) -> None:
    dynamic = spec["dynamic_attributes"]
    assert dynamic == sorted(dynamic)
    assert set(dynamic) <= set(spec["resource_types"])
    assert {"OS::Heat::ResourceGroup", "OS::Heat::SoftwareDeployment"} <= set(dynamic)
    assert "OS::Nova::Server" not in dynamic
