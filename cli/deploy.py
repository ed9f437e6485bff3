"""`hotdsl diff | deploy | destroy | outputs | events | ls`: the app against a cloud's Heat.

Each command synthesizes the app first (as `hotdsl synth` would, into the out dir,
checked against the same Heat release), unless `--from DIR` names an out dir
synthesized earlier (a CI job that reviews the synth output and then deploys exactly
that). Such an out dir may come from a pull request: its secrets are read only where
the deployer allows (`hotdsl.deploy.plan.SecretSources`). The engine lives in
`hotdsl.deploy`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hotdsl.cli.synth import APP_OPTION, HEAT_OPTION
from hotdsl.errors import HotdslError

if TYPE_CHECKING:
    from hotdsl.deploy.diff import StackDiff
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.deploy.plan import SecretSources, StackRequest
    from hotdsl.synth.manifest import Manifest

CLOUD_OPTION = typer.Option(
    None, "--cloud", help="clouds.yaml entry (default: OS_CLOUD, then OS_* variables)."
)
STAGE_OPTION = typer.Option(
    None, "--stage", "-s", help="Deploy this stage's environment (and stack names)."
)
OUT_OPTION = typer.Option(
    None, "--out", "-o", help="Out dir for the synth that runs first (default: hot.out/)."
)
FROM_OPTION = typer.Option(
    None, "--from", help="Use this already synthesized out dir instead of synthesizing."
)
ALLOW_SECRET_DIR_OPTION = typer.Option(
    [],
    "--allow-secret-dir",
    metavar="DIR",
    help="With --from: the manifest's secrets may also be read from files in DIR (repeatable); "
    "otherwise only from files inside the working directory.",
)
ALLOW_SECRET_ENV_OPTION = typer.Option(
    [],
    "--allow-secret-env",
    metavar="NAME",
    help="With --from: the manifest's secrets may be read from this credential variable "
    "(OS_*, CI tokens, ...), which is refused otherwise (repeatable).",
)
STACKS_ARGUMENT = typer.Argument(None, help="Stack names (default: all stacks of the app).")
TAKE_OVER_OPTION = typer.Option(
    [],
    "--take-over",
    metavar="STACK",
    help="Change or delete this existing stack although hotdsl did not create it (repeatable).",
)


def _out_dir(
    app: str | None,
    out: Path | None,
    from_dir: Path | None,
    stage: str | None,
    heat: str | None,
    allow_secret_dirs: list[Path],
    allow_secret_envs: list[str],
) -> tuple[Path, SecretSources | None]:
    """The out dir to work from (synthesized now, or `--from`) and, for `--from`, where its
    secrets may be read; the readable secrets are masked from here on."""
    from hotdsl.deploy.plan import SecretSources

    if from_dir is None:
        for flag, given in (
            ("--allow-secret-dir", allow_secret_dirs),
            ("--allow-secret-env", allow_secret_envs),
        ):
            if given:
                raise HotdslError(
                    f"{flag} applies to --from only (the secrets of an app synthesized in this "
                    "run are read where its code says)"
                )
        out_dir, sources = _synth(app, out, stage, heat), None
    else:
        if heat is not None:
            raise HotdslError(
                "--heat applies to the synth that runs first; --from uses an out dir synthesized "
                "earlier (pass --heat to that `hotdsl synth`)"
            )
        out_dir = from_dir
        sources = SecretSources(Path.cwd(), tuple(allow_secret_dirs), frozenset(allow_secret_envs))
    _mask_secrets(out_dir, stage, sources)
    return out_dir, sources


def _synth(app: str | None, out: Path | None, stage: str | None, heat: str | None) -> Path:
    from hotdsl.cli.synth import target_release
    from hotdsl.project import load_app, resolve_app_reference
    from hotdsl.synth import synth

    reference, root, config = resolve_app_reference(app, Path.cwd())
    release = target_release(heat, config)
    out_dir = out if out is not None else (config.root / config.out if config else Path("hot.out"))
    result, _ = synth(load_app(reference, root), out_dir, [stage] if stage else None, release)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return out_dir


def _mask_secrets(out_dir: Path, stage: str | None, sources: SecretSources | None) -> None:
    """Heat may quote a secret back in any answer: mask every one that can be read here."""
    from hotdsl.deploy.plan import load_manifest, register_readable_secrets

    try:
        manifest = load_manifest(out_dir)
    except (HotdslError, OSError, ValueError, KeyError):
        return  # the command itself reports what is wrong with the out dir
    register_readable_secrets(manifest, stage, sources)


def _select(manifest: Manifest, stacks: list[str] | None) -> list[str]:
    names = [s.name for s in manifest.stacks]
    if not stacks:
        return names
    unknown = [s for s in stacks if s not in names]
    if unknown:
        raise HotdslError(
            f"no stack named {', '.join(unknown)}; the app's stacks: {', '.join(names)}"
        )
    return [n for n in names if n in stacks]


def _client(cloud: str | None) -> HeatClient:
    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.heat import HeatClient

    return HeatClient(connect(cloud))


def _requests(
    out_dir: Path,
    names: list[str],
    stage: str | None,
    parameters: list[str],
    environments: list[Path],
    secret_sources: SecretSources | None,
) -> list[StackRequest]:
    from hotdsl.deploy.plan import (
        DeployOptions,
        check_overrides,
        load_manifest,
        parse_parameter_overrides,
        stack_request,
    )

    manifest = load_manifest(out_dir)
    overrides = parse_parameter_overrides(parameters)
    check_overrides(manifest, overrides)
    options = DeployOptions(
        stage=stage,
        parameters=overrides,
        environment_files=environments,
        secret_sources=secret_sources,
    )
    return [
        stack_request(out_dir, entry, options) for entry in manifest.stacks if entry.name in names
    ]


def diff(
    stacks: list[str] | None = STACKS_ARGUMENT,
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
    parameter: list[str] = typer.Option(
        [], "--parameter", "-p", help="KEY=VALUE or STACK:KEY=VALUE."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable diff."),
    fail: bool = typer.Option(
        False, "--fail", help="Exit 1 when there are differences (a CI gate)."
    ),
) -> None:
    """Show what a deploy would change; never changes a deployed stack."""
    from hotdsl.deploy.plan import load_manifest
    from hotdsl.secrets import mask_data

    out_dir, sources = _out_dir(app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env)
    manifest = load_manifest(out_dir)
    names = _select(manifest, stacks)
    client = _client(cloud)
    heat_names = {e.name: _heat_name(manifest, e.name, stage) for e in manifest.stacks}
    diffs = compute_diffs(
        client, _requests(out_dir, names, stage, parameter, [], sources), heat_names
    )
    if as_json:
        stacks = mask_data([d.to_json() for d in diffs])
        typer.echo(json.dumps({"stacks": stacks}, indent=2, default=str))
    else:
        for item in diffs:
            typer.echo(render_diff(item))
    if fail and any(not d.is_empty for d in diffs):
        raise typer.Exit(1)


def compute_diffs(
    client: HeatClient, requests: list[StackRequest], heat_names: dict[str, str]
) -> list[StackDiff]:
    """Diff each stack; cross-stack parameters take the deployed outputs of their source stacks.

    `heat_names` maps the app's stack names to the names deployed in Heat (stages may prefix them).
    """
    from hotdsl.deploy.diff import diff_stack
    from hotdsl.deploy.engine import parameter_value
    from hotdsl.deploy.schema import update_rule

    diffs = []
    outputs: dict[str, dict[str, Any]] = {}
    for request in requests:
        values = {}
        for item in request.entry.imports:
            if item.stack not in outputs:
                source = client.find_stack(heat_names.get(item.stack, item.stack))
                outputs[item.stack] = {
                    o["output_key"]: o.get("output_value")
                    for o in (source.outputs if source else ())
                }
            if item.output in outputs[item.stack]:
                values[item.parameter] = parameter_value(
                    outputs[item.stack][item.output], item.type
                )
        if values:
            request = request.with_parameters(values)
        diffs.append(
            diff_stack(client, request, client.find_stack(request.stack_name), update_rule)
        )
    return diffs


def render_diff(item: StackDiff) -> str:
    """A diff as people read it: one block per stack, one line per change."""
    if not item.exists:
        lines = [f"Stack {item.stack_name}: new, {len(item.resources)} resources to create"]
        lines += [f"  [+] {r.name} ({r.type})" for r in item.resources]
        return "\n".join(lines)
    owner = [f"  note: {item.not_owned}"] if item.not_owned else []
    if item.is_empty:
        return "\n".join([f"Stack {item.stack_name}: no differences", *owner])
    lines = [f"Stack {item.stack_name}", *owner]
    marks = {"add": "[+]", "remove": "[-]", "update": "[~]", "replace": "[!]", "unchanged": "[ ]"}
    if item.resources:
        lines.append("  Resources")
        for resource in item.resources:
            note = ""
            if resource.action == "replace":
                note = " will be REPLACED: " + "; ".join(resource.reasons)
            elif resource.reasons:
                note = " " + "; ".join(resource.reasons)
            lines.append(f"    {marks[resource.action]} {resource.name} ({resource.type}){note}")
            for change in resource.changes:
                lines.append(f"        {_change_text(change)}")
    for key, nested in item.nested:
        lines.append(f"  Nested template {key}")
        for resource in nested:
            note = (
                " will be REPLACED: " + "; ".join(resource.reasons)
                if resource.action == "replace"
                else ""
            )
            lines.append(f"    {marks[resource.action]} {resource.name} ({resource.type}){note}")
            lines += [f"        {_change_text(change)}" for change in resource.changes]
    for title, changes in (
        ("Parameters", item.parameters),
        ("Template", item.template),
        ("Environment", item.environment),
        ("Files", item.files),
    ):
        if changes:
            lines.append(f"  {title}")
            lines += [f"    {_change_text(c)}" for c in changes]
    if item.preview_error:
        lines.append(f"  Heat's update preview failed: {item.preview_error}")
    return "\n".join(lines)


def _change_text(change: Any) -> str:
    from hotdsl.deploy.diff import MISSING
    from hotdsl.secrets import mask

    def show(value: Any) -> str:
        text = mask(json.dumps(value, default=str, ensure_ascii=False))  # before cutting it short
        return text if len(text) <= 120 else text[:117] + "..."

    if change.note is not None:
        return f"{change.path}: {change.note}"
    if change.old is MISSING:
        return f"{change.path}: (added) {show(change.new)}"
    if change.new is MISSING:
        return f"{change.path}: (removed, was {show(change.old)})"
    if change.old == change.new:
        return f"{change.path}: {show(change.new)} (changed)"
    return f"{change.path}: {show(change.old)} -> {show(change.new)}"


def deploy(
    stacks: list[str] | None = STACKS_ARGUMENT,
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
    parameter: list[str] = typer.Option(
        [], "--parameter", "-p", help="KEY=VALUE or STACK:KEY=VALUE (wins over the stage)."
    ),
    environment: list[Path] = typer.Option(
        [], "--environment", "-e", help="Extra environment file, applied after the stage's."
    ),
    tag: list[str] = typer.Option([], "--tag", help="Stack tag (repeatable)."),
    timeout: int | None = typer.Option(
        None,
        "--timeout",
        min=1,
        help="Heat's timeout per stack, in minutes (default: the stack's own, else 60); "
        "deploy stops following a stack 5 minutes after it.",
    ),
    rollback: bool = typer.Option(
        True, "--rollback/--no-rollback", help="Let Heat roll back a failed create or update."
    ),
    concurrency: int = typer.Option(
        1, "--concurrency", min=1, help="Stacks deployed at once (independent ones only)."
    ),
    take_over: list[str] = TAKE_OVER_OPTION,
    require_approval: bool = typer.Option(
        False, "--require-approval", help="Show the diff and ask before changing anything."
    ),
    yes: bool = typer.Option(
        False,
        "--yes",
        "-y",
        help="Answer yes to --require-approval and to replacing a nested stack (for CI).",
    ),
    outputs_file: Path | None = typer.Option(
        None, "--outputs-file", help="Write every stack's outputs here as JSON."
    ),
) -> None:
    """Create or update the app's stacks in dependency order, following Heat's progress."""
    from hotdsl.deploy.engine import DeployEngine, DeploySettings, outputs_json
    from hotdsl.deploy.plan import load_manifest
    from hotdsl.deploy.progress import Progress
    from hotdsl.deploy.schema import update_rule

    for item in tag:
        if "," in item:
            raise HotdslError(f"--tag {item!r}: a tag cannot contain a comma")
    out_dir, sources = _out_dir(app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env)
    manifest = load_manifest(out_dir)
    names = _select(manifest, stacks)
    requests = _requests(out_dir, names, stage, parameter, environment, sources)
    _check_secret_key(requests)
    client = _client(cloud)
    heat_names = {e.name: _heat_name(manifest, e.name, stage) for e in manifest.stacks}
    _check_ownership_options(tag, take_over, names, heat_names)
    settings = DeploySettings(
        rollback=rollback,
        timeout_mins=timeout,
        tags=tuple(tag),
        concurrency=concurrency,
        take_over=frozenset(take_over),
    )
    progress = Progress()
    engine = DeployEngine(client, progress, settings, update_rule, heat_names)
    # A stack hotdsl does not own is refused before any diff or question about it.
    engine.check_ownership([(r.entry.name, r.stack_name) for r in requests], "deploy")
    if require_approval:
        diffs = compute_diffs(client, requests, heat_names)
        for stack_diff in diffs:
            typer.echo(render_diff(stack_diff))
        if all(d.is_empty for d in diffs):
            typer.echo("nothing to deploy")
            return
        if not yes:
            if not sys.stdin.isatty():
                raise HotdslError(
                    "--require-approval needs a terminal to ask on; pass --yes to approve in CI"
                )
            if not typer.confirm("Deploy these changes?", default=False):
                raise typer.Exit(1)
    else:
        _approve_nested_replacements(client, requests, yes)
    try:
        outcomes = engine.deploy(requests)
    finally:
        progress.close()
    if outputs_file is not None:
        outputs_file.write_text(outputs_json(outcomes), encoding="utf-8")
    report(outcomes, len(requests))


def _check_secret_key(requests: list[StackRequest]) -> None:
    """The key for digests of hidden values, found or created before anything is deployed."""
    from hotdsl.deploy.hidden import hidden_values
    from hotdsl.deploy.secret_key import KEY_VARIABLE, find_or_create_key, key_file

    if any(hidden_values(r) for r in requests) and find_or_create_key() is None:
        typer.echo(
            f"note: no secret key ({KEY_VARIABLE} is not set and {key_file()} cannot be "
            "written): stacks with hidden parameters are updated on every deploy",
            err=True,
        )


def _approve_nested_replacements(
    client: HeatClient, requests: list[StackRequest], yes: bool
) -> None:
    """A nested stack whose form changes (OS::Heat::Stack <-> template resource) is replaced
    whole: say so, and go on only when the user agrees (or passed --yes)."""
    from hotdsl.deploy.diff import nested_form_warnings

    warnings = [w for request in requests for w in nested_form_warnings(client, request)]
    if not warnings:
        return
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if yes:
        return
    if not sys.stdin.isatty():
        raise HotdslError(
            "this deploy replaces a nested stack and all its resources (see above); "
            "pass --yes to approve, or run `hotdsl diff` to review first"
        )
    if not typer.confirm("Replace these nested stacks?", default=False):
        raise typer.Exit(1)


def report(outcomes: list[Any], planned: int) -> None:
    failed = [o for o in outcomes if not o.ok]
    for outcome in outcomes:
        line = (
            f"{outcome.stack_name}: {outcome.outcome} ({outcome.status}, {outcome.elapsed:.1f} s)"
        )
        typer.echo(line, err=not outcome.ok)
        if outcome.reason:
            typer.echo(f"  Heat: {outcome.reason}", err=True)
        for failure in outcome.failures:
            typer.echo(f"  failed: {failure}", err=True)
        if outcome.advice:
            typer.echo(f"  {outcome.advice}", err=True)
    skipped = planned - len(outcomes)
    if skipped:
        typer.echo(f"{skipped} stack(s) not deployed because an earlier stack failed", err=True)
    if failed or skipped:
        raise typer.Exit(1)


def destroy(
    stacks: list[str] | None = STACKS_ARGUMENT,
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    timeout: int | None = typer.Option(
        None,
        "--timeout",
        min=1,
        help="Minutes a delete may take (default: the stack's timeout, else 60); "
        "destroy stops following a stack 5 minutes after it.",
    ),
    take_over: list[str] = TAKE_OVER_OPTION,
) -> None:
    """Delete the app's stacks, dependents first, and wait until Heat is done.

    Refused when a deployed stack outside the selection takes outputs of a selected one.
    """
    from hotdsl.deploy.engine import DeployEngine, DeploySettings, DestroyTarget
    from hotdsl.deploy.plan import load_manifest
    from hotdsl.deploy.progress import Progress

    out_dir, _sources = _out_dir(
        app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env
    )
    manifest = load_manifest(out_dir)
    names = _select(manifest, stacks)
    heat_names = {e.name: _heat_name(manifest, e.name, stage) for e in manifest.stacks}
    _check_ownership_options([], take_over, names, heat_names)
    targets = [
        DestroyTarget(
            name,
            heat_names[name],
            tuple(e.name for e in manifest.stacks if name in e.depends_on),
        )
        for name in reversed(names)
    ]
    if not yes:
        if not sys.stdin.isatty():
            raise HotdslError(
                "destroy asks for confirmation; pass --yes to confirm without a terminal"
            )
        if not typer.confirm(f"Delete {', '.join(t.heat_name for t in targets)}?", default=False):
            raise typer.Exit(1)
    progress = Progress()
    settings = DeploySettings(timeout_mins=timeout, take_over=frozenset(take_over))
    engine = DeployEngine(_client(cloud), progress, settings, heat_names=heat_names)
    try:
        outcomes = engine.destroy(targets)
    finally:
        progress.close()
    report(outcomes, len(targets))


def _check_ownership_options(
    tags: list[str], take_over: list[str], names: list[str], heat_names: dict[str, str]
) -> None:
    """No --tag forges hotdsl's marks; every --take-over names a stack of this command."""
    from hotdsl.deploy.ownership import check_user_tag

    for tag in tags:
        check_user_tag(tag)
    known = {*names, *(heat_names[n] for n in names)}
    for name in take_over:
        if name not in known:
            shown = ", ".join(heat_names[n] for n in names)
            raise HotdslError(f"--take-over {name}: not a stack of this command ({shown})")


