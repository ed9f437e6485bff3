"""`hotdsl abandon NAME` and `hotdsl adopt FILE`: Heat's abandon and adopt.

Moving resources between stacks without recreating them: abandon a stack (Heat forgets
it, its resources stay), edit the record, adopt it under a name. The work is in
`hotdsl.deploy.adoption`.
"""

from __future__ import annotations

from pathlib import Path

import typer

CLOUD_OPTION = typer.Option(
    None, "--cloud", help="clouds.yaml entry (default: OS_CLOUD, then OS_* variables)."
)


def abandon(
    stack: str = typer.Argument(..., help="The stack's name in Heat."),
    to: Path = typer.Option(
        ...,
        "--to",
        help="A new file for Heat's record of the stack (it holds parameter values, hidden "
        "ones too: keep it private).",
    ),
    cloud: str | None = CLOUD_OPTION,
    not_owned: bool = typer.Option(
        False, "--not-owned", help="Abandon the stack although hotdsl did not create it."
    ),
) -> None:
    """Delete a stack from Heat but keep its resources, recording them for `hotdsl adopt`."""
    from hotdsl.deploy.adoption import abandon as abandon_stack
    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.heat import HeatClient

    done = abandon_stack(HeatClient(connect(cloud)), stack, to, not_owned=not_owned)
    cloud_option = f" --cloud {cloud}" if cloud else ""
    typer.echo(
        f"abandoned {done.stack.name}: Heat no longer manages its {done.resources} resources, "
        f"which stay in the cloud; their record is in {to} (mode 0600: it holds parameter "
        "values, hidden ones too)"
    )
    typer.echo(f"adopt them again with: hotdsl adopt {to}{cloud_option} --name {done.stack.name}")


def adopt(
    record: Path = typer.Argument(..., help="The file `hotdsl abandon` wrote."),
    name: str | None = typer.Option(
        None, "--name", help="The new stack's name (default: the abandoned stack's)."
    ),
    cloud: str | None = CLOUD_OPTION,
) -> None:
    """Create a stack from an abandon record, taking over its resources as they are."""
    import time

    from hotdsl.deploy.adoption import adopt as adopt_stack
    from hotdsl.deploy.adoption import read_record
    from hotdsl.deploy.connection import connect
    from hotdsl.deploy.heat import HeatClient
    from hotdsl.errors import HotdslError

    data = read_record(record)
    stack_name = name or data.get("name")
    if not isinstance(stack_name, str) or not stack_name:
        raise HotdslError(f"{record} names no stack; pass --name")
    ref = adopt_stack(HeatClient(connect(cloud)), data, stack_name, sleep=time.sleep)
    if ref.status != "ADOPT_COMPLETE":
        raise HotdslError(f"adopting {stack_name} ended {ref.status}: {ref.status_reason}")
    typer.echo(f"adopted {stack_name} ({len(data['resources'])} resources, none recreated)")
