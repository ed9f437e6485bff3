"""The toolkit: hotdsl's cloud commands as a Python API, for CI scripts and other tools.

`hotdsl diff | deploy | destroy | outputs | events | ls` are thin layers over it, as
the AWS CDK CLI is over the CDK Toolkit Library. A `Toolkit` works on one `Target`
(which app, or which out dir synthesized earlier, goes to which stage of which cloud).
Its methods take typed options and return structured results (`hotdsl.deploy.render`
turns them into the CLI's text). They raise hotdsl's errors (`HotdslError` and its
kinds) and print nothing: progress, warnings and questions go to the `Observer` the
caller passes, so a terminal prints them and a CI script may collect them.

The app is synthesized once per toolkit, on first use: a diff and the deploy after it
use the same files. An out dir from elsewhere (`Target.from_dir`) may come from a pull
request: its secrets are read only where the deployer allows
(`hotdsl.deploy.plan.SecretSources`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from hotdsl.deploy.diff import StackDiff, diff_stack
from hotdsl.deploy.engine import DeployEngine, DeploySettings, DestroyTarget, StackOutcome
from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.imports import (
    DeployedOutputs,
    MissingOutputError,
    fill_imports,
    stack_outputs,
)
from hotdsl.deploy.plan import DeployOptions as RequestOptions
from hotdsl.deploy.plan import (
    SecretSources,
    StackRequest,
    check_overrides,
    load_manifest,
    register_readable_secrets,
    stack_request,
)
from hotdsl.errors import HotdslError
from hotdsl.secrets import mask_data
from hotdsl.synth.manifest import Manifest

__all__ = [
    "DeployOptions",
    "DestroyOptions",
    "DiffOptions",
    "DiffResult",
    "MissingOutputError",
    "NotApproved",
    "Observer",
    "Outcomes",
    "Question",
    "Recorder",
    "StackEvents",
    "StackStatus",
    "Synthesized",
    "Target",
    "Toolkit",
]


# --- options ---------------------------------------------------------------------------


def _at_least_one(_: object, field: attrs.Attribute[Any], value: int | None) -> None:
    """A count or a number of minutes below one is the caller's mistake, said as such."""
    if value is not None and value < 1:
        raise HotdslError(f"{field.name} must be at least 1, not {value}")


@attrs.frozen(kw_only=True)
class Target:
    """Which app goes to which stage of which cloud: what every command shares."""

    app: str | None = None
    """`FILE.py[:ATTR]` or `MODULE[:ATTR]`; None: the project's `[tool.hotdsl] app`."""
    out: Path | None = None
    """Out dir of the synth that runs first (default: the project's, else `hot.out`)."""
    stage: str | None = None
    """Deploy this stage's environment files (and stack names)."""
    cloud: str | None = None
    """clouds.yaml entry; None: `OS_CLOUD`, an openrc's `OS_*`, then `[tool.hotdsl] cloud`."""
    region: str | None = None
    """The cloud's region to use (default: the cloud's own)."""
    heat: str | None = None
    """The Heat release synth checks against (default: `[tool.hotdsl] heat`)."""
    from_dir: Path | None = None
    """Use this out dir, synthesized earlier, instead of synthesizing."""
    allow_secret_dirs: tuple[Path, ...] = ()
    """With `from_dir`: folders its secrets may also be read from."""
    allow_secret_envs: frozenset[str] = frozenset()
    """With `from_dir`: credential variables its secrets may be read from."""
    project: Path = Path()
    """The project folder (default: the working directory): the app and `[tool.hotdsl]` are
    found from here, and relative paths (out dir, secret files, ...) are read here."""


@attrs.frozen(kw_only=True)
class DiffOptions:
    stacks: tuple[str, ...] = ()
    """The app's stacks to diff (default: all)."""
    parameters: Mapping[str, str] = attrs.field(factory=dict)
    """Overrides, `{"KEY": "VALUE"}` or `{"STACK:KEY": "VALUE"}`."""


