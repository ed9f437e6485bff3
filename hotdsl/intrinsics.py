"""Typed HOT intrinsic and condition functions, each knowing the first template version that has it.

`Intrinsic[T]` is a value Heat computes at deploy time that will be a `T`. Resources,
parameters and attributes are intrinsics too, so passing them where a value is
expected writes `get_resource`, `get_param` or `get_attr` and records the dependency.

Heat's table of functions per template version (`heat/engine/hot/template.py`) is the
reference. Heat does not reject a function its version lacks (it reads it as a plain
mapping), so hotdsl gates each function itself at synth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeAlias, TypeVar

from hotdsl.source import caller_directory
from hotdsl.versions import since, variant_since

if TYPE_CHECKING:
    from hotdsl.construct import Construct

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class ResolveContext(Protocol):
    """What an intrinsic needs from synth to turn itself into HOT data."""

    def value(self, value: object) -> object:
        """Resolve a nested value (literal, intrinsic, list, mapping) to HOT data."""
        ...

    def condition(self, expression: object) -> object:
        """Resolve a condition: a `Condition` becomes its name, an expression its HOT form."""
        ...

    def reference(self, reference: Reference[Any]) -> object:
        """The HOT form of a reference: by name in its own stack, carried in from another."""
        ...

    def require(self, version: str, feature: str) -> None:
        """Report a problem unless the stack's template version is at least `version`."""
        ...

    def report(self, message: str) -> None:
        """Report a problem at the node being resolved."""
        ...

    def tolerate_undeclared_parameter(self, name: str) -> None:
        """Let `get_param` of `name`, which the stack does not declare, through as a warning."""
        ...

    def add_file(self, key: str, content: str) -> None:
        """Send `content` to Heat in the files map under `key` (for get_file and templates)."""
        ...

    def use_provider(self, provider: type[Any]) -> None:
        """Make a provider template (a `ProviderResource` class) available to this stack."""
        ...


class Intrinsic(Generic[T_co]):
    """A value that Heat computes at deploy time and that will be a `T_co`."""

    __slots__ = ()

    def resolve(self, ctx: ResolveContext) -> object:
        """The HOT form of this value."""
        raise NotImplementedError


class Reference(Intrinsic[T_co]):
    """A value that names one construct: `get_resource`, `get_attr`, `get_param`.

    Inside the construct's own stack it is written by name (`written_as`); in any other
    stack synth carries it across the boundary as an output and a parameter
    (`carried_as`). Which of the two applies synth decides in one place
    (`ResolveContext.reference`).
    """

    __slots__ = ()

    def referenced(self) -> Construct:
        """The construct this value names."""
        raise NotImplementedError

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        """The HOT form in the construct's own stack, where it is called `name`."""
        raise NotImplementedError

    def carried_as(self) -> tuple[str, str] | str:
        """(key, parameter type) of the value carried into another stack, or why it cannot be."""
        raise NotImplementedError

    def resolve(self, ctx: ResolveContext) -> object:
        return ctx.reference(self)


class HotData(Protocol):
    """A structured value (such as a typed property item) that knows its HOT form.

    The resolver calls `__hot__()` and resolves what it returns, so the result may
    hold intrinsics, resources and parameters.
    """

    def __hot__(self) -> object: ...


Value: TypeAlias = T | Intrinsic[T]
"""A literal `T`, or a value Heat computes that will be a `T`."""


class FunctionCall(Intrinsic[T_co]):
    """A call of a HOT function, `{name: arguments}`, available from `since` on."""

    __slots__ = ("arguments", "feature", "name", "since")

    def __init__(
        self, name: str, arguments: object, since: str, feature: str | None = None
    ) -> None:
        self.name = name
        self.arguments = arguments
        self.since = since
        self.feature = feature

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.require(self.since, self.feature or self.name)
        return {self.name: ctx.value(self.arguments)}

    def __repr__(self) -> str:
        return f"{self.name}({self.arguments!r})"


class CombinableCondition(Intrinsic[bool]):
    """`&`, `|` and `~` on conditions: `prod & ~small` is `and_(prod, not_(small))`."""

    __slots__ = ()

    def __and__(self, other: ConditionLike) -> ConditionFunction:
        return and_(self, other)

    def __or__(self, other: ConditionLike) -> ConditionFunction:
        return or_(self, other)

    def __invert__(self) -> ConditionFunction:
        return not_(self)


