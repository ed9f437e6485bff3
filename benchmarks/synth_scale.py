"""Synth speed at scale: hotdsl against troposphere on the same stack shape.

The shape is the one troposphere users write: one security group, and N servers
each with its own volume attached and a reference to the group. hotdsl builds the
model, resolves, validates and emits HOT YAML; troposphere builds its objects and
runs `to_json()` (its fast writer; `to_yaml()` is about ten times slower) on the
equivalent CloudFormation template. Both write their text to a file.

Each side is timed in this process (CPU by `time.process_time` and wall time, the
library already imported) and as a whole fresh process (import + build + synth +
write; CPU from the child's rusage; after one warm-up run that writes the bytecode
caches, as an installed package has them). The sides run back to back, `--repeat`
times; the machine may be shared, so the median counts (the best is shown too), and
CPU time is the figure to compare.

    .venv/bin/python benchmarks/synth_scale.py [--resources 10001] [--repeat 3]

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def build_and_synth_hotdsl(servers: int, out: Path) -> int:
    from hotdsl import App, Stack
    from hotdsl.stdlib.cinder import Volume
    from hotdsl.stdlib.neutron import SecurityGroup
    from hotdsl.stdlib.nova import Server
    from hotdsl.synth import synthesize

    app = App()
    stack = Stack(app, "scale")
    group = SecurityGroup(
        stack,
        "web_sg",
        description="web",
        rules=[
            {
                "protocol": "tcp",
                "port_range_min": 80,
                "port_range_max": 80,
                "remote_ip_prefix": "0.0.0.0/0",
            },
        ],
    )
    for i in range(servers):
        volume = Volume(stack, f"data{i}", size=10, name=f"data-{i}")
        Server(
            stack,
            f"server{i}",
            image="cirros",
            flavor="m1.small",
            security_groups=[group],
            block_device_mapping_v2=[{"volume_id": volume, "boot_index": -1, "device_name": "vdb"}],
        )
    text = synthesize(app).stacks[0].text
    (out / "scale.yaml").write_text(text, encoding="utf-8")
    return len(text)


def build_and_synth_troposphere(servers: int, out: Path) -> int:
    import troposphere
    from troposphere import Ref, Template, ec2

    troposphere.MAX_RESOURCES = 10**6  # CloudFormation's own cap (500) would stop the comparison
    template = Template()
    group = template.add_resource(
        ec2.SecurityGroup(
            "WebSg",
            GroupDescription="web",
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")
            ],
        )
    )
    for i in range(servers):
        volume = template.add_resource(ec2.Volume(f"Data{i}", Size=10, AvailabilityZone="az1"))
        template.add_resource(
            ec2.Instance(
                f"Server{i}",
                ImageId="cirros",
                InstanceType="m1.small",
                SecurityGroupIds=[Ref(group)],
                Volumes=[ec2.MountPoint(Device="/dev/vdb", VolumeId=Ref(volume))],
            )
        )
    text = template.to_json()
    (out / "scale.json").write_text(text, encoding="utf-8")
    return len(text)


SIDES: dict[str, Callable[[int, Path], int]] = {
    "hotdsl": build_and_synth_hotdsl,
    "troposphere": build_and_synth_troposphere,
}


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def in_process(action: Callable[[Path], int]) -> tuple[float, float]:
    """(CPU s, wall s) of one run in this process."""
    with tempfile.TemporaryDirectory() as tmp:
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        action(Path(tmp))
        return time.process_time() - cpu, time.perf_counter() - wall


def whole_process(side: str, servers: int) -> tuple[float, float]:
    """(CPU s, wall s) of a fresh process importing, building, synthesizing and writing."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-P", __file__, "--child", side, "--servers", str(servers), tmp],
            cwd=tmp,
            env=CHILD_ENV,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"the {side} process failed")
        return usage.ru_utime + usage.ru_stime, wall


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run of median CPU time (the upper one of an even count)."""
    return sorted(runs)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--resources", type=int, default=10001, help="total resources (1 group + 2 per server)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--servers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("out", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        SIDES[args.child](args.servers, Path(args.out))
        return
    servers = (args.resources - 1) // 2
    total = 1 + 2 * servers
    what = {
        "hotdsl": "build + resolve + validate + emit + write",
        "troposphere": "build + to_json() + write",
    }
    figures: dict[str, object] = {"resources": total}
    processes: dict[str, list[tuple[float, float]]] = {side: [] for side in SIDES}
    inside: dict[str, list[tuple[float, float]]] = {side: [] for side in SIDES}
    for side in SIDES:
        whole_process(side, servers)  # warm-up: bytecode caches
        SIDES[side](1, Path(tempfile.mkdtemp()))  # import outside the in-process timing
    for _ in range(args.repeat):
        for side, action in SIDES.items():
            processes[side].append(whole_process(side, servers))
            inside[side].append(in_process(functools.partial(action, servers)))
    for side in SIDES:
        cpu, wall = median(processes[side])
        print(
            f"{side}: {total} resources, whole process (import + {what[side]}): "
            f"CPU {cpu:.3f} s (best {min(processes[side])[0]:.3f} s), wall {wall:.3f} s"
        )
        figures[f"{side}_process_cpu_s"] = round(cpu, 3)
        figures[f"{side}_process_wall_s"] = round(wall, 3)
        cpu, wall = median(inside[side])
        print(
            f"{side}: {total} resources, in process ({what[side]}): "
            f"CPU {cpu:.3f} s (best {min(inside[side])[0]:.3f} s), wall {wall:.3f} s"
        )
        figures[f"{side}_cpu_s"] = round(cpu, 3)
        figures[f"{side}_s"] = round(wall, 3)
    ratio = median(processes["troposphere"])[0] / median(processes["hotdsl"])[0]
    print(f"whole process, troposphere CPU / hotdsl CPU = {ratio:.2f}x")
    figures["ratio"] = round(ratio, 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
