# mypy: disable-error-code="import-not-found"
"""The local Heat of `hotdsl sandbox`: Heat's engine and API in one process.

This file is run by path with the Python of the Heat virtual environment
(`python heat_server.py --config-file heat.conf --state-file server.json`). hotdsl is
not installed there, so it imports nothing from hotdsl, only the standard library
and what `openstack-heat` brings.

What it does, in order:

1. binds the HTTP socket on a loopback address (port 0 picks a free one), so that the
   service catalog and the state file can name the real port;
2. writes the noauth token (a Keystone v3 token with a service catalog of loopback
   URLs that nothing serves), which lets Heat validate OS::Nova::*, OS::Neutron::*, ...
   without "Service nova is not available";
3. configures Heat from heat.conf, creates or upgrades the sqlite database, marks the
   stacks that a killed server left IN_PROGRESS as FAILED (`fail_stacks_left_in_progress`),
   and starts `EngineService` in this process (not through `oslo_service.launch`, which
   would fork a worker that the in-memory `fake://` transport cannot reach);
4. serves Heat's paste pipeline (`heat-api`, flavor `noauth`) from a threaded WSGI
   server, behind a small layer that answers the version discovery openstacksdk does;
5. writes the state file once it answers, and on SIGTERM/SIGINT stops the engine and
   exits with nothing left running.

What makes the convergence engine fast here, with no change to what it does:

* `Stack.converge_stack` sleeps one second after triggering each leaf resource, to
  spread the load over the engine processes of a real deployment. In one process
  that only serialises the leaves: 50 leaves cost 50 s. The sleep is capped at
  `--trigger-interval` (0 by default) for `heat.engine.stack` and
  `heat.engine.snapshots` only.
* sqlite allows one writer at a time, and a deferred transaction that has read and
  then wants to write fails at once with "database is locked" when another
  connection is committing (sqlite returns SQLITE_BUSY instead of waiting, to avoid
  a deadlock). Convergence runs many resource checks at once, so without the
  throttle above stacks failed at random. Each database connection now holds a
  process-wide gate from checkout to checkin (reentrant for the same thread), so
  sqlite never sees two connections at once; waiting on a Python condition is also
  much quicker than sqlite's busy-wait. (`sqlite_synchronous = false` in heat.conf
  drops the fsync per commit.)
* A resource action is stepped by Heat's TaskRunner with a one-second sleep between
  steps; a nested stack (every template resource, so every stand-in) is polled that
  way, so each level of nesting and each dependency on one cost a second. The waits
  start at `--poll-interval` (0.1 s by default) and double up to Heat's second.

The engine gets many RPC worker threads (a nested stack holds one while it waits
for its own resources, so 64 stand-ins at once would deadlock the default pool);
`quiet_idle_workers` keeps the idle ones from waking every second.

Heat's schema lets sqlite reuse the id of a deleted row; `never_reuse_row_ids`
stops that, since Heat's stale deletes then hit new rows (see there). Heat's one
yaql parser is not safe to share between real threads; `serialise_yaql_parsing`
lets one thread parse at a time.

And two things make real service types work without the services: every service in
the catalog claims every API extension (`assume_service_extensions`), and custom
constraints that would look a name up in a service pass (`assume_service_resources_exist`).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import signal
import socketserver
import sys
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref import simple_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Services whose catalog entries let Heat consider them available. Their URLs are on
# the loopback discard port: nothing answers there, and nothing is meant to.
CATALOG_SERVICES: dict[str, str] = {
    "identity": "keystone",
    "compute": "nova",
    "network": "neutron",
    "volumev3": "cinderv3",
    "image": "glance",
    "load-balancer": "octavia",
    "object-store": "swift",
    "dns": "designate",
    "key-manager": "barbican",
    "workflowv2": "mistral",
    "messaging": "zaqar",
    "container-infra": "magnum",
    "container": "zun",
    "sharev2": "manila",
    "baremetal": "ironic",
    "database": "trove",
    "alarming": "aodh",
    "reservation": "blazar",
    "placement": "placement",
    "cloudformation": "heat-cfn",
}
UNSERVED_BASE = "http://127.0.0.1:9"
PROJECT = "admin"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run Heat's engine and API in one process.")
    parser.add_argument("--config-file", required=True, type=Path, help="heat.conf to use")
    parser.add_argument(
        "--state-file",
        required=True,
        type=Path,
        help="JSON file written when the API answers, removed at exit",
    )
    parser.add_argument(
        "--token-file",
        required=True,
        type=Path,
        help="where to write the noauth token ([noauth] token_response)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one")
    parser.add_argument(
        "--trigger-interval",
        type=float,
        default=0.0,
        help="seconds between leaf triggers of a convergence traversal",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=0.1,
        help="first wait between two steps of a resource action (then doubling)",
    )
    parser.add_argument(
        "--exit-with-pid",
        type=int,
        default=None,
        help="exit when this process is gone (test sessions)",
    )
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error(f"--host must be a loopback address, not {args.host}")
    return args


class ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    """wsgiref's server with a thread per request; Heat's API is blocking code."""

    daemon_threads = True
    allow_reuse_address = True


class QuietHandler(simple_server.WSGIRequestHandler):
    """Heat logs each request itself; no second access log on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def base_url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def write_json_atomically(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def token_document(orchestration_url: str) -> dict[str, Any]:
    """A Keystone v3 token as the noauth middleware hands it to Heat."""

    def service(service_type: str, name: str, url: str) -> dict[str, Any]:
        endpoints = [
            {
                "id": f"{name}-{iface}",
                "interface": iface,
                "region": "RegionOne",
                "region_id": "RegionOne",
                "url": url,
            }
            for iface in ("public", "internal", "admin")
        ]
        return {"type": service_type, "name": name, "id": name, "endpoints": endpoints}

    catalog = [service("orchestration", "heat", orchestration_url)]
    catalog += [
        service(kind, name, f"{UNSERVED_BASE}/{kind}") for kind, name in CATALOG_SERVICES.items()
    ]
    domain = {"id": "default", "name": "Default"}
    return {
        "token": {
            "methods": ["token"],
            "issued_at": "2024-01-01T00:00:00.000000Z",
            "expires_at": "2999-01-01T00:00:00.000000Z",
            "user": {"id": PROJECT, "name": PROJECT, "domain": domain},
            "project": {"id": PROJECT, "name": PROJECT, "domain": domain},
            "roles": [{"id": role, "name": role} for role in ("admin", "member", "reader")],
            "catalog": catalog,
        }
    }


class VersionDiscovery:
    """Answer the version discovery that openstacksdk runs before its first call.

    With `auth_type: none` and an endpoint override of `.../v1/<project>`, keystoneauth
    asks `GET /v1/<project>` and `GET /v1` for a version document; Heat answers both
    with 404. Everything else goes to Heat unchanged.
    """

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        parts = [p for p in path.split("/") if p]
        if environ.get("REQUEST_METHOD") == "GET" and parts[:1] == ["v1"] and len(parts) <= 2:
            host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
            body = json.dumps(
                {
                    "versions": [
                        {
                            "id": "v1.0",
                            "status": "CURRENT",
                            "links": [{"rel": "self", "href": f"http://{host}/v1/"}],
                        }
                    ]
                }
            ).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.app(environ, start_response)


class ConnectionGate:
    """One database connection at a time in this process; reentrant for a thread.

    Released by whichever thread checks the connection back in, so it does not use
    `threading.RLock` (whose owner alone may release it).
    """

    def __init__(self, patience: float) -> None:
        self._cond = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._patience = patience

    def enter(self) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            if not self._cond.wait_for(lambda: self._owner is None, self._patience):
                # Something holds a connection for very long; let sqlite arbitrate
                # rather than hang the sandbox.
                return False
            self._owner = me
            self._depth = 1
            return True

    def leave(self) -> None:
        with self._cond:
            self._depth -= 1
            if self._depth <= 0:
                self._owner = None
                self._depth = 0
                self._cond.notify()


def serialise_database_access(engine: Any, patience: float = 60.0) -> None:
    """Hold a `ConnectionGate` from pool checkout to checkin of every connection."""
    import sqlalchemy

    gate = ConnectionGate(patience)

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if not record.info.get("hotdsl_gate") and gate.enter():
            record.info["hotdsl_gate"] = True

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if record.info.pop("hotdsl_gate", False):
            gate.leave()

    sqlalchemy.event.listen(engine, "checkout", checkout)
    sqlalchemy.event.listen(engine, "checkin", checkin)


def never_reuse_row_ids(database: Path) -> list[str]:
    """Give every table with an integer `id` key AUTOINCREMENT, so that sqlite never reuses ids.

    Without it sqlite hands out max(id)+1, so the id of the newest row comes back after
    that row is deleted. Heat deletes by ids it remembers (the cached attributes of a
    resource, `resource_attr_data_delete`); on MySQL, whose ids only grow, a stale
    delete finds nothing, but here it removed another resource's new properties and a
    ResourceGroup update ended with "ResourcePropertiesData with id N not found". The
    tables are rebuilt once, right after the migrations, with SQLite's documented
    rebuild procedure. Returns the tables rebuilt.
    """
    import re
    import sqlite3

    rebuilt = []
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("PRAGMA legacy_alter_table = ON")
        tables = [
            (name, sql)
            for name, sql in connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
            )
        ]
        for name, sql in tables:
            columns = connection.execute(f'PRAGMA table_info("{name}")').fetchall()
            keys = [c for c in columns if c[5]]
            if len(keys) != 1 or keys[0][1] != "id" or keys[0][2].upper() != "INTEGER":
                continue
            if "AUTOINCREMENT" in sql.upper():
                continue
            new_sql = re.sub(r",\s*PRIMARY KEY \(id\)", "", sql, count=1)
            new_sql = re.sub(
                r"\bid INTEGER NOT NULL", "id INTEGER PRIMARY KEY AUTOINCREMENT", new_sql, count=1
            )
            if new_sql == sql or "AUTOINCREMENT" not in new_sql:
                continue
            temporary = f"{name}__hotdsl_rebuild"
            new_sql = new_sql.replace(f"CREATE TABLE {name} ", f"CREATE TABLE {temporary} ", 1)
            indexes = [
                row[0]
                for row in connection.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL",
                    (name,),
                )
            ]
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(new_sql)
            connection.execute(f'INSERT INTO "{temporary}" SELECT * FROM "{name}"')
            connection.execute(f'DROP TABLE "{name}"')
            connection.execute(f'ALTER TABLE "{temporary}" RENAME TO "{name}"')
            for index in indexes:
                connection.execute(index)
            connection.execute("COMMIT")
            rebuilt.append(name)
    finally:
        connection.close()
    return rebuilt


