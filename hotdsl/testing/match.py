"""Matchers: patterns for template values, and failures that say where and why.

A pattern is a plain value (a dict, a list, a scalar) or a `Matcher`, nested freely.
Plain values follow the matcher around them: under a "like/with" matcher (`object_like`,
`array_with`, and the top level of every `Template` assertion) a dict matches partially,
extra keys allowed, all the way down; under an "equals/exact" matcher (`exact`,
`object_equals`, `array_equals`) everything must be equal. A list always matches item by
item, same length, unless it is wrapped in `array_with`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, NoReturn, final

import attrs

from hotdsl.versions import FUNCTION_NAMES

__all__ = ["MISSING", "Capture", "Failure", "Match", "MatchResult", "Matcher"]


@final
class _Missing:
    """The value of a key that is not there, so matchers can tell absent from null."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Final = _Missing()
"""What a matcher is given for a key the actual mapping lacks."""


# --- results ------------------------------------------------------------------------------


@attrs.frozen
class Failure:
    """One difference between a pattern and a value: where (a path) and what."""

    path: tuple[str | int, ...]
    message: str

    def under(self, step: str | int) -> Failure:
        return Failure((step, *self.path), self.message)

    def __str__(self) -> str:
        where = format_path(self.path)
        return f"{where}: {self.message}" if where else self.message


