"""What Heat holds of a deployed stack: its template, environment, files and values.

`hotdsl import --stack` reads a stack that someone else deployed, so everything here
is read as Heat gives it and checked before use. Heat shows the values of hidden
parameters as `******` (in the stack's parameters and in its environment), and only
the names of the hidden parameters are kept from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from hotdsl.deploy.heat import HeatClient, StackRef
from hotdsl.errors import HotdslError
from hotdsl.secrets import MASK

TEMPLATE_SUFFIXES = (".yaml", ".template")
"""File names Heat runs as template resources (heat/engine/environment.py)."""


class StackNotFound(HotdslError):
    """No stack of that name in the project, as Heat sees it."""


@attrs.frozen
class DeployedStack:
    """One deployed stack as Heat gives it back."""

    ref: StackRef
    template: dict[str, Any]
    environment: dict[str, Any]
    """The stack's own environment (what its deploys sent), as Heat merged it."""
    files: dict[str, str]
    parameters: dict[str, Any]
    """Every parameter's value (hidden ones `******`), without Heat's `OS::` ones."""
    outputs: dict[str, Any]

    @property
    def name(self) -> str:
        return self.ref.name

    def hidden(self) -> set[str]:
        """The parameters Heat hides: marked `hidden: true`, or shown as `******`."""
        names = {name for name, value in self.parameters.items() if value == MASK}
        definitions = self.template.get("parameters")
        for name, spec in (definitions if isinstance(definitions, Mapping) else {}).items():
            if isinstance(spec, Mapping) and spec.get("hidden") is True:
                names.add(str(name))
        return names


def read_stack(client: HeatClient, name: str) -> DeployedStack:
    """The stack `name` with its template, environment, files, parameters and outputs."""
    ref = client.find_stack(name)
    if ref is None:
        raise StackNotFound(
            f"no stack named {name!r} in Heat (deleted ones do not count); "
            "`openstack stack list` shows the project's stacks"
        )
    if ref.in_progress:
        raise HotdslError(f"stack {ref.name} is {ref.status}; import it once Heat is done with it")
    ref = client.get_stack(ref)  # the list view has no outputs
    template = client.template(ref)
    if not isinstance(template, dict):
        raise HotdslError(f"stack {ref.name}: Heat returned no template")
    environment = client.environment(ref)
    files = client.files(ref)
    return DeployedStack(
        ref,
        template,
        dict(environment) if isinstance(environment, dict) else {},
        {str(k): v for k, v in (files or {}).items() if isinstance(v, str)},
        {k: v for k, v in ref.parameters.items() if not k.startswith("OS::")},
        {o["output_key"]: o.get("output_value") for o in ref.outputs if "output_key" in o},
    )


def own_environment(stack: DeployedStack) -> dict[str, Any]:
    """The environment the stack's deploys sent, without what Heat adds to every stack.

    Heat adds the cloud's global environment (`file://` registry entries no file of the
    stack backs) and a `child.yaml: child.yaml` entry for each template resource it ran;
    it also returns empty sections. None of that was the user's.
    """
    out: dict[str, Any] = {}
    for section, value in stack.environment.items():
        if section == "resource_registry" and isinstance(value, Mapping):
            value = {
                k: v
                for k, v in value.items()
                if not (isinstance(v, str) and v.startswith("file://") and v not in stack.files)
                and not (k == v and str(k).endswith(TEMPLATE_SUFFIXES))
                and not (k == "resources" and not v)
            }
        if value in ({}, [], None):
            continue
        out[section] = value
    return out


def project_stacks(client: HeatClient, prefix: str = "") -> list[StackRef]:
    """The project's stacks whose names start with `prefix`, by name."""
    return sorted(
        (ref for ref in client.list_stacks() if ref.name.startswith(prefix)),
        key=lambda ref: ref.name,
    )


def remote_children(client: HeatClient, refs: list[StackRef]) -> dict[str, str]:
    """Stack id -> `parent/resource` for each stack an `OS::Heat::Stack` resource of one of
    `refs` runs: Heat lists those as stacks of their own, but they come with the parent."""
    found: dict[str, str] = {}
    for ref in refs:
        for resource in client.resources(ref):
            physical = resource.get("physical_resource_id")
            if resource.get("resource_type") == "OS::Heat::Stack" and physical:
                found[str(physical)] = f"{ref.name}/{resource.get('resource_name')}"
    return found
