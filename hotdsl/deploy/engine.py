"""The deploy engine: create or update each stack, follow Heat while it works, report the outcome.

Stacks go in the manifest's dependency order; stacks whose dependencies are done run
concurrently (up to `concurrency`). Values of other stacks' outputs fill the
parameters that cross-stack references created. A stack whose template,
environment, parameters and files are unchanged is not touched.

Following a stack costs two requests per poll whatever its size: the stack's status,
and the events after the last one seen (an event marker, oldest first). Only the
events of the action at hand are shown (those after the newest event before it
began), up to the final status, so a failure names the resources that failed and
why, by their path in nested stacks, even after a rollback deleted them. Following has
a deadline: Heat gives each action of a stack `timeout_mins` (60 minutes unless the
stack or the cloud says otherwise); a stack still in progress `FOLLOW_MARGIN_MINS`
after that was lost by Heat (its engine died or was restarted), and waiting longer
would wait forever. The outcome is then "stuck", with what to do about it.

Only stacks hotdsl created for the app are changed or deleted (see `ownership`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Literal

import attrs

from hotdsl.deploy.diff import UpdateRule, diff_stack
from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.heat import HeatClient, HeatError, StackRef, TransientError
from hotdsl.deploy.hidden import digest_tags
from hotdsl.deploy.imports import DeployedOutputs, fill_imports, stack_outputs
from hotdsl.deploy.ownership import is_owned, owner_tag, refusal, uses_tag
from hotdsl.deploy.plan import StackRequest
from hotdsl.deploy.progress import EventPaths, ProgressObserver
from hotdsl.errors import HotdslError

Outcome = Literal[
    "created", "updated", "unchanged", "failed", "deleted", "missing", "interrupted", "stuck"
]

HEAT_DEFAULT_TIMEOUT_MINS = 60
"""Heat's `stack_action_timeout` default: the timeout of a stack that sets none."""
FOLLOW_MARGIN_MINS = 5
"""How long past a stack's timeout deploy keeps following before it calls the stack stuck."""
NESTED_DEPTH = 5
"""How deep in nested stacks following and `hotdsl events` show events."""
SUCCESS = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
"""The final statuses of a create or update that went well."""


@attrs.frozen
class Failure:
    """A resource Heat could not handle, with Heat's reason."""

    resource: str
    """The resource's name, or its path through nested stacks (`group/0/port`)."""
    type: str
    status: str
    reason: str
    stack: str
    """The nested stack's name in Heat when `resource` is a bare name, else empty."""

    def __str__(self) -> str:
        where = self.resource if not self.stack else f"{self.stack}/{self.resource}"
        kind = f" ({self.type})" if self.type else ""
        return f"{where}{kind} {self.status}: {self.reason}"


@attrs.frozen
class StackOutcome:
    """What happened to one stack."""

    stack_name: str
    outcome: Outcome
    status: str = ""
    reason: str = ""
    elapsed: float = 0.0
    outputs: dict[str, Any] = attrs.field(factory=dict)
    failures: tuple[Failure, ...] = ()
    advice: str = ""
    """What the user can do (for a stuck stack)."""

    @property
    def ok(self) -> bool:
        return self.outcome in ("created", "updated", "unchanged", "deleted", "missing")


@attrs.frozen
class DeploySettings:
    rollback: bool = True
    timeout_mins: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    """Heat's timeout for each create and update (None: the stack's own); following
    gives up `FOLLOW_MARGIN_MINS` after it, on deploy and destroy."""
    tags: tuple[str, ...] = ()
    concurrency: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    poll_interval: float = 0.5
    """Seconds between polls while Heat works; deploy returns within this of Heat finishing."""
    take_over: frozenset[str] = frozenset()
    """Stacks (names in Heat or in the app) to deploy or destroy although hotdsl did not create them."""


@attrs.frozen
class DestroyTarget:
    """A stack to delete: its name in the app and in Heat, and the app's stacks that use it."""

    name: str
    heat_name: str
    dependents: tuple[str, ...] = ()
    """The app's stacks (names in the app) that take outputs of this one, per the manifest."""


