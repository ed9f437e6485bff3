"""Saved plans: `hotdsl diff --plan-out plan.json`, then `hotdsl deploy --plan plan.json`.

A plan holds, per stack, exactly what deploy will send (the template, the files map,
the environment files in order, the stack's name in Heat) and the deployed state the
diff was computed against: the stack's id, its `updated_time` and digests of its
deployed template and environment, or "absent" for a stack to be created. Stacks
outside the plan whose outputs feed its stacks are recorded the same way.

`deploy --plan` deploys the plan's own content: it does not synthesize the app again,
so what changed locally since the review is not deployed. Before it changes anything
it reads every recorded stack again, and refuses, naming each stack and what moved,
when one was created, deleted, updated, or its template or environment changed.

A plan holds no secret value: secrets are recorded by where they come from
(`from_env`, `from_file`, as in the manifest) and read when the plan is deployed, with
the limits of a manifest from elsewhere (`SecretSources`): a plan may come from a
pull request's CI job. With the deployer's secret key at hand, the plan also records a
keyed digest of each secret's value (as the stack tags do, `hotdsl.deploy.hidden`),
and a secret whose value changed since the review is refused; without the key (or
with another one) it cannot be told, and the observer hears so. A plan that would need a secret value in it (a `--parameter`
for a hidden parameter) is refused. Each stack's content carries a SHA-256 digest,
checked on load: an edit of the file is refused (a digest detects edits, it does
not stop a forger, who can compute one too; review plans you did not write).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import yaml

from hotdsl import secrets
from hotdsl.deploy.heat import HeatClient
from hotdsl.deploy.hidden import hidden_digest, hidden_values
from hotdsl.deploy.plan import SecretSources, StackRequest, read_secret
from hotdsl.deploy.secret_key import KEY_VARIABLE, find_key
from hotdsl.errors import HotdslError
from hotdsl.heat_yaml import load_heat_yaml
from hotdsl.synth.manifest import StackEntry

PLAN_FORMAT = 1
"""The plan file's format; a plan of another format is refused."""
PLAN_KIND = "hotdsl-plan"
MAX_PLAN_BYTES = 64 * 1024 * 1024
"""A plan holds the stacks' templates and files; anything larger was not written by hotdsl."""


class PlanError(HotdslError):
    """A plan file that cannot be used: unreadable, of another format, edited, or unsafe."""


class PlanOutdated(HotdslError):
    """Stacks moved since the plan was made: nothing was changed."""

    def __init__(self, message: str, moved: Sequence[tuple[str, str]]) -> None:
        super().__init__(message)
        self.moved = tuple(moved)
        """(stack name in Heat, what moved) for each stack."""


