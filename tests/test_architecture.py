"""The packages of hotdsl import each other in one direction only, and only public names.

Every import of every module under hotdsl/, cli/ and stdlib/ is read with `ast` (imports
inside functions and under `TYPE_CHECKING` count too) and checked against `LAYERS`: a
module may import only from the layers its own layer lists. A module also never imports
a private name (`_name`) or a private module from another package of hotdsl: what a
layer needs from the one below is that layer's public API. A failure names each
offending import by file:line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]

SOURCE_DIRS = {"hotdsl": "hotdsl", "cli": "hotdsl.cli", "stdlib": "hotdsl.stdlib"}
"""Folder of the repository -> the package it is installed as (pyproject's package-dir)."""

LAYER_OF = {
    # base: values and helpers every layer uses; they know nothing of the model
    "hotdsl.errors": "base",
    "hotdsl.source": "base",
    "hotdsl.versions": "base",
    "hotdsl.secrets": "base",
    "hotdsl.heat_yaml": "base",
    "hotdsl.releases": "base",
    "hotdsl.resource_spec": "base",
    # the core model: the construct tree, intrinsics, templates, environments, nesting
    "hotdsl": "model",
    "hotdsl.construct": "model",
    "hotdsl.template": "model",
    "hotdsl.intrinsics": "model",
    "hotdsl.environment": "model",
    "hotdsl.nested": "model",
    "hotdsl.stdlib": "stdlib",
    "hotdsl.project": "project",
    "hotdsl.synth": "synth",
    "hotdsl.deploy": "deploy",
    "hotdsl.testing": "testing",
    "hotdsl.graph": "graph",
    "hotdsl.sandbox": "sandbox",
    "hotdsl.importer": "importer",
    "hotdsl.scaffold": "scaffold",
    "hotdsl.toolkit": "toolkit",
    "hotdsl.cli": "cli",
}
"""Module or package -> its layer; a module belongs to the longest prefix listed."""

MAY_IMPORT = {
    "base": {"base"},
    "model": {"base", "model"},
    "stdlib": {"base", "model", "stdlib"},
    "project": {"base", "model", "project"},
    "synth": {"base", "model", "synth"},
    "deploy": {"base", "model", "synth", "deploy"},
    "testing": {"base", "model", "synth", "testing"},
    "graph": {"base", "project", "synth", "graph"},
    "sandbox": {"base", "deploy", "sandbox"},
    "importer": {"base", "model", "stdlib", "project", "synth", "deploy", "importer"},
    "scaffold": {"base", "scaffold"},
    "toolkit": {"base", "model", "project", "synth", "deploy", "toolkit"},
    "cli": set(LAYER_OF.values()),
}
"""Layer -> the layers its modules may import. Nothing but the CLI imports the CLI."""

ALLOWED_PRIVATE = {
    ("hotdsl.importer.typed", "hotdsl.stdlib._typed"): "the importer asks a typed class "
    "for its property problems; `TypedResource` is not re-exported because `hotdsl.stdlib` "
    "imports nothing on purpose",
}
"""(importing module, imported module) pairs that may use a private module, and why."""


@attrs.frozen
class Import:
    module: str
    """The importing module."""
    file: Path
    line: int
    target: str
    """The imported module."""
    name: str | None = None
    """The name taken from it (`from target import name`), if not a module."""

    def __str__(self) -> str:
        what = f"from {self.target} import {self.name}" if self.name else f"import {self.target}"
        file = self.file.relative_to(ROOT) if self.file.is_relative_to(ROOT) else self.file
        return f"{file}:{self.line}: {what}"


def source_modules() -> Iterator[tuple[str, Path]]:
    for folder, package in SOURCE_DIRS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join([package, *parts]), path


MODULES = dict(source_modules())


def package_of(module: str) -> str:
    """The package a module is in (a package's `__init__` is in the package itself)."""
    path = MODULES.get(module)
    if path is not None and path.name == "__init__.py":
        return module
    return module.rpartition(".")[0]


def imports_of(module: str, path: Path) -> Iterator[Import]:
    """Every import of hotdsl's own modules in the file, wherever in the file it is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hotdsl":
                    yield Import(module, path, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_of(module).split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "hotdsl":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in MODULES:  # `from hotdsl import secrets`: a module
                    yield Import(module, path, node.lineno, submodule)
                else:
                    yield Import(module, path, node.lineno, target, alias.name)


ALL_IMPORTS = [imp for module, path in MODULES.items() for imp in imports_of(module, path)]


def layer_of(module: str) -> str:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYER_OF.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    raise AssertionError(f"{module} is in no layer: add it to LAYER_OF in {__file__}")


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers() -> None:
    wrong = [
        f"{imp} ({layer_of(imp.module)} must not import {layer_of(imp.target)})"
        for imp in ALL_IMPORTS
        if layer_of(imp.target) not in MAY_IMPORT[layer_of(imp.module)]
    ]
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_names_across_packages() -> None:
    wrong = []
    for imp in ALL_IMPORTS:
        if (imp.module, imp.target) in ALLOWED_PRIVATE:
            continue
        home = package_of(imp.target)
        own = package_of(imp.module)
        if own == home:
            continue
        private_module = any(_is_private(part) for part in imp.target.split("."))
        if private_module or (imp.name is not None and _is_private(imp.name)):
            wrong.append(str(imp))
    assert not wrong, (
        "private names imported from another package (make them public API of the "
        "layer below):\n" + "\n".join(wrong)
    )


def test_the_checks_see_imports_inside_functions() -> None:
    """The check itself: a lazy import in a function body is found like any other."""
    lazy = [imp for imp in ALL_IMPORTS if imp.module == "hotdsl.cli.diff"]
    assert any(imp.target == "hotdsl.deploy.render" and imp.name == "render_diff" for imp in lazy)


def test_an_offending_import_is_named_by_file_and_line(tmp_path: Path) -> None:
    """What a failure shows: the file, the line and the import."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from hotdsl.cli.main import app\n", encoding="utf-8")
    (found,) = imports_of("hotdsl.synth.bad", module)
    assert (found.line, found.target, found.name) == (2, "hotdsl.cli.main", "app")
    assert layer_of(found.target) not in MAY_IMPORT[layer_of(found.module)]
    assert str(found) == f"{module}:2: from hotdsl.cli.main import app"


def test_the_readme_draws_the_layers_as_the_map_says() -> None:
    """Every arrow of the README's diagram is an import the map allows: the docs cannot drift."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Architecture", 1)[1]
    graph = section.split("```mermaid\n", 1)[1].split("```", 1)[0]
    arrows = []
    for line in graph.splitlines()[1:]:
        left, _, right = line.partition("-->")
        arrows += [(left.strip(), name.strip()) for name in right.split("&")]
    assert arrows
    wrong = [f"{a} --> {b}" for a, b in arrows if b not in MAY_IMPORT[a] or a == b]
    assert not wrong, f"README arrows the layer map does not allow: {wrong}"
    assert {layer for arrow in arrows for layer in arrow} == set(MAY_IMPORT)