def stack_failures(client: HeatClient, ref: StackRef) -> list[Failure]:
    """Failed resources of a stack and Heat's reasons, nested stacks included (like
    `openstack stack failures list`); none when Heat cannot list them."""
    try:
        resources = client.resources(ref, nested_depth=5)
    except HeatError:
        return []
    out = []
    for resource in resources:
        status = f"{resource.get('resource_action', '')}_{resource.get('resource_status', '')}"
        if not status.endswith("FAILED") and "FAILED" not in resource.get("resource_status", ""):
            continue
        out.append(
            Failure(
                resource.get("resource_name", "?"),
                resource.get("resource_type", "?"),
                resource.get("resource_status", status),
                resource.get("resource_status_reason") or "",
                resource.get("stack_name", "") if resource.get("stack_name") != ref.name else "",
            )
        )
    return out


def stack_events(
    client: HeatClient, ref: StackRef, nested_depth: int = NESTED_DEPTH
) -> list[dict[str, Any]]:
    """Every event of a stack, oldest first, with its nested stacks' this deep.

    Heat finds nested stacks' events through the stack's resources: a stack whose
    resources a rollback or a delete removed lists none with `nested_depth`. Its own
    events are asked for too, so that they are never missing.
    """
    found = list(client.events(ref, nested_depth=nested_depth)) if nested_depth else []
    ids = {event.get("id") for event in found}
    found += [event for event in client.events(ref, nested_depth=0) if event.get("id") not in ids]
    found.sort(key=lambda event: str(event.get("event_time", "")))  # stable: Heat's order
    return found


def operation_failures(
    stack: str, events: Sequence[Mapping[str, Any]], found: Sequence[Failure] = ()
) -> list[Failure]:
    """The resources that failed in one action of a stack, by path, with Heat's reasons.

    Taken from the action's events, which outlive the resources a rollback deletes;
    a parent resource whose nested resource failed is named through the nested one.
    `found` (failed resources Heat still lists) gives the resource types.
    """
    paths = EventPaths(stack)
    failed: dict[str, Failure] = {}
    for event in events:
        label = paths.label(event)
        status = str(event.get("resource_status", ""))
        if label is None or label == stack or not status.endswith("FAILED"):
            continue
        reason = str(event.get("resource_status_reason") or "")
        failed[label] = Failure(label, "", status, reason, "")
    types = {paths.path(f.stack, f.resource): f.type for f in found}
    return [
        attrs.evolve(failure, type=types.get(label, ""))
        for label, failure in failed.items()
        if not any(other.startswith(label + "/") for other in failed)
    ]


def stuck_stack_advice(ref: StackRef) -> str:
    """What to do about a stack Heat left in progress: look, stop the action, check, retry."""
    name = ref.name
    if ref.action == "UPDATE":
        stop = f"`openstack stack cancel {name}` rolls the update back"
    elif ref.action == "CREATE":
        stop = f"`openstack stack cancel --no-rollback {name}` stops the create"
    else:
        stop = "restarting heat-engine marks it failed"
    return (
        f"Look with `openstack stack show {name}`; {stop}; "
        f"`openstack stack check {name}` once it has settled, then run hotdsl again"
    )


@attrs.frozen
class EventMarker:
    """The last event before an action: where the action's events begin."""

    id: str
    time: str
    """Heat's `event_time` (ISO 8601, whole seconds)."""


@attrs.define
class EventsSince:
    """What following has shown of one action: events after `marker`, each once."""

    marker: EventMarker | None
    journal: list[dict[str, Any]]
    seen: set[str] = attrs.field(factory=set)
    last: dict[str, Any] | None = None

    @property
    def newest(self) -> EventMarker | None:
        """The marker of the next page: the last event shown, else the action's start."""
        if self.last is None:
            return self.marker
        return EventMarker(str(self.last.get("id", "")), str(self.last.get("event_time", "")))

    def after_start(self, event: Mapping[str, Any]) -> bool:
        """Whether the event may belong to this action: not the marker, not older than it."""
        if self.marker is None:
            return True
        if event.get("id") == self.marker.id:
            return False
        return str(event.get("event_time", "")) >= self.marker.time


class Interrupted(HotdslError):
    """Ctrl-C: the client stopped following; Heat carries on."""


