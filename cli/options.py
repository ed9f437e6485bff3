"""The options that every cloud command shares, declared once.

`SHARED` lists them (app, out dir, stage, cloud, region, Heat release, `--from` and
where its secrets may be read); `shared_options` adds them to a command and hands it
the one `hotdsl.toolkit.Target` they make. Square brackets in help texts are escaped:
Typer's rich markup would take `[tool.hotdsl]` for a style and print nothing.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

App = Annotated[
    str | None,
    typer.Option(
        "--app",
        "-a",
        help="FILE.py[:ATTR] or MODULE[:ATTR]; default from \\[tool.hotdsl] in pyproject.toml.",
    ),
]
Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Out dir for the synth that runs first (default: hot.out/)."),
]
StageName = Annotated[
    str | None,
    typer.Option("--stage", "-s", help="Deploy this stage's environment (and stack names)."),
]
Cloud = Annotated[
    str | None,
    typer.Option(
        "--cloud",
        "--os-cloud",
        help="clouds.yaml entry (default: OS_CLOUD, then the OS_* variables of an openrc, "
        "then cloud = NAME under \\[tool.hotdsl] in pyproject.toml).",
    ),
]
Region = Annotated[
    str | None, typer.Option("--region", help="The cloud's region (default: the cloud's own).")
]
Heat = Annotated[
    str | None,
    typer.Option(
        "--heat",
        help="The Heat release the cloud runs (2023.1, antelope or a Heat version such as "
        "20.0.0): what it lacks is a problem; default from \\[tool.hotdsl] heat.",
    ),
]
From = Annotated[
    Path | None,
    typer.Option("--from", help="Use this already synthesized out dir instead of synthesizing."),
]
SecretDirs = Annotated[
    list[Path],
    typer.Option(
        "--allow-secret-dir",
        metavar="DIR",
        help="With --from: the manifest's secrets may also be read from files in DIR "
        "(repeatable); otherwise only from files inside the working directory.",
    ),
]
SecretEnvs = Annotated[
    list[str],
    typer.Option(
        "--allow-secret-env",
        metavar="NAME",
        help="With --from: the manifest's secrets may be read from this credential variable "
        "(OS_*, CI tokens, ...), which is refused otherwise (repeatable).",
    ),
]
SHARED: dict[str, tuple[Any, Any]] = {
    "app": (App, None),
    "out": (Out, None),
    "stage": (StageName, None),
    "cloud": (Cloud, None),
    "region": (Region, None),
    "heat": (Heat, None),
    "from_dir": (From, None),
    "allow_secret_dirs": (SecretDirs, []),
    "allow_secret_envs": (SecretEnvs, []),
}
"""The options of every cloud command, by `Target` field: (Typer's annotation, default)."""


def shared_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the `SHARED` options added to its own; it gets them as `target`."""
    # `Target` is imported when the command runs (`--help` stays quick): not evaluated here.
    hints = typing.get_type_hints(command, localns={"Target": object}, include_extras=True)
    own = [
        p.replace(kind=p.KEYWORD_ONLY, annotation=hints[p.name])
        for p in inspect.signature(command).parameters.values()
        if p.name != "target"
    ]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, (kind, default) in SHARED.items()
    ]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        from hotdsl.toolkit import Target

        chosen = {name: values.pop(name) for name in SHARED}
        chosen["allow_secret_dirs"] = tuple(chosen["allow_secret_dirs"])
        chosen["allow_secret_envs"] = frozenset(chosen["allow_secret_envs"])
        command(target=Target(**chosen), **values)

    parameters = [*shared, *own]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run