def digest(value: object) -> str:
    """`sha256:<hex>` of a JSON value, keys sorted: the same content gives the same digest."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen
class DeployedState:
    """A stack in Heat as a plan saw it; `stack_id` None: there was no such stack."""

    stack_id: str | None = None
    updated_time: str | None = None
    template: str | None = None
    """Digest of the deployed template."""
    environment: str | None = None
    """Digest of the deployed environment."""

    def changes_to(self, now: DeployedState) -> list[str]:
        """What moved from this state to `now`, in words (none: nothing moved)."""
        if self.stack_id is None:
            return (
                [] if now.stack_id is None else [f"was created since the plan (id {now.stack_id})"]
            )
        if now.stack_id is None:
            return ["was deleted since the plan"]
        if now.stack_id != self.stack_id:
            return [f"was deleted and created again since the plan (id {now.stack_id})"]
        moved = []
        if now.updated_time != self.updated_time:
            moved.append(
                f"was updated since the plan (updated_time {self.updated_time or 'never'} "
                f"-> {now.updated_time})"
            )
        if now.template != self.template:
            moved.append("its deployed template changed")
        if now.environment != self.environment:
            moved.append("its deployed environment changed")
        return moved

    def to_json(self) -> dict[str, Any] | str:
        if self.stack_id is None:
            return "absent"
        return {
            "id": self.stack_id,
            "updated_time": self.updated_time,
            "template": self.template,
            "environment": self.environment,
        }

    @classmethod
    def from_json(cls, data: object, where: str) -> DeployedState:
        if data == "absent":
            return cls()
        body = _fields(data, where, {"id", "updated_time", "template", "environment"})
        return cls(
            stack_id=_text(body, "id", where),
            updated_time=_optional_text(body, "updated_time", where),
            template=_text(body, "template", where),
            environment=_text(body, "environment", where),
        )


def deployed_state(client: HeatClient, stack_name: str) -> DeployedState:
    """The stack named `stack_name` in Heat now."""
    ref = client.find_stack(stack_name)
    if ref is None:
        return DeployedState()
    return DeployedState(
        ref.id,
        ref.updated_time,
        digest(client.template(ref)),
        digest(client.environment(ref)),
    )


@attrs.frozen
class PlannedStack:
    """One stack of a plan: what deploy sends, and what it was reviewed against."""

    entry: StackEntry
    stack_name: str
    template: str
    files: dict[str, str]
    environment_files: tuple[str, ...]
    secrets: dict[str, dict[str, str]]
    """Parameter -> where its value is read at deploy time: {"from_env": VAR} or {"from_file": PATH}."""
    deployed: DeployedState
    secret_digests: dict[str, str] = attrs.field(factory=dict)
    """Parameter -> keyed digest of the secret's value at plan time (`<key id>.<mac>`)."""

    def content(self) -> dict[str, Any]:
        """What is sent to Heat (secrets by name): the part the digest covers."""
        return {
            "stack_name": self.stack_name,
            "template": self.template,
            "files": dict(sorted(self.files.items())),
            "environment_files": list(self.environment_files),
            "secrets": {k: dict(v) for k, v in sorted(self.secrets.items())},
            "secret_digests": dict(sorted(self.secret_digests.items())),
            "entry": self.entry.to_json(),
        }

    def request(self, sources: SecretSources, note: Callable[[str], None]) -> StackRequest:
        """The request deploy sends, secrets read now from where the plan says (and `sources`
        allow); refused when a secret's value changed since the plan, `note` told when that
        cannot be known."""
        values: dict[str, object] = {}
        for name, source in sorted(self.secrets.items()):
            try:
                values[name] = read_secret(name, source, sources)
            except HotdslError as exc:
                raise HotdslError(f"plan: stack {self.stack_name}: {exc}") from None
        self._check_secret_digests(values, note)
        request = StackRequest(
            entry=self.entry,
            stack_name=self.stack_name,
            template=self.template,
            files=dict(self.files),
            environment_files=self.environment_files,
            parameters=values,
            secret_names=frozenset(self.secrets),
        )
        for value in hidden_values(request):
            secrets.register(value)
        return request

    def _check_secret_digests(
        self, values: Mapping[str, object], note: Callable[[str], None]
    ) -> None:
        if not self.secret_digests:
            return
        key = find_key()
        for name, recorded in sorted(self.secret_digests.items()):
            where = f"stack {self.stack_name}: secret {name}"
            if key is None or not recorded.startswith(f"{key.key_id}."):
                why = (
                    f"no secret key here ({KEY_VARIABLE} is not set)"
                    if key is None
                    else f"the plan was made with another secret key than {key.source}"
                )
                note(f"{where}: cannot tell whether its value changed since the plan: {why}")
                continue
            if hidden_digest(key, self.stack_name, name, values[name]) != recorded:
                source = ", ".join(f"{k} {v}" for k, v in self.secrets[name].items())
                raise HotdslError(
                    f"plan: {where} ({source}) has another value than when the plan was made; "
                    "nothing was changed. Plan again to review it"
                )


def planned_stack(
    request: StackRequest, stage: str | None, deployed: DeployedState
) -> PlannedStack:
    """A request as a plan holds it: its secrets by source; refused if a value would have to be in it."""
    stage_secrets = request.entry.stages[stage].secrets if stage is not None else {}
    sources = {
        name: dict(stage_secrets[name]) for name in request.parameters if name in stage_secrets
    }
    valued = sorted(set(request.parameters) - set(sources))
    if valued:
        raise HotdslError(
            f"stack {request.entry.name}: --parameter {', '.join(valued)} sets a hidden "
            "parameter, and a plan holds no secret value; give it from a stage secret "
            "(from_env or from_file) to plan it"
        )
    key = find_key() if sources else None
    digests = (
        {n: hidden_digest(key, request.stack_name, n, request.parameters[n]) for n in sources}
        if key is not None
        else {}
    )
    return PlannedStack(
        entry=request.entry,
        stack_name=request.stack_name,
        template=request.template,
        files=dict(request.files),
        environment_files=tuple(request.environment_files),
        secrets=sources,
        deployed=deployed,
        secret_digests=digests,
    )


