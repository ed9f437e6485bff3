"""Start-up of `hotdsl --help` next to a bare Typer app with the same commands.

The bare app is written here: the same command names, a `sandbox` group and a
`--debug` option, each command a no-op, so that the difference is what hotdsl itself
imports before it can print its help. Both run as fresh processes of this
interpreter, interleaved, `--repeat` times after one warm-up run each (bytecode
caches); the figure is the median CPU time (user + sys, from the child's rusage; the
best is shown too), wall time is shown alongside.

Target (issue 16): (c) `hotdsl --help` at most 1.3x the bare app's CPU time.

    .venv/bin/python benchmarks/startup.py [--repeat 15]

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTUP_RATIO = 1.3
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

COMMANDS = ["synth", "init", "validate", "diff", "deploy", "destroy", "outputs", "events", "ls"]
SANDBOX_COMMANDS = ["start", "stop", "status", "logs"]

BARE_APP = '''
import typer

app = typer.Typer(name="hotdsl", help="bare", no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
sandbox = typer.Typer(help="sandbox", no_args_is_help=True)


@app.callback()
def _global(debug: bool = typer.Option(False, "--debug", help="Show tracebacks.")) -> None:
    pass


def _command(name: str):
    def command(app_: str = typer.Option("app.py", "--app", help="The app.")) -> None:
        """A command."""
    command.__name__ = name
    return command


for name in {commands!r}:
    app.command(name)(_command(name))
app.command("import")(_command("import_"))
for name in {sandbox!r}:
    sandbox.command(name)(_command(name))
app.add_typer(sandbox, name="sandbox")

if __name__ == "__main__":
    app()
'''


def run(command: list[str], cwd: str) -> tuple[float, float]:
    """(CPU s, wall s) of one process, which must succeed."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, env=CHILD_ENV)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed")
    return usage.ru_utime + usage.ru_stime, wall


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run of median CPU time (the upper one of an even count)."""
    return sorted(runs)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    hotdsl = shutil.which("hotdsl", path=str(Path(sys.executable).parent))
    if hotdsl is None:
        raise SystemExit("no hotdsl script next to this Python; install the project first")
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP.format(commands=COMMANDS, sandbox=SANDBOX_COMMANDS))
        commands = {
            "bare typer": [sys.executable, str(bare), "--help"],
            "hotdsl": [hotdsl, "--help"],
        }
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for command in commands.values():
            run(command, tmp)  # warm-up: bytecode caches
        for _ in range(args.repeat):
            for name, command in commands.items():
                runs[name].append(run(command, tmp))
    figures: dict[str, object] = {}
    for name, measured in runs.items():
        cpu, wall = median(measured)
        print(
            f"{name:>10} --help: CPU {cpu * 1000:.1f} ms (best {min(measured)[0] * 1000:.1f} ms), "
            f"wall {wall * 1000:.1f} ms"
        )
        figures[f"{name.replace(' ', '_')}_cpu_ms"] = round(cpu * 1000, 1)
        figures[f"{name.replace(' ', '_')}_wall_ms"] = round(wall * 1000, 1)
    ratio = median(runs["hotdsl"])[0] / median(runs["bare typer"])[0]
    met = ratio <= STARTUP_RATIO
    print(
        f"target (c) hotdsl --help / bare Typer app = {ratio:.2f}x CPU "
        f"(target <= {STARTUP_RATIO}x): {'met' if met else 'NOT met'}"
    )
    figures.update(ratio=round(ratio, 2), target_c_met=met)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
