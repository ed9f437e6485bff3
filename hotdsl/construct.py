"""The construct tree: `App` holds `Stack`s, stacks hold resources and user constructs.

Every node has a scope (its parent), an id unique among its siblings, and a path
(`demo/web/server`). A node's logical name, its key in the template, comes from its
path below its stack by one rule (see `Node.logical_name`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from hotdsl.errors import ConstructError, ModelLockedError
from hotdsl.placement import Placement, check_place
from hotdsl.source import SourceLocation, caller_location
from hotdsl.versions import LATEST_VERSION, normalize_version

if TYPE_CHECKING:
    from hotdsl.environment import Environment, Stage

PATH_SEPARATOR = "/"
LOGICAL_NAME_SEPARATOR = "."

# Heat's own rule (heat/engine/stack.py, `_validate_stack_name`); `\Z` rather than Heat's
# `$`, which would also let a trailing newline through.
_STACK_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_.-]{0,254}\Z")

C = TypeVar("C", bound="Construct")


def is_heat_stack_name(name: object) -> bool:
    """Whether Heat accepts `name` as a stack name."""
    return isinstance(name, str) and _STACK_NAME.match(name) is not None


class Node:
    """The tree-side of a construct: scope, id, children, path, source location.

    Kept apart from the construct itself so that the names `id`, `scope` and `path`
    stay free for the user's own attributes and for resource properties.
    """

    __slots__ = ("_logical_name", "_stack", "children", "construct", "id", "location", "scope")

    def __init__(
        self, construct: Construct, scope: Construct | None, id: str, location: SourceLocation
    ) -> None:
        self.construct = construct
        self.scope = scope
        self.id = id
        self.children: dict[str, Construct] = {}
        self.location = location
        self._stack: Stack | None = None
        self._logical_name: str | None = None

    @property
    def path(self) -> str:
        """`demo/web/server`: the ids from below the app down to this node."""
        ids: list[str] = []
        node: Node | None = self
        while node is not None and node.scope is not None:
            ids.append(node.id)
            node = node.scope.node
        return PATH_SEPARATOR.join(reversed(ids))

    @property
    def stack(self) -> Stack:
        """The stack this node belongs to (itself for a stack)."""
        if self._stack is None:
            raise ConstructError(f"{self.path or '<app>'} is not inside a Stack")
        return self._stack

    @property
    def logical_name(self) -> str:
        """The node's key in its stack's template.

        The rule: the ids on the path from the stack down to the node, joined with
        `.`; a node directly in a stack is simply its id. (A nested stack's name is
        its name in its parent's template.) So adding, removing or
        renaming one construct changes only the names below it. Use
        `override_logical_name` to pin a name, for example when adopting a deployed
        stack whose resources must keep their names.
        """
        if self._logical_name is None:
            container = (
                self.scope.node._stack
                if isinstance(self.construct, Stack) and self.scope
                else self._stack
            )
            ids: list[str] = [self.id]
            node = self.scope.node if self.scope is not None else None
            while node is not None and node.construct is not container:
                ids.append(node.id)
                node = node.scope.node if node.scope is not None else None
            self._logical_name = LOGICAL_NAME_SEPARATOR.join(reversed(ids))
        return self._logical_name

    def override_logical_name(self, name: str) -> None:
        """Give this node an explicit name in the template instead of the derived one."""
        if not name or not isinstance(name, str):
            raise ConstructError("a logical name must be a non-empty string")
        self._logical_name = name

    def walk(self) -> Iterator[Construct]:
        """This node's construct and all its descendants, in creation order.

        Iterative, so that a tree thousands of levels deep does not exhaust Python's stack.
        """
        pending: list[Iterator[Construct]] = [iter((self.construct,))]
        while pending:
            for construct in pending[-1]:
                yield construct
                pending.append(iter(construct.node.children.values()))
                break
            else:
                pending.pop()

    def __repr__(self) -> str:
        return f"<Node {self.path or '<app>'}>"


class Construct:
    """A node of the tree. Subclass it to group resources into reusable pieces.

    ```python
    class WebTier(Construct):
        def __init__(self, scope: Construct, id: str, *, size: int) -> None:
            super().__init__(scope, id)
            self.server = Server(self, "server", ...)
    ```
    """

    node: Node

    def __init__(self, scope: Construct, id: str) -> None:
        self._attach(scope, id)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wrap each subclass's `__init__` so that a construction that fails leaves no trace.

        A user who catches the exception must not find the half-built node (and whatever
        it created below itself) still in the tree, where synth would write it.
        """
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "_hotdsl_unwinds", False):
            cls.__init__ = _unwinding(init)  # type: ignore[method-assign]

    def _attach(self, scope: Construct, id: str) -> None:
        """Record this node under `scope`, with the user's source location."""
        location = caller_location()
        if _locked_apps:
            _refuse_if_locked(self, scope, id, location)
        if not isinstance(scope, Construct):
            raise ConstructError(
                f"{location}: the scope of {type(self).__name__} {id!r} must be a construct "
                f"(an App, a Stack or a Construct), not {type(scope).__name__}"
            )
        _check_id(id, location)
        siblings = scope.node.children
        if id in siblings:
            first = siblings[id].node.location
            raise ConstructError(
                f"{location}: {scope.node.path or 'the app'} already has a child with id {id!r} "
                f"(created at {first}); ids must be unique within their scope"
            )
        node = Node(self, scope, id, location)
        node._stack = scope.node._stack
        self.node = node
        siblings[id] = self
        if node._stack is not None:
            node._stack._register(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.node.path}>"


