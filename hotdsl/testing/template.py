"""`Template`: assertions on one synthesized HOT template, for the user's own tests.

```python
template = Template.from_stack(stack)
template.resource_count_is("OS::Nova::Server", 2)
template.has_resource_properties("OS::Nova::Server", {"networks": [{"port": port}]})
```

Expected values may hold the user's Python objects: in a template made `from_stack`, a
resource, parameter, condition or attribute is written in its HOT form
(`{get_resource: port}`) by synth's own resolver, so tests need not spell out logical
names. A template made from a dict or a file has no stack to ask, so there expected
values are HOT data (and matchers).
"""

from __future__ import annotations

import copy
import difflib
import os
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import attrs

from hotdsl.construct import Construct, Stack
from hotdsl.heat_yaml import load_heat_yaml
from hotdsl.intrinsics import ConditionFunction, Intrinsic
from hotdsl.synth import synth_stack
from hotdsl.synth.emit import emit_yaml
from hotdsl.synth.link import Links
from hotdsl.synth.render import Renderer
from hotdsl.testing.match import ANYTHING, Matcher, MatchResult, as_matcher, show

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["OutputKeys", "ParameterKeys", "ResourceKeys", "Template"]


class ResourceKeys(TypedDict, total=False):
    """The keys of a resource besides `type`; each takes a pattern for its value."""

    properties: object
    metadata: object
    depends_on: object
    update_policy: object
    deletion_policy: object
    external_id: object
    condition: object
    description: object


class OutputKeys(TypedDict, total=False):
    """The keys of an output; each takes a pattern for its value."""

    value: object
    description: object
    condition: object


class ParameterKeys(TypedDict, total=False):
    """The keys of a parameter; each takes a pattern for its value."""

    type: object
    label: object
    description: object
    default: object
    hidden: object
    constraints: object
    immutable: object
    tags: object


NameLike = str | Matcher | Construct
"""A name in a section: the name, a matcher for names, or the construct itself."""


