"""Entry point of the `hotdsl` command: the Typer app and its command groups.

Commands stay thin: they parse options and call library functions. Heavy imports
(openstacksdk above all) happen inside the commands that need them, so that
`hotdsl --help` stays fast. A user's mistake (`HotdslError`) is printed as a short
message with exit code 1; so is any other exception, marked as unexpected, with the
user's file:line when the traceback passes through their code. `--debug` shows the
traceback instead. Everything printed, tracebacks included, goes through
`hotdsl.secrets`: no secret of the run is shown.
"""

from __future__ import annotations

import sys
import traceback

import typer

from hotdsl.cli import adopt as adopt_commands
from hotdsl.cli import deploy as deploy_commands
from hotdsl.cli import diff as diff_command
from hotdsl.cli import doctor as doctor_command
from hotdsl.cli import graph as graph_command
from hotdsl.cli import import_ as import_command
from hotdsl.cli import init as init_command
from hotdsl.cli import stacks as stack_commands
from hotdsl.cli import synth as synth_command
from hotdsl.cli import validate as validate_command
from hotdsl.cli.options import with_flag_values
from hotdsl.cli.sandbox import sandbox_app
from hotdsl.cli.state import STATE

app = typer.Typer(
    name="hotdsl",
    help="Typed Python stacks for OpenStack Heat: synth, diff and deploy.",
    no_args_is_help=True,
    # --install-completion and --show-completion, for the shell that runs hotdsl
    add_completion=True,
    # -h as well as --help, on every command (subcommands inherit the setting)
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"hotdsl {version('hotdsl')}")
        raise typer.Exit()


@app.callback()
def _global_options(
    debug: bool = typer.Option(
        False, "--debug", help="Show tracebacks instead of short error messages."
    ),
    _version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the installed version and exit.",
    ),
) -> None:
    STATE.debug = debug


app.command("synth")(synth_command.synth)
app.command("init")(init_command.init)
app.command("validate")(validate_command.validate)
app.command("diff")(diff_command.diff)
app.command("deploy")(deploy_commands.deploy)
app.command("destroy")(deploy_commands.destroy)
app.command("outputs")(stack_commands.outputs)
app.command("events")(stack_commands.events)
app.command("ls")(stack_commands.ls)
app.command("import")(import_command.import_)
app.command("doctor")(doctor_command.doctor)
app.command("graph")(graph_command.graph)
app.command("abandon")(adopt_commands.abandon)
app.command("adopt")(adopt_commands.adopt)
app.add_typer(sandbox_app, name="sandbox")


def main() -> None:
    """Run the command line (the `hotdsl` console script)."""
    from hotdsl.secrets import guard_standard_streams, mask

    guard_standard_streams()
    try:
        # one name however it was started (`python -m hotdsl.cli` too): completion scripts use it
        app(args=with_flag_values(sys.argv[1:]), prog_name="hotdsl")
    except Exception as exc:
        from hotdsl.errors import HotdslError  # imported only on failure: it loads attrs

        if isinstance(exc, HotdslError):
            message = traceback.format_exc() if STATE.debug else f"error: {exc}\n"
            sys.stderr.write(mask(message))
            sys.exit(1)
        # a bug, or a case hotdsl does not handle yet: still one line
        if STATE.debug:
            sys.stderr.write(mask(traceback.format_exc()))
            sys.exit(1)
        from hotdsl.source import user_frame

        where = user_frame(exc)
        sys.stderr.write(
            mask(
                f"error: {f'{where}: ' if where else ''}{type(exc).__name__}: {_one_line(exc)} "
                "(unexpected; rerun with --debug for the traceback and report it)\n"
            )
        )
        sys.exit(1)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no details"
    return text if len(text) <= 300 else text[:297] + "..."