@attrs.frozen(kw_only=True)
class DeployOptions:
    stacks: tuple[str, ...] = ()
    """The app's stacks to deploy (default: all), in dependency order."""
    parameters: Mapping[str, str] = attrs.field(factory=dict)
    """Overrides, `{"KEY": "VALUE"}` or `{"STACK:KEY": "VALUE"}`; they win over the stage."""
    environment_files: tuple[Path, ...] = ()
    """Extra environment files, applied after the stage's."""
    tags: tuple[str, ...] = ()
    timeout_mins: int | None = attrs.field(default=None, validator=_at_least_one)
    """Heat's timeout per stack (default: the stack's own, else 60)."""
    rollback: bool = True
    concurrency: int = attrs.field(default=1, validator=_at_least_one)
    """Stacks deployed at once (independent ones only)."""
    take_over: frozenset[str] = frozenset()
    """Stacks to change although hotdsl did not create them."""
    require_approval: bool = False
    """Diff first, show it (`Observer.diffs`) and ask (`Observer.confirm`) before changing anything."""
    yes: bool = False
    """Approve without asking: the diff of `require_approval`, replacing a nested stack."""


@attrs.frozen(kw_only=True)
class DestroyOptions:
    stacks: tuple[str, ...] = ()
    """The app's stacks to delete (default: all); dependents go first."""
    timeout_mins: int | None = attrs.field(default=None, validator=_at_least_one)
    take_over: frozenset[str] = frozenset()
    """Stacks to delete although hotdsl did not create them."""
    yes: bool = False
    """Delete without asking."""


# --- results ---------------------------------------------------------------------------


@attrs.frozen
class Synthesized:
    """The out dir the toolkit works from: synthesized now, or `Target.from_dir`."""

    out_dir: Path
    manifest: Manifest
    warnings: tuple[str, ...] = ()
    secret_sources: SecretSources | None = None
    """Where the secrets of an out dir from elsewhere may be read (None: where it says)."""


@attrs.frozen
class DiffResult:
    """The diff of each selected stack, in deploy order."""

    stacks: tuple[StackDiff, ...]

    @property
    def changed(self) -> bool:
        return any(not d.is_empty for d in self.stacks)

    def to_json(self) -> dict[str, Any]:
        """What `hotdsl diff --format json` prints (`DIFF_SCHEMA`): secrets masked."""
        from hotdsl.deploy.diff import DIFF_SCHEMA

        return {
            "schema": DIFF_SCHEMA,
            "changed": self.changed,
            "stacks": mask_data([d.to_json() for d in self.stacks]),
        }


@attrs.frozen
class Outcomes:
    """What a deploy or destroy did to each stack, in the order it went."""

    outcomes: tuple[StackOutcome, ...]
    planned: int
    """Stacks it meant to handle; those after a failure are not handled (`skipped`)."""
    diffs: tuple[StackDiff, ...] = ()
    """The diffs a deploy with `require_approval` showed."""

    @property
    def skipped(self) -> int:
        return self.planned - len(self.outcomes)

    @property
    def ok(self) -> bool:
        return self.skipped == 0 and all(o.ok for o in self.outcomes)

    @property
    def nothing_to_deploy(self) -> bool:
        """A deploy with `require_approval` whose diff was empty: nothing was asked or done."""
        return bool(self.diffs) and all(d.is_empty for d in self.diffs)

    def outputs(self) -> dict[str, dict[str, Any]]:
        """The outputs of each stack deployed (by its name in Heat), secrets masked."""
        found: dict[str, dict[str, Any]] = mask_data(
            {o.stack_name: o.outputs for o in self.outcomes if o.ok}
        )
        return found


@attrs.frozen
class StackStatus:
    name: str
    """The stack's name in the app."""
    heat_name: str
    status: str | None
    """Heat's status, None when the stack is not deployed."""


@attrs.frozen
class StackEvents:
    stack_name: str
    """The stack's name in Heat."""
    events: tuple[dict[str, Any], ...]
    """Heat's events, oldest first, nested stacks' included; secrets masked."""


# --- observer --------------------------------------------------------------------------


@attrs.frozen
class Question:
    """What the toolkit needs a yes to before it goes on."""

    kind: Literal["deploy", "replace-nested", "destroy"]
    text: str


class NotApproved(HotdslError):
    """The observer answered no to a `Question`: nothing was changed."""


