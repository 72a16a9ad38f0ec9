"""What a cache kept between runs depends on: the trainer's code and every library file.

Prepared routines (trainer.session.prepared) and the library's index
(trainer.session.library_index) are kept under this key; it lives apart from both so that
reading the index back imports no timeline code.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trainer import __version__
from trainer.library.sources import SETTLE_NS, Source, file_key, library_files

Key = tuple[Any, ...]
_PACKAGE = Path(__file__).resolve().parent


def fingerprint(form: int, sources: Sequence[Source], now: int | None = None) -> Key | None:
    """Everything a cache of this form depends on; None while a file is still settling.

    Taken before the library is read, so that a file changed while it is read shows as a change.
    """
    now = time.time_ns() if now is None else now
    parts: list[Any] = [form, __version__]
    code = sorted(_PACKAGE.glob("*.py"))
    library: list[Path] = []
    for source in sources:
        parts.append((source.label, str(source.path), source.required))
        if source.path.exists():
            library += library_files(source)
    for path in code + library:
        try:
            st = path.stat()
        except OSError:
            return None
        if now - st.st_mtime_ns < SETTLE_NS or now - st.st_ctime_ns < SETTLE_NS:
            return None
        parts.append((str(path), *file_key(st)))
    return tuple(parts)


def plain(value: Any) -> Any:
    """A fingerprint as JSON holds it: its tuples as lists."""
    return [plain(v) for v in value] if isinstance(value, tuple | list) else value
