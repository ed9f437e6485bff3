"""Dump the resource type schemas of an installed OpenStack Heat to JSON.

hotdsl generates its typed resource classes from this dump, so the spec is
Heat's own description of itself rather than something written by hand.
The script loads Heat's resource plugins in-process (no Heat service, no
database, no Keystone) and writes the schema of every resource type that
Heat itself would list, in the same dict form that Heat's resource-type-show
API returns, plus what that API leaves out (hidden properties and
attributes, the support status of every schema, which retired property
names are replaced by which).

Run it from the repository root with the python of a throwaway virtual
environment, outside the repository, that has the Heat package installed;
never with the hotdsl one (the script does not import hotdsl)::

    python3.11 -m venv "$HEAT_VENV"
    "$HEAT_VENV/bin/pip" install openstack-heat==27.0.1
    "$HEAT_VENV/bin/python" tools/dump_heat_spec.py \\
        --out stdlib/spec/heat-resource-types.json

Only the plugins shipped in the Heat package are dumped: configuration
files, plugin directories and the global environment directory
(``/etc/heat/environment.d`` on a Heat host, with its aliases such as
``OS::Quantum*`` and template resources such as ``AWS::RDS::DBInstance``)
are ignored, so the output depends on nothing but the Heat version.
Running it twice gives byte-identical output.  See ``stdlib/spec/README.md``
for the format.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from importlib import metadata
from typing import Any

with warnings.catch_warnings():
    # eventlet, imported by Heat's oslo libraries, warns about itself on import.
    warnings.simplefilter("ignore")
    from heat.engine import (  # type: ignore[import-not-found]
        attributes,
        properties,
        resource,
        resources,
        support,
        translation,
    )
    from oslo_config import cfg  # type: ignore[import-not-found]

GENERATED_BY = "tools/dump_heat_spec.py"

# Heat's property types as dict(schema) spells them ("any": OS::Heat::Value.value and a few more).
PROPERTY_TYPES = frozenset({"string", "integer", "number", "boolean", "map", "list", "any"})


def to_json_value(value: Any, where: str) -> Any:
    """Return ``value`` as plain JSON data (tuples become lists, and so on).

    Heat's schemas hold defaults and allowed values as tuples, frozensets or
    str subclasses (translated messages); anything not clearly JSON-like is
    an error, so a new Heat release cannot slip a ``repr`` into the spec.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return sorted(to_json_value(v, f"{where}[]") for v in value)
    raise TypeError(f"{where}: cannot convert {type(value).__name__} {value!r} to JSON")


def support_status_dict(status: Any) -> dict[str, Any]:
    """Heat's SupportStatus.to_dict(), made JSON-safe (message may be lazy text)."""
    return {
        "status": str(status.status),
        "version": to_json_value(status.version, "support_status.version"),
        "message": to_json_value(status.message, "support_status.message"),
        "previous_status": (
            support_status_dict(status.previous_status)
            if status.previous_status is not None
            else None
        ),
    }


def property_schema_dict(
    schema: Any, where: tuple[str, ...], renames: Mapping[tuple[str, ...], str]
) -> dict[str, Any]:
    """One property schema in Heat's dict form, recursing into nested schemas.

    Heat's ``dict(schema)`` gives type, description, default, required,
    update_allowed, immutable, constraints and schema (nested schemas
    without their support status).  Here every level, nested ones
    included, also gets ``support_status``, ``hidden`` and ``replaced_by``,
    so that one recursive shape describes the whole tree.  ``where`` is the
    path from the type name down, list items being ``*``; ``renames`` maps
    such paths of old property names to the sibling that replaces them.
    """
    result: dict[str, Any] = {}
    for key in schema:  # Heat's own iteration: only the keys that are set
        if key == "schema":
            result["schema"] = {
                str(name): property_schema_dict(sub, (*where, str(name)), renames)
                for name, sub in schema.schema.items()
                if name == "*" or is_implemented(sub)
            }
        elif key == "constraints":
            result["constraints"] = [
                to_json_value(dict(c), ".".join(where)) for c in schema.constraints
            ]
        elif key == "default":
            result["default"] = to_json_value(typed_default(schema), ".".join(where))
        else:
            result[key] = to_json_value(schema[key], ".".join(where))
    if result["type"] not in PROPERTY_TYPES:
        raise ValueError(f"{'.'.join(where)}: unexpected property type {result['type']!r}")
    result["support_status"] = support_status_dict(schema.support_status)
    result["hidden"] = schema.support_status.status == support.HIDDEN
    result["replaced_by"] = renames.get(where)
    return result


