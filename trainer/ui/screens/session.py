"""The session screen: a big countdown, the phase, what to do and what comes next."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from trainer.gc_pause import resume_collector
from trainer.library.durations import format_clock
from trainer.safe_text import printable
from trainer.session.engine import Event, Session, State
from trainer.session.prepared import Prepared
from trainer.ui.presenter import View, present
from trainer.ui.widgets.big_clock import BigClock
from trainer.ui.widgets.progress_line import ProgressLine
from trainer.ui.widgets.too_small import TooSmall

PHASE_KINDS = ("get_ready", "work", "hold", "reps", "rest", "switch", "done")
_STATE_CLASSES = {f"-{kind.replace('_', '-')}" for kind in PHASE_KINDS} | {"-paused"}
if TYPE_CHECKING:
    from trainer.audio.engine import CueEngine
    from trainer.audio.players import Player
    from trainer.history.recorder import Recorder
    from trainer.history.resume import ResumePlan
    from trainer.ui.app import TrainerApp

EXTEND_STEP = 10.0
HOW_MAX = 8  # rows of instructions at most; the clock takes the rest of the screen
LOWER_ROWS = 5  # below the clock besides the instructions: bar, target, gap, up next, session
FLASH_SECONDS = 0.3
BAR_SECONDS = 5.0
SESSION_BAR_SECONDS = 10.0  # the whole session's bar barely moves in a few seconds anyway
BAR_STEP = 1 / 12  # but the phase bar moves at least every twelfth: short phases show it too
MIN_DELAY = 0.01  # never spin the event loop
# The Static widgets that show a View field of the same name (dashes for underscores).
TEXT_FIELDS = ("word", "title", "detail", "target", "instructions", "up_next", "session_left")


@dataclass(frozen=True)
class SessionResult:
    """How a session went, for the summary."""

    session_id: int | None
    routine_id: str
    routine_name: str
    completed: bool
    active_seconds: float
    paused_seconds: float
    phases_done: int
    phases_skipped: int
    phases_total: int
    # As recorded: completed, skipped (run to the end, less than half of it done) or stopped.
    status: str = ""


class SessionScreen(Screen[SessionResult]):
    """Runs one session; dismisses with its result when done or stopped."""

    # Quit first: on a narrow terminal the footer is cut on the right, and how to leave must
    # stay on screen. Done shows only in a self-paced phase, and the pause key is labelled
    # Pause or Resume by what it does now (see check_action): one id, so one remap moves both.
    BINDINGS = [
        Binding("q,escape", "quit_session", "Quit", id="session.quit"),
        Binding("space", "toggle_pause(False)", "Pause", id="session.pause"),
        Binding("space", "toggle_pause(True)", "Resume", id="session.pause"),
        Binding("n,right", "skip", "Skip", id="session.skip"),
        Binding("p,left", "back", "Back", id="session.back"),
        Binding("plus,equals_sign", "extend(1)", "+10s", id="session.more"),
        Binding("minus,underscore", "extend(-1)", "-10s", id="session.less"),
        Binding("enter", "done", "Done", id="session.done"),
        Binding("m", "mute", "Mute", id="session.mute"),
        Binding("right_square_bracket", "volume(10)", "Vol+", id="session.louder"),
        Binding("left_square_bracket", "volume(-10)", "Vol-", id="session.quieter"),
    ]

    def __init__(self, routine: Prepared, resume: ResumePlan | None = None, *,
                 record: bool = True, no_resume: str | None = None) -> None:
        super().__init__()
        self.record = record  # False: a try-out from the editor, kept out of the history
        self.no_resume = no_resume  # why it cannot be resumed (a one-line timer), if so
        self.timeline = routine.timeline
        self.exercises = routine.exercises
        self.resume = resume
        # A resume that starts in the phase before the one it stopped in: that one's last
        # seconds are its lead-in, shown as the get-ready they are.
        self._lead_in = (resume.start_index if resume is not None
                         and resume.start_index < resume.phase_index else None)
        self.session: Session | None = None
        self.recorder: Recorder | None = None
        self.engine: CueEngine | None = None
        self.view: View | None = None
        self.events: list[Event] = []  # everything emitted, for tests
        self.muted = False
        self._timer: asyncio.TimerHandle | None = None
        self._status = ""
        self._reported: str | None = None
        self._bars_moved = [-SESSION_BAR_SECONDS, -SESSION_BAR_SECONDS]  # phase bar, session bar
        self._drawn = False

    def compose(self) -> ComposeResult:
        """The layout, built showing the session's first moment; ticks change what moves."""
        # Built with its content, classes and glyphs in place, the first frame needs no
        # restyling or relayout. Few widgets sit beside the clock: Textual re-renders every
        # widget whose container overlaps a change, so the text above and below it is grouped
        # in two containers.
        view = self._begin()
        state = " ".join(_state_classes(view))
        with Vertical(id="upper", classes="body"):
            with Horizontal(id="top"):
                yield Static(printable(self.timeline.routine_name), markup=False, id="routine")
                yield Static(self._status, markup=False, id="status")
            yield Static(view.word, markup=False, id="word", classes=state)
            yield Static(view.title, markup=False, id="title")
            yield Static(view.detail, markup=False, id="detail")
        yield BigClock(view.clock, id="clock", classes=f"body {state}")
        with Vertical(id="lower", classes="body"):
            yield ProgressLine(view.phase_progress, id="phase-bar", classes=state)
            yield Static(view.target, markup=False, id="target")
            # Not focusable: the keys all drive the session, and a focused box would restyle.
            with VerticalScroll(id="how", can_focus=False):
                yield Static(view.instructions, markup=False, id="instructions")
            yield Static(view.up_next, markup=False, id="up-next")
            with Horizontal(id="bottom"):
                yield ProgressLine(view.session_progress, id="session-bar")
                yield Static(view.session_left, markup=False, id="session-left")
        yield TooSmall()
        yield Footer(compact=True)

    def _begin(self) -> View:
        """Start (or resume) the session; its first view."""
        app = self.trainer
        if self.resume is not None:
            self.session = self.resume.session(self.timeline, app.clock)
        else:
            self.session = Session(self.timeline, app.clock)
        self.muted = app.config.muted
        self.view = present(self.session.state(), self.timeline, self.exercises, self._lead_in)
        self._status = self._status_text(self.view)
        return self.view

    def on_mount(self) -> None:
        """Start the cues and the ticking; the record follows the first frame."""
        app = self.trainer
        if self.resume is not None:
            self.notify(self.resume.message, timeout=6, markup=False)
        app.when_player_ready(self._start_cues)
        # Looked up once: a query per widget per tick adds up over a long session.
        self._texts = {name: self.query_one(f"#{name.replace('_', '-')}", Static)
                       for name in (*TEXT_FIELDS, "status")}
        self._clock = self.query_one(BigClock)
        self._bars = (self.query_one("#phase-bar", ProgressLine),
                      self.query_one("#session-bar", ProgressLine))
        self._fit_instructions()
        self.tick()
        self.call_after_refresh(self._first_frame_drawn)

    def _first_frame_drawn(self) -> None:
        """What waits until the countdown is on screen: flashes, the record, the collector."""
        self._drawn = True
        self.trainer.first_frame_drawn()  # the player and lean frames, if nothing has yet
        # The session's clock already runs, so the record starts at the same instant; opening
        # the history (sqlite3 and its module) just does not delay the first frame.
        self._start_record()
        resume_collector()

    def _start_record(self) -> None:
        """Start (or carry on) this session's record in the history."""
        if self.session is not None and self.recorder is None and self.record:
            self.recorder = self.trainer.record(self.session, self.resume)
            self.recorder.no_resume = self.no_resume
            self.recorder.update()
            self._report(self.recorder.problem)

    def flash(self) -> None:
        """Flash the phase word, a visual bell (not on the first frame: all of it is new)."""
        if not self._drawn:
            return
        word = self._texts["word"]
        word.add_class("-flash")
        self.set_timer(FLASH_SECONDS, lambda: word.remove_class("-flash"))

    @property
    def trainer(self) -> TrainerApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def _start_cues(self, player: Player) -> None:
        """Make the cue engine for this routine and render its sounds on a worker thread."""
        # Imported here, once the player is known: pydub and friends are not needed to draw.
        from trainer.audio.engine import CueEngine
        from trainer.audio.players import BellPlayer, LocalPlayer

        app = self.trainer
        if isinstance(player, LocalPlayer) and player.failed:
            # It failed in an earlier session and reports a failure only once: used again it
            # would fail silently, so this session starts on the bell.
            player = BellPlayer(app.ring)
        self.engine = CueEngine(
            self.timeline, self.exercises, player, volume=app.config.volume,
            muted=self.muted, voice=app.voice, fallback=BellPlayer(app.ring),
            on_notice=lambda text: self.notify(text, severity="warning", timeout=8,
                                               markup=False),
            overrides=app.sound_overrides)
        self._prepare_cues(self.engine)

    @work(thread=True, exclusive=True, group="cues")
    def _prepare_cues(self, engine: CueEngine) -> None:
        """Pre-render every cue and voice line (slow; a worker thread)."""
        worker = get_current_worker()
        engine.prepare(should_stop=lambda: worker.is_cancelled)

    def _play(self, events: list[Event]) -> None:
        """Hand events to the cue engine (or ring the bell for phase changes until it exists)."""
        self.trainer.notifier.handle(events, self.timeline, self.exercises)
        if self.engine is not None:
            self.engine.handle(events)
        elif not self.muted and any(e.kind in ("phase_started", "finished") for e in events):
            self.trainer.ring("phase")

    def on_unmount(self) -> None:
        """Stop playing and reaping; a session still running when the app closes is interrupted."""
        self._stop_timer()
        # Quitting the app (ctrl+q) unmounts the screens before App.run returns, so
        # run_guarded's interrupt_sessions finds the stack empty: this is its chance.
        self.interrupt()
        if self.engine is not None:
            self.engine.close()

    class Tick(Message, bubble=False):
        """Time to catch up with the session's clock."""

    def on_session_screen_tick(self, message: Tick) -> None:
        """The planned moment has come."""
        self.tick()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def tick(self) -> None:
        """Catch up with the clock, pass on events, redraw what changed, plan the next tick."""
        self._stop_timer()
        session = self.session
        if session is None:
            return
        events = session.tick()
        if events:
            self.events += events
        self._play(events)
        if self.recorder is not None:
            self.recorder.update()
            self._report(self.recorder.problem)
        state = session.state()
        if state.phase.index != self._lead_in:
            self._lead_in = None  # over; gone back to later, that phase is itself again
        self.refresh_view(present(state, self.timeline, self.exercises, self._lead_in))
        if state.finished:
            self._finish(completed=True)
            return
        if not state.paused:
            # An event-loop timer that posts a message: Textual's set_timer sends each call
            # through call_next and inspects two signatures every time, about a tenth of a
            # steady session's CPU. The message keeps the tick (and any error in it) in
            # Textual's hands.
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(_delay(state), self.post_message, self.Tick())

    def on_resize(self) -> None:
        """The instructions wrap anew at another width."""
        self._fit_instructions()

    def _fit_instructions(self) -> None:
        """The text below the clock only as tall as it needs (the instructions at most HOW_MAX
        rows, scrolling past that): the clock, sharing the rows with it, gets all the rest."""
        width = max(1, (self.size.width or self.app.size.width) - 4)  # padding, scrollbar
        text = self._texts["instructions"]
        lines = text.get_content_height(Size(width, HOW_MAX), Size(width, HOW_MAX), width)
        rows = max(1, min(HOW_MAX, lines))
        self.query_one("#how").styles.max_height = rows
        self.query_one("#lower").styles.max_height = LOWER_ROWS + rows

    def refresh_view(self, view: View) -> None:
        """Update only the widgets whose content changed."""
        old, self.view = self.view, view
        assert old is not None, "compose shows the first view"
        # Classes go on the few widgets that change colour: restyling the whole screen
        # costs tens of milliseconds per phase change.
        if old.kind != view.kind or old.paused != view.paused:
            self.refresh_bindings()  # Done comes and goes with self-paced phases, Pause/Resume
        if old.kind != view.kind or old.paused != view.paused:
            wanted = _state_classes(view)
            for widget in self.query("#word, #clock, #phase-bar"):
                # One restyle per widget: every class change on its own would restyle again.
                keep = {c for c in widget.classes if c not in _STATE_CLASSES}
                widget.set_classes(keep | wanted)
        for name in TEXT_FIELDS:
            text = getattr(view, name)
            if (before := getattr(old, name)) != text:
                # "0:42 left" to "0:41 left" keeps its width: no layout of the screen each second.
                steady = name == "session_left" and len(before) == len(text)
                self._texts[name].update(text, layout=not steady)
        if old.instructions != view.instructions:
            self._fit_instructions()
        status = self._status_text(view)
        if status != self._status:  # Static.update repaints (and lays out) even if unchanged
            self._status = status
            self._texts["status"].update(status)
        self._clock.show(view.clock)
        # Bars move every few seconds rather than every second: each move rewrites a whole
        # line, which adds up over SSH, and the big clock already shows every second.
        now = self.trainer.clock()
        steady = old.index == view.index and old.paused == view.paused
        moves = ((view.phase_progress, BAR_SECONDS, BAR_STEP),
                 (view.session_progress, SESSION_BAR_SECONDS, 1.0))
        for i, (fraction, seconds, step) in enumerate(moves):
            bar = self._bars[i]
            if (not steady or now - self._bars_moved[i] >= seconds
                    or abs(fraction - bar.fraction) >= step):
                self._bars_moved[i] = now
                bar.fraction = fraction

    def _status_text(self, view: View) -> str:
        """Muted or not, and which phase of how many."""
        count = self.timeline.steps
        return ("muted · " if self.muted else "") + f"phase {min(view.index + 1, count)}/{count}"

    # -- commands ----------------------------------------------------------------

    def _command(self, name: str, *args: float) -> None:
        """Send a command to the engine and redraw at once."""
        if self.session is not None:
            getattr(self.session, name)(*args)
            self.tick()

    def action_toggle_pause(self, paused: bool | None = None) -> None:
        """Pause or resume (a pause is a checkpoint in the history); `paused`: the key's label."""
        self._command("toggle_pause")
        if self.session is not None and self.session.paused and self.recorder is not None:
            self.recorder.checkpoint()

    def action_skip(self) -> None:
        """Next phase."""
        self._command("skip")

    def action_back(self) -> None:
        """Restart the phase, or the previous one."""
        self._command("back")

    def action_extend(self, direction: int) -> None:
        """Add or take away ten seconds."""
        self._command("extend", direction * EXTEND_STEP)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Done only in a self-paced phase; Pause while running, Resume while paused."""
        if action == "done":
            return self.view is not None and self.view.kind == "reps"
        if action == "toggle_pause" and parameters:
            return self.view is not None and self.view.paused == parameters[0]
        return True

    def action_done(self) -> None:
        """End a self-paced phase."""
        if self.session is not None and not self.session.done():
            self.notify("Enter ends a reps phase; this one is timed (n skips it)", timeout=3)
        self.tick()

    def action_mute(self) -> None:
        """Mute or unmute cues (remembered)."""
        self.muted = not self.muted
        if self.engine is not None and self.engine.muted != self.muted:
            self.engine.toggle_mute()
        self.trainer.remember(muted=self.muted)
        self.notify("Cues muted" if self.muted else "Cues on", timeout=2)
        if self.view is not None:
            self.refresh_view(self.view)

    def action_volume(self, step: int) -> None:
        """Louder or quieter by a step (remembered)."""
        volume = max(0, min(100, self.trainer.config.volume + step))
        if self.engine is not None:
            volume = self.engine.set_volume(volume)
        self.trainer.remember(volume=volume)
        from trainer.audio.players import BellPlayer  # loaded already: the cues use it

        bell = self.engine is not None and isinstance(self.engine.player, BellPlayer)
        self.notify(f"Volume {volume}%" + (" (kept for sound; the terminal bell has no volume)"
                                           if bell else ""), timeout=2)

    def _report(self, problem: str | None) -> None:
        """Show a history problem once."""
        if problem and problem != self._reported:
            self._reported = problem
            self.notify(problem, severity="warning", timeout=8, markup=False)

    def interrupt(self) -> None:
        """The app is going away mid-session: leave it resumable (and say so once it has gone)."""
        session = self.session
        if self.recorder is not None and session is not None:
            mid_session = not session.finished
            if self.recorder.interrupt() and mid_session and self.no_resume is None:
                self.trainer.left_session = self.timeline.routine_name

    @work
    async def action_quit_session(self) -> None:
        """Ask, the session paused meanwhile; then stop it, or carry on where it was."""
        from trainer.ui.screens.confirm import EndSessionScreen  # seldom needed: not at start

        session = self.session
        if session is None:
            return
        paused_here = not session.paused  # a pause the person made stays after "Keep going"
        if paused_here:
            self.action_toggle_pause()  # a checkpoint too: the app may be left from the dialog
        if self.session is None:
            return  # it ended in the catching up before the pause
        end = await self.app.push_screen_wait(EndSessionScreen())
        if self.session is not session:
            return  # gone meanwhile (the app is closing)
        if end:
            session.resume()  # the time in the dialog counts as paused, not as exercise
            self._finish(completed=False)
        elif paused_here and session.paused:
            self.action_toggle_pause()

    def _finish(self, *, completed: bool) -> None:
        """Stop ticking and hand over the result."""
        self._stop_timer()
        session = self.session
        if session is None:
            return
        self.session = None
        if self.recorder is not None:
            self.recorder.finish(completed=completed)
            self._report(self.recorder.problem)
        status = self.recorder.status if self.recorder is not None else None
        if status is None:  # no record (history unavailable): as far as the screen knows
            status = "completed" if completed else "stopped"
        state = session.state()
        end = session.finished_at if session.finished_at is not None else session.clock()
        active = [p.index for p in self.timeline.phases if p.active]
        reached = [i for i in active if i < state.phase.index]
        skipped = sum(1 for i in active if i in session.skipped)
        self.dismiss(SessionResult(
            session_id=self.recorder.session_id if self.recorder and self.recorder.session_id
            else None,
            routine_id=self.timeline.routine_id,
            routine_name=self.timeline.routine_name,
            completed=status == "completed",
            active_seconds=max(0.0, end - session.started_at - session.paused_total),
            paused_seconds=session.paused_total,
            phases_done=len(reached) - skipped,
            phases_skipped=skipped,
            phases_total=len(active),
            status=status,
        ))


def _state_classes(view: View) -> set[str]:
    """The classes that colour the phase word, the clock and the phase bar."""
    return {f"-{view.kind.replace('_', '-')}"} | ({"-paused"} if view.paused else set())


def _delay(state: State) -> float:
    """Seconds until the display next changes or a cue is due."""
    if state.remaining is None:
        return max(MIN_DELAY, 1.0 - state.elapsed % 1.0)
    # The clock shows whole seconds rounded up: it changes as remaining crosses an integer.
    delay = state.remaining - math.floor(state.remaining) or 1.0
    for cue in state.phase.cues:
        if cue.kind != "countdown" and cue.at > state.elapsed:
            delay = min(delay, cue.at - state.elapsed)
    return max(MIN_DELAY, delay + 0.002)


def describe_result(result: SessionResult) -> str:
    """One paragraph about a finished session."""
    skipped = result.status == "skipped"
    how = ("Completed" if result.completed else "Mostly skipped" if skipped
           else "Stopped early")
    paused = ""
    if result.paused_seconds:
        paused = f" (plus {format_clock(result.paused_seconds)} paused)"
    why = ("\n\nLess than half of the exercise time was done, so this session is recorded as "
           "skipped: it does not count toward your streak or progress." if skipped else "")
    return (f"{how}: {printable(result.routine_name)}\n\n"
            f"Time: {format_clock(result.active_seconds)}{paused}\n"
            f"Exercise phases done: {result.phases_done} of {result.phases_total}"
            + (f", {result.phases_skipped} skipped" if result.phases_skipped else "") + why)
