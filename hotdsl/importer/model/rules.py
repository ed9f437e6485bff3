"""What HOT allows where, as the model stage checks it (heat/engine/hot/template.py,
heat/engine/hot/functions.py)."""

from __future__ import annotations

PSEUDO_PARAMETERS = ("OS::stack_id", "OS::stack_name", "OS::project_id")

FUNCTION_SINCE: dict[str, str] = {
    "get_param": "2013-05-23",
    "get_resource": "2013-05-23",
    "get_attr": "2013-05-23",
    "get_file": "2013-05-23",
    "list_join": "2013-05-23",
    "str_replace": "2013-05-23",
    "resource_facade": "2013-05-23",
    "digest": "2015-04-30",
    "repeat": "2015-04-30",
    "str_split": "2015-10-15",
    "map_merge": "2016-04-08",
    "yaql": "2016-10-14",
    "map_replace": "2016-10-14",
    "if": "2016-10-14",
    "filter": "2017-02-24",
    "str_replace_strict": "2017-02-24",
    "str_replace_vstrict": "2017-09-01",
    "make_url": "2017-09-01",
    "list_concat": "2017-09-01",
    "list_concat_unique": "2017-09-01",
    "contains": "2017-09-01",
}
"""The value functions of HOT and the first version that has each (heat/engine/hot/template.py)."""

CONDITION_FUNCTION_SINCE: dict[str, str] = {
    "get_param": "2016-10-14",
    "equals": "2016-10-14",
    "not": "2016-10-14",
    "and": "2016-10-14",
    "or": "2016-10-14",
    "yaql": "2017-09-01",
    "contains": "2017-09-01",
}
"""The functions Heat allows inside conditions, and since when."""

CFN_FUNCTIONS_2013 = frozenset(
    {
        "Fn::GetAZs",
        "Ref",
        "Fn::GetAtt",
        "Fn::Select",
        "Fn::Join",
        "Fn::Split",
        "Fn::Replace",
        "Fn::Base64",
        "Fn::MemberListToMap",
        "Fn::ResourceFacade",
    }
)
"""CloudFormation functions HOT 2013-05-23 still reads; later versions reject them."""

RESOURCE_KEYS = (
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
)
RESOURCE_KEYS_2016 = ("external_id", "condition")
DELETION_POLICIES = ("Delete", "Retain", "Snapshot")
PARAMETER_KEYS = ("type", "description", "default", "constraints", "hidden", "label", "immutable")
CONSTRAINT_KINDS = (
    "range",
    "length",
    "allowed_values",
    "allowed_pattern",
    "custom_constraint",
    "modulo",
)
"""Constraint keys in the order Heat looks for them (it uses the first one a map has)."""
MAKE_URL_KEYS = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")
RESOURCE_FACADE_SECTIONS = ("metadata", "deletion_policy", "update_policy")
DIGEST_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
OUTPUT_KEYS = ("description", "value")
"""The keys Heat reads in an output (and `condition` from 2016-10-14); it ignores others."""
LENIENT_MAPPING_FUNCTIONS = ("repeat", "str_replace", "str_replace_strict", "str_replace_vstrict")
"""Functions whose argument map may hold keys Heat ignores (heat/engine/hot/functions.py
`Repeat._parse_args`, `Replace._parse_args` read only the keys they know)."""
RESOLVED_ARGUMENT_FUNCTIONS = (
    "map_merge",
    "list_concat",
    "list_concat_unique",
    "map_replace",
    "str_split",
    "digest",
)
"""Functions whose whole argument may be another function call: Heat resolves it first
and checks the result (`function.resolve(self.args)` in their `result()`)."""
