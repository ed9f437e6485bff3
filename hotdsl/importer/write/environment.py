"""Writing the environment: the `-e` files as one `Environment(...)` of the stack."""

from __future__ import annotations

from collections.abc import Mapping

from hotdsl.importer.environment import EnvironmentModel, ResourceSettingsModel
from hotdsl.importer.model import Finding
from hotdsl.importer.pysource import Atom, Code, call, dict_display, display, string
from hotdsl.importer.write.context import ModuleContext, plain_code


def environment_code(
    context: ModuleContext, env: EnvironmentModel, parameters: Mapping[str, str]
) -> Code | None:
    """`Environment(...)` for the `-e` files, parameters named by their stack attribute."""
    used_templates = {p.type_name for p in context.plan.providers if p.type_name is not None}
    kwargs: dict[str, Code] = {}

    def parameter_key(name: str) -> Code:
        attribute = parameters.get(name)
        return Atom(f"stack.{attribute}") if attribute is not None else string(name)

    for section in ("parameters", "parameter_defaults"):
        values: dict[str, object] = getattr(env, section)
        if values:
            kwargs[section] = dict_display(
                [(parameter_key(k), plain_code(v)) for k, v in values.items()]
            )
    registry = dict(env.registry)
    for type_name, entry in env.templates.items():
        if type_name not in used_templates:
            registry[type_name] = entry.path
            context.findings.append(
                Finding(
                    "note",
                    f"the environment maps {type_name!r} to {entry.path!r}, which no resource uses; "
                    "the mapping is kept, the template is not imported or sent",
                    entry.file or env.files[-1].name,
                    entry.line,
                )
            )
    if registry:
        kwargs["resource_registry"] = dict_display(
            [(string(k), string(v)) for k, v in registry.items()]
        )
    if env.resources:
        context.imports.hotdsl.add("ResourceSettings")
        kwargs["resources"] = dict_display(
            [(string(k), settings_code(v)) for k, v in env.resources.items()]
        )
    if env.event_sinks:
        kwargs["event_sinks"] = display([plain_code(s) for s in env.event_sinks])
    if env.parameter_merge_strategies:
        kwargs["parameter_merge_strategies"] = dict_display(
            [(parameter_key(k), string(v)) for k, v in env.parameter_merge_strategies.items()]
        )
    if env.encrypted_param_names:
        kwargs["encrypted_param_names"] = display(
            [parameter_key(n) for n in env.encrypted_param_names]
        )
    if not kwargs:
        return None
    return call("Environment", **kwargs)


def settings_code(settings: ResourceSettingsModel) -> Code:
    kwargs: dict[str, Code] = {}
    if settings.types:
        kwargs["types"] = dict_display([(string(k), string(v)) for k, v in settings.types])
    if settings.hooks:
        kwargs["hooks"] = display([string(h) for h in settings.hooks])
    if settings.restricted_actions:
        kwargs["restricted_actions"] = display([string(a) for a in settings.restricted_actions])
    if settings.nested:
        kwargs["nested"] = dict_display([(string(k), settings_code(v)) for k, v in settings.nested])
    return call("ResourceSettings", **kwargs)
