"""Whole-process synth of a realistic stack: hotdsl against troposphere's `to_json()`.

The stack: one security group, then per server a typed port (in the group), a volume,
the server (on the port) and the volume attachment, plus one output per server: 10,001
resources and 2,500 outputs by default. troposphere builds the equivalent
CloudFormation template (SecurityGroup, NetworkInterface, Volume, Instance,
VolumeAttachment, Output) and writes it with `to_json()`.

Each side runs as a fresh Python process that imports its library, builds, synthesizes
and writes its file; its CPU time (user + system, from the child's rusage) is the
figure compared. The two sides run back to back, `--repeat` times, after one warm-up
run each (which also writes the bytecode caches: the children may write them even if
this process may not, as an installed package has them); the median counts, since the
machine may be shared, and the best is shown too. The in-process figure (build + synth
+ write of an already imported library, by `time.process_time`) is measured the same way.

Targets (issue 16): (a) whole process, hotdsl at least 2.5x less CPU than troposphere;
(b) 10,001 resources in process at most 0.25 s of CPU.

    .venv/bin/python benchmarks/synth_realistic.py [--resources 10001] [--repeat 5]

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WHOLE_PROCESS_RATIO = 2.5
IN_PROCESS_CPU_S = 0.25


def hotdsl_side(servers: int, out_dir: Path) -> None:
    """Build the stack with hotdsl's typed resources and synth it into `out_dir`."""
    from hotdsl import App, Output, Stack
    from hotdsl.stdlib.cinder import Volume, VolumeAttachment
    from hotdsl.stdlib.neutron import Port, SecurityGroup
    from hotdsl.stdlib.nova import Server, ServerNetworksItem
    from hotdsl.synth import synth

    app = App()
    stack = Stack(app, "realistic")
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
        port = Port(stack, f"port{i}", network="private", security_groups=[group])
        volume = Volume(stack, f"data{i}", size=10, name=f"data-{i}")
        server = Server(
            stack,
            f"server{i}",
            image="cirros",
            flavor="m1.small",
            networks=[ServerNetworksItem(port=port)],
        )
        VolumeAttachment(
            stack, f"attach{i}", instance_uuid=server, volume_id=volume, mountpoint="/dev/vdb"
        )
        Output(stack, f"address{i}", value=server.attrs.get("networks", "private", 0))
    synth(app, out_dir)


def troposphere_side(servers: int, out_dir: Path) -> None:
    """Build the equivalent CloudFormation template and write it with `to_json()`."""
    import troposphere
    from troposphere import GetAtt, Output, Ref, Template, ec2

    troposphere.MAX_RESOURCES = 10**6  # CloudFormation's own caps would stop the comparison
    troposphere.MAX_OUTPUTS = 10**6
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
        port = template.add_resource(
            ec2.NetworkInterface(f"Port{i}", SubnetId="private", GroupSet=[Ref(group)])
        )
        volume = template.add_resource(
            ec2.Volume(f"Data{i}", Size=10, AvailabilityZone="az1", Tags=[])
        )
        server = template.add_resource(
            ec2.Instance(
                f"Server{i}",
                ImageId="cirros",
                InstanceType="m1.small",
                NetworkInterfaces=[
                    ec2.NetworkInterfaceProperty(NetworkInterfaceId=Ref(port), DeviceIndex="0")
                ],
            )
        )
        template.add_resource(
            ec2.VolumeAttachment(
                f"Attach{i}", InstanceId=Ref(server), VolumeId=Ref(volume), Device="/dev/vdb"
            )
        )
        template.add_output(Output(f"Address{i}", Value=GetAtt(server, "PrivateIp")))
    (out_dir / "realistic.json").write_text(template.to_json())


