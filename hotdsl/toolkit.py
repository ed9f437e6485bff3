"""The toolkit: hotdsl's cloud commands as a Python API, for CI scripts and other tools.

`hotdsl diff | deploy | destroy | outputs | events | ls` are thin layers over it, as
the AWS CDK CLI is over the CDK Toolkit Library. A `Toolkit` works on one `Target`
(which app, or which out dir synthesized earlier, goes to which stage of which cloud).
Its methods take typed options and return structured results (`hotdsl.deploy.render`
turns them into the CLI's text). They raise hotdsl's errors (`HotdslError` and its
kinds) and print nothing: progress, warnings and questions go to the `Observer` the
caller passes, so a terminal prints them and a CI script may collect them.

The app is synthesized once per toolkit, on first use: a diff and the deploy after it
use the same files. `Toolkit.per_stage` makes one toolkit per stage over one synth.
Each stack goes to the cloud and region the app names for it, else the target's
(`hotdsl.placement` has the rules); a stack's cross-stack values are read from the
producing stack's own cloud. A diff may also save a plan (`DiffOptions.plan`,
`hotdsl.deploy.saved_plan`) that a later deploy sends exactly, or refuses when the
stacks moved since (`DeployOptions.plan`); such a deploy does not synthesize. An out
dir from elsewhere (`Target.from_dir`) may come from a pull
request: its secrets are read only where the deployer allows
(`hotdsl.deploy.plan.SecretSources`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import attrs

from hotdsl.deploy.diff import StackDiff, diff_stack
from hotdsl.deploy.engine import (
    NESTED_DEPTH,
    DeployEngine,
    DeploySettings,
    DestroyTarget,
    EventMarker,
    StackOutcome,
    stack_events,
)
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
from hotdsl.deploy.progress import EventPaths
from hotdsl.deploy.saved_plan import Plan, PlanOutdated, deployed_state, planned_stack
from hotdsl.errors import HotdslError
from hotdsl.placement import Placement, runs_by_place
from hotdsl.project import APPROVAL_LEVELS
from hotdsl.secrets import mask_data
from hotdsl.synth.manifest import Manifest

__all__ = [
    "ApprovalLevel",
    "DeployOptions",
    "DestroyOptions",
    "DiffOptions",
    "DiffResult",
    "MissingOutputError",
    "NotApproved",
    "Observer",
    "Outcomes",
    "Plan",
    "PlanOutdated",
    "Question",
    "Recorder",
    "StackEvents",
    "StackStatus",
    "Synthesized",
    "Target",
    "Toolkit",
]


# --- options ---------------------------------------------------------------------------

ApprovalLevel = Literal["never", "any-change", "replacement"]
"""When a deploy asks first: never; on any change; only when a resource is replaced or
removed, or a change is risky (`hotdsl.deploy.risk`)."""


def _at_least_one(_: object, field: attrs.Attribute[Any], value: int | None) -> None:
    """A count or a number of minutes below one is the caller's mistake, said as such."""
    if value is not None and value < 1:
        raise HotdslError(f"{field.name} must be at least 1, not {value}")


def _approval_level(_: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, bool) and value not in APPROVAL_LEVELS:
        levels = ", ".join(APPROVAL_LEVELS)
        raise HotdslError(f"{field.name} must be one of {levels}, not {value!r}")


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
    """clouds.yaml entry for the stacks the app names no cloud for; None: `OS_CLOUD`, an
    openrc's `OS_*`, then `[tool.hotdsl] cloud`. Naming another cloud than the app is an error."""
    region: str | None = None
    """The region for the stacks the app names no region for (default: the cloud's own)."""
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
    plan: bool = False
    """Also make a plan (`DiffResult.plan`): what a deploy of it sends, and the state it saw."""


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
    require_approval: ApprovalLevel | bool | None = attrs.field(
        default=None, validator=_approval_level
    )
    """Unless "never", diff first, show it (`Observer.diffs`) and ask (`Observer.confirm`)
    before changing anything: on any change, or only for a "replacement" (or removal, or
    a risky change). None: the project's `[tool.hotdsl] require_approval`, else "never";
    True means "any-change"."""
    yes: bool = False
    """Approve without asking: the diff of `require_approval`, replacing a nested stack."""
    plan: Plan | None = None
    """Deploy this saved plan's content (`Plan.load`) instead of synthesizing, or refuse
    (`PlanOutdated`) when a stack moved since it was made."""


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
    plan: Plan | None = None
    """With `DiffOptions.plan`: the plan of this diff (`Plan.write` saves it)."""

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

    def to_json(self) -> dict[str, Any]:
        """One stack of `hotdsl ls --json`."""
        return {"name": self.name, "heat_name": self.heat_name, "status": self.status}