class ConditionFunction(CombinableCondition, FunctionCall[bool]):
    """A function that only Heat's condition parser knows (`equals`, `not`, `and`, `or`).

    Outside a condition (the `conditions` section, a resource's or output's
    `condition`, the first argument of `if`) Heat would read it as a plain mapping,
    so the resolver rejects it there.
    """

    __slots__ = ()

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.require(self.since, self.feature or self.name)
        if self.name == "not":
            return {self.name: ctx.condition(self.arguments)}
        if self.name in ("and", "or"):
            assert isinstance(self.arguments, list)
            return {self.name: [ctx.condition(a) for a in self.arguments]}
        return {self.name: ctx.value(self.arguments)}


ConditionLike: TypeAlias = Intrinsic[bool] | bool
"""A condition: a `Condition` node, a condition function, or a literal boolean."""


class GetAttr(Reference[T_co]):
    """`get_attr`: an attribute of a resource, optionally a path into it.

    Index it to select into the attribute: `server.attrs.addresses["private"][0]`.
    """

    __slots__ = ("attribute", "hot_type", "path", "resource")

    def __init__(
        self,
        resource: Construct,
        attribute: str | None,
        path: Sequence[Value[Any]] = (),
        hot_type: str = "string",
    ) -> None:
        self.resource = resource
        self.attribute = attribute
        self.path = tuple(path)
        self.hot_type = hot_type
        """The parameter type that carries this value across a stack boundary."""

    def __getitem__(self, key: Value[str] | Value[int]) -> GetAttr[Any]:
        if self.attribute is None:
            raise TypeError("select an attribute before a path: get_attr(resource, 'name')[key]")
        return GetAttr(self.resource, self.attribute, (*self.path, key), hot_type="json")

    def referenced(self) -> Construct:
        return self.resource

    def carried_as(self) -> tuple[str, str] | str:
        if self.attribute is None or not all(isinstance(p, (str, int)) for p in self.path):
            return "a get_attr across stacks needs an attribute name and a literal path"
        key = ".".join(
            [self.resource.node.logical_name, self.attribute, *(str(p) for p in self.path)]
        )
        return key, self.hot_type

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        if self.attribute is None:
            ctx.require(
                variant_since("get_attr", "GetAttAllAttributes"),
                "get_attr without an attribute name (all attributes)",
            )
            return {"get_attr": [name]}
        return {"get_attr": [name, self.attribute, *(ctx.value(p) for p in self.path)]}

    def __repr__(self) -> str:
        return f"get_attr({self.resource!r}, {self.attribute!r}{''.join(f', {p!r}' for p in self.path)})"


class GetParam(Reference[T_co]):
    """`get_param`: a parameter's value, optionally a path into a json or list parameter.

    `listed` writes `get_param: [name]` even without a path (the same to Heat; kept
    when a template written so is imported).
    """

    __slots__ = ("listed", "parameter", "path")

    def __init__(
        self, parameter: Construct | str, path: Sequence[Value[Any]] = (), listed: bool = False
    ) -> None:
        self.parameter = parameter
        self.path = tuple(path)
        self.listed = listed

    def __getitem__(self, key: Value[str] | Value[int]) -> GetParam[Any]:
        return GetParam(self.parameter, (*self.path, key), self.listed)

    def resolve(self, ctx: ResolveContext) -> object:
        if isinstance(self.parameter, str):  # a pseudo parameter such as OS::stack_id
            return self.written_as(self.parameter, ctx)
        return ctx.reference(self)

    def referenced(self) -> Construct:
        assert not isinstance(self.parameter, str)
        return self.parameter

    def carried_as(self) -> tuple[str, str] | str:
        assert not isinstance(self.parameter, str)
        if not all(isinstance(p, (str, int)) for p in self.path):
            return "a get_param across stacks needs a literal path"
        key = ".".join(["param", self.parameter.node.logical_name, *(str(p) for p in self.path)])
        return key, "json" if self.path else getattr(self.parameter, "type", "string")

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        if not self.path and not self.listed:
            return {"get_param": name}
        return {"get_param": [name, *(ctx.value(p) for p in self.path)]}