@attrs.frozen
class Plan:
    """What `deploy --plan` sends, stack by stack, and the deployed state it was reviewed against."""

    stacks: tuple[PlannedStack, ...]
    stage: str | None = None
    heat_names: dict[str, str] = attrs.field(factory=dict)
    """Every app stack's name -> its name in Heat (cross-stack values come from these)."""
    sources: dict[str, DeployedState] = attrs.field(factory=dict)
    """Stacks outside the plan whose outputs feed its stacks (name in Heat -> state)."""
    created: str = ""
    """When the plan was made (UTC, ISO 8601): for people, never checked."""

    def to_json(self) -> dict[str, Any]:
        """The plan file's content; `digest` covers all of it but itself."""
        body = self._body()
        return {**body, "digest": digest(body)}

    def _body(self) -> dict[str, Any]:
        return {
            "kind": PLAN_KIND,
            "format": PLAN_FORMAT,
            "created": self.created or datetime.now(UTC).isoformat(timespec="seconds"),
            "stage": self.stage,
            "heat_names": dict(self.heat_names),
            "sources": {name: state.to_json() for name, state in sorted(self.sources.items())},
            "stacks": [
                {
                    "digest": digest(stack.content()),
                    "content": stack.content(),
                    "deployed": stack.deployed.to_json(),
                }
                for stack in self.stacks
            ],
        }

    def write(self, path: Path) -> None:
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise HotdslError(f"cannot write the plan {path}: {exc.strerror or exc}") from None

    def requests(self, sources: SecretSources, note: Callable[[str], None]) -> list[StackRequest]:
        return [stack.request(sources, note) for stack in self.stacks]

    def check_unmoved(
        self, client: HeatClient | Callable[[str], HeatClient], where: str = "the plan"
    ) -> None:
        """Refuse, naming each stack and what moved, when Heat no longer has what the plan saw.

        `client`: the Heat to read, or a function giving it for a stack's name in Heat (the
        stacks of one plan may live in several clouds)."""
        recorded = [(s.stack_name, s.deployed) for s in self.stacks] + sorted(self.sources.items())
        moved = []
        for name, state in recorded:
            heat = client(name) if callable(client) else client
            changes = state.changes_to(deployed_state(heat, name))
            if changes:
                moved.append((name, "; ".join(changes)))
        if moved:
            listed = "; ".join(f"stack {name} {why}" for name, why in moved)
            raise PlanOutdated(
                f"{where} is out of date, nothing was changed: {listed}. Run `hotdsl diff "
                "--plan-out` again and review the new plan",
                moved,
            )

    @classmethod
    def load(cls, path: Path) -> Plan:
        """Read and check a plan file; any problem is one `PlanError` naming the file."""
        try:
            if path.stat().st_size > MAX_PLAN_BYTES:
                raise PlanError(f"{path}: larger than {MAX_PLAN_BYTES} bytes, not a hotdsl plan")
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlanError(
                f"{path}: no such plan; write one with `hotdsl diff --plan-out {path}`"
            ) from None
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise PlanError(f"{path}: not a plan hotdsl can read ({reason})") from None
        try:
            return cls.from_json(data)
        except PlanError as exc:
            raise PlanError(f"{path}: {exc}") from None

    @classmethod
    def from_json(cls, data: object) -> Plan:
        if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
            raise PlanError('not a hotdsl plan (no "kind": "hotdsl-plan")')
        if data.get("format") != PLAN_FORMAT:
            raise PlanError(
                f"plan format {data.get('format')!r}; this hotdsl reads format {PLAN_FORMAT}: "
                "write the plan again with this hotdsl"
            )
        body = _fields(
            data,
            "plan",
            {"kind", "format", "created", "stage", "heat_names", "sources", "stacks", "digest"},
        )
        stage = _optional_text(body, "stage", "plan")
        heat_names = _string_map(body.get("heat_names", {}), "heat_names")
        sources = {
            str(name): DeployedState.from_json(state, f"sources[{name!r}]")
            for name, state in _mapping(body.get("sources", {}), "sources").items()
        }
        if not isinstance(body.get("stacks"), list) or not body["stacks"]:
            raise PlanError('"stacks" must be a list of at least one stack')
        stacks = tuple(_planned_from_json(item, index) for index, item in enumerate(body["stacks"]))
        if data.get("digest") != digest({k: v for k, v in body.items() if k != "digest"}):
            raise PlanError(
                "its content does not match its digest (the plan was edited after "
                "`hotdsl diff --plan-out` wrote it); write a new plan"
            )
        names = [s.stack_name for s in stacks]
        if len(set(names)) != len(names):
            raise PlanError("a stack is planned twice")
        return cls(
            stacks, stage, heat_names, sources, _optional_text(body, "created", "plan") or ""
        )


