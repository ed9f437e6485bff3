"""Cross-stack imports: parameters that take the deployed outputs of the app's other stacks.

Diff and deploy fill them the same way, here. A value comes from what the producing
stack has just deployed in this run, else from Heat. When the producing stack does not
have the output (it is not deployed, or deployed without that output), that is an
error naming both stacks and the output, except when the producer is deployed by the
same run before the stack that needs it: then the value exists only once it has been
deployed, and a diff leaves the parameter out. Only the app's own stacks are read: a
manifest from elsewhere cannot have another stack's outputs sent (and shown back).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from hotdsl.deploy.heat import HeatClient, StackRef
from hotdsl.deploy.plan import StackRequest
from hotdsl.errors import HotdslError
from hotdsl.synth.manifest import StackImportEntry


class MissingOutputError(HotdslError):
    """A stack needs an output that its producing stack does not have in Heat."""

    def __init__(self, request: StackRequest, item: StackImportEntry, why: str) -> None:
        super().__init__(
            f"{request.stack_name}: parameter {item.parameter} needs output {item.output} "
            f"of stack {item.stack}, {why}; deploy {item.stack} first"
        )
        self.stack = request.entry.name
        self.parameter = item.parameter
        self.source_stack = item.stack
        self.output = item.output


def stack_outputs(ref: StackRef) -> dict[str, Any]:
    """A stack's outputs by key, as stack show resolves them."""
    return {o["output_key"]: o.get("output_value") for o in ref.outputs}


class DeployedOutputs:
    """The outputs of the app's stacks: as this run deployed them, else as Heat has them.

    Heat is asked once per stack; `heat_names` maps the app's stack names to Heat's
    (a stage may rename them). A stack is read from its own cloud: `clients` maps the
    app stacks deployed elsewhere than `client`'s cloud (and region) to theirs.
    """

    def __init__(
        self,
        client: HeatClient,
        heat_names: Mapping[str, str],
        clients: Mapping[str, HeatClient] | None = None,
    ) -> None:
        self.client = client
        self.heat_names = dict(heat_names)
        self.clients = dict(clients or {})
        self._known: dict[str, dict[str, Any] | None] = {}

    def record(self, stack: str, outputs: Mapping[str, Any]) -> None:
        """What `stack` (an app stack name) has after this run deployed it."""
        self._known[stack] = dict(outputs)

    def of(self, stack: str) -> dict[str, Any] | None:
        """The outputs of app stack `stack`, or None when it is not deployed."""
        if stack not in self._known:
            ref = self.clients.get(stack, self.client).find_stack(self.heat_names[stack])
            self._known[stack] = stack_outputs(ref) if ref is not None else None
        return self._known[stack]


def fill_imports(
    request: StackRequest, outputs: DeployedOutputs, deployed_later: Collection[str] = ()
) -> StackRequest:
    """`request` with its cross-stack parameters set from the producing stacks' outputs.

    `deployed_later` names the app stacks this run deploys before `request` but has not
    yet: an output they lack is left out instead of refused (a diff before a deploy).
    """
    values: dict[str, object] = {}
    for item in request.entry.imports:
        if item.stack not in outputs.heat_names:  # a manifest from a pull request may say anything
            raise HotdslError(
                f"{request.stack_name}: parameter {item.parameter} takes output {item.output} of "
                f"{item.stack!r}, which is not a stack of the app; run `hotdsl synth` again"
            )
        found = outputs.of(item.stack)
        if found is not None and item.output in found:
            values[item.parameter] = parameter_value(found[item.output], item.type)
        elif item.stack not in deployed_later:
            why = (
                f"which is not deployed (no stack {outputs.heat_names[item.stack]} in Heat)"
                if found is None
                else "which it does not have"
            )
            raise MissingOutputError(request, item, why)
    return request.with_parameters(values) if values else request


def parameter_value(value: Any, kind: str) -> object:
    """An output value as a parameter of `kind` takes it."""
    if kind == "json":
        return (
            value
            if isinstance(value, (dict, list))
            else json.loads(value)
            if isinstance(value, str)
            else value
        )
    if kind == "comma_delimited_list":
        return ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "boolean":
        return str(value).lower() if isinstance(value, bool) else value
    if kind == "number":
        return value
    return (
        value
        if isinstance(value, str)
        else json.dumps(value)
        if isinstance(value, (dict, list))
        else str(value)
    )