class UndeclaredParam(Intrinsic[Any]):
    """`get_param` of a parameter the stack does not declare: see `undeclared_param`."""

    __slots__ = ("listed", "name", "path")

    def __init__(self, name: str, path: Sequence[Value[Any]], listed: bool) -> None:
        self.name = name
        self.path = tuple(path)
        self.listed = listed

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.tolerate_undeclared_parameter(self.name)
        if not self.path and not self.listed:
            return {"get_param": self.name}
        return {"get_param": [self.name, *(ctx.value(p) for p in self.path)]}


class GetResource(Reference[str]):
    """`get_resource`: the physical id of a resource (passing the resource itself does the same)."""

    __slots__ = ("resource",)

    def __init__(self, resource: Construct) -> None:
        self.resource = resource

    def referenced(self) -> Construct:
        return self.resource

    def carried_as(self) -> tuple[str, str] | str:
        return self.resource.node.logical_name, "string"

    def written_as(self, name: str, ctx: ResolveContext) -> object:
        return {"get_resource": name}


class FileReference(Intrinsic[str]):
    """`get_file`: a file sent to Heat in the files map, read from disk at synth or given as text."""

    __slots__ = ("content", "key", "source")

    def __init__(self, key: str, source: Path | None, content: str | None) -> None:
        self.key = key
        self.source = source
        self.content = content

    def resolve(self, ctx: ResolveContext) -> object:
        if self.content is not None:
            ctx.add_file(self.key, self.content)
        elif self.source is not None:
            try:
                ctx.add_file(self.key, self.source.read_text(encoding="utf-8"))
            except OSError as exc:
                ctx.report(
                    f"get_file cannot read {self.key!r} ({self.source}): {exc.strerror or exc}"
                )
        return {"get_file": self.key}


class If(Intrinsic[T_co]):
    """`if`: one of two values, chosen by a condition when Heat creates the stack."""

    __slots__ = ("condition", "has_false", "if_false", "if_true")

    def __init__(
        self, condition: object, if_true: object, if_false: object, has_false: bool
    ) -> None:
        self.condition = condition
        self.if_true = if_true
        self.if_false = if_false
        self.has_false = has_false

    def resolve(self, ctx: ResolveContext) -> object:
        ctx.require(since("if"), "if")
        args = [ctx.condition(self.condition), ctx.value(self.if_true)]
        if self.has_false:
            args.append(ctx.value(self.if_false))
        else:
            ctx.require(
                variant_since("if", "IfNullable"),
                "if without a value_if_false (the enclosing item is dropped)",
            )
        return {"if": args}


# Pseudo parameters Heat defines in every stack.
STACK_ID: GetParam[str] = GetParam("OS::stack_id")
STACK_NAME: GetParam[str] = GetParam("OS::stack_name")
PROJECT_ID: GetParam[str] = GetParam("OS::project_id")


# --- functions: the public, typed way to write HOT functions -------------------------------


def get_param(
    parameter: Construct | str, *path: Value[str] | Value[int], listed: bool = False
) -> GetParam[Any]:
    """`get_param`: a parameter (or pseudo parameter name), optionally a path into its value.

    `listed=True` writes `get_param: [name]` without a path, as some templates do.
    """
    return GetParam(parameter, path, listed)


def undeclared_param(
    name: str, *path: Value[str] | Value[int], listed: bool = False
) -> Intrinsic[Any]:
    """`get_param` of a parameter the stack does not declare, written on purpose.

    Heat fails on such a reference only when it evaluates it, so inside a condition or
    a branch of `if` that it never takes it goes unnoticed: a latent bug. `hotdsl
    import` writes this for such references, so the template comes back as it was;
    synth lets them through with a warning (a plain `get_param` of an undeclared name
    stays an error). Declare the parameter, or remove the reference, to fix it.
    """
    return UndeclaredParam(name, path, listed)


def get_resource(resource: Construct) -> Intrinsic[str]:
    """`get_resource`: the id of a resource. Passing the resource itself does the same."""
    return GetResource(resource)


def get_attr(
    resource: Construct, attribute: str | None = None, *path: Value[str] | Value[int]
) -> GetAttr[Any]:
    """`get_attr`: an attribute of a resource; without a name, all its attributes (2015-10-15)."""
    return GetAttr(resource, attribute, path)


