"""`hotdsl doctor`: the troubleshooting playbook as quick checks, each with what to do.

The checks, in order, each `ok`, `warn`, `fail` or `skip` (could not run because an
earlier check failed, or there is no app):

- `app`: the app loads and synthesizes (as `hotdsl synth` would, in memory);
- `cloud`: the clouds.yaml entry (or OS_* variables) and authentication;
- `heat-api`: Heat's endpoint answers, and with which API version;
- `template-versions` and `resource-types`: what this Heat offers against what the
  app's templates, nested ones included, use; a missing one is named with the user's
  file:line that uses it;
- `stacks-failed` and `stacks-in-progress`: the app's stacks that hotdsl deployed
  (tagged `hotdsl-stack:<name>`, see `ownership`), failed ones with the failed
  resources and Heat's reasons, and ones Heat left in progress past their timeout;
- `limits`: Heat's default limits against the synthesized templates (a cloud may raise
  them and does not say, so exceeding one warns).

Nothing here changes anything in Heat. No credential of the cloud is shown: the
entry's password, token and secrets are registered with `hotdsl.secrets` first.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from hotdsl.deploy.engine import (
    FOLLOW_MARGIN_MINS,
    HEAT_DEFAULT_TIMEOUT_MINS,
    stack_failures,
    stuck_stack_advice,
)
from hotdsl.deploy.heat import HeatClient, HeatError, StackRef
from hotdsl.deploy.ownership import owner_tag
from hotdsl.errors import HotdslError
from hotdsl.nested import TEMPLATE_RESOURCE_SUFFIXES
from hotdsl.synth import MAX_RESOURCES_PER_STACK, MAX_TEMPLATE_BYTES

if TYPE_CHECKING:
    from openstack.connection import Connection

    from hotdsl.construct import App
    from hotdsl.environment import Stage
    from hotdsl.releases import HeatRelease
    from hotdsl.synth import SynthResult
    from hotdsl.synth.manifest import StackEntry
    from hotdsl.synth.render import RenderedStack

Status = Literal["ok", "warn", "fail", "skip"]
_A = TypeVar("_A")
_B = TypeVar("_B")
REPORT_FORMAT = 1
"""The version of `DoctorReport.to_json`'s layout; a change that breaks readers bumps it."""

MAX_JSON_BODY_BYTES = 1048576
"""Heat's default `max_json_body_size`: template, files and environment in one request."""
MAX_STACKS_PER_TENANT = 512
"""Heat's default `max_stacks_per_tenant`."""
MAX_PLACES = 5
"""How many places in the user's code a check lists for one finding."""

CLOUDS_YAML_PLACES = (
    "clouds.yaml (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/)"
)
SECRET_AUTH_KEYS = ("password", "token", "secret", "passcode")
"""An auth option whose name holds one of these is a credential (`application_credential_secret`)."""


@attrs.frozen
class Check:
    """One check's verdict: a stable id, a status, one line, the details and what to do."""

    id: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()
    advice: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "summary": self.summary,
            "details": list(self.details),
            "advice": self.advice,
        }


@attrs.frozen
class DoctorReport:
    """Every check, in order; `ok` unless one failed."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.status != "fail" for check in self.checks)

    def check(self, id: str) -> Check:
        for check in self.checks:
            if check.id == id:
                return check
        raise KeyError(id)

    def to_json(self) -> dict[str, object]:
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
        }

    def render(self) -> str:
        """The report as people read it: a line per check, then its details and advice."""
        lines = []
        for check in self.checks:
            lines.append(f"{check.status:<5} {check.id}: {check.summary}")
            lines += [f"        {detail}" for detail in check.details]
            if check.advice:
                lines.append(f"      what to do: {check.advice}")
        return "\n".join(lines)


@attrs.frozen
class AppUsage:
    """What the synthesized app asks of a Heat, each with the places in the user's code."""

    result: SynthResult
    template_versions: dict[str, tuple[str, ...]]
    """Template version (a date) -> where stacks using it were created."""
    resource_types: dict[str, tuple[str, ...]]
    """Resource type -> where resources of that type were created (`file:line (path)`)."""
    provided_types: frozenset[str]
    """Types the app's own environments map to templates: no cloud needs to offer them."""
    nested_resource_counts: dict[str, int]
    """Top-level stack name -> resources of its template and every nested template."""