class Template:
    """One HOT template, with assertions that fail with short, pointed messages.

    Every assertion raises `AssertionError`; a failure names the closest candidate and
    the path of each difference, e.g.
    `properties.networks[0].port: expected {get_resource: port}, got {get_resource: web.port}`.
    """

    def __init__(self, template: Mapping[str, Any], *, stack: Stack | None = None) -> None:
        if not isinstance(template, Mapping):
            raise TypeError(f"a HOT template is a mapping, got {type(template).__name__}")
        self._template: dict[str, Any] = copy.deepcopy(dict(template))
        self._stack = stack
        self._resolve: Callable[[object], object] = (
            _ExpectedValues(stack).value if stack is not None else _plain_expected
        )

    # --- making one ---------------------------------------------------------------------

    @classmethod
    def from_stack(cls, stack: Stack) -> Template:
        """The stack's template, after the same checks as `hotdsl synth` (`SynthError` if any fail)."""
        return cls(synth_stack(stack), stack=stack)

    @classmethod
    def from_dict(cls, template: Mapping[str, Any]) -> Template:
        """A template given as HOT data (a copy is kept)."""
        return cls(template)

    @classmethod
    def from_yaml(cls, text: str) -> Template:
        """A template given as HOT YAML text, read as Heat reads it (dates stay strings)."""
        data = load_heat_yaml(text)
        if not isinstance(data, Mapping):
            raise TypeError(
                f"not a HOT template: the top level is a {type(data).__name__}, not a mapping"
            )
        return cls(data)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Template:
        """A template read from a HOT YAML file, e.g. one that `hotdsl synth` wrote."""
        try:
            return cls.from_yaml(Path(path).read_text(encoding="utf-8"))
        except TypeError as exc:
            raise TypeError(f"{os.fspath(path)}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """The template as HOT data (a copy)."""
        return copy.deepcopy(self._template)

    def to_yaml(self) -> str:
        """The template as the YAML text `hotdsl synth` writes."""
        return emit_yaml(self._template)

    def __repr__(self) -> str:
        of = f" of stack {self._stack.node.path}" if self._stack is not None else ""
        return f"<Template{of}: {len(self._section('resources'))} resources>"

    # --- the whole template -------------------------------------------------------------

    def template_matches(self, pattern: Mapping[str, object] | Matcher) -> None:
        """The whole template matches `pattern` (dicts partially)."""
        __tracebackhide__ = True
        result = self._matcher(pattern).test(self._template)
        if not result.ok:
            raise AssertionError("\n  ".join(["the template does not match:", *result.describe()]))
        result.commit()

    # --- resources ----------------------------------------------------------------------

    def resource_count_is(self, type: str | Matcher, count: int, /) -> None:
        """Exactly `count` resources have this type."""
        __tracebackhide__ = True
        found = self._resources_of(type)
        if len(found) != count:
            raise AssertionError(
                f"expected {_resources(count)} of type {show(type)}, found {len(found)}{_names(found)}"
            )

    def resource_properties_count_is(
        self, type: str | Matcher, properties: object, count: int, /
    ) -> None:
        """Exactly `count` resources of this type have matching properties."""
        __tracebackhide__ = True
        matching = self._accepted(
            self._test(self._resources_of(type), self._keys_matcher({"properties": properties}))
        )
        if len(matching) != count:
            raise AssertionError(
                f"expected {_resources(count)} of type {show(type)} with matching properties, "
                f"found {len(matching)}{_names(matching)}"
            )

    def has_resource(self, type: str | Matcher, /, **keys: Unpack[ResourceKeys]) -> None:
        """At least one resource of this type matches: `has_resource(t, properties=..., depends_on=...)`.

        Each keyword is a pattern for that key of the resource (`properties`, `metadata`,
        `depends_on`, `update_policy`, `deletion_policy`, `external_id`, `condition`,
        `description`); dicts match partially, `Match.absent()` asks for a key not there.
        """
        __tracebackhide__ = True
        candidates = self._resource_candidates(type, "has_resource", keys)
        tested = self._test(candidates, self._keys_matcher(keys))
        if not self._accepted(tested):
            raise AssertionError(_closest(f"no {show(type)} resource matches", tested))

    def has_resource_properties(self, type: str | Matcher, properties: object, /) -> None:
        """At least one resource of this type has properties that match (partially, for dicts)."""
        __tracebackhide__ = True
        self.has_resource(type, properties=properties)

    def all_resources(self, type: str | Matcher, /, **keys: Unpack[ResourceKeys]) -> None:
        """There are resources of this type, and every one of them matches."""
        __tracebackhide__ = True
        candidates = self._resource_candidates(type, "all_resources", keys)
        tested = self._test(candidates, self._keys_matcher(keys))
        failed = [t for t in tested if not t.result.ok]
        if failed:
            first = failed[0]
            names = ", ".join(t.name for t in failed)
            head = (
                f"{len(failed)} of {_resources(len(tested))} of type {show(type)} do not match "
                f"({names}); {first.name}:"
            )
            raise AssertionError("\n  ".join([head, *first.result.describe()]))
        for item in tested:
            item.result.commit()

    def all_resources_properties(self, type: str | Matcher, properties: object, /) -> None:
        """There are resources of this type, and every one has matching properties."""
        __tracebackhide__ = True
        self.all_resources(type, properties=properties)

    def find_resources(
        self, type: str | Matcher, /, **keys: Unpack[ResourceKeys]
    ) -> dict[str, dict[str, Any]]:
        """The resources of this type that match, by logical name (copies), in template order."""
        matching = self._accepted(self._test(self._resources_of(type), self._keys_matcher(keys)))
        return {t.name: copy.deepcopy(t.body) for t in matching}

    # --- outputs, parameters, conditions ------------------------------------------------

    def has_output(self, name: NameLike, /, **keys: Unpack[OutputKeys]) -> None:
        """An output of this name (or matching names) has matching keys: `has_output("ip", value=...)`."""
        __tracebackhide__ = True
        self._has("output", "outputs", name, _checked_keys("has_output", keys, OutputKeys))

    def find_outputs(
        self, name: NameLike = ANYTHING, /, **keys: Unpack[OutputKeys]
    ) -> dict[str, dict[str, Any]]:
        """The outputs whose name and keys match, by name (copies)."""
        return self._find("outputs", name, _checked_keys("find_outputs", keys, OutputKeys))

    def has_parameter(self, name: NameLike, /, **keys: Unpack[ParameterKeys]) -> None:
        """A parameter of this name (or matching names) has matching keys: `has_parameter("image", default="cirros")`."""
        __tracebackhide__ = True
        self._has(
            "parameter", "parameters", name, _checked_keys("has_parameter", keys, ParameterKeys)
        )

    def find_parameters(
        self, name: NameLike = ANYTHING, /, **keys: Unpack[ParameterKeys]
    ) -> dict[str, dict[str, Any]]:
        """The parameters whose name and keys match, by name (copies)."""
        return self._find("parameters", name, _checked_keys("find_parameters", keys, ParameterKeys))

    def has_condition(self, name: NameLike, expression: object = ANYTHING, /) -> None:
        """A condition of this name (or matching names) whose expression matches."""
        __tracebackhide__ = True
        self._has("condition", "conditions", name, expression)

    def find_conditions(
        self, name: NameLike = ANYTHING, expression: object = ANYTHING, /
    ) -> dict[str, Any]:
        """The conditions whose name and expression match, by name (copies)."""
        return self._find("conditions", name, expression)

    # --- the machinery ------------------------------------------------------------------

    def _section(self, section: str) -> dict[str, Any]:
        entries = self._template.get(section)
        return entries if isinstance(entries, dict) else {}

    def _matcher(self, pattern: object) -> Matcher:
        return as_matcher(self._resolve(pattern), partial=True)

    def _keys_matcher(self, keys: Mapping[str, object]) -> Matcher:
        if not keys:
            return ANYTHING
        pattern = dict(keys)
        if "depends_on" in pattern:
            pattern["depends_on"] = _dependency_names(pattern["depends_on"])
        return self._matcher(pattern)

    def _resources_of(self, type: str | Matcher) -> dict[str, Any]:
        type_matcher = as_matcher(type, partial=False)
        return {
            name: body
            for name, body in self._section("resources").items()
            if type_matcher.test(body.get("type") if isinstance(body, Mapping) else None).ok
        }

    def _resource_candidates(
        self, type: str | Matcher, method: str, keys: Mapping[str, object]
    ) -> dict[str, Any]:
        __tracebackhide__ = True
        _checked_keys(method, keys, ResourceKeys)
        candidates = self._resources_of(type)
        if candidates:
            return candidates
        counts = Counter(
            str(b.get("type"))
            for b in self._section("resources").values()
            if isinstance(b, Mapping)
        )
        if not counts:
            raise AssertionError(f"no resource of type {show(type)}: the template has no resources")
        listing = ", ".join(f"{t} ({n})" for t, n in sorted(counts.items()))
        guess = difflib.get_close_matches(type, list(counts), n=1) if isinstance(type, str) else []
        hint = f"; did you mean {guess[0]}?" if guess else ""
        raise AssertionError(
            f"no resource of type {show(type)}{hint}\n  the template has {listing}"
        )

    def _entries(self, section: str, name: NameLike) -> tuple[dict[str, Any], str | None]:
        """The entries whose name matches, and the exact name asked for, if one was."""
        entries = self._section(section)
        if isinstance(name, Construct):
            name = name.node.logical_name
        if isinstance(name, str):
            return ({name: entries[name]} if name in entries else {}), name
        return {n: body for n, body in entries.items() if name.test(n).ok}, None

    def _has(self, kind: str, section: str, name: NameLike, pattern: object) -> None:
        __tracebackhide__ = True
        entries, exact_name = self._entries(section, name)
        if not entries:
            available = list(self._section(section))
            if not available:
                raise AssertionError(
                    f"no {kind} {show(exact_name if exact_name is not None else name)}: "
                    f"the template has no {section}"
                )
            if exact_name is not None:
                guess = difflib.get_close_matches(exact_name, available, n=1)
                hint = f"; did you mean {guess[0]}?" if guess else ""
                raise AssertionError(
                    f"no {kind} named {show(exact_name)}{hint} ({section}: {_listing(available)})"
                )
            raise AssertionError(
                f"no {kind} name matches {show(name)} ({section}: {_listing(available)})"
            )
        tested = self._test(entries, self._matcher(pattern))
        if self._accepted(tested):
            return
        if len(tested) == 1:
            only = tested[0]
            raise AssertionError(
                "\n  ".join([f"{kind} {only.name} does not match:", *only.result.describe()])
            )
        raise AssertionError(_closest(f"no {kind} matches", tested))

    def _find(self, section: str, name: NameLike, pattern: object) -> dict[str, Any]:
        entries, _ = self._entries(section, name)
        matching = self._accepted(self._test(entries, self._matcher(pattern)))
        return {t.name: copy.deepcopy(t.body) for t in matching}

    @staticmethod
    def _test(entries: Mapping[str, Any], matcher: Matcher) -> list[_Tested]:
        return [_Tested(name, body, matcher.test(body)) for name, body in entries.items()]

    @staticmethod
    def _accepted(tested: list[_Tested]) -> list[_Tested]:
        """The entries that matched; their captures are recorded."""
        matching = [t for t in tested if t.result.ok]
        for item in matching:
            item.result.commit()
        return matching


@attrs.frozen
class _Tested:
    name: str
    body: Any
    result: MatchResult


def _closest(head: str, tested: list[_Tested]) -> str:
    """`head`, the closest candidate (the most expected values matched) and its differences."""
    best = min(tested, key=lambda t: (t.result.missed, -t.result.matched))
    if len(tested) == 1:
        intro = f"{head}; the only candidate, {best.name}, differs:"
    else:
        intro = f"{head}; the closest of {len(tested)} candidates is {best.name}:"
    return "\n  ".join([intro, *best.result.describe()])


def _dependency_names(value: object) -> object:
    """`depends_on` lists logical names, so a resource given there stands for its name."""
    if isinstance(value, Matcher):
        return value.map_expected(_dependency_names)
    if isinstance(value, (list, tuple)):
        return [_dependency_names(v) for v in value]
    if isinstance(value, Construct):
        return value.node.logical_name
    return value


def _checked_keys(
    method: str, keys: Mapping[str, object], allowed: type[Any]
) -> Mapping[str, object]:
    """Catch a misspelt key at once instead of as a puzzling 'missing' failure."""
    known: dict[str, object] = allowed.__annotations__
    for key in keys:
        if key not in known:
            raise TypeError(
                f"{method}() got an unexpected keyword {key!r}; the keys it checks are "
                f"{', '.join(known)}"
            )
    return keys


def _resources(count: int) -> str:
    return f"{count} resource{'s' if count != 1 else ''}"


def _names(entries: Mapping[str, Any] | list[_Tested]) -> str:
    names = [t.name for t in entries] if isinstance(entries, list) else list(entries)
    return f": {_listing(names)}" if names else ""


def _listing(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


class _ExpectedValues(Renderer):
    """Writes the user's objects in expected values in their HOT form, by synth's own rules.

    A renderer of the template's stack, so a reference, even one imported from another
    stack, comes out as in the synthesized template.
    Matchers are kept, with the values they hold written the same way; condition
    functions are welcome anywhere; version checks are synth's business, not the test's.
    """

    def __init__(self, stack: Stack) -> None:
        super().__init__(stack, Links())

    def value(self, value: object) -> object:
        if isinstance(value, Matcher):
            return value.map_expected(self.value)
        if isinstance(value, ConditionFunction):
            return self.condition(value)
        if isinstance(value, Construct) and not isinstance(value, Intrinsic):
            raise TypeError(
                f"an expected value holds {value!r}, which has no HOT form; "
                "pass one of its resources, parameters or attributes instead"
            )
        return super().value(value)

    def require(self, version: str, feature: str) -> None:
        return None

    def report(self, message: str) -> None:
        raise ValueError(f"in an expected value: {message}")


def _plain_expected(value: object) -> object:
    """Expected values of a template without a stack: HOT data and matchers only."""
    if isinstance(value, Matcher):
        return value.map_expected(_plain_expected)
    if isinstance(value, Mapping):
        return {k: _plain_expected(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_expected(v) for v in value]
    if isinstance(value, (Intrinsic, Construct)):
        raise TypeError(
            f"an expected value holds {value!r}: only a Template.from_stack(stack) knows how that stack "
            "writes it; here, give its HOT form, e.g. {'get_resource': 'port'}"
        )
    to_hot = getattr(value, "__hot__", None)
    return _plain_expected(to_hot()) if callable(to_hot) else value
