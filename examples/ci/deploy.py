"""A CI job that deploys the app through hotdsl's toolkit: diff, deploy, outputs.

Run it in the project folder (`python deploy.py`); the app and the cloud come from
`[tool.hotdsl]` in pyproject.toml. It prints the diff, stops when nothing would
change, deploys with every step and event on a line of the job's log, and writes the
outputs to outputs.json for later jobs. A problem is one line and exit code 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotdsl import HotdslError
from hotdsl.deploy.render import render_diff, render_outcome
from hotdsl.toolkit import DeployOptions, Observer, Target, Toolkit


class JobLog(Observer):
    """Steps, Heat's events and warnings, one line each, as the job's log wants them."""

    def say(self, stack: str, message: str) -> None:
        print(f"{stack}: {message}", flush=True)

    def event(self, stack: str, event: Mapping[str, Any]) -> None:
        print(f"{stack} | {event['resource_name']} {event['resource_status']}", flush=True)

    def warning(self, message: str) -> None:
        print(f"warning: {message}", file=sys.stderr)


def main() -> int:
    toolkit = Toolkit(Target(), JobLog())
    try:
        diff = toolkit.diff()
        print("\n".join(render_diff(stack) for stack in diff.stacks))
        if not diff.changed:
            print("nothing to deploy")
            return 0
        result = toolkit.deploy(DeployOptions(concurrency=2))
    except HotdslError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("\n".join(render_outcome(outcome) for outcome in result.outcomes))
    Path("outputs.json").write_text(json.dumps(result.outputs(), indent=2) + "\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