def typed_default(schema: Any) -> Any:
    """The default as the value Heat uses, in the property's own type.

    A few plugins write defaults loosely (``"true"`` for a boolean, ``{}``
    for a list); Heat converts them when it reads the property, so the spec
    records the converted value, using Heat's own conversion for scalars.
    """
    default = schema.default
    if schema.type in (schema.LIST, schema.MAP):
        is_list = schema.type == schema.LIST
        if not default:
            return [] if is_list else {}  # Heat reads "default() or []" (or {})
        if isinstance(default, (list, tuple) if is_list else Mapping):
            return default
        raise TypeError(f"default {default!r} of a {schema.type} property")
    if schema.type == schema.ANY:
        return default
    return properties.Property(schema).get_value(default)


def is_implemented(schema: Any) -> bool:
    """False for a property that Heat rejects whenever it is given a value.

    Heat's API omits the properties whose schema says ``implemented=False``
    ("Property ... not implemented yet"); the spec omits them at every
    level, and also omits a list whose items are not implemented (such as
    the ``Tags`` of several AWS types), since it cannot hold anything.
    """
    if not schema.implemented:
        return False
    if schema.type == schema.LIST and schema.schema is not None:
        return bool(schema.schema["*"].implemented)
    return True


class _Anything:
    """Stands in for a resource instance while its translation rules are read.

    ``translation_rules()`` is an instance method that builds rule objects
    from class constants and client plugins; the rules are only recorded,
    never run, so every other attribute and call can yield this object.
    """

    def __init__(self, cls: Any = None) -> None:
        self._cls = cls

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._cls, name, None)
        if isinstance(value, (str, int, tuple, frozenset)):
            return value  # property and attribute name constants
        return _Anything()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _Anything()


class _NoValues(dict[str, Any]):
    """Stands in for a resource's properties: every property is unset."""

    def __missing__(self, key: str) -> None:
        return None


def property_renames(type_name: str, cls: Any) -> dict[tuple[str, ...], str]:
    """Paths of renamed properties mapped to the sibling property that replaces them.

    Heat keeps an old property name working by a REPLACE translation rule
    that copies one sibling's value into the other.  The direction of the
    copy is an implementation detail (OS::Designate::Zone copies the new
    ``primaries`` into the deprecated ``masters`` that its API uses), so the
    rule only says that two siblings are aliases; the deprecated or hidden
    one of the pair is recorded as replaced by the other.  Rules that move
    values elsewhere (a different parent, a path below the name) are not
    renames and are skipped; a type whose rules cannot be read without a
    real stack is reported and skipped.
    """
    if cls.translation_rules is resource.Resource.translation_rules:
        return {}
    try:
        rules = cls.translation_rules(_Anything(cls), _NoValues()) or []
    except Exception as exc:  # any failure means "unknown", not fatal
        print(f"{type_name}: translation rules not read ({exc})", file=sys.stderr)
        return {}

    renames: dict[tuple[str, ...], str] = {}
    for rule in rules:
        if rule.rule != translation.TranslationRule.REPLACE or rule.custom_value_path:
            continue
        target = [str(p) for p in rule.translation_path]
        if rule.value_name is not None:
            source = [*target[:-1], str(rule.value_name)]
        elif rule.value_path is not None:
            source = [str(p) for p in rule.value_path]
        else:
            continue
        if len(source) != len(target) or source[:-1] != target[:-1]:
            continue
        source_path, source_schema = _find_schema(cls.properties_schema, source)
        target_path, target_schema = _find_schema(cls.properties_schema, target)
        retired = (support.DEPRECATED, support.HIDDEN)
        source_retired = source_schema.support_status.status in retired
        target_retired = target_schema.support_status.status in retired
        if source_retired and not target_retired:
            renames[(type_name, *source_path)] = target[-1]
        elif target_retired and not source_retired:
            renames[(type_name, *target_path)] = source[-1]
    return renames