def _place(node: Any) -> str:
    return f"{node.location} ({node.path})"


def app_usage(app: App, result: SynthResult) -> AppUsage:
    """Where each template version and resource type of the synthesized app comes from.

    Resolves the app's stacks once more (synth's result keeps the data, not the
    constructs); provider templates and user files in the files map are not looked into.
    """
    from hotdsl.synth import render_app
    from hotdsl.synth.environments import base_environment

    rendered = render_app(app)
    top = rendered.stacks
    nested = {item.stack: item for item in rendered.nested}
    versions: dict[str, list[str]] = {}
    types: dict[str, list[str]] = {}
    for item in [*top, *nested.values()]:
        version = str(item.template.get("heat_template_version"))
        versions.setdefault(version, []).append(_place(item.stack.node))
        for name, body in item.template.get("resources", {}).items():
            type_name = body.get("type") if isinstance(body, dict) else None
            if not isinstance(type_name, str) or type_name.endswith(TEMPLATE_RESOURCE_SUFFIXES):
                continue
            owner = item.resources.get(name)
            node = owner.node if owner is not None else item.stack.node
            types.setdefault(type_name, []).append(_place(node))
    provided: set[str] = set()
    counts: dict[str, int] = {}
    for item in top:
        provided.update(
            base_environment(item.stack, item.registry, []).get("resource_registry", {})
        )
        for stage in app.stages:
            provided.update(_registry_of(stage, item))
        own = len(item.template.get("resources", {}))
        counts[item.stack.stack_name] = own + sum(
            len(nested[value].template.get("resources", {}))
            for value in item.files.values()
            if not isinstance(value, str) and value in nested
        )
    return AppUsage(
        result,
        {k: tuple(dict.fromkeys(v)) for k, v in versions.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in types.items()},
        frozenset(provided),
        counts,
    )


def _registry_of(stage: Stage, item: RenderedStack) -> list[str]:
    """Type names a stage's own environment for the stack maps (wildcards included)."""
    environment = stage.environments.get(item.stack)
    return [str(name) for name in environment.resource_registry] if environment else []


CLOUD_CHECKS = ("template-versions", "resource-types", "stacks-failed", "stacks-in-progress")
"""The checks that need both the synthesized app and an answering Heat."""


def diagnose(
    *,
    cloud: str | None,
    load_app: Callable[[], App] | None,
    stage: str | None = None,
    heat: HeatRelease | None = None,
    now: Callable[[], datetime.datetime] | None = None,
    region: str | None = None,
    project_cloud: str | None = None,
) -> DoctorReport:
    """Run every check; `load_app` is None when there is no app to check.

    The cloud is chosen as every command chooses it (`hotdsl.deploy.connection.connect`):
    `cloud`, else the environment, else the project's `[tool.hotdsl] cloud`.

    `now` (UTC) judges how long a stack has been in progress (the real clock by default).
    """
    clock = now or (lambda: datetime.datetime.now(datetime.UTC))
    app_check, usage = check_app(load_app, stage, heat)
    cloud_check, conn = check_cloud(cloud, region=region, project_cloud=project_cloud)
    checks = [app_check, cloud_check]
    client: HeatClient | None = None
    if conn is None:
        checks.append(_skipped("heat-api", "no connection to the cloud (see `cloud`)"))
    else:
        api_check, client = check_heat_api(conn)
        checks.append(api_check)
    if client is None:
        why = "Heat does not answer (see `heat-api`)" if conn else "no connection to the cloud"
        checks += [_skipped(id, why) for id in CLOUD_CHECKS]
    elif usage is None:
        checks += [_skipped(id, "no synthesized app (see `app`)") for id in CLOUD_CHECKS]
    else:
        checks.append(_guarded("template-versions", check_template_versions, client, usage))
        checks.append(_guarded("resource-types", check_resource_types, client, usage))
        try:
            checks += check_stacks(client, usage, stage, clock)
        except UNEXPECTED_ANSWER as exc:
            checks += [_unexpected("stacks-failed", exc), _unexpected("stacks-in-progress", exc)]
    checks.append(_guarded("limits", check_limits, usage, client))
    return DoctorReport(tuple(checks))