def cap_task_polling(scheduler: types.ModuleType, first_wait: float) -> None:
    """Make Heat's TaskRunner poll quickly at first, then back off to Heat's own pace.

    A resource action steps until it is complete, sleeping one second in between. A
    nested stack (every template resource, so every stand-in) is checked that way, so
    each level of nesting and each dependency on one cost a second. Here the waits of
    one task are `first_wait`, twice that, four times, ... up to Heat's own: quick
    actions finish at once, and a thousand long ones poll no more often than in Heat.
    """
    runner = scheduler.TaskRunner
    original = runner._sleep

    def _sleep(self: Any, wait_time: float | None) -> None:
        if not wait_time:
            original(self, wait_time)
            return
        polls = getattr(self, "_hotdsl_polls", 0)
        self._hotdsl_polls = polls + 1
        original(self, min(wait_time, first_wait * 2**polls))

    runner._sleep = _sleep


def serialise_yaql_parsing(hot_functions: types.ModuleType) -> None:
    """Let one thread at a time parse a yaql expression.

    Heat shares one yaql parser (PLY), which keeps its parse state on itself. Heat's
    own engine runs green threads, which never switch inside a parse; here the
    engine's threads are real, and two parses at once failed at random with "Bad
    expression Parse error: unexpected end of statement" (stand-ins use yaql).
    """
    yaql = hot_functions.Yaql
    parse = yaql._parse
    lock = threading.Lock()

    def _parse(self: Any, expression: Any) -> Any:
        with lock:
            return parse(self, expression)

    yaql._parse = _parse


