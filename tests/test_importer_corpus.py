"""`hotdsl import` over the HOT templates of the public openstack/heat-templates repository.

Every file of the corpus is surveyed: HOT templates are imported, synthesized and
compared with the original; environment files are imported together with the
templates that use them; the rest (CloudFormation templates, other YAML) are counted
apart. Files the templates read with `get_file` are not in the corpus (it keeps only
YAML), so they get empty stand-ins. Every difference must be one hotdsl's own synth
makes on purpose, and every generated module must pass `mypy --strict` and be
formatted as `ruff format` formats it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hotdsl.importer.survey import Survey, SurveyEntry, survey

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus" / "heat-templates"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the template corpus is not at {CORPUS} "
    "(../shared/corpus/heat-templates beside the repository)",
)

SOFTWARE_CONFIG = "software-config/example-templates"
BOOT_CONFIG = "software-config/boot-config"
ENVIRONMENT_PAIRS = [
    *(
        (f"{SOFTWARE_CONFIG}/example-config-pristine-image.yaml", [f"{BOOT_CONFIG}/{env}"])
        for env in (
            "centos7_rdo_env.yaml",
            "container_agent_env.yaml",
            "fedora_pip_env.yaml",
            "fedora_yum_env.yaml",
            "none_env.yaml",
            "test_image_env.yaml",
            "ubuntu_pip_env.yaml",
        )
    ),
    (
        f"{SOFTWARE_CONFIG}/example-config-pristine-image.yaml",
        [f"{SOFTWARE_CONFIG}/example-config-pristine-image_env.yaml"],
    ),
    (
        f"{SOFTWARE_CONFIG}/example-pristine-atomic-docker-compose.yaml",
        [f"{SOFTWARE_CONFIG}/example-pristine-atomic-docker-compose_env.yaml"],
    ),
    (
        f"{SOFTWARE_CONFIG}/example-pristine-atomic-tool.yaml",
        [f"{SOFTWARE_CONFIG}/example-pristine-atomic-tool_env.yaml"],
    ),
    (
        "mistral/templates/autoscaling_using_mistral.yaml",
        ["mistral/nova_networking_server_with_ip_env.yaml"],
    ),
]
"""Each environment file of the corpus, with a template that uses it (as its README says)."""

HEAT_AGENTS = CORPUS.parents[1] / "heat-agents"
"""Where the boot-config templates read the agent scripts from (`get_file: ../../../../../
heat-agents/...`), outside the corpus: allowed, as a user would with --allow-dir."""

KNOWN_DIFFERENCES: dict[str, re.Pattern[str]] = {}
"""What hotdsl's synth writes differently from the template on purpose: nothing at present."""

