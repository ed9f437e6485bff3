"""Every parameter type and constraint, parameter groups, and outputs with conditions."""

from hotdsl import (
    AllowedPattern,
    AllowedValues,
    App,
    Condition,
    CustomConstraint,
    Length,
    Modulo,
    Output,
    Parameter,
    ParameterGroup,
    Range,
    Stack,
    equals,
)

app = App()
stack = Stack(app, "parameters", description="Every kind of parameter HOT has.")
name = Parameter(
    stack,
    "name",
    label="Name",
    description="A name for everything.",
    default="demo",
    constraints=[
        Length(min=1, max=32),
        AllowedPattern("[a-z][a-z0-9-]*", description="lower case"),
    ],
)
count = Parameter(
    stack,
    "count",
    type="number",
    default=2,
    constraints=[Range(min=1, max=10), Modulo(step=2, offset=0, description="even")],
)
flavor = Parameter(
    stack, "flavor", default="m1.small", constraints=[CustomConstraint("nova.flavor")]
)
env = Parameter(
    stack,
    "environment",
    default="dev",
    constraints=[AllowedValues(["dev", "prod"])],
    tags=["deploy"],
)
zones = Parameter(stack, "zones", type="comma_delimited_list", default="az1,az2")
settings = Parameter(stack, "settings", type="json", default={"debug": False, "level": 3})
enabled = Parameter(stack, "enabled", type="boolean", default=True)
secret = Parameter(stack, "db_password", hidden=True, immutable=True, description="Never shown.")
ParameterGroup(
    stack, "basics", label="Basics", description="What everyone sets.", parameters=[name, env]
)
ParameterGroup(stack, "sizing", parameters=[count, flavor])
prod = Condition(stack, "is_prod", equals(env, "prod"))
Output(stack, "zones_used", value=zones, description="The zones used.")
Output(stack, "level", value=settings["level"])
Output(stack, "prod_only", value=enabled, condition=prod)
