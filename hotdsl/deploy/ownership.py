"""Which stacks in Heat are hotdsl's: the stack tags that mark them, and the refusals.

Deploy and destroy change only stacks hotdsl created. Every stack that deploy creates
or updates carries the tag `hotdsl-stack:<name>`, `<name>` being the stack's name in
the app (a stage's prefix left out; the app itself has no name of its own). A stack
that exists under the same name in Heat without that tag belongs to someone else, or
to another stack of some app: deploy and destroy refuse it, name it, and name the
flag that takes it over (`--take-over NAME`). Taking over is recorded, since the
update adds the tag; a stack deployed by a hotdsl from before these tags needs the
flag once, for the same reason.

A stack whose parameters take outputs of other stacks also carries
`hotdsl-uses:<heat name>` for each of them, so that destroy finds the stacks that
depend on one it would delete, in Heat itself: those of other apps, and those no
longer in the app, too.

Heat keeps a tag only if it is at most 80 characters without a comma
(heat/common/param_utils.py `extract_tags`, and the `stack_tag.tag` column); a name
too long to fit is shortened and ends with a digest of the whole name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from hotdsl.deploy.heat import StackRef
from hotdsl.errors import HotdslError

OWNER_TAG_PREFIX = "hotdsl-stack:"
USES_TAG_PREFIX = "hotdsl-uses:"
RESERVED_TAG_PREFIX = "hotdsl-"
"""Tags starting with this are hotdsl's own; `--tag` may not use it."""
MAX_TAG_LENGTH = 80
TAKE_OVER_FLAG = "--take-over"


class NotOwnedError(HotdslError):
    """A stack exists in Heat under a name the app uses, but hotdsl did not create it for the app."""


def _tag(prefix: str, name: str) -> str:
    whole = prefix + name
    if len(whole) <= MAX_TAG_LENGTH and "," not in whole:
        return whole
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    keep = MAX_TAG_LENGTH - len(prefix) - len(digest) - 1
    return f"{prefix}{name[:keep].replace(',', '_')}~{digest}"


def owner_tag(app_stack: str) -> str:
    """The tag that marks a stack as the app's stack `app_stack`."""
    return _tag(OWNER_TAG_PREFIX, app_stack)


def uses_tag(heat_name: str) -> str:
    """The tag of a stack whose parameters take outputs of the deployed stack `heat_name`."""
    return _tag(USES_TAG_PREFIX, heat_name)


def is_owned(ref: StackRef, app_stack: str) -> bool:
    return owner_tag(app_stack) in ref.tags


def not_owned_note(ref: StackRef, app_stack: str) -> str | None:
    """What `hotdsl diff` says of a stack deploy would refuse; None for hotdsl's own stack."""
    if is_owned(ref, app_stack):
        return None
    others = [t[len(OWNER_TAG_PREFIX) :] for t in ref.tags if t.startswith(OWNER_TAG_PREFIX)]
    made = (
        f"was created by hotdsl for the stack {others[0]!r}"
        if others
        else "was not created by hotdsl"
    )
    return (
        f"{ref.name} exists but {made}; deploy will refuse it without {TAKE_OVER_FLAG} {ref.name}"
    )


def check_user_tag(tag: str) -> None:
    """A `--tag` value Heat will keep (the CLI refuses commas first), not one of hotdsl's marks."""
    if len(tag) > MAX_TAG_LENGTH:
        raise HotdslError(f"--tag {tag[:20]!r}...: Heat keeps tags of at most 80 characters")
    if tag.startswith(RESERVED_TAG_PREFIX):
        raise HotdslError(f"--tag {tag!r}: tags starting with {RESERVED_TAG_PREFIX!r} are hotdsl's")


def _why(ref: StackRef, app_stack: str) -> str:
    others = [t[len(OWNER_TAG_PREFIX) :] for t in ref.tags if t.startswith(OWNER_TAG_PREFIX)]
    owner = f"tagged for the stack {others[0]!r}" if others else "no hotdsl-stack tag"
    if ref.name != app_stack:
        owner += f", wanted as the app's stack {app_stack!r}"
    return f"{ref.name} ({ref.status}, {owner})"


def refusal(foreign: Sequence[tuple[str, StackRef]], command: str) -> NotOwnedError:
    """The error for stacks of a deploy or destroy that hotdsl did not create for the app.

    `foreign` pairs the app's stack name with what Heat has under its deployed name.
    """
    listed = ", ".join(_why(ref, app_stack) for app_stack, ref in foreign)
    flags = " ".join(f"{TAKE_OVER_FLAG} {ref.name}" for _, ref in foreign)
    one = len(foreign) == 1
    subject = f"stack {listed} exists" if one else f"stacks {listed} exist"
    it = "it" if one else "them"
    older = "stacks deployed by a hotdsl older than these tags need this too"
    if command == "destroy":
        what = f"destroy deletes only stacks hotdsl created. To delete {it} anyway, run again"
        note = older
    else:
        failed = [ref.name for _, ref in foreign if ref.failed and ref.updated_time is None]
        advice = (
            f" (a failed create: delete it yourself, `openstack stack delete {failed[0]}`,"
            " or let deploy delete and recreate it)"
            if failed
            else ""
        )
        what = (
            "deploy would replace the template and delete resources the app does not define"
            f"{advice}. To let the app manage {it} from now on, run again"
        )
        note = f"once: the update tags {it}; {older}"
    return NotOwnedError(
        f"{subject} in Heat, but hotdsl did not create {it} for this app; {what} with {flags} "
        f"({note})"
    )