@attrs.frozen
class StackEvents:
    stack_name: str
    """The stack's name in Heat."""
    events: tuple[dict[str, Any], ...]
    """Heat's events, oldest first, nested stacks' included; secrets masked."""
    status: str = ""
    """The stack's status when the listing (or following) ended."""

    def to_json(self) -> dict[str, Any]:
        """What `hotdsl events --json` prints: the same fields for every event, whatever
        else Heat's answer holds, each event named by its path in the nested stacks."""
        paths = EventPaths(self.stack_name)
        events = []
        for event in self.events:
            path = paths.label(event)
            events.append(
                {
                    "id": event.get("id"),
                    "time": event.get("event_time"),
                    "path": path if path is not None else event.get("resource_name"),
                    "status": event.get("resource_status"),
                    "reason": event.get("resource_status_reason") or "",
                    "physical_resource_id": event.get("physical_resource_id"),
                    "nested_stack_event": path is None,
                }
            )
        return {"stack": self.stack_name, "status": self.status, "events": events}


# --- observer --------------------------------------------------------------------------


@attrs.frozen
class Question:
    """What the toolkit needs a yes to before it goes on."""

    kind: Literal["deploy", "replace-nested", "destroy"]
    text: str
    details: tuple[str, ...] = ()
    """What needs the yes, one line each (`STACK: replace NAME`, risks with their reasons)."""


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
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`client`: talk to Heat through this client instead of connecting to the cloud;
        `clock` and `sleep`: time as following Heat sees it (a test passes its own)."""
        self.target = target or Target()
        self.observer = observer or Observer()
        self._client = client
        self.clock = clock
        self.sleep = sleep
        self._clients: dict[Placement, HeatClient] = {}
        self._planned: tuple[Manifest, dict[str, str]] | None = None
        """A saved plan's stacks and names in Heat, when deploying one: no synth."""
        self._synthesized: Synthesized | None = None

    @classmethod
    def per_stage(
        cls,
        target: Target,
        stages: Sequence[str],
        observer: Observer | None = None,
        *,
        all_stages: bool = False,
    ) -> list[Toolkit]:
        """One toolkit per stage (`stages`, or every stage of the app), over one synth.

        With one stage or none this is `[Toolkit(target)]` with that stage.
        """
        if all_stages and stages:
            raise HotdslError("--all-stages deploys every stage: leave out --stage (or it)")
        if len(set(stages)) != len(stages):
            raise HotdslError(f"--stage is given twice for one stage ({', '.join(stages)})")
        if not all_stages and len(stages) <= 1:
            chosen = stages[0] if stages else target.stage
            return [cls(attrs.evolve(target, stage=chosen), observer)]
        first = cls(attrs.evolve(target, stage=None), observer)
        synthesized = first._load(list(stages) or None)
        names = list(stages) or list(
            dict.fromkeys(name for entry in synthesized.manifest.stacks for name in entry.stages)
        )
        if not names:
            raise HotdslError("--all-stages: the app has no stages; deploy without it")
        kits = []
        for name in names:
            kit = cls(attrs.evolve(target, stage=name), observer)
            kit._adopt(synthesized)
            kits.append(kit)
        return kits

    @property
    def synthesized(self) -> Synthesized:
        """The out dir this toolkit works from (synthesized on first use)."""
        return self._synthesized or self.synth()

    def heat_names(self) -> dict[str, str]:
        """The app's stack names -> their names in Heat for the target's stage."""
        return self._heat_names(self._manifest())

    # --- commands ------------------------------------------------------------------------

    def synth(self) -> Synthesized:
        """Synthesize the app into the out dir (or take `from_dir`) and mask its secrets.

        Every other method uses the result of the first call (calling this again
        synthesizes again).
        """
        return self._adopt(self._load([self.target.stage] if self.target.stage else None))

    def _load(self, stages: list[str] | None) -> Synthesized:
        """The app synthesized for `stages` (None: all), or the out dir of `from_dir`."""
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
            return self._synth_app(stages)
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
            return Synthesized(out_dir, load_manifest(out_dir), secret_sources=sources)

    def _adopt(self, synthesized: Synthesized) -> Synthesized:
        """Work from `synthesized` from now on."""
        # Heat may quote a secret back in any answer: mask every one that can be read here.
        register_readable_secrets(
            synthesized.manifest, self.target.stage, synthesized.secret_sources
        )
        self._synthesized = synthesized
        return synthesized

    def diff(self, options: DiffOptions | None = None) -> DiffResult:
        """What a deploy would change, per stack; never changes a deployed stack."""
        options = options or DiffOptions()
        synthesized = self._synthesized or self.synth()
        names = self._select(synthesized.manifest, options.stacks)
        requests = self._requests(synthesized, names, options.parameters, ())
        outputs = self._outputs(requests)
        heat_names = self._heat_names(synthesized.manifest)
        # The state is read before the diff: a stack that moves meanwhile fails the plan.
        plan = self._plan(requests, heat_names) if options.plan else None
        return DiffResult(self._diffs(requests, outputs), plan)

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
        level = self._approval_level(options.require_approval)
        if options.plan is not None:
            names, requests, heat_names = self._plan_requests(options.plan, options)
        else:
            synthesized = self._synthesized or self.synth()
            names = self._select(synthesized.manifest, options.stacks)
            requests = self._requests(
                synthesized, names, options.parameters, options.environment_files
            )
            heat_names = self._heat_names(synthesized.manifest)
        self._check_secret_key(requests)
        outputs = self._outputs(requests)  # every cloud is connected: a missing one stops here
        _check_ownership_options(options.tags, options.take_over, names, heat_names)
        by_name = {r.entry.name: r for r in requests}
        runs = [
            (
                DeployEngine(
                    client,
                    self.observer,
                    settings,
                    update_rule,
                    heat_names,
                    clock=self.clock,
                    sleep=self.sleep,
                ),
                [by_name[name] for name in run],
            )
            for client, run in self._runs(names)
        ]
        if options.plan is not None:
            options.plan.check_unmoved(self._client_of_heat_name)
        for engine, run_requests in runs:
            # A stack hotdsl does not own is refused before any diff or question about it.
            engine.check_ownership([(r.entry.name, r.stack_name) for r in run_requests], "deploy")
        for request in requests:  # an output that cannot come is refused before any change
            fill_imports(request, outputs, deployed_later=by_name)
        diffs: tuple[StackDiff, ...] = ()
        if level != "never":
            diffs = self._diffs(requests, outputs)
            self.observer.diffs(diffs)
            if all(d.is_empty for d in diffs):
                return Outcomes((), 0, diffs)
            details = approval_details(diffs, level)
            if details:
                text = (
                    "Deploy these changes?"
                    if level == "any-change"
                    else "Deploy, replacing or removing these resources?"
                )
                self._ask(options.yes, Question("deploy", text, details))
            if options.plan is not None:  # a person may have taken a while to answer
                options.plan.check_unmoved(self._client_of_heat_name)
        else:
            warnings = [
                w for r in requests for w in nested_form_warnings(self.client_for(r.entry.name), r)
            ]
            for warning in warnings:
                self.observer.warning(warning)
            if warnings:
                self._ask(options.yes, Question("replace-nested", "Replace these nested stacks?"))
        done: list[StackOutcome] = []
        for engine, run_requests in runs:  # one run per cloud in turn, in dependency order
            outcomes = engine.deploy(run_requests, outputs)
            done.extend(outcomes)
            if len(outcomes) < len(run_requests) or not all(o.ok for o in outcomes):
                break
        return Outcomes(tuple(done), len(requests), diffs)

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
        done: list[StackOutcome] = []
        for client, run in self._runs(names, reverse=True):
            engine = DeployEngine(
                client,
                self.observer,
                settings,
                heat_names=heat_names,
                clock=self.clock,
                sleep=self.sleep,
            )
            outcomes = engine.destroy([t for name in run for t in targets if t.name == name])
            done.extend(outcomes)
            if len(outcomes) < len(run) or not all(o.ok for o in outcomes):
                break
        return Outcomes(tuple(done), len(targets))

    def outputs(self, stacks: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
        """The deployed outputs of the stacks (by name in Heat), secrets masked."""
        manifest = (self._synthesized or self.synth()).manifest
        heat_names = self._heat_names(manifest)
        found: dict[str, dict[str, Any]] = {}
        for name in self._select(manifest, stacks):
            client = self.client_for(name)
            ref = client.find_stack(heat_names[name])
            if ref is None:
                raise HotdslError(f"stack {heat_names[name]} is not deployed")
            found[heat_names[name]] = stack_outputs(client.get_stack(ref))
        masked: dict[str, dict[str, Any]] = mask_data(found)
        return masked

    def events(
        self,
        stack: str,
        *,
        nested_depth: int = NESTED_DEPTH,
        follow: bool = False,
        poll_interval: float = 1.0,
    ) -> StackEvents:
        """A deployed stack's events, oldest first, with its nested stacks' this deep.

        With `follow`, each event goes to the observer too (`Observer.event`), and a
        stack in progress is polled every `poll_interval` seconds (on the toolkit's
        clock and sleep) until Heat is done with it.
        """
        manifest = (self._synthesized or self.synth()).manifest
        self._select(manifest, [stack])
        heat_name = self._heat_names(manifest)[stack]
        client = self.client_for(stack)
        ref = client.find_stack(heat_name)
        if ref is None:
            raise HotdslError(f"stack {heat_name} is not deployed")
        events = stack_events(client, ref, nested_depth)
        if follow:
            for event in events:
                self.observer.event(heat_name, event)
            if ref.in_progress:
                engine = DeployEngine(
                    client,
                    self.observer,
                    DeploySettings(poll_interval=poll_interval),
                    clock=self.clock,
                    sleep=self.sleep,
                )
                last = events[-1] if events else None
                marker = (
                    EventMarker(str(last.get("id")), str(last.get("event_time", "")))
                    if last is not None
                    else None
                )
                journal: list[dict[str, Any]] = []
                ref = engine.follow(ref, marker=marker, journal=journal)
                events += journal
        masked = tuple(mask_data(event) for event in events)
        return StackEvents(heat_name, masked, ref.status)

    def list_stacks(self) -> list[StackStatus]:
        """The app's stacks with their status in Heat, in deploy order."""
        manifest = (self._synthesized or self.synth()).manifest
        heat_names = self._heat_names(manifest)
        found = []
        for entry in manifest.stacks:
            ref = self.client_for(entry.name).find_stack(heat_names[entry.name])
            found.append(
                StackStatus(entry.name, heat_names[entry.name], ref.status if ref else None)
            )
        return found

    def client(self) -> HeatClient:
        """The Heat client of the target's cloud, connected on first use."""
        if self._client is None:
            self._client = self._connect(Placement(self.target.cloud, self.target.region))
        return self._client

    def placement(self, stack: str) -> Placement:
        """Where the app's stack `stack` is deployed: the app's choice for the target's
        stage, with `--cloud`/`--region` filling what it leaves open (a conflict is an error)."""
        entry = self._manifest().stack(stack)
        stage = self.target.stage
        if stage is not None and stage in entry.stages:
            chosen, label = entry.stages[stage].placement, f"{stack} of stage {stage}"
        else:
            chosen, label = entry.placement, stack
        return chosen.with_flags(self.target.cloud, self.target.region, label)

    def client_for(self, stack: str) -> HeatClient:
        """The Heat client of the cloud and region the app's stack `stack` is deployed to."""
        place = self.placement(stack)
        if place == Placement(self.target.cloud, self.target.region):
            return self.client()
        if place not in self._clients:
            from hotdsl.deploy.connection import CloudConnectionError

            try:
                self._clients[place] = self._connect(place)
            except CloudConnectionError as exc:
                where = f"stage {self.target.stage}, " if self.target.stage else ""
                raise CloudConnectionError(
                    f"{where}stack {stack}: {exc}; add the cloud to clouds.yaml or change "
                    "the app's cloud"
                ) from None
        return self._clients[place]

    def check_clouds(self, stacks: Sequence[str] = ()) -> None:
        """Connect to the cloud of every chosen stack (and of the stacks they take outputs
        of): a cloud missing from clouds.yaml, or a flag against the app, stops here."""
        self._outputs(self._requests_of(stacks))

    def _connect(self, place: Placement) -> HeatClient:
        from hotdsl.deploy.connection import connect
        from hotdsl.project import find_config

        config = find_config(self.target.project.resolve()) if place.cloud is None else None
        connection = connect(
            place.cloud,
            region=place.region,
            project_cloud=config.cloud if config is not None else None,
        )
        return HeatClient(connection)

    # --- the pieces ----------------------------------------------------------------------

    def _approval_level(self, given: ApprovalLevel | bool | None) -> ApprovalLevel:
        """The level given, else the project's `[tool.hotdsl] require_approval`, else never."""
        if isinstance(given, bool):
            return "any-change" if given else "never"
        if given is not None:
            return given
        from hotdsl.project import find_config

        config = find_config(self.target.project.resolve())
        level = config.require_approval if config is not None else None
        return cast("ApprovalLevel", level or "never")  # the project file checked it

    def _plan(self, requests: Sequence[StackRequest], heat_names: dict[str, str]) -> Plan:
        """The plan of `requests`: each stack's content and deployed state, and the state of
        the stacks outside them whose outputs they take."""
        selected = {r.entry.name for r in requests}
        stacks = tuple(
            planned_stack(
                r,
                self.target.stage,
                deployed_state(self.client_for(r.entry.name), r.stack_name),
            )
            for r in requests
        )
        producers = {
            heat_names[i.stack]: i.stack
            for r in requests
            for i in r.entry.imports
            if i.stack not in selected and i.stack in heat_names
        }
        sources = {
            name: deployed_state(self.client_for(producers[name]), name)
            for name in sorted(producers)
        }
        return Plan(stacks, self.target.stage, dict(heat_names), sources)

    def _plan_requests(
        self, plan: Plan, options: DeployOptions
    ) -> tuple[list[str], list[StackRequest], dict[str, str]]:
        """A saved plan's stacks, requests and names in Heat; options that would change
        what it sends are refused."""
        target = self.target
        fixed = [
            flag
            for flag, given in (
                ("STACK", options.stacks),
                ("--parameter", options.parameters),
                ("--environment", options.environment_files),
                ("--app", target.app),
                ("--out", target.out),
                ("--from", target.from_dir),
                ("--heat", target.heat),
            )
            if given
        ]
        if fixed:
            raise HotdslError(
                f"--plan deploys the plan as it was reviewed; {', '.join(fixed)} cannot change "
                "it (pass them to `hotdsl diff --plan-out` and review a new plan)"
            )
        if target.stage is not None and target.stage != plan.stage:
            raise HotdslError(
                f"--stage {target.stage}: the plan is for "
                f"{f'stage {plan.stage}' if plan.stage else 'no stage'}"
            )
        sources = SecretSources(target.project, target.allow_secret_dirs, target.allow_secret_envs)
        requests = plan.requests(sources, self.observer.note)
        names = [r.entry.name for r in requests]
        heat_names = {**plan.heat_names, **{r.entry.name: r.stack_name for r in requests}}
        self._planned = (Manifest(tuple(r.entry for r in requests)), heat_names)
        return names, requests, heat_names

    def _client_of_heat_name(self, heat_name: str) -> HeatClient:
        """The client of the cloud a stack of the plan (by its name in Heat) is deployed to;
        a stack outside the plan's own (one whose outputs it takes) is read in the target's."""
        if self._planned is not None:
            manifest, heat_names = self._planned
            known = {entry.name for entry in manifest.stacks}
            for name, in_heat in heat_names.items():
                if in_heat == heat_name and name in known:
                    return self.client_for(name)
        return self.client()

    def _manifest(self) -> Manifest:
        """The manifest of the stacks at hand: a saved plan's, else the synthesized app's."""
        if self._planned is not None:
            return self._planned[0]
        return (self._synthesized or self.synth()).manifest

    def _synth_app(self, stages: list[str] | None) -> Synthesized:
        from hotdsl.project import load_app, resolve_app_reference, target_release
        from hotdsl.synth import synth

        target = self.target
        reference, root, config = resolve_app_reference(target.app, target.project.resolve())
        release = target_release(target.heat, config)
        if target.out is not None:
            out_dir = target.project / target.out
        else:
            out_dir = config.root / config.out if config else target.project / "hot.out"
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
        self, requests: Sequence[StackRequest], outputs: DeployedOutputs
    ) -> tuple[StackDiff, ...]:
        """Each stack's diff; cross-stack parameters take the producing stacks' deployed
        outputs, or are left out when the producer is among `requests` and lacks them."""
        from hotdsl.deploy.schema import update_rule

        selected = {r.entry.name for r in requests}
        diffs = []
        for request in requests:
            filled = fill_imports(request, outputs, deployed_later=selected)
            client = self.client_for(request.entry.name)
            deployed = client.find_stack(filled.stack_name)
            diffs.append(diff_stack(client, filled, deployed, update_rule))
        return tuple(diffs)

    def _requests_of(self, stacks: Sequence[str]) -> list[StackRequest]:
        synthesized = self._synthesized or self.synth()
        return self._requests(synthesized, self._select(synthesized.manifest, stacks), {}, ())

    def _outputs(self, requests: Sequence[StackRequest]) -> DeployedOutputs:
        """Where the cross-stack values of `requests` are read: each producer in its own
        cloud. Connects to the cloud of every request and producer."""
        manifest = self._manifest()
        known = {entry.name for entry in manifest.stacks}
        needed = [r.entry.name for r in requests]
        needed += [i.stack for r in requests for i in r.entry.imports if i.stack in known]
        for name in needed:  # a flag against the app is refused before any cloud is reached
            self.placement(name)
        clients = {name: self.client_for(name) for name in dict.fromkeys(needed)}
        default = next(iter(clients.values())) if clients else self.client()
        heat_names = self._planned[1] if self._planned is not None else self._heat_names(manifest)
        return DeployedOutputs(default, heat_names, clients)

    def _runs(
        self, names: Sequence[str], *, reverse: bool = False
    ) -> list[tuple[HeatClient, list[str]]]:
        """`names` (deploy order) in runs of one cloud and region each (`runs_by_place`),
        each with its client; `reverse` for a destroy: dependents first, runs reversed."""
        manifest = self._manifest()
        depends_on = {entry.name: entry.depends_on for entry in manifest.stacks}
        runs = runs_by_place(names, {n: self.placement(n) for n in names}, depends_on)
        if reverse:
            runs = [run[::-1] for run in reversed(runs)]
        return [(self.client_for(run[0]), run) for run in runs]

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


def approval_details(diffs: Sequence[StackDiff], level: ApprovalLevel) -> tuple[str, ...]:
    """What a deploy at `level` asks about, one line each; none: nothing needs a yes.

    "any-change": every change; "replacement": resources replaced or removed. Risky
    changes (`hotdsl.deploy.risk`) are listed at both levels, with their reasons.
    """
    lines: list[str] = []
    for diff in diffs:
        if diff.is_empty:
            continue
        if level == "any-change" and not diff.exists:
            lines.append(f"{diff.stack_name}: new stack, {len(diff.resources)} resources")
            continue
        for resource in diff.resources:
            if level == "any-change" or resource.action in ("replace", "remove"):
                lines.append(f"{diff.stack_name}: {resource.action} {resource.name}")
        if level == "any-change":
            others = [
                title
                for title, changes in (
                    ("parameters", diff.parameters),
                    ("template", diff.template),
                    ("environment", diff.environment),
                    ("files", diff.files),
                )
                if changes
            ]
            if others and not diff.resources:
                lines.append(f"{diff.stack_name}: {', '.join(others)} change")
        lines += [f"{diff.stack_name}: WARNING {risk}" for risk in diff.risks]
    return tuple(dict.fromkeys(lines))


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
