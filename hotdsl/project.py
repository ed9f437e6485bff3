"""Finding and loading the user's app: `--app`, `[tool.hotdsl]` in pyproject.toml, hotdsl.toml.

An app reference is `path/to/file.py[:ATTR]` or `package.module[:ATTR]`. ATTR names an
`App`, or a function that takes no arguments and returns one. Without ATTR the
module's `app` is used, or else its only `App`.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import attrs

from hotdsl.construct import App
from hotdsl.errors import HotdslError
from hotdsl.releases import HeatRelease, heat_release
from hotdsl.source import user_frame

CONFIG_HINT = (
    'pass --app FILE.py[:ATTR] or MODULE[:ATTR], or set app = "..." under [tool.hotdsl] '
    "in pyproject.toml (or in hotdsl.toml)"
)


@attrs.frozen
class ProjectConfig:
    """The `[tool.hotdsl]` settings of a project."""

    app: str
    root: Path
    """The folder holding the config file; the app reference is relative to it."""
    out: str = "hot.out"
    heat: HeatRelease | None = None
    """`heat = "2023.1"`: the Heat release the cloud runs, for synth's checks."""
    cloud: str | None = None
    """`cloud = "NAME"`: the clouds.yaml entry to use when neither a flag nor the environment names one."""
    require_approval: str | None = None
    """`require_approval = "replacement"`: deploy's `--require-approval` level when the flag is not given."""


APPROVAL_LEVELS = ("never", "any-change", "replacement")
"""When deploy asks before changing anything: never, on any change, or only when a resource
is replaced or removed (or a change is flagged as risky)."""


def find_config(start: Path) -> ProjectConfig | None:
    """The nearest hotdsl.toml or pyproject.toml with `[tool.hotdsl]`, from `start` upwards."""
    for folder in [start, *start.parents]:
        own = folder / "hotdsl.toml"
        if own.is_file():
            return _config_from(own, _read_toml(own))
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            tool = _read_toml(pyproject).get("tool")
            table = tool.get("hotdsl") if isinstance(tool, dict) else None
            if table is not None:
                return _config_from(pyproject, table)
    return None


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise HotdslError(f"{path}: not valid TOML: {exc}") from None


def _config_from(path: Path, table: object) -> ProjectConfig:
    if not isinstance(table, dict) or not isinstance(table.get("app"), str):
        raise HotdslError(f'{path}: the hotdsl settings need app = "FILE.py:ATTR" or "MODULE:ATTR"')
    out = table.get("out", "hot.out")
    if not isinstance(out, str) or not out:
        raise HotdslError(
            f'{path}: the hotdsl setting out must be a folder name, such as "hot.out"'
        )
    heat = table.get("heat")
    release = None
    if heat is not None:
        try:
            release = heat_release(str(heat))
        except ValueError as exc:
            raise HotdslError(f"{path}: [tool.hotdsl] heat: {exc}") from None
    cloud = table.get("cloud")
    if cloud is not None and (not isinstance(cloud, str) or not cloud):
        raise HotdslError(
            f'{path}: [tool.hotdsl] cloud must name a clouds.yaml entry, such as "mycloud"'
        )
    approval = table.get("require_approval")
    if approval is not None and approval not in APPROVAL_LEVELS:
        raise HotdslError(
            f"{path}: [tool.hotdsl] require_approval must be one of "
            f"{', '.join(repr(level) for level in APPROVAL_LEVELS)}, not {approval!r}"
        )
    return ProjectConfig(
        app=table["app"],
        root=path.parent,
        out=out,
        heat=release,
        cloud=cloud,
        require_approval=approval,
    )


def resolve_app_reference(app: str | None, cwd: Path) -> tuple[str, Path, ProjectConfig | None]:
    """The app reference to load and the folder it is relative to."""
    if app:
        return app, cwd, find_config(cwd)
    config = find_config(cwd)
    if config is None:
        raise HotdslError(f"no app given: {CONFIG_HINT}")
    return config.app, config.root, config


def load_app(reference: str, root: Path) -> App:
    """Import the user's module and return its App, turning user errors into short messages."""
    target, _, attr = reference.partition(":")
    if target.endswith(".py") or "/" in target or "\\" in target:
        module = _import_file((root / target).resolve())
    else:
        module = _import_module(target, root)
    return _pick_app(module, attr, reference)


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise HotdslError(f"app file {path} does not exist; {CONFIG_HINT}")
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"_hotdsl_app_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise HotdslError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader = spec.loader
    _run_user_code(lambda: loader.exec_module(module), str(path))
    return module


def _import_module(name: str, root: Path) -> ModuleType:
    folder = str(root)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    holder: list[ModuleType] = []
    _run_user_code(lambda: holder.append(importlib.import_module(name)), name)
    return holder[0]


def _pick_app(module: ModuleType, attr: str, reference: str) -> App:
    if attr:
        if not hasattr(module, attr):
            raise HotdslError(f"{reference}: the module has no attribute {attr!r}")
        value = getattr(module, attr)
    elif isinstance(getattr(module, "app", None), App):
        value = module.app
    else:
        apps = [v for v in vars(module).values() if isinstance(v, App)]
        if len(apps) != 1:
            raise HotdslError(
                f"{reference}: found {len(apps)} App objects in the module; name one as {reference}:ATTR"
            )
        value = apps[0]
    if callable(value) and not isinstance(value, App):
        holder: list[object] = []
        _run_user_code(lambda: holder.append(value()), reference)
        value = holder[0]
    if not isinstance(value, App):
        raise HotdslError(
            f"{reference}: expected an App (or a function returning one), got {type(value).__name__}"
        )
    return value


def _run_user_code(action: object, what: str) -> None:
    """Run user code; an exception becomes a HotdslError naming the user's file and line."""
    try:
        action()  # type: ignore[operator]
    except HotdslError:
        raise
    except SystemExit:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        where = user_frame(exc)
        prefix = f"{where}: " if where else f"{what}: "
        raise HotdslError(f"{prefix}{type(exc).__name__}: {exc}") from exc


def target_release(heat: str | None, config: ProjectConfig | None) -> HeatRelease | None:
    """The Heat release synth checks against: `--heat`, else the project's `heat` setting.

    Every command that synthesizes uses this, so that each one refuses what synth refuses.
    """
    if heat is None:
        return config.heat if config else None
    try:
        return heat_release(heat)
    except ValueError as exc:
        raise HotdslError(f"--heat: {exc}") from None
