"""Everything the command line writes passes here: untrusted text is made safe on its way out."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, TextIO

from trainer.safe_text import json_safe, printable

# What a command prints: plain text (names, problems, tables), JSON, or CSV.
Form = Literal["text", "json", "csv"]


class SafeStream(io.TextIOBase):
    """A text stream that shows control characters visibly and writes UTF-8 whatever the locale."""

    def __init__(self, raw: TextIO, clean: Callable[[str], str]) -> None:
        super().__init__()
        self.raw = raw
        self._clean = clean
        encoding = (getattr(raw, "encoding", None) or "utf-8").lower().replace("-", "")
        # A C locale would choke on names; the bytes go out as UTF-8 instead.
        self._buffer = getattr(raw, "buffer", None) if encoding != "utf8" else None

    def write(self, text: str) -> int:
        """Write the cleaned text; returns the length given, as a text stream does."""
        safe = self._clean(text)
        if self._buffer is not None:
            self.raw.flush()
            self._buffer.write(safe.encode("utf-8", "backslashreplace"))
        else:
            self.raw.write(safe)
        return len(text)

    def flush(self) -> None:
        """Flush the stream underneath."""
        if self._buffer is not None:
            self._buffer.flush()
        self.raw.flush()

    def fileno(self) -> int:
        """The descriptor underneath (the broken-pipe handler redirects it)."""
        return self.raw.fileno()

    def isatty(self) -> bool:
        """Whether a terminal reads this."""
        return self.raw.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """Always UTF-8 on the way out."""
        return "utf-8"


def _cleaner(form: Form, stream: TextIO) -> Callable[[str], str]:
    """How text of this form is made safe on this stream."""
    if form == "json":
        return json_safe  # still the same JSON data, with \u escapes
    if form == "csv" and not stream.isatty():
        return str  # faithful in a file or a pipe: a spreadsheet gets exactly what was stored
    return printable


@contextmanager
def safe_output(form: Form = "text") -> Iterator[None]:
    """Route stdout and stderr through SafeStream while a command runs."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(out, _cleaner(form, out))
    sys.stderr = SafeStream(err, printable)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = out, err
