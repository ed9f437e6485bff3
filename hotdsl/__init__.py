"""hotdsl: typed Python stacks for OpenStack Heat, synthesized to HOT.

```python
from hotdsl import App, Stack, Parameter, Resource, Output

app = App()
stack = Stack(app, "demo")
image = Parameter(stack, "image", default="cirros")
server = Resource(stack, "server", type="OS::Nova::Server",
                  properties={"image": image, "flavor": "m1.small"})
Output(stack, "address", value=server.get_attr("first_address"))
```
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotdsl import intrinsics as fn
    from hotdsl.construct import App, Construct, Node, Stack
    from hotdsl.environment import Environment, ResourceSettings, Secret, Stage, from_env, from_file
    from hotdsl.errors import ConstructError, HotdslError, Problem, SynthError
    from hotdsl.intrinsics import (
        PROJECT_ID,
        STACK_ID,
        STACK_NAME,
        GetAttr,
        Intrinsic,
        Value,
        and_,
        contains,
        digest,
        equals,
        filter,
        get_attr,
        get_file,
        get_param,
        get_resource,
        if_,
        list_concat,
        list_concat_unique,
        list_join,
        make_url,
        map_merge,
        map_replace,
        not_,
        or_,
        repeat,
        resource_facade,
        str_replace,
        str_replace_strict,
        str_replace_vstrict,
        str_split,
        undeclared_param,
        yaql,
    )
    from hotdsl.nested import (
        NestedStack,
        ProviderResource,
        RemoteContext,
        RemoteStack,
        TemplateResource,
        output_attribute,
        parameter_options,
        provider_template,
        provider_type,
    )
    from hotdsl.template import (
        AllowedPattern,
        AllowedValues,
        Condition,
        CustomConstraint,
        Length,
        Modulo,
        Output,
        Parameter,
        ParameterGroup,
        Range,
        Resource,
        ResourceBase,
    )
    from hotdsl.versions import LATEST_VERSION, TEMPLATE_VERSIONS


__all__ = [
    "LATEST_VERSION",
    "PROJECT_ID",
    "STACK_ID",
    "STACK_NAME",
    "TEMPLATE_VERSIONS",
    "AllowedPattern",
    "AllowedValues",
    "App",
    "Condition",
    "Construct",
    "ConstructError",
    "CustomConstraint",
    "Environment",
    "GetAttr",
    "HotdslError",
    "Intrinsic",
    "Length",
    "Modulo",
    "NestedStack",
    "Node",
    "Output",
    "Parameter",
    "ParameterGroup",
    "Problem",
    "ProviderResource",
    "Range",
    "RemoteContext",
    "RemoteStack",
    "Resource",
    "ResourceBase",
    "ResourceSettings",
    "Secret",
    "Stack",
    "Stage",
    "SynthError",
    "TemplateResource",
    "Value",
    "and_",
    "contains",
    "digest",
    "equals",
    "filter",
    "fn",
    "from_env",
    "from_file",
    "get_attr",
    "get_file",
    "get_param",
    "get_resource",
    "if_",
    "list_concat",
    "list_concat_unique",
    "list_join",
    "make_url",
    "map_merge",
    "map_replace",
    "not_",
    "or_",
    "output_attribute",
    "parameter_options",
    "provider_template",
    "provider_type",
    "repeat",
    "resource_facade",
    "str_replace",
    "str_replace_strict",
    "str_replace_vstrict",
    "str_split",
    "undeclared_param",
    "yaql",
]

# Names are imported on first use (PEP 562), so that `import hotdsl.cli` (the command
# line's `--help`) and `import hotdsl.errors` do not load the whole model.
_MODULES = {
    "hotdsl.construct": ("App", "Construct", "Node", "Stack"),
    "hotdsl.environment": (
        "Environment",
        "ResourceSettings",
        "Secret",
        "Stage",
        "from_env",
        "from_file",
    ),
    "hotdsl.errors": ("ConstructError", "HotdslError", "Problem", "SynthError"),
    "hotdsl.nested": (
        "NestedStack",
        "ProviderResource",
        "RemoteContext",
        "RemoteStack",
        "TemplateResource",
        "output_attribute",
        "parameter_options",
        "provider_template",
        "provider_type",
    ),
    "hotdsl.template": (
        "AllowedPattern",
        "AllowedValues",
        "Condition",
        "CustomConstraint",
        "Length",
        "Modulo",
        "Output",
        "Parameter",
        "ParameterGroup",
        "Range",
        "Resource",
        "ResourceBase",
    ),
    "hotdsl.versions": ("LATEST_VERSION", "TEMPLATE_VERSIONS"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    import importlib

    if name == "fn":
        value: object = importlib.import_module("hotdsl.intrinsics")
    elif name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
    elif name in __all__:
        value = getattr(importlib.import_module("hotdsl.intrinsics"), name)
    else:
        raise AttributeError(f"module 'hotdsl' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
