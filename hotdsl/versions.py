"""HOT's language, one table keyed by template version: the only place that knows it.

Heat models each `heat_template_version` as one class (heat/engine/hot/template.py,
`HOTemplate20130523` ... `HOTemplate20210416`), each with its `functions`,
`condition_functions`, sections and keys; `TemplateVersion` is that class as data, and
`VERSIONS` holds one per version, each made from the one before as Heat's classes
inherit. Every other module (intrinsics, synth, diff, testing, the importer) reads
what a version has from here, so adding a function or a version is one edit here.

Where the values come from (openstack/heat master, checked value for value):
`heat/engine/hot/template.py` (sections, resource and output keys, deletion policies,
`functions` and `condition_functions` with the class implementing each),
`heat/engine/hot/parameters.py` (`HOTParamSchema*.KEYS`, `TYPES`, the constraints
`_constraint_from_def` reads, the pseudo parameters `_pseudo_parameters` defines),
`setup.cfg` (the `heat.templates` entry points: dates and release-name aliases).

From 2016-10-14 on a version also has a release name (`newton`, ...) that Heat accepts
as an alias. Dates compare correctly as strings, which is how hotdsl orders them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal

import attrs

ParameterType = Literal["string", "number", "json", "comma_delimited_list", "boolean"]
PARAMETER_TYPES: tuple[ParameterType, ...] = (
    "string",
    "number",
    "json",
    "comma_delimited_list",
    "boolean",
)
"""Heat's HOT parameter types (heat/engine/hot/parameters.py, `HOTParamSchema.TYPES`)."""

BOOLEAN_TRUE_WORDS: tuple[str, ...] = ("1", "t", "true", "on", "y", "yes")
BOOLEAN_FALSE_WORDS: tuple[str, ...] = ("0", "f", "false", "off", "n", "no")
"""The words a boolean parameter takes, in any case and with spaces around: oslo.utils'
`strutils.TRUE_STRINGS` / `FALSE_STRINGS`, which Heat's `BooleanParam` reads with
`bool_from_string(strict=True)`. Any other value is turned into text first (`1` is
`"1"`, true; `1.0` is `"1.0"`, refused)."""

PSEUDO_PARAMETERS: tuple[str, ...] = ("OS::stack_id", "OS::stack_name", "OS::project_id")
"""The parameters Heat defines in every stack (`HOTParameters._pseudo_parameters`).
Heat also names `OS::region` in `PSEUDO_PARAMETERS` but never defines it, so a
`get_param` of it fails in Heat; it is not one here."""

PSEUDO_PARAMETER_PYTHON_NAMES: Mapping[str, str] = MappingProxyType(
    {"OS::stack_id": "STACK_ID", "OS::stack_name": "STACK_NAME", "OS::project_id": "PROJECT_ID"}
)
"""Pseudo parameter -> its constant in `hotdsl.intrinsics` (and `hotdsl`)."""

Reference = Literal["parameter", "resource", "condition"]


@attrs.frozen
class Function:
    """What hotdsl knows of one HOT function, whatever the version."""

    name: str
    """Its name in HOT: `get_param`, `if`."""
    python_name: str
    """The function of `hotdsl.intrinsics` (and `hotdsl`) that writes it: `get_param`, `if_`."""
    refers_to: Reference | None = None
    """What its first argument names: a parameter, a resource, or (for `if`) a condition."""


FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {
        f.name: f
        for f in (
            Function("get_param", "get_param", "parameter"),
            Function("get_resource", "get_resource", "resource"),
            Function("get_attr", "get_attr", "resource"),
            Function("get_file", "get_file"),
            Function("list_join", "list_join"),
            Function("str_replace", "str_replace"),
            Function("resource_facade", "resource_facade"),
            Function("digest", "digest"),
            Function("repeat", "repeat"),
            Function("str_split", "str_split"),
            Function("map_merge", "map_merge"),
            Function("yaql", "yaql"),
            Function("map_replace", "map_replace"),
            Function("if", "if_", "condition"),
            Function("filter", "filter"),
            Function("str_replace_strict", "str_replace_strict"),
            Function("str_replace_vstrict", "str_replace_vstrict"),
            Function("make_url", "make_url"),
            Function("list_concat", "list_concat"),
            Function("list_concat_unique", "list_concat_unique"),
            Function("contains", "contains"),
            Function("equals", "equals"),
            Function("not", "not_"),
            Function("and", "and_"),
            Function("or", "or_"),
        )
    }
)
"""Every HOT function (value and condition functions), by HOT name."""


