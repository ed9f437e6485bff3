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

import difflib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

import attrs
import yaml

from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.heat import HeatClient, HeatError, StackRef
from hotdsl.deploy.hidden import compare_hidden, effective_parameters, hidden_parameters
from hotdsl.deploy.ownership import not_owned_note
from hotdsl.deploy.plan import OVERRIDES_FILE, StackRequest
from hotdsl.deploy.risk import Risk, change_risks
from hotdsl.heat_yaml import load_heat_yaml
from hotdsl.secrets import MASK, mask
from hotdsl.versions import FUNCTION_NAMES

HIDDEN_VALUE = MASK
"""How Heat shows a hidden parameter's value; hotdsl shows hidden values the same way."""

DIFF_SCHEMA = "hotdsl-diff/1"
"""The version of the shape of `hotdsl diff --format json`; it changes only when a field does."""

Action = Literal["add", "remove", "update", "replace", "unchanged"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@attrs.frozen
class Change:
    """One difference at `path`: `old` missing means added, `new` missing means removed.

    `note` says what hotdsl could not find out (whether a hidden value changed); `text_diff`
    is a unified diff of the lines, for a file or a text of several lines (a script).
    """

    path: str
    old: Any = MISSING
    new: Any = MISSING
    note: str | None = None
    text_diff: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.old is not MISSING:
            out["old"] = self.old
        if self.new is not MISSING:
            out["new"] = self.new
        if self.note is not None:
            out["note"] = self.note
        if self.text_diff is not None:
            out["text_diff"] = self.text_diff
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


RiskLevel = Literal["none", "low", "medium", "high"]
"""How risky a stack's change is: `high` when a resource is replaced or removed (its data
and identity go), `medium` when something is updated in place (or only parameters,
outputs, environment or files change), `low` when resources are only added, `none`."""


@attrs.frozen
class Summary:
    """Resources added, changed in place, replaced and removed, and the `RiskLevel` they make."""

    added: int
    changed: int
    replaced: int
    removed: int
    risk: RiskLevel

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


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
    not_owned: str | None = None
    """Set when the stack in Heat is not hotdsl's for this app stack: what deploy will do."""
    risks: tuple[Risk, ...] = ()
    """Replacements and removals that keep or lose data, and changes Heat will refuse
    (`hotdsl.deploy.risk`)."""

    @property
    def is_empty(self) -> bool:
        return self.exists and not (
            self.resources or self.parameters or self.template or self.environment or self.files
        )

    def summary(self) -> Summary:
        """How many resources each action touches (nested stacks' included) and the risk.

        Heat's preview names what changes inside nested stacks by path (`group/0/rnd`);
        without it, the changes inside nested templates are counted once per template.
        """
        counts = {action: 0 for action in ("add", "update", "replace", "remove")}
        inside = () if any("/" in r.name for r in self.resources) else self.nested
        for resource in (*self.resources, *(r for _, group in inside for r in group)):
            if resource.action in counts:
                counts[resource.action] += 1
        other = self.parameters or self.template or self.environment or self.files
        risk: RiskLevel = "none"
        if counts["replace"] or counts["remove"]:
            risk = "high"
        elif counts["update"] or other:
            risk = "medium"
        elif counts["add"]:
            risk = "low"
        return Summary(counts["add"], counts["update"], counts["replace"], counts["remove"], risk)

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack_name,
            "exists": self.exists,
            "changed": not self.is_empty,
            "summary": self.summary().to_json(),
            "resources": [r.to_json() for r in self.resources],
            "parameters": [c.to_json() for c in self.parameters],
            "template": [c.to_json() for c in self.template],
            "environment": [c.to_json() for c in self.environment],
            "files": [c.to_json() for c in self.files],
            "nested": {key: [r.to_json() for r in changes] for key, changes in self.nested},
            "preview_error": self.preview_error,
            "not_owned": self.not_owned,
            "risks": [r.to_json() for r in self.risks],
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
    resources = _explain_nested_form_changes(client, deployed, resources)
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
    nested = []
    paths = nested_stack_paths(local, request.files)
    for key, changes in _nested_changes(remote_files, request.files, update_rule):
        if key in paths:  # a nested stack's own template: its changes go by their path
            resources += [attrs.evolve(c, name=f"{paths[key]}/{c.name}") for c in changes]
        else:
            nested.append((key, changes))
    preview_error = None
    if preview and (resources or parameters or template or environment or files):
        try:
            heat_view = client.preview_update(deployed, request.body())
            resources = _apply_preview(resources, heat_view, deployed)
            resources, nested = _place_template_changes(resources, nested)
        except HeatError as exc:
            preview_error = mask(str(exc))
    resources = _explain_file_changes(resources, local, files, update_rule)
    ordered = _tree_order(resources)
    risks = change_risks(
        [(r.name, r.action) for r in ordered], (remote, local), (remote_env, local_env)
    )
    return StackDiff(
        request.stack_name,
        True,
        ordered,
        parameters,
        template,
        environment,
        files,
        tuple(nested),
        preview_error,
        not_owned_note(deployed, request.entry.name),
        risks,
    )


def load_template(text: str) -> dict[str, Any]:
    """Parse a template as Heat does (dates stay strings); {} for anything but a mapping."""
    data = load_heat_yaml(text)
    return data if isinstance(data, dict) else {}


TEMPLATE_SUFFIXES = (".yaml", ".template")
"""A resource type with one of these endings is a template resource (a nested stack)."""
REMOTE_STACK_TYPE = "OS::Heat::Stack"


def _nested_form(resource_type: object) -> str | None:
    """Which form of nested stack a resource type is, if it is one."""
    if resource_type == REMOTE_STACK_TYPE:
        return "OS::Heat::Stack"
    if isinstance(resource_type, str) and resource_type.endswith(TEMPLATE_SUFFIXES):
        return "a template resource"
    return None


def nested_form_change(old_type: object, new_type: object) -> str | None:
    """How a nested stack's form changes (`OS::Heat::Stack` <-> template resource), if it does."""
    old, new = _nested_form(old_type), _nested_form(new_type)
    if old is None or new is None or old == new:
        return None
    return f"from {old} to {new}"


def _explain_nested_form_changes(
    client: HeatClient, deployed: StackRef, resources: list[ResourceChange]
) -> list[ResourceChange]:
    """Say what replacing a nested stack of the other form costs: all of its resources."""
    changing = {
        r.name: form
        for r in resources
        if r.changes and (form := nested_form_change(_old_type(r), r.type)) is not None
    }
    if not changing:
        return resources
    sizes = nested_stack_sizes(client, deployed, list(changing))
    out = []
    for resource in resources:
        form = changing.get(resource.name)
        if form is None:
            out.append(resource)
            continue
        size = sizes.get(resource.name)
        count = (
            f"its {size} resource{'s' if size != 1 else ''}"
            if size is not None
            else "its resources"
        )
        reason = (
            f"the nested stack {resource.name} changes {form}: Heat replaces it, "
            f"deleting and recreating {count}"
        )
        out.append(attrs.evolve(resource, action="replace", reasons=(reason,)))
    return out


def _old_type(change: ResourceChange) -> object:
    for item in change.changes:
        if item.path == "type":
            return item.old
    return change.type


def nested_stack_sizes(client: HeatClient, deployed: StackRef, names: list[str]) -> dict[str, int]:
    """How many resources each named nested stack holds (its own nested stacks' included)."""
    sizes: dict[str, int] = {}
    try:
        physical = {
            r.get("resource_name"): r.get("physical_resource_id")
            for r in client.resources(deployed)
        }
        for name in names:
            stack_id = physical.get(name)
            child = client.find_stack(stack_id) if isinstance(stack_id, str) and stack_id else None
            if child is not None:
                sizes[name] = len(client.resources(child, nested_depth=5))
    except HeatError:
        pass  # the count is a courtesy: the replacement is reported without it
    return sizes


def nested_form_warnings(client: HeatClient, request: StackRequest) -> list[str]:
    """One line per nested stack that a deploy of `request` replaces because its form changes.

    Asks Heat only when the stack has a nested stack of either form.
    """
    local = load_template(request.template).get("resources", {})
    nested = {
        name: body.get("type")
        for name, body in local.items()
        if isinstance(body, Mapping) and _nested_form(body.get("type")) is not None
    }
    deployed = client.find_stack(request.stack_name) if nested else None
    if deployed is None:
        return []
    remote = client.template(deployed).get("resources", {})
    changes = [
        ResourceChange(name, str(kind), "update", (Change("type", remote[name].get("type"), kind),))
        for name, kind in nested.items()
        if isinstance(remote.get(name), Mapping)
        and nested_form_change(remote[name].get("type"), kind) is not None
    ]
    return [
        f"{request.stack_name}: {'; '.join(change.reasons)}"
        for change in _explain_nested_form_changes(client, deployed, changes)
    ]


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
            reasons += _policy_replacements(body.get("type"), old, body, changes)
        action: Action = (
            "replace" if reasons and not any("immutable" in r for r in reasons) else "update"
        )
        yield ResourceChange(
            name, body.get("type", "?"), action, changes, tuple(dict.fromkeys(reasons))
        )
    for name, body in remote.items():
        if name not in local:
            yield ResourceChange(name, body.get("type", "?"), "remove")


POLICY_REPLACEMENTS = {
    "OS::Nova::Server": (
        ("flavor", "flavor_update_policy", "RESIZE"),
        ("image", "image_update_policy", "REBUILD"),
        ("user_data", "user_data_update_policy", "REPLACE"),
    )
}
"""Properties that Heat allows to update but whose change replaces the resource when a
policy property says REPLACE: (property, policy, Heat's default policy). From each type's
`needs_replace_with_prop_diff` in Heat; the update preview follows it, except where a
stand-in (the sandbox) plays the type."""
POLICY_MARK = "_update_policy is REPLACE"


def _policy_replacements(
    resource_type: object, old: Mapping[str, Any], new: Mapping[str, Any], changes: Sequence[Change]
) -> list[str]:
    """Why a change replaces the resource by its update policy (`POLICY_REPLACEMENTS`)."""
    changed = {
        c.path.split(".")[1].split("[")[0] for c in changes if c.path.startswith("properties.")
    }
    before, after = old.get("properties") or {}, new.get("properties") or {}
    reasons = []
    for prop, policy, default in POLICY_REPLACEMENTS.get(str(resource_type), ()):
        chosen = after.get(policy) or before.get(policy)
        if prop in changed and (chosen or default) == "REPLACE":
            whose = "" if chosen else " (Heat's default)"
            reasons.append(f"{prop} changes and {policy} is REPLACE{whose}")
    return reasons


def _apply_preview(
    resources: list[ResourceChange],
    preview: Mapping[str, list[dict[str, Any]]],
    deployed: StackRef,
) -> list[ResourceChange]:
    """Heat's preview decides replace versus update; it also reveals changes inside nested
    stacks, which are named by their path (`db/server`). Heat lists a resource that runs
    a nested stack as updated whatever changes (`StackResource._needs_update` is always
    true); it counts only when something inside it changes."""
    top = {r.name: r for r in resources}
    out = list(resources)
    kinds: tuple[tuple[str, Action], ...] = (
        ("replaced", "replace"),
        ("updated", "update"),
        ("added", "add"),
        ("deleted", "remove"),
    )
    label = _preview_labels(preview, deployed)
    changed = [label(item) for kind, _ in kinds for item in preview.get(kind, ())]
    for kind, action in kinds:
        for item in preview.get(kind, ()):
            name = label(item)
            if (
                kind == "updated"
                and item.get("nested_stack_id")
                and name not in top
                and not any(other.startswith(f"{name}/") for other in changed)
            ):
                continue  # Heat previews every nested stack as updated; nothing in it changes
            nested = "/" in name
            if name not in top and (nested or action in ("update", "replace")):
                change = ResourceChange(
                    name,
                    item.get("resource_type", "?"),
                    action,
                    reasons=(PREVIEW_REASON,) if action in ("update", "replace") else (),
                )
                out.append(change)
                top[name] = change
            elif name in top:
                current = top[name]
                if (
                    current.action in ("update", "replace")
                    and current.action != action
                    and action in ("update", "replace")
                ):
                    kept = tuple(r for r in current.reasons if POLICY_MARK in r)
                    if action == "update" and kept:
                        continue  # replaced by the resource's own code: see POLICY_REPLACEMENTS
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
    return out


PREVIEW_REASON = "a value it uses changes (Heat's update preview)"


def _place_template_changes(
    resources: list[ResourceChange], nested: list[tuple[str, tuple[ResourceChange, ...]]]
) -> tuple[list[ResourceChange], list[tuple[str, tuple[ResourceChange, ...]]]]:
    """Give the changes found in a provider or group template to the resources that Heat's
    preview names by path (`group/0/rnd`), so each is shown where it is, not in a flat list.

    A template's change goes to every previewed resource of its name and type below a
    path; a change whose name and type more than one template holds stays in its list.
    """
    owners: dict[tuple[str, str], list[str]] = {}
    for key, changes in nested:
        for change in changes:
            owners.setdefault((change.name, change.type), []).append(key)
    placed: set[tuple[str, str]] = set()
    out = []
    for resource in resources:
        leaf = resource.name.rpartition("/")[2]
        found = [
            change
            for key, changes in nested
            for change in changes
            if "/" in resource.name
            and (change.name, change.type) == (leaf, resource.type)
            and owners[(leaf, resource.type)] == [key]
            and resource.reasons in ((), (PREVIEW_REASON,))
            and change.action in ("update", "replace")
        ]
        if len(found) == 1:
            change = found[0]
            reasons = change.reasons or resource.reasons
            resource = attrs.evolve(resource, changes=change.changes, reasons=reasons)
            placed.add((change.name, change.type))
        out.append(resource)
    rest = [
        (key, kept)
        for key, changes in nested
        if (kept := tuple(c for c in changes if (c.name, c.type) not in placed))
    ]
    return out, rest


"""Why Heat's preview updates or replaces a resource whose own properties do not change."""


def _explain_file_changes(
    resources: list[ResourceChange],
    local: Mapping[str, Any],
    files: Sequence[Change],
    update_rule: UpdateRule | None,
) -> list[ResourceChange]:
    """Name the changed file (`get_file`) that makes Heat update or replace a resource, and
    whether its property can take the change in place (the resource type's spec)."""
    changed = {c.path.removeprefix("files.") for c in files}
    bodies = local.get("resources", {})
    out = []
    for resource in resources:
        body = bodies.get(resource.name)
        if resource.reasons != (PREVIEW_REASON,) or not isinstance(body, Mapping):
            out.append(resource)
            continue
        reasons = []
        properties = body.get("properties")
        for prop, value in (properties if isinstance(properties, Mapping) else {}).items():
            for key in sorted(set(_files_read(value)) & changed):
                rule = update_rule(str(body.get("type", "")), prop) if update_rule else None
                fixed = rule is not None and not rule[0]
                reasons.append(
                    f"{prop} reads {key}, which changes"
                    + (f", and {prop} cannot be updated in place" if fixed else "")
                )
        out.append(attrs.evolve(resource, reasons=tuple(reasons)) if reasons else resource)
    return out


def _files_read(value: Any) -> Iterator[str]:
    """The files-map keys a property value reads with `get_file`, however deep."""
    if isinstance(value, Mapping):
        if set(value) == {"get_file"} and isinstance(value["get_file"], str):
            yield value["get_file"]
            return
        for item in value.values():
            yield from _files_read(item)
    elif isinstance(value, list):
        for item in value:
            yield from _files_read(item)


def _tree_order(resources: list[ResourceChange]) -> tuple[ResourceChange, ...]:
    """Each nested stack's changes right after its own resource's (`db`, `db/inner`, `db/rnd`)."""
    first: dict[str, int] = {}
    for index, resource in enumerate(resources):
        first.setdefault(resource.name.split("/")[0], index)
    return tuple(
        sorted(
            resources,
            key=lambda r: (
                first[r.name.split("/")[0]],
                "/" in r.name,
                r.name if "/" in r.name else "",
            ),
        )
    )


def _preview_labels(
    preview: Mapping[str, list[dict[str, Any]]], deployed: StackRef
) -> Callable[[Mapping[str, Any]], str]:
    """Names preview items by their path below the deployed stack (`db/inner/leaf`).

    Heat names each item's stack; a resource that runs a nested stack names that stack
    too (`nested_stack_id`), which links every nested stack to its parent. Stacks that
    exist only in the preview (a nested stack being replaced) have no id: they are
    matched by the name Heat gives them, `<parent stack>-<resource>`.
    """
    paths: dict[str, str] = {deployed.id: "", deployed.name: ""}
    items = [item for kind in preview.values() for item in kind]

    def stack_path(item: Mapping[str, Any]) -> str | None:
        identity = item.get("stack_identity") or {}
        for key in (identity.get("stack_id"), item.get("stack_name")):
            if isinstance(key, str) and key in paths:
                return paths[key]
        parent = item.get("parent_resource")
        name = item.get("stack_name")
        if isinstance(parent, str) and isinstance(name, str):
            for known, path in list(paths.items()):
                if name == f"{known}-{parent}":
                    paths[name] = f"{path}/{parent}" if path else parent
                    return paths[name]
        return None

    for _ in range(len(items) + 1):  # links are found parent first, one level per round
        found = False
        for item in items:
            nested = item.get("nested_stack_id") or {}
            own = stack_path(item)
            if own is None or not nested:
                continue
            path = f"{own}/{item.get('resource_name')}" if own else str(item.get("resource_name"))
            # a nested stack's stand-in in the preview is named `<parent stack>-<resource>`
            preview_name = f"{item.get('stack_name')}-{item.get('resource_name')}"
            for key in (nested.get("stack_id"), nested.get("stack_name"), preview_name):
                if isinstance(key, str) and key not in paths:
                    paths[key] = path
                    found = True
        if not found:
            break

    def label(item: Mapping[str, Any]) -> str:
        name = str(item.get("resource_name", ""))
        own = stack_path(item)
        if own is None:
            own = str(item.get("parent_resource") or item.get("stack_name") or "?")
        return f"{own}/{name}" if own else name

    return label


def nested_stack_paths(template: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str]:
    """Files-map key -> the path of the one resource that runs it as a nested stack (`db/inner`).

    A template used by several resources (a provider type, a group's members) has no
    single path and is left out.
    """
    seen: dict[str, list[str]] = {}

    def walk(body: Mapping[str, Any], prefix: str, depth: int) -> None:
        resources = body.get("resources")
        if not isinstance(resources, Mapping) or depth > 10:
            return
        for name, resource in resources.items():
            kind = resource.get("type") if isinstance(resource, Mapping) else None
            if not isinstance(kind, str) or kind not in files:
                continue
            path = f"{prefix}{name}"
            seen.setdefault(kind, []).append(path)
            walk(load_template(files[kind]), f"{path}/", depth + 1)

    walk(template, "", 0)
    return {key: paths[0] for key, paths in seen.items() if len(paths) == 1}


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
    """A registry without what Heat adds: `file://` entries of the cloud's global environment,
    `child.yaml: child.yaml` for each template resource it ran, empty `resources`."""
    if not isinstance(registry, Mapping):
        return registry
    mine = local if isinstance(local, Mapping) else {}
    out = {
        k: v
        for k, v in registry.items()
        if not (isinstance(v, str) and v.startswith("file://") and k not in mine)
        and not (k == v and k not in mine and str(k).endswith(TEMPLATE_SUFFIXES))
    }
    if out.get("resources") == {}:
        del out["resources"]
    return out


def _file_changes(remote: Mapping[str, str], request: StackRequest) -> Iterator[Change]:
    """Files added, removed or changed, each with a unified diff of its lines.

    The file that carries `-p` overrides is left out: its values are shown as parameters.
    The request's environment files are left out when the stack has none of them (a
    stack deployed without hotdsl): what they hold is compared as the environment. A
    template (nested, provider) written differently but holding the same data is the
    same to Heat."""
    local = request.files
    remote = {k: v for k, v in remote.items() if k in local or not k.startswith("file://")}
    if not any(key in remote for key in request.environment_files):
        local = {k: v for k, v in local.items() if k not in request.environment_files}
    for key in sorted((set(remote) | set(local)) - {OVERRIDES_FILE}):
        old, new = remote.get(key), local.get(key)
        if old == new or _same_template(old, new):
            continue
        path = f"files.{key}"
        if old is None:
            yield Change(path, MISSING, f"{_lines(new)} lines", text_diff=text_diff(key, "", new))
        elif new is None:
            yield Change(path, f"{_lines(old)} lines", MISSING, text_diff=text_diff(key, old, ""))
        else:
            shown = (f"{_lines(old)} lines", f"{_lines(new)} lines, changed")
            yield Change(path, *shown, text_diff=text_diff(key, old, new))


def text_diff(name: str, old: str | None, new: str | None) -> str:
    """A unified diff of two texts (secrets masked), as `diff -u` and code review show it."""
    lines = difflib.unified_diff(
        (old or "").splitlines(),
        (new or "").splitlines(),
        f"a/{name}",
        f"b/{name}",
        lineterm="",
    )
    return mask("\n".join(lines))


def _same_template(old: str | None, new: str | None) -> bool:
    """Whether two texts are Heat templates holding the same data."""
    if old is None or new is None or "heat_template_version" not in old:
        return False
    try:
        before, after = load_heat_yaml(old), load_heat_yaml(new)
    except yaml.YAMLError:
        return False
    return isinstance(before, Mapping) and "heat_template_version" in before and before == after


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
    if isinstance(old, str) and isinstance(new, str) and "\n" in old + new:
        yield Change(path, old, new, text_diff=text_diff(path, old, new))  # a script
        return
    yield Change(path, old, new)


def _is_call(value: Mapping[str, Any]) -> bool:
    """A HOT function call is shown whole, not taken apart."""
    return len(value) == 1 and next(iter(value)) in FUNCTION_NAMES


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