UNEXPECTED_ANSWER = (ValueError, KeyError, TypeError, AttributeError)
"""What reading an answer that Heat would not send raises (not JSON, another shape)."""


def _guarded(id: str, check: Callable[[_A, _B], Check], first: _A, second: _B) -> Check:
    """Run a check that reads Heat's answers; an answer of the wrong shape fails the check."""
    try:
        return check(first, second)
    except UNEXPECTED_ANSWER as exc:
        return _unexpected(id, exc)


def _unexpected(id: str, exc: BaseException) -> Check:
    return Check(
        id,
        "fail",
        f"the cloud's answer is not what Heat sends ({type(exc).__name__}: {_one_line(exc)})",
        advice="a proxy or another service answers at the orchestration endpoint: check the "
        "endpoint (`openstack --os-cloud NAME catalog list`) and any proxy in between",
    )


def _skipped(id: str, why: str) -> Check:
    return Check(id, "skip", f"not checked: {why}")


# --- the app ---------------------------------------------------------------------------


def check_app(
    load_app: Callable[[], App] | None, stage: str | None, heat: HeatRelease | None
) -> tuple[Check, AppUsage | None]:
    """Load and synthesize the app in memory; its problems are the check's details."""
    from hotdsl.deploy.plan import register_readable_secrets
    from hotdsl.synth import synthesize

    if load_app is None:
        return _skipped(
            "app", 'no app: pass --app FILE.py[:ATTR] or set app = "..." in [tool.hotdsl]'
        ), None
    try:
        app = load_app()
        result = synthesize(app, [stage] if stage else None, heat)
        usage = app_usage(app, result)
        # Heat may quote a secret back in a failure reason: mask those readable here
        register_readable_secrets(result.manifest(), stage)
    except HotdslError as exc:
        head, *rest = str(exc).splitlines() or ["the app could not be synthesized"]
        return Check(
            "app",
            "fail",
            head,
            tuple(line.strip() for line in rest),
            "fix these in your code (`hotdsl synth` shows the same); the checks that need the "
            "synthesized app are skipped",
        ), None
    count = sum(len(s.template.get("resources", {})) for s in result.stacks)
    summary = (
        f"{len(result.stacks)} stack{'s' if len(result.stacks) != 1 else ''} synthesized "
        f"({', '.join(s.stack.stack_name for s in result.stacks)}; {count} top-level resources)"
    )
    if result.warnings:
        warnings = tuple(str(w) for w in result.warnings)
        return Check("app", "warn", summary, warnings, "see the warnings of `hotdsl synth`"), usage
    return Check("app", "ok", summary), usage


# --- the cloud and Heat's API -------------------------------------------------------------


