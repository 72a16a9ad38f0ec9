"""Fast start: the command line runs with the cyclic garbage collector paused until the first
frame is on screen.

Importing Textual, pydantic and the library allocates hundreds of thousands of objects that
live as long as the program; the collector would walk them again and again (about 0.1 s of a
1 s start) and find almost nothing to free. Once drawn, they are frozen out of its way.
"""

from __future__ import annotations

import gc


def pause_collector() -> None:
    """Stop automatic collection (reference counting still frees almost everything)."""
    gc.disable()


def resume_collector() -> None:
    """Freeze what startup built and collect as usual from here on (idempotent)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main() -> int:
    """The `trainer` command."""
    pause_collector()
    try:
        from trainer.cli.main import main as cli_main

        return cli_main()
    finally:
        resume_collector()
