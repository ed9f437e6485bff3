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
    yaql,
)
from hotdsl.nested import NestedStack, ProviderResource, output_attribute, parameter_options
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
    "Resource",
    "ResourceBase",
    "ResourceSettings",
    "Secret",
    "Stack",
    "Stage",
    "SynthError",
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
    "repeat",
    "resource_facade",
    "str_replace",
    "str_replace_strict",
    "str_replace_vstrict",
    "str_split",
    "yaql",
]
