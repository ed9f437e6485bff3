"""Generate the sandbox's stand-in provider templates from the resource type spec.

    python tools/gen_sandbox_standins.py            # write hotdsl/sandbox/standins/
    python tools/gen_sandbox_standins.py --check    # exit 1 if the checked-in files differ

The sandbox has no Nova, Neutron, Cinder, Octavia, ... so it maps every resource type
that needs such a service to a provider template made here (Heat's "template
resource"): the type's properties become parameters (required ones without a default,
so Heat insists on them; immutable ones marked immutable; constraints that need no
service kept), its attributes become outputs with plausible values, and `OS::stack_id`
gives `get_resource` a uuid-like id. The templates have no resources, so a stand-in
costs Heat an empty nested stack: every id is derived (md5) from the nested stack's
id and the JSON of the properties that Heat cannot update in place, so changing one
of them gives a new id, as a replacement would. Addresses are strings in 192.0.2.0/24
(TEST-NET-1) and URLs point at the loopback discard port: nothing connects to either.

Input: `stdlib/spec/heat-resource-types.json`. Output: one `<Type>.yaml` per type with
`::` written as `__`, written as JSON (valid YAML, and many times quicker for Heat to
parse; the template's description says it is generated), and `registry.yaml` mapping
each type to its file. Regenerating from the same spec gives no diff.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_NAME = "stdlib/spec/heat-resource-types.json"
SPEC = ROOT / SPEC_NAME
OUT = ROOT / "hotdsl" / "sandbox" / "standins"
TEMPLATE_VERSION = "2021-04-16"

# Types that run for real in the sandbox: the engine implements them itself.
REAL_PREFIXES = ("OS::Heat::", "AWS::CloudFormation::", "AWS::AutoScaling::", "AWS::IAM::")
# Heat types that still need something the sandbox lacks: an object store, or an agent
# on a server to run the configuration and signal back.
STANDIN_HEAT_TYPES = frozenset(
    {
        "OS::Heat::SwiftSignal",
        "OS::Heat::SwiftSignalHandle",
        "OS::Heat::SoftwareDeployment",
        "OS::Heat::SoftwareDeploymentGroup",
        "OS::Heat::StructuredDeployment",
        "OS::Heat::StructuredDeploymentGroup",
        "OS::Heat::DeployedServer",
    }
)

PARAM_TYPES = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "map": "json",
    "list": "json",
    "any": "json",
}
EMPTY = {"string": "", "number": 0, "boolean": False}
KEPT_CONSTRAINTS = {
    "string": ("allowed_values", "length", "allowed_pattern"),
    "number": ("allowed_values", "range", "modulo"),
}

# Placeholders while outputs are built; `standin_template` replaces them by expressions.
PHYSICAL_HEX = {"get_param": "hotdsl:physical_hex"}
ADDRESS_SUFFIX = {"get_param": "hotdsl:address_suffix"}
SUFFIX_YAQL = (
    "let(h => '0123456789abcdef') -> str(2 + (16 * $h.indexOf($.data.substring(0, 1)) + "
    "$h.indexOf($.data.substring(1, 1))) mod 250)"
)
UUID_YAQL = (
    "let(s => $.data) -> concat($s.substring(0, 8), '-', $s.substring(8, 4), '-', "
    "$s.substring(12, 4), '-', $s.substring(16, 4), '-', $s.substring(20, 12))"
)
MAC_YAQL = (
    "let(s => $.data) -> concat('fa:16:3e:', $s.substring(0, 2), ':', "
    "$s.substring(2, 2), ':', $s.substring(4, 2))"
)
UNSERVED_URL = "http://127.0.0.1:9"


def file_name(type_name: str) -> str:
    return type_name.replace("::", "__") + ".yaml"


def needs_standin(type_name: str) -> bool:
    return type_name in STANDIN_HEAT_TYPES or not type_name.startswith(REAL_PREFIXES)


SECRET_WORDS = ("pass", "psk", "secret", "private_key", "token")


def parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A HOT parameter accepting what the property accepts."""
    kind = PARAM_TYPES.get(schema.get("type", "any"), "json")
    param: dict[str, Any] = {"type": kind}
    if kind == "string" and any(word in name.lower() for word in SECRET_WORDS):
        param["hidden"] = True
    if schema.get("required"):
        default_is_ours = False
    elif "default" in schema and schema["default"] is not None:
        param["default"] = schema["default"]
        default_is_ours = False
    else:
        param["default"] = EMPTY.get(kind, [] if schema.get("type") == "list" else {})
        default_is_ours = True
    if schema.get("immutable"):
        param["immutable"] = True
    kept = [
        {key: value for key, value in constraint.items() if key != "description"}
        for constraint in schema.get("constraints", [])
        if any(key in constraint for key in KEPT_CONSTRAINTS.get(kind, ()))
    ]
    # A default we made up may break a constraint; such a parameter stays unconstrained.
    if kept and not default_is_ours:
        param["constraints"] = kept
    return param


def uuid_of(hex_value: Any) -> dict[str, Any]:
    return {"yaql": {"expression": UUID_YAQL, "data": hex_value}}