class Observer:
    """Hears what the toolkit does; override what you need. By default it is silent and
    answers no to every question (pass `yes` in the options to approve up front).

    Deploy calls the progress methods (`say`, `event`, `stack_status`, `summary`) from
    several threads when stacks deploy concurrently.
    """

    def warning(self, message: str) -> None:
        """Something the user should know that does not stop the command."""

    def note(self, message: str) -> None:
        """Something that changes how the command works (no secret key, ...)."""

    def diffs(self, diffs: Sequence[StackDiff]) -> None:
        """The diff of a deploy with `require_approval`, before the question."""

    def confirm(self, question: Question) -> bool:
        """Whether to go on; no answers `NotApproved`."""
        return False

    def say(self, stack: str, message: str) -> None:
        """A step of one stack: creating, updating, waiting, deleted, ..."""

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        """One of Heat's events for a stack being deployed or deleted."""

    def stack_status(self, stack: str, status: str) -> None:
        """A stack's status at the latest poll."""

    def summary(self, stack: str, elapsed: float) -> None:
        """A stack's create or update is over."""


class Recorder(Observer):
    """Keeps what it hears, for a CI script or a test: `messages` holds one line each."""

    def __init__(self, *, answer: bool = False) -> None:
        self.answer = answer
        self.messages: list[str] = []
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.questions: list[Question] = []

    def warning(self, message: str) -> None:
        self.messages.append(f"warning: {message}")

    def note(self, message: str) -> None:
        self.messages.append(f"note: {message}")

    def confirm(self, question: Question) -> bool:
        self.questions.append(question)
        return self.answer

    def say(self, stack: str, message: str) -> None:
        self.messages.append(f"{stack}: {message}")

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        self.events.append((stack, dict(event)))


# --- the toolkit -----------------------------------------------------------------------


