"""Deploy speed and request count: `hotdsl deploy` against `openstack stack create --wait`.

Both commands create the same 100-resource stack (RandomString + Value pairs of
OS::Heat resources, synthesized once by hotdsl) on a sandbox Heat started for the run
in a temporary folder (with the Heat venv of `hotdsl sandbox start`), and stopped at the end.
Both talk to Heat through the counting proxy of the fault tests (tests/faultproxy.py,
on 127.0.0.1, no faults), so the number of HTTP requests each makes is reported,
version discovery included. Each run times the whole command as a user runs it
(process start to exit); the stack is deleted between runs, and the tools alternate.

`openstack stack create --wait` polls every 5 s unless told otherwise (`--poll`, whole
seconds); it is measured as users run it and, for a comparison that does not hinge on
that default, with `--poll 1` as well.

python-openstackclient and python-heatclient are not part of hotdsl: on first use they
are installed into a throwaway venv of their own, `~/.cache/hotdsl-bench/osc-venv`
(or `--osc-venv DIR`), never into `.venv` or the Heat venv. That install took 12 s
here (more on a cold pip cache or a slow link); later runs reuse the venv. A whole
run of 3 rounds takes about 2 minutes more.

    .venv/bin/python benchmarks/deploy_vs_openstack.py [--resources 100] [--runs 3]

The last line printed is a JSON object:
{"resources": 100, "runs": 3, "hotdsl_s": x, "openstack_s": y, "openstack_poll1_s": z,
 "hotdsl_requests": a, "openstack_requests": b, "openstack_poll1_requests": c}
with the median wall time and the median request count of each. Measured on a 2-CPU
development machine (5 runs): hotdsl 5.7 s and 19 requests, openstack 6.2 s and 7,
openstack --poll 1 5.8 s and 11. hotdsl polls every 0.5 s (stack show + one event
page after a marker), which costs requests but not Heat's time; openstack's requests
are fewer because it waits longer between them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
STACK = "bench"
CLOUD = "bench-through-proxy"


def default_osc_venv() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "hotdsl-bench" / "osc-venv"


def ensure_openstack_client(venv: Path) -> Path:
    """The `openstack` command of a venv of its own, installed there on first use."""
    command = venv / "bin" / "openstack"
    ready = venv / ".hotdsl-bench-ready"
    if ready.exists() and command.exists():
        return command
    print(f"installing python-openstackclient and python-heatclient into {venv} (once)", flush=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "python-openstackclient", "python-heatclient"],
        check=True,
    )
    ready.write_text("ok\n", encoding="utf-8")
    print(f"installed in {time.monotonic() - started:.0f} s", flush=True)
    return command


APP = '''"""The benchmark's stack: {pairs} RandomString + Value pairs."""
from hotdsl import App, Stack
from hotdsl.stdlib import heat

app = App()
stack = Stack(app, "{name}")
for index in range({pairs}):
    secret = heat.RandomString(stack, f"rnd{{index}}", length=8)
    heat.Value(stack, f"value{{index}}", value=secret.attrs.value)
'''


def synthesize(folder: Path, resources: int) -> tuple[Path, list[Path]]:
    """Write and synthesize the app; the template and environment files both tools deploy."""
    from hotdsl.deploy.plan import load_manifest

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(APP.format(pairs=resources // 2, name=STACK), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "hotdsl.cli", "synth", "--app", "app.py"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    out = folder / "hot.out"
    (entry,) = load_manifest(out).stacks
    return out / entry.template, [out / name for name in entry.environment_files]


def wait_until_gone(client: Any, timeout: float = 300.0) -> None:
    """Delete the benchmark stack (if there is one) and wait until Heat has forgotten it."""
    deadline = time.monotonic() + timeout
    ref = client.find_stack(STACK)
    if ref is not None:
        client.delete_stack(ref)
    while client.find_stack(STACK) is not None:
        if time.monotonic() > deadline:
            raise SystemExit(f"stack {STACK} still there after {timeout:.0f} s")
        time.sleep(0.2)


def timed(command: list[str], cwd: Path, env: dict[str, str], proxy: Any) -> tuple[float, int]:
    """Run one deploy command; its wall time and the requests the proxy saw."""
    proxy.clear()
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[:3])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return elapsed, proxy.count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100, help="resources in the stack (even)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command")
    parser.add_argument("--osc-venv", type=Path, default=None, help="venv for the openstack client")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO / "tests"))
    from faultproxy import FaultProxy

    from hotdsl.deploy.connection import connect_endpoint
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.sandbox import Sandbox, SandboxLayout, default_venv

    openstack = ensure_openstack_client(args.osc_venv or default_osc_venv())
    with tempfile.TemporaryDirectory(prefix="hotdsl-bench-") as temporary:
        work = Path(temporary)
        template, environments = synthesize(work / "app", args.resources)
        sandbox = Sandbox(SandboxLayout(home=work / "sandbox", venv=default_venv()))
        info = sandbox.start(timeout=300.0, exit_with_pid=os.getpid())
        print(
            f"Heat {info.heat_version} at {info.url}, startup {info.startup_seconds} s", flush=True
        )
        try:
            with FaultProxy(info.host, info.port) as proxy:
                clouds = work / "clouds.yaml"
                clouds.write_text(
                    yaml.safe_dump({"clouds": {CLOUD: proxy.cloud_entry()}}), encoding="utf-8"
                )
                env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
                env.update(OS_CLIENT_CONFIG_FILE=str(clouds), OS_CLOUD=CLOUD)
                create = [str(openstack), "stack", "create", "--wait", "-t", str(template)]
                for path in environments:
                    create += ["-e", str(path)]
                commands = {
                    "hotdsl": [
                        sys.executable,
                        "-m",
                        "hotdsl.cli",
                        "deploy",
                        "--from",
                        "hot.out",
                        "--cloud",
                        CLOUD,
                    ],
                    "openstack": [*create, STACK],
                    "openstack_poll1": [*create, "--poll", "1", STACK],
                }
                direct = HeatClient(connect_endpoint(info.endpoint))
                times: dict[str, list[float]] = {name: [] for name in commands}
                counts: dict[str, list[int]] = {name: [] for name in commands}
                for run in range(args.runs):
                    order = list(commands) if run % 2 == 0 else list(reversed(commands))
                    for name in order:
                        wait_until_gone(direct)
                        elapsed, requests = timed(commands[name], work / "app", env, proxy)
                        final = direct.find_stack(STACK)
                        if final is None or final.status != "CREATE_COMPLETE":
                            raise SystemExit(
                                f"{name}: stack is {final.status if final else 'missing'}"
                            )
                        times[name].append(elapsed)
                        counts[name].append(requests)
                        print(
                            f"run {run + 1} {name:16} {elapsed:6.2f} s {requests:4d} requests",
                            flush=True,
                        )
                wait_until_gone(direct)
        finally:
            sandbox.stop()
    result: dict[str, object] = {"resources": args.resources // 2 * 2, "runs": args.runs}
    for name in commands:
        result[f"{name}_s"] = round(statistics.median(times[name]), 2)
    for name in commands:
        result[f"{name}_requests"] = int(statistics.median(counts[name]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