SIDES = {"hotdsl": hotdsl_side, "troposphere": troposphere_side}
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def whole_process(side: str, servers: int) -> tuple[float, float, int]:
    """(CPU s, wall s, bytes written) of one fresh process running one side."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-P", __file__, "--child", side, "--servers", str(servers), str(out)],
            cwd=tmp,
            env=CHILD_ENV,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"the {side} process failed with exit code {child.returncode}")
        written = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return usage.ru_utime + usage.ru_stime, wall, written


def in_process(side: str, servers: int) -> tuple[float, float]:
    """(CPU s, wall s) of build + synth + write in this process, the library already imported."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        SIDES[side](servers, out)
        return time.process_time() - cpu, time.perf_counter() - wall


def median(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    """The run of median CPU time (the upper one of an even count)."""
    ordered = sorted(runs, key=lambda run: run[0])
    return ordered[len(ordered) // 2]


def best(runs: list[tuple[float, ...]]) -> tuple[float, ...]:
    return min(runs, key=lambda run: run[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10001, help="1 group + 4 per server")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--servers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("out", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        SIDES[args.child](args.servers, Path(args.out))
        return
    servers = (args.resources - 1) // 4
    total = 1 + 4 * servers
    print(
        f"{total} resources, {servers} outputs; median (and best) of {args.repeat} runs, "
        "the sides back to back (CPU = user + sys)"
    )
    figures: dict[str, object] = {"resources": total, "outputs": servers}
    runs: dict[str, list[tuple[float, ...]]] = {side: [] for side in SIDES}
    for side in SIDES:
        whole_process(side, servers)  # warm-up: bytecode caches
    for _ in range(args.repeat):
        for side in SIDES:
            runs[side].append(whole_process(side, servers))
    whole = {side: median(measured) for side, measured in runs.items()}
    for side in SIDES:
        cpu, wall, written = whole[side]
        print(
            f"{side:>12} whole process (import + build + synth + write): "
            f"CPU {cpu:.3f} s (best {best(runs[side])[0]:.3f} s), wall {wall:.3f} s, "
            f"{int(written):,} bytes written"
        )
        figures[f"{side}_process_cpu_s"] = round(cpu, 3)
        figures[f"{side}_process_best_cpu_s"] = round(best(runs[side])[0], 3)
        figures[f"{side}_process_wall_s"] = round(wall, 3)
    inside: dict[str, list[tuple[float, ...]]] = {side: [] for side in SIDES}
    for side in SIDES:
        SIDES[side](1, Path(tempfile.mkdtemp()))  # import and warm up outside the timing
    for _ in range(args.repeat):
        for side in SIDES:
            inside[side].append(in_process(side, servers))
    for side in SIDES:
        cpu, wall = median(inside[side])
        print(
            f"{side:>12} in process (build + synth + write): CPU {cpu:.3f} s "
            f"(best {best(inside[side])[0]:.3f} s), wall {wall:.3f} s"
        )
        figures[f"{side}_in_process_cpu_s"] = round(cpu, 3)
        figures[f"{side}_in_process_best_cpu_s"] = round(best(inside[side])[0], 3)
        figures[f"{side}_in_process_wall_s"] = round(wall, 3)
    ratio = whole["troposphere"][0] / whole["hotdsl"][0]
    in_cpu = float(figures["hotdsl_in_process_cpu_s"])  # type: ignore[arg-type]
    met_a = ratio >= WHOLE_PROCESS_RATIO
    met_b = in_cpu <= IN_PROCESS_CPU_S
    print(
        f"target (a) whole process, troposphere CPU / hotdsl CPU = {ratio:.2f}x "
        f"(target >= {WHOLE_PROCESS_RATIO}x): {'met' if met_a else 'NOT met'}"
    )
    print(
        f"target (b) {total} resources in process, hotdsl CPU {in_cpu:.3f} s "
        f"(target <= {IN_PROCESS_CPU_S} s): {'met' if met_b else 'NOT met'}"
    )
    figures.update(ratio=round(ratio, 2), target_a_met=met_a, target_b_met=met_b)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
