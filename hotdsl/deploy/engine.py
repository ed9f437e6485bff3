"""The deploy engine: create or update each stack, follow Heat while it works, report the outcome.

Stacks go in the manifest's dependency order; stacks whose dependencies are done run
concurrently (up to `concurrency`). Values of other stacks' outputs fill the
parameters that cross-stack references created. A stack whose template,
environment, parameters and files are unchanged is not touched.

Following a stack costs two requests per poll whatever its size: the stack's status,
and the events after the last one seen (an event marker, oldest first).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Literal

import attrs

from hotdsl.deploy.diff import UpdateRule, diff_stack, digest_tags
from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.heat import HeatClient, HeatError, StackRef
from hotdsl.deploy.plan import StackRequest
from hotdsl.deploy.progress import Progress
from hotdsl.errors import HotdslError

Outcome = Literal["created", "updated", "unchanged", "failed", "deleted", "missing", "interrupted"]


@attrs.frozen
class Failure:
    """A resource Heat could not handle, with Heat's reason."""

    resource: str
    type: str
    status: str
    reason: str
    stack: str

    def __str__(self) -> str:
        where = self.resource if not self.stack else f"{self.stack}/{self.resource}"
        return f"{where} ({self.type}) {self.status}: {self.reason}"


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

    @property
    def ok(self) -> bool:
        return self.outcome in ("created", "updated", "unchanged", "deleted", "missing")


@attrs.frozen
class DeploySettings:
    rollback: bool = True
    timeout_mins: int | None = None
    tags: tuple[str, ...] = ()
    concurrency: int = 1
    poll_interval: float = 0.5
    """Seconds between polls while Heat works; deploy returns within this of Heat finishing."""


class Interrupted(HotdslError):
    """Ctrl-C: the client stopped following; Heat carries on."""


