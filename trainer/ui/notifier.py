"""Desktop notifications from a session, written to the app's own terminal (so over SSH too).

By default only while the terminal does not have focus: Textual asks the terminal for focus
reports (`CSI ? 1004 h`) and keeps the answer in `App.app_focus`; a terminal that never reports
stays "focused" and is not notified unless the person asks for it always (`--notify-always`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual.app import App

from trainer.notify.sequences import build, choose, passthrough_allowed

if TYPE_CHECKING:  # the session's modules: not imported before a session (the library's start)
    from trainer.session.engine import Event
    from trainer.session.prepared import ExerciseInfo
    from trainer.session.timeline import Timeline

__all__ = ["PASSTHROUGH_HINT", "Notifier", "write_to_terminal"]

PASSTHROUGH_HINT = ("Desktop notifications cannot get out of tmux: add `set -g allow-passthrough "
                    "on` to ~/.tmux.conf (then `tmux source ~/.tmux.conf`). The bell rings "
                    "instead meanwhile.")


def write_to_terminal(app: App[Any], text: str) -> bool:
    """Write an escape sequence through the driver, as App.copy_to_clipboard writes OSC 52."""
    driver = app._driver  # Textual has no public way to the terminal: its own OSC 52 uses this
    if driver is None or driver.is_headless:
        return False
    driver.write(text)
    return True


class Notifier:
    """Turns session events into notifications; tmux's passthrough checked once, lazily."""

    def __init__(self, app: App[Any], mode: Callable[[], str], always: Callable[[], bool], *,
                 say: Callable[[str], None] | None = None,
                 env: Mapping[str, str] | None = None,
                 write: Callable[[str], object] | None = None,
                 check: Callable[[], bool | None] = passthrough_allowed) -> None:
        self.app = app
        self.mode = mode  # callables: config.yaml may change while the app runs
        self.always = always
        self.say = say or (lambda text: app.notify(text, severity="warning", timeout=12,
                                                  markup=False))
        self.env = dict(os.environ if env is None else env)
        self._write = write
        self._check = check
        # tmux only: None until checked, then whether passthrough gets out.
        self.passthrough: bool | None = None if self.env.get("TMUX") else True
        self._checking = False
        self._waiting: tuple[str, str] | None = None  # the latest one while tmux is asked

    def handle(self, events: Sequence[Event], timeline: Timeline,
               exercises: Mapping[str, ExerciseInfo] | None = None) -> None:
        """Notify for the moment among these events that needs it (if the terminal is away)."""
        if not events or (self.app.app_focus and not self.always()):
            return
        from trainer.notify.moments import moment

        found = moment(events, timeline, exercises)
        if found is not None:
            self.send(*found)

    def send(self, title: str, body: str) -> None:
        """One notification now, by the chosen sequence (or the bell, if tmux keeps it in)."""
        mode = self.mode()
        if choose(mode, self.env) is None:
            return
        if self.passthrough is None:
            self._waiting = (title, body)
            self._start_check()
            return
        if not self.passthrough:
            self.app.bell()
            return
        sequence = build(mode, title, body, self.env)
        if sequence is not None:
            self._emit(sequence)

    def _emit(self, sequence: str) -> None:
        """The one way out: the injected writer (tests), else the app's driver."""
        if self._write is not None:
            self._write(sequence)
        else:
            write_to_terminal(self.app, sequence)

    def _start_check(self) -> None:
        """Ask tmux about allow-passthrough on a thread (a subprocess: not on the event loop)."""
        if self._checking:
            return
        self._checking = True

        def check() -> None:
            allowed = self._check()
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.app.call_from_thread(self._checked, allowed)

        self.app.run_worker(check, thread=True, group="notify", exit_on_error=False)

    def _checked(self, allowed: bool | None) -> None:
        """tmux answered: say once how to let notifications out, then send the waiting one."""
        # Unknown (tmux before 3.3 has no such option and passes through): try.
        self.passthrough = allowed is not False
        if not self.passthrough:
            self.say(PASSTHROUGH_HINT)
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.send(*waiting)