def physical_hex() -> dict[str, Any]:
    """32 hex digits that identify this resource (see `identity`)."""
    return dict(PHYSICAL_HEX)


def derived_uuid(salt: str) -> dict[str, Any]:
    """A uuid-like string of its own for each attribute, stable while the id is."""
    return uuid_of({"digest": ["md5", {"list_join": [":", [physical_hex(), salt]]}]})


def address(v6: bool = False) -> dict[str, Any]:
    template = "2001:db8::NN" if v6 else "192.0.2.NN"
    return {
        "str_replace": {
            "template": template,
            "params": {"NN": dict(ADDRESS_SUFFIX)},
        }
    }


def display_name(properties: dict[str, Any]) -> Any:
    """The `name` property when set, else a name Heat would make (the nested stack's)."""
    stack_name = {"get_param": "OS::stack_name"}
    if properties.get("name", {}).get("type") != "string":
        return stack_name
    return {"if": [{"equals": [{"get_param": "name"}, ""]}, stack_name, {"get_param": "name"}]}


ECHO_COMPATIBLE = {
    "string": {"string", "integer", "number"},
    "integer": {"integer", "number"},
    "boolean": {"boolean"},
    "map": {"map"},
    "list": {"list"},
    None: {"string", "integer", "number", "boolean", "map", "list", "any"},
}


def echo_or(prop_name: str, prop_type: str, fallback: Any) -> Any:
    """The property's value when it is set, else `fallback`."""
    empty = {"string": "", "list": [], "map": {}}.get(prop_type, "")
    return {
        "if": [{"equals": [{"get_param": prop_name}, empty]}, fallback, {"get_param": prop_name}]
    }


def generated_value(type_name: str, name: str, kind: str | None, properties: dict[str, Any]) -> Any:
    """What a real cloud would have made up for this attribute, or None for nothing."""
    lower = name.lower()
    if kind in ("string", None):
        if lower == "name" or lower.endswith(("_name", "username")):
            return display_name(properties)
        if lower == "id" or lower.endswith(("_id", "id", "_uuid")):
            suffix = next(s for s in ("_uuid", "_id", "id") if lower.endswith(s))
            stem = name[: -len(suffix)]
            value = derived_uuid(name)
            if properties.get(stem, {}).get("type") == "string":
                value = echo_or(stem, "string", value)
            return value
        if lower == "mac_address":
            return {"yaql": {"expression": MAC_YAQL, "data": physical_hex()}}
        if "url" in lower or lower.endswith(("uri", "href", "_ref", "endpoint")):
            return {
                "list_join": [
                    "/",
                    [UNSERVED_URL, type_name.split("::")[1].lower(), uuid_of(physical_hex())],
                ]
            }
        if "address" in lower or lower.endswith("ip") or lower in ("accessipv4", "accessipv6"):
            return address(v6="v6" in lower)
        if lower == "cidr":
            return "192.0.2.0/24"
        if lower == "status":
            return "available" if type_name == "OS::Cinder::Volume" else "ACTIVE"
    if kind == "list" and lower == "ip":
        return [address()]
    return None


def attribute_value(type_name: str, name: str, kind: str | None, properties: dict[str, Any]) -> Any:
    """A plausible value for one attribute of a stand-in.

    Known attributes first (`SPECIAL`), then `show`; otherwise the property of the same
    name when set, else a made-up value of the right shape (an id, an address, ...),
    else the type's empty value.
    """
    special = SPECIAL.get((type_name, name))
    if special is not None:
        return special(properties)
    if name == "show":
        show: dict[str, Any] = {"id": uuid_of(physical_hex())}
        if "name" in properties:
            show["name"] = display_name(properties)
        show.update({p: {"get_param": p} for p in sorted(properties) if p != "name"})
        return show
    generated = generated_value(type_name, name, kind, properties)
    prop = properties.get(name)
    if prop is not None and prop.get("type") in ECHO_COMPATIBLE.get(kind, set()):
        if generated is None or prop.get("type") not in ("string", "list", "map"):
            return {"get_param": name}
        return echo_or(name, prop["type"], generated)
    if generated is not None:
        return generated
    return {"integer": 0, "boolean": False, "map": {}, "list": []}.get(kind or "", "")


FIXED_IPS_YAQL = (
    "let(requested => $.data.requested, addr => $.data.address, subnet => $.data.subnet) -> switch("
    "$requested.len() > 0 => $requested.select(dict(ip_address => $.get('ip_address') or $addr, "
    "subnet_id => $.get('subnet') or $.get('subnet_id') or $subnet)), "
    "true => [dict(ip_address => $addr, subnet_id => $subnet)])"
)


def _port_fixed_ips(properties: dict[str, Any]) -> Any:
    data = {
        "requested": {"get_param": "fixed_ips"},
        "address": address(),
        "subnet": derived_uuid("subnet_id"),
    }
    return {"yaql": {"expression": FIXED_IPS_YAQL, "data": data}}


def _server_addresses(properties: dict[str, Any]) -> Any:
    return {"private": [{"addr": address(), "version": 4, "OS-EXT-IPS:type": "fixed"}]}


