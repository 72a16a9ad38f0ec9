"""Ids made from names: the slugs the format asks for, and a free one when a slug is taken."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set

ID_LIMIT = 64  # as the format's Slug
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """An id from a name: lowercase ASCII letters and digits, single dashes, at most 64 chars."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")[:ID_LIMIT].strip("-")


def free_id(base: str, taken: Set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever is not taken (kept within 64 characters)."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: ID_LIMIT - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1
