"""trainer: a terminal exercise trainer."""

__version__ = "0.1.0"
