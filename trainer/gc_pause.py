"""The cyclic garbage collector paused through start-up, resumed once the first frame is drawn.

Importing Textual, pydantic and the library allocates hundreds of thousands of objects that
live as long as the program; the collector would walk them again and again (about 0.1 s of a
1 s start) and find almost nothing to free. Once drawn, they are frozen out of its way. The
command line and the app both call this, so it sits below both.
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
