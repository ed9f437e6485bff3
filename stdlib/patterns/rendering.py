"""`render_file`: a jinja2 template file rendered at synth, sent to Heat in the files map.

Rendered text goes into the stack's files map (`get_file`), not inline into the
template: the HOT template stays short, and the rendered script or cloud-config is a
file of its own in `hot.out/<stack>.files/`, where a reviewer reads it as the server
will get it.

Variables may be plain Python values or hotdsl values that only Heat knows (a
resource's address, a parameter). Plain values are rendered by jinja2. A hotdsl
value is rendered as the placeholder `__<name>__`, which Heat replaces when it
creates the stack (`str_replace` over the file), so such a value can be printed
(`{{ db_address }}`) but not computed with or tested in the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import jinja2

from hotdsl.errors import ConstructError
from hotdsl.intrinsics import Intrinsic, get_file, str_replace
from hotdsl.source import caller_directory, caller_location

TEMPLATE_SUFFIX = ".j2"


def render_file(
    template: str,
    variables: Mapping[str, object] | None = None,
    *,
    key: str | None = None,
) -> Intrinsic[str]:
    """The text of the jinja2 template file `template`, rendered with `variables`.

    `template` is relative to the Python file that calls `render_file` (like
    `get_file`); `{% include %}` and `{% import %}` look beside it. Block tags take
    their whole line (`trim_blocks`, `lstrip_blocks`), so a `{% for %}` on a line of
    its own leaves no blank line behind. The result is sent
    in the files map under `key`, by default `template` without its `.j2` suffix
    (`cloud-init/web.yaml.j2` -> `cloud-init/web.yaml`); rendering one template twice
    with different variables needs a `key` for each. A variable the template uses but
    is not given is an error, not an empty string.

    ```python
    user_data=render_file("cloud-init/web.yaml.j2", {"port": 8080, "db_address": db.address})
    ```
    """
    location = caller_location()
    source = Path(template)
    if not source.is_absolute():
        source = caller_directory() / source
    values: dict[str, object] = {}
    deferred: dict[str, Intrinsic[object]] = {}
    for name, value in (variables or {}).items():
        if isinstance(value, Intrinsic):
            values[name] = deferred_placeholder(name)
            deferred[deferred_placeholder(name)] = value
        else:
            values[name] = value
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(source.parent),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    try:
        loaded = environment.get_template(source.name)
        text = loaded.render(values)
    except jinja2.TemplateNotFound as exc:
        raise ConstructError(
            f"{location}: render_file cannot find the template {exc.name!r} "
            f"(looked in {source.parent})"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise ConstructError(f"{location}: {template}, line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise ConstructError(
            f"{location}: rendering {template}: {exc.message}; pass it in the variables"
        ) from None
    raw = Path(loaded.filename).read_text(encoding="utf-8") if loaded.filename else ""
    for placeholder in deferred:
        if placeholder in raw:
            raise ConstructError(
                f"{location}: {template} already holds the text {placeholder!r}, which stands for the "
                f"variable {placeholder.strip('_')!r} until Heat fills it in; rename the variable"
            )
    file = get_file(key or _default_key(template), content=text)
    used = {placeholder: value for placeholder, value in deferred.items() if placeholder in text}
    return str_replace(file, used) if used else file


def deferred_placeholder(name: str) -> str:
    """The text a hotdsl value stands as in rendered output until Heat replaces it."""
    return f"__{name}__"


def _default_key(template: str) -> str:
    path = PurePosixPath(template.replace("\\", "/"))
    name = path.name.removesuffix(TEMPLATE_SUFFIX)
    if path.is_absolute() or ".." in path.parts:
        return name
    return str(path.with_name(name))
