"""The words of the library format that code outside the validator needs too."""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("stretch", "aerobic", "strength", "mobility", "posture")
LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
