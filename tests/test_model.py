"""The construct tree: ids, paths, logical names, and the mistakes it refuses at once."""

from __future__ import annotations

import pytest

from hotdsl import App, Construct, ConstructError, Output, Parameter, Resource, Stack
from hotdsl.synth import synth_stack


class WebTier(Construct):
    """A user construct: two resources grouped under one id."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.port = Resource(
            self, "port", type="OS::Neutron::Port", properties={"network": "private"}
        )
        self.server = Resource(
            self,
            "server",
            type="OS::Nova::Server",
            properties={"image": "cirros", "flavor": "m1.tiny", "networks": [{"port": self.port}]},
        )


def test_every_node_has_scope_id_and_path() -> None:
    app = App()
    stack = Stack(app, "demo")
    web = WebTier(stack, "web")
    assert web.server.node.path == "demo/web/server"
    assert web.server.node.scope is web
    assert web.server.node.id == "server"
    assert web.server.node.stack is stack
    assert app.stacks == [stack]


def test_logical_names_join_the_path_below_the_stack_with_dots() -> None:
    app = App()
    stack = Stack(app, "demo")
    web = WebTier(stack, "web")
    top = Resource(stack, "top", type="OS::Heat::None")
    assert top.node.logical_name == "top"
    assert web.server.node.logical_name == "web.server"
    template = synth_stack(stack)
    assert list(template["resources"]) == ["web.port", "web.server", "top"]
    assert template["resources"]["web.server"]["properties"]["networks"] == [
        {"port": {"get_resource": "web.port"}}
    ]


def test_renaming_one_construct_changes_only_its_own_names() -> None:
    def names(tier_id: str) -> list[str]:
        app = App()
        stack = Stack(app, "demo")
        Resource(stack, "before", type="OS::Heat::None")
        WebTier(stack, tier_id)
        Resource(stack, "after", type="OS::Heat::None")
        return list(synth_stack(stack)["resources"])

    assert names("web") == ["before", "web.port", "web.server", "after"]
    assert names("frontend") == ["before", "frontend.port", "frontend.server", "after"]


def test_a_logical_name_can_be_pinned() -> None:
    app = App()
    stack = Stack(app, "demo")
    web = WebTier(stack, "web")
    web.server.node.override_logical_name("legacy_server")
    assert list(synth_stack(stack)["resources"]) == ["web.port", "legacy_server"]


def test_sibling_ids_must_be_unique_and_the_error_names_both_places() -> None:
    app = App()
    stack = Stack(app, "demo")
    Resource(stack, "web", type="OS::Heat::None")
    with pytest.raises(ConstructError) as error:
        Parameter(stack, "web")
    message = str(error.value)
    assert "test_model.py" in message and "already has a child with id 'web'" in message
    assert message.count("test_model.py:") == 2


@pytest.mark.parametrize("bad_id", ["", "a/b"])
def test_ids_are_non_empty_and_free_of_slashes(bad_id: str) -> None:
    stack = Stack(App(), "demo")
    with pytest.raises(ConstructError):
        Resource(stack, bad_id, type="OS::Heat::None")


def test_stack_names_follow_heats_rule() -> None:
    with pytest.raises(ConstructError, match="not a valid Heat stack name"):
        Stack(App(), "1-starts-with-a-digit")


def test_template_versions_take_dates_and_release_names() -> None:
    app = App()
    assert Stack(app, "a", template_version="pike").template_version == "2017-09-01"
    assert Stack(app, "b").template_version == "2021-04-16"
    with pytest.raises(ConstructError, match="accepted: 2013-05-23"):
        Stack(app, "c", template_version="2099-01-01")


def test_a_stack_subclass_builds_itself() -> None:
    class Demo(Stack):
        def __init__(self, scope: App, id: str) -> None:
            super().__init__(scope, id, description="demo")
            self.image = Parameter(self, "image", default="cirros")
            Output(self, "image_used", value=self.image)

    template = synth_stack(Demo(App(), "demo"))
    assert template["description"] == "demo"
    assert template["outputs"]["image_used"] == {"value": {"get_param": "image"}}
