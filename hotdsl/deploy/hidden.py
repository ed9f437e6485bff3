"""Hidden parameters of a deploy: which they are, the values Heat will get, and keyed digests.

Heat never shows a hidden value again (`******`), so deploy records a digest of
each one in a stack tag, `hotdsl-hidden:<parameter>:<key id>.<mac>`, and diff
compares digests. The digest is an HMAC under the deployer's key
(`hotdsl.deploy.secret_key`): without the key nobody can test guesses against it.
A tag made under another key, a tag of the old unkeyed kind, no tag, or no key at
all mean "cannot tell whether it changed", never "unchanged".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import yaml

from hotdsl.deploy.environment_merge import merge_environment_files
from hotdsl.deploy.secret_key import SecretKey, find_key, find_or_create_key
from hotdsl.heat_yaml import load_heat_yaml

if TYPE_CHECKING:
    from hotdsl.deploy.heat import StackRef
    from hotdsl.deploy.plan import StackRequest

DIGEST_TAG_PREFIX = "hotdsl-hidden:"
MAX_TAG_LENGTH = 80
"""Heat stores a tag in a column of 80 characters."""
NO_KEY = (
    "no secret key to compare digests with "
    "(set HOTDSL_SECRET_KEY, or deploy once from this machine; see the README)"
)


def hidden_parameters(template: Mapping[str, Any], files: Mapping[str, str] = {}) -> set[str]:
    """Names of the parameters marked hidden in the template or any template in the files map."""
    names: set[str] = set()
    sources: list[Any] = [template]
    for text in files.values():
        if "heat_template_version" in text:
            try:
                sources.append(load_heat_yaml(text))
            except yaml.YAMLError:
                continue
    for source in sources:
        parameters = source.get("parameters") if isinstance(source, Mapping) else None
        for name, spec in (parameters if isinstance(parameters, Mapping) else {}).items():
            if isinstance(spec, Mapping) and spec.get("hidden") is True:
                names.add(str(name))
    return names


def effective_parameters(template: Mapping[str, Any], env: Mapping[str, Any]) -> dict[str, Any]:
    """Each template parameter's value as Heat will see it: the environment's, else the default."""
    values = {}
    given = env.get("parameters", {})
    defaults = env.get("parameter_defaults", {})
    for name, spec in (template.get("parameters") or {}).items():
        if name in given:
            values[name] = given[name]
        elif name in defaults:
            values[name] = defaults[name]
        elif isinstance(spec, Mapping) and "default" in spec:
            values[name] = spec["default"]
    return values


def hidden_values(request: StackRequest) -> list[object]:
    """Every value this request gives a hidden parameter, wherever it comes from, and its secrets."""
    template = _template(request.template)
    hidden = hidden_parameters(template, request.files)
    env = merge_environment_files(
        request.environment_files, request.files, request.parameters, template
    )
    found: list[object] = [v for k, v in request.parameters.items() if k in request.secret_names]
    found += [v for k, v in effective_parameters(template, env).items() if k in hidden]
    for section in ("parameters", "parameter_defaults"):
        found += [v for k, v in env.get(section, {}).items() if k in hidden]
    return found


def hidden_digest(key: SecretKey, stack_name: str, parameter: str, value: object) -> str:
    """`<key id>.<mac>`: tells a change of the value, useless without the key."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    mac = key.mac(f"hotdsl-hidden\0{stack_name}\0{parameter}\0{text}")
    return f"{key.key_id}.{mac[:16]}"


def digest_tags(request: StackRequest, local_env: Mapping[str, Any]) -> list[str]:
    """The tags recording digests of the request's hidden values ([] when there is no key)."""
    template = _template(request.template)
    hidden = hidden_parameters(template)
    values = {
        k: v for k, v in sorted(effective_parameters(template, local_env).items()) if k in hidden
    }
    if not values:
        return []
    key = find_or_create_key()
    if key is None:
        return []
    return [
        f"{DIGEST_TAG_PREFIX}{_tag_name(name)}:{hidden_digest(key, request.stack_name, name, value)}"
        for name, value in values.items()
    ]


@attrs.frozen
class Verdict:
    """Whether a hidden value changed: `changed` is None when hotdsl cannot tell, and `why` says why."""

    changed: bool | None
    why: str = ""


def compare_hidden(deployed: StackRef, parameter: str, value: object) -> Verdict:
    """Compare a hidden value with the digest the deployed stack's tags record."""
    stored = _stored_digests(deployed).get(_tag_name(parameter))
    if stored is None:
        return Verdict(None, "the deployed stack records no digest of it")
    key_id, dot, _mac = stored.partition(".")
    if not dot:
        return Verdict(None, "its recorded digest is of the old, unkeyed kind")
    key = find_key()
    if key is None:
        return Verdict(None, NO_KEY)
    if key.key_id != key_id:
        return Verdict(None, f"it was deployed with another secret key than {key.source}")
    return Verdict(stored != hidden_digest(key, deployed.name, parameter, value))


def _stored_digests(deployed: StackRef) -> dict[str, str]:
    out = {}
    for tag in deployed.tags:
        if tag.startswith(DIGEST_TAG_PREFIX):
            name, _, digest = tag[len(DIGEST_TAG_PREFIX) :].rpartition(":")
            out[name] = digest
    return out


def _tag_name(parameter: str) -> str:
    """The parameter's name in its tag; a name too long for Heat's tag column is hashed."""
    if len(DIGEST_TAG_PREFIX) + len(parameter) + 26 <= MAX_TAG_LENGTH:
        return parameter
    return "#" + hashlib.sha256(parameter.encode("utf-8")).hexdigest()[:16]


def _template(text: str) -> dict[str, Any]:
    data = load_heat_yaml(text)
    return data if isinstance(data, dict) else {}
