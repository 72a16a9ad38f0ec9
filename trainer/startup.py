"""The `trainer` entry point: the command line decides, and the app starts when it is asked for.

The cyclic garbage collector stays paused until the first frame (see trainer.gc_pause).
"""

from __future__ import annotations

import sys

from trainer.gc_pause import pause_collector, resume_collector
from trainer.safe_text import printable


def left_line(routine_name: str) -> str:
    """What is said on the normal screen after leaving the app mid-session."""
    return printable(f"Session saved: {routine_name}. `trainer resume` continues it.")


def main() -> int:
    """The `trainer` command."""
    pause_collector()
    try:
        from trainer.cli.main import main as cli_main

        launch = cli_main()
        if isinstance(launch, int):
            return launch
        from trainer.ui.app import TrainerApp  # Textual only when the app runs

        app = TrainerApp(launch.library, routine_id=launch.routine_id,
                         prepared=launch.prepared, resume=launch.resume, audio=launch.audio,
                         voice=launch.voice, sources=launch.sources, one_off=launch.one_off,
                         notify=launch.notify, notify_always=launch.notify_always)
        status = app.run_guarded()
        if app.left_session is not None and status == 0:
            # After run_guarded: the terminal is the shell's again, so the line stays there.
            # Only on a quit: a crash says its own one line, a hang-up has no terminal left
            # (and the next start offers the resume either way).
            from trainer.cli.output import SafeStream  # UTF-8 whatever the locale says

            out = SafeStream(sys.stdout, printable)
            out.write(left_line(app.left_session) + "\n")
            out.flush()
        return status
    finally:
        resume_collector()
