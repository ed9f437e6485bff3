"""The app's own tests, run by CI before any diff or deploy (`python -m pytest -q`)."""

from __future__ import annotations

from app import base, web

from hotdsl.testing import Template


def test_the_web_stack_takes_the_token_of_the_base_stack() -> None:
    Template.from_stack(base).resource_count_is("OS::Heat::RandomString", 1)
    template = Template.from_stack(web)
    template.has_resource_properties(
        "OS::Heat::Value", {"value": {"get_param": "import.ci-demo-base.token.value"}}
    )
