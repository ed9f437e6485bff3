"""`hotdsl sandbox start | stop | status | logs`: a local Heat for trying stacks and for CI."""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

import typer

sandbox_app = typer.Typer(
    name="sandbox",
    help="A real Heat engine on a loopback port: start, stop, status, logs.",
    no_args_is_help=True,
)

HOME_OPTION = typer.Option(
    None,
    "--home",
    envvar="HOTDSL_SANDBOX_HOME",
    help="Sandbox directory (default: $XDG_DATA_HOME/hotdsl/sandbox).",
)

CLOUDS_FILE_OPTION = typer.Option(
    None, "--clouds-file", help="clouds.yaml to update (default: the one openstacksdk reads)."
)


@sandbox_app.command("start")
def start(
    home: Path | None = HOME_OPTION,
    port: int = typer.Option(0, "--port", help="TCP port on 127.0.0.1; 0 picks a free one."),
    fresh: bool = typer.Option(False, "--fresh", help="Start with an empty database."),
    standins: bool = typer.Option(
        True, "--standins/--no-standins", help="Map Nova, Neutron, Cinder, ... types to stand-ins."
    ),
    install: bool = typer.Option(
        True, "--install/--no-install", help="Install Heat into its own venv on first use."
    ),
    clouds_file: Path | None = CLOUDS_FILE_OPTION,
    debug: bool = typer.Option(False, "--heat-debug", help="Heat logs at debug level."),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for Heat to answer."),
    without_type: list[str] = typer.Option(
        [],
        "--without-type",
        metavar="TYPE",
        help="Remove this resource type from Heat, as a cloud without it (repeatable).",
    ),
) -> None:
    """Start the local Heat in the background (if not running) and add it to clouds.yaml."""
    from hotdsl.sandbox import CLOUD_NAME, Sandbox, SandboxLayout, write_cloud_entry
    from hotdsl.sandbox.clouds import clouds_file as openstacksdk_clouds_file

    sandbox = Sandbox(
        SandboxLayout.default(home=home),
        standins=standins,
        debug=debug,
        without_types=without_type,
    )
    began = time.monotonic()
    running = sandbox.status()
    if running is not None and fresh:
        sandbox.stop()
        running = None
    info = sandbox.start(
        port=port,
        timeout=timeout,
        install=install,
        fresh=fresh,
        echo=lambda message: typer.echo(message, err=True),
    )
    written = write_cloud_entry(info, path=clouds_file)
    verb = (
        "already running (stop it first to change its options)"
        if running is not None and running.pid == info.pid
        else f"ready in {time.monotonic() - began:.1f} s"
    )
    typer.echo(f"Heat {info.heat_version} {verb} at {info.url} (pid {info.pid})")
    typer.echo(f"cloud {CLOUD_NAME} in {written}. To use it:")
    if Path(os.path.realpath(written)) != Path(os.path.realpath(openstacksdk_clouds_file())):
        # openstacksdk reads another clouds.yaml first: point it at this one
        typer.echo(f"  export OS_CLIENT_CONFIG_FILE={shlex.quote(str(written))}")
    typer.echo(f"  export OS_CLOUD={CLOUD_NAME}")
    typer.echo("  hotdsl doctor && hotdsl deploy      # or --cloud " + CLOUD_NAME)


@sandbox_app.command("stop")
def stop(home: Path | None = HOME_OPTION) -> None:
    """Stop the local Heat; no process is left behind. Stacks stay in its database."""
    from hotdsl.sandbox import Sandbox, SandboxLayout

    stopped = Sandbox(SandboxLayout.default(home=home)).stop()
    typer.echo("stopped" if stopped else "not running")


@sandbox_app.command("status")
def status(home: Path | None = HOME_OPTION) -> None:
    """Say whether the local Heat runs and where; exit code 1 when it does not."""
    from hotdsl.sandbox import Sandbox, SandboxLayout

    sandbox = Sandbox(SandboxLayout.default(home=home))
    info = sandbox.status()
    if info is None:
        typer.echo(f"not running (home {sandbox.layout.home}; Heat venv {sandbox.layout.venv})")
        raise typer.Exit(1)
    answering = (
        "answering" if sandbox.is_answering() else "NOT answering (see `hotdsl sandbox logs`)"
    )
    typer.echo(f"Heat {info.heat_version} running at {info.url}, pid {info.pid}, {answering}")
    typer.echo(f"endpoint {info.endpoint}; home {info.home}; Heat venv {sandbox.layout.venv}")


@sandbox_app.command("logs")
def logs(
    home: Path | None = HOME_OPTION,
    lines: int = typer.Option(50, "--lines", "-n", help="How many lines from the end."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new lines."),
) -> None:
    """Show the end of Heat's log (and the server's output when it failed to start)."""
    from hotdsl.sandbox import Sandbox, SandboxLayout

    sandbox = Sandbox(SandboxLayout.default(home=home))
    text = sandbox.log_text(lines)
    typer.echo(text or f"no logs yet in {sandbox.layout.run_dir}")
    if not follow:
        return
    path = sandbox.layout.heat_log
    position = path.stat().st_size if path.exists() else 0
    try:
        while True:
            time.sleep(0.5)
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(position)
                chunk = handle.read()
                position = handle.tell()
            if chunk:
                typer.echo(chunk.decode(errors="replace"), nl=False)
    except KeyboardInterrupt:
        return
