"""`hotdsl diff`: what a deploy would change, stack by stack, without changing anything.

The synthesized stack is compared with the deployed one: the template (resources
added, removed, modified, with property-level changes), the environment as Heat
stores it (hotdsl merges the environment files the way Heat does), the parameters
(hidden values are compared by digest and never shown), and the files map. Which
modified resources Heat will replace is predicted from the resource schema
(`update_allowed`, `immutable`) and then taken from Heat's own update preview, the
ground truth. Hidden values are never shown, not even a hidden parameter's default in
the template section; whether one changed is told by keyed digests
(`hotdsl.deploy.hidden`), or reported as "cannot tell". What the cloud adds to every stack from its global environment
(`file://` registry entries and their files) is not the app's and is left out. The preview uses Heat's preview endpoint, never openstacksdk's
`update_stack(preview=True)`, which performs a real update.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

import attrs
import yaml

from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.heat import HeatClient, HeatError, StackRef
from hotdsl.deploy.hidden import compare_hidden, effective_parameters, hidden_parameters
from hotdsl.deploy.plan import StackRequest
from hotdsl.heat_yaml import load_heat_yaml
from hotdsl.secrets import MASK, mask

HIDDEN_VALUE = MASK
"""How Heat shows a hidden parameter's value; hotdsl shows hidden values the same way."""

