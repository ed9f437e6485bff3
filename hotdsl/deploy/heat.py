"""A small client for the Heat calls hotdsl makes, over openstacksdk's orchestration proxy.

openstacksdk's own stack methods are avoided where they are wrong or short: its
`update_stack(preview=True)` runs a real update, its validate cannot send files, and
its event listing never pages. Every call here goes through the proxy's session (so
auth, endpoints and TLS are openstacksdk's), with one retry policy: requests that are
safe to repeat (reads, previews, validation, deletes) are retried with backoff on
5xx answers and broken connections; a create is never repeated blindly.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from hotdsl.errors import HotdslError

if TYPE_CHECKING:
    from openstack.connection import Connection

TERMINAL_SUFFIXES = ("_COMPLETE", "_FAILED")


class HeatError(HotdslError):
    """Heat refused a request; the message is Heat's own."""

    def __init__(self, message: str, status: int | None = None, kind: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class TransientError(HeatError):
    """A 5xx answer or a broken connection: the request may or may not have reached Heat."""


@attrs.frozen
class StackRef:
    """A deployed stack: name, id, status."""

    name: str
    id: str
    status: str
    status_reason: str = ""
    updated_time: str | None = None
    creation_time: str | None = None
    outputs: tuple[dict[str, Any], ...] = ()
    parameters: dict[str, Any] = attrs.field(factory=dict)
    tags: tuple[str, ...] = ()
    timeout_mins: int | None = None
    """The stack's own timeout (None: the cloud's default, 60 minutes unless changed)."""

    @property
    def path(self) -> str:
        return f"/stacks/{urllib.parse.quote(self.name, safe='')}/{self.id}"

    @property
    def in_progress(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")

    @property
    def action(self) -> str:
        """CREATE, UPDATE, DELETE, ROLLBACK, ...: the action the status is about."""
        return self.status.split("_", 1)[0]

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> StackRef:
        tags = data.get("tags") or []
        if isinstance(tags, str):  # older Heat answers a comma-separated string
            tags = [tag for tag in tags.split(",") if tag]
        return cls(
            name=data["stack_name"],
            id=data["id"],
            status=data.get("stack_status", ""),
            status_reason=data.get("stack_status_reason") or "",
            updated_time=data.get("updated_time"),
            creation_time=data.get("creation_time"),
            outputs=tuple(data.get("outputs") or ()),
            parameters=dict(data.get("parameters") or {}),
            tags=tuple(str(tag) for tag in tags),
            timeout_mins=data.get("timeout_mins"),
        )


class HeatClient:
    """The Heat API as hotdsl uses it. Counts its HTTP requests (for the benchmarks)."""

    def __init__(
        self,
        conn: Connection,
        *,
        retries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.proxy = self._orchestration(conn)

    def _orchestration(self, conn: Connection) -> Any:
        """openstacksdk's orchestration proxy; making it reads Heat's version document.

        That first read is retried like any other; when Heat never answers, the error is
        a HeatError (a short message from the CLI), not keystoneauth's traceback.
        """
        from keystoneauth1 import exceptions as ksa

        attempt = 0
        while True:
            attempt += 1
            try:
                return conn.orchestration
            except (ksa.DiscoveryFailure, ksa.ConnectionError, ksa.UnknownConnectionError) as exc:
                if attempt > self.retries:
                    raise TransientError(
                        f"Heat's API does not answer ({attempt} attempts): {exc}"
                    ) from exc
                self.sleep(self.backoff * 2 ** (attempt - 1))

    # --- transport --------------------------------------------------------------------

    def _call(
        self,
        method: str,
        url: str,
        *,
        json: object = None,
        safe: bool = True,
        ok: tuple[int, ...] = (200, 201, 202, 204),
    ) -> Any:
        """One API call; retried when `safe` and the failure is transient."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(method, url, json, ok)
            except TransientError:
                if not safe or attempt > self.retries:
                    raise
                self.sleep(self.backoff * 2 ** (attempt - 1))

    def _once(self, method: str, url: str, body: object, ok: tuple[int, ...]) -> Any:
        from keystoneauth1 import exceptions as ksa

        self.requests += 1
        try:
            response = self.proxy.request(
                url, method, json=body, raise_exc=False, headers={"Accept": "application/json"}
            )
        except (ksa.ConnectionError, ksa.UnknownConnectionError) as exc:
            raise TransientError(
                f"{method} {url}: connection failed ({type(exc).__name__})"
            ) from exc
        status = response.status_code
        if status in ok:
            if status == 204 or not response.content:
                return None
            return response.json()
        message, kind = _heat_message(response)
        if status >= 500 or status in (408, 429):
            raise TransientError(f"{method} {url}: Heat answered {status}: {message}", status, kind)
        raise HeatError(message, status, kind)

    # --- stacks -----------------------------------------------------------------------

    def find_stack(self, name: str) -> StackRef | None:
        """The stack named (or with the id) `name`, or None (deleted stacks count as none, and
        so do `.` and `..`, which would be read as another path of the API)."""
        if name in ("", ".", ".."):
            return None
        try:
            data = self._call("GET", f"/stacks/{urllib.parse.quote(name, safe='')}")
        except HeatError as exc:
            if exc.status == 404:
                return None
            raise
        ref = StackRef.from_api(data["stack"])
        return None if ref.status == "DELETE_COMPLETE" else ref

    def stacks_tagged(self, tag: str, *, limit: int = 200) -> list[StackRef]:
        """Every stack carrying `tag` (Heat's list filter), page by page."""
        found: list[StackRef] = []
        marker = None
        while True:
            query = {"tags": tag, "limit": str(limit)}
            if marker:
                query["marker"] = marker
            page = self._call("GET", f"/stacks?{urllib.parse.urlencode(query)}")["stacks"]
            found += [StackRef.from_api(item) for item in page]
            if len(page) < limit:
                return found
            marker = page[-1]["id"]

    def list_stacks(self, *, limit: int = 200) -> list[StackRef]:
        """Every stack of the project the caller can see (top-level ones), page by page."""
        found: list[StackRef] = []
        marker = None
        while True:
            query = {"limit": str(limit), "sort_keys": "stack_name", "sort_dir": "asc"}
            if marker:
                query["marker"] = marker
            page = self._call("GET", f"/stacks?{urllib.parse.urlencode(query)}")["stacks"]
            found += [StackRef.from_api(item) for item in page]
            if len(page) < limit:
                return [ref for ref in found if ref.status != "DELETE_COMPLETE"]
            marker = page[-1]["id"]

    def abandon_stack(self, ref: StackRef) -> dict[str, Any]:
        """Delete the stack from Heat but keep its resources; Heat's record of them, to adopt.

        Never retried: an abandon that reached Heat cannot be repeated.
        """
        data: dict[str, Any] = self._call("DELETE", f"{ref.path}/abandon", safe=False)
        return data

    def get_stack(self, ref: StackRef) -> StackRef:
        return StackRef.from_api(self._call("GET", ref.path)["stack"])

    def create_stack(self, name: str, body: dict[str, Any]) -> StackRef:
        """Create a stack. After a transient failure the stack is looked up before any retry."""
        request = {"stack_name": name, **body}
        for attempt in range(self.retries + 1):
            try:
                data = self._call("POST", "/stacks", json=request, safe=False)
                return StackRef(name=name, id=data["stack"]["id"], status="CREATE_IN_PROGRESS")
            except TransientError:
                existing = self._find_after_failure(name)
                if existing is not None:
                    return existing
                if attempt == self.retries:
                    raise
                self.sleep(self.backoff * 2**attempt)
            except HeatError as exc:
                # A retry answered "already exists": the attempt that failed reached Heat
                # after all, later than the lookup that followed it.
                existing = self._find_after_failure(name) if exc.status == 409 and attempt else None
                if existing is None:
                    raise
                return existing
        raise AssertionError("unreachable")

    def _find_after_failure(self, name: str) -> StackRef | None:
        try:
            return self.find_stack(name)
        except TransientError:
            return None

    def update_stack(self, ref: StackRef, body: dict[str, Any]) -> None:
        """Update a stack (PUT replaces template, environment and files as a whole).

        After a transient failure the stack's status says whether Heat took the update
        (it is then in progress, or finished with a newer update time) before any retry.
        """
        for attempt in range(self.retries + 1):
            try:
                self._call("PUT", ref.path, json=body, safe=False)
                return
            except TransientError:
                try:
                    now = self.get_stack(ref)
                except TransientError:
                    now = None
                if now is not None and (now.in_progress or now.updated_time != ref.updated_time):
                    return
                if attempt == self.retries:
                    raise
                self.sleep(self.backoff * 2**attempt)

    def preview_update(
        self, ref: StackRef, body: dict[str, Any]
    ) -> dict[str, list[dict[str, Any]]]:
        """Heat's own prediction of an update: added, deleted, replaced, updated, unchanged."""
        try:
            data = self._call("PUT", f"{ref.path}/preview?show_nested=True", json=body)
        except HeatError as exc:
            if exc.kind != "HTTPBadRequest":
                raise
            # Heat 27 fails to format nested changes when a nested stack is added (e.g. a
            # ResourceGroup grows); the top-level preview still answers.
            data = self._call("PUT", f"{ref.path}/preview", json=body)
        changes: dict[str, list[dict[str, Any]]] = data["resource_changes"]
        return changes

    def delete_stack(self, ref: StackRef) -> None:
        try:
            self._call("DELETE", ref.path)
        except HeatError as exc:
            if exc.status != 404:
                raise

    def template(self, ref: StackRef) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"{ref.path}/template")
        return result

    def environment(self, ref: StackRef) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"{ref.path}/environment")
        return result

    def files(self, ref: StackRef) -> dict[str, str]:
        result: dict[str, str] = self._call("GET", f"{ref.path}/files")
        return result

    def build_info(self) -> dict[str, Any]:
        """Heat's `/build_info`: the revisions of its API and engine ("unknown" unless set)."""
        result: dict[str, Any] = self._call("GET", "/build_info")
        return result

    def template_versions(self) -> list[dict[str, Any]]:
        """The template versions this Heat reads: `version` (`heat_template_version.2021-04-16`),
        `type` and `aliases`."""
        result: list[dict[str, Any]] = self._call("GET", "/template_versions")["template_versions"]
        return result

    def resource_types(self) -> list[str]:
        """The resource types this Heat offers to the caller (its global environment, less
        hidden types, types its policy denies and types whose service is missing)."""
        result: list[str] = self._call("GET", "/resource_types")["resource_types"]
        return result

    def resource_type(self, name: str) -> dict[str, Any]:
        """One resource type's schema; a HeatError says why Heat does not offer it."""
        result: dict[str, Any] = self._call(
            "GET", f"/resource_types/{urllib.parse.quote(name, safe='')}"
        )
        return result

    def count_stacks(self) -> int:
        """How many stacks the project has (Heat's `with_count`)."""
        data = self._call("GET", "/stacks?with_count=true&limit=1")
        return int(data.get("count", len(data.get("stacks", ()))))

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", "/validate", json=body)
        return result

    def resources(self, ref: StackRef, nested_depth: int = 0) -> list[dict[str, Any]]:
        query = f"?nested_depth={nested_depth}" if nested_depth else ""
        result: list[dict[str, Any]] = self._call("GET", f"{ref.path}/resources{query}")[
            "resources"
        ]
        return result

    def events(
        self, ref: StackRef, *, marker: str | None = None, nested_depth: int = 5, limit: int = 200
    ) -> Iterator[dict[str, Any]]:
        """Events after `marker`, oldest first, page by page (Heat lists newest first by default)."""
        while True:
            query = {"sort_dir": "asc", "sort_keys": "event_time", "limit": str(limit)}
            if nested_depth:
                query["nested_depth"] = str(nested_depth)
            if marker:
                query["marker"] = marker
            page: list[dict[str, Any]] = self._call(
                "GET", f"{ref.path}/events?{urllib.parse.urlencode(query)}"
            )["events"]
            yield from page
            if len(page) < limit:
                return
            marker = page[-1]["id"]


def _heat_message(response: Any) -> tuple[str, str | None]:
    """Heat's error message from an error response, without its traceback."""
    try:
        data = response.json()
    except ValueError:
        return (response.text or f"HTTP {response.status_code}").strip()[:500], None
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"]).strip(), error.get("type")
    if isinstance(data, dict) and data.get("explanation"):
        return str(data["explanation"]).strip(), None
    return str(data)[:500], None
