"""Deploy latency: how soon `hotdsl deploy` returns after Heat finishes, and the poll cadence.

The tests check these behaviours on a clock of their own (tests/test_deploy_faults.py:
no sleep and no poll after the final status; the sleep between polls is the interval
less the time the poll took). This script measures the wall-clock figures on this
machine, against a sandbox Heat started for the run in a temporary folder (with the
Heat venv of the tests: `$HOTDSL_TEST_HEAT_VENV` or `.venv-heat/`) and stopped at the end.

- `return_after_heat_s`: a stack whose one resource takes Heat 1 s is deployed with
  the command as a user runs it, through the counting proxy of the fault tests
  (tests/faultproxy.py); a thread asks Heat directly, every 50 ms, whether the stack
  is CREATE_COMPLETE. The figure is the time from that thread's first CREATE_COMPLETE
  until the command exited (median and worst of the runs). The default poll interval
  is 0.5 s, so it should stay under about 0.5 s plus the command's own exit.
- `poll_gap_s`: the engine (in this process, poll interval 0.5 s) follows a 3 s create
  while the proxy holds every answer to a stack show or an event page 0.3 s. Polls
  should start about 0.6 s apart (the two slow answers), not 0.6 + 0.5 s.

    .venv/bin/python benchmarks/deploy_latency.py [--runs 3]

The last line printed is a JSON object:
{"runs": 3, "return_after_heat_s": {"median": x, "max": y}, "poll_gap_s": {"median": z}}
Measured on a busy 2-CPU development machine (2 runs): the command returned 0.71 and
0.95 s after Heat finished, and polls started 0.82 s apart (median).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CLOUD = "bench-through-proxy"
STACK_SHOW = r"^/v1/[^/]+/stacks/[^/]+/[^/]+$"
EVENTS = r"/events$"


def write_app(folder: Path, name: str, seconds: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(
        "from hotdsl import App, Stack\n"
        "from hotdsl.stdlib import heat\n"
        "app = App()\n"
        f"stack = Stack(app, {name!r})\n"
        f'heat.TestResource(stack, "slow", value="x", action_wait_secs={{"create": {seconds}}})\n',
        encoding="utf-8",
    )


def return_after_heat(work: Path, proxy: Any, endpoint: str, name: str) -> float:
    """Seconds from Heat's CREATE_COMPLETE (seen directly) until `hotdsl deploy` exited."""
    from hotdsl.deploy.connection import connect_endpoint
    from hotdsl.deploy.heat import HeatClient

    folder = work / name
    write_app(folder, name, seconds=1)
    clouds = folder / "clouds.yaml"
    clouds.write_text(yaml.safe_dump({"clouds": {CLOUD: proxy.cloud_entry()}}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env["OS_CLIENT_CONFIG_FILE"] = str(clouds)
    finished: list[float] = []
    watching = threading.Event()
    watching.set()

    def watch() -> None:
        direct = HeatClient(connect_endpoint(endpoint))
        while watching.is_set():
            ref = direct.find_stack(name)
            if ref is not None and ref.status == "CREATE_COMPLETE":
                finished.append(time.monotonic())
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "hotdsl.cli", "deploy", "--app", "app.py", "--cloud", CLOUD],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        returned = time.monotonic()
    finally:
        watching.clear()
        watcher.join(timeout=5)
    if result.returncode != 0 or not finished:
        raise SystemExit(f"deploy of {name} failed:\n{result.stdout}\n{result.stderr}")
    return returned - finished[0]


def poll_gaps(work: Path, proxy: Any, name: str) -> list[float]:
    """Seconds between the starts of consecutive stack shows while Heat answers slowly."""
    from hotdsl.deploy.connection import connect_endpoint
    from hotdsl.deploy.engine import DeployEngine, DeploySettings
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.deploy.plan import DeployOptions, load_manifest, stack_request
    from hotdsl.deploy.progress import Progress
    from hotdsl.project import load_app
    from hotdsl.synth import synth

    folder = work / name
    write_app(folder, name, seconds=3)
    synth(load_app("app.py", folder), folder / "hot.out")
    (entry,) = load_manifest(folder / "hot.out").stacks
    request = stack_request(folder / "hot.out", entry, DeployOptions())
    proxy.clear()
    proxy.slow_response("GET", STACK_SHOW, 0.3, times=None)
    proxy.slow_response("GET", EVENTS, 0.3, times=None)
    engine = DeployEngine(
        HeatClient(connect_endpoint(proxy.endpoint)),
        Progress(io.StringIO(), live=False),
        DeploySettings(poll_interval=0.5),
    )
    (outcome,) = engine.deploy([request])
    if outcome.outcome != "created":
        raise SystemExit(f"deploy of {name}: {outcome}")
    created_at = proxy.requests("POST")[0].at
    shows = [seen.at for seen in proxy.requests("GET", STACK_SHOW, since=created_at)]
    proxy.clear()
    return [later - earlier for earlier, later in itertools.pairwise(shows)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="deploys measured of each kind")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "tests"))
    from faultproxy import FaultProxy

    from hotdsl.sandbox import Sandbox, SandboxLayout

    venv = Path(os.environ.get("HOTDSL_TEST_HEAT_VENV", REPO / ".venv-heat"))
    returns: list[float] = []
    gaps: list[float] = []
    with tempfile.TemporaryDirectory(prefix="hotdsl-bench-") as temporary:
        work = Path(temporary)
        sandbox = Sandbox(SandboxLayout(home=work / "sandbox", venv=venv))
        info = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
        print(f"Heat {info.heat_version} at {info.url}", flush=True)
        try:
            with FaultProxy(info.host, info.port) as proxy:
                for run in range(args.runs):
                    returns.append(return_after_heat(work, proxy, info.endpoint, f"ret{run}"))
                    print(f"run {run + 1} returned {returns[-1]:.2f} s after Heat", flush=True)
                    run_gaps = poll_gaps(work, proxy, f"gap{run}")
                    gaps += run_gaps
                    print(f"run {run + 1} poll gaps {[round(g, 2) for g in run_gaps]}", flush=True)
        finally:
            sandbox.stop()
    result = {
        "runs": args.runs,
        "return_after_heat_s": {
            "median": round(statistics.median(returns), 2),
            "max": round(max(returns), 2),
        },
        "poll_gap_s": {"median": round(statistics.median(gaps), 2)},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
