"""Reading YAML the way Heat reads templates and environments.

Heat parses with PyYAML's safe loader, except that a timestamp stays a string
(heat/common/template_format.py): `heat_template_version: 2021-04-16` is the text
`2021-04-16`, not a date. Diff, the environment merge, the testing toolkit and the
importer all read HOT this way, through this one loader.
"""

from __future__ import annotations

from typing import Any

import yaml

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class HeatLoader(_SafeLoader):  # type: ignore[valid-type, misc]
    """PyYAML's safe loader (the C one when present) with timestamps kept as strings."""

    def construct_timestamp_as_text(self, node: yaml.ScalarNode) -> str:
        return str(self.construct_scalar(node))


HeatLoader.add_constructor("tag:yaml.org,2002:timestamp", HeatLoader.construct_timestamp_as_text)


def load_heat_yaml(text: str) -> Any:
    """The data of a YAML document, as Heat would read it."""
    return yaml.load(text, Loader=HeatLoader)
