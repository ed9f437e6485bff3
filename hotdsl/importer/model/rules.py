"""How Heat reads the arguments of some functions, and what the importer cannot write.

What each template version has (sections, keys, functions and since when) is
`hotdsl.versions`, the one table of HOT's language; this module holds only the details
of argument parsing that are the same in every version (heat/engine/hot/functions.py).
"""

from __future__ import annotations

MAKE_URL_KEYS = ("scheme", "username", "password", "host", "port", "path", "query", "fragment")
RESOURCE_FACADE_SECTIONS = ("metadata", "deletion_policy", "update_policy")
DIGEST_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
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
UNWRITTEN_PARAMETER_KEYS = ("schema",)
"""Parameter keys Heat accepts but ignores in HOT, which hotdsl's `Parameter` has no
place for: the importer refuses them rather than drop them silently."""