_locked_apps: list[Construct] = []
"""The apps synth is reading now: their trees take no new construct."""


@contextmanager
def locked(app: Construct) -> Iterator[None]:
    """Lock the app's tree while synth reads it: a construct added meanwhile (by a
    `__hot__` method, say) would be missing from some templates and not others."""
    _locked_apps.append(app)
    try:
        yield
    finally:
        _locked_apps.remove(app)


def _refuse_if_locked(
    construct: Construct, scope: Construct, id: str, location: SourceLocation
) -> None:
    node = getattr(scope, "node", None)
    while isinstance(node, Node) and node.scope is not None:
        node = getattr(node.scope, "node", None)
    if node is None or not any(node.construct is app for app in _locked_apps):
        return
    path = PATH_SEPARATOR.join(p for p in (scope.node.path, str(id)) if p)
    raise ModelLockedError(
        f"{location}: {type(construct).__name__} {path} is created while the app is being "
        "synthesized; create every construct before synth (not in __hot__ or resolve())"
    )


def _shown(value: object) -> str:
    """A value for a one-line message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:50]}..."


def _unwinding(init: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self: Construct, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except BaseException:
            _detach(self)
            raise

    __init__._hotdsl_unwinds = True  # type: ignore[attr-defined]
    return __init__


def _detach(construct: Construct) -> None:
    """Take a construct and everything below it out of the tree (after a failed construction)."""
    node = construct.__dict__.get("node")
    if not isinstance(node, Node) or node.scope is None:
        return
    scope = node.scope.node
    if scope.children.get(node.id) is construct:
        del scope.children[node.id]
    owner = scope._stack
    if owner is not None:
        gone = {id(c) for c in node.walk()}
        owner._members[:] = [m for m in owner._members if id(m) not in gone]


def _check_id(id: object, location: SourceLocation) -> None:
    if not isinstance(id, str) or not id:
        raise ConstructError(f"{location}: a construct id must be a non-empty string, got {id!r}")
    if PATH_SEPARATOR in id:
        raise ConstructError(f"{location}: construct id {id!r} must not contain {PATH_SEPARATOR!r}")
    if id.isascii():
        return
    try:
        id.encode("utf-8")
    except UnicodeEncodeError:
        raise ConstructError(
            f"{location}: construct id {id!r} holds a lone surrogate, which no template or "
            "file name can hold; decode its bytes properly"
        ) from None


class App(Construct):
    """The root of the tree: holds the stacks that `hotdsl synth` writes out."""

    def __init__(self) -> None:
        self.node = Node(self, None, "", caller_location())
        self.stages: list[Stage] = []
        """The app's stages (dev, prod, ...), in creation order; see `hotdsl.Stage`."""

    @property
    def stacks(self) -> list[Stack]:
        """The app's top-level stacks (those deployed on their own), in creation order."""
        return [
            c
            for c in self.node.walk()
            if isinstance(c, Stack)
            and c.node.scope is not None
            and c.node.scope.node._stack is None
        ]


class Stack(Construct):
    """One Heat stack: one template, deployed under `stack_name` (the id by default).

    `cloud` and `region` deploy it to that clouds.yaml entry and region in every stage
    (another stack's values reach it through outputs read from the producer's cloud).

    `template_version` takes a date (`2018-08-31`) or a release name (`rocky`); the
    newest version is the default.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        description: str | None = None,
        template_version: str = LATEST_VERSION,
        stack_name: str | None = None,
        environment: Environment | None = None,
        cloud: str | None = None,
        region: str | None = None,
    ) -> None:
        location = caller_location()
        _check_id(id, location)
        try:
            version = normalize_version(template_version)
        except ValueError as exc:
            raise ConstructError(f"{location}: {exc}") from None
        name = stack_name or id
        if isinstance(name, str) and len(name) > 255 and is_heat_stack_name(name[:255]):
            raise ConstructError(
                f"{location}: the stack name {_shown(name)} is {len(name)} characters long; "
                "Heat allows at most 255"
            )
        if not is_heat_stack_name(name):
            raise ConstructError(
                f"{location}: {_shown(name)} is not a valid Heat stack name: it must start with a "
                "letter and hold only letters, digits, '_', '.' and '-' (at most 255)"
            )
        self._members: list[Construct] = []
        self.environment = environment
        """The stack's own environment, applied in every stage before the stage's."""
        self.placement = Placement(
            check_place("cloud", cloud, location), check_place("region", region, location)
        )
        """The clouds.yaml entry and region this stack is deployed to, whatever its stage's
        (`hotdsl.placement` says how it combines with the stage's and the CLI's)."""
        super().__init__(scope, id)
        self.node._stack = self
        self.description = description
        self.template_version = version
        self.stack_name = name
        self.write_empty_resources = True
        """Whether a stack without resources is written with `resources: {}`; Heat reads a
        template without the section the same way (`hotdsl import` keeps a template's
        missing section missing)."""

    def _register(self, member: Construct) -> None:
        self._members.append(member)

    @property
    def members(self) -> list[Construct]:
        """Every construct of this stack's template, in creation order.

        A nested stack is a member of its parent (it is a resource there); what is
        inside it is not.
        """
        return list(self._members)

    def members_of_type(self, cls: type[C]) -> list[C]:
        """The members that are instances of `cls`, in creation order."""
        return [m for m in self._members if isinstance(m, cls)]
