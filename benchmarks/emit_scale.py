"""How fast does `emit_yaml` write a very large HOT template, next to PyYAML's C dumper?

Builds a template shaped like a real one (a security group, servers with intrinsic
calls, networks, metadata and a user_data script, volumes, parameters and outputs),
times both writers (best of 5), checks that the libyaml loader reads our text back
equal, and prints a JSON summary as its last line.

    .venv/bin/python benchmarks/emit_scale.py [--resources 10001]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import yaml

from hotdsl.synth.emit import emit_yaml

USER_DATA = """#!/bin/bash
set -eu
echo "{name}: ready" > /etc/motd
systemctl enable --now nginx
"""


def build_template(resources: int) -> dict[str, object]:
    """A HOT document with *resources* resources: one security group, then half
    servers and half volumes."""
    servers = resources // 2
    volumes = resources - 1 - servers
    body: dict[str, object] = {
        "sg": {
            "type": "OS::Neutron::SecurityGroup",
            "properties": {
                "description": "web servers",
                "rules": [
                    {"protocol": "tcp", "port_range_min": 80, "port_range_max": 80},
                    {"protocol": "tcp", "port_range_min": 443, "port_range_max": 443},
                    {"protocol": "icmp", "remote_ip_prefix": "0.0.0.0/0"},
                ],
            },
        }
    }
    for index in range(servers):
        name = f"web-{index:05d}"
        body[f"server_{index:05d}"] = {
            "type": "OS::Nova::Server",
            "properties": {
                "name": name,
                "image": {"get_param": "image"},
                "flavor": {"get_param": "flavor"},
                "key_name": {"get_param": "key_name"},
                "networks": [{"network": {"get_param": "network"}}],
                "security_groups": [{"get_resource": "sg"}],
                "metadata": {"role": "web", "index": index, "zone": f"az-{index % 3}"},
                "user_data_format": "RAW",
                "user_data": USER_DATA.format(name=name),
            },
        }
    for index in range(volumes):
        body[f"volume_{index:05d}"] = {
            "type": "OS::Cinder::Volume",
            "properties": {"size": 10 + index % 5, "name": f"data-{index:05d}"},
        }
    return {
        "heat_template_version": "2021-04-16",
        "description": f"Scale test: {resources} resources",
        "parameters": {
            "image": {"type": "string", "default": "ubuntu-24.04"},
            "flavor": {"type": "string", "default": "m1.small"},
            "key_name": {"type": "string"},
            "network": {"type": "string", "default": "private"},
        },
        "resources": body,
        "outputs": {
            "first_address": {
                "description": "Address of the first server",
                "value": {"get_attr": ["server_00000", "first_address"]},
            },
            "security_group": {"value": {"get_resource": "sg"}},
        },
    }


def best_of(runs: int, write: Callable[[], str]) -> tuple[float, str]:
    best = float("inf")
    text = ""
    for _ in range(runs):
        start = time.perf_counter()
        text = write()
        best = min(best, time.perf_counter() - start)
    return best, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10001)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    document = build_template(args.resources)

    ours, text = best_of(args.runs, lambda: emit_yaml(document))
    pyyaml, _ = best_of(
        args.runs,
        lambda: yaml.dump(
            document, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False
        ),
    )
    if yaml.load(text, Loader=yaml.CSafeLoader) != document:
        raise SystemExit("emit_yaml output does not read back equal to the document")

    print(f"emit_yaml:          {ours:.3f} s, {len(text.encode()) / 1e6:.1f} MB")
    print(f"PyYAML CSafeDumper: {pyyaml:.3f} s ({pyyaml / ours:.1f}x slower)")
    summary = {
        "resources": len(document["resources"]),  # type: ignore[arg-type]
        "hotdsl_emit_s": round(ours, 4),
        "pyyaml_csafe_s": round(pyyaml, 4),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