def _frozen_map(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@attrs.frozen
class TemplateVersion:
    """One `heat_template_version`: what Heat's class for it reads."""

    date: str
    alias: str | None
    """The release name Heat also accepts for it (`newton`), from 2016-10-14 on."""
    first_heat_release: int
    """Ordinal (see `hotdsl.releases.RELEASES`) of the first Heat release that has it
    (openstack/heat `setup.cfg` at each release tag)."""
    sections: tuple[str, ...]
    """Top-level keys (`SECTIONS`, without the `__undefined__` mappings placeholder)."""
    functions: Mapping[str, str] = attrs.field(converter=_frozen_map)
    """HOT value function -> the class of heat/engine/hot/functions.py that runs it here
    (a changed class is a changed meaning: `list_join` is `JoinMultiple` from 2015-10-15)."""
    cfn_functions: Mapping[str, str] = attrs.field(converter=_frozen_map)
    """CloudFormation functions this version still runs -> their class in
    heat/engine/cfn/functions.py."""
    removed_functions: frozenset[str]
    """Functions Heat rejects by name here (`hot_funcs.Removed`)."""
    condition_functions: Mapping[str, str] = attrs.field(converter=_frozen_map)
    """Functions Heat runs inside conditions -> their class (none before conditions)."""
    resource_keys: tuple[str, ...]
    output_keys: tuple[str, ...]
    deletion_policies: tuple[str, ...]
    parameter_keys: tuple[str, ...]
    """Keys a parameter may have (`HOTParamSchema*.KEYS`; Heat ignores `schema` in HOT)."""
    constraint_kinds: tuple[str, ...]
    """Parameter constraint kinds in the order Heat looks for them: it uses the first one
    a constraint map has (`HOTParamSchema*._constraint_from_def`)."""
    parameter_types: tuple[ParameterType, ...] = PARAMETER_TYPES
    pseudo_parameters: tuple[str, ...] = PSEUDO_PARAMETERS

    def has_function(self, name: str) -> bool:
        """Whether `name` is a HOT value function here."""
        return name in self.functions

    def is_condition_only(self, name: str) -> bool:
        """A function Heat knows only inside conditions here (`equals`, not `contains`)."""
        return name in self.condition_functions and name not in self.functions

    def __str__(self) -> str:
        return describe_version(self.date)


# --- the versions, each from the one before, as Heat's classes inherit -------------------

_CFN_2013: Mapping[str, str] = {
    "Fn::GetAZs": "GetAZs",
    "Ref": "Ref",
    "Fn::Select": "Select",
    "Fn::Join": "Join",
    "Fn::Split": "Split",
    "Fn::Replace": "Replace",
    "Fn::Base64": "Base64",
    "Fn::MemberListToMap": "MemberListToMap",
    "Fn::ResourceFacade": "ResourceFacade",
}

_V20130523 = TemplateVersion(
    date="2013-05-23",
    alias=None,
    first_heat_release=1,  # havana
    sections=(
        "heat_template_version",
        "description",
        "parameter_groups",
        "parameters",
        "resources",
        "outputs",
    ),
    functions={
        "get_param": "GetParam",
        "get_resource": "GetResource",
        "get_attr": "GetAttThenSelect",
        "list_join": "Join",
        "str_replace": "Replace",
        "resource_facade": "ResourceFacade",
        "get_file": "GetFile",
    },
    cfn_functions=_CFN_2013,
    removed_functions=frozenset(),
    condition_functions={},
    resource_keys=(
        "type",
        "properties",
        "metadata",
        "depends_on",
        "deletion_policy",
        "update_policy",
        "description",
    ),
    output_keys=("description", "value"),
    deletion_policies=("Delete", "Retain", "Snapshot"),
    parameter_keys=(
        "type",
        "description",
        "default",
        "schema",
        "constraints",
        "hidden",
        "label",
        "immutable",
    ),
    constraint_kinds=("range", "length", "allowed_values", "allowed_pattern", "custom_constraint"),
)


def _next(
    before: TemplateVersion,
    date: str,
    first_heat_release: int,
    *,
    alias: str | None = None,
    functions: Mapping[str, str] = {},
    cfn_functions: Mapping[str, str] | None = None,
    removed: frozenset[str] = frozenset(),
    **changes: object,
) -> TemplateVersion:
    """`before` with a new date and the functions it adds or changes (`functions`), the
    CloudFormation functions it still runs, the ones it removes, and other changed fields."""
    kept_cfn = before.cfn_functions if cfn_functions is None else cfn_functions
    return attrs.evolve(
        before,
        date=date,
        alias=alias,
        first_heat_release=first_heat_release,
        functions={**before.functions, **functions},
        cfn_functions=kept_cfn,
        removed_functions=before.removed_functions | removed,
        **changes,  # type: ignore[arg-type]
    )


_V20141016 = _next(
    _V20130523,
    "2014-10-16",
    3,  # juno
    functions={"get_attr": "GetAtt"},
    cfn_functions={"Fn::Select": "Select"},
    removed=frozenset(set(_CFN_2013) - {"Fn::Select"}),
)
_V20150430 = _next(
    _V20141016,
    "2015-04-30",
    4,
    functions={"repeat": "Repeat", "digest": "Digest"},  # kilo
)
_V20151015 = _next(
    _V20150430,
    "2015-10-15",
    5,  # liberty
    functions={
        "get_attr": "GetAttAllAttributes",
        "list_join": "JoinMultiple",
        "str_replace": "ReplaceJson",
        "str_split": "StrSplit",
    },
    cfn_functions={},
    removed=frozenset({"Fn::Select"}),
)
_V20160408 = _next(_V20151015, "2016-04-08", 6, functions={"map_merge": "MapMerge"})  # mitaka
_V20161014 = _next(
    _V20160408,
    "2016-10-14",
    7,
    alias="newton",
    functions={
        "repeat": "RepeatWithMap",
        "yaql": "Yaql",
        "map_replace": "MapReplace",
        "if": "If",
    },
    condition_functions={
        "get_param": "GetParam",
        "equals": "Equals",
        "not": "Not",
        "and": "And",
        "or": "Or",
    },
    sections=(*_V20160408.sections, "conditions"),
    resource_keys=(*_V20160408.resource_keys, "external_id", "condition"),
    output_keys=(*_V20160408.output_keys, "condition"),
    deletion_policies=(*_V20160408.deletion_policies, "delete", "retain", "snapshot"),
)
_V20170224 = _next(
    _V20161014,
    "2017-02-24",
    8,
    alias="ocata",
    functions={"filter": "Filter", "str_replace_strict": "ReplaceJsonStrict"},
    constraint_kinds=("modulo", *_V20161014.constraint_kinds),
)
_V20170901 = _next(
    _V20170224,
    "2017-09-01",
    9,
    alias="pike",
    functions={
        "repeat": "RepeatWithNestedLoop",
        "make_url": "MakeURL",
        "list_concat": "ListConcat",
        "str_replace_vstrict": "ReplaceJsonVeryStrict",
        "list_concat_unique": "ListConcatUnique",
        "contains": "Contains",
    },
    condition_functions={**_V20170224.condition_functions, "yaql": "Yaql", "contains": "Contains"},
)
_V20180302 = _next(
    _V20170901,
    "2018-03-02",
    10,
    alias="queens",
    parameter_keys=(*_V20170901.parameter_keys, "tags"),
)
_V20180831 = _next(_V20180302, "2018-08-31", 11, alias="rocky")
_V20210416 = _next(_V20180831, "2021-04-16", 16, alias="wallaby", functions={"if": "IfNullable"})

VERSIONS: tuple[TemplateVersion, ...] = (
    _V20130523,
    _V20141016,
    _V20150430,
    _V20151015,
    _V20160408,
    _V20161014,
    _V20170224,
    _V20170901,
    _V20180302,
    _V20180831,
    _V20210416,
)
"""Every template version Heat accepts, oldest first."""

TEMPLATE_VERSIONS: tuple[str, ...] = tuple(v.date for v in VERSIONS)
"""Every `heat_template_version` date Heat accepts, oldest first."""

RELEASE_NAMES: dict[str, str] = {v.alias: v.date for v in VERSIONS if v.alias is not None}
"""Release-name aliases of template versions, as Heat registers them."""

LATEST_VERSION = TEMPLATE_VERSIONS[-1]

_BY_DATE: Mapping[str, TemplateVersion] = {v.date: v for v in VERSIONS}
_RELEASE_OF_DATE = {date: name for name, date in RELEASE_NAMES.items()}

FUNCTION_NAMES: frozenset[str] = frozenset(FUNCTIONS)
"""Every HOT function name hotdsl can write (value and condition functions)."""


def normalize_version(version: str) -> str:
    """Return the date form of a template version given as a date or a release name.

    Raises ValueError, listing the accepted values, for anything else.
    """
    text = str(version).strip()
    if text in _BY_DATE:
        return text
    if text.lower() in RELEASE_NAMES:
        return RELEASE_NAMES[text.lower()]
    accepted = ", ".join(describe_version(d) for d in TEMPLATE_VERSIONS)
    raise ValueError(f"unknown heat_template_version {version!r}; accepted: {accepted}")


def describe_version(version: str) -> str:
    """`2017-09-01 (pike)`: a version as people name it in messages."""
    name = _RELEASE_OF_DATE.get(version)
    return f"{version} ({name})" if name else version


def template_version(version: str) -> TemplateVersion:
    """The table entry of a version given as a date or a release name (ValueError otherwise)."""
    return _BY_DATE[normalize_version(version)]


def first_version(has: Callable[[TemplateVersion], bool]) -> str:
    """The oldest version for which `has(version)` is true, and stays true after it.

    This is how a feature's "since" is read off the table, e.g.
    `first_version(lambda v: "tags" in v.parameter_keys)`. ValueError if none has it.
    """
    since: str | None = None
    for version in VERSIONS:
        if not has(version):
            since = None
        elif since is None:
            since = version.date
    if since is None:
        raise ValueError("no template version has it")
    return since


@functools.cache
def variant_since(name: str, heat_class: str) -> str:
    """The first version where HOT function `name` is run by Heat's `heat_class` or a later
    variant of it (`variant_since("list_join", "JoinMultiple")`: several lists)."""
    first = next(v.date for v in VERSIONS if v.functions.get(name) == heat_class)
    return first_version(lambda v: name in v.functions and v.date >= first)


@functools.cache
def condition_function_since(name: str) -> str:
    """The first version where Heat runs `name` inside a condition (`yaql`: 2017-09-01)."""
    return first_version(lambda v: name in v.condition_functions)


@functools.cache
def section_since(section: str) -> str:
    """The first version with this top-level section (`conditions`)."""
    return first_version(lambda v: section in v.sections)


@functools.cache
def resource_key_since(key: str) -> str:
    """The first version whose resources may have `key` (`external_id`, `condition`)."""
    return first_version(lambda v: key in v.resource_keys)


@functools.cache
def output_key_since(key: str) -> str:
    """The first version whose outputs may have `key` (`condition`)."""
    return first_version(lambda v: key in v.output_keys)


@functools.cache
def parameter_key_since(key: str) -> str:
    """The first version whose parameters may have `key` (`tags`)."""
    return first_version(lambda v: key in v.parameter_keys)


@functools.cache
def constraint_since(kind: str) -> str:
    """The first version with this parameter constraint kind (`modulo`)."""
    return first_version(lambda v: kind in v.constraint_kinds)


@functools.cache
def deletion_policy_since(policy: str) -> str:
    """The first version that takes this deletion policy (`retain` in lower case)."""
    return first_version(lambda v: policy in v.deletion_policies)


def _value_function_since(name: str) -> str:
    return first_version(lambda v: v.has_function(name))


FUNCTION_SINCE: Mapping[str, str] = MappingProxyType(
    {name: _value_function_since(name) for name in VERSIONS[-1].functions}
)
"""HOT value function -> the first version that has it."""

CONDITION_FUNCTION_SINCE: Mapping[str, str] = MappingProxyType(
    {name: condition_function_since(name) for name in VERSIONS[-1].condition_functions}
)
"""Function Heat runs inside conditions -> the first version that runs it there."""


def since(name: str) -> str:
    """The first version that has HOT function `name`, as a value or (for `equals`, `not`,
    `and`, `or`) only as a condition function."""
    found = FUNCTION_SINCE.get(name) or CONDITION_FUNCTION_SINCE.get(name)
    if found is None:
        raise KeyError(f"{name!r} is not a HOT function")
    return found
