"""The deploy engine under faults, and what following Heat costs, against the sandbox's real Heat.

Every request goes through `FaultProxy` (tests/faultproxy.py), an HTTP proxy on
loopback in front of the sandbox that answers 503, resets connections, delays
requests or answers, or forwards a request and then loses Heat's answer, and that
counts what it saw and what reached Heat. Heat itself is never faked.

Most tests drive `HeatClient` and `DeployEngine` in this process with short backoffs;
the ones about what a user sees (exit status, messages) run the command with a
clouds.yaml entry that points at the proxy. Poll timing is checked on a clock of the
test's own (`RequestClock`), never against this machine's wall clock; the wall-clock
figures are printed by benchmarks/deploy_latency.py.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from hotdsl import App, Output, Stack
from hotdsl.deploy.connection import connect_endpoint
from hotdsl.deploy.engine import DeployEngine, DeploySettings, DestroyTarget, StackOutcome
from hotdsl.deploy.heat import HeatClient, HeatError
from hotdsl.deploy.plan import DeployOptions, StackRequest, load_manifest, stack_request
from hotdsl.deploy.progress import Progress
from hotdsl.stdlib import heat
from hotdsl.synth import synth

from .faultproxy import FaultProxy, Seen

pytestmark = pytest.mark.heat

CREATE = r"^/v1/[^/]+/stacks$"
FIND = r"^/v1/[^/]+/stacks/[^/]+$"
"""`GET /stacks/NAME`: Heat answers with a redirect to the stack's full path."""
STACK = r"^/v1/[^/]+/stacks/[^/]+/[^/]+$"
"""A stack's full path: show (GET), update (PUT), delete (DELETE)."""
EVENTS = r"/events$"
CLOUD = "through-faultproxy"
CLIENT_TIMEOUT = 2.0
"""Seconds before a client with a timeout gives up: requests that must time out are held
(or answered later than this); the others have this long to be answered on a busy machine."""


@pytest.fixture(scope="module")
def proxy(heat_sandbox: Any) -> Iterator[FaultProxy]:
    with FaultProxy(heat_sandbox.host, heat_sandbox.port) as running:
        yield running


@pytest.fixture
def faults(proxy: FaultProxy) -> Iterator[FaultProxy]:
    """The proxy with no rules and an empty log, for one test."""
    proxy.clear()
    yield proxy
    proxy.clear()


def client_through(proxy: FaultProxy, *, timeout: float | None = None) -> HeatClient:
    """A client that reaches Heat through the proxy, with backoffs short enough for tests."""
    if timeout is None:
        conn = connect_endpoint(proxy.endpoint)
    else:
        import openstack

        conn = openstack.connect(
            auth_type="none",
            auth={"endpoint": proxy.endpoint},
            orchestration_api_version="1",
            orchestration_endpoint_override=proxy.endpoint,
            api_timeout=timeout,
        )
    return HeatClient(conn, backoff=0.02)


def engine_for(client: HeatClient) -> DeployEngine:
    return DeployEngine(
        client, Progress(io.StringIO(), live=False), DeploySettings(poll_interval=0.2)
    )


def value_stack(folder: Path, name: str, *, pairs: int = 1, marker: str = "one") -> StackRequest:
    """A stack of `pairs` RandomString + Value pairs and a marker, synthesized to `folder`."""
    app = App()
    stack = Stack(app, name)
    for index in range(pairs):
        secret = heat.RandomString(stack, f"rnd{index}", length=8)
        heat.Value(stack, f"value{index}", value=secret.attrs.value)
    tag = heat.Value(stack, "marker", value=marker)
    Output(stack, "marker_value", value=tag.attrs.value)
    synth(app, folder)
    (entry,) = load_manifest(folder).stacks
    return stack_request(folder, entry, DeployOptions())


def deploy(client: HeatClient, request: StackRequest) -> StackOutcome:
    (outcome,) = engine_for(client).deploy([request])
    return outcome


