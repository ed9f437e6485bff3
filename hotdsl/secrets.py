"""The secret values of one run, masked out of everything hotdsl prints or writes.

hotdsl reads every secret it sends to Heat on the deployer's machine (`from_env`,
`from_file`, values given to hidden parameters by `-p` or `-e`), so it can mask them
in whatever comes back: Heat's error messages quote a rejected value as is
(`could not convert string to float: '<the value>'`), events and outputs may carry
it, and tracebacks repeat all of that. Each value is registered when it is read;
`mask` replaces every registered value with `******`, also where it appears
JSON-escaped, repr-quoted or URL-encoded, and line by line for values of several
lines. The CLI sends stdout and stderr through `MaskedStream`, so every line it
prints is masked, whatever printed it; files hotdsl writes go through `mask`.

Values shorter than `MIN_MASKED_LENGTH` characters are not masked: masking "1" or
"no" would garble every line that holds those characters, and a value that short
is no secret anyone could keep.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import IO, Any

MASK = "******"
"""What a secret looks like in hotdsl's output (and in Heat's, for hidden parameters)."""
MIN_MASKED_LENGTH = 4

_lock = threading.Lock()
_forms: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(value: object) -> None:
    """Mask `value` (a string, number, list or map) in everything this process prints from now on."""
    global _pattern
    forms = forms_of(value)
    with _lock:
        if forms <= _forms:
            return
        _forms.update(forms)
        _pattern = _compile(_forms)


def forget_all() -> None:
    """Stop masking every registered value (for tests that run several apps in one process)."""
    global _pattern
    with _lock:
        _forms.clear()
        _pattern = None


def mask(text: str) -> str:
    """`text` with every registered secret replaced by `******`."""
    pattern = _pattern
    return text if pattern is None else pattern.sub(MASK, text)


def mask_data(data: Any) -> Any:
    """JSON-like data with every registered secret masked, still valid to dump as JSON.

    A number that is a secret becomes the string `******` (masking the dumped text
    would leave `"port": ******`, which is not JSON).
    """
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, Mapping):
        return {mask_data(key): mask_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [mask_data(item) for item in data]
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return MASK if mask(str(data)) != str(data) else data
    return data


def redact(text: str, values: Iterable[object]) -> str:
    """`text` with these values (and only these) replaced by `******`."""
    forms: set[str] = set()
    for value in values:
        forms |= forms_of(value)
    return _compile(forms).sub(MASK, text) if forms else text


def forms_of(value: object) -> set[str]:
    """The ways a value can show up in text: as is, JSON-escaped, repr-quoted, URL-encoded."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, Mapping):
        found = _forms_of_text(json.dumps(value, sort_keys=True, default=str))
        found |= _forms_of_text(json.dumps(value, default=str))
        for item in value.values():
            found |= forms_of(item)
        return found
    if isinstance(value, (list, tuple)):
        found = _forms_of_text(json.dumps(list(value), default=str))
        found |= _forms_of_text(",".join(str(item) for item in value))
        for item in value:
            found |= forms_of(item)
        return found
    return _forms_of_text(str(value))


def _forms_of_text(text: str) -> set[str]:
    pieces = {text}
    if "\n" in text:
        pieces |= {line.strip() for line in text.splitlines()}
    found: set[str] = set()
    for piece in pieces:
        escaped = {piece}
        for _ in range(2):  # twice: a JSON text quoted again inside an error message
            for form in list(escaped):
                escaped.add(json.dumps(form)[1:-1])
                escaped.add(json.dumps(form, ensure_ascii=False)[1:-1])
                escaped.add(repr(form)[1:-1])
                escaped.add(ascii(form)[1:-1])
        escaped.add(urllib.parse.quote(piece, safe=""))
        escaped.add(urllib.parse.quote_plus(piece, safe=""))
        found |= escaped
    return {form for form in found if len(form) >= MIN_MASKED_LENGTH}


def _compile(forms: Iterable[str]) -> re.Pattern[str]:
    """One pattern for all forms, longest first, so that a longer form wins over its prefix."""
    ordered = sorted(forms, key=lambda form: (-len(form), form))
    return re.compile("|".join(re.escape(form) for form in ordered))


class MaskedStream:
    """A text stream that masks secrets in what is written before passing it on.

    Text is held until a line is complete (or the stream is flushed), so a secret
    written in two pieces is still masked. The wrapped stream's `buffer` is not
    exposed: whoever writes here cannot go around the mask.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            head, newline, self._pending = (self._pending + text).rpartition("\n")
            if newline:
                self.stream.write(mask(head + newline))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.stream.write(mask(self._pending))
                self._pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return getattr(self.stream, "errors", None) or "strict"

    @property
    def closed(self) -> bool:
        return self.stream.closed

    def close(self) -> None:
        self.flush()


def guard_standard_streams() -> None:
    """Send everything printed to stdout and stderr through the mask (once per process)."""
    import sys

    for name in ("stdout", "stderr"):
        stream: Any = getattr(sys, name)
        if stream is not None and not isinstance(stream, MaskedStream):
            setattr(sys, name, MaskedStream(stream))