def check_cloud(
    cloud: str | None, *, region: str | None = None, project_cloud: str | None = None
) -> tuple[Check, Connection | None]:
    """Find the cloud's entry and authenticate; the credentials are masked from here on."""
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    from hotdsl.deploy.connection import connect

    try:
        conn = connect(cloud, region=region, project_cloud=project_cloud)
    except HotdslError as exc:
        return Check(
            "cloud",
            "fail",
            str(exc),
            advice=f"add the entry to {CLOUDS_YAML_PLACES}, or pass --cloud with one that is "
            "there (`hotdsl sandbox start` writes hotdsl-sandbox)",
        ), None
    _mask_credentials(conn)
    name = cloud or conn.config.name
    auth_type = str(conn.config.config.get("auth_type") or "password")
    described = f"cloud {name!r} (auth: {auth_type}"
    region = conn.config.get_region_name()
    described += f", region {region})" if region else ")"
    auth = conn.config.config.get("auth")
    auth_url = auth.get("auth_url") if isinstance(auth, dict) else None
    where = f" at {auth_url}" if isinstance(auth_url, str) and "@" not in auth_url else ""
    if auth_type == "none":
        return Check("cloud", "ok", f"{described}: no authentication to check"), conn
    try:
        conn.authorize()
    except (ksa.ClientException, sdk.SDKException) as exc:
        # openstacksdk wraps keystoneauth's error in an SDKException: judge the original
        original = exc.__cause__ or exc.__context__ if isinstance(exc, sdk.SDKException) else exc
        return _auth_failure(original or exc, described, name, where), None
    return Check("cloud", "ok", f"{described}: authenticated"), conn


def _auth_failure(exc: BaseException, described: str, name: str, where: str) -> Check:
    """What an authentication error means for the user: refused, out of reach, or other."""
    from keystoneauth1 import exceptions as ksa

    if isinstance(exc, ksa.Unauthorized):
        return Check(
            "cloud",
            "fail",
            f"{described}: the identity service{where} refused the credentials",
            advice="check the username, password (or application credential) and project of "
            f"the entry {name!r}; `openstack --os-cloud {name} token issue` shows the same",
        )
    if isinstance(exc, (ksa.ConnectionError, ksa.DiscoveryFailure)):
        return Check(
            "cloud",
            "fail",
            f"{described}: cannot reach the identity service{where} ({type(exc).__name__})",
            advice=f"check auth_url of the entry {name!r} and that the cloud is reachable from "
            "here (VPN, proxy, firewall)",
        )
    return Check(
        "cloud",
        "fail",
        f"{described}: authentication failed: {_one_line(exc)}",
        advice=f"check the auth section of the entry {name!r} in {CLOUDS_YAML_PLACES}",
    )


def _mask_credentials(conn: Connection) -> None:
    """Register the entry's secrets with `hotdsl.secrets`: nothing printed shows them."""
    from hotdsl.secrets import register

    auth = conn.config.config.get("auth") or {}
    for key, value in auth.items() if isinstance(auth, dict) else ():
        if any(word in key for word in SECRET_AUTH_KEYS) and value:
            register(str(value))
    for key in ("password", "token", "auth_token"):
        value = conn.config.config.get(key)
        if value:
            register(str(value))


def check_heat_api(conn: Connection) -> tuple[Check, HeatClient | None]:
    """Reach Heat's orchestration endpoint and read its API version and build."""
    from keystoneauth1 import exceptions as ksa
    from openstack import exceptions as sdk

    endpoint = _endpoint(conn)
    at = f" at {endpoint}" if endpoint else ""
    advice = (
        "check that heat-api runs and that the catalog (or orchestration_endpoint_override) "
        "names the right endpoint; for the sandbox, `hotdsl sandbox status`, then "
        "`hotdsl sandbox start`"
    )
    try:
        client = HeatClient(conn, retries=1, backoff=0.2)
        info = client.build_info()
    except (HeatError, ksa.ClientException, sdk.SDKException, *UNEXPECTED_ANSWER) as exc:
        return Check(
            "heat-api", "fail", f"Heat does not answer{at}: {_one_line(exc)}", advice=advice
        ), None
    version = str(getattr(client.proxy, "api_version", None) or "1")
    engine = info.get("engine") if isinstance(info, dict) else None
    revision = engine.get("revision") if isinstance(engine, dict) else None
    build = f", engine {revision}" if revision and revision != "unknown" else ""
    return Check("heat-api", "ok", f"Heat API v{version} answers{at}{build}"), client


