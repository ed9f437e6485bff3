"""The function calls of HOT, one reader each: check the arguments as Heat does, give the `Expr`.

`FUNCTION_READERS` maps every HOT function name (value and condition functions) to its
reader; a test checks that every function of the language has one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hotdsl.importer.model.nodes import (
    AttrRef,
    Call,
    Expr,
    FileRef,
    Lit,
    Map,
    ParamRef,
    ResourceRef,
    Seq,
    UndeclaredParamRef,
)
from hotdsl.importer.model.rules import (
    LENIENT_MAPPING_FUNCTIONS,
    MAKE_URL_KEYS,
    RESOURCE_FACADE_SECTIONS,
)
from hotdsl.importer.parse import TemplateError
from hotdsl.versions import variant_since

if TYPE_CHECKING:
    from hotdsl.importer.model.reader import TemplateReader

Holder = dict[Any, Any]
"""The single-key mapping that holds the call (for line numbers)."""
FunctionReader = Callable[["TemplateReader", object, Holder, str], Expr]


def _bad_call(reader: TemplateReader, name: str, expected: str, holder: Holder) -> TemplateError:
    return reader.error(f"malformed {name}: {expected}", holder, name)


def _list_args(
    reader: TemplateReader,
    name: str,
    args: object,
    holder: Holder,
    sizes: tuple[int, int | None],
    form: str,
) -> tuple[Expr, ...]:
    low, high = sizes
    if not isinstance(args, list) or len(args) < low or (high is not None and len(args) > high):
        raise _bad_call(reader, name, f"write {name}: {form}", holder)
    return tuple(reader.expr(a, args, i) for i, a in enumerate(args))


def _mapping_args(
    reader: TemplateReader,
    name: str,
    args: object,
    holder: Holder,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> Map:
    lenient = name in LENIENT_MAPPING_FUNCTIONS
    if (
        not isinstance(args, dict)
        or (not lenient and any(k not in required + optional for k in args))
        or any(k not in args for k in required)
    ):
        keys = ", ".join([*required, *(f"optional {k}" for k in optional)])
        raise _bad_call(reader, name, f"its argument must be a mapping with {keys}", holder)
    for key in args:
        if key not in required + optional:
            reader.find(
                "note",
                f"{name} has the key {key!r}, which Heat ignores (it reads "
                f"{', '.join(required + optional)}); kept as written",
                args,
                key,
            )
    result = reader.expr(args, holder, name, plain=False)
    if not isinstance(result, Map):  # a single-key argument that is itself a function call
        result = Map(
            ((next(iter(args)), reader.expr(next(iter(args.values())), args, next(iter(args)))),)
        )
    return result


def _has_permutations(version: str) -> bool:
    """Whether `repeat` takes `permutations` in this version (Heat's RepeatWithNestedLoop)."""
    return version >= variant_since("repeat", "RepeatWithNestedLoop")


def _read_get_param(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if isinstance(args, str):
        target, path = args, []
    elif isinstance(args, list) and args and isinstance(args[0], str):
        target, path = args[0], args[1:]
    else:
        raise _bad_call(
            reader, name, "write get_param: NAME or get_param: [NAME, key, ...]", holder
        )
    path_exprs = tuple(reader.expr(p, args, i + 1) for i, p in enumerate(path))
    listed = isinstance(args, list)
    if target in reader.parameter_names or target in reader.language.pseudo_parameters:
        return ParamRef(target, path_exprs, listed)
    if reader.guarded:
        reader.find(
            "warning",
            f"get_param refers to {target!r}, which is not a parameter of this template; "
            "Heat fails on it only if it evaluates this condition or branch of if (a "
            "latent bug: declare the parameter or remove the reference)",
            holder,
            name,
        )
        return UndeclaredParamRef(target, path_exprs, listed)
    reader.find(
        "invalid",
        f"get_param refers to {target!r}, which is not a parameter of this template",
        holder,
        name,
    )
    return (
        Map(((name, reader.expr(args, holder, name, plain=False)),))
        if isinstance(args, list)
        else Map(((name, Lit(target)),))
    )


def _read_get_resource(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if not isinstance(args, str):
        raise _bad_call(reader, name, "write get_resource: NAME (a resource name)", holder)
    if args in reader.resource_names:
        return ResourceRef(args)
    reader.find(
        "invalid",
        f"get_resource refers to {args!r}, which is not a resource of this template",
        holder,
        name,
    )
    return Map(((name, Lit(args)),))


def _read_get_attr(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    minimum = 1 if reader.version >= variant_since("get_attr", "GetAttAllAttributes") else 2
    if not isinstance(args, list) or len(args) < minimum or not isinstance(args[0], str):
        form = "[RESOURCE, ATTRIBUTE, path...]" + (" or [RESOURCE]" if minimum == 1 else "")
        raise _bad_call(reader, name, f"write get_attr: {form}", holder)
    resource = args[0]
    rest = tuple(reader.expr(p, args, i + 1) for i, p in enumerate(args[1:]))
    if resource not in reader.resource_names:
        reader.find(
            "invalid",
            f"get_attr refers to {resource!r}, which is not a resource of this template",
            holder,
            name,
        )
        return Map(((name, Seq((Lit(resource), *rest))),))
    if not rest:
        return AttrRef(resource, None)
    attribute = rest[0]
    if not (isinstance(attribute, Lit) and isinstance(attribute.value, str)):
        # a computed attribute name: kept as written, the resource by name
        return Call(name, Seq((Lit(resource), *rest)))
    return AttrRef(resource, attribute.value, rest[1:])


def _read_get_file(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if not isinstance(args, str) or not args:
        raise _bad_call(reader, name, "write get_file: PATH (a string)", holder)
    return FileRef(args, reader.doc.lines.line(holder, name))


def _read_list_join(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    high = None if reader.version >= variant_since("list_join", "JoinMultiple") else 2
    items = _list_args(
        reader,
        name,
        args,
        holder,
        (2, high),
        "[DELIMITER, LIST]" + (", or [DELIMITER, LIST, LIST, ...]" if high is None else ""),
    )
    return Call(name, Seq(items))


def _read_str_replace(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, _mapping_args(reader, name, args, holder, ("template", "params")))


def _read_resource_facade(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if args not in RESOURCE_FACADE_SECTIONS:
        raise _bad_call(
            reader,
            name,
            f"its argument must be one of {', '.join(RESOURCE_FACADE_SECTIONS)}",
            holder,
        )
    return Call(name, Lit(str(args)))


def _read_digest(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, Seq(_list_args(reader, name, args, holder, (2, 2), "[ALGORITHM, VALUE]")))


def _read_repeat(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    optional = ("permutations",) if _has_permutations(reader.version) else ()
    mapping = _mapping_args(reader, name, args, holder, ("for_each", "template"), optional)
    return Call(name, mapping)


def _read_str_split(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(
        name,
        Seq(
            _list_args(
                reader,
                name,
                args,
                holder,
                (2, 3),
                "[DELIMITER, STRING] or [DELIMITER, STRING, INDEX]",
            )
        ),
    )


def _read_map_merge(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, Seq(_list_args(reader, name, args, holder, (0, None), "[MAP, MAP, ...]")))


def _read_map_replace(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    items = _list_args(reader, name, args, holder, (1, 2), "[MAP, {keys: ..., values: ...}]")
    if len(items) == 2:
        second = items[1]
        if isinstance(second, (Lit, Seq)) or (
            isinstance(second, Map) and any(k not in ("keys", "values") for k in second.keys())
        ):
            raise _bad_call(
                reader,
                name,
                "its second argument must be a mapping with keys and/or values",
                holder,
            )
    return Call(name, Seq(items))


def _read_yaql(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    # Heat takes `data` as optional ({} when left out)
    return Call(name, _mapping_args(reader, name, args, holder, ("expression",), ("data",)))


def _read_if(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    low = 2 if reader.version >= variant_since("if", "IfNullable") else 3
    form = "[CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]" + (
        " or [CONDITION, VALUE_IF_TRUE]" if low == 2 else ""
    )
    if not isinstance(args, list) or not low <= len(args) <= 3:
        raise _bad_call(reader, name, f"write if: {form}", holder)
    reader.guarded += 1
    try:
        first = reader.expr(args[0], args, 0, condition=True)
        rest = tuple(reader.expr(a, args, i + 1) for i, a in enumerate(args[1:]))
    finally:
        reader.guarded -= 1
    return Call(name, Seq((first, *rest)))


def _read_filter(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(
        name, Seq(_list_args(reader, name, args, holder, (2, 2), "[VALUES_TO_REMOVE, LIST]"))
    )


def _read_make_url(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, _mapping_args(reader, name, args, holder, (), MAKE_URL_KEYS))


def _read_contains(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, Seq(_list_args(reader, name, args, holder, (2, 2), "[VALUE, SEQUENCE]")))


def _read_equals(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    return Call(name, Seq(_list_args(reader, name, args, holder, (2, 2), "[VALUE, VALUE]")))


def _read_not(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if args is None:
        raise _bad_call(reader, name, "its argument must be a condition", holder)
    return Call(name, reader.expr(args, holder, name, condition=True))


def _read_and(reader: TemplateReader, args: object, holder: Holder, name: str) -> Expr:
    if not isinstance(args, list) or len(args) < 2:
        raise _bad_call(
            reader, name, "its argument must be a list of at least two conditions", holder
        )
    return Call(
        name, Seq(tuple(reader.expr(a, args, i, condition=True) for i, a in enumerate(args)))
    )


FUNCTION_READERS: dict[str, FunctionReader] = {
    "get_param": _read_get_param,
    "get_resource": _read_get_resource,
    "get_attr": _read_get_attr,
    "get_file": _read_get_file,
    "list_join": _read_list_join,
    "str_replace": _read_str_replace,
    "str_replace_strict": _read_str_replace,
    "str_replace_vstrict": _read_str_replace,
    "resource_facade": _read_resource_facade,
    "digest": _read_digest,
    "repeat": _read_repeat,
    "str_split": _read_str_split,
    "map_merge": _read_map_merge,
    "list_concat": _read_map_merge,
    "list_concat_unique": _read_map_merge,
    "map_replace": _read_map_replace,
    "yaql": _read_yaql,
    "if": _read_if,
    "filter": _read_filter,
    "make_url": _read_make_url,
    "contains": _read_contains,
    "equals": _read_equals,
    "not": _read_not,
    "and": _read_and,
    "or": _read_and,
}
"""HOT function name -> the reader of its call (after the version allows the function)."""
