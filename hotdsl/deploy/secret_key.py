"""The deployer's key for digests of hidden parameter values.

A stack tag records a digest of each hidden value so that diff can tell whether it
changed; Heat shows tags to anyone who can read the stack. An unkeyed hash of a
value can be tested against a dictionary of guesses, so the digest is an HMAC with a
key only the deployer holds:

1. `HOTDSL_SECRET_KEY` (CI provides it as a secret of the pipeline), else
2. the key file `$XDG_CONFIG_HOME/hotdsl/secret-key` (`~/.config/hotdsl/secret-key`),
   which deploy creates with a random key, mode 0600, the first time it needs one.

A key created on one machine is unknown on the next: there diff reports that it
cannot tell whether a hidden value changed, and deploy updates the stack and
records digests under its own key. Share the key (the variable) between the
machines and CI jobs that deploy the same stacks.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path

import attrs

from hotdsl.errors import HotdslError

KEY_VARIABLE = "HOTDSL_SECRET_KEY"
MIN_KEY_LENGTH = 16
"""Characters; a random key of 32 hex characters or more is what `secrets.token_hex` gives."""


@attrs.frozen
class SecretKey:
    """An HMAC key and where it came from (for messages; the key itself is never shown)."""

    secret: bytes = attrs.field(repr=False)
    source: str

    @property
    def key_id(self) -> str:
        """A short name of the key, stored with each digest: a digest made under another key is
        "cannot tell", not "changed". Derived from the key by HMAC, so it reveals nothing of it."""
        return hmac.new(self.secret, b"hotdsl key id", hashlib.sha256).hexdigest()[:8]

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()


def key_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "hotdsl" / "secret-key"


def find_key() -> SecretKey | None:
    """The deployer's key, or None when there is none (diff then cannot tell)."""
    text = os.environ.get(KEY_VARIABLE)
    if text:
        return _checked(text, KEY_VARIABLE)
    path = key_file()
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise HotdslError(
            f"cannot read the secret key {path}: {exc.strerror or exc}; fix it or set {KEY_VARIABLE}"
        ) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HotdslError(
            f"the secret key {path} can be read by others (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}`"
        )
    return _checked(text, str(path))


def find_or_create_key() -> SecretKey | None:
    """The deployer's key; without one, a new random key in the key file (None if it cannot be written)."""
    found = find_key()
    if found is not None:
        return found
    path = key_file()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            os.link(temporary, path)  # never replaces a key that another process just wrote
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    except OSError:
        return None
    return find_key()


def _checked(text: str, source: str) -> SecretKey:
    if len(text) < MIN_KEY_LENGTH:
        raise HotdslError(
            f"the secret key in {source} has {len(text)} characters; use at least {MIN_KEY_LENGTH} "
            "random ones, e.g. the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return SecretKey(text.encode("utf-8"), source)
