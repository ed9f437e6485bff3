"""The importer's stages: every HOT function has its reader and its writer, found by name.

The model stage reads each function call with the reader `model.functions` lists for
it, and the write stage writes it with the writer `write.functions` lists; a function
of the language with no reader, or with neither a writer nor a reference form, fails
here rather than on the first template that uses it. The stages import only public
names of the layers below them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hotdsl.importer.model.functions import FUNCTION_READERS
from hotdsl.importer.model.rules import CONDITION_FUNCTION_SINCE, FUNCTION_SINCE
from hotdsl.importer.write.functions import FUNCTION_WRITERS, REFERENCE_FUNCTIONS

IMPORTER = Path(__file__).resolve().parents[1] / "hotdsl" / "importer"
LANGUAGE = set(FUNCTION_SINCE) | set(CONDITION_FUNCTION_SINCE)


def test_every_function_of_the_language_has_a_reader_and_no_reader_is_for_another() -> None:
    assert set(FUNCTION_READERS) == LANGUAGE


def test_every_function_has_a_writer_or_is_written_as_a_reference() -> None:
    assert set(FUNCTION_WRITERS) | set(REFERENCE_FUNCTIONS) == LANGUAGE
    assert not set(FUNCTION_WRITERS) & set(REFERENCE_FUNCTIONS)


def test_the_importer_imports_no_private_name_of_another_package() -> None:
    """`from hotdsl.x._y import z` or `import _z` from outside the importer is a private
    name of another layer: what the importer needs is public API there."""
    found = []
    for path in sorted(IMPORTER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            if node.module.startswith("hotdsl.importer"):
                continue
            private = [p for p in node.module.split(".") if p.startswith("_")]
            private += [a.name for a in node.names if a.name.startswith("_")]
            if node.module.startswith("hotdsl") and private:
                found.append(f"{path.relative_to(IMPORTER)}: from {node.module} import {private}")
    assert found == []
