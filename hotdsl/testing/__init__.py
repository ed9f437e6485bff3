"""Testing toolkit: assertions on synthesized templates and snapshots of them.

```python
from hotdsl.testing import Capture, Match, Template

template = Template.from_stack(stack)
template.resource_count_is("OS::Nova::Server", 1)
template.has_resource_properties("OS::Nova::Server", {
    "flavor": Match.string_like_regexp(r"^m1\\."),
    "networks": Match.array_with([{"port": port}]),
})
```

The `hot_snapshot` fixture (hotdsl's pytest plugin, loaded automatically) keeps every
synthesized file of an app beside the tests and fails when one changes.

The names are imported on first use: pytest imports this package in every session
(to load `hotdsl.testing.plugin`), and most sessions never touch a template.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotdsl.testing.match import Capture, Failure, Match, Matcher, MatchResult
    from hotdsl.testing.snapshot import Snapshot
    from hotdsl.testing.template import OutputKeys, ParameterKeys, ResourceKeys, Template

__all__ = [
    "Capture",
    "Failure",
    "Match",
    "MatchResult",
    "Matcher",
    "OutputKeys",
    "ParameterKeys",
    "ResourceKeys",
    "Snapshot",
    "Template",
]

_MODULES = {
    "Capture": "match",
    "Failure": "match",
    "Match": "match",
    "Matcher": "match",
    "MatchResult": "match",
    "Snapshot": "snapshot",
    "OutputKeys": "template",
    "ParameterKeys": "template",
    "ResourceKeys": "template",
    "Template": "template",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'hotdsl.testing' has no attribute {name!r}")
    value: object = getattr(importlib.import_module(f"hotdsl.testing.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
