"""Conformance: Heat itself confirms that what hotdsl writes is valid HOT.

Every example app (`examples/*/`, synthesized here) and every golden out dir
(`tests/golden/expected/*/`) goes, stack by stack and with its environment files and
files map, to the template validation of a real Heat 27.0.1 (`heat_validator`: the
sandbox without stand-ins, so the real resource types are checked). Each stage's
environment files are validated too. New examples and golden dirs are picked up
without touching this file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hotdsl.deploy.validation import validate_out_dir
from hotdsl.project import load_app
from hotdsl.synth import synth
from hotdsl.synth.manifest import Manifest

from .conftest import REPO, HeatSandbox

pytestmark = pytest.mark.heat

EXAMPLES = sorted(
    path.parent
    for path in (REPO / "examples").glob("*/pyproject.toml")
    if "hotdsl" in tomllib.loads(path.read_text()).get("tool", {})
)
GOLDEN = sorted(
    path.parent for path in (REPO / "tests" / "golden" / "expected").glob("*/manifest.json")
)


def _stages(out_dir: Path) -> list[str | None]:
    names = {stage for entry in Manifest.load(out_dir).stacks for stage in entry.stages}
    return [None, *sorted(names)]


def _assert_heat_accepts(heat: HeatSandbox, out_dir: Path) -> None:
    for stage in _stages(out_dir):
        verdicts = validate_out_dir(heat.conn, out_dir, stage=stage)
        assert verdicts, f"{out_dir} has no stacks"
        rejected = [str(verdict) for verdict in verdicts if not verdict.ok]
        assert not rejected, "Heat rejects:\n" + "\n".join(rejected)


def test_there_is_something_to_check() -> None:
    assert EXAMPLES and GOLDEN


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_heat_accepts_every_example(
    example: Path, heat_validator: HeatSandbox, tmp_path: Path
) -> None:
    reference = tomllib.loads((example / "pyproject.toml").read_text())["tool"]["hotdsl"]["app"]
    synth(load_app(reference, example), tmp_path)
    _assert_heat_accepts(heat_validator, tmp_path)


@pytest.mark.parametrize("golden", GOLDEN, ids=[path.name for path in GOLDEN])
def test_heat_accepts_every_golden_template(golden: Path, heat_validator: HeatSandbox) -> None:
    _assert_heat_accepts(heat_validator, golden)
