"""The options that every cloud command shares, declared once.

`SHARED` lists them (app, out dir, stage, cloud, region, Heat release, `--from` and
where its secrets may be read); `shared_options` adds them to a command and hands it
the one `hotdsl.toolkit.Target` they make. `--stage` may be repeated for a command
that declares a `stage_names` parameter (it gets them all); for the others once. Square brackets in help texts are escaped:
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
    list[str] | None,
    typer.Option(
        "--stage",
        "-s",
        help="Deploy this stage's environment, stack names, clouds and regions "
        "(repeatable for diff and deploy).",
    ),
]
Cloud = Annotated[
    str | None,
    typer.Option(
        "--cloud",
        "--os-cloud",
        help="clouds.yaml entry for the stacks the app names no cloud for (default: OS_CLOUD, "
        "then the OS_* variables of an openrc, then cloud = NAME under \\[tool.hotdsl] in "
        "pyproject.toml); naming another cloud than the app is an error.",
    ),
]
Region = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="The region for the stacks the app names no region for (default: the cloud's own).",
    ),
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


STAGE_HELP = {
    "diff": "Diff against this stage's environment, stack names, clouds and regions "
    "(repeatable: each stage in turn).",
    "deploy": "Deploy with this stage's environment, stack names, clouds and regions "
    "(repeatable: the stages one after another).",
    "destroy": "Delete the stacks under this stage's names, in its clouds and regions.",
    "outputs": "Read the outputs of the stacks under this stage's names.",
    "events": "Read the events of the stack under this stage's name.",
    "ls": "List the stacks under this stage's names, in its clouds and regions.",
}
"""What `--stage` does, per command (the shared text otherwise)."""


def _stage_option(command: str) -> Any:
    """The `--stage` option with the help text of `command`."""
    text = STAGE_HELP.get(command)
    if text is None:
        return StageName
    return Annotated[list[str] | None, typer.Option("--stage", "-s", help=text)]


def shared_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` with the `SHARED` options added to its own; it gets them as `target`."""
    # `Target` is imported when the command runs (`--help` stays quick): not evaluated here.
    hints = typing.get_type_hints(command, localns={"Target": object}, include_extras=True)
    own = [
        p.replace(kind=p.KEYWORD_ONLY, annotation=hints[p.name])
        for p in inspect.signature(command).parameters.values()
        if p.name not in ("target", "stage_names")
    ]
    many_stages = "stage_names" in inspect.signature(command).parameters
    shared = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=_stage_option(command.__name__) if name == "stage" else kind,
            default=default,
        )
        for name, (kind, default) in SHARED.items()
    ]

    @functools.wraps(command)
    def run(**values: Any) -> None:
        from hotdsl.errors import HotdslError
        from hotdsl.toolkit import Target

        chosen = {name: values.pop(name) for name in SHARED}
        chosen["allow_secret_dirs"] = tuple(chosen["allow_secret_dirs"])
        chosen["allow_secret_envs"] = frozenset(chosen["allow_secret_envs"])
        stages = tuple(chosen["stage"] or ())
        if len(stages) > 1 and not many_stages:
            raise HotdslError(
                f"--stage is given {len(stages)} times; this command works on one stage at a "
                "time (diff and deploy take several)"
            )
        chosen["stage"] = stages[0] if stages else None
        if many_stages:
            values["stage_names"] = stages
        command(target=Target(**chosen), **values)

    parameters = [*shared, *own]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run


# --- options several commands take, each declared once --------------------------------

Stacks = Annotated[
    list[str] | None, typer.Argument(help="Stack names (default: all stacks of the app).")
]
Parameters = Annotated[
    list[str] | None,
    typer.Option("--parameter", "-p", help="KEY=VALUE or STACK:KEY=VALUE (wins over the stage)."),
]
Json = Annotated[bool, typer.Option("--json", help="JSON, for machines.")]
AllStages = Annotated[
    bool, typer.Option("--all-stages", help="Every stage of the app, one after another.")
]


FLAG_VALUES = {"--require-approval": "any-change"}
"""Options whose value may be left out, and the value they then take. Typer has no such
option (it drops Click's `flag_value`), so `with_flag_values` adds the value itself."""


def with_flag_values(args: list[str]) -> list[str]:
    """`args` with the value of each `FLAG_VALUES` option written out where it was left out:
    `--require-approval` alone, or before another option or a stack name, asks on any change."""
    if not FLAG_VALUES.keys() & set(args):
        return args
    from hotdsl.project import APPROVAL_LEVELS

    out: list[str] = []
    for index, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            return out + args[index + 1 :]
        following = args[index + 1] if index + 1 < len(args) else None
        if arg in FLAG_VALUES and following not in APPROVAL_LEVELS:
            out.append(FLAG_VALUES[arg])
    return out