def quiet_idle_workers(seconds: float = 60.0) -> None:
    """Let idle RPC worker threads sleep `seconds` between checks, not one second.

    The sandbox allows many worker threads (see `executor_thread_pool_size` in
    heat.conf), and the pool keeps every thread it ever started. futurist wakes each
    idle one every second to ask whether it should exit; a thousand of them then
    fight for the GIL, whose waiters wake every 5 ms, and the engine crawls.
    """
    from futurist import _thread

    _thread.ThreadWorker.MAX_IDLE_FOR = seconds


def assume_service_extensions() -> None:
    """Let every service of the catalog claim every API extension.

    Heat asks Neutron, Cinder, ... which extensions they have before it accepts types
    such as OS::Neutron::Router or OS::Cinder::VolumeType; nothing serves the catalog's
    URLs here, so without this those types would be "not available".
    """
    from heat.engine.clients import os as os_clients

    os_clients.ExtensionMixin.has_extension = lambda self, alias: True


def assume_service_resources_exist() -> None:
    """Let custom constraints that ask a service (`nova.flavor`, `glance.image`, ...) pass.

    Heat checks them when it creates a resource of a type it runs itself, such as
    AWS::AutoScaling::LaunchConfiguration (its ImageId is a `glance.image`). Nothing
    serves the catalog here, so the sandbox takes every name or id as existing.
    Constraints that need no service (`ip_addr`, `cidr`, `iso_8601`, ...) override
    `validate` themselves and keep checking.
    """
    from heat.engine import constraints

    constraints.BaseCustomConstraint.validate = lambda self, value, context: True


