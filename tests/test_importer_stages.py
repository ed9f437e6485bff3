"""The importer's stages: every HOT function has its reader and its writer, found by name.

The model stage reads each function call with the reader `model.functions` lists for
it, and the write stage writes it with the writer `write.functions` lists; a function
of the language (`hotdsl.versions.FUNCTIONS`) with no reader, or with neither a writer
nor a reference form, fails here rather than on the first template that uses it. What
a version allows comes from that table too, as Heat's template classes say. The stages
import only public names of the layers below them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from hotdsl.importer import import_template
from hotdsl.importer.model.functions import FUNCTION_READERS
from hotdsl.importer.write.functions import FUNCTION_WRITERS, REFERENCE_FUNCTIONS
from hotdsl.versions import FUNCTIONS

IMPORTER = Path(__file__).resolve().parents[1] / "hotdsl" / "importer"
LANGUAGE = set(FUNCTIONS)


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


def findings_of(tmp_path: Path, text: str) -> list[str]:
    template = tmp_path / "t.yaml"
    template.write_text(text, encoding="utf-8")
    return [f"{f.level}: {f.message}" for f in import_template(template).findings]


def test_a_constraint_with_two_kinds_says_heat_uses_the_one_it_looks_for_first(
    tmp_path: Path,
) -> None:
    """From 2017-02-24 Heat looks for `modulo` before the other kinds (the table's order)."""
    found = findings_of(
        tmp_path,
        "heat_template_version: 2017-02-24\n"
        "parameters:\n"
        "  n:\n"
        "    type: number\n"
        "    constraints:\n"
        "      - range: {min: 0}\n"
        "        modulo: {step: 2, offset: 0}\n",
    )
    assert any("Heat uses only modulo" in f for f in found), found


def test_a_cloudformation_name_heat_never_had_is_plain_data_in_every_version(
    tmp_path: Path,
) -> None:
    """`Fn::GetAtt` is no function of HOT in any version: Heat reads it as data."""
    for version in ("2013-05-23", "2016-10-14"):
        found = findings_of(
            tmp_path,
            f"heat_template_version: {version}\n"
            "resources:\n"
            "  r:\n"
            "    type: OS::Heat::None\n"
            "    metadata: {x: {Fn::GetAtt: [a, b]}}\n",
        )
        assert not any("Fn::GetAtt" in f for f in found), found


def test_a_function_heat_removed_is_invalid_and_one_it_still_runs_is_a_note(
    tmp_path: Path,
) -> None:
    select = (
        "resources:\n  r:\n    type: OS::Heat::None\n    metadata: {x: {Fn::Select: [0, [a]]}}\n"
    )
    kept = findings_of(tmp_path, "heat_template_version: 2015-04-30\n" + select)
    removed = findings_of(tmp_path, "heat_template_version: 2015-10-15\n" + select)
    assert any(f.startswith("note: Fn::Select is a CloudFormation function") for f in kept)
    assert any(f.startswith("invalid: Fn::Select is not available") for f in removed)