def _find_schema(properties_schema: Mapping[str, Any], names: list[str]) -> tuple[list[str], Any]:
    """The schema at a translation path of property names, and its path with list ``*`` steps."""
    path: list[str] = []
    schemas: Mapping[str, Any] = properties.schemata(properties_schema)
    schema: Any = None
    for name in names:
        if schema is not None:
            if schema.type == schema.LIST and schema.schema is not None:
                path.append("*")
                schema = schema.schema["*"]
            schemas = schema.schema or {}
        path.append(name)
        schema = schemas[name]
    return path, schema


def attribute_schema_dict(schema: Any, where: str) -> dict[str, Any]:
    """One attribute schema: Heat's dict form with type always present (null if undeclared)."""
    return {
        "type": schema.type.lower() if schema.type is not None else None,
        "description": to_json_value(schema.description, f"{where}.description"),
        "support_status": support_status_dict(schema.support_status),
        "hidden": schema.support_status.status == support.HIDDEN,
    }


def resource_type_dict(type_name: str, cls: Any) -> dict[str, Any]:
    """The spec of one resource type, as Heat's ``resource_schema`` RPC builds it.

    Unlike that RPC, hidden properties and attributes are kept (marked
    ``hidden``), since templates written for older Heat releases use them.
    """
    renames = property_renames(type_name, cls)
    props = {}
    for name, schema in sorted(properties.schemata(cls.properties_schema).items()):
        if is_implemented(schema):
            props[name] = property_schema_dict(schema, (type_name, name), renames)

    attrs = {}
    all_attributes = {**cls.attributes_schema, **cls.base_attributes_schema}
    for name, schema in sorted(attributes.schemata(all_attributes).items()):
        attrs[name] = attribute_schema_dict(schema, f"{type_name}.{name}")

    return {
        "description": str(cls.getdoc()),
        "support_status": support_status_dict(cls.support_status),
        "properties": props,
        "attributes": attrs,
    }


def overrides_get_attribute(cls: Any) -> bool:
    """True if the class resolves attribute names beyond its schema (see README)."""
    return cls.get_attribute is not resource.Resource.get_attribute


def load_resource_types() -> Iterator[tuple[str, Any]]:
    """Yield (type name, plugin class) for each type Heat lists, sorted by name.

    The list is the one ``heat resource-type-list`` shows: Heat's
    ``get_types()`` without a request context, which drops HIDDEN types
    and aliases but does not check policies or service availability.
    """
    # No config files and an empty environment dir: only in-package plugins.
    cfg.CONF([], project="heat", default_config_files=[], default_config_dirs=[])
    cfg.CONF.import_opt("environment_dir", "heat.common.config")
    cfg.CONF.import_opt("plugin_dirs", "heat.common.config")
    cfg.CONF.set_override("plugin_dirs", [])
    with tempfile.TemporaryDirectory(prefix="heat-spec-env-") as empty_dir:
        cfg.CONF.set_override("environment_dir", empty_dir)
        resources.initialise()
    env = resources.global_env()
    for name in sorted(env.get_types()):
        yield name, env.get_class(name)


def heat_version() -> str:
    return metadata.version("openstack-heat")


def build_spec() -> dict[str, Any]:
    types = dict(load_resource_types())
    return {
        "heat_version": heat_version(),
        "generated_by": GENERATED_BY,
        "resource_types": {name: resource_type_dict(name, cls) for name, cls in types.items()},
        "dynamic_attributes": sorted(
            name for name, cls in types.items() if overrides_get_attribute(cls)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="path of the JSON file to write")
    args = parser.parse_args(argv)

    # Heat logs a warning for each hidden type while loading; only errors matter here.
    logging.basicConfig(level=logging.ERROR)

    spec = build_spec()
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(spec, out, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
        out.write("\n")
    print(
        f"wrote {len(spec['resource_types'])} resource types "
        f"from openstack-heat {spec['heat_version']} to {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
