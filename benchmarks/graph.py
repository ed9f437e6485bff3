"""`hotdsl graph` of the realistic 10,001-resource stack: read, build, fold and draw.

The stack is the one of benchmarks/synth_realistic.py (one security group, then per
server a port, a volume, the server and its attachment, plus an output per server),
synthesized once into a temporary out dir. The figure is the CPU time (best of
`--repeat`, the machine may be shared) of what `hotdsl graph --from OUT` does after
start-up: read the manifest and template, build the graph, fold it into an overview and
render it as Mermaid. The full graph (`--fold 0`, every resource a node) is measured too,
in each format, and the whole `hotdsl graph --from OUT` process (start-up and imports
included), by its CPU time from the child's rusage.

Target (issue 18): the default overview of 10,001 resources in under 1 s.

    .venv/bin/python benchmarks/graph.py [--resources 10001] [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 1.0


def _realistic_stack(servers: int, out_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "synth_realistic", Path(__file__).with_name("synth_realistic.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.hotdsl_side(servers, out_dir)


def _cpu(out_dir: Path, fold_limit: int, format: str, repeat: int) -> tuple[float, int]:
    """(best CPU seconds, characters drawn) of read + build + fold + render."""
    from hotdsl.graph import fold, read_graph, render

    best, size = float("inf"), 0
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        text = render(fold(read_graph(out_dir), fold_limit), format)
        best = min(best, time.process_time() - start)
        size = len(text)
    return best, size


def _process_cpu(out_dir: Path, repeat: int) -> float:
    """Best CPU seconds (user + system) of a whole `hotdsl graph --from` process."""
    best = float("inf")
    for _ in range(repeat):
        child = subprocess.Popen(
            [sys.executable, "-m", "hotdsl.cli", "graph", "--from", str(out_dir)],
            cwd=out_dir.parent,
            stdout=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("hotdsl graph failed")
        best = min(best, usage.ru_utime + usage.ru_stime)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10001, help="1 group + 4 per server")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    servers = (args.resources - 1) // 4
    total = 1 + 4 * servers
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = Path(tmp) / "out"
        _realistic_stack(servers, out_dir)
        template = out_dir / "realistic.yaml"
        print(f"{total} resources, {servers} outputs; template {template.stat().st_size:,} bytes")
        figures: dict[str, object] = {"resources": total}
        overview, size = _cpu(out_dir, 50, "mermaid", args.repeat)
        print(f"overview (default --fold 50), mermaid: CPU {overview:.3f} s, {size:,} characters")
        figures["overview_mermaid_cpu_s"] = round(overview, 3)
        for format in ("mermaid", "dot", "json"):
            full, size = _cpu(out_dir, 0, format, args.repeat)
            print(f"full graph (--fold 0), {format}: CPU {full:.3f} s, {size:,} characters")
            figures[f"full_{format}_cpu_s"] = round(full, 3)
        process = _process_cpu(out_dir, args.repeat)
        print(f"whole process, hotdsl graph --from OUT (start-up included): CPU {process:.3f} s")
        figures["process_cpu_s"] = round(process, 3)
    met = overview < TARGET_S
    print(
        f"target: graph of {total} resources in under {TARGET_S} s: "
        f"{overview:.3f} s, target {'met' if met else 'NOT met'}"
    )
    figures["target_met"] = met
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