class StackStuck(HotdslError):
    """A stack stayed in progress (or Heat stayed silent) past the follow deadline."""

    def __init__(self, ref: StackRef, message: str) -> None:
        super().__init__(message)
        self.ref = ref


class DependentsError(HotdslError):
    """Destroy would delete a stack whose outputs deployed stacks outside the selection use."""


class DeployEngine:
    """Deploys the requests of one app through one Heat client."""

    def __init__(
        self,
        client: HeatClient,
        progress: ProgressObserver,
        settings: DeploySettings,
        update_rule: UpdateRule | None = None,
        heat_names: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.heat_names = dict(heat_names or {})
        """The app's stack names -> names in Heat, for stacks outside this deploy."""
        self.progress = progress
        self.settings = settings
        self.update_rule = update_rule
        self.stop = threading.Event()
        self.clock = clock
        self.sleep = sleep
        """Time as following sees it (tests pass a clock of their own)."""

    # --- ownership ----------------------------------------------------------------------

    def may_change(self, ref: StackRef, app_stack: str) -> bool:
        """Whether `ref` is hotdsl's stack `app_stack`, or the user said to take it over."""
        take_over = self.settings.take_over
        return is_owned(ref, app_stack) or ref.name in take_over or app_stack in take_over

    def check_ownership(
        self, stacks: Sequence[tuple[str, str]], command: str
    ) -> dict[str, StackRef | None]:
        """Refuse before anything changes when one of the (app name, Heat name) stacks is not hotdsl's.

        Returns what Heat has under each Heat name.
        """
        found = {heat_name: self.client.find_stack(heat_name) for _, heat_name in stacks}
        foreign = [
            (app_stack, ref)
            for app_stack, heat_name in stacks
            if (ref := found[heat_name]) is not None and not self.may_change(ref, app_stack)
        ]
        if foreign:
            raise refusal(foreign, command)
        return found

    # --- deploy -------------------------------------------------------------------------

    def deploy(
        self, requests: Sequence[StackRequest], outputs: DeployedOutputs | None = None
    ) -> list[StackOutcome]:
        """Deploy in dependency order, independent stacks concurrently; stop scheduling on failure.

        `outputs`: where cross-stack parameters are read (and deployed outputs recorded)
        when the app's stacks are spread over several clouds; default: this client's.
        """
        self.check_ownership([(r.entry.name, r.stack_name) for r in requests], "deploy")
        by_name = {r.entry.name: r for r in requests}
        known = outputs if outputs is not None else DeployedOutputs(self.client, self.heat_names)
        for request in requests:  # an output that cannot come is refused before any change
            fill_imports(request, known, deployed_later=by_name)
        done: dict[str, StackOutcome] = {}
        pending = list(requests)
        running: dict[Future[StackOutcome], str] = {}
        failed = False
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            try:
                while pending or running:
                    for request in list(pending):
                        if failed or len(running) >= self.settings.concurrency:
                            break
                        deps = [d for d in request.entry.depends_on if d in by_name]
                        if all(d in done for d in deps):
                            pending.remove(request)
                            filled = fill_imports(request, known)
                            running[pool.submit(self.deploy_stack, filled)] = request.entry.name
                    if not running:
                        break
                    finished, _ = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        name = running.pop(future)
                        outcome = future.result()
                        done[name] = outcome
                        if outcome.ok:
                            known.record(name, outcome.outputs)
                        failed = failed or not outcome.ok
            except KeyboardInterrupt:
                self.stop.set()
                raise Interrupted(
                    "stopped following Heat (Ctrl-C); the stacks keep going in Heat. "
                    "Run `hotdsl deploy` again to pick up where Heat is."
                ) from None
        return [done[r.entry.name] for r in requests if r.entry.name in done]

    def deploy_stack(self, request: StackRequest) -> StackOutcome:
        """Create or update one stack and follow it to the end (or to the follow deadline)."""
        start = self.clock()
        try:
            return self._deploy_stack(request, start)
        except StackStuck as stuck:
            return self._stuck(stuck, self.clock() - start)

    def _deploy_stack(self, request: StackRequest, start: float) -> StackOutcome:
        name = request.stack_name
        deployed = self.client.find_stack(name)
        if deployed is not None and not self.may_change(deployed, request.entry.name):
            raise refusal([(request.entry.name, deployed)], "deploy")  # created since the check
        if deployed is not None and deployed.in_progress:
            self.progress.say(
                name,
                f"is {deployed.status} (started elsewhere, or by an interrupted deploy); "
                "waiting for Heat to finish first",
            )
            deployed = self.follow(deployed, marker=self._last_event(deployed))
        if (
            deployed is not None
            and deployed.status in ("CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED")
            and deployed.updated_time is None
        ):
            self.progress.say(
                name, f"is {deployed.status} from a failed create; deleting it to create it afresh"
            )
            self.client.delete_stack(deployed)
            self.follow(deployed, marker=self._last_event(deployed))
            deployed = None
        marked = deployed is None or is_owned(deployed, request.entry.name)
        if deployed is not None:
            diff = diff_stack(self.client, request, deployed, self.update_rule, preview=False)
            if diff.is_empty and marked:
                self.progress.say(name, "no changes")
                return StackOutcome(
                    name,
                    "unchanged",
                    deployed.status,
                    elapsed=self.clock() - start,
                    outputs=self.outputs(deployed),
                )
        body = self._body(request)
        action_start = self.clock()
        if deployed is None:
            self.progress.say(name, "creating")
            ref = self.client.create_stack(name, body)
            marker = None
            action: Outcome = "created"
        else:
            taking = "" if marked else f" (taking it over: tag {owner_tag(request.entry.name)})"
            self.progress.say(name, f"updating{taking}")
            marker = self._last_event(deployed)
            self.client.update_stack(deployed, body)
            ref = deployed
            action = "updated"
        journal: list[dict[str, Any]] = []
        final = self.follow(ref, marker=marker, expect_change=deployed, journal=journal)
        elapsed = self.clock() - start
        self.progress.summary(name, self.clock() - action_start)
        if final.status in SUCCESS:
            return StackOutcome(
                name, action, final.status, elapsed=elapsed, outputs=self.outputs(final)
            )
        return self._failed(final, elapsed, journal)

    def _failed(
        self, final: StackRef, elapsed: float, journal: Iterable[Mapping[str, Any]]
    ) -> StackOutcome:
        """The outcome of a stack Heat left failed, with the failed resources and their reasons:
        those of this action's events (a rollback deletes the resources, not the events),
        else those Heat still lists."""
        found = self.failures(final)
        failures = operation_failures(final.name, list(journal), found) or found
        return StackOutcome(
            final.name,
            "failed",
            final.status,
            final.status_reason,
            elapsed,
            failures=tuple(failures),
        )

    def _stuck(self, stuck: StackStuck, elapsed: float) -> StackOutcome:
        return StackOutcome(
            stuck.ref.name, "stuck", stuck.ref.status, elapsed=elapsed, advice=str(stuck)
        )

    def _body(self, request: StackRequest) -> dict[str, Any]:
        body = request.body()
        body["disable_rollback"] = not self.settings.rollback
        if self.settings.timeout_mins is not None:
            body["timeout_mins"] = self.settings.timeout_mins
        local_env = merge_environment_files(
            request.environment_files, request.files, request.parameters, {}
        )
        sources = {self.heat_names.get(i.stack, i.stack) for i in request.entry.imports}
        tags = [
            owner_tag(request.entry.name),
            *sorted(uses_tag(source) for source in sources),
            *self.settings.tags,
            *digest_tags(request, local_env),
        ]
        body["tags"] = ",".join(tags)
        return body

    # --- following Heat ------------------------------------------------------------------

    def follow(
        self,
        ref: StackRef,
        *,
        marker: EventMarker | None,
        expect_change: StackRef | None = None,
        journal: list[dict[str, Any]] | None = None,
    ) -> StackRef:
        """Print events until the stack leaves IN_PROGRESS; return its final state.

        Only events after `marker` (the last one before the action began) are shown,
        and kept in `journal`: the events of this action, none of an earlier one.
        Raises `StackStuck` when an action of the stack outlives its deadline (see
        `deadline`), also when Heat's API stops answering meanwhile: a poll that fails
        is news of nothing, not the end of the deploy.
        """
        name = ref.name
        since = EventsSince(marker, journal if journal is not None else [])
        started = self.clock()
        grace_until = started + 5.0
        last, action, action_since = ref, "", started
        silent_since: float | None = None
        while True:
            if self.stop.is_set():
                raise Interrupted("stopped following Heat")
            polled = self.clock()
            try:
                self._drain(ref, since)
                current = self._get(ref)
            except TransientError as exc:
                if silent_since is None:
                    silent_since = polled
                    self.progress.say(name, f"Heat does not answer ({exc}); asking again")
            else:
                if silent_since is not None:
                    silent_since = None
                    self.progress.say(name, "Heat answers again")
                if current is None:
                    self._drain(ref, since, final=True)
                    return attrs.evolve(ref, status="DELETE_COMPLETE")
                last = current
                if current.action != action:  # Heat times each action (a rollback too) anew
                    action, action_since = current.action, polled
                self.progress.stack_status(name, current.status)
                unchanged = (
                    expect_change is not None
                    and current.status == expect_change.status
                    and current.updated_time == expect_change.updated_time
                )
                if not current.in_progress and not (unchanged and polled < grace_until):
                    if (
                        current.failed
                        and self.settings.rollback
                        and "ROLLBACK" not in current.status
                        and current.status != "DELETE_FAILED"
                        and polled < grace_until
                    ):
                        self.sleep(self.settings.poll_interval)  # Heat starts the rollback next
                        continue
                    self._drain(ref, since, final=current.status not in SUCCESS)
                    return current
            waited = self.clock() - action_since
            if waited > self.deadline(last):
                raise StackStuck(last, self._stuck_advice(last, waited, silent_since))
            # The interval counts from the start of the poll: slow answers do not stretch it.
            self.sleep(max(0.0, self.settings.poll_interval - (self.clock() - polled)))

    def deadline(self, ref: StackRef) -> float:
        """Seconds one action of the stack may take before following gives up on it."""
        minutes = self.settings.timeout_mins or ref.timeout_mins or HEAT_DEFAULT_TIMEOUT_MINS
        return (minutes + FOLLOW_MARGIN_MINS) * 60.0

    def _stuck_advice(self, ref: StackRef, waited: float, silent_since: float | None) -> str:
        name = ref.name
        limit = self.settings.timeout_mins or ref.timeout_mins or HEAT_DEFAULT_TIMEOUT_MINS
        if silent_since is not None:
            silence = int(self.clock() - silent_since) // 60
            state = f"Heat's API has not answered for {silence} min (last seen {ref.status})"
        else:
            state = (
                f"still {ref.status} after {int(waited) // 60} min, past its {limit} min timeout: "
                "Heat lost it (its engine stopped or restarted)"
            )
        return f"{name}: {state}. {stuck_stack_advice(ref)}"

    def _get(self, ref: StackRef) -> StackRef | None:
        try:
            return self.client.get_stack(ref)
        except HeatError as exc:
            if exc.status == 404:
                return None
            raise

    def _drain(self, ref: StackRef, since: EventsSince, *, final: bool = False) -> None:
        """Show the events Heat has after the last one shown.

        Heat lists nested stacks' events only while the stack has resources: after a
        rollback of a create, or a delete, the stack's own events are asked for too
        (`final`), so that the events shown go up to the final status.
        """
        depths = (NESTED_DEPTH, 0) if final else (NESTED_DEPTH,)
        found: list[dict[str, Any]] = []
        for depth in depths:
            found += self._events_after(ref, since.newest, depth)
        found.sort(key=lambda event: str(event.get("event_time", "")))  # stable: Heat's order
        for event in found:
            event_id = str(event.get("id", ""))
            if event_id in since.seen or not since.after_start(event):
                continue
            since.seen.add(event_id)
            since.journal.append(event)
            self.progress.event(ref.name, event)
            since.last = event

    def _events_after(
        self, ref: StackRef, marker: EventMarker | None, depth: int
    ) -> list[dict[str, Any]]:
        marker_id = marker.id if marker is not None else None
        try:
            return list(self.client.events(ref, marker=marker_id, nested_depth=depth))
        except HeatError as exc:
            if exc.status != 404 or marker is None:
                return []  # news of nothing: the next poll asks again
            # Heat purged the marker event: every event is listed, and those before the
            # action began are told by their time (`EventsSince.after_start`).
            return list(self.client.events(ref, nested_depth=depth))

    def _last_event(self, ref: StackRef) -> EventMarker | None:
        """The newest event of the stack (its own, or a nested stack's): where this action's begin."""
        newest: EventMarker | None = None
        for depth in (NESTED_DEPTH, 0):  # nested ones only while the stack has resources
            try:
                data = self.client._call(
                    "GET",
                    f"{ref.path}/events?sort_dir=desc&sort_keys=event_time&limit=1"
                    + (f"&nested_depth={depth}" if depth else ""),
                )
            except HeatError:
                continue
            for event in data.get("events") or ():
                found = EventMarker(str(event["id"]), str(event.get("event_time", "")))
                if newest is None or found.time > newest.time:
                    newest = found
        return newest

    # --- results ------------------------------------------------------------------------

    def outputs(self, ref: StackRef) -> dict[str, Any]:
        """The stack's outputs by key (from stack show, which resolves them)."""
        return stack_outputs(self.client.get_stack(ref) if not ref.outputs else ref)

    def failures(self, ref: StackRef) -> list[Failure]:
        """Failed resources and Heat's reasons, nested stacks included (like `stack failures list`)."""
        return stack_failures(self.client, ref)

    # --- destroy ------------------------------------------------------------------------

    def destroy(self, targets: Sequence[DestroyTarget]) -> list[StackOutcome]:
        """Delete stacks in the order given (callers pass reverse dependency order).

        Nothing is deleted when one of them is not hotdsl's, or when a deployed stack
        outside `targets` takes outputs of one of them as parameters.
        """
        found = self.check_ownership([(t.name, t.heat_name) for t in targets], "destroy")
        self.check_dependents([t for t in targets if found[t.heat_name] is not None], targets)
        results = []
        for target in targets:
            name = target.heat_name
            start = self.clock()
            ref = self.client.find_stack(name)
            if ref is None:
                self.progress.say(name, "does not exist")
                results.append(StackOutcome(name, "missing"))
                continue
            if not self.may_change(ref, target.name):  # created since the check
                raise refusal([(target.name, ref)], "destroy")
            self.progress.say(name, "deleting")
            marker = self._last_event(ref)
            self.client.delete_stack(ref)
            journal: list[dict[str, Any]] = []
            try:
                final = self.follow(ref, marker=marker, expect_change=ref, journal=journal)
            except StackStuck as stuck:
                results.append(self._stuck(stuck, self.clock() - start))
                break
            elapsed = self.clock() - start
            if final.status == "DELETE_COMPLETE":
                self.progress.say(name, f"deleted in {elapsed:.1f} s")
                results.append(StackOutcome(name, "deleted", final.status, elapsed=elapsed))
            else:
                results.append(self._failed(final, elapsed, journal))
                break
        return results

    def check_dependents(
        self, deployed: Sequence[DestroyTarget], selected: Sequence[DestroyTarget]
    ) -> None:
        """Refuse when stacks outside `selected` take outputs of a `deployed` one as parameters.

        Dependents are found in Heat by their `hotdsl-uses:` tags (any app's, and stacks
        no longer in the app), and from the manifest for the app's stacks deployed
        before those tags existed.
        """
        chosen = {t.heat_name for t in selected}
        app_names = {heat: app for app, heat in self.heat_names.items()}
        uses: list[str] = []
        also: set[str] = set()
        for target in deployed:
            users = {ref.name for ref in self.client.stacks_tagged(uses_tag(target.heat_name))}
            for app_stack in target.dependents:
                heat_name = self.heat_names.get(app_stack, app_stack)
                if heat_name not in chosen and self.client.find_stack(heat_name) is not None:
                    users.add(heat_name)
            for user in sorted(users - chosen):
                outside = "" if user in app_names else " (not in this app)"
                uses.append(f"{user}{outside} uses {target.heat_name}")
                also.update([app_names[user]] if user in app_names else [])
        if uses:
            hint = (
                f" (`hotdsl destroy {' '.join([*(t.name for t in selected), *sorted(also)])}`)"
                if also
                else ""
            )
            raise DependentsError(
                f"cannot destroy: deployed stacks take outputs as parameters: {'; '.join(uses)}. "
                f"Destroy those first, or select the app's ones too{hint}"
            )
