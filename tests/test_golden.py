"""Golden tests: small apps synthesized and compared, whole file by whole file.

Run with HOTDSL_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change,
then review the diff like any other code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).parent.parent / "examples"
APPS = sorted((GOLDEN / "apps").glob("*.py"))
EXAMPLE_APPS = sorted(p / "app.py" for p in EXAMPLES.iterdir() if (p / "app.py").is_file())


def synth_into(app_file: Path, out: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "hotdsl.cli",
            "synth",
            "--quiet",
            "--app",
            str(app_file),
            "--out",
            str(out),
        ],
        check=True,
        env=env,
        cwd=out.parent,
    )


CASES = [(a, a.stem) for a in APPS] + [(a, f"example-{a.parent.name}") for a in EXAMPLE_APPS]


@pytest.mark.parametrize(("app_file", "name"), CASES, ids=[name for _, name in CASES])
def test_synth_matches_the_golden_files(app_file: Path, name: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth_into(app_file, out)
    expected_dir = GOLDEN / "expected" / name
    produced = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }
    if os.environ.get("HOTDSL_UPDATE_GOLDEN"):
        for file, text in produced.items():
            (expected_dir / file).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / file).write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(expected_dir.rglob("*"))
        if p.is_file()
    }
    assert sorted(produced) == sorted(expected)
    for file in expected:
        assert produced[file] == expected[file], (
            f"{file} differs from tests/golden/expected/{expected_dir.name}/{name}"
        )


def test_output_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"out{seed}"
        synth_into(GOLDEN / "apps" / "web.py", out, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outputs[0] == outputs[1] == outputs[2]
