"""`hotdsl init`: a new project from the jinja2 templates beside this module."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from hotdsl.errors import HotdslError

SCAFFOLD_FILES: dict[str, str] = {
    "pyproject.toml.j2": "pyproject.toml",
    "app.py.j2": "app.py",
    "test_app.py.j2": "tests/test_app.py",
    "conftest.py.j2": "tests/conftest.py",
    "gitignore.j2": ".gitignore",
}
"""Template -> file it becomes in the new project."""


def scaffold_project(target: Path) -> list[Path]:
    """Write a new hotdsl project into `target` (new or empty); return the files written."""
    if target.exists() and any(target.iterdir()):
        raise HotdslError(f"{target} is not empty; choose a new or empty folder")
    project = _project_name(target.resolve().name)
    words = [w for w in re.split(r"[^a-zA-Z0-9]+", project) if w]
    context = {
        "project": project,
        "stack_class": "".join(w[:1].upper() + w[1:] for w in words) + "Stack"
        if words
        else "MainStack",
        "stack_name": re.sub(r"[^a-zA-Z0-9_.-]", "-", project)
        if project[:1].isalpha()
        else f"stack-{project}",
    }
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("hotdsl", "scaffold"),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    written = []
    for source, destination in SCAFFOLD_FILES.items():
        path = target / destination
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment.get_template(source).render(context), encoding="utf-8")
        written.append(path)
    return written


def _project_name(folder: str) -> str:
    name = re.sub(r"[^a-zA-Z0-9_-]+", "-", folder).strip("-").lower()
    return name or "hotdsl-app"
