"""`trainer schema`: the library format's JSON Schema, printed or installed for editors."""

from __future__ import annotations

import json
import sys

from trainer.library import schema


def cmd_schema(install: bool) -> int:
    """Print the schema (JSON, indent 2), or with `install` write it to the config folder and
    print its path."""
    if not install:
        print(json.dumps(schema.library_schema(), indent=2))
        return 0
    try:
        path = schema.install()
    except OSError as exc:
        print(f"trainer: cannot write the schema: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