def _heat_name(manifest: Manifest, name: str, stage: str | None) -> str:
    _select(manifest, [name])  # an unknown name: a short error listing the app's stacks
    entry = manifest.stack(name)
    if stage is None:
        return entry.name
    if stage not in entry.stages:
        raise HotdslError(f"stack {name} has no stage {stage!r}")
    return entry.stages[stage].stack_name


def outputs(
    stacks: list[str] | None = STACKS_ARGUMENT,
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """Print the deployed outputs of the app's stacks."""
    from hotdsl.deploy.plan import load_manifest
    from hotdsl.secrets import mask_data

    out_dir, _sources = _out_dir(
        app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env
    )
    manifest = load_manifest(out_dir)
    client = _client(cloud)
    found: dict[str, dict[str, Any]] = {}
    for name in _select(manifest, stacks):
        heat_name = _heat_name(manifest, name, stage)
        ref = client.find_stack(heat_name)
        if ref is None:
            raise HotdslError(f"stack {heat_name} is not deployed")
        found[heat_name] = {
            o["output_key"]: o.get("output_value") for o in client.get_stack(ref).outputs
        }
    found = mask_data(found)
    if as_json:
        typer.echo(json.dumps(found, indent=2, sort_keys=True, default=str))
        return
    for heat_name, values in found.items():
        typer.echo(heat_name)
        width = max((len(k) for k in values), default=0)
        for key, value in sorted(values.items()):
            shown = value if isinstance(value, str) else json.dumps(value, default=str)
            typer.echo(f"  {key.ljust(width)}  {shown}")


def events(
    stack: str = typer.Argument(..., help="Stack name (as in the app)."),
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
    nested_depth: int = typer.Option(
        5, "--nested-depth", help="Include events of nested stacks this deep."
    ),
) -> None:
    """Print a deployed stack's events, oldest first."""
    from hotdsl.deploy.plan import load_manifest
    from hotdsl.deploy.progress import Progress

    out_dir, _sources = _out_dir(
        app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env
    )
    heat_name = _heat_name(load_manifest(out_dir), stack, stage)
    client = _client(cloud)
    ref = client.find_stack(heat_name)
    if ref is None:
        raise HotdslError(f"stack {heat_name} is not deployed")
    progress = Progress(live=False)
    for event in client.events(ref, nested_depth=nested_depth):
        progress.event(heat_name, event)


def ls(
    app: str | None = APP_OPTION,
    stage: str | None = STAGE_OPTION,
    cloud: str | None = CLOUD_OPTION,
    out: Path | None = OUT_OPTION,
    from_dir: Path | None = FROM_OPTION,
    heat: str | None = HEAT_OPTION,
    allow_secret_dir: list[Path] = ALLOW_SECRET_DIR_OPTION,
    allow_secret_env: list[str] = ALLOW_SECRET_ENV_OPTION,
) -> None:
    """List the app's stacks with their deployed status."""
    from hotdsl.deploy.plan import load_manifest

    out_dir, _sources = _out_dir(
        app, out, from_dir, stage, heat, allow_secret_dir, allow_secret_env
    )
    manifest = load_manifest(out_dir)
    client = _client(cloud)
    for entry in manifest.stacks:
        heat_name = _heat_name(manifest, entry.name, stage)
        ref = client.find_stack(heat_name)
        typer.echo(f"{heat_name}\t{ref.status if ref else 'NOT DEPLOYED'}")
