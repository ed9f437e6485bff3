"""Write: an import plan -> the text of a Python module that synthesizes the same templates.

The last stage of `hotdsl import`. The module reads like hand-written hotdsl: a
`Stack` subclass for the template, one `TemplateResource` subclass per nested
template, parameters and resources as Python variables, references as Python
references, HOT functions as the DSL's functions, typed `hotdsl.stdlib` classes for
Heat's types. Every piece of code is made from the code model of `pysource` (never by
pasting template text), and each typed argument is checked against its annotation
(`typed.fits`) so that the module passes mypy --strict.

Takes an `ImportPlan` (the models of the template and what it nests, with the class
names the name stage chose), gives a `GeneratedModule` (`write_module`). The modules:
`module` (classes and the app), `template` (one template's statements), `resources`,
`values`, `references`, `functions` (one writer per HOT function), `environment`,
`order`, and `context` (what they share).
"""

from __future__ import annotations

from hotdsl.importer.collect import ImportPlan
from hotdsl.importer.pysource import LINE_LENGTH
from hotdsl.importer.write.module import GeneratedModule, ModuleWriter, StageValues

__all__ = ["GeneratedModule", "StageValues", "write_module"]


def write_module(
    plan: ImportPlan,
    *,
    class_name: str,
    stack_id: str,
    width: int = LINE_LENGTH,
    source_name: str = "",
    stage: StageValues | None = None,
) -> GeneratedModule:
    """The module for `plan`; `class_name` is the stack class, `stack_id` the stack's id,
    `stage` the stage to write after it (if any)."""
    return ModuleWriter(plan, class_name, stack_id, width, source_name, stage).write()