def stacks_named(heat_sandbox: Any, name: str) -> list[dict[str, Any]]:
    """Every stack of that name in Heat itself (not through the proxy)."""
    response = heat_sandbox.conn.orchestration.get(f"/stacks?name={name}")
    stacks: list[dict[str, Any]] = response.json()["stacks"]
    return stacks


def listed_events(seen: Seen) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(seen.body)["events"]
    return events


# --- retried reads -------------------------------------------------------------------


def test_503_on_stack_reads_and_events_are_retried_and_the_deploy_succeeds(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("read503")
    faults.fail("GET", FIND, times=2)
    faults.fail("GET", STACK, times=3)
    faults.fail("GET", EVENTS, times=2)
    outcome = deploy(client_through(faults), value_stack(tmp_path, name))
    assert (outcome.outcome, outcome.status) == ("created", "CREATE_COMPLETE")
    assert outcome.outputs == {"marker_value": "one"}
    assert faults.count("GET", FIND, forwarded=False) == 2
    assert faults.count("GET", STACK, forwarded=False) == 3
    assert faults.count("GET", EVENTS, forwarded=False) == 2
    assert faults.count("POST", CREATE) == 1


def test_connection_resets_on_reads_are_retried(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("reset")
    faults.reset("GET", FIND)
    faults.reset("GET", STACK, times=2)
    faults.reset("GET", EVENTS)
    outcome = deploy(client_through(faults), value_stack(tmp_path, name))
    assert outcome.outcome == "created"
    assert [seen.action for seen in faults.requests("GET")].count("reset") == 4
    assert faults.count("POST", CREATE) == 1


def test_a_read_that_times_out_is_retried(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("readtimeout")
    client = client_through(faults, timeout=CLIENT_TIMEOUT)
    slow_show = faults.hold("GET", STACK)
    slow_events = faults.hold("GET", EVENTS)
    outcome = deploy(client, value_stack(tmp_path, name))
    assert outcome.outcome == "created"
    assert (slow_show.hits, slow_events.hits) == (1, 1)
    assert faults.count("POST", CREATE) == 1


def test_the_version_discovery_of_a_new_connection_is_retried(
    faults: FaultProxy, heat_sandbox: Any
) -> None:
    """openstacksdk reads Heat's version document (at /v1, then /v1/admin) before any call."""
    discovery = r"^/v1(/[^/]+)?/?$"
    faults.fail("GET", discovery, times=4)
    client = client_through(faults)
    assert client.find_stack(heat_sandbox.unique_name("absent")) is None
    assert [seen.forwarded for seen in faults.requests("GET", discovery)] == [False] * 4 + [True]


# --- creates: never sent twice blindly ----------------------------------------------


def test_a_create_refused_with_503_before_reaching_heat_is_sent_again(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("create503")
    faults.fail("POST", CREATE)
    outcome = deploy(client_through(faults), value_stack(tmp_path, name))
    assert outcome.outcome == "created"
    assert faults.count("POST", CREATE) == 2
    assert faults.count("POST", CREATE, forwarded=True) == 1
    assert len(stacks_named(heat_sandbox, name)) == 1


def test_a_create_whose_answer_timed_out_is_looked_up_not_sent_again(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("createslow")
    faults.slow_response("POST", CREATE, 2 * CLIENT_TIMEOUT)
    outcome = deploy(client_through(faults, timeout=CLIENT_TIMEOUT), value_stack(tmp_path, name))
    assert outcome.outcome == "created"
    assert faults.count("POST", CREATE) == 1
    assert len(stacks_named(heat_sandbox, name)) == 1


def test_a_create_that_reached_heat_only_after_the_lookup_is_adopted(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    """The timed-out create was still on its way: the lookup finds nothing, the retry gets 409."""
    name = heat_sandbox.unique_name("createlate")
    first_create = faults.hold("POST", CREATE)
    client = client_through(faults, timeout=CLIENT_TIMEOUT)

    def the_first_create_lands_now(_seconds: float) -> None:
        """The backoff before the retry: the held create goes on to Heat and is answered."""
        first_create.release.set()
        for _ in range(3000):
            if faults.count("POST", CREATE, forwarded=True):
                return
            time.sleep(0.02)

    client.sleep = the_first_create_lands_now
    outcome = deploy(client, value_stack(tmp_path, name))
    assert outcome.outcome == "created", outcome
    creates = faults.requests("POST", CREATE)
    assert [(seen.action, seen.status) for seen in creates] == [("hold", 201), ("forward", 409)]
    assert len(stacks_named(heat_sandbox, name)) == 1


def test_a_create_whose_answer_was_lost_is_not_sent_again(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    """The command a user runs: the create reached Heat, its answer did not reach hotdsl."""
    name = heat_sandbox.unique_name("createlost")
    faults.drop_response("POST", CREATE)
    write_app(tmp_path, name)
    result = hotdsl_through(faults, tmp_path, "deploy", "--app", "app.py")
    assert result.returncode == 0, result.stderr
    assert f"{name}: created (CREATE_COMPLETE" in result.stdout
    assert faults.count("POST", CREATE, forwarded=True) == 1
    assert faults.requests("POST", CREATE)[0].action == "drop_response"
    (stack,) = stacks_named(heat_sandbox, name)
    assert stack["stack_status"] == "CREATE_COMPLETE"


# --- updates and deletes ------------------------------------------------------------


def test_an_update_whose_answer_was_lost_is_not_sent_again(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("updatelost")
    client = client_through(faults)
    assert deploy(client, value_stack(tmp_path / "one", name)).outcome == "created"
    faults.clear()
    faults.drop_response("PUT", STACK)
    outcome = deploy(client, value_stack(tmp_path / "two", name, marker="two"))
    assert (outcome.outcome, outcome.status) == ("updated", "UPDATE_COMPLETE")
    assert outcome.outputs == {"marker_value": "two"}
    assert faults.count("PUT", STACK) == 1
    assert faults.requests("PUT", STACK)[0].action == "drop_response"


def test_an_update_refused_with_503_before_reaching_heat_is_sent_again(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("update503")
    client = client_through(faults)
    assert deploy(client, value_stack(tmp_path / "one", name)).outcome == "created"
    faults.clear()
    faults.fail("PUT", STACK)
    outcome = deploy(client, value_stack(tmp_path / "two", name, marker="two"))
    assert outcome.outcome == "updated" and outcome.outputs == {"marker_value": "two"}
    assert [seen.forwarded for seen in faults.requests("PUT", STACK)] == [False, True]


def test_a_delete_whose_answer_was_lost_still_deletes(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("deletelost")
    client = client_through(faults)
    assert deploy(client, value_stack(tmp_path, name)).outcome == "created"
    faults.drop_response("DELETE", STACK)
    (outcome,) = engine_for(client).destroy([DestroyTarget(name, name)])
    assert outcome.outcome == "deleted"
    assert stacks_named(heat_sandbox, name) == []


# --- giving up ----------------------------------------------------------------------


def test_persistent_503_stops_with_heats_status_and_the_request(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("down")
    client = client_through(faults)
    faults.fail("*", r"^/v1/[^/]+/stacks", times=None)
    with pytest.raises(HeatError) as raised:
        deploy(client, value_stack(tmp_path, name))
    assert "503" in str(raised.value) and f"/stacks/{name}" in str(raised.value)
    assert faults.count("GET", FIND) == client.retries + 1
    assert faults.count(path=r"/stacks", forwarded=True) == 0


def test_heat_unavailable_gives_a_clear_error_and_no_traceback(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    name = heat_sandbox.unique_name("unavailable")
    write_app(tmp_path, name)
    faults.fail("*", r"^/", times=None, status=503)
    result = hotdsl_through(faults, tmp_path, "deploy", "--app", "app.py")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "Heat" in result.stderr and faults.endpoint in result.stderr
    assert stacks_named(heat_sandbox, name) == []


# --- the cost of following Heat -----------------------------------------------------


def test_polling_cost_does_not_grow_with_stack_size(
    faults: FaultProxy, heat_sandbox: Any, tmp_path: Path
) -> None:
    """Each poll is one stack show and one event page after a marker, for 10 or 100 resources."""
    per_poll: dict[int, float] = {}
    for pairs in (5, 50):
        name = heat_sandbox.unique_name(f"poll{pairs * 2}")
        request = value_stack(tmp_path / str(pairs), name, pairs=pairs - 1)
        faults.clear()
        outcome = deploy(client_through(faults), request)
        assert outcome.outcome == "created"
        created_at = faults.requests("POST", CREATE)[0].at
        shows = faults.requests("GET", STACK, since=created_at)
        pages = faults.requests("GET", EVENTS, since=created_at)
        others = [
            seen
            for seen in faults.requests(since=created_at)
            if seen not in shows and seen not in pages
        ]
        assert [(seen.method, seen.path) for seen in others] == [
            ("POST", faults.requests("POST", CREATE)[0].path)
        ]
        delivered = [event["id"] for page in pages for event in listed_events(page)]
        assert len(delivered) == len(set(delivered)) >= pairs * 4, "an event was fetched twice"
        full_pages = sum(1 for page in pages if len(listed_events(page)) == 200)
        assert len(pages) - full_pages <= len(shows) + 1
        per_poll[pairs * 2] = (len(shows) + len(pages) - full_pages) / len(shows)
    assert per_poll[100] <= per_poll[10] + 0.5, per_poll
    assert max(per_poll.values()) <= 2.5, per_poll


class RequestClock:
    """The engine's clock and sleep for timing tests: time passes only by requests and sleeps.

    Each request the proxy has answered costs `cost(polls)` seconds, where `polls` is
    the number of sleeps so far (as if Heat answered that slowly), and each sleep the
    engine asks for passes in full; its real wait is a short `pause` that lets Heat get
    on with the stack. Nothing depends on how fast this machine is.
    """

    def __init__(self, proxy: FaultProxy, cost: Callable[[int], float], pause: float = 0.1) -> None:
        self.proxy = proxy
        self.cost = cost
        self.pause = pause
        self.elapsed = 0.0
        self.charged = 0
        self.sleeps: list[tuple[int, float]] = []
        """What the engine asked to sleep, with the number of requests made by then."""

    def now(self) -> float:
        made = self.proxy.count()
        self.elapsed += (made - self.charged) * self.cost(len(self.sleeps))
        self.charged = made
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.now()
        self.sleeps.append((self.proxy.count(), seconds))
        self.elapsed += seconds
        time.sleep(self.pause)


@attrs.frozen
class FollowedCreate:
    """One create followed on a `RequestClock`: the outcome, the sleeps and the requests."""

    outcome: StackOutcome
    sleeps: list[tuple[int, float]]
    log: list[Seen]
    """Every request of the deploy, in the order the proxy answered them."""


POLL_INTERVAL = 1.0
SLOW_POLLS = 3
"""Polls whose two requests take 0.3 s each; later ones take 0.8 s each (1.6 s a poll)."""


@pytest.fixture(scope="module")
def followed_create(
    proxy: FaultProxy, heat_sandbox: Any, tmp_path_factory: pytest.TempPathFactory
) -> FollowedCreate:
    """A stack whose create takes Heat 2 s, deployed by an engine on a `RequestClock`."""
    name = heat_sandbox.unique_name("cadence")
    folder = tmp_path_factory.mktemp("cadence")
    app = App()
    stack = Stack(app, name)
    slow = heat.TestResource(stack, "slow", value="x", action_wait_secs={"create": 2})
    Output(stack, "slow_output", value=slow.attrs.output)
    synth(app, folder)
    (entry,) = load_manifest(folder).stacks
    proxy.clear()
    clock = RequestClock(proxy, lambda polls: 0.3 if polls < SLOW_POLLS else 0.8)
    engine = DeployEngine(
        client_through(proxy),
        Progress(io.StringIO(), live=False),
        DeploySettings(poll_interval=POLL_INTERVAL),
        clock=clock.now,
        sleep=clock.sleep,
    )
    (outcome,) = engine.deploy([stack_request(folder, entry, DeployOptions())])
    followed = FollowedCreate(outcome, clock.sleeps, proxy.requests())
    proxy.clear()
    return followed


def shown_status(seen: Seen) -> str:
    status: str = json.loads(seen.body)["stack"]["stack_status"]
    return status


def test_polls_keep_their_interval_when_heat_answers_slowly(
    followed_create: FollowedCreate,
) -> None:
    """Time spent waiting for answers counts toward the poll interval instead of adding to it."""
    assert followed_create.outcome.outcome == "created"
    assert followed_create.outcome.outputs == {"slow_output": "x"}
    asked = [seconds for _, seconds in followed_create.sleeps]
    assert len(asked) > SLOW_POLLS, "Heat finished before the test saw slow polls"
    # A poll is two requests (an event page, a stack show): 0.6 s, then 1.6 s. The engine
    # sleeps what is left of the 1 s interval, and not at all once a poll took longer.
    expected = [POLL_INTERVAL - 0.6] * SLOW_POLLS + [0.0] * (len(asked) - SLOW_POLLS)
    assert asked == pytest.approx(expected), asked
    made = [requests for requests, _ in followed_create.sleeps]
    assert [later - earlier for earlier, later in itertools.pairwise(made)] == [2] * (len(made) - 1)


def test_deploy_returns_as_soon_as_it_has_seen_heat_finish(
    followed_create: FollowedCreate,
) -> None:
    """No sleep and no further poll after the stack show that answered CREATE_COMPLETE."""
    log = followed_create.log
    created = next(i for i, seen in enumerate(log) if seen.method == "POST")
    shows = [
        i for i, seen in enumerate(log) if i > created and re.search(STACK, seen.path) is not None
    ]
    statuses = [shown_status(log[i]) for i in shows]
    assert statuses == ["CREATE_IN_PROGRESS"] * (len(shows) - 1) + ["CREATE_COMPLETE"]
    final = shows[-1]
    assert [requests for requests, _ in followed_create.sleeps][-1] <= final, "slept after the end"
    assert len(followed_create.sleeps) == len(shows) - 1, "one sleep after each unfinished poll"
    after = [(seen.method, re.search(EVENTS, seen.path) is not None) for seen in log[final + 1 :]]
    assert after in ([], [("GET", True)]), "only the last event page may follow"


# --- the command, through the proxy -------------------------------------------------

APP = """
app = App()
stack = Stack(app, "{name}")
rnd = heat.RandomString(stack, "rnd", length=8)
value = heat.Value(stack, "value", value=rnd.attrs.value)
"""


def write_app(folder: Path, name: str, body: str = APP) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = "from hotdsl import *\nfrom hotdsl.stdlib import heat\n" + body.format(name=name)
    (folder / "app.py").write_text(text, encoding="utf-8")


def hotdsl_through(proxy: FaultProxy, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `hotdsl ARGS --cloud through-faultproxy` with a clouds.yaml of its own."""
    clouds = folder / "clouds.yaml"
    clouds.write_text(yaml.safe_dump({"clouds": {CLOUD: proxy.cloud_entry()}}), encoding="utf-8")
    env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
    env.pop("OS_CLOUD", None)
    return subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", *args, "--cloud", CLOUD],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
