"""An HTTP proxy on loopback that sits in front of the sandbox's Heat and injects faults.

The deploy engine's fault tests (and the deploy benchmark) point openstacksdk at this
proxy instead of at Heat. Every request is recorded (method, path, query, whether it
reached Heat, the answer's status and size); rules, matched in the order they were
added, decide what happens to a request instead of plain forwarding:

- `fail(method, path, status=503)`: answer `status` at once; Heat never sees the request.
- `drop_response(method, path)`: forward the request, wait for Heat's answer, then close
  the client's connection without a word: the request took effect, the answer is lost.
- `reset(method, path)`: reset the connection (TCP RST) without forwarding.
- `delay(method, path, seconds)`: hold the request `seconds` before forwarding it (past
  the client's timeout, so the client gives up before Heat sees anything).
- `slow_response(method, path, seconds)`: forward at once, hold Heat's answer `seconds`
  (past the client's timeout: the request took effect, the client timed out).
- `answer(method, path, body)`: answer `body` (status 200, JSON) without forwarding: a
  cloud whose answer is not Heat's.
- `hold(method, path)`: hold the request until the test sets the rule's `release`
  (the rule's `arrived` is set when the request comes in), then forward it: the
  test acts at a known point of the client's work, whatever the machine's speed.

`path` is a regular expression searched in the request's path (without the query);
a rule applies to its first `times` matches (`times=None`: to all of them).

The proxy listens on 127.0.0.1 only, on a free port, and forwards to one upstream
`host:port` (also loopback in every use). The `Host` header is passed through
unchanged, so redirects that Heat builds from it (`GET /stacks/NAME` answers 302 with
the stack's full path) come back to the proxy.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Self

import attrs

Action = Literal["fail", "drop_response", "reset", "delay", "slow_response", "hold", "answer"]
HOLD_LIMIT = 300.0
"""Seconds a held request waits for its release at most (a test that forgot it fails)."""
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
    }
)


@attrs.define
class Rule:
    """One fault: what to do with the first `times` requests that match `method` and `path`."""

    method: str
    path: str
    action: Action
    times: int | None = 1
    status: int = 503
    seconds: float = 0.0
    body: bytes = b""
    """What an `answer` rule sends instead of Heat's answer."""
    hits: int = 0
    arrived: threading.Event = attrs.field(factory=threading.Event)
    """Set when a request matched the rule (for `hold`)."""
    release: threading.Event = attrs.field(factory=threading.Event)
    """Set by the test to let held requests go on (for `hold`)."""

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.method == "*" or self.method == method) and re.search(
            self.path, path
        ) is not None


@attrs.frozen
class Seen:
    """One request the proxy received, and what became of it."""

    at: float
    """`time.monotonic()` when the request arrived."""
    method: str
    path: str
    query: str
    forwarded: bool
    """Whether the request reached Heat."""
    action: str
    """`forward`, or the action of the rule that applied."""
    status: int | None
    """Heat's (or the injected) status; None when the client got no answer."""
    response_bytes: int
    body: bytes = b""
    """Heat's answer, for answers to GET requests (tests inspect event listings)."""
    seconds: float = 0.0
    """From the request's arrival until its answer was ready (Heat's time, and any delay)."""