def _endpoint(conn: Connection) -> str | None:
    try:
        endpoint = conn.config.get_endpoint("orchestration")
        if endpoint:
            return str(endpoint)
        return str(conn.endpoint_for("orchestration") or "") or None
    except Exception:  # the catalog itself may be out of reach: the check says so
        return None


# --- what the app uses against what the cloud offers ----------------------------------------


def _version_names(entry: dict[str, Any]) -> set[str]:
    names = {str(entry.get("version", ""))}
    names.update(str(alias) for alias in entry.get("aliases") or ())
    return {name.split(".", 1)[-1] for name in names}


def check_template_versions(client: HeatClient, usage: AppUsage) -> Check:
    """Every `heat_template_version` the app writes must be one this Heat reads."""
    try:
        offered = client.template_versions()
    except HeatError as exc:
        return Check("template-versions", "fail", f"Heat did not list them: {_one_line(exc)}")
    hot = [v for v in offered if str(v.get("version", "")).startswith("heat_template_version.")]
    known = set().union(*(_version_names(v) for v in hot)) if hot else set()
    newest = max((str(v["version"]).split(".", 1)[1] for v in hot), default="none")
    missing = {v: places for v, places in usage.template_versions.items() if v not in known}
    used = ", ".join(sorted(usage.template_versions))
    if not missing:
        return Check("template-versions", "ok", f"this Heat reads {used} (its newest: {newest})")
    details = [f"{version}: {_places(places)}" for version, places in sorted(missing.items())]
    return Check(
        "template-versions",
        "fail",
        f"this Heat does not read {', '.join(sorted(missing))} (its newest: {newest})",
        tuple(details),
        f"give these stacks template_version={newest!r} (Stack(..., template_version=...)), and "
        'set heat = "<the cloud\'s release>" in [tool.hotdsl] so that synth checks against it',
    )


def check_resource_types(client: HeatClient, usage: AppUsage) -> Check:
    """Every resource type the app uses must be one this Heat offers; a missing one is named
    with the places in the user's code and Heat's own reason."""
    try:
        offered = set(client.resource_types())
    except HeatError as exc:
        return Check("resource-types", "fail", f"Heat did not list them: {_one_line(exc)}")
    wanted = {t: p for t, p in usage.resource_types.items() if t not in usage.provided_types}
    missing = {t: p for t, p in wanted.items() if t not in offered}
    if not missing:
        return Check(
            "resource-types",
            "ok",
            f"all {len(wanted)} resource types the app uses are offered "
            f"({len(offered)} on this cloud)",
        )
    details = []
    for type_name, places in sorted(missing.items()):
        details.append(f"{type_name}: {_places(places)}")
        reason = _missing_reason(client, type_name)
        if reason:
            details.append(f"  Heat: {reason}")
    count = len(missing)
    return Check(
        "resource-types",
        "fail",
        f"{count} resource type{'s' if count != 1 else ''} the app uses "
        f"{'is' if count == 1 else 'are'} not offered by this cloud: {', '.join(sorted(missing))}",
        tuple(details),
        "the cloud lacks the service or its operators disabled the type: ask them, use another "
        "type, or map it to a template of yours (Environment(resource_registry=...))",
    )


def _missing_reason(client: HeatClient, type_name: str) -> str:
    """Heat's own word on a type it does not list: not found, unavailable or hidden."""
    try:
        client.resource_type(type_name)
    except HeatError as exc:
        return _one_line(exc)
    return "listed as not available to this project (policy or a missing service)"


def _places(places: Sequence[str]) -> str:
    shown = ", ".join(places[:MAX_PLACES])
    more = len(places) - MAX_PLACES
    return shown + (f" and {more} more" if more > 0 else "")


# --- the app's deployed stacks ------------------------------------------------------------


