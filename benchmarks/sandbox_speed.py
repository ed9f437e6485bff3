"""Sandbox speed: start to ready, and a 100-resource OS::Heat stack with convergence on.

Targets: start to ready at most 15 s; the 100-resource stack created in at most 10 s.
Each run uses a fresh sandbox home (so a fresh database) and the Heat venv given
(default: the one `hotdsl sandbox start` uses, created if missing). For comparison,
`--heat-pacing` runs Heat with its own pacing (one-second leaf triggers and task
polling), and `--legacy` with the legacy engine (convergence off).

    .venv/bin/python benchmarks/sandbox_speed.py [--resources 100] [--repeat 3]

The last line printed is a JSON object: {"start_s": [...], "create_s": [...], ...}.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from hotdsl.sandbox import Sandbox, SandboxLayout, default_venv, ensure_heat_venv


def template(resources: int) -> dict[str, Any]:
    """Half OS::Heat::RandomString, half OS::Heat::Value reading one of them."""
    body: dict[str, Any] = {}
    for i in range(resources // 2):
        body[f"random{i}"] = {"type": "OS::Heat::RandomString", "properties": {"length": 8}}
        body[f"value{i}"] = {
            "type": "OS::Heat::Value",
            "properties": {"value": {"get_attr": [f"random{i}", "value"]}},
        }
    return {"heat_template_version": "2021-04-16", "resources": body}


def one_run(
    venv: Path, resources: int, *, heat_pacing: bool, legacy: bool
) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory(prefix="hotdsl-bench-") as home:
        pacing = 1.0 if heat_pacing else None
        sandbox = Sandbox(
            SandboxLayout(home=Path(home), venv=venv),
            standins=False,
            trigger_interval=pacing if pacing is not None else 0.0,
            poll_interval=pacing if pacing is not None else 0.1,
            convergence=not legacy,
        )
        began = time.monotonic()
        info = sandbox.start(timeout=120)
        started = time.monotonic() - began
        try:
            conn = info.connect()
            began = time.monotonic()
            stack = conn.orchestration.create_stack(name="bench", template=template(resources))
            while True:
                status = conn.orchestration.get_stack(stack.id).status
                if not status.endswith("IN_PROGRESS"):
                    break
                time.sleep(0.05)
            created = time.monotonic() - began
            if status != "CREATE_COMPLETE":
                raise SystemExit(f"the stack ended {status}")
            began = time.monotonic()
            conn.orchestration.delete_stack(stack)
            conn.orchestration.wait_for_delete(stack, interval=0.05, wait=300)
            deleted = time.monotonic() - began
        finally:
            sandbox.stop()
    return started, created, deleted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--venv", type=Path, default=default_venv())
    parser.add_argument("--heat-pacing", action="store_true", help="Heat's own one-second pacing")
    parser.add_argument("--legacy", action="store_true", help="convergence_engine = false")
    args = parser.parse_args()
    ensure_heat_venv(args.venv, echo=print)
    results: dict[str, Any] = {
        "resources": args.resources,
        "start_s": [],
        "create_s": [],
        "delete_s": [],
    }
    for run in range(args.repeat):
        started, created, deleted = one_run(
            args.venv, args.resources, heat_pacing=args.heat_pacing, legacy=args.legacy
        )
        print(
            f"run {run + 1}: start to ready {started:.2f} s, create {created:.2f} s, delete {deleted:.2f} s"
        )
        results["start_s"].append(round(started, 2))
        results["create_s"].append(round(created, 2))
        results["delete_s"].append(round(deleted, 2))
    results["convergence"] = not args.legacy
    results["heat_pacing"] = args.heat_pacing
    print(json.dumps(results))


if __name__ == "__main__":
    main()
