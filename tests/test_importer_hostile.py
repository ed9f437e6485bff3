"""Nothing in a template can inject code into the module `hotdsl import` writes.

Every name, key and string of a hostile template (Python code, quotes of every kind,
backslashes, braces, control and bidi characters, line breaks, keywords, names that
collide once made identifiers) must end up only inside string literals of the
generated module, the module must run without executing any of it, and synth must
give the template back exactly.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hotdsl.importer.roundtrip import import_and_check

CANARY = "CANARY-was-executed"
PAYLOAD = f"__import__('pathlib').Path('{CANARY}').touch()"

HOSTILE_STRINGS = [
    PAYLOAD,
    f'"""; {PAYLOAD}; """',
    f"'''; {PAYLOAD}; '''",
    f'\\"); {PAYLOAD} #',
    "back\\slash\\",
    "\\N{BULLET} \\x41 \\u0041 \\n not escapes",
    "{x} {{y}} }{ %s %(z)s $(rm -rf /) ${IFS}",
    "control \x01\x02\x1b[31m red \x7f",
    "crlf\r\nand\rcr",
    "line\u2028separator\u2029paragraph",
    "bidi \u202eevil\u202c and zero\u200bwidth \ufeffbom",
    "tab\there",
    "ünïcödé 名前 🚀",
    '"',
    "'",
    "",
    " leading and trailing ",
    'ends with a quote"',
    f'#!/bin/sh\necho """{PAYLOAD}"""\necho \'done\' \\\n  --flag\n"',
    "yes",
    "null",
    "0x1F",
    "1e3",
    "2013-05-23",
]

HOSTILE_NAMES = [
    PAYLOAD,
    '"""',
    "a\nb",
    "名前",
    "class",
    "self",
    "None",
    "a-b",
    "a_b",
    "a.b",
    "A B",
    "0start",
    "x'y\"z",
    "\\",
    "app",
    "Stack",
    "nova",
    "get_param",
    "__init__",
    "x" * 300,
]


def hostile_template() -> dict[str, object]:
    parameters: dict[str, object] = {}
    for index, name in enumerate(HOSTILE_NAMES):
        parameters[name] = {
            "type": "string",
            "default": HOSTILE_STRINGS[index % len(HOSTILE_STRINGS)],
            "description": HOSTILE_STRINGS[(index + 1) % len(HOSTILE_STRINGS)],
            "label": HOSTILE_STRINGS[(index + 2) % len(HOSTILE_STRINGS)],
            "constraints": [
                {"allowed_pattern": "[\\s\\S]*", "description": HOSTILE_STRINGS[index % 5]}
            ],
        }
    resources: dict[str, object] = {}
    names = list(HOSTILE_NAMES)
    for index, name in enumerate(names):
        resources[name] = {
            "type": "OS::Heat::Value" if index % 2 else "My::Hostile::Type",
            "properties": {
                "value": {
                    string: {"get_param": names[(index + offset) % len(names)]}
                    for offset, string in enumerate(HOSTILE_STRINGS)
                }
                | {
                    "script": HOSTILE_STRINGS[-6],
                    "previous": {"get_resource": names[index - 1]} if index else 1,
                },
            },
            "metadata": {string: string for string in HOSTILE_STRINGS},
            "description": HOSTILE_STRINGS[index % len(HOSTILE_STRINGS)],
        }
    # a typed class that does not fit: the reason, with the hostile name, goes into a comment
    resources["typed-but-not-fitting"] = {
        "type": "OS::Nova::Server",
        "properties": {
            "image": "cirros",
            "flavor": "m1.small",
            f"\n{PAYLOAD}\r\u2028#": HOSTILE_STRINGS[1],
        },
    }
    conditions = {
        name: {"equals": [{"get_param": name}, HOSTILE_STRINGS[index % len(HOSTILE_STRINGS)]]}
        for index, name in enumerate(HOSTILE_NAMES)
    }
    outputs = {
        name: {
            "value": {"get_attr": [name, "value", HOSTILE_STRINGS[0]]}
            if index % 2
            else {"get_resource": name},
            "description": HOSTILE_STRINGS[index % len(HOSTILE_STRINGS)],
            "condition": name,
        }
        for index, name in enumerate(HOSTILE_NAMES)
    }
    return {
        "heat_template_version": "2018-08-31",
        "description": f'"""{PAYLOAD}"""',
        "parameter_groups": [
            {"label": string, "description": string, "parameters": [HOSTILE_NAMES[i]]}
            for i, string in enumerate(HOSTILE_STRINGS[:5])
        ],
        "parameters": parameters,
        "conditions": conditions,
        "resources": resources,
        "outputs": outputs,
    }


def identifiers(tree: ast.AST) -> list[str]:
    """Every name the code uses: variables, attributes, arguments, definitions, imports."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.append(node.id)
        elif isinstance(node, ast.Attribute):
            found.append(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            found.append(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.append(node.name)
        elif isinstance(node, ast.arg):
            found.append(node.arg)
        elif isinstance(node, ast.alias):
            found.extend(n for n in (node.name, node.asname) if n)
    return found


def constants(tree: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


@pytest.fixture()
def imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    monkeypatch.chdir(tmp_path)
    source = tmp_path / f'evil"""; {CANARY} #.yaml'
    source.write_text(
        yaml.safe_dump(hostile_template(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result, outcome = import_and_check(source, out=tmp_path / "out" / "module.py")
    assert outcome.exact, (outcome.error, outcome.invalid, outcome.differences)
    return result.source, tmp_path


def test_hostile_names_and_strings_come_back_exactly_and_execute_nothing(
    imported: tuple[str, Path],
) -> None:
    _, folder = imported
    assert not (folder / CANARY).exists()
    assert not (folder / "out" / CANARY).exists()


def test_template_text_appears_only_inside_string_literals(imported: tuple[str, Path]) -> None:
    source, _ = imported
    tree = ast.parse(source)
    names = identifiers(tree)
    literals = constants(tree)
    assert all(name.isascii() and name.isidentifier() for name in names)
    for text in [*HOSTILE_STRINGS, *HOSTILE_NAMES]:
        if re.fullmatch(r"[A-Za-z0-9_]*", text) or len(text) < 2:
            continue  # letters and digits may well be part of a variable's name
        assert not any(text in name for name in names), text
        assert any(text in literal for literal in literals), text
    # the payload never reaches code, only constants: no call of __import__ anywhere
    assert "__import__" not in names


def test_names_that_collide_as_identifiers_become_distinct_variables(
    imported: tuple[str, Path],
) -> None:
    source, _ = imported
    tree = ast.parse(source)
    init = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "__init__"
    )
    targets = [
        ast.unparse(t)
        for node in ast.walk(init)
        if isinstance(node, ast.Assign)
        for t in node.targets
    ]
    assert len(targets) == len(set(targets)), sorted(targets)
    for name in ("self.a_b", "self.a_b_param", "self.a_b_2", "self.a_b_3"):
        assert name in targets


def test_the_hostile_module_passes_mypy_strict(imported: tuple[str, Path]) -> None:
    _, folder = imported
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "module.py"],
        cwd=folder / "out",
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout


def test_the_hostile_module_is_formatted_as_ruff_formats_it(imported: tuple[str, Path]) -> None:
    _, folder = imported
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    checked = subprocess.run(
        [str(ruff), "format", "--isolated", "--check", "--diff", "module.py"],
        cwd=folder / "out",
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
