"""Entry point of the `hotdsl` command: the Typer app and its command groups.

Commands stay thin: they parse options and call library functions. Heavy imports
(openstacksdk above all) happen inside the commands that need them, so that
`hotdsl --help` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="hotdsl",
    help="Typed Python stacks for OpenStack Heat: synth, diff and deploy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Run the command line (the `hotdsl` console script)."""
    app()