Action = Literal["add", "remove", "update", "replace", "unchanged"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@attrs.frozen
class Change:
    """One difference at `path`: `old` missing means added, `new` missing means removed.

    `note` says what hotdsl could not find out (whether a hidden value changed).
    """

    path: str
    old: Any = MISSING
    new: Any = MISSING
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.old is not MISSING:
            out["old"] = self.old
        if self.new is not MISSING:
            out["new"] = self.new
        if self.note is not None:
            out["note"] = self.note
        return out


@attrs.frozen
class ResourceChange:
    """A resource the deploy adds, removes, updates in place or replaces."""

    name: str
    type: str
    action: Action
    changes: tuple[Change, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why it is replaced (or why the update will fail), in words."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "action": self.action,
            "changes": [c.to_json() for c in self.changes],
            "reasons": list(self.reasons),
        }


@attrs.frozen
class StackDiff:
    """Everything that differs between one synthesized stack and its deployed state."""

    stack_name: str
    exists: bool
    resources: tuple[ResourceChange, ...] = ()
    parameters: tuple[Change, ...] = ()
    template: tuple[Change, ...] = ()
    """Template sections other than resources (parameters' definitions, outputs, conditions, ...)."""
    environment: tuple[Change, ...] = ()
    files: tuple[Change, ...] = ()
    nested: tuple[tuple[str, tuple[ResourceChange, ...]], ...] = ()
    """Per nested or provider template in the files map whose resources change: (file key, changes)."""
    preview_error: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.exists and not (
            self.resources or self.parameters or self.template or self.environment or self.files
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack_name,
            "exists": self.exists,
            "changed": not self.is_empty,
            "resources": [r.to_json() for r in self.resources],
            "parameters": [c.to_json() for c in self.parameters],
            "template": [c.to_json() for c in self.template],
            "environment": [c.to_json() for c in self.environment],
            "files": [c.to_json() for c in self.files],
            "nested": {key: [r.to_json() for r in changes] for key, changes in self.nested},
            "preview_error": self.preview_error,
        }


UpdateRule = Callable[[str, str], tuple[bool, bool] | None]
"""(resource type, property) -> (update_allowed, immutable), or None when the schema is unknown."""


def diff_stack(
    client: HeatClient,
    request: StackRequest,
    deployed: StackRef | None,
    update_rule: UpdateRule | None = None,
    *,
    preview: bool = True,
) -> StackDiff:
    """Compare one stack's request with what is deployed (a stack that does not exist is all new)."""
    local = load_template(request.template)
    if deployed is None:
        added = tuple(
            ResourceChange(name, body.get("type", "?"), "add")
            for name, body in local.get("resources", {}).items()
        )
        return StackDiff(request.stack_name, False, resources=added)
    remote = client.template(deployed)
    resources = list(
        _resource_changes(remote.get("resources", {}), local.get("resources", {}), update_rule)
    )
    remote_files = client.files(deployed)
    hidden = hidden_parameters(local, request.files) | hidden_parameters(remote, remote_files)
    template = tuple(
        _template_changes(_unhidden_template(remote, hidden), _unhidden_template(local, hidden))
    )
    local_env = merge_environment_files(
        request.environment_files, request.files, request.parameters, local
    )
    remote_env = client.environment(deployed)
    effective = effective_parameters(local, local_env)
    deployed_values = {k: v for k, v in deployed.parameters.items() if not k.startswith("OS::")}
    parameters = tuple(_parameter_changes(deployed_values, effective, hidden, deployed))
    environment = tuple(
        _environment_changes(
            _unhidden_environment(remote_env, hidden), _unhidden_environment(local_env, hidden)
        )
    )
    files = tuple(_file_changes(remote_files, request))
    nested = tuple(_nested_changes(remote_files, request.files, update_rule))
    preview_error = None
    if preview and (resources or parameters or template or environment or files):
        try:
            heat_view = client.preview_update(deployed, request.body())
            resources = _apply_preview(resources, heat_view, local.get("resources", {}))
        except HeatError as exc:
            preview_error = mask(str(exc))
    return StackDiff(
        request.stack_name,
        True,
        tuple(resources),
        parameters,
        template,
        environment,
        files,
        nested,
        preview_error,
    )


def load_template(text: str) -> dict[str, Any]:
    """Parse a template as Heat does (dates stay strings); {} for anything but a mapping."""
    data = load_heat_yaml(text)
    return data if isinstance(data, dict) else {}


def _resource_changes(
    remote: Mapping[str, Any], local: Mapping[str, Any], update_rule: UpdateRule | None
) -> Iterator[ResourceChange]:
    for name, body in local.items():
        if name not in remote:
            yield ResourceChange(name, body.get("type", "?"), "add")
            continue
        old = remote[name]
        changes = tuple(deep_diff(old, body))
        if not changes:
            continue
        reasons: list[str] = []
        if old.get("type") != body.get("type"):
            reasons.append(f"its type changes from {old.get('type')} to {body.get('type')}")
        elif update_rule is not None:
            for change in changes:
                head, _, rest = change.path.partition(".")
                if head != "properties" or not rest:
                    continue
                prop = rest.split(".")[0].split("[")[0]
                rule = update_rule(body.get("type", ""), prop)
                if rule is None:
                    continue
                update_allowed, immutable = rule
                if immutable:
                    reasons.append(f"{prop} is immutable: Heat will refuse this update")
                elif not update_allowed:
                    reasons.append(f"{prop} cannot be updated in place")
        action: Action = (
            "replace" if reasons and not any("immutable" in r for r in reasons) else "update"
        )
        yield ResourceChange(
            name, body.get("type", "?"), action, changes, tuple(dict.fromkeys(reasons))
        )
    for name, body in remote.items():
        if name not in local:
            yield ResourceChange(name, body.get("type", "?"), "remove")


def _apply_preview(
    resources: list[ResourceChange],
    preview: Mapping[str, list[dict[str, Any]]],
    local: Mapping[str, Any],
) -> list[ResourceChange]:
    """Heat's preview decides replace versus update; it also reveals changes inside nested stacks."""
    top = {r.name: r for r in resources}
    out = list(resources)
    kinds: tuple[tuple[str, Action], ...] = (
        ("replaced", "replace"),
        ("updated", "update"),
        ("added", "add"),
        ("deleted", "remove"),
    )
    for kind, action in kinds:
        for item in preview.get(kind, ()):
            name = item.get("resource_name", "")
            nested_path = (item.get("stack_identity") or {}).get("path", "")
            is_top = item.get("stack_name") is None or not nested_path
            if is_top and name not in top and action in ("update", "replace"):
                change = ResourceChange(
                    name,
                    item.get("resource_type", "?"),
                    action,
                    reasons=("a value it uses changes (Heat's update preview)",),
                )
                out.append(change)
                top[name] = change
            elif is_top and name in top:
                current = top[name]
                if (
                    current.action in ("update", "replace")
                    and current.action != action
                    and action in ("update", "replace")
                ):
                    reasons = (
                        current.reasons
                        if action == "replace"
                        else tuple(r for r in current.reasons if "immutable" in r)
                    )
                    if action == "replace" and not reasons:
                        reasons = ("Heat's update preview says it will be replaced",)
                    replaced = attrs.evolve(current, action=action, reasons=reasons)
                    out[out.index(current)] = replaced
                    top[name] = replaced
            elif not is_top:
                label = f"{item.get('stack_name', '?')}/{name}"
                if label not in top:
                    change = ResourceChange(label, item.get("resource_type", "?"), action)
                    out.append(change)
                    top[label] = change
    return out


def _nested_changes(
    remote: Mapping[str, str], local: Mapping[str, str], update_rule: UpdateRule | None
) -> Iterator[tuple[str, tuple[ResourceChange, ...]]]:
    """Resource-level changes inside nested and provider templates that travel in the files map."""
    for key in sorted(set(remote) & set(local)):
        if remote[key] == local[key] or "heat_template_version" not in local[key]:
            continue
        try:
            old, new = load_template(remote[key]), load_template(local[key])
        except yaml.YAMLError:
            continue
        if "heat_template_version" not in old or "heat_template_version" not in new:
            continue
        changes = tuple(
            _resource_changes(old.get("resources", {}), new.get("resources", {}), update_rule)
        )
        if changes:
            yield key, changes


def _template_changes(remote: Mapping[str, Any], local: Mapping[str, Any]) -> Iterator[Change]:
    for section in sorted(set(remote) | set(local)):
        if section == "resources":
            continue
        yield from deep_diff(remote.get(section, MISSING), local.get(section, MISSING), section)


def _parameter_changes(
    remote: Mapping[str, Any], local: Mapping[str, Any], hidden: set[str], deployed: StackRef
) -> Iterator[Change]:
    for name in sorted(set(remote) | set(local)):
        old, new = remote.get(name, MISSING), local.get(name, MISSING)
        if name in hidden or old == HIDDEN_VALUE:
            path = f"parameters.{name}"
            if new is MISSING:
                yield Change(path, HIDDEN_VALUE, MISSING)
                continue
            if old is MISSING:
                yield Change(path, MISSING, HIDDEN_VALUE)
                continue
            verdict = compare_hidden(deployed, name, new)
            if verdict.changed is False:
                continue
            note = None
            if verdict.changed is None:
                note = f"cannot tell whether {name} changed: {verdict.why}"
            yield Change(path, HIDDEN_VALUE, HIDDEN_VALUE, note)
        elif not _same_parameter(old, new):
            yield Change(f"parameters.{name}", old, new)


def _same_parameter(deployed: Any, local: Any) -> bool:
    """Heat shows parameter values as strings (lists comma-joined, json as JSON text)."""
    if _normal(deployed) == _normal(local):
        return True
    if isinstance(deployed, str) and isinstance(local, list):
        return deployed == ",".join(str(v) for v in local)
    if isinstance(deployed, str) and isinstance(local, dict):
        try:
            return bool(json.loads(deployed) == local)
        except ValueError:
            return False
    return False


def _environment_changes(remote: Mapping[str, Any], local: Mapping[str, Any]) -> Iterator[Change]:
    for section in (
        "parameter_defaults",
        "resource_registry",
        "event_sinks",
        "encrypted_param_names",
    ):
        old, new = remote.get(section), local.get(section)
        if section == "resource_registry":
            old, new = _own_registry(old, new), _own_registry(new, None)
        yield from deep_diff(_empty_as_none(old), _empty_as_none(new), f"environment.{section}")


def _unhidden_template(template: Mapping[str, Any], hidden: set[str]) -> dict[str, Any]:
    """A template with the defaults of hidden parameters shown as `******`."""
    out = dict(template)
    definitions = out.get("parameters")
    if isinstance(definitions, Mapping):
        out["parameters"] = {
            name: {**spec, "default": HIDDEN_VALUE}
            if name in hidden and isinstance(spec, Mapping) and "default" in spec
            else spec
            for name, spec in definitions.items()
        }
    return out


def _unhidden_environment(env: Mapping[str, Any], hidden: set[str]) -> dict[str, Any]:
    """An environment with the values of hidden parameters shown as `******`."""
    out = dict(env)
    for section in ("parameters", "parameter_defaults"):
        values = out.get(section)
        if isinstance(values, Mapping):
            out[section] = {k: HIDDEN_VALUE if k in hidden else v for k, v in values.items()}
    return out


def _own_registry(registry: Any, local: Any) -> Any:
    """A registry without what the cloud adds: `file://` entries of its global environment, empty `resources`."""
    if not isinstance(registry, Mapping):
        return registry
    mine = local if isinstance(local, Mapping) else {}
    out = {
        k: v
        for k, v in registry.items()
        if not (isinstance(v, str) and v.startswith("file://") and k not in mine)
    }
    if out.get("resources") == {}:
        del out["resources"]
    return out


def _file_changes(remote: Mapping[str, str], request: StackRequest) -> Iterator[Change]:
    local = request.files
    remote = {k: v for k, v in remote.items() if k in local or not k.startswith("file://")}
    for key in sorted(set(remote) | set(local)):
        old, new = remote.get(key), local.get(key)
        if old == new:
            continue
        if old is None:
            yield Change(f"files.{key}", MISSING, f"{_lines(new)} lines")
        elif new is None:
            yield Change(f"files.{key}", f"{_lines(old)} lines", MISSING)
        else:
            yield Change(f"files.{key}", f"{_lines(old)} lines", f"{_lines(new)} lines, changed")


def deep_diff(old: Any, new: Any, path: str = "") -> Iterator[Change]:
    """Leaf-level differences between two HOT values, with readable paths."""
    if _normal(old) == _normal(new):
        return
    if (
        isinstance(old, Mapping)
        and isinstance(new, Mapping)
        and not _is_call(old)
        and not _is_call(new)
    ):
        for key in list(old) + [k for k in new if k not in old]:
            yield from deep_diff(
                old.get(key, MISSING), new.get(key, MISSING), f"{path}.{key}" if path else str(key)
            )
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from deep_diff(a, b, f"{path}[{index}]")
        return
    yield Change(path, old, new)


def _is_call(value: Mapping[str, Any]) -> bool:
    """A HOT function call is shown whole, not taken apart."""
    return len(value) == 1 and next(iter(value)) in _FUNCTIONS


_FUNCTIONS = frozenset(
    {"get_param", "get_resource", "get_attr", "get_file", "if", "list_join", "str_replace"}
)


def _normal(value: Any) -> Any:
    """Heat hands parameter values back as strings; compare like with like."""
    if value is MISSING or value is None:
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def _empty_as_none(value: Any) -> Any:
    if value in ({}, [], None, {"resources": {}}):
        return None
    return value


def _lines(text: str | None) -> int:
    return 0 if not text else text.count("\n") + (0 if text.endswith("\n") else 1)
