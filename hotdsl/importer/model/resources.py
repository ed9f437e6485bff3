"""Reading resources: their keys, properties, policies and dependencies, as Heat checks them."""

from __future__ import annotations

from typing import Any

from hotdsl.importer.model.nodes import Expr, Lit, Map, ResourceModel
from hotdsl.importer.model.reader import TemplateReader, kind_of
from hotdsl.versions import VERSIONS, resource_key_since


def read_resource(
    reader: TemplateReader, name: str, body: object, section: dict[Any, Any]
) -> ResourceModel:
    if not isinstance(body, dict):
        raise reader.error(
            f"resource {name!r} must be a mapping with a type, not a {kind_of(body)}",
            section,
            name,
        )
    keys = reader.language.resource_keys
    for key in body:
        if key not in keys:
            hint = (
                f" (it needs heat_template_version {resource_key_since(key)} or newer)"
                if key in VERSIONS[-1].resource_keys
                else f"; a resource has {', '.join(keys)}"
            )
            raise reader.error(f"resource {name!r} has the unknown key {key!r}{hint}", body, key)
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise reader.error(
            f"resource {name!r} needs a type (a string)",
            section if "type" not in body else body,
            name if "type" not in body else "type",
        )
    properties = None
    if "properties" in body:
        raw = body["properties"]
        if raw is None or raw == {}:
            reader.find(
                "inexact",
                f"resource {name!r} has an empty properties section; hotdsl leaves it out",
                body,
                "properties",
            )
        else:
            properties = _properties(reader, name, body)
    metadata = _mapping_field(reader, name, body, "metadata") if "metadata" in body else None
    update_policy = (
        _mapping_field(reader, name, body, "update_policy") if "update_policy" in body else None
    )
    depends_on = _depends_on(reader, name, body)
    deletion_policy = _deletion_policy(reader, name, body)
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise reader.error(
            f"the description of resource {name!r} must be a string", body, "description"
        )
    condition = None
    if "condition" in body:
        condition = reader.condition_expr(body["condition"], body, "condition")
    external_id = None
    if "external_id" in body:
        external_id = reader.expr(body["external_id"], body, "external_id")
    return ResourceModel(
        name=name,
        type=kind,
        properties=properties,
        metadata=metadata,
        depends_on=depends_on,
        depends_on_single=isinstance(body.get("depends_on"), str),
        deletion_policy=deletion_policy,
        update_policy=update_policy,
        description=description,
        condition=condition,
        external_id=external_id,
        line=reader.doc.lines.line(section, name),
    )


def _properties(reader: TemplateReader, name: str, body: dict[Any, Any]) -> Expr:
    """A resource's properties: a mapping, or one function call that gives it (Heat
    takes either, `_parse_resource_field(..., (Mapping, Function))`)."""
    raw = body["properties"]
    if isinstance(raw, dict) and not reader.is_call(raw):
        for key in raw:
            if not isinstance(key, str):
                raise reader.error(
                    f"resource {name!r} has the property name {key!r}, which is not a string",
                    raw,
                    key,
                )
    reader.in_properties = True
    try:
        return _mapping_field(reader, name, body, "properties")
    finally:
        reader.in_properties = False


def _mapping_field(reader: TemplateReader, name: str, body: dict[Any, Any], key: str) -> Expr:
    """`properties`, `metadata` or `update_policy`: a mapping with string keys, or one
    function call (which Heat resolves, and the resource type must then take)."""
    raw = body[key]
    result = reader.expr(raw, body, key) if isinstance(raw, dict) else None
    if isinstance(result, Map) and all(isinstance(k, str) for k in result.keys()):
        return result
    if result is not None and not isinstance(result, Map):
        return result
    raise reader.error(
        f"the {key} of resource {name!r} must be a mapping with string keys, or a "
        f"function that gives one, not a {kind_of(raw)}",
        body,
        key,
    )


def _deletion_policy(reader: TemplateReader, name: str, body: dict[Any, Any]) -> Expr | None:
    """A policy name, or a function Heat resolves to one when it reads the resource."""
    if body.get("deletion_policy") is None:
        return None
    raw = body["deletion_policy"]
    allowed = reader.language.deletion_policies
    if isinstance(raw, str):
        if raw not in allowed:
            raise reader.error(
                f"resource {name!r} has the invalid deletion_policy {raw!r}; "
                f"Heat allows {', '.join(allowed)}",
                body,
                "deletion_policy",
            )
        return Lit(raw)
    result = reader.expr(raw, body, "deletion_policy") if isinstance(raw, dict) else None
    if result is None or (isinstance(result, Map) and not reader.is_call(raw)):
        raise reader.error(
            f"resource {name!r}: the deletion_policy must be one of {', '.join(allowed)} "
            "or a function that gives one",
            body,
            "deletion_policy",
        )
    return result


def _depends_on(reader: TemplateReader, name: str, body: dict[Any, Any]) -> tuple[str, ...]:
    if "depends_on" not in body:
        return ()
    raw = body["depends_on"]
    if isinstance(raw, str):
        raw = [raw]
    if raw is None:
        reader.find(
            "inexact",
            f"resource {name!r} has an empty depends_on; hotdsl leaves it out",
            body,
            "depends_on",
        )
        return ()
    if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
        raise reader.error(
            f"depends_on of resource {name!r} must be a resource name or a list of them",
            body,
            "depends_on",
        )
    if not raw:
        reader.find(
            "inexact",
            f"resource {name!r} has an empty depends_on list; hotdsl leaves it out",
            body,
            "depends_on",
        )
    for target in raw:
        if target not in reader.resource_names:
            raise reader.error(
                f"resource {name!r} depends on {target!r}, which is not a resource of the "
                "template (Heat rejects this)",
                body,
                "depends_on",
            )
    if len(set(raw)) != len(raw):
        reader.find(
            "inexact",
            f"resource {name!r} names a resource twice in depends_on; hotdsl writes it once",
            body,
            "depends_on",
        )
    return tuple(dict.fromkeys(raw))
