"""The `trainer` entry point: the command line decides, and the app starts when it is asked for.

The cyclic garbage collector stays paused until the first frame (see trainer.gc_pause).
"""

from __future__ import annotations

from trainer.gc_pause import pause_collector, resume_collector


def main() -> int:
    """The `trainer` command."""
    pause_collector()
    try:
        from trainer.cli.main import main as cli_main

        launch = cli_main()
        if isinstance(launch, int):
            return launch
        from trainer.ui.app import TrainerApp  # Textual only when the app runs

        return TrainerApp(launch.library, routine_id=launch.routine_id,
                          prepared=launch.prepared, resume=launch.resume, audio=launch.audio,
                          voice=launch.voice).run_guarded()
    finally:
        resume_collector()
