"""The Textual app: wires the screens to the library, the clock, the cues, history and settings."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen

from trainer import paths
from trainer.config import Config, load_config, save_config
from trainer.safe_text import printable
from trainer.ui.notifier import Notifier, write_to_terminal
from trainer.ui.widgets.too_small import MIN_COLUMNS, MIN_ROWS

if TYPE_CHECKING:  # the session screen and its engine: imported when a session starts
    from trainer.audio.players import Player
    from trainer.history.queries import ResumeTarget
    from trainer.history.recorder import Recorder
    from trainer.history.resume import ResumePlan
    from trainer.history.store import History
    from trainer.library.sources import Source
    from trainer.programs.follow import Following
    from trainer.session.catalog import Catalog, CatalogLoader
    from trainer.session.engine import Clock, Session
    from trainer.session.prepared import Prepared
    from trainer.ui.screens.library import LibraryScreen
    from trainer.ui.screens.session import SessionResult, SessionScreen

# Cues that mark a change of phase: these flash the screen as well as ringing.
FLASH_CUES = {"get_ready", "work", "rest", "switch", "complete", "phase"}


# Why an interrupted one-line timer keeps no resume point (shown in `trainer history`).
ONE_OFF = "a one-line timer: run the same command to start it again"


def _safety_note() -> ModalScreen[bool]:
    """The first-run note, imported when needed: its Markdown pulls in markdown-it (~0.1 s)."""
    from trainer.ui.screens.safety import SafetyScreen

    return SafetyScreen()


class TrainerApp(App[None]):
    """Library, sessions and summaries; `routine_id` or `resume` go straight into a session."""

    CSS_PATH = "trainer.tcss"
    TITLE = "trainer"
    # Ctrl+C quits like Ctrl+Q, as in any terminal program (Textual's own binding only says
    # how to quit). Not a priority binding: with text selected (a box, or the mouse) the
    # screen or the box copies it first, as Textual does; with nothing selected it quits.
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, id="app.quit")]
    HORIZONTAL_BREAKPOINTS = [(0, "-tiny"), (MIN_COLUMNS, "-narrow"), (80, "-normal"),
                              (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-tiny-h"), (MIN_ROWS, "-short"), (24, "-tall")]

    def __init__(self, library: Catalog | Callable[[], Catalog], *,
                 routine_id: str | None = None, prepared: Prepared | None = None,
                 resume: ResumeTarget | None = None, clock: Clock = time.monotonic,
                 config: Config | None = None, save_settings: bool = True,
                 audio: str | None = None, voice: bool = True, history: History | None = None,
                 player: Player | None = None, today: Callable[[], date] = date.today,
                 sources: Sequence[Source] = (), one_off: bool = False,
                 notify: str | None = None, notify_always: bool = False,
                 wall: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        # The prepared routine is in no library (a one-line timer): it cannot be resumed.
        self.one_off = one_off
        # Where the library came from, to load it again after an edit (default: the usual).
        self.sources = list(sources)
        self._loader: CatalogLoader | None = None
        # A callable loads the library when first needed: `trainer run` with a routine prepared
        # on an earlier run draws its session without it (see trainer.session.prepared).
        self._library = library
        # One load, whichever thread asks first (the library screen loads it in a worker).
        self._library_lock = threading.Lock()
        self.prepared = prepared
        self.routine_id = routine_id
        self.resume_target = resume
        self.clock = clock
        self.config = config if config is not None else load_config()
        self.save_settings = save_settings
        self.audio_mode = audio or self.config.audio
        self.voice = voice and self.config.voice
        # Desktop notifications: --notify and --notify-always win over config.yaml's settings.
        self.notifier = Notifier(self, lambda: notify or self.config.notify,
                                 lambda: notify_always or self.config.notify_focused,
                                 say=self._say_after_note)
        # Opened when first needed (see `history`): a session is drawn before it is read.
        self._history = history
        self.player = player
        self.today = today
        # The wall clock sessions are recorded by and a program's day is read from (tests move it).
        self.wall: Callable[[], datetime] = wall or (lambda: datetime.now().astimezone())
        self.sound_overrides: dict[str, Path] = {}
        self._player_waiters: list[Callable[[Player], None]] = []
        self._held_notices: list[str] = []  # said once the first-run note is acknowledged
        # The routine of a session left mid-way (and resumable), for a line after the app.
        self.left_session: str | None = None
        # What the first frame of the library or a session need not wait for comes after it.
        self._first_drawn = False  # first_frame_drawn has run
        self._in_session = False  # the file watcher is paused meanwhile

    @property
    def history(self) -> History:
        """The history store, opened on first use (its problems are said once, on screen)."""
        if self._history is None:
            from trainer.history.store import History  # sqlite3 and a dozen dataclasses: ~20 ms

            # The integrity check (a file version not checked before: ~300 ms at 50,000
            # sessions) runs on a thread: the first use comes right after the first frame.
            self._history = History.open(check="later")
            if self._history.problem:
                self.notify(self._history.problem, severity="warning", timeout=10, markup=False)
            if self._history.unchecked and self.is_running:
                self._check_history(self._history)
        return self._history

    @work(thread=True, group="history-check", exit_on_error=False)
    def _check_history(self, store: History) -> None:
        """The history's integrity check, off the main thread; a bad file is then set aside."""
        damage = store.verify()
        if damage is not None:
            self.call_from_thread(self._history_damaged, store, damage)

    def _history_damaged(self, store: History, damage: str) -> None:
        """Move the damaged file aside (the sessions running go on in the new one) and say so."""
        self.notify(store.set_aside(damage), severity="warning", timeout=10, markup=False)

    @property
    def library(self) -> Catalog:
        """The whole library, loaded on first use."""
        if callable(self._library):
            with self._library_lock:
                if callable(self._library):
                    self._library = self._library()
        return self._library

    async def library_loaded(self) -> Catalog:
        """The whole library, loaded off the event loop if it is not loaded yet."""
        if callable(self._library):
            # After the frame on screen: a load started before it would hold it up (the GIL).
            refreshed = asyncio.Event()
            self.call_after_refresh(refreshed.set)
            await refreshed.wait()
            await asyncio.to_thread(lambda: self.library)
        return self.library

    def reload_library(self) -> Catalog:
        """Load the library again (after a save in an editor): unchanged files come cached.

        A library handed over without its sources (tests, mostly) is kept as it is.
        """
        if self.sources:
            self._library = self.loader().load(self.sources)
        return self.library

    def loader(self) -> CatalogLoader:
        """The library's loader (its cache of unchanged files is what makes a reload quick)."""
        from trainer.session.catalog import CatalogLoader

        if self._loader is None:
            made = None if callable(self._library) else self._library.loader
            self._loader = made or CatalogLoader()
        return self._loader

    def library_reloaded(self, library: Catalog) -> None:
        """A reload after a save: screens updated in place, new problems said once."""
        from trainer.ui.screens.library import LibraryScreen

        before = {str(p) for p in self._library.problems} if not callable(
            self._library) else set()
        self._library = library
        new = [str(p) for p in library.problems if str(p) not in before]
        if new:
            more = f"\n… and {len(new) - 3} more (! lists them)" if len(new) > 3 else ""
            self.notify("\n".join(new[:3]) + more, title="Library", severity="warning",
                        timeout=10, markup=False)
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.show_library(library)
        self.reloaded.set()

    def config_reloaded(self, config: Config) -> None:
        """config.yaml was saved: a new theme, keys or audio take effect at once."""
        old, self.config = self.config, config
        if config.theme and config.theme != self.theme and config.theme in self.available_themes:
            self.theme = config.theme
        if config.keys != old.keys:
            self.set_keymap(config.keys)
        if config.audio != old.audio:
            self.audio_mode = config.audio
            self.player = None
            self._choose_player()
        if config.problems and config.problems != old.problems:
            self.notify("\n".join(config.problems[:5]), title="config.yaml",
                        severity="warning", timeout=10, markup=False)
        if not config.watch:
            self.workers.cancel_group(self, "watch")
        self.reloaded.set()

    def prepare(self, routine_id: str) -> Prepared:
        """A routine ready for the session screen."""
        prepared = self.prepared
        if prepared is not None and prepared.timeline.routine_id == routine_id:
            return prepared
        from trainer.session.prepared import prepare

        return prepare(self.library, routine_id)

    # -- starting and stopping ---------------------------------------------------------------

    def run_guarded(self) -> int:
        """Run; whatever ends the app mid-session (quit, hangup, crash) leaves it resumable.

        Bytes the terminal's input cannot read are dropped, and a terminal that goes away cannot
        hang the exit (ui.terminal_guard). A crash exits
        non-zero, its traceback in the crash log and one line said after the screen is
        restored, in place of Textual's report (ui.crash_log).
        """
        from trainer.ui.crash_log import CrashGuard
        from trainer.ui.terminal_guard import guarded

        self.driver_class = guarded(self.driver_class)
        with CrashGuard() as guard:
            try:
                self.run()
            finally:
                self.interrupt_sessions()
                if self._history is not None:
                    self._history.close()
        # Textual keeps the unhandled exception that ended the app (Pilot re-raises it).
        return guard.finish(self._exception, self.return_code or 0)

    def on_mount(self) -> None:
        """Settings, history, signals and the player; then the first screen."""
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.config.keys:
            # config.yaml `keys:` maps binding ids (session.pause, ...) to other keys.
            self.set_keymap(self.config.keys)

            def say_unknown_key_ids() -> None:
                """Each id no screen declares, once, with its line (imports every screen)."""
                import importlib
                import pkgutil

                from trainer.config import unknown_key_ids
                from trainer.ui import screens

                modules = [importlib.import_module(f"{screens.__name__}.{info.name}")
                           for info in pkgutil.iter_modules(screens.__path__)]
                owners = [type(self), *(value for module in modules
                                        for value in vars(module).values()
                                        if isinstance(value, type) and issubclass(value, Screen))]
                known = {getattr(binding, "id", None) for owner in owners
                         for binding in owner.BINDINGS}
                if unknown := unknown_key_ids(self.config, {i for i in known if i}):
                    self.notify("\n".join(unknown[:5]), title="config.yaml keys",
                                severity="warning", timeout=10, markup=False)

            # Off the event loop: importing every screen is 0.15 s, and a session may be running.
            self.run_worker(say_unknown_key_ids, thread=True, group="keys")
        if self.config.problems:
            # Each with its file:line:col; a few at most, so one notice holds them all.
            self.notify("\n".join(self.config.problems[:5]), title="config.yaml",
                        severity="warning", timeout=10, markup=False)
        self._resolve_sounds()
        if not self.is_headless:
            # Real terminals only: under Pilot a test run would stop obeying SIGTERM.
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                # Not available on every platform.
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self._hang_up)
        self.reloaded = asyncio.Event()  # set at each live reload (tests wait on it)
        self.watch_stop = asyncio.Event()  # set as the app ends (or a session starts)
        self._start()
        # After the first frame: watchfiles and its thread are not needed to draw it.
        self.call_after_refresh(self.watch_files)

    def on_unmount(self) -> None:
        """Stop watching files."""
        self.watch_stop.set()

    def watch_files(self, config_too: bool = False) -> None:
        """Reload the library and config.yaml when they are saved (ui.live_reload), unless
        watch is off, the sources are unknown (a library handed over alone is not read again)
        or a session runs. config_too: read config.yaml at once as well."""
        if not (self.config.watch and self.sources) or self._in_session:
            return
        from trainer.ui import live_reload

        # The coroutine is made when the worker starts: one made now would never be awaited
        # (and be complained about on the shell's screen) if the app ended first.
        async def watch() -> None:  # Textual's stubs want Coroutine[None, None, ...]
            await self.library_loaded()  # the watcher reloads with the loader that loaded it
            await live_reload.watch(self, config_too)

        self.watch_stop = asyncio.Event()
        self.run_worker(watch, group="watch", exclusive=True)  # type: ignore[arg-type]

    def _pause_watching(self) -> None:
        """No watching while a session runs: it keeps its timeline whatever is saved, and the
        watcher's thread takes the GIL four times a second (live_reload.STEP_MS)."""
        self._in_session = True
        self.watch_stop.set()

    def _resume_watching(self) -> None:
        """Watch again, first reading whatever was saved during the session."""
        self._in_session = False
        self.watch_files(config_too=True)

    def _hang_up(self) -> None:
        """SIGHUP (the SSH connection dropped) or SIGTERM: save and go."""
        self.interrupt_sessions()
        self.exit(return_code=129)

    def interrupt_sessions(self) -> None:
        """Leave every running session interrupted with its resume point."""
        for screen in self._session_screens():
            screen.interrupt()

    def _session_screens(self) -> list[SessionScreen]:
        """The session screens on the stack, the one on top last."""
        # None can exist before their module is imported: a quit from the library need not.
        module = sys.modules.get("trainer.ui.screens.session")
        if module is None:
            return []
        return [screen for screen in self.screen_stack
                if isinstance(screen, module.SessionScreen)]

    @work
    async def _start(self) -> None:
        """Safety note first (once), then the library, a resume offer, or the routine."""
        if not self.config.acknowledged_safety and await self.push_screen_wait(_safety_note()):
            self.config.acknowledged_safety = True
            self._save()
            for message in self._held_notices:
                self.notify(message, severity="warning", timeout=8, markup=False)
            self._held_notices.clear()
        # A session asked for on the command line comes first; the library (slower to build)
        # is put up when the person leaves the summary.
        if self.resume_target is None and self.routine_id is None:
            await self._show_library()
        if self.resume_target is not None:
            self.run_routine(self.resume_target.routine_id, self.resume_target.plan)
        elif self.routine_id is not None:
            self.run_routine(self.routine_id)
        else:
            await self._offer_resume()

    async def _offer_resume(self) -> None:
        """If the last session was interrupted, offer to pick it up (or say why not)."""
        from trainer.history.queries import latest_point
        from trainer.ui.screens.confirm import ResumeOfferScreen

        # As `trainer resume` decides; the library screen is up meanwhile.
        latest = latest_point(await self.library_loaded(), self.history)
        if latest is None:
            return
        point, check = latest
        if not check.offer:
            if check.verdict != "unstarted":  # left in its first get-ready: nothing to say
                self.notify(f"Cannot resume {point.routine_name}: {check.reason}", timeout=8,
                            markup=False)
            self.history.decline_resume(point.session_id, note=check.reason)
            return
        timeline = self.library.timeline(point.routine_id)
        plan = point.plan(timeline)
        stale = f"\n{check.reason}" if check.verdict == "stale" else ""
        answer = await self.push_screen_wait(
            ResumeOfferScreen(f"Resume {point.routine_name}?\n{plan.message}{stale}"))
        if answer == "resume":
            self.run_routine(point.routine_id, plan)
        elif answer == "discard":
            self.history.decline_resume(point.session_id, note="discarded")
        # "later": the resume point stays; `trainer resume` or the next start offers it again

    def on_library_screen_start(self, message: LibraryScreen.Start) -> None:
        """A routine was chosen on the library screen."""
        self.run_routine(message.routine_id)

    @work(group="routine")
    async def run_routine(self, routine_id: str, resume: ResumePlan | None = None) -> None:
        """Run sessions of a routine until the person goes back to the library."""
        from trainer.ui.screens.session import SessionScreen

        while True:
            routine = self.prepare(routine_id)
            no_resume = ONE_OFF if self.one_off and routine is self.prepared else None
            self._pause_watching()
            result = await self.push_screen_wait(
                SessionScreen(routine, resume, no_resume=no_resume))
            self._resume_watching()  # not on the way out: a quit cancels this worker first
            resume = None
            from trainer.ui.screens.summary import SummaryScreen  # not needed for the first frame

            choice = await self.push_screen_wait(
                SummaryScreen(result, self._checkin_saver(result)))
            if choice != "again":
                break
        await self._show_library()

    async def _show_library(self) -> None:
        """Put up the library screen unless it is already on the stack."""
        # Imported when first needed: it is the slowest screen to build.
        from trainer.ui.screens.library import LibraryScreen

        if not any(isinstance(screen, LibraryScreen) for screen in self.screen_stack):
            # A library not loaded yet with its index cached (`trainer`): drawn from the index,
            # the library loaded and validated after the first frame.
            index = getattr(self._library, "index", None) if callable(self._library) else None
            await self.push_screen(LibraryScreen(self.library if index is None else None,
                                                 index=index, load=self.library_loaded))
            if not self._first_drawn:
                self.screen.call_after_refresh(self.first_frame_drawn)

    def first_frame_drawn(self) -> None:
        """Once, after the first frame of the library or a session: lean partial updates
        (issue 18: only the dirty cells, each colour once) and the player."""
        if self._first_drawn:
            return
        self._first_drawn = True
        from trainer.ui.lean_frames import install

        # Its version check reads Textual's metadata (importlib.metadata and email: ~15 ms);
        # the player's module imports pydub (on its thread, holding the GIL against the frame).
        # Until a player is chosen the session rings the bell at phase changes.
        install()
        if self.player is None:
            self._choose_player()

    def action_history(self) -> None:
        """Show history and progress."""
        from trainer.ui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(self.history, self.library, self.today()))

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A notice; most quote a name, a file or a reason from a file, so all are shown safely."""
        safe = printable(message)
        # "^[" would open markup: text that needed cleaning is shown as plain text.
        super().notify(safe, title=printable(title), severity=severity, timeout=timeout,
                       markup=markup and safe == message)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The usual commands, history, and one per routine."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("History and progress", "Streak, minutes per week, pain trend",
                            self.action_history)
        for routine in self.library.routines.values():
            # The palette reads titles as markup: names from library files are escaped.
            yield SystemCommand(f"Start: {escape(printable(routine.name))}",
                                escape(printable(routine.summary or routine.id)),
                                lambda rid=routine.id: self.run_routine(rid))
        from trainer.ui.screens.library import LibraryScreen

        if not isinstance(screen, LibraryScreen):
            return  # editing is done from the library, not from under a session
        for program in self.library.programs.values():
            name = escape(printable(program.name))
            yield SystemCommand(f"Follow program: {name}", "From today (`trainer today` too)",
                                lambda pid=program.id: self.follow_program(pid))
        yield SystemCommand("When to stop and get help", "The safety note and the red flags",
                            screen.action_safety)
        yield SystemCommand("New routine", "Make a routine of your own",
                            lambda: screen.edit("routine", None, "new"))
        yield SystemCommand("New exercise", "Make an exercise of your own",
                            lambda: screen.edit("exercise", None, "new"))
        for kind, items in (("routine", self.library.routines),
                            ("exercise", self.library.exercises)):
            for item in items.values():
                name = escape(printable(item.name))
                yield SystemCommand(f"Edit {kind}: {name}", f"Change {name} (yours, or a copy)",
                                    lambda k=kind, i=item.id: screen.edit(k, i, "edit"))

    # -- history -------------------------------------------------------------------------------

    def record(self, session: Session, resume: ResumePlan | None) -> Recorder:
        """A recorder writing this session into the history."""
        from trainer.history.recorder import Recorder

        if resume is not None:
            return Recorder.resume(self.history, session, resume, wall=self.wall)
        return Recorder.start(self.history, session, wall=self.wall)

    def follow_program(self, program_id: str) -> None:
        """Follow a program from today (one followed before is stopped)."""
        from trainer.history import program_runs
        from trainer.ui.screens.library import LibraryScreen

        program = self.library.programs[program_id]
        moment = self.wall()
        program_runs.start(self.history, program.id, program.name, moment.date(), moment)
        self.notify(f"Following {program.name}: it moves on only when your check-ins say it "
                    "felt fine. It does not replace a physical therapist's plan.",
                    timeout=8, markup=False)
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.show_today()

    def following(self) -> Following | None:
        """The program being followed, as it stands now (None: none, or it is gone)."""
        from trainer.history import program_runs
        from trainer.programs.follow import ProgramGone, following_run

        run = program_runs.current(self.history)
        if run is None:
            return None  # the usual case, answered without loading the library (`trainer run`)
        try:
            return following_run(self.library, self.history, run, self.wall())
        except ProgramGone:
            return None  # the library screen's Today line says nothing; `trainer today` says why

    def _checkin_saver(self, result: SessionResult) -> Callable[..., str | None] | None:
        """Stores a check-in for this session, or None when it has no record."""
        session_id = result.session_id
        if session_id is None:
            return None
        history = self.history
        before = self.following()  # the program as it stood: a check-in may change its stage

        def save(pain: int | None, effort: int | None, note: str) -> str | None:
            import sqlite3

            from trainer.history.store import HistoryError

            try:
                history.add_checkin(session_id, pain, effort, note)
            except (ValueError, sqlite3.Error, HistoryError) as exc:
                return f"Check-in not saved: {exc}"  # said on screen; the workout is not lost
            self._say_program_news(before)
            return None

        return save

    def _say_program_news(self, before: Following | None) -> None:
        """A stage the check-in changed, said on the summary; at a pain hold, the safety note."""
        from trainer.programs.follow import news

        found = news(before, self.following())
        if found is None:
            return
        from trainer.ui.screens.summary import SummaryScreen

        if isinstance(self.screen, SummaryScreen):
            self.screen.show_news(found.text)
        if found.held:
            from trainer.ui.screens.safety import SafetyScreen

            self.push_screen(SafetyScreen(full=True))

    # -- cues ----------------------------------------------------------------------------------

    @work(thread=True, group="player")
    def _choose_player(self) -> None:
        """Find a player (probing local ones takes a moment, so off the event loop)."""
        from trainer.audio.players import BellPlayer, bell_over_ssh, choose_player

        player, reason = choose_player(self.audio_mode, ring=self.ring,
                                       send=self.send_sequence)
        self.log(f"audio: {reason}")
        # The bell instead of the sound player asked for (local) or expected (auto, not over
        # SSH) must not go unexplained: say why, once.
        if isinstance(player, BellPlayer) and (
                self.audio_mode == "local" or (self.audio_mode == "auto" and not bell_over_ssh())):
            self.call_from_thread(self._say_after_note,
                                  f"Cues use the terminal bell: {reason.removeprefix('bell: ')}")
        self.call_from_thread(self._player_chosen, player)

    def _say_after_note(self, message: str) -> None:
        """A warning, held back while the first-run note is up (it would cover its corner)."""
        if self.config.acknowledged_safety:
            self.notify(message, severity="warning", timeout=8, markup=False)
        else:
            self._held_notices.append(message)

    def _player_chosen(self, player: Player) -> None:
        """Hand the player to whoever is waiting for it."""
        self.player = player
        waiters, self._player_waiters = self._player_waiters, []
        for waiter in waiters:
            waiter(player)

    def when_player_ready(self, callback: Callable[[Player], None]) -> None:
        """Call back with the player now, or once it has been chosen."""
        if self.player is not None:
            callback(self.player)
        else:
            self._player_waiters.append(callback)

    def send_sequence(self, sequence: str) -> None:
        """An escape sequence to the terminal as it is (the served page's cues, audio.browser)."""
        # From the event loop's thread only: the web driver writes frames there without a lock.
        if threading.get_ident() != self._thread_id:
            self.call_from_thread(self.send_sequence, sequence)
        else:
            write_to_terminal(self, sequence)

    def ring(self, cue: str) -> None:
        """The bell player's output: BEL to the terminal (it travels over SSH) and a flash."""
        self.bell()
        if cue in FLASH_CUES:
            for screen in self._session_screens():
                if screen is self.screen:
                    screen.flash()

    def _resolve_sounds(self) -> None:
        """Cue sounds chosen in config.yaml, kept inside the config and sounds folders."""
        if not self.config.sounds:
            return
        from trainer.audio.cues import resolve_overrides

        roots = [paths.config_dir(), paths.builtin_sounds_dir()]
        self.sound_overrides, problems = resolve_overrides(
            self.config.sounds, paths.config_dir(), roots)
        for cue, problem in problems.items():
            self.notify(f"config.yaml sounds: {cue}: {problem}", severity="warning", timeout=8,
                        markup=False)

    # -- settings ------------------------------------------------------------------------------

    def remember(self, **settings: Any) -> None:
        """Change and save settings such as volume and mute."""
        for key, value in settings.items():
            setattr(self.config, key, value)
        self._save()

    def _theme_changed(self, theme: object) -> None:
        """Remember the theme."""
        if self.config.theme != self.theme:
            self.config.theme = self.theme
            self._save()

    def _save(self) -> None:
        """Save settings, saying so if that fails."""
        if not self.save_settings:
            return
        # Only what changed is written, into the file as the person left it; a config.yaml that
        # cannot be read is never written over (loading said so): settings stay in memory.
        problem = save_config(self.config)
        if problem:
            self.notify(problem, severity="warning", markup=False)