def get_file(path: str, *, key: str | None = None, content: str | None = None) -> Intrinsic[str]:
    """`get_file`: a file's content, sent to Heat with the template in the files map.

    `path` is relative to the Python file that calls `get_file` (or absolute); synth
    copies the file into the out dir. The template refers to the file by `key`, the
    path as written by default. With `content`, `path` is only the key and the text is
    given here (for files rendered at synth). A URL (`https://...`) is left for Heat's
    client side to fetch and is not read.
    """
    if content is not None:
        return FileReference(key or _file_key(path), None, content)
    if "://" in path:
        return FunctionCall("get_file", path, since("get_file"))
    source = Path(path)
    if not source.is_absolute():
        source = caller_directory() / source
    return FileReference(key or _file_key(path), source, None)


def _file_key(path: str) -> str:
    """The key a file gets in the files map: its path as written (`./boot.sh` stays so), or
    only its name if absolute, so no machine's folders land in a template."""
    text = path.replace("\\", "/")
    return PurePosixPath(text).name if text.startswith("/") else text


def list_join(delimiter: str, *lists: Value[Sequence[Value[str]]]) -> Intrinsic[str]:
    """`list_join`: join one list of strings (several lists from 2015-10-15) with a delimiter."""
    if not lists:
        raise TypeError("list_join needs at least one list")
    if len(lists) > 1:
        return FunctionCall(
            "list_join",
            [delimiter, *lists],
            variant_since("list_join", "JoinMultiple"),
            "list_join of several lists",
        )
    return FunctionCall("list_join", [delimiter, lists[0]], since("list_join"))


def str_replace(template: Value[str], params: Mapping[str, object]) -> Intrinsic[str]:
    """`str_replace`: substitute each key of `params` in `template` by its value."""
    return FunctionCall(
        "str_replace", {"template": template, "params": dict(params)}, since("str_replace")
    )


def str_replace_strict(template: Value[str], params: Mapping[str, object]) -> Intrinsic[str]:
    """`str_replace_strict`: like str_replace, but fails if a key is not in the template."""
    return FunctionCall(
        "str_replace_strict",
        {"template": template, "params": dict(params)},
        since("str_replace_strict"),
    )


def str_replace_vstrict(template: Value[str], params: Mapping[str, object]) -> Intrinsic[str]:
    """`str_replace_vstrict`: like str_replace_strict, and fails on empty values too."""
    return FunctionCall(
        "str_replace_vstrict",
        {"template": template, "params": dict(params)},
        since("str_replace_vstrict"),
    )


def str_split(
    delimiter: str, string: Value[str], index: Value[int] | None = None
) -> Intrinsic[Any]:
    """`str_split`: split a string into a list, or pick one item when `index` is given."""
    args: list[object] = [delimiter, string]
    if index is not None:
        args.append(index)
    return FunctionCall("str_split", args, since("str_split"))


def digest(
    algorithm: Literal["md5", "sha1", "sha224", "sha256", "sha384", "sha512"], value: Value[str]
) -> Intrinsic[str]:
    """`digest`: a hash of a string, with any algorithm of Python's hashlib."""
    return FunctionCall("digest", [algorithm, value], since("digest"))


def repeat(
    template: object, for_each: Mapping[str, object], *, permutations: bool | None = None
) -> Intrinsic[list[Any]]:
    """`repeat`: a list made by substituting each item of the `for_each` lists into `template`.

    `for_each` values that are maps need 2016-10-14; `permutations=False` (zip rather
    than the nested loop) needs 2017-09-01.
    """
    args: dict[str, object] = {"for_each": dict(for_each), "template": template}
    if permutations is not None:
        args["permutations"] = permutations
        return FunctionCall(
            "repeat",
            args,
            variant_since("repeat", "RepeatWithNestedLoop"),
            "repeat with permutations",
        )
    if any(isinstance(values, Mapping) for values in for_each.values()):
        return FunctionCall(
            "repeat",
            args,
            variant_since("repeat", "RepeatWithMap"),
            "repeat over the keys of a map",
        )
    return FunctionCall("repeat", args, since("repeat"))


def resource_facade(
    section: Literal["metadata", "deletion_policy", "update_policy"],
) -> Intrinsic[Any]:
    """`resource_facade`: a section of the parent resource, inside a provider template."""
    return FunctionCall("resource_facade", section, since("resource_facade"))


