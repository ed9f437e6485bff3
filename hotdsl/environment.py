"""Heat environments, stages, and secrets that are filled in only at deploy time.

An `Environment` covers the whole Heat environment format. A `Stage` (dev, staging,
prod) gives every stack of the app the same template with its own parameter values
and environment, written as one environment file per stack and stage, so that a
template reviewed once is deployed everywhere with small, readable differences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from hotdsl.errors import ConstructError
from hotdsl.placement import Placement, check_place
from hotdsl.source import SourceLocation, caller_location

if TYPE_CHECKING:
    from hotdsl.construct import App, Stack
    from hotdsl.template import Parameter, ResourceBase

T = TypeVar("T")

Hook = Literal[
    "pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete"
]
RestrictedAction = Literal["update", "replace"]
MergeStrategy = Literal["overwrite", "merge", "deep_merge"]

ENVIRONMENT_SECTIONS = (
    "parameters",
    "parameter_defaults",
    "parameter_merge_strategies",
    "encrypted_param_names",
    "event_sinks",
    "resource_registry",
)
"""Heat's environment sections, in the order hotdsl writes them."""


@attrs.frozen
class Secret:
    """A parameter value read from the deployer's machine at deploy time, never written by synth.

    Create with `from_env("DB_PASSWORD")` or `from_file("~/.secrets/db")`; the manifest
    records only the variable name or path. A parameter that receives a secret is
    written `hidden: true`.
    """

    source: Literal["env", "file"]
    name: str

    def to_manifest(self) -> dict[str, str]:
        return {"from_env": self.name} if self.source == "env" else {"from_file": self.name}


def from_env(variable: str) -> Secret:
    """A secret parameter value taken from the environment variable `variable` at deploy time."""
    return Secret("env", variable)


def from_file(path: str) -> Secret:
    """A secret parameter value taken from the file at `path` (stripped) at deploy time."""
    return Secret("file", path)


@attrs.frozen
class ResourceSettings:
    """Settings for the resources whose names match one pattern (`resource_registry.resources`).

    `types` overrides type mappings for these resources only; `hooks` pause Heat
    before or after an action until the hook is cleared; `restricted_actions`
    makes Heat refuse to update or replace them; `nested` applies settings inside a
    nested stack resource, by the nested resources' names.
    """

    types: Mapping[str, str] = attrs.field(factory=dict)
    hooks: Sequence[Hook] = ()
    restricted_actions: Sequence[RestrictedAction] = ()
    nested: Mapping[str, ResourceSettings] = attrs.field(factory=dict)

    def to_hot(self) -> dict[str, object]:
        out: dict[str, object] = dict(self.types)
        if self.hooks:
            out["hooks"] = list(self.hooks)
        if self.restricted_actions:
            out["restricted_actions"] = list(self.restricted_actions)
        for name, settings in self.nested.items():
            out[name] = settings.to_hot()
        return out


@attrs.define
class Environment:
    """A Heat environment: every section of the format.

    Parameter keys may be `Parameter` objects or names; `resources` keys may be
    resources or name patterns (`*` wildcards, as Heat matches them). Values given
    as `Secret` are never written; they are filled in at deploy time.
    """

    parameters: Mapping[Parameter[Any] | str, object] = attrs.field(factory=dict)
    parameter_defaults: Mapping[Parameter[Any] | str, object] = attrs.field(factory=dict)
    resource_registry: Mapping[str, str] = attrs.field(factory=dict)
    """Type mappings: `"OS::Networking::*": "OS::Neutron::*"`, `"My::Type": "my_type.yaml"`."""
    resources: Mapping[ResourceBase | str, ResourceSettings] = attrs.field(factory=dict)
    event_sinks: Sequence[Mapping[str, object]] = ()
    parameter_merge_strategies: Mapping[Parameter[Any] | str, MergeStrategy] = attrs.field(
        factory=dict
    )
    """`default` or a parameter -> overwrite, merge or deep_merge (Heat 7.0.0 and newer)."""
    encrypted_param_names: Sequence[Parameter[Any] | str] = ()

    def is_empty(self) -> bool:
        return not (
            self.parameters
            or self.parameter_defaults
            or self.resource_registry
            or self.resources
            or self.event_sinks
            or self.parameter_merge_strategies
            or self.encrypted_param_names
        )


class Stage:
    """One deployment target of the app (dev, staging, prod): same templates, own environment.

    ```python
    prod = Stage(app, "prod", parameters={network.cidr: "10.1.0.0/16", db.password: from_env("DB_PASSWORD")})
    prod.set(web.flavor, "m1.large")
    prod.environment(web_stack).resource_registry = {...}
    ```
    Values are checked against the parameter's type and constraints at synth.
    `stack_name_prefix` keeps stages apart when they share one cloud project; `cloud`
    (a clouds.yaml entry) and `region` send the stage's stacks to their own cloud.
    """

    def __init__(
        self,
        app: App,
        name: str,
        *,
        parameters: Mapping[Parameter[Any], object] | None = None,
        environments: Mapping[Stack, Environment] | None = None,
        stack_name_prefix: str = "",
        description: str | None = None,
        cloud: str | None = None,
        region: str | None = None,
    ) -> None:
        self.location: SourceLocation = caller_location()
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ConstructError(
                f"{self.location}: stage name {name!r} must be letters, digits, '-' or '_'"
            )
        stages: list[Stage] = app.stages
        if any(other.name == name for other in stages):
            raise ConstructError(f"{self.location}: the app already has a stage named {name!r}")
        self.app = app
        self.name: str = name
        self.description = description
        self.stack_name_prefix = stack_name_prefix
        self.placement = Placement(
            check_place("cloud", cloud, self.location), check_place("region", region, self.location)
        )
        """Where this stage's stacks are deployed, unless a stack names its own cloud."""
        self.values: dict[Parameter[Any], object] = {}
        self.value_locations: dict[Parameter[Any], SourceLocation] = {}
        self.environments: dict[Stack, Environment] = dict(environments or {})
        for parameter, value in (parameters or {}).items():
            self.values[parameter] = value
            self.value_locations[parameter] = self.location
        stages.append(self)

    def set(self, parameter: Parameter[T], value: T | Secret) -> None:
        """Give `parameter` a value in this stage (checked at synth)."""
        self.values[parameter] = value
        self.value_locations[parameter] = caller_location()

    def environment(self, stack: Stack) -> Environment:
        """This stage's own environment for `stack`, created empty on first use."""
        return self.environments.setdefault(stack, Environment())

    def stack_name(self, stack: Stack) -> str:
        return f"{self.stack_name_prefix}{stack.stack_name}"

    def __repr__(self) -> str:
        return f"<Stage {self.name}>"