class FaultProxy:
    """A threaded forwarding proxy on 127.0.0.1 with fault rules and a request log.

    Use as a context manager, or `start()` / `stop()`.
    """

    def __init__(self, upstream_host: str, upstream_port: int, *, project: str = "admin") -> None:
        if upstream_host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fault proxy only forwards to loopback, not {upstream_host}")
        self.upstream = (upstream_host, upstream_port)
        self.project = project
        self.rules: list[Rule] = []
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread: threading.Thread | None = None

    # --- life cycle -----------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The orchestration endpoint through the proxy: `http://127.0.0.1:PORT/v1/admin`."""
        return f"{self.url}/v1/{self.project}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="faultproxy",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            for rule in self.rules:
                rule.release.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def cloud_entry(self) -> dict[str, object]:
        """A clouds.yaml entry that reaches Heat through this proxy (no authentication)."""
        return {
            "auth_type": "none",
            "auth": {"endpoint": self.endpoint},
            "region_name": "RegionOne",
            "orchestration_api_version": "1",
            "orchestration_endpoint_override": self.endpoint,
        }

    def clouds_file(self, folder: Path, cloud: str) -> Path:
        """Write `folder/clouds.yaml` with the entry `cloud` for this proxy; return its path.

        Commands find it through `OS_CLIENT_CONFIG_FILE`.
        """
        path = folder / "clouds.yaml"
        path.write_text(json.dumps({"clouds": {cloud: self.cloud_entry()}}), encoding="utf-8")
        return path

    # --- rules ------------------------------------------------------------------------

    def add(self, rule: Rule) -> Rule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def fail(self, method: str, path: str, *, times: int | None = 1, status: int = 503) -> Rule:
        """Answer `status` without forwarding."""
        return self.add(Rule(method, path, "fail", times, status=status))

    def answer(
        self, method: str, path: str, body: bytes, *, times: int | None = 1, status: int = 200
    ) -> Rule:
        """Answer `body` as JSON with `status`, without forwarding."""
        return self.add(Rule(method, path, "answer", times, status=status, body=body))

    def drop_response(self, method: str, path: str, *, times: int | None = 1) -> Rule:
        """Forward, then close the connection instead of passing Heat's answer on."""
        return self.add(Rule(method, path, "drop_response", times))

    def reset(self, method: str, path: str, *, times: int | None = 1) -> Rule:
        """Reset the connection without forwarding."""
        return self.add(Rule(method, path, "reset", times))

    def delay(self, method: str, path: str, seconds: float, *, times: int | None = 1) -> Rule:
        """Hold the request `seconds`, then forward it."""
        return self.add(Rule(method, path, "delay", times, seconds=seconds))

    def slow_response(
        self, method: str, path: str, seconds: float, *, times: int | None = 1
    ) -> Rule:
        """Forward at once, then hold Heat's answer `seconds` before passing it on."""
        return self.add(Rule(method, path, "slow_response", times, seconds=seconds))

    def hold(self, method: str, path: str, *, times: int | None = 1) -> Rule:
        """Hold the request until `rule.release` is set, then forward it."""
        return self.add(Rule(method, path, "hold", times))

    def clear(self) -> None:
        """Forget all rules (letting held requests go) and the request log."""
        with self._lock:
            for rule in self.rules:
                rule.release.set()
            self.rules.clear()
            self.log.clear()

    @contextmanager
    def faults(self) -> Iterator[FaultProxy]:
        """Rules added inside the block are removed at its end."""
        before = len(self.rules)
        try:
            yield self
        finally:
            with self._lock:
                del self.rules[before:]

    def _take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    rule.arrived.set()
                    return rule
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.log.append(seen)

    # --- the request log --------------------------------------------------------------

    def requests(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        forwarded: bool | None = None,
        since: float | None = None,
    ) -> list[Seen]:
        """Logged requests, filtered by method, path (a regular expression), forwarding, time."""
        with self._lock:
            log = list(self.log)
        return [
            s
            for s in log
            if (method is None or s.method == method)
            and (path is None or re.search(path, s.path) is not None)
            and (forwarded is None or s.forwarded == forwarded)
            and (since is None or s.at >= since)
        ]

    def count(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        forwarded: bool | None = None,
        since: float | None = None,
    ) -> int:
        return len(self.requests(method, path, forwarded=forwarded, since=since))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    proxy: FaultProxy


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _handle(self) -> None:
        proxy = self.server.proxy
        arrived = time.monotonic()
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rule = proxy._take_rule(self.command, path)
        action = rule.action if rule else "forward"

        def record(forwarded: bool, status: int | None, answer: bytes = b"") -> None:
            kept = answer if self.command == "GET" else b""
            proxy._record(
                Seen(
                    arrived,
                    self.command,
                    path,
                    query,
                    forwarded,
                    action,
                    status,
                    len(answer),
                    kept,
                    time.monotonic() - arrived,
                )
            )

        if rule is not None and rule.action in ("fail", "answer"):
            answered = rule.action == "answer"
            text = rule.body if answered else f"injected by the fault proxy: {rule.status}".encode()
            record(False, rule.status, text)
            self.send_response(rule.status)
            self.send_header("Content-Type", "application/json" if answered else "text/plain")
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        if rule is not None and rule.action == "reset":
            record(False, None)
            self._reset()
            return
        if rule is not None and rule.action == "delay":
            time.sleep(rule.seconds)
        if rule is not None and rule.action == "hold":
            rule.release.wait(HOLD_LIMIT)
        try:
            status, reason, headers, answer = self._forward(body)
        except OSError:
            record(False, 502)
            try:
                self.send_error(502, "upstream unreachable")
            except OSError:
                self.close_connection = True
            return
        if rule is not None and rule.action == "drop_response":
            record(True, None, answer)
            self._close_silently()
            return
        record(True, status, answer)
        if rule is not None and rule.action == "slow_response":
            time.sleep(rule.seconds)
        try:
            self.send_response(status, reason)
            for key, value in headers:
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer)
        except OSError:  # the client gave up (a delayed answer past its timeout)
            self.close_connection = True

    def _forward(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        host, port = self.server.proxy.upstream
        connection = http.client.HTTPConnection(host, port, timeout=600)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Connection"] = "close"
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            return response.status, response.reason, response.getheaders(), answer
        finally:
            connection.close()

    def _close_silently(self) -> None:
        """Close the connection with no answer at all (the client sees the peer hang up)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
