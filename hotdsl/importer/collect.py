"""Collect: the template, the templates it nests, its environments and files -> an import plan.

Starting from the template, follow every provider template (a `type: member.yaml`, a
type the environment maps to a template file) and every template `OS::Heat::Stack`
reads with `get_file`, each relative to the template that names it, as Heat's client
does. Files read with `get_file` are kept: copied next to the generated module, under
the key the generated code reads them by.

Every file a template names must lie inside the `ReadScope` (the template's folder and
the folders the user allows), symlinks resolved: a template from someone else must not
make import read, copy and later send `/etc/passwd` or `~/.ssh/id_rsa` to Heat. URLs are
never fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath

import attrs

from hotdsl.importer.disk import MAX_FILE_BYTES, ReadScope, file_kind, real, too_large
from hotdsl.importer.environment import EnvironmentModel, build_environment
from hotdsl.importer.model import (
    Expr,
    FileRef,
    Finding,
    Map,
    ProviderTypeRef,
    TemplateModel,
    build_template,
    walk,
)
from hotdsl.importer.names import Namespace
from hotdsl.importer.parse import Document, TemplateError, read_document

TEMPLATE_SUFFIXES = (".yaml", ".template")
"""Heat reads a type ending so as a template file (heat/engine/environment.py)."""


@attrs.frozen
class ProviderPlan:
    """A nested template, written as a `TemplateResource` subclass."""

    model: TemplateModel
    class_name: str
    template_file: str
    """The key of the template in the files map (and its type name unless `type_name`)."""
    type_name: str | None
    """The registry type name the template is known by, if any."""


@attrs.frozen
class FilePlan:
    """A file read with `get_file`: where it is, and the key the generated code reads it by."""

    key: str
    source: Path | None
    """The file next to the template; None for a URL (never fetched)."""
    sent_as: str = ""
    """The key the template uses for it (`../scripts/boot.sh`), when not `key`."""

    @property
    def exists(self) -> bool:
        return self.source is not None and self.source.is_file()


@attrs.define
class ImportPlan:
    main: TemplateModel
    environment: EnvironmentModel | None
    providers: list[ProviderPlan] = attrs.field(factory=list)
    provider_uses: dict[tuple[str, str], ProviderPlan] = attrs.field(factory=dict)
    """(template file, type name as written there) -> the provider it names."""
    stack_templates: dict[tuple[str, str], ProviderPlan] = attrs.field(factory=dict)
    """(template file, get_file path) -> the template OS::Heat::Stack nests."""
    files: dict[tuple[str, str], FilePlan] = attrs.field(factory=dict)
    """(template file, get_file path as written) -> the kept file."""
    findings: list[Finding] = attrs.field(factory=list)

    def templates(self) -> list[TemplateModel]:
        return [self.main, *(p.model for p in self.providers)]

    def provider_for(self, model: TemplateModel, type_name: str) -> ProviderPlan | None:
        return self.provider_uses.get((model.file, type_name))

    def file_for(self, model: TemplateModel, path: str) -> FilePlan:
        return self.files[(model.file, path)]

    def stack_template_for(self, model: TemplateModel, path: str) -> ProviderPlan | None:
        return self.stack_templates.get((model.file, path))

    def all_findings(self) -> list[Finding]:
        found = list(self.findings)
        for model in self.templates():
            found.extend(model.findings)
        if self.environment is not None:
            found.extend(self.environment.findings)
        return found


def collect(
    template: Path,
    environments: Sequence[Path] = (),
    class_names: Namespace | None = None,
    *,
    scope: ReadScope | None = None,
) -> ImportPlan:
    """Read the template, its environments and everything they nest into one plan.

    The template and environment files are read as named; every file they name must lie
    inside `scope` (by default, the template's folder).
    """
    env_docs = [read_document(p) for p in environments]
    environment = build_environment(env_docs) if env_docs else None
    registry = environment.templates if environment is not None else {}
    main = _model(read_document(template), registry)
    plan = ImportPlan(main, environment)
    names = class_names or Namespace()
    _Collector(plan, names, scope or ReadScope(template.parent)).run()
    return plan


def is_url(path: str) -> bool:
    return "://" in path


def _model(document: Document, registry: Mapping[str, object]) -> TemplateModel:
    return build_template(
        document, lambda name: name in registry or name.endswith(TEMPLATE_SUFFIXES)
    )


class _Collector:
    def __init__(self, plan: ImportPlan, names: Namespace, scope: ReadScope) -> None:
        self.plan = plan
        self.registry = plan.environment.templates if plan.environment is not None else {}
        self.names = names
        self.scope = scope
        self.by_source: dict[tuple[Path, str, str | None], ProviderPlan] = {}
        self.keys: dict[str, Path] = {}
        """Files-map key -> the file sent under it (one key, one file)."""

    def run(self) -> None:
        pending = [self.plan.main]
        seen = {self._identity(self.plan.main.document.path)}
        while pending:
            model = pending.pop(0)
            for nested in self.visit(model):
                identity = self._identity(nested.model.document.path)
                if identity not in seen:
                    seen.add(identity)
                    pending.append(nested.model)

    @staticmethod
    def _identity(path: Path) -> Path:
        return real(path)

    def finding(self, level: str, message: str, model: TemplateModel, line: int | None) -> None:
        self.plan.findings.append(Finding(level, message, model.file, line))  # type: ignore[arg-type]

    def require_inside(self, what: str, source: Path, file: str, line: int | None) -> None:
        """Refuse, at the file and line that names it, a file outside the read scope."""
        if not self.scope.contains(source):
            raise TemplateError(self.scope.outside(what, source), file, line)

    def url_note(self, what: str, url: str, model: TemplateModel, line: int | None) -> None:
        if url.startswith("file:"):
            why = "hotdsl reads no URLs, not even local ones"
        else:
            why = "hotdsl fetches nothing from the network (neither import nor deploy)"
        self.finding(
            "note",
            f"{what} the URL {url!r}; {why}, so Heat will not find it: put the file in the "
            "template's folder, refer to it by its relative path, and import again",
            model,
            line,
        )

    def visit(self, model: TemplateModel) -> Iterator[ProviderPlan]:
        folder = model.document.path.parent
        for resource in model.resources:
            provider = self.provider(model, folder, resource.type, resource.line)
            if provider is not None:
                yield provider
            for expr in _resource_values(resource):
                for node in walk(expr):
                    if isinstance(node, ProviderTypeRef):
                        found = self.provider(
                            model, folder, node.type_name, node.line or resource.line
                        )
                        if found is not None:
                            yield found
                    elif isinstance(node, FileRef):
                        self.file(model, folder, node.path, node.line or resource.line)
                        if (
                            resource.type == "OS::Heat::Stack"
                            and isinstance(resource.properties, Map)
                            and resource.properties.get("template") == node
                        ):
                            nested = self.stack_template(model, folder, node.path, resource.line)
                            if nested is not None:
                                yield nested
        for output in model.outputs:
            for node in walk(output.value):
                if isinstance(node, FileRef):
                    self.file(model, folder, node.path, node.line or output.line)

    def provider(
        self, model: TemplateModel, folder: Path, type_name: str, line: int | None
    ) -> ProviderPlan | None:
        key = (model.file, type_name)
        if key in self.plan.provider_uses:
            return None
        entry = self.registry.get(type_name)
        if entry is not None:
            if is_url(entry.path):
                self.url_note(f"the type {type_name!r} is mapped to", entry.path, model, line)
                return None
            self.require_inside(
                f"the template of {type_name!r} in resource_registry",
                entry.source,
                entry.file,
                entry.line,
            )
            source, path, registered = entry.source, entry.path, type_name
        elif type_name.endswith(TEMPLATE_SUFFIXES):
            if is_url(type_name):
                self.url_note("the type is", type_name, model, line)
                return None
            source, path, registered = _resolve(folder, type_name), type_name, None
            self.require_inside(f"the template type {type_name!r}", source, model.file, line)
        else:
            return None
        plan = self.load(model, source, path, registered, line)
        if plan is not None:
            self.plan.provider_uses[key] = plan
        return plan

    def stack_template(
        self, model: TemplateModel, folder: Path, path: str, line: int | None
    ) -> ProviderPlan | None:
        if is_url(path) or not path.endswith((*TEMPLATE_SUFFIXES, ".yml")):
            return None
        source = _resolve(folder, path)
        if not self.scope.contains(source) or not source.is_file():
            return None
        plan = self.load(model, source, self.plan.file_for(model, path).key, None, line)
        if plan is not None:
            self.plan.stack_templates[(model.file, path)] = plan
        return plan

    def load(
        self, model: TemplateModel, source: Path, path: str, type_name: str | None, line: int | None
    ) -> ProviderPlan | None:
        key = _provider_key(path)
        if key != path:
            self.finding(
                "inexact",
                f"the template {path!r} lies outside this folder; hotdsl sends it as {key!r}",
                model,
                line,
            )
        identity = (self._identity(source), key, type_name)
        found = self.by_source.get(identity)
        if found is not None:
            return found
        kind = file_kind(source)
        if kind is not None:
            raise TemplateError(f"the template {path!r} is {kind}", model.file, line)
        if not source.is_file():
            self.finding(
                "note",
                f"the template {path!r} is not there ({source.name} not found); the type "
                "is kept as a plain name, and its file is not sent with the stack",
                model,
                line,
            )
            return None
        document = read_document(source)
        nested = _model(document, self.registry)
        class_name = self.names.claim(PurePosixPath(key).stem, "Template", style="camel")
        plan = ProviderPlan(nested, class_name, key, type_name)
        self.by_source[identity] = plan
        self.plan.providers.append(plan)
        self.claim_key(key, source, model, line)
        return plan

    def file(self, model: TemplateModel, folder: Path, path: str, line: int | None) -> None:
        if (model.file, path) in self.plan.files:
            return
        if is_url(path):
            self.url_note("get_file reads", path, model, line)
            self.plan.files[(model.file, path)] = FilePlan(path, None)
            return
        if path.endswith(("/", "\\")):
            raise TemplateError(
                f"get_file {path!r} ends with a slash, so it names a folder, not a file",
                model.file,
                line,
            )
        source = _resolve(folder, path)
        self.require_inside(f"get_file {path!r}", source, model.file, line)
        kind = file_kind(source)
        if kind is not None:
            raise TemplateError(f"get_file {path!r} is {kind}", model.file, line)
        size = source.stat().st_size if source.is_file() else 0
        if size > MAX_FILE_BYTES:
            raise TemplateError(
                f"get_file {path!r}: {too_large(size, MAX_FILE_BYTES)}", model.file, line
            )
        key = _file_key(path)
        sent_as = "" if key == path else path
        if PurePosixPath(path).is_absolute():
            sent_as = ""
            self.finding(
                "inexact",
                f"get_file reads {path!r}, an absolute path; the import keeps the file as "
                f"{key!r} next to the module, and Heat gets it under that name",
                model,
                line,
            )
        elif sent_as:
            self.finding(
                "note",
                f"get_file reads {path!r}; the import keeps the file as {key!r} next to the "
                "module and still sends it to Heat under its original name",
                model,
                line,
            )
        plan = FilePlan(key, source, sent_as)
        self.plan.files[(model.file, path)] = plan
        if not plan.exists:
            self.finding(
                "note",
                f"get_file reads {path!r}, which is not there; put the file at {key!r} "
                "next to the generated module",
                model,
                line,
            )
        self.claim_key(key, source, model, line)

    def claim_key(self, key: str, source: Path, model: TemplateModel, line: int | None) -> None:
        other = self.keys.get(key)
        if other is None:
            self.keys[key] = source
        elif self._identity(other) != self._identity(source):
            self.finding(
                "inexact",
                f"two different files would both be sent to Heat as {key!r} ({other} "
                f"and {source}); hotdsl's files map has one entry per name",
                model,
                line,
            )


def _resolve(folder: Path, path: str) -> Path:
    pure = PurePosixPath(path)
    return Path(pure) if pure.is_absolute() else folder / Path(*pure.parts)


def _provider_key(path: str) -> str:
    """A provider template's key: the path as written (synth keeps `../` keys inside the out dir on
    disk), only the name for an absolute path."""
    pure = PurePosixPath(path.replace("\\", "/"))
    return pure.name if pure.is_absolute() else path


def _file_key(path: str) -> str:
    """The key hotdsl sends a file under: the path inside the project, as `get_file` makes it."""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = [p for p in pure.parts if p not in ("..", ".", "/")]
    if pure.is_absolute() or ".." in pure.parts:
        return "/".join(parts) or pure.name
    return str(pure)


def _resource_values(resource: object) -> Iterator[Expr]:
    for field in ("properties", "metadata", "update_policy", "external_id", "condition"):
        value = getattr(resource, field, None)
        if value is not None:
            yield value