class DeployEngine:
    """Deploys the requests of one app through one Heat client."""

    def __init__(
        self,
        client: HeatClient,
        progress: Progress,
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
        """Monotonic seconds, for poll intervals and elapsed times (tests pass their own)."""
        self.sleep = sleep
        """The wait between polls (tests pass one that records what it was asked)."""

    # --- deploy -------------------------------------------------------------------------

    def deploy(self, requests: Sequence[StackRequest]) -> list[StackOutcome]:
        """Deploy in dependency order, independent stacks concurrently; stop scheduling on failure."""
        by_name = {r.entry.name: r for r in requests}
        done: dict[str, StackOutcome] = {}
        pending = list(requests)
        running: dict[Future[StackOutcome], str] = {}
        failed = False
        with ThreadPoolExecutor(max_workers=max(1, self.settings.concurrency)) as pool:
            try:
                while pending or running:
                    for request in list(pending):
                        if failed or len(running) >= self.settings.concurrency:
                            break
                        deps = [d for d in request.entry.depends_on if d in by_name]
                        if all(d in done for d in deps):
                            pending.remove(request)
                            filled = self._fill_imports(request, done)
                            running[pool.submit(self.deploy_stack, filled)] = request.entry.name
                    if not running:
                        break
                    finished, _ = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
                    for future in finished:
                        name = running.pop(future)
                        outcome = future.result()
                        done[name] = outcome
                        failed = failed or not outcome.ok
            except KeyboardInterrupt:
                self.stop.set()
                raise Interrupted(
                    "stopped following Heat (Ctrl-C); the stacks keep going in Heat. "
                    "Run `hotdsl deploy` again to pick up where Heat is."
                ) from None
        return [done[r.entry.name] for r in requests if r.entry.name in done]

    def _fill_imports(
        self, request: StackRequest, done: Mapping[str, StackOutcome]
    ) -> StackRequest:
        values: dict[str, object] = {}
        for item in request.entry.imports:
            source = done.get(item.stack)
            if source is None:  # not part of this deploy: use what is deployed
                ref = self.client.find_stack(self.heat_names.get(item.stack, item.stack))
                source = StackOutcome(
                    item.stack, "unchanged", outputs=self.outputs(ref) if ref else {}
                )
            if item.output not in source.outputs:
                raise HotdslError(
                    f"{request.stack_name}: parameter {item.parameter} needs output {item.output} "
                    f"of stack {item.stack}, which it does not have; deploy {item.stack} first"
                )
            values[item.parameter] = parameter_value(source.outputs[item.output], item.type)
        return request.with_parameters(values) if values else request

    def deploy_stack(self, request: StackRequest) -> StackOutcome:
        """Create or update one stack and follow it to the end."""
        name = request.stack_name
        start = self.clock()
        deployed = self.client.find_stack(name)
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
        if deployed is not None:
            diff = diff_stack(self.client, request, deployed, self.update_rule, preview=False)
            if diff.is_empty:
                self.progress.say(name, "no changes")
                return StackOutcome(
                    name,
                    "unchanged",
                    deployed.status,
                    elapsed=self.clock() - start,
                    outputs=self.outputs(deployed),
                )
        body = self._body(request)
        if deployed is None:
            self.progress.say(name, "creating")
            ref = self.client.create_stack(name, body)
            marker = None
            action: Outcome = "created"
        else:
            self.progress.say(name, "updating")
            marker = self._last_event(deployed)
            self.client.update_stack(deployed, body)
            ref = deployed
            action = "updated"
        final = self.follow(ref, marker=marker, expect_change=deployed)
        elapsed = self.clock() - start
        self.progress.summary(name, elapsed)
        if final.status.endswith("_COMPLETE") and not final.status.startswith("ROLLBACK"):
            return StackOutcome(
                name, action, final.status, elapsed=elapsed, outputs=self.outputs(final)
            )
        return self._failed(final, elapsed)

    def _failed(self, final: StackRef, elapsed: float) -> StackOutcome:
        """The outcome of a stack Heat left failed, with the failed resources and their reasons."""
        return StackOutcome(
            final.name,
            "failed",
            final.status,
            final.status_reason,
            elapsed,
            failures=tuple(self.failures(final)),
        )

    def _body(self, request: StackRequest) -> dict[str, Any]:
        body = request.body()
        body["disable_rollback"] = not self.settings.rollback
        if self.settings.timeout_mins is not None:
            body["timeout_mins"] = self.settings.timeout_mins
        local_env = merge_environment_files(
            request.environment_files, request.files, request.parameters, {}
        )
        tags = [*self.settings.tags, *digest_tags(request, local_env)]
        if tags:
            body["tags"] = ",".join(tags)
        return body

    # --- following Heat ------------------------------------------------------------------

    def follow(
        self, ref: StackRef, *, marker: str | None, expect_change: StackRef | None = None
    ) -> StackRef:
        """Print events until the stack leaves IN_PROGRESS; return its final state."""
        name = ref.name
        seen: set[str] = set()
        grace_until = self.clock() + 5.0
        while True:
            if self.stop.is_set():
                raise Interrupted("stopped following Heat")
            polled = self.clock()
            marker = self._drain(ref, marker, seen)
            current = self._get(ref)
            if current is None:
                return attrs.evolve(ref, status="DELETE_COMPLETE")
            self.progress.stack_status(name, current.status)
            unchanged = (
                expect_change is not None
                and current.status == expect_change.status
                and current.updated_time == expect_change.updated_time
            )
            if not current.in_progress and not (unchanged and self.clock() < grace_until):
                if (
                    current.failed
                    and self.settings.rollback
                    and "ROLLBACK" not in current.status
                    and current.status != "DELETE_FAILED"
                    and self.clock() < grace_until
                ):
                    self.sleep(self.settings.poll_interval)  # Heat starts the rollback right after
                    continue
                self._drain(ref, marker, seen)
                return current
            # The interval counts from the start of the poll: slow answers do not stretch it.
            self.sleep(max(0.0, self.settings.poll_interval - (self.clock() - polled)))

    def _get(self, ref: StackRef) -> StackRef | None:
        try:
            return self.client.get_stack(ref)
        except HeatError as exc:
            if exc.status == 404:
                return None
            raise

    def _drain(self, ref: StackRef, marker: str | None, seen: set[str]) -> str | None:
        try:
            events = list(self.client.events(ref, marker=marker))
        except HeatError as exc:
            if exc.status != 404 or marker is None:
                return marker
            events = list(
                self.client.events(ref)
            )  # the marker event was purged; skip what was seen
        for event in events:
            event_id = event.get("id", "")
            if event_id in seen:
                continue
            seen.add(event_id)
            self.progress.event(ref.name, event)
            marker = event_id
        return marker

    def _last_event(self, ref: StackRef) -> str | None:
        try:
            data = self.client._call(
                "GET",
                f"{ref.path}/events?sort_dir=desc&sort_keys=event_time&limit=1&nested_depth=5",
            )
        except HeatError:
            return None
        events = data.get("events") or []
        return events[0]["id"] if events else None

    # --- results ------------------------------------------------------------------------

    def outputs(self, ref: StackRef) -> dict[str, Any]:
        """The stack's outputs by key (from stack show, which resolves them)."""
        current = self.client.get_stack(ref) if not ref.outputs else ref
        return {o["output_key"]: o.get("output_value") for o in current.outputs}

    def failures(self, ref: StackRef) -> list[Failure]:
        """Failed resources and Heat's reasons, nested stacks included (like `stack failures list`)."""
        try:
            resources = self.client.resources(ref, nested_depth=5)
        except HeatError:
            return []
        out = []
        for resource in resources:
            status = f"{resource.get('resource_action', '')}_{resource.get('resource_status', '')}"
            if not status.endswith("FAILED") and "FAILED" not in resource.get(
                "resource_status", ""
            ):
                continue
            out.append(
                Failure(
                    resource.get("resource_name", "?"),
                    resource.get("resource_type", "?"),
                    resource.get("resource_status", status),
                    resource.get("resource_status_reason") or "",
                    resource.get("stack_name", "")
                    if resource.get("stack_name") != ref.name
                    else "",
                )
            )
        return out

    # --- destroy ------------------------------------------------------------------------

    def destroy(self, stack_names: Sequence[str]) -> list[StackOutcome]:
        """Delete stacks in the order given (callers pass reverse dependency order)."""
        results = []
        for name in stack_names:
            start = self.clock()
            ref = self.client.find_stack(name)
            if ref is None:
                self.progress.say(name, "does not exist")
                results.append(StackOutcome(name, "missing"))
                continue
            self.progress.say(name, "deleting")
            marker = self._last_event(ref)
            self.client.delete_stack(ref)
            final = self.follow(ref, marker=marker, expect_change=ref)
            elapsed = self.clock() - start
            if final.status == "DELETE_COMPLETE":
                self.progress.say(name, f"deleted in {elapsed:.1f} s")
                results.append(StackOutcome(name, "deleted", final.status, elapsed=elapsed))
            else:
                results.append(self._failed(final, elapsed))
                break
        return results


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


def outputs_json(outcomes: Sequence[StackOutcome]) -> str:
    return (
        json.dumps({o.stack_name: o.outputs for o in outcomes if o.ok}, indent=2, sort_keys=True)
        + "\n"
    )
