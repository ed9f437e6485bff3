"""The app a CI job deploys with `deploy.py`: a stack that makes a token, one that uses it.

The token crosses from `ci-demo-base` to `ci-demo-web` as an output and a parameter,
so the deploy goes in that order.

    python deploy.py        # diff, deploy, outputs.json
"""

from __future__ import annotations

from hotdsl import App, Output, Stack
from hotdsl.stdlib import heat

app = App()
base = Stack(app, "ci-demo-base", description="A token for the web stack")
token = heat.RandomString(base, "token", length=16)
web = Stack(app, "ci-demo-web", description="Uses the base stack's token")
message = heat.Value(web, "message", value=token.attrs.value)
Output(web, "greeting", value=message.attrs.value)
