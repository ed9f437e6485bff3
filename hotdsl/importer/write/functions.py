"""The function calls of HOT, one writer each: the DSL function that writes the call.

`FUNCTION_WRITERS` maps a HOT function name to the writer of its `Call`; a writer gives
None when the arguments fit no typed signature, and the call is written as the plain
mapping it is in HOT. A test checks that every function of the language has a writer
or is written as a reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from hotdsl import intrinsics as fn
from hotdsl.importer.model import Expr, Lit, Map, Seq
from hotdsl.importer.model.rules import DIGEST_ALGORITHMS
from hotdsl.importer.pysource import Code, call, scalar, string
from hotdsl.importer.typed import ANY, intrinsic
from hotdsl.importer.write.context import CONDITION_LIKE, VALUE_STR, Rendered, want
from hotdsl.versions import variant_since

if TYPE_CHECKING:
    from hotdsl.importer.write.values import ValueWriter

FunctionWriter = Callable[["ValueWriter", Expr], "Rendered | None"]


def _write_list_join(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    delimiter, *lists = args.items
    if not (isinstance(delimiter, Lit) and isinstance(delimiter.value, str)):
        return None
    codes = values.args((item, want(fn.list_join, "lists")) for item in lists)
    if codes is None:
        return None
    return call(values.use_function("list_join"), string(delimiter.value), *codes), intrinsic("str")


def _replace(values: ValueWriter, name: str, args: Expr, function: str) -> Rendered | None:
    assert isinstance(args, Map)
    if set(args.keys()) != {"template", "params"}:
        return None  # keys Heat ignores: kept as written
    template, params = args.get("template"), args.get("params")
    assert template is not None and params is not None
    if not isinstance(params, Map) or not all(isinstance(k, str) for k in params.keys()):
        return None
    codes = values.args([(template, VALUE_STR), (params, Mapping[str, object])])
    if codes is None:
        return None
    return call(values.use_function(function), *codes), intrinsic("str")


def _write_str_replace(values: ValueWriter, args: Expr) -> Rendered | None:
    return _replace(values, "str_replace", args, "str_replace")


def _write_str_replace_strict(values: ValueWriter, args: Expr) -> Rendered | None:
    return _replace(values, "str_replace_strict", args, "str_replace_strict")


def _write_str_replace_vstrict(values: ValueWriter, args: Expr) -> Rendered | None:
    return _replace(values, "str_replace_vstrict", args, "str_replace_vstrict")


def _write_resource_facade(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Lit) and isinstance(args.value, str)
    return call(values.use_function("resource_facade"), string(args.value)), ANY


def _write_digest(values: ValueWriter, args: Expr) -> Rendered | None:
    if not isinstance(args, Seq):
        return None
    algorithm, value = args.items
    if not (isinstance(algorithm, Lit) and algorithm.value in DIGEST_ALGORITHMS):
        return None
    codes = values.args([(value, VALUE_STR)])
    if codes is None:
        return None
    return call(values.use_function("digest"), scalar(algorithm.value), *codes), intrinsic("str")


def _write_repeat(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Map)
    known = {"for_each", "template"} | (
        {"permutations"}
        if values.model.version >= variant_since("repeat", "RepeatWithNestedLoop")
        else set()
    )
    if not set(args.keys()) <= known:
        return None  # keys Heat ignores: kept as written
    for_each, template, permutations = (
        args.get("for_each"),
        args.get("template"),
        args.get("permutations"),
    )
    assert for_each is not None and template is not None
    if not isinstance(for_each, Map) or not all(isinstance(k, str) for k in for_each.keys()):
        return None
    codes = values.args([(template, object), (for_each, Mapping[str, object])])
    if codes is None:
        return None
    kwargs: dict[str, Code] = {}
    if permutations is not None:
        if not (isinstance(permutations, Lit) and isinstance(permutations.value, bool)):
            return None
        kwargs["permutations"] = scalar(permutations.value)
    return call(values.use_function("repeat"), *codes, **kwargs), intrinsic("list")


def _write_str_split(values: ValueWriter, args: Expr) -> Rendered | None:
    if not isinstance(args, Seq):
        return None
    delimiter, *rest = args.items
    if not (isinstance(delimiter, Lit) and isinstance(delimiter.value, str)):
        return None
    wants: list[object] = [VALUE_STR, want(fn.str_split, "index")]
    codes = values.args(zip(rest, wants, strict=False))
    if codes is None:
        return None
    return call(values.use_function("str_split"), string(delimiter.value), *codes), ANY


def _write_map_merge(values: ValueWriter, args: Expr) -> Rendered | None:
    if not isinstance(args, Seq):
        return None
    codes = values.args((item, want(fn.map_merge, "maps")) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function("map_merge"), *codes), intrinsic("dict")


def _lists(values: ValueWriter, function: str, args: Expr) -> Rendered | None:
    if not isinstance(args, Seq):
        return None
    codes = values.args((item, want(fn.list_concat, "lists")) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function(function), *codes), intrinsic("list")


def _write_list_concat(values: ValueWriter, args: Expr) -> Rendered | None:
    return _lists(values, "list_concat", args)


def _write_list_concat_unique(values: ValueWriter, args: Expr) -> Rendered | None:
    return _lists(values, "list_concat_unique", args)


def _write_map_replace(values: ValueWriter, args: Expr) -> Rendered | None:
    if not isinstance(args, Seq) or len(args.items) != 2:
        return None  # map_replace() always writes the replacements, {} if none
    source, replacements = args.items
    if not isinstance(replacements, Map):
        return None
    codes = values.args([(source, want(fn.map_replace, "map"))])
    if codes is None:
        return None
    kwargs: dict[str, Code] = {}
    for key, value in replacements.entries:
        rendered = values.value(value, want(fn.map_replace, str(key)))
        if rendered is None:
            return None
        kwargs[str(key)] = rendered[0]
    return call(values.use_function("map_replace"), *codes, **kwargs), intrinsic("dict")


def _write_yaql(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Map)
    expression, data = args.get("expression"), args.get("data")
    if not (isinstance(expression, Lit) and isinstance(expression.value, str)):
        return None
    if not isinstance(data, Map) or not all(isinstance(k, str) for k in data.keys()):
        return None
    codes = values.args([(data, Mapping[str, object])])
    if codes is None:
        return None
    return call(values.use_function("yaql"), string(expression.value), *codes), ANY


def _write_if(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    condition, *branches = args.items
    codes = values.args([(condition, CONDITION_LIKE), *((v, object) for v in branches)])
    if codes is None:
        return None
    return call(values.use_function("if"), *codes), ANY


def _write_filter(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    codes = values.args((item, want(fn.filter, "values")) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function("filter"), *codes), intrinsic("list")


def _write_make_url(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Map)
    kwargs: dict[str, Code] = {}
    for key, value in args.entries:
        rendered = values.value(value, want(fn.make_url, str(key)))
        if rendered is None:
            return None
        kwargs[str(key)] = rendered[0]
    return call(values.use_function("make_url"), **kwargs), intrinsic("str")


def _write_contains(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    value, sequence = args.items
    codes = values.args([(value, object), (sequence, want(fn.contains, "sequence"))])
    if codes is None:
        return None
    return call(values.use_function("contains"), *codes), intrinsic("bool")


def _write_equals(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    codes = values.args((item, object) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function("equals"), *codes), intrinsic("bool")


def _write_not(values: ValueWriter, args: Expr) -> Rendered | None:
    codes = values.args([(args, CONDITION_LIKE)])
    if codes is None:
        return None
    return call(values.use_function("not"), *codes), intrinsic("bool")


def _write_and(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    codes = values.args((item, CONDITION_LIKE) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function("and"), *codes), intrinsic("bool")


def _write_or(values: ValueWriter, args: Expr) -> Rendered | None:
    assert isinstance(args, Seq)
    codes = values.args((item, CONDITION_LIKE) for item in args.items)
    if codes is None:
        return None
    return call(values.use_function("or"), *codes), intrinsic("bool")


FUNCTION_WRITERS: dict[str, FunctionWriter] = {
    "list_join": _write_list_join,
    "str_replace": _write_str_replace,
    "str_replace_strict": _write_str_replace_strict,
    "str_replace_vstrict": _write_str_replace_vstrict,
    "resource_facade": _write_resource_facade,
    "digest": _write_digest,
    "repeat": _write_repeat,
    "str_split": _write_str_split,
    "map_merge": _write_map_merge,
    "list_concat": _write_list_concat,
    "list_concat_unique": _write_list_concat_unique,
    "map_replace": _write_map_replace,
    "yaql": _write_yaql,
    "if": _write_if,
    "filter": _write_filter,
    "make_url": _write_make_url,
    "contains": _write_contains,
    "equals": _write_equals,
    "not": _write_not,
    "and": _write_and,
    "or": _write_or,
}
"""HOT function name -> the writer of its call as a DSL function."""

REFERENCE_FUNCTIONS = ("get_param", "get_resource", "get_attr", "get_file")
"""Functions the model reads as references (`references` writes them); a `get_attr`
whose attribute is computed stays a call, written as the plain mapping it is."""