def app_stacks(
    client: HeatClient, entries: Iterable[StackEntry], stage: str | None
) -> list[StackRef]:
    """The app's stacks that hotdsl deployed: tagged for the app's stack and named as the app
    (or one of its stages, or `stage` alone) would deploy it."""
    found = []
    for entry in entries:
        if stage is not None:
            names = {entry.stages[stage].stack_name} if stage in entry.stages else set()
        else:
            names = {entry.name, *(s.stack_name for s in entry.stages.values())}
        found += [ref for ref in client.stacks_tagged(owner_tag(entry.name)) if ref.name in names]
    return sorted(found, key=lambda ref: ref.name)


def check_stacks(
    client: HeatClient,
    usage: AppUsage,
    stage: str | None,
    now: Callable[[], datetime.datetime],
) -> tuple[Check, Check]:
    """(failed, in progress): the app's deployed stacks that need the user."""
    try:
        stacks = app_stacks(client, usage.result.manifest().stacks, stage)
    except HeatError as exc:
        failed = Check("stacks-failed", "fail", f"Heat did not list stacks: {_one_line(exc)}")
        return failed, _skipped("stacks-in-progress", "Heat did not list stacks")
    # Heat's stack list leaves out each stack's timeout: read it for the stacks in progress
    busy = [_refreshed(client, ref) for ref in stacks if ref.in_progress]
    return _failed_stacks(client, stacks), _stacks_in_progress(busy, now())


def _refreshed(client: HeatClient, ref: StackRef) -> StackRef:
    try:
        return client.get_stack(ref)
    except HeatError:
        return ref


def _failed_stacks(client: HeatClient, stacks: list[StackRef]) -> Check:
    failed = [ref for ref in stacks if ref.failed]
    rolled_back = [ref for ref in stacks if ref.status == "ROLLBACK_COMPLETE"]
    if not failed and not rolled_back:
        deployed = f"{len(stacks)} deployed" if stacks else "none deployed yet"
        return Check("stacks-failed", "ok", f"no failed stack of the app ({deployed})")
    details = []
    for ref in [*failed, *rolled_back]:
        reason = f": {ref.status_reason}" if ref.status_reason else ""
        details.append(f"{ref.name} {ref.status}{reason}")
        details += [f"  failed: {failure}" for failure in stack_failures(client, ref)]
    if failed:
        names = ", ".join(ref.name for ref in failed)
        return Check(
            "stacks-failed",
            "fail",
            f"{len(failed)} of the app's stacks failed: {names}",
            tuple(details),
            _failed_advice(failed),
        )
    return Check(
        "stacks-failed",
        "warn",
        f"Heat rolled back the last deploy of {', '.join(r.name for r in rolled_back)}",
        tuple(details),
        "fix the cause Heat gives and run `hotdsl deploy` again",
    )


def _failed_advice(failed: list[StackRef]) -> str:
    actions = {ref.action for ref in failed}
    parts = []
    if actions & {"CREATE", "UPDATE", "ROLLBACK"}:
        parts.append(
            "fix the cause Heat gives above, then run `hotdsl deploy` again (a failed create "
            "is deleted and created afresh, a failed update is updated)"
        )
    if "DELETE" in actions:
        parts.append(
            "for a failed delete, remove what blocks it (a resource in use, a protected "
            "volume) and run `hotdsl destroy` again"
        )
    parts.append("`hotdsl events STACK` shows what Heat did")
    return "; ".join(parts)