SPECIAL: dict[tuple[str, str], Any] = {
    ("OS::Nova::Server", "first_address"): lambda props: address(),
    ("OS::Nova::Server", "addresses"): _server_addresses,
    ("OS::Nova::Server", "networks"): lambda props: {"private": [address()]},
    ("OS::Nova::Server", "accessIPv4"): lambda props: address(),
    ("OS::Nova::Server", "accessIPv6"): lambda props: "",
    ("OS::Nova::Server", "instance_name"): lambda props: {
        "yaql": {
            "expression": "concat('instance-', $.data.substring(0, 8))",
            "data": physical_hex(),
        }
    },
    ("OS::Neutron::Port", "fixed_ips"): _port_fixed_ips,
    ("OS::Cinder::Volume", "attachments"): lambda props: "[]",
    ("OS::Cinder::Volume", "attachments_list"): lambda props: [],
}


def identity(replacing: list[str]) -> dict[str, Any]:
    """The hex digits behind every id of a stand-in: md5 of its nested stack's id and of
    the properties Heat cannot update in place, so changing one gives new ids, as the
    replacement of a real resource would. No resource is needed to make them."""
    stack_id = {"get_param": "OS::stack_id"}
    if not replacing:
        return {"digest": ["md5", stack_id]}
    salt = {"list_join": ["", [{name: {"get_param": name} for name in replacing}]]}
    return {"digest": ["md5", {"list_join": [":", [stack_id, salt]]}]}


def substitute(value: Any, marker: dict[str, Any], replacement: Any) -> Any:
    """`value` with every `marker` replaced by `replacement`."""
    if value == marker:
        return replacement
    if isinstance(value, dict):
        return {k: substitute(v, marker, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, marker, replacement) for v in value]
    return value


def standin_template(type_name: str, spec: dict[str, Any], heat_version: str) -> dict[str, Any]:
    """A provider template with no resources: parameters in, outputs computed from them."""
    properties: dict[str, Any] = spec["properties"]
    parameters = {name: parameter(name, schema) for name, schema in sorted(properties.items())}
    replacing = sorted(
        name
        for name, schema in properties.items()
        if not schema.get("update_allowed") and not schema.get("immutable")
    )
    outputs: dict[str, Any] = {"OS::stack_id": {"value": uuid_of(physical_hex())}}
    for name, attribute in sorted(spec["attributes"].items()):
        outputs[name] = {
            "value": attribute_value(type_name, name, attribute.get("type"), properties)
        }
    hex_digits = identity(replacing)
    outputs = substitute(
        outputs, ADDRESS_SUFFIX, {"yaql": {"expression": SUFFIX_YAQL, "data": PHYSICAL_HEX}}
    )
    outputs = substitute(outputs, PHYSICAL_HEX, hex_digits)
    description = (
        f"hotdsl sandbox stand-in for {type_name} (Heat {heat_version}): takes the type's "
        "properties, gives its attributes plausible values; no real resource is made. "
        f"Generated by tools/gen_sandbox_standins.py from {SPEC_NAME}; do not edit."
    )
    return {
        "heat_template_version": TEMPLATE_VERSION,
        "description": description,
        "parameters": parameters,
        "resources": {},
        "outputs": outputs,
    }


def header(spec_path: str, heat_version: str) -> str:
    return (
        f"# Generated by tools/gen_sandbox_standins.py from {spec_path} (Heat {heat_version}).\n"
        "# Do not edit: change the generator or the spec and regenerate.\n"
    )


class _Dumper(yaml.SafeDumper):
    """Writes repeated expressions out in full: no YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        allow_unicode=True,
    )


def dump_json(document: dict[str, Any]) -> str:
    """JSON text (which is YAML too): Heat tries JSON first, and parsing it is many times
    quicker than YAML. Heat parses a stand-in's template each time it loads the resource,
    which is every time it loads the stack, so this is most of a stand-in's cost."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def generate(spec: dict[str, Any]) -> dict[str, str]:
    """File name -> text of every stand-in file, `registry.yaml` included."""
    heat_version = spec["heat_version"]
    top = header(SPEC_NAME, heat_version)
    files: dict[str, str] = {}
    registry: dict[str, str] = {}
    for type_name, type_spec in sorted(spec["resource_types"].items()):
        if not needs_standin(type_name):
            continue
        name = file_name(type_name)
        registry[type_name] = name
        files[name] = dump_json(standin_template(type_name, type_spec, heat_version))
    files["registry.yaml"] = top + dump(
        {"heat_version": heat_version, "resource_registry": registry}
    )
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    files = generate(json.loads(args.spec.read_text(encoding="utf-8")))
    existing = {p.name for p in args.out.glob("*.yaml")} if args.out.exists() else set()
    if args.check:
        stale = sorted(
            name
            for name, text in files.items()
            if not (args.out / name).exists()
            or (args.out / name).read_text(encoding="utf-8") != text
        )
        stale += sorted(existing - set(files))
        for name in stale:
            print(f"out of date: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in existing - set(files):
        (args.out / name).unlink()
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