@attrs.frozen
class MatchResult:
    """The outcome of testing one value: failures, and how close it came.

    `matched` and `missed` count the expected values (the leaves of the pattern) that
    matched and that did not; assertions use them to name the closest candidate.
    """

    failures: tuple[Failure, ...] = ()
    matched: int = 0
    missed: int = 0
    captures: tuple[tuple[Capture, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures

    def commit(self) -> None:
        """Hand the captured values to their `Capture`s (done once a match is accepted)."""
        for capture, value in self.captures:
            capture._record(value)

    def describe(self, limit: int = 3) -> list[str]:
        """The first `limit` failures, one per line, and how many more there are."""
        lines = [str(f) for f in self.failures[:limit]]
        if len(self.failures) > limit:
            more = len(self.failures) - limit
            lines.append(f"... and {more} more difference{'s' if more > 1 else ''}")
        return lines


def _passed(weight: int, captures: tuple[tuple[Capture, Any], ...] = ()) -> MatchResult:
    return MatchResult((), weight, 0, captures)


def _failed(message: str, weight: int) -> MatchResult:
    return MatchResult((Failure((), message),), 0, weight)


def _merge(parts: Iterable[tuple[str | int | None, MatchResult]]) -> MatchResult:
    """Combine the results of a container's items; `None` keeps a result's own paths."""
    failures: list[Failure] = []
    captures: list[tuple[Capture, Any]] = []
    matched = missed = 0
    for step, result in parts:
        failures.extend(
            result.failures if step is None else (f.under(step) for f in result.failures)
        )
        captures.extend(result.captures)
        matched += result.matched
        missed += result.missed
    return MatchResult(tuple(failures), matched, missed, tuple(captures))


# --- the base class -----------------------------------------------------------------------


class Matcher:
    """A pattern for one value. Subclass it for a matcher of your own.

    `test` is given the actual value, or `MISSING` when the value is the missing key
    of a mapping.
    """

    def test(self, actual: Any) -> MatchResult:
        raise NotImplementedError

    def describe(self) -> str:
        """A short text for messages, e.g. `array_with([{port: {get_resource: port}}])`."""
        raise NotImplementedError

    def weight(self) -> int:
        """How many expected values this pattern holds (to rank near misses)."""
        return 1

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        """This matcher with every expected value it holds passed through `resolve`.

        `Template` uses it to write resources and parameters given as Python objects
        in their HOT form; a matcher that holds expected values must override it.
        """
        return self

    def __repr__(self) -> str:
        return self.describe()


def as_matcher(pattern: object, *, partial: bool) -> Matcher:
    """The matcher for a pattern: matchers as they are, plain values by the rule above."""
    if isinstance(pattern, Matcher):
        return pattern
    if isinstance(pattern, Mapping):
        return _ObjectMatch(pattern, partial=partial)
    if isinstance(pattern, (list, tuple)):
        return _ArrayMatch(pattern, partial=partial, subsequence=False)
    return _Literal(pattern)


def _weight(pattern: object) -> int:
    if isinstance(pattern, Matcher):
        return pattern.weight()
    if isinstance(pattern, Mapping):
        return max(1, sum(_weight(v) for v in pattern.values()))
    if isinstance(pattern, (list, tuple)):
        return max(1, sum(_weight(v) for v in pattern))
    return 1


def _map_pattern(pattern: object, resolve: Callable[[object], object]) -> object:
    return pattern.map_expected(resolve) if isinstance(pattern, Matcher) else resolve(pattern)


# --- the matchers -------------------------------------------------------------------------


class _Literal(Matcher):
    """A scalar, equal in value and kind (`true` is not `1`, `"1"` is not `1`)."""

    def __init__(self, expected: object) -> None:
        self.expected = expected

    def test(self, actual: Any) -> MatchResult:
        if actual is MISSING:
            return _failed(f"missing, expected {show(self.expected)}", 1)
        if _same_scalar(self.expected, actual):
            return _passed(1)
        return _failed(f"expected {show(self.expected)}, got {show(actual)}", 1)

    def describe(self) -> str:
        return show(self.expected)

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        value = resolve(self.expected)
        return self if value is self.expected else _Literal(value)


def _same_scalar(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    if isinstance(expected, str) and isinstance(actual, str):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


class _ObjectMatch(Matcher):
    def __init__(
        self, pattern: Mapping[Any, object], *, partial: bool, name: str | None = None
    ) -> None:
        self.pattern = pattern
        self.partial = partial
        self.name = name

    def test(self, actual: Any) -> MatchResult:
        if actual is MISSING:
            return _failed(f"missing, expected {show(self.pattern)}", self.weight())
        if not isinstance(actual, Mapping):
            return _failed(
                f"expected a mapping {show(self.pattern)}, got {show(actual)}", self.weight()
            )
        parts: list[tuple[str | int | None, MatchResult]] = []
        for key, expected in self.pattern.items():
            matcher = as_matcher(expected, partial=self.partial)
            parts.append((key, matcher.test(actual.get(key, MISSING))))
        if not self.partial:
            for key, value in actual.items():
                if key not in self.pattern:
                    parts.append((key, _failed(f"unexpected key, with value {show(value)}", 1)))
        result = _merge(parts)
        if result.ok or not _is_function_call(self.pattern):
            return result
        # A function call such as {get_resource: port} differs as a whole.
        return MatchResult(
            (Failure((), f"expected {show(self.pattern)}, got {show(actual)}"),),
            result.matched,
            result.missed,
        )

    def describe(self) -> str:
        return f"{self.name}({show(self.pattern)})" if self.name else show(self.pattern)

    def weight(self) -> int:
        return _weight(self.pattern)

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        pattern = {k: _map_pattern(v, resolve) for k, v in self.pattern.items()}
        return _ObjectMatch(pattern, partial=self.partial, name=self.name)


class _ArrayMatch(Matcher):
    def __init__(
        self,
        pattern: Sequence[object],
        *,
        partial: bool,
        subsequence: bool,
        name: str | None = None,
    ) -> None:
        self.pattern = list(pattern)
        self.partial = partial
        self.subsequence = subsequence
        self.name = name

    def test(self, actual: Any) -> MatchResult:
        if actual is MISSING:
            return _failed(f"missing, expected {self.describe()}", self.weight())
        if not isinstance(actual, (list, tuple)):
            return _failed(f"expected a list {self.describe()}, got {show(actual)}", self.weight())
        if self.subsequence:
            return self._test_subsequence(actual)
        parts: list[tuple[str | int | None, MatchResult]] = []
        for index, (expected, value) in enumerate(zip(self.pattern, actual, strict=False)):
            parts.append((index, as_matcher(expected, partial=self.partial).test(value)))
        if len(actual) != len(self.pattern):
            unmatched = sum(_weight(p) for p in self.pattern[len(actual) :]) or 1
            parts.insert(
                0,
                (
                    None,
                    _failed(
                        f"expected {_items(len(self.pattern))}, got {len(actual)}: {show(actual)}",
                        unmatched,
                    ),
                ),
            )
        return _merge(parts)

    def _test_subsequence(self, actual: Sequence[Any]) -> MatchResult:
        """Every pattern item matches an item of `actual`, in order (the first that fits)."""
        parts: list[tuple[str | int | None, MatchResult]] = []
        start = 0
        for expected in self.pattern:
            matcher = as_matcher(expected, partial=self.partial)
            closest: tuple[int, MatchResult] | None = None
            for index in range(start, len(actual)):
                result = matcher.test(actual[index])
                if result.ok:
                    parts.append((index, result))
                    start = index + 1
                    break
                if closest is None or (result.missed, -result.matched) < (
                    closest[1].missed,
                    -closest[1].matched,
                ):
                    closest = (index, result)
            else:
                message = (
                    f"no item{f' from [{start}] on' if start else ''} matches {show(expected)}"
                )
                if closest is not None:
                    index, result = closest
                    message += f"; closest: {result.failures[0].under(index)}"
                parts.append((None, _failed(message, matcher.weight())))
                start = len(actual)
        return _merge(parts)

    def describe(self) -> str:
        return f"{self.name}({show(self.pattern)})" if self.name else show(self.pattern)

    def weight(self) -> int:
        return _weight(self.pattern)

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        pattern = [_map_pattern(v, resolve) for v in self.pattern]
        return _ArrayMatch(
            pattern, partial=self.partial, subsequence=self.subsequence, name=self.name
        )


def _is_function_call(pattern: Mapping[Any, object]) -> bool:
    """`{get_resource: port}`: one key, the name of a HOT function."""
    return len(pattern) == 1 and next(iter(pattern)) in FUNCTION_NAMES


def _items(count: int) -> str:
    return f"{count} item{'s' if count != 1 else ''}"


class _Exact(Matcher):
    """Deep equality: dicts must have exactly the expected keys, at every level."""

    def __init__(self, expected: object) -> None:
        self.expected = expected

    def test(self, actual: Any) -> MatchResult:
        return as_matcher(self.expected, partial=False).test(actual)

    def describe(self) -> str:
        return f"exact({show(self.expected)})"

    def weight(self) -> int:
        return _weight(self.expected)

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        return _Exact(_map_pattern(self.expected, resolve))


class _AnyValue(Matcher):
    def test(self, actual: Any) -> MatchResult:
        if actual is MISSING:
            return _failed("missing, expected any value", 1)
        if actual is None:
            return _failed("expected any value, got null", 1)
        return _passed(1)

    def describe(self) -> str:
        return "any_value()"


class _Absent(Matcher):
    def test(self, actual: Any) -> MatchResult:
        if actual is MISSING:
            return _passed(1)
        return _failed(f"expected absent, got {show(actual)}", 1)

    def describe(self) -> str:
        return "absent()"


class _StringLikeRegexp(Matcher):
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regexp = re.compile(pattern)

    def test(self, actual: Any) -> MatchResult:
        if isinstance(actual, str) and self.regexp.search(actual):
            return _passed(1)
        got = "nothing (missing)" if actual is MISSING else show(actual)
        return _failed(f"expected a string matching /{self.pattern}/, got {got}", 1)

    def describe(self) -> str:
        return f"string_like_regexp({self.pattern!r})"


class _Not(Matcher):
    def __init__(self, pattern: object) -> None:
        self.pattern = pattern

    def test(self, actual: Any) -> MatchResult:
        if as_matcher(self.pattern, partial=True).test(actual).ok:
            return _failed(f"expected not {show(self.pattern)}, got {show(actual)}", 1)
        return _passed(1)

    def describe(self) -> str:
        return f"not_({show(self.pattern)})"

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        return _Not(_map_pattern(self.pattern, resolve))


class _Anything(Matcher):
    """Any value, even null; only a missing key fails."""

    def test(self, actual: Any) -> MatchResult:
        return _failed("missing", 1) if actual is MISSING else _passed(1)

    def describe(self) -> str:
        return "anything"


ANYTHING: Final[Matcher] = _Anything()


_NO_PATTERN: Final = object()


class Capture(Matcher):
    """Matches like its pattern (any value but a missing one by default) and keeps what it matched.

    ```python
    port = Capture()
    template.has_resource_properties("OS::Nova::Server", {"networks": [{"port": port}]})
    assert port.value == {"get_resource": "port"}
    ```
    A capture records the value of every entry an assertion accepted, in template
    order; `values` lists them all, `value` is the first.
    """

    def __init__(self, pattern: object = _NO_PATTERN) -> None:
        self.pattern = pattern
        self._values: list[Any] = []

    def test(self, actual: Any) -> MatchResult:
        if self.pattern is _NO_PATTERN:
            result = ANYTHING.test(actual)
        else:
            result = as_matcher(self.pattern, partial=True).test(actual)
        if not result.ok:
            return result
        return attrs.evolve(result, captures=(*result.captures, (self, actual)))

    def describe(self) -> str:
        return "Capture()" if self.pattern is _NO_PATTERN else f"Capture({show(self.pattern)})"

    def weight(self) -> int:
        return 1 if self.pattern is _NO_PATTERN else _weight(self.pattern)

    def map_expected(self, resolve: Callable[[object], object]) -> Matcher:
        if self.pattern is _NO_PATTERN:
            return self
        mapped = _map_pattern(self.pattern, resolve)
        return self if mapped is self.pattern else _ResolvedCapture(self, mapped)

    def _record(self, value: Any) -> None:
        self._values.append(value)

    @property
    def values(self) -> list[Any]:
        """Every captured value, in the order the assertions accepted them."""
        return list(self._values)

    @property
    def value(self) -> Any:
        """The first captured value."""
        if not self._values:
            raise AssertionError(
                "the Capture captured nothing: no assertion has matched a value with it yet"
            )
        return self._values[0]

    def as_string(self) -> str:
        value: str = self._typed(str, "a string")
        return value

    def as_number(self) -> int | float:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._wrong_type("a number")
        return value

    def as_bool(self) -> bool:
        value: bool = self._typed(bool, "a boolean")
        return value

    def as_list(self) -> list[Any]:
        value: list[Any] = self._typed(list, "a list")
        return value

    def as_dict(self) -> dict[str, Any]:
        value: dict[str, Any] = self._typed(dict, "a mapping")
        return value

    def _typed(self, kind: type[Any], what: str) -> Any:
        value = self.value
        if not isinstance(value, kind):
            self._wrong_type(what)
        return value

    def _wrong_type(self, what: str) -> NoReturn:
        raise AssertionError(f"the Capture captured {show(self.value)}, not {what}")


class _ResolvedCapture(Matcher):
    """A `Capture` whose pattern was resolved by a template; records into the original."""

    def __init__(self, capture: Capture, pattern: object) -> None:
        self.capture = capture
        self.pattern = pattern

    def test(self, actual: Any) -> MatchResult:
        result = as_matcher(self.pattern, partial=True).test(actual)
        if not result.ok:
            return result
        return attrs.evolve(result, captures=(*result.captures, (self.capture, actual)))

    def describe(self) -> str:
        return f"Capture({show(self.pattern)})"

    def weight(self) -> int:
        return _weight(self.pattern)


@final
class Match:
    """The matchers, by name (`Match.object_like(...)`), as in CDK's assertions."""

    def __init__(self) -> None:
        raise TypeError("Match is a namespace; call its static methods, e.g. Match.any_value()")

    @staticmethod
    def exact(pattern: object) -> Matcher:
        """Deep equality: no extra keys at any level, lists item by item."""
        return _Exact(pattern)

    @staticmethod
    def object_like(pattern: Mapping[str, object]) -> Matcher:
        """The keys of `pattern` match (nested dicts partially too); other keys may be there."""
        return _ObjectMatch(pattern, partial=True, name="object_like")

    @staticmethod
    def object_equals(pattern: Mapping[str, object]) -> Matcher:
        """Exactly the keys of `pattern`, each value equal (nested values exact too)."""
        return _ObjectMatch(pattern, partial=False, name="object_equals")

    @staticmethod
    def array_with(pattern: Sequence[object]) -> Matcher:
        """Each item of `pattern` matches an item of the list, in this order; others may be
        between and around them. Dict items match partially."""
        return _ArrayMatch(pattern, partial=True, subsequence=True, name="array_with")

    @staticmethod
    def array_equals(pattern: Sequence[object]) -> Matcher:
        """The same number of items, each equal (nested values exact)."""
        return _ArrayMatch(pattern, partial=False, subsequence=False, name="array_equals")

    @staticmethod
    def any_value() -> Matcher:
        """Any value but null; fails when the key is missing."""
        return _AnyValue()

    @staticmethod
    def absent() -> Matcher:
        """The key is not there at all."""
        return _Absent()

    @staticmethod
    def string_like_regexp(pattern: str) -> Matcher:
        """A string in which `pattern` (a Python regular expression) is found (`re.search`)."""
        return _StringLikeRegexp(pattern)

    @staticmethod
    def not_(pattern: object) -> Matcher:
        """Anything the pattern does not match (dicts in it match partially)."""
        return _Not(pattern)


# --- showing values and paths -------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:/@-]*\Z")
_NOT_PLAIN = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
SHOW_LIMIT = 100


def show(value: object, limit: int = SHOW_LIMIT) -> str:
    """A value in short YAML flow style, as in a template: `{get_resource: port}`."""
    text = _flow(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _flow(value: object) -> str:
    if isinstance(value, Matcher):
        return value.describe()
    if value is MISSING:
        return "<missing>"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _NOT_PLAIN and not _looks_numeric(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_path(path: Sequence[str | int]) -> str:
    """`properties.networks[0].port`; keys that are not simple names in brackets."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _KEY.match(step):
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step, ensure_ascii=False)}]"
    return out