def _planned_from_json(item: object, index: int) -> PlannedStack:
    where = f"stacks[{index}]"
    body = _fields(item, where, {"digest", "content", "deployed"})
    content = _fields(
        body.get("content"),
        f"{where}.content",
        {
            "stack_name",
            "template",
            "files",
            "environment_files",
            "secrets",
            "secret_digests",
            "entry",
        },
    )
    stack_name = _text(content, "stack_name", where)
    where = f"stack {stack_name}"
    if body.get("digest") != digest(content):
        raise PlanError(
            f"{where}: its content does not match its digest (the plan was edited after "
            "`hotdsl diff --plan-out` wrote it); write a new plan"
        )
    files = _string_map(content.get("files"), f"{where}: files")
    environment_files = content.get("environment_files")
    if not isinstance(environment_files, list) or not all(
        isinstance(name, str) and name in files for name in environment_files
    ):
        raise PlanError(f"{where}: environment_files must name entries of its files map")
    plan_secrets = {}
    for name, source in _mapping(content.get("secrets"), f"{where}: secrets").items():
        fields = _string_map(source, f"{where}: secret {name}")
        if len(fields) != 1 or next(iter(fields)) not in ("from_env", "from_file"):
            raise PlanError(
                f"{where}: secret {name} must say only from_env or from_file, never a value"
            )
        plan_secrets[str(name)] = fields
    _check_no_secret_values(stack_name, files, environment_files, plan_secrets)
    secret_digests = _string_map(content.get("secret_digests", {}), f"{where}: secret_digests")
    if not secret_digests.keys() <= plan_secrets.keys():
        raise PlanError(f"{where}: secret_digests must name secrets of the stack")
    try:
        entry = StackEntry.from_json(content.get("entry"))
    except HotdslError as exc:
        raise PlanError(f"{where}: {exc}") from None
    template = content.get("template")
    if not isinstance(template, str):
        raise PlanError(f"{where}: template must be text")
    return PlannedStack(
        entry=entry,
        stack_name=stack_name,
        template=template,
        files=files,
        environment_files=tuple(environment_files),
        secrets=plan_secrets,
        deployed=DeployedState.from_json(body.get("deployed"), f"{where}: deployed"),
        secret_digests=secret_digests,
    )


def _check_no_secret_values(
    stack: str,
    files: Mapping[str, str],
    environment_files: Sequence[str],
    plan_secrets: Mapping[str, object],
) -> None:
    """No environment file of a plan gives a value to a parameter the plan says is a secret."""
    for name in environment_files:
        try:
            parsed = load_heat_yaml(files[name])
        except (yaml.YAMLError, ValueError, RecursionError):  # a broken file is Heat's to refuse
            continue
        if not isinstance(parsed, dict):
            continue
        for section in ("parameters", "parameter_defaults"):
            values = parsed.get(section)
            given = sorted(set(values) & set(plan_secrets)) if isinstance(values, dict) else []
            if given:
                raise PlanError(
                    f"stack {stack}: environment file {name} gives a value to the secret "
                    f"{', '.join(given)}; a plan holds no secret value (secrets are read at "
                    "deploy time)"
                )


def _mapping(data: object, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PlanError(f"{where} must be a mapping")
    return data


def _fields(data: object, where: str, known: set[str]) -> dict[str, Any]:
    """A mapping with only the `known` fields: anything else (a value slipped in) is refused."""
    body = _mapping(data, where)
    unknown = sorted(str(k) for k in body if k not in known)
    if unknown:
        raise PlanError(f"{where}: unknown field {', '.join(map(repr, unknown))}")
    return body


def _string_map(data: object, where: str) -> dict[str, str]:
    body = _mapping(data, where)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in body.items()):
        raise PlanError(f"{where} must map text to text")
    return dict(body)


def _text(body: Mapping[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise PlanError(f"{where}: {key} must be text")
    return value


def _optional_text(body: Mapping[str, Any], key: str, where: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise PlanError(f"{where}: {key} must be text")
    return value