def _stacks_in_progress(busy: list[StackRef], now: datetime.datetime) -> Check:
    if not busy:
        return Check("stacks-in-progress", "ok", "no stack of the app is in progress")
    stuck, running = [], []
    for ref in busy:
        minutes = _minutes_since(ref.updated_time or ref.creation_time, now)
        limit = ref.timeout_mins or HEAT_DEFAULT_TIMEOUT_MINS
        since = f"for {minutes} min" if minutes is not None else "since an unknown time"
        line = f"{ref.name} {ref.status} {since} (its timeout: {limit} min)"
        if minutes is not None and minutes > limit + FOLLOW_MARGIN_MINS:
            stuck.append(
                f"{line}: Heat lost it (its engine stopped or restarted). {stuck_stack_advice(ref)}"
            )
        else:
            running.append(line)
    if stuck:
        return Check(
            "stacks-in-progress",
            "fail",
            f"{len(stuck)} of the app's stacks {'is' if len(stuck) == 1 else 'are'} stuck in "
            "progress, past their timeout",
            tuple(stuck + running),
            "follow the advice given for each stack; hotdsl cannot deploy a stack Heat still "
            "thinks busy",
        )
    return Check(
        "stacks-in-progress",
        "warn",
        f"{len(running)} of the app's stacks {'is' if len(running) == 1 else 'are'} in progress",
        tuple(running),
        "a deploy or destroy may be running: wait for it, and follow it with "
        "`hotdsl events STACK`; a new deploy first waits for Heat to finish",
    )


def _minutes_since(stamp: str | None, now: datetime.datetime) -> int | None:
    if not stamp:
        return None
    try:
        then = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=datetime.UTC)  # Heat's times are UTC
    return max(0, int((now - then).total_seconds() // 60))


# --- Heat's limits ---------------------------------------------------------------------------


def check_limits(usage: AppUsage | None, client: HeatClient | None) -> Check:
    """Heat's default limits against the synthesized templates; exceeding one warns (a cloud
    may have raised it, and its API does not say)."""
    if usage is None:
        return _skipped("limits", "no synthesized app (see `app`)")
    details = []
    for stack in usage.result.stacks:
        name = stack.stack.stack_name
        where = str(stack.stack.node.location)
        templates = [(stack.file_name, stack.text)] + [
            (key, text)
            for key, text in stack.files.items()
            if key.endswith(TEMPLATE_RESOURCE_SUFFIXES)
        ]
        for file_name, text in templates:
            size = len(text.encode("utf-8"))
            if size > MAX_TEMPLATE_BYTES:
                details.append(
                    f"{where}: {name}: {file_name} is {size} bytes; max_template_size is "
                    f"{MAX_TEMPLATE_BYTES}"
                )
        body = len(
            json.dumps(
                {
                    "template": stack.text,
                    "files": stack.files,
                    "environment": stack.environment or "",
                }
            ).encode("utf-8")
        )
        if body > MAX_JSON_BODY_BYTES:
            details.append(
                f"{where}: {name}: a deploy request is about {body} bytes (template, files, "
                f"environment); max_json_body_size is {MAX_JSON_BODY_BYTES}"
            )
        count = usage.nested_resource_counts.get(name, 0)
        if count > MAX_RESOURCES_PER_STACK:
            details.append(
                f"{where}: {name}: at least {count} resources with its nested stacks; "
                f"max_resources_per_stack is {MAX_RESOURCES_PER_STACK}"
            )
    stacks_note = ""
    if client is not None:
        try:
            existing = client.count_stacks()
        except HeatError:
            existing = None
        if existing is not None:
            stacks_note = f"; the project has {existing} of {MAX_STACKS_PER_TENANT} stacks"
            if existing + len(usage.result.stacks) > MAX_STACKS_PER_TENANT:
                details.append(
                    f"the project has {existing} stacks; with the app's "
                    f"{len(usage.result.stacks)} that passes max_stacks_per_tenant "
                    f"({MAX_STACKS_PER_TENANT})"
                )
    if details:
        return Check(
            "limits",
            "warn",
            f"past {len(details)} of Heat's default limits{stacks_note}",
            tuple(details),
            "split big stacks (nested stacks or several top-level stacks), move large files "
            "out of the templates, or confirm the cloud's limits with its operators",
        )
    return Check(
        "limits",
        "ok",
        "templates, requests and resource counts are within Heat's default limits" + stacks_note,
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
