"""Synth speed at scale: hotdsl against troposphere on the same stack shape.

The shape is the one troposphere users write: one security group, and N servers
each with its own volume attached and a reference to the group. hotdsl builds the
model, resolves, validates and emits HOT YAML; troposphere builds its objects and
runs `to_yaml()` on the equivalent CloudFormation template. Both run in this
process, best of `--repeat` runs each.

    .venv/bin/python benchmarks/synth_scale.py [--resources 10001] [--repeat 3]

The last line printed is a JSON object: {"resources": N, "hotdsl_s": x, "troposphere_s": y}.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable


def build_and_synth_hotdsl(servers: int) -> int:
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
    result = synthesize(app)
    return len(result.stacks[0].text)


def build_and_synth_troposphere(servers: int) -> int:
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
    return len(template.to_yaml())


def best_of(repeat: int, action: Callable[[], int]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--resources", type=int, default=10001, help="total resources (1 group + 2 per server)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    servers = (args.resources - 1) // 2
    total = 1 + 2 * servers
    hotdsl_s = best_of(args.repeat, lambda: build_and_synth_hotdsl(servers))
    print(f"hotdsl: {total} resources, build + resolve + validate + emit: {hotdsl_s:.3f} s")
    troposphere_s = best_of(args.repeat, lambda: build_and_synth_troposphere(servers))
    print(f"troposphere: {total} resources, build + to_yaml(): {troposphere_s:.3f} s")
    print(
        json.dumps(
            {
                "resources": total,
                "hotdsl_s": round(hotdsl_s, 3),
                "troposphere_s": round(troposphere_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