def map_merge(*maps: Value[Mapping[str, Any]]) -> Intrinsic[dict[str, Any]]:
    """`map_merge`: merge maps, later keys winning."""
    return FunctionCall("map_merge", list(maps), since("map_merge"))


def map_replace(
    map: Value[Mapping[str, Any]],
    *,
    keys: Value[Mapping[str, Any]] | None = None,
    values: Value[Mapping[str, Any]] | None = None,
) -> Intrinsic[dict[str, Any]]:
    """`map_replace`: rename keys and replace values of a map."""
    replacements: dict[str, object] = {}
    if keys is not None:
        replacements["keys"] = keys
    if values is not None:
        replacements["values"] = values
    return FunctionCall("map_replace", [map, replacements], since("map_replace"))


def yaql(expression: str, data: Mapping[str, object]) -> Intrinsic[Any]:
    """`yaql`: evaluate a YAQL expression over `data` (also valid as a condition from 2017-09-01)."""
    return FunctionCall("yaql", {"expression": expression, "data": dict(data)}, since("yaql"))


def if_(
    condition: ConditionLike, value_if_true: object, value_if_false: object = ..., /
) -> If[Any]:
    """`if`: `value_if_true` when the condition holds, else `value_if_false`.

    Without `value_if_false` (2021-04-16) the enclosing item is left out when false.
    """
    if value_if_false is ...:
        return If(condition, value_if_true, None, has_false=False)
    return If(condition, value_if_true, value_if_false, has_false=True)


def filter(values: Value[Sequence[Any]], sequence: Value[Sequence[Any]]) -> Intrinsic[list[Any]]:
    """`filter`: `sequence` without the items in `values`."""
    return FunctionCall("filter", [values, sequence], since("filter"))


def make_url(
    *,
    scheme: Value[str] | None = None,
    host: Value[str] | None = None,
    port: Value[int] | Value[str] | None = None,
    path: Value[str] | None = None,
    query: Value[Mapping[str, Any]] | None = None,
    fragment: Value[str] | None = None,
    username: Value[str] | None = None,
    password: Value[str] | None = None,
) -> Intrinsic[str]:
    """`make_url`: build a URL from its parts, escaping each properly."""
    parts = {
        "scheme": scheme,
        "username": username,
        "password": password,
        "host": host,
        "port": port,
        "path": path,
        "query": query,
        "fragment": fragment,
    }
    return FunctionCall(
        "make_url", {k: v for k, v in parts.items() if v is not None}, since("make_url")
    )


def list_concat(*lists: Value[Sequence[Any]]) -> Intrinsic[list[Any]]:
    """`list_concat`: concatenate lists."""
    return FunctionCall("list_concat", list(lists), since("list_concat"))


def list_concat_unique(*lists: Value[Sequence[Any]]) -> Intrinsic[list[Any]]:
    """`list_concat_unique`: concatenate lists, dropping repeated items."""
    return FunctionCall("list_concat_unique", list(lists), since("list_concat_unique"))


def contains(value: object, sequence: Value[Sequence[Any]]) -> ConditionFunction:
    """`contains`: whether `sequence` contains `value` (a function and a condition, 2017-09-01)."""
    return ConditionFunction("contains", [value, sequence], since("contains"))


def equals(left: object, right: object) -> ConditionFunction:
    """`equals`: a condition that holds when both values are equal (2016-10-14)."""
    return ConditionFunction("equals", [left, right], since("equals"))


def not_(condition: ConditionLike) -> ConditionFunction:
    """`not`: a condition that holds when `condition` does not (2016-10-14)."""
    return ConditionFunction("not", condition, since("not"))


def and_(*conditions: ConditionLike) -> ConditionFunction:
    """`and`: a condition that holds when all conditions hold (2016-10-14)."""
    if len(conditions) < 2:
        raise TypeError("and_ needs at least two conditions")
    return ConditionFunction("and", list(conditions), since("and"))


def or_(*conditions: ConditionLike) -> ConditionFunction:
    """`or`: a condition that holds when any condition holds (2016-10-14)."""
    if len(conditions) < 2:
        raise TypeError("or_ needs at least two conditions")
    return ConditionFunction("or", list(conditions), since("or"))