class Toolkit:
    """hotdsl's commands on one target; see the module's docstring."""

    def __init__(
        self,
        target: Target | None = None,
        observer: Observer | None = None,
        *,
        client: HeatClient | None = None,
    ) -> None:
        """`client`: talk to Heat through this client instead of connecting to the cloud."""
        self.target = target or Target()
        self.observer = observer or Observer()
        self._client = client
        self._synthesized: Synthesized | None = None

    # --- commands ------------------------------------------------------------------------

    def synth(self) -> Synthesized:
        """Synthesize the app into the out dir (or take `from_dir`) and mask its secrets.

        Every other method uses the result of the first call (calling this again
        synthesizes again).
        """
        target = self.target
        if target.from_dir is None:
            for flag, given in (
                ("--allow-secret-dir", target.allow_secret_dirs),
                ("--allow-secret-env", target.allow_secret_envs),
            ):
                if given:
                    raise HotdslError(
                        f"{flag} applies to --from only (the secrets of an app synthesized in "
                        "this run are read where its code says)"
                    )
            synthesized = self._synth_app()
        else:
            if target.heat is not None:
                raise HotdslError(
                    "--heat applies to the synth that runs first; --from uses an out dir "
                    "synthesized earlier (pass --heat to that `hotdsl synth`)"
                )
            sources = SecretSources(
                target.project, target.allow_secret_dirs, target.allow_secret_envs
            )
            out_dir = target.project / target.from_dir
            synthesized = Synthesized(out_dir, load_manifest(out_dir), secret_sources=sources)
        # Heat may quote a secret back in any answer: mask every one that can be read here.
        register_readable_secrets(synthesized.manifest, target.stage, synthesized.secret_sources)
        self._synthesized = synthesized
        return synthesized

    def diff(self, options: DiffOptions | None = None) -> DiffResult:
        """What a deploy would change, per stack; never changes a deployed stack."""
        options = options or DiffOptions()
        synthesized = self._synthesized or self.synth()
        names = self._select(synthesized.manifest, options.stacks)
        requests = self._requests(synthesized, names, options.parameters, ())
        client = self.client()
        return DiffResult(self._diffs(client, requests, self._heat_names(synthesized.manifest)))

    def deploy(self, options: DeployOptions | None = None) -> Outcomes:
        """Create or update the stacks in dependency order, following Heat's progress."""
        from hotdsl.deploy.diff import nested_form_warnings
        from hotdsl.deploy.schema import update_rule

        options = options or DeployOptions()
        for tag in options.tags:
            if "," in tag:
                raise HotdslError(f"--tag {tag!r}: a tag cannot contain a comma")
        settings = DeploySettings(
            rollback=options.rollback,
            timeout_mins=options.timeout_mins,
            tags=options.tags,
            concurrency=options.concurrency,
            take_over=options.take_over,
        )
        synthesized = self._synthesized or self.synth()
        names = self._select(synthesized.manifest, options.stacks)
        requests = self._requests(synthesized, names, options.parameters, options.environment_files)
        self._check_secret_key(requests)
        client = self.client()
        heat_names = self._heat_names(synthesized.manifest)
        _check_ownership_options(options.tags, options.take_over, names, heat_names)
        engine = DeployEngine(client, self.observer, settings, update_rule, heat_names)
        # A stack hotdsl does not own is refused before any diff or question about it.
        engine.check_ownership([(r.entry.name, r.stack_name) for r in requests], "deploy")
        diffs: tuple[StackDiff, ...] = ()
        if options.require_approval:
            diffs = self._diffs(client, requests, heat_names)
            self.observer.diffs(diffs)
            if all(d.is_empty for d in diffs):
                return Outcomes((), 0, diffs)
            self._ask(options.yes, Question("deploy", "Deploy these changes?"))
        else:
            warnings = [w for r in requests for w in nested_form_warnings(client, r)]
            for warning in warnings:
                self.observer.warning(warning)
            if warnings:
                self._ask(options.yes, Question("replace-nested", "Replace these nested stacks?"))
        return Outcomes(tuple(engine.deploy(requests)), len(requests), diffs)

    def destroy(self, options: DestroyOptions | None = None) -> Outcomes:
        """Delete the stacks, dependents first, and wait until Heat is done.

        Refused when a deployed stack outside the selection takes outputs of a selected one.
        """
        options = options or DestroyOptions()
        settings = DeploySettings(timeout_mins=options.timeout_mins, take_over=options.take_over)
        manifest = (self._synthesized or self.synth()).manifest
        names = self._select(manifest, options.stacks)
        heat_names = self._heat_names(manifest)
        _check_ownership_options((), options.take_over, names, heat_names)
        targets = [
            DestroyTarget(
                name,
                heat_names[name],
                tuple(e.name for e in manifest.stacks if name in e.depends_on),
            )
            for name in reversed(names)
        ]
        question = f"Delete {', '.join(t.heat_name for t in targets)}?"
        self._ask(options.yes, Question("destroy", question))
        engine = DeployEngine(self.client(), self.observer, settings, heat_names=heat_names)
        return Outcomes(tuple(engine.destroy(targets)), len(targets))

    def outputs(self, stacks: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
        """The deployed outputs of the stacks (by name in Heat), secrets masked."""
        manifest = (self._synthesized or self.synth()).manifest
        heat_names = self._heat_names(manifest)
        client = self.client()
        found: dict[str, dict[str, Any]] = {}
        for name in self._select(manifest, stacks):
            ref = client.find_stack(heat_names[name])
            if ref is None:
                raise HotdslError(f"stack {heat_names[name]} is not deployed")
            found[heat_names[name]] = stack_outputs(client.get_stack(ref))
        masked: dict[str, dict[str, Any]] = mask_data(found)
        return masked

    def events(self, stack: str, *, nested_depth: int = 5) -> StackEvents:
        """A deployed stack's events, oldest first, with its nested stacks' this deep."""
        manifest = (self._synthesized or self.synth()).manifest
        self._select(manifest, [stack])
        heat_name = self._heat_names(manifest)[stack]
        client = self.client()
        ref = client.find_stack(heat_name)
        if ref is None:
            raise HotdslError(f"stack {heat_name} is not deployed")
        events = [mask_data(e) for e in client.events(ref, nested_depth=nested_depth)]
        return StackEvents(heat_name, tuple(events))

    def list_stacks(self) -> list[StackStatus]:
        """The app's stacks with their status in Heat, in deploy order."""
        manifest = (self._synthesized or self.synth()).manifest
        heat_names = self._heat_names(manifest)
        client = self.client()
        found = []
        for entry in manifest.stacks:
            ref = client.find_stack(heat_names[entry.name])
            found.append(
                StackStatus(entry.name, heat_names[entry.name], ref.status if ref else None)
            )
        return found

    def client(self) -> HeatClient:
        """The Heat client of the target's cloud, connected on first use."""
        if self._client is None:
            from hotdsl.deploy.connection import connect
            from hotdsl.project import find_config

            target = self.target
            config = find_config(target.project.resolve()) if target.cloud is None else None
            connection = connect(
                target.cloud,
                region=target.region,
                project_cloud=config.cloud if config is not None else None,
            )
            self._client = HeatClient(connection)
        return self._client

    # --- the pieces ----------------------------------------------------------------------

    def _synth_app(self) -> Synthesized:
        from hotdsl.project import load_app, resolve_app_reference, target_release
        from hotdsl.synth import synth

        target = self.target
        reference, root, config = resolve_app_reference(target.app, target.project.resolve())
        release = target_release(target.heat, config)
        if target.out is not None:
            out_dir = target.project / target.out
        else:
            out_dir = config.root / config.out if config else target.project / "hot.out"
        stages = [target.stage] if target.stage else None
        result, manifest = synth(load_app(reference, root), out_dir, stages, release)
        warnings = tuple(str(w) for w in result.warnings)
        for warning in warnings:
            self.observer.warning(warning)
        return Synthesized(out_dir, manifest, warnings)

    def _select(self, manifest: Manifest, stacks: Sequence[str]) -> list[str]:
        """The chosen stacks in deploy order (all without a choice); an unknown one is an error."""
        names = [s.name for s in manifest.stacks]
        unknown = [s for s in stacks if s not in names]
        if unknown:
            raise HotdslError(
                f"no stack named {', '.join(unknown)}; the app's stacks: {', '.join(names)}"
            )
        return [n for n in names if n in stacks] if stacks else names

    def _heat_names(self, manifest: Manifest) -> dict[str, str]:
        """The app's stack names -> their names in Heat for the target's stage."""
        stage = self.target.stage
        names = {}
        for entry in manifest.stacks:
            if stage is not None and stage not in entry.stages:
                raise HotdslError(f"stack {entry.name} has no stage {stage!r}")
            names[entry.name] = entry.stages[stage].stack_name if stage else entry.name
        return names

    def _requests(
        self,
        synthesized: Synthesized,
        names: list[str],
        parameters: Mapping[str, str],
        environments: Sequence[Path],
    ) -> list[StackRequest]:
        check_overrides(synthesized.manifest, parameters)
        options = RequestOptions(
            stage=self.target.stage,
            parameters=dict(parameters),
            environment_files=[self.target.project / path for path in environments],
            secret_sources=synthesized.secret_sources,
        )
        return [
            stack_request(synthesized.out_dir, entry, options)
            for entry in synthesized.manifest.stacks
            if entry.name in names
        ]

    def _diffs(
        self, client: HeatClient, requests: Sequence[StackRequest], heat_names: Mapping[str, str]
    ) -> tuple[StackDiff, ...]:
        """Each stack's diff; cross-stack parameters take the producing stacks' deployed
        outputs, or are left out when the producer is among `requests` and lacks them."""
        from hotdsl.deploy.schema import update_rule

        outputs = DeployedOutputs(client, heat_names)
        selected = {r.entry.name for r in requests}
        diffs = []
        for request in requests:
            filled = fill_imports(request, outputs, deployed_later=selected)
            deployed = client.find_stack(filled.stack_name)
            diffs.append(diff_stack(client, filled, deployed, update_rule))
        return tuple(diffs)

    def _check_secret_key(self, requests: Sequence[StackRequest]) -> None:
        """The key for digests of hidden values, found or created before anything is deployed."""
        from hotdsl.deploy.hidden import hidden_values
        from hotdsl.deploy.secret_key import KEY_VARIABLE, find_or_create_key, key_file

        if any(hidden_values(r) for r in requests) and find_or_create_key() is None:
            self.observer.note(
                f"no secret key ({KEY_VARIABLE} is not set and {key_file()} cannot be "
                "written): stacks with hidden parameters are updated on every deploy"
            )

    def _ask(self, yes: bool, question: Question) -> None:
        if not yes and not self.observer.confirm(question):
            raise NotApproved(f"not approved: {question.text}")


def _check_ownership_options(
    tags: Sequence[str], take_over: frozenset[str], names: list[str], heat_names: dict[str, str]
) -> None:
    """No tag forges hotdsl's marks; every take-over names a stack of this command."""
    from hotdsl.deploy.ownership import check_user_tag

    for tag in tags:
        check_user_tag(tag)
    known = {*names, *(heat_names[n] for n in names)}
    for name in sorted(take_over):
        if name not in known:
            shown = ", ".join(heat_names[n] for n in names)
            raise HotdslError(f"--take-over {name}: not a stack of this command ({shown})")
