"""How well, and how fast, does `hotdsl import` take over a real template set?

Surveys the HOT templates of the openstack/heat-templates corpus (by default
`../shared/corpus/heat-templates` beside the repository): every template is imported
into a module, the module is run, synthesized and compared with the original. Reports
what came back: the same text byte for byte, the same data (`exact`), data Heat reads
alike (`equivalent`), other data (`differs`), invalid, stricter than Heat, refused by
the importer (each with its reason), and which construct each nested template became.
With `--cloud NAME` the labels follow that Heat's verdict (its validate call) on each
template, as `hotdsl import FOLDER --cloud` does.

Then the time of the whole pass (the first, cold one, which also loads hotdsl's typed
classes, and the best of the following), split into import (template -> module text)
and synth back (write, run, synthesize, compare); then the same for one generated
template of `--resources` resources. Prints a JSON summary as its last line.

    .venv/bin/python benchmarks/import_corpus.py [--corpus DIR] [--repeat 3] [--resources 2000]
        [--cloud NAME]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

from hotdsl.importer import import_template
from hotdsl.importer.roundtrip import write_and_check
from hotdsl.importer.survey import TEMPLATE_OUTCOMES, HeatCheck, Survey, heat_check, survey

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "heat-templates"
HEAT_AGENTS = CORPUS.parents[1] / "heat-agents"
"""Where the boot-config templates read agent scripts from (as the corpus test allows)."""


def one_pass(corpus: Path, heat: HeatCheck | None = None) -> tuple[float, Survey, Counter[str]]:
    """(seconds, survey, how many nested templates became each construct)."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = survey(corpus, Path(folder), allow_dirs=[HEAT_AGENTS], heat=heat)
        elapsed = time.perf_counter() - start
        forms: Counter[str] = Counter()
        for entry in result.templates:
            if entry.module is not None and entry.module.exists():
                text = entry.module.read_text(encoding="utf-8")
                for base in ("NestedStack", "RemoteStack", "TemplateResource"):
                    forms[base] += len(re.findall(rf"^class \w+\({base}\):", text, re.M))
        return elapsed, result, forms


def quality(result: Survey, forms: Counter[str]) -> tuple[list[str], dict[str, object]]:
    """Lines saying what came back, and the same as JSON."""
    templates = result.templates
    counts = Counter(e.outcome for e in templates)
    same_text = sum(e.same_text for e in templates)
    lines = [
        f"{len(templates)} HOT templates: {same_text} give back the same text, "
        f"{counts['exact']} the same data (exact), "
        + ", ".join(f"{counts[o]} {o}" for o in TEMPLATE_OUTCOMES if o != "exact"),
        f"not templates: {len(result.of('environment'))} environments, "
        f"{len(result.of('cfn'))} CloudFormation, {len(result.of('other'))} other",
        "nested templates became: " + ", ".join(f"{n} {base}" for base, n in sorted(forms.items())),
    ]
    for entry in result.of("equivalent", "differs", "invalid", "stricter", "rejected", "bug"):
        lines.append(f"  {entry.outcome}: {entry.path}: {entry.detail[0] if entry.detail else ''}")
    summary: dict[str, object] = {
        "templates": len(templates),
        "same_text": same_text,
        **{outcome: counts[outcome] for outcome in TEMPLATE_OUTCOMES},
        "forms": dict(forms),
    }
    return lines, summary


def large_template(resources: int) -> dict[str, object]:
    """Ports and servers that refer to each other and to parameters, with scripts and outputs."""
    body: dict[str, object] = {}
    servers = resources // 2
    for index in range(servers):
        body[f"port_{index}"] = {
            "type": "OS::Neutron::Port",
            "properties": {
                "network": {"get_param": "network"},
                "fixed_ips": [{"subnet": {"get_param": "subnet"}}],
            },
        }
        body[f"server_{index}"] = {
            "type": "OS::Nova::Server",
            "properties": {
                "image": {"get_param": "image"},
                "flavor": {"get_param": "flavor"},
                "networks": [{"port": {"get_resource": f"port_{index}"}}],
                "user_data": {
                    "str_replace": {
                        "template": "#!/bin/sh\necho $NAME > /etc/motd\n",
                        "params": {"$NAME": f"web-{index}"},
                    }
                },
            },
        }
    return {
        "heat_template_version": "2018-08-31",
        "parameters": {
            name: {"type": "string", "default": name}
            for name in ("image", "flavor", "network", "subnet")
        },
        "resources": body,
        "outputs": {
            f"address_{i}": {"value": {"get_attr": [f"server_{i}", "first_address"]}}
            for i in range(servers)
        },
    }


def scale(resources: int) -> tuple[float, float, bool]:
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "large.yaml"
        template.write_text(
            yaml.safe_dump(large_template(resources), sort_keys=False), encoding="utf-8"
        )
        start = time.perf_counter()
        result = import_template(template)
        imported = time.perf_counter()
        outcome = write_and_check(result, Path(folder) / "out" / "large.py")
        return imported - start, time.perf_counter() - imported, outcome.exact


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="warm passes after the first")
    parser.add_argument(
        "--resources", type=int, default=2000, help="size of the generated template (0: skip)"
    )
    parser.add_argument(
        "--cloud", help="label templates by this cloud's Heat (a clouds.yaml entry) too"
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        raise SystemExit(f"no corpus at {args.corpus}; pass --corpus DIR")

    cold, first, forms = one_pass(args.corpus)
    warm = [one_pass(args.corpus)[:2] for _ in range(args.repeat)]
    best, result = min(warm, key=lambda w: w[0]) if warm else (cold, first)
    templates = result.templates
    import_s = sum(e.import_seconds for e in templates)
    synth_s = sum(e.synth_seconds for e in templates)
    lines, summary = quality(first, forms)
    print(f"corpus: {args.corpus.name}, by hotdsl's checks: " + "\n".join(lines))
    if args.cloud:
        from hotdsl.deploy.connection import connect

        _, judged, forms = one_pass(args.corpus, heat_check(connect(args.cloud)))
        heat_lines, heat_summary = quality(judged, forms)
        print(
            f"corpus: {args.corpus.name}, by Heat's verdict on {args.cloud}: "
            + "\n".join(heat_lines)
        )
        summary["by_heat"] = heat_summary
    print(f"whole pass (import, write, run, synth, compare), cold: {cold:.3f} s")
    print(
        f"whole pass, best of {len(warm)} warm: {best:.3f} s "
        f"(import {import_s:.3f} s, synth back and compare {synth_s:.3f} s; "
        f"{1000 * best / max(len(templates), 1):.1f} ms per template)"
    )
    summary.update(
        {
            "cold_s": round(cold, 3),
            "warm_s": round(best, 3),
            "import_s": round(import_s, 3),
            "synth_back_s": round(synth_s, 3),
        }
    )
    if args.resources:
        imported, synthesized, same = scale(args.resources)
        print(
            f"one template of {args.resources} resources: import {imported:.3f} s, "
            f"synth back and compare {synthesized:.3f} s, {'exact' if same else 'NOT exact'}"
        )
        summary.update(
            {
                "large_resources": args.resources,
                "large_import_s": round(imported, 3),
                "large_synth_back_s": round(synthesized, 3),
                "large_exact": same,
            }
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