EXPECTED_INVALID = {
    "octavia/servers_with_octavia.yaml": "OS::Octavia::HealthMonitor has no property 'max_retries_down'",
}
"""Templates that Heat (27, the schema hotdsl knows) rejects, and why."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Survey:
    pairs = [(Path(t), [Path(e) for e in envs]) for t, envs in ENVIRONMENT_PAIRS]
    return survey(
        CORPUS, tmp_path_factory.mktemp("corpus"), environments=pairs, allow_dirs=[HEAT_AGENTS]
    )


def reason(entry: SurveyEntry) -> str:
    reasons = set()
    for difference in entry.detail:
        matched = [
            name for name, pattern in KNOWN_DIFFERENCES.items() if pattern.search(difference)
        ]
        reasons.add(matched[0] if matched else f"UNEXPECTED: {difference}")
    return "; ".join(sorted(reasons))


def report(corpus: Survey, *, detail: bool = True) -> str:
    templates = [e for e in corpus.templates if "+" not in str(e.path)]
    with_env = [e for e in corpus.templates if "+" in str(e.path)]
    exact = [e for e in templates if e.outcome == "exact"]
    lines = [
        f"corpus: {len(exact)} of {len(templates)} HOT templates round-trip exactly; "
        f"{sum(e.outcome == 'exact' for e in with_env)} of {len(with_env)} template + environment pairs; "
        f"not HOT templates: {len(corpus.of('environment'))} environment files, "
        f"{len(corpus.of('cfn'))} CloudFormation templates, {len(corpus.of('other'))} other YAML files"
    ]
    reasons = Counter(reason(e) for e in corpus.of("differs"))
    lines.extend(f"  differ ({count}): {why}" for why, count in sorted(reasons.items()))
    for entry in corpus.of("invalid", "rejected"):
        lines.append(f"  {entry.outcome}: {entry.path}: {entry.detail[0] if entry.detail else ''}")
    if detail:
        lines.extend(f"  differs: {e.path}: {reason(e)}" for e in corpus.of("differs"))
    return "\n".join(lines)


def test_every_corpus_template_is_imported_and_synthesized_back(
    corpus: Survey, capsys: pytest.CaptureFixture[str]
) -> None:
    text = report(corpus)
    with capsys.disabled():
        print("\n" + report(corpus, detail=False))
    assert not corpus.of("rejected"), text
    assert "UNEXPECTED" not in text, text
    invalid = {str(e.path): e.detail for e in corpus.of("invalid")}
    assert invalid.keys() == EXPECTED_INVALID.keys(), text
    for path, why in EXPECTED_INVALID.items():
        assert any(why in detail for detail in invalid[path]), invalid[path]
    exact = [e for e in corpus.templates if e.outcome == "exact" and "+" not in str(e.path)]
    assert len(exact) >= 89, text
    with_env = [e for e in corpus.templates if "+" in str(e.path)]
    assert all(e.outcome == "exact" for e in with_env), text


def test_the_corpus_has_what_the_survey_counts_apart(corpus: Survey) -> None:
    assert len(corpus.of("environment")) == 11  # each also imported with a template that uses it
    assert {str(e.path) for e in corpus.of("other")} >= {
        "software-config/example-templates/config-scripts/example-docker-compose.yml",
        "software-config/test-image/elements/python-dev/package-installs.yaml",
    }
    assert not corpus.of("cfn")  # the repository keeps its CloudFormation templates apart


def modules(corpus: Survey) -> list[Path]:
    return [e.module for e in corpus.templates if e.module is not None]


def test_every_generated_module_passes_mypy_strict(corpus: Survey) -> None:
    found = modules(corpus)
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--scripts-are-modules",
            *map(str, found),
        ],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]
    assert f"no issues found in {len(found)} source files" in checked.stdout


def test_every_generated_module_is_formatted_as_ruff_formats_it(corpus: Survey) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    found = modules(corpus)
    checked = subprocess.run(
        [str(ruff), "format", "--isolated", "--check", "--diff", *map(str, found)],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]


def test_every_generated_module_is_clean_under_ruff_check(corpus: Survey) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this Python")
    found = modules(corpus)
    # run where the modules are: in the repository, ruff would take hotdsl for first-party code
    checked = subprocess.run(
        [str(ruff), "check", "--isolated", "--select", "E4,E7,E9,F,I,B,RUF", *map(str, found)],
        capture_output=True,
        text=True,
        cwd=found[0].parent.parent,
    )
    assert checked.returncode == 0, checked.stdout[-5000:]


@pytest.mark.heat
def test_heat_accepts_each_synthesized_template_unless_the_survey_found_it_invalid(
    corpus: Survey, heat_validator: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Heat's own validation (Heat 27, real resource types) of what the modules synthesize.

    It must accept what the survey calls exact or differing, and reject what the survey
    calls invalid. Heat also rejects types it no longer has or whose service the
    validator's catalog lacks; such templates are listed, as invalid for this Heat.
    """
    from hotdsl.deploy.validation import validate_out_dir
    from hotdsl.project import load_app
    from hotdsl.synth import synth

    verdicts: dict[str, str] = {}
    for index, entry in enumerate(corpus.templates):
        assert entry.module is not None
        out = tmp_path / f"out{index}"
        synth(load_app(str(entry.module), entry.module.parent), out)
        rejected = [v.message for v in validate_out_dir(heat_validator.conn, out) if not v.ok]
        verdicts[str(entry.path)] = rejected[0] if rejected else ""
    for path in EXPECTED_INVALID:
        assert EXPECTED_INVALID[path].split("no property ")[-1].strip("'") in verdicts[path], (
            verdicts[path]
        )
    others = {path: why for path, why in verdicts.items() if why and path not in EXPECTED_INVALID}
    with capsys.disabled():
        print(
            f"\nHeat 27 validation: accepts {sum(not why for why in verdicts.values())} of {len(verdicts)}"
        )
        for path, why in sorted(others.items()):
            print(f"  rejects {path}: {why[:160]}")
    assert all(re.search(HEAT_LACKS, why) for why in others.values()), others


HEAT_LACKS = (
    r"could not be found|is not registered|not available|Service .* does not have required endpoint"
)
"""What Heat says about a type it does not have (any more) or a service the catalog lacks."""