def cap_sleep(module: types.ModuleType, ceiling: float) -> None:
    """Make `time.sleep` as seen from `module` sleep at most `ceiling` seconds."""
    real_time = getattr(module, "time")  # noqa: B009  (the module's own name for it)

    class CappedTime(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(real_time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            real_time.sleep(min(seconds, ceiling))

    setattr(module, "time", CappedTime("time"))  # noqa: B010


def fail_stacks_left_in_progress() -> list[str]:
    """Mark the stacks that a dead server left IN_PROGRESS as FAILED; return their names.

    This is what Heat does when an engine starts (`EngineService.reset_stack_status`),
    with Heat's own `Stack.reset_stack_and_resources_in_progress` and reason ("Engine
    went down during stack CREATE"). Heat does it for legacy stacks only, because other
    engines may still be working on convergence stacks; in the sandbox this process is
    the only engine, so before it starts every stack in progress is an orphan, and it
    resets them all. Resource and stack locks held by the dead engine are released too,
    as Heat's convergence worker does when it finds one ("Worker went down").
    Run before the engine starts, so that nothing else touches these stacks meanwhile.
    """
    from heat.common import context
    from heat.engine import stack as parser
    from heat.objects import resource as resource_objects
    from heat.objects import stack as stack_objects
    from heat.objects import stack_lock as stack_lock_objects

    in_progress = parser.Stack.IN_PROGRESS
    stacks = stack_objects.Stack.get_all(
        context.get_admin_context(),
        filters={"status": in_progress},
        show_nested=True,
        show_hidden=True,
    )
    reset = []
    for row in stacks:
        cnxt = context.get_admin_context()
        stack = parser.Stack.load(cnxt, stack=row)
        reason = f"Engine went down during stack {stack.action}"
        stack.reset_stack_and_resources_in_progress(reason)
        fresh = context.get_admin_context()
        for resource in resource_objects.Resource.get_all_by_stack(fresh, row.id).values():
            values: dict[str, Any] = {}
            if resource.engine_id is not None:
                values["engine_id"] = None
            if resource.status == in_progress:
                values.update(status=parser.Stack.FAILED, status_reason=reason)
            if values:
                resource_objects.Resource.update_by_id(fresh, resource.id, values)
        engine_id = stack_lock_objects.StackLock.get_engine_id(fresh, row.id)
        if engine_id is not None:
            stack_lock_objects.StackLock.release(fresh, row.id, engine_id)
        reset.append(f"{stack.name} ({stack.action})")
    return reset


class ParentWatch(threading.Thread):
    """Stop the server when the process that started it is gone."""

    def __init__(self, pid: int, stop: Callable[[], None]) -> None:
        super().__init__(name="parent-watch", daemon=True)
        self.pid = pid
        self.stop = stop

    def run(self) -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.stop()
                return
            except PermissionError:
                pass


def start_heat(args: argparse.Namespace) -> tuple[Any, WsgiApp, str]:
    """Configure Heat, migrate its database, start the engine; return it and the API app."""
    from oslo_service import backend

    backend.init_backend(backend.BackendType.THREADING)

    import oslo_i18n
    from oslo_config import cfg
    from oslo_log import log as logging

    oslo_i18n.enable_lazy()

    from heat import version
    from heat.common import config as heat_config
    from heat.common import (
        crypt,  # noqa: F401  (registers auth_encryption_key)
        messaging,
    )

    conf = cfg.CONF
    heat_version = version.version_info.version_string()
    logging.register_options(conf)
    conf(
        ["--config-file", str(args.config_file)],
        project="heat",
        prog="heat-api",
        version=heat_version,
    )
    logging.setup(conf, "heat")
    heat_config.set_config_defaults()
    messaging.setup()
    heat_config.startup_sanity_check()

    from heat.db import api as db_api
    from heat.db import migration

    migration.db_sync()
    engine_url = db_api.get_engine().url
    if engine_url.get_backend_name() == "sqlite" and engine_url.database:
        never_reuse_row_ids(Path(engine_url.database))
    serialise_database_access(db_api.get_engine())

    from heat.engine import scheduler
    from heat.engine import service as engine_service
    from heat.engine import snapshots as engine_snapshots
    from heat.engine import stack as engine_stack
    from heat.engine.hot import functions as hot_functions
    from heat.rpc import api as rpc_api

    cap_sleep(engine_stack, args.trigger_interval)
    cap_sleep(engine_snapshots, args.trigger_interval)
    cap_task_polling(scheduler, args.poll_interval)
    serialise_yaql_parsing(hot_functions)
    quiet_idle_workers()
    assume_service_extensions()
    assume_service_resources_exist()

    engine = engine_service.EngineService(conf.host, rpc_api.ENGINE_TOPIC)
    for stack in fail_stacks_left_in_progress():
        print(f"hotdsl sandbox: {stack} was in progress when Heat stopped: now FAILED", flush=True)
    engine.start()
    app = heat_config.load_paste_app("heat-api")
    return engine, app, heat_version


def main(argv: list[str]) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    args = parse_args(argv)
    started = time.monotonic()
    httpd = simple_server.make_server(
        args.host,
        args.port,
        lambda e, s: [],
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )
    port = httpd.server_port
    url = base_url(args.host, port)
    write_json_atomically(args.token_file, token_document(f"{url}/v1/{PROJECT}"))

    stopping = threading.Event()

    def stop() -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, lambda signum, frame: stop())
    signal.signal(signal.SIGINT, lambda signum, frame: stop())
    if args.exit_with_pid:
        ParentWatch(args.exit_with_pid, stop).start()

    engine = None
    try:
        engine, app, heat_version = start_heat(args)
        httpd.set_app(VersionDiscovery(app))
        write_json_atomically(
            args.state_file,
            {
                "pid": os.getpid(),
                "host": args.host,
                "port": port,
                "url": url,
                "endpoint": f"{url}/v1/{PROJECT}",
                "heat_version": heat_version,
                "startup_seconds": round(time.monotonic() - started, 3),
            },
        )
        print(f"hotdsl sandbox: Heat {heat_version} answers at {url}", flush=True)
        if not stopping.is_set():
            httpd.serve_forever(poll_interval=0.2)
    except BaseException:
        import traceback

        traceback.print_exc()
        sys.stderr.flush()
        args.state_file.unlink(missing_ok=True)
        os._exit(1)
    args.state_file.unlink(missing_ok=True)
    # A graceful stop joins every idle RPC worker, which may take a minute (see
    # `quiet_idle_workers`); what matters is on disk already, and the next start
    # marks stacks left in progress as failed (`fail_stacks_left_in_progress`).
    stopper = threading.Thread(target=engine.stop, daemon=True) if engine else None
    if stopper:
        stopper.start()
        stopper.join(timeout=3.0)
    httpd.server_close()
    print("hotdsl sandbox: stopped", flush=True)
    sys.stdout.flush()
    # Engine threads that did not finish in time must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
