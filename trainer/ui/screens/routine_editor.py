"""The routine editor: the steps as a tree, a form for the selected one, checked as you type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, Tree
from textual.widgets.tree import TreeNode

from trainer.library.durations import format_clock, format_duration
from trainer.library.ids import slug
from trainer.library.routine_draft import (
    ROUTINE,
    DraftProblem,
    RoutineDraft,
    StepPath,
    check,
    step_kind,
)
from trainer.library.vocabulary import LEVELS
from trainer.safe_text import printable
from trainer.session.catalog import Catalog
from trainer.session.describe import exercise_timing
from trainer.ui.widgets.too_small import TooSmall

# (key, label, kind): kind is text, duration, count, level, yes-no, exercise or list.
Field = tuple[str, str, str]
ROUTINE_FIELDS: list[Field] = [
    ("name", "Name", "text"), ("id", "Id (the file name; from the name)", "text"),
    ("level", "Level", "level"), ("summary", "Summary", "text"),
    ("defaults.get_ready", "Get ready before the first exercise", "duration"),
    ("defaults.rest", "Rest between steps", "duration"),
    ("defaults.set_rest", "Rest between sets", "duration"),
    ("defaults.switch", "Switch sides", "duration"),
    ("defaults.countdown", "Countdown cues (last seconds)", "count"),
    ("defaults.announce", "Spoken announcements", "yes-no"),
]
STEP_FIELDS: dict[str, list[Field]] = {
    "exercise": [
        ("exercise", "Exercise", "exercise"),
        ("hold", "Hold (e.g. 30s; empty: the exercise's own timing)", "duration"),
        ("duration", "Duration (timed work, e.g. 1m)", "duration"),
        ("reps", "Reps", "count"), ("tempo", "Tempo per rep (empty: self-paced)", "duration"),
        ("sets", "Sets", "count"), ("set_rest", "Rest between sets", "duration"),
        ("rest", "Rest after (empty: the routine's)", "duration"),
        ("say", "Say as it starts", "text"),
    ],
    "block": [("block", "Block name", "text"), ("repeat", "Repeat", "count"),
              ("rest_between", "Rest between repeats", "duration")],
    "interval": [("interval.work", "Work", "duration"), ("interval.rest", "Rest", "duration"),
                 ("interval.rounds", "Rounds", "count"),
                 ("interval.exercises", "Exercises (ids, comma separated)", "list")],
    "rest": [("rest", "Rest", "duration"), ("say", "Say as it starts", "text")],
}
SCALES = {"1": 0.75, "2": 1.25, "3": 1.5}


def _field_id(key: str) -> str:
    return "f-" + key.replace(".", "-").replace("_", "-")


def _value(text: str, kind: str) -> Any:
    """What a field's text is saved as: None if empty, whole numbers as ints, lists split."""
    text = text.strip()
    if not text:
        return None
    if kind == "list":
        return [part.strip() for part in text.split(",") if part.strip()] or None
    if kind in ("count", "duration") and text.isdigit() and len(text) < 8:
        return int(text)
    return text


def _shown(value: Any) -> str:
    """A value as its field shows it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _get(target: Any, key: str) -> Any:
    for part in key.split("."):
        if not isinstance(target, dict):
            return None
        target = target.get(part)
    return target


class ScaleScreen(ModalScreen[float | None]):
    """How much harder or easier: x 0.75, x 1.25 or x 1.5."""

    DEFAULT_CSS = """
    ScaleScreen { align: center middle; }
    ScaleScreen #scale { width: 56; height: auto; border: thick $primary; background: $surface;
                         padding: 1 2; }
    ScaleScreen Horizontal { height: 3; margin-top: 1; }
    ScaleScreen Button { width: 1fr; min-width: 0; margin: 0 1; }
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"),
                *(Binding(key, f"dismiss({factor})", show=False) for key, factor in SCALES.items())]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="scale"):
            yield Label(f"Scale every hold, duration and rep count of {self.what}",
                        markup=False)
            with Horizontal():
                for key, factor in SCALES.items():
                    yield Button(f"{key}:  x {factor}", id=f"scale-{key}")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(SCALES[str(event.button.id).removeprefix("scale-")])


class StepTree(Tree[StepPath]):
    """The steps; Enter goes into the selected one's fields (a click only selects)."""

    # Shift+arrows move the step (Tree's own would move the cursor among siblings).
    BINDINGS = [Binding("enter", "into_form", "Fields", show=False),
                Binding("shift+up", "screen.move(-1)", "Up", show=False),
                Binding("shift+down", "screen.move(1)", "Down", show=False)]

    def action_into_form(self) -> None:
        """Into the form beside the tree."""
        screen = self.screen
        if isinstance(screen, RoutineEditorScreen):
            screen.focus_form()


class RoutineEditorScreen(Screen[str | None]):
    """Edit one routine; dismisses with its id once saved, or None."""

    DEFAULT_CSS = """
    RoutineEditorScreen #editor-head { height: auto; padding: 0 1; text-style: bold; }
    RoutineEditorScreen #editor-note { height: auto; padding: 0 1; color: $warning; }
    RoutineEditorScreen #editor-body { height: 1fr; }
    RoutineEditorScreen #steps { width: 1fr; min-width: 30; }
    RoutineEditorScreen #form { width: 1fr; padding: 0 1; }
    RoutineEditorScreen #form Label { color: $text-muted; }
    RoutineEditorScreen #form Input, RoutineEditorScreen #form Select,
    RoutineEditorScreen #form Button { margin-bottom: 1; }
    RoutineEditorScreen #form Input { background: $boost; }
    RoutineEditorScreen .problem { color: $text-error; height: auto; }
    RoutineEditorScreen .problem.-none { display: none; }
    RoutineEditorScreen #form Input, RoutineEditorScreen #form Select { width: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "leave", "Leave", id="editor.leave"),
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("a", "add_step", "Add step", id="editor.add"),
        Binding("b", "add_block", "Block", id="editor.block"),
        Binding("r", "add_rest", "Rest", id="editor.rest"),
        Binding("i", "add_intervals", "Intervals", id="editor.intervals"),
        Binding("d", "duplicate", "Dup", id="editor.duplicate"),
        Binding("x", "delete", "Delete", id="editor.delete"),
        Binding("u", "undo", "Undo", id="editor.undo"),
        Binding("ctrl+y", "redo", "Redo", id="editor.redo"),
        Binding("K,shift+up", "move(-1)", "Up", id="editor.up"),
        Binding("J,shift+down", "move(1)", "Down", id="editor.down"),
        Binding("s", "scale", "Scale", id="editor.scale"),
        Binding("t", "try_it", "Try", id="editor.try"),
    ]

    def __init__(self, draft: RoutineDraft, library: Catalog, *, source_path: Path | None,
                 user_folder: Path, original_id: str | None, copy_note: str = "") -> None:
        super().__init__()
        self.draft = draft
        self.library = library
        self.source_path = source_path  # the user's own file holding it: edited in place
        self.user_folder = user_folder
        self.original_id = original_id  # its id in that file
        self.copy_note = copy_note
        self.selected: StepPath = ROUTINE
        self.problems: list[DraftProblem] = []
        self.saved_id: str | None = None
        self._tree_nodes: dict[StepPath, TreeNode[StepPath]] = {}
        self._settling = False  # the tree is being rebuilt

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Head, the tree beside the form, keys."""
        with Vertical(classes="body"):
            yield Static("", id="editor-head", markup=False)
            yield Static(printable(self.copy_note), id="editor-note", markup=False,
                         classes="" if self.copy_note else "hidden")
            with Horizontal(id="editor-body"):
                tree = StepTree("", data=ROUTINE, id="steps")
                tree.show_root = True
                yield tree
                # Built here, not by the refill worker: a new routine's name box has the
                # focus before the first key is read (keys typed straight after N went to
                # the tree, and the r of a name added a rest).
                yield VerticalScroll(*self._form_widgets(), id="form")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Fill the tree and the form; the tree has the keys."""
        self.query_one("#editor-note").display = bool(self.copy_note)
        self._checked()
        self._rebuild_tree()
        self._show_problems()
        # At once (Widget.focus waits): a new routine starts at its name.
        start = "#f-name" if not self.draft.data.get("name") else "#steps"
        self.set_focus(self.query_one(start))

    @on(Input.Submitted)
    def _field_done(self) -> None:
        """Enter in a field goes back to the steps, where the keys are."""
        self.query_one(Tree).focus()

    # -- the tree -----------------------------------------------------------------------------

    def _rebuild_tree(self) -> None:
        """The steps as a tree, the cursor kept on the selected path."""
        tree: Tree[StepPath] = self.query_one(Tree)
        # Clearing and moving the cursor highlight nodes on their own, after this returns:
        # those are not the person choosing a step, and are ignored until the tree settles.
        self._settling = True
        tree.clear()
        tree.root.data = ROUTINE
        self._tree_nodes = {ROUTINE: tree.root}
        for node in self.draft.nodes():
            parent = self._tree_nodes.get(node.path[:-1], tree.root)
            if node.kind == "block":
                branch = parent.add("", data=node.path, expand=True)
            else:
                branch = parent.add_leaf("", data=node.path)
            self._tree_nodes[node.path] = branch
        tree.root.expand()
        self._relabel()
        if self.selected not in self._tree_nodes:
            self.selected = ROUTINE
        self.call_after_refresh(self._put_cursor)

    def _put_cursor(self) -> None:
        node = self._tree_nodes.get(self.selected)
        if node is not None:
            self.query_one(Tree).move_cursor(node)
        self.call_after_refresh(self._settled)

    def _settled(self) -> None:
        self._settling = False

    def _relabel(self) -> None:
        """Each node's label: what it is, its time, a mark if it has a problem."""
        times = self._times()
        wrong = {p.path for p in self.problems}
        data = self.draft.data
        total = times.get(ROUTINE)
        head = printable(str(data.get("name") or "(no name)"))
        self._tree_nodes[ROUTINE].set_label(Text.assemble(
            (head, "bold"), f"  {format_clock(total)}" if total is not None else ""))
        for path, tree_node in self._tree_nodes.items():
            if path == ROUTINE:
                continue
            label = Text(printable(self._describe(self.draft.step(path))))
            seconds = times.get(path)
            if seconds is not None:
                label.append(f"  {format_clock(seconds)}", style="dim")
            if path in wrong:
                label.append("  ⚠", style="bold red")
            tree_node.set_label(label)
        self._head()

    def _head(self) -> None:
        count = len(self.problems)
        total = self._times().get(ROUTINE)
        if self.draft.dirty:
            state = "unsaved changes"
        else:
            state = "saved" if self.source_path is not None else "not saved yet"
        problems = f"{count} problem{'s' * (count != 1)}" if count else "no problems"
        when = f" · {format_clock(total)}" if total is not None else ""
        self.query_one("#editor-head", Static).update(printable(
            f"Routine: {self.draft.data.get('name') or '(no name)'}{when} · {problems} · "
            f"{state}"))

    def _describe(self, step: Any) -> str:
        """One line for a step: 'Glute bridge · 3 x 12 reps', 'Rest 30s', 'Block Stretch x2'."""
        kind = step_kind(step)
        if kind == "exercise":
            exercise_id = step if isinstance(step, str) else str(step.get("exercise"))
            ex = self.library.exercises.get(exercise_id)
            name = ex.name if ex is not None else f"{exercise_id} (unknown)"
            own = exercise_timing(ex, sides=False) if ex is not None else "?"
            if isinstance(step, str):
                return f"{name} · {own}"
            parts = [f"{k} {_shown(step[k])}" for k in ("hold", "duration") if k in step]
            if "reps" in step:
                tempo = f" @ {_shown(step['tempo'])}" if "tempo" in step else ""
                parts.append(f"{_shown(step['reps'])} reps{tempo}")
            if "sets" in step:
                parts.insert(0, f"{_shown(step['sets'])} sets")
            if "say" in step:
                parts.append(f"“{step['say']}”")
            return " · ".join([name, *parts]) if parts else f"{name} · {own}"
        if kind == "block":
            repeat = step.get("repeat")
            return f"▣ {step.get('block')}" + (f" x{repeat}" if repeat not in (None, 1) else "")
        if kind == "interval":
            spec = step.get("interval") if isinstance(step.get("interval"), dict) else {}
            return (f"Intervals {_shown(spec.get('work'))} on / {_shown(spec.get('rest'))} off"
                    f" x{_shown(spec.get('rounds'))}")
        if kind == "rest":
            return f"Rest {_shown(step.get('rest'))}" + (
                f" · “{step['say']}”" if "say" in step else "")
        return "(not a step)"

    def _times(self) -> dict[StepPath, float]:
        """The routine's total and each step's own time, where they can be worked out."""
        from trainer.library.model import Routine
        from trainer.session.timeline import LimitError, build_timeline

        data = self.draft.data
        exercises = self.library.exercises
        times: dict[StepPath, float] = {}

        def total(steps: list[Any], get_ready: bool) -> float | None:
            shape = {k: v for k, v in data.items() if k != "steps"}
            try:
                routine = Routine.model_validate({**shape, "steps": steps})
                if not get_ready:
                    routine = routine.model_copy(update={"defaults": routine.defaults.model_copy(
                        update={"get_ready": 0.0})})
                return build_timeline(routine, exercises).total
            except (ValueError, LimitError, KeyError):
                return None

        whole = total(list(data.get("steps") or []), True)
        if whole is not None:
            times[ROUTINE] = whole
        for node in self.draft.nodes():
            seconds = total([node.step], False)
            if seconds is not None:
                times[node.path] = seconds
        return times

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[StepPath]) -> None:
        path = event.node.data if event.node.data is not None else ROUTINE
        if self._settling or self._tree_nodes.get(path) is not event.node:
            return  # the tree being rebuilt, or a node of the tree before
        if path != self.selected:
            self.selected = path
            self._rebuild_form()

    def focus_form(self) -> None:
        """To the selected step's first field (Tab on from there, Enter comes back)."""
        first = self.query("#form Input")
        if first:
            first.first(Input).focus()

    # -- the form -----------------------------------------------------------------------------

    def _fields(self) -> list[Field]:
        if self.selected == ROUTINE:
            return ROUTINE_FIELDS
        return STEP_FIELDS.get(step_kind(self.draft.step(self.selected)), [])

    def _target(self) -> Any:
        return self.draft.data if self.selected == ROUTINE else self.draft.step(self.selected)

    def _rebuild_form(self) -> None:
        """The fields of the selected node, filled from the draft (the old ones go first)."""
        self.run_worker(self._refill_form(), group="form", exclusive=True)

    async def _refill_form(self) -> None:
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        await form.mount_all(self._form_widgets())
        self._show_problems()

    def _form_widgets(self) -> list[Any]:
        """The selected node's fields, filled from the draft."""
        target = self._target()
        widgets: list[Any] = [Static("", id="node-problems", classes="problem -none",
                                     markup=False)]
        for key, label, kind in self._fields():
            fid = _field_id(key)
            value = target if isinstance(target, str) and key == "exercise" else _get(target, key)
            widgets.append(Label(label, markup=False))
            if kind == "level":
                widgets.append(Select([(level, level) for level in LEVELS], id=fid,
                                      value=value if value in LEVELS else Select.NULL,
                                      prompt="beginner (default)"))
            elif kind == "yes-no":
                widgets.append(Select([("yes", True), ("no", False)], id=fid,
                                      value=value if isinstance(value, bool) else Select.NULL,
                                      prompt="yes (default)"))
            elif kind == "exercise":
                ex = self.library.exercises.get(str(value))
                name = printable(ex.name) if ex else printable(f"{value} (unknown)")
                widgets.append(Button(f"{name}  (change…)", id=fid, compact=True))
            else:
                box = Input(_shown(value), id=fid, compact=True,
                            placeholder=self._placeholder(target, key))
                box.cursor_blink = False  # the editor may stay up a while: idle stays idle
                widgets.append(box)
            widgets.append(Static("", id=f"p-{fid}", classes="problem -none", markup=False))
        return widgets

    def _placeholder(self, target: Any, key: str) -> str:
        """What an empty field means: the exercise's own value, or the routine's default."""
        from trainer.library.model import Defaults

        if self.selected == ROUTINE:
            if not key.startswith("defaults."):
                return ""
            value = getattr(Defaults(), key.removeprefix("defaults."))
            shown = format_duration(value) if isinstance(value, float) else _shown(value)
            return f"{shown} (the default)"
        if key not in ("hold", "duration", "reps", "tempo", "sets"):
            return ""
        exercise_id = target if isinstance(target, str) else target.get("exercise")
        ex = self.library.exercises.get(str(exercise_id))
        own = getattr(ex, key, None) if ex is not None else None
        if own is None:
            return ""
        return f"{format_duration(own) if key in ('hold', 'duration', 'tempo') else own}" \
               " (the exercise's own)"

    def _show_problems(self) -> None:
        """Each problem under its field (or above the form), for the selected node."""
        here = [p for p in self.problems if p.path == self.selected]
        keys = {key for key, _label, _kind in self._fields()}
        general = []
        by_field: dict[str, list[str]] = {}
        for problem in here:
            key = next((k for k in keys if problem.key == k or problem.key.startswith(k + ".")),
                       None)
            if key is None:
                general.append(problem.message)
            else:
                by_field.setdefault(key, []).append(problem.message)
        for key in keys:
            self._problem_text(f"#p-{_field_id(key)}", by_field.get(key, []))
        self._problem_text("#node-problems", general)

    def _problem_text(self, selector: str, messages: list[str]) -> None:
        found = self.query(selector)
        if not found:
            return
        widget = found.first(Static)
        widget.update(printable("\n".join(f"⚠ {m}" for m in messages)))
        widget.set_class(not messages, "-none")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if not event.input.id or not event.input.id.startswith("f-"):
            return
        self._edited(event.input.id, event.value)

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        if not event.select.id:
            return
        value = None if event.value is Select.NULL else event.value
        self._edited(event.select.id, value, raw=True)

    def _edited(self, fid: str, text: Any, raw: bool = False) -> None:
        """A field changed: into the draft, then check and relabel (the form stays)."""
        for key, _label, kind in self._fields():
            if _field_id(key) == fid:
                value = text if raw else _value(str(text), kind)
                if self.selected == ROUTINE and key == "name" and self._id_follows_name():
                    self.draft.set_field(ROUTINE, "id", slug(str(value or "")))
                    self._fill("id", self.draft.data.get("id"))
                self.draft.set_field(self.selected, key, value)
                break
        self._checked()
        self._relabel()
        self._show_problems()

    def _id_follows_name(self) -> bool:
        """A new routine's id follows its name until the person edits the id."""
        data = self.draft.data
        return self.source_path is None and data.get("id") in ("", slug(str(data.get("name")
                                                                            or "")))

    def _fill(self, key: str, value: Any) -> None:
        """Show a draft value in its field; not an edit."""
        found = self.query(f"#{_field_id(key)}")
        if found and isinstance(found.first(), Input):
            box = found.first(Input)
            # Changed is handled later, after keys typed fast: a flag would be down by then.
            with box.prevent(Input.Changed):
                box.value = _shown(value)

    @on(Button.Pressed, "#f-exercise")
    def _change_exercise(self) -> None:
        self._pick(lambda exercise_id: self._set_and_refresh("exercise", exercise_id),
                   "Choose the exercise")

    def _set_and_refresh(self, key: str, value: Any) -> None:
        self.draft.set_field(self.selected, key, value)
        self._changed(structure=False)

    # -- checking -----------------------------------------------------------------------------

    def _checked(self) -> None:
        taken = set(self.library.routines) - {self.original_id or ""}
        self.problems = check(self.draft.data, set(self.library.exercises), taken)

    def _changed(self, structure: bool = True) -> None:
        """After a command: check, redraw the tree (or its labels) and the form."""
        self._checked()
        if structure:
            self._rebuild_tree()
        else:
            self._relabel()
        self._rebuild_form()

    # -- commands -----------------------------------------------------------------------------

    def _pick(self, then: Any, title: str = "Add an exercise") -> None:
        from trainer.ui.screens.exercise_picker import ExercisePicker

        def picked(exercise_id: str | None) -> None:
            if exercise_id:
                then(exercise_id)

        self.app.push_screen(ExercisePicker(self.library.exercises, title), picked)

    def _anchor(self) -> StepPath | None:
        return None if self.selected == ROUTINE else self.selected

    def action_add_step(self) -> None:
        """Pick an exercise and add it after the selected step."""
        def add(exercise_id: str) -> None:
            self.selected = self.draft.insert(self._anchor(), exercise_id)
            self._changed()

        self._pick(add)

    def action_add_block(self) -> None:
        """A new block after the selected step."""
        count = sum(1 for n in self.draft.nodes() if n.kind == "block") + 1
        self.selected = self.draft.insert(self._anchor(), {"block": f"Block {count}",
                                                           "steps": []})
        self._changed()

    def action_add_rest(self) -> None:
        """A 30 s rest after the selected step."""
        self.selected = self.draft.insert(self._anchor(), {"rest": "30s"})
        self._changed()

    def action_add_intervals(self) -> None:
        """Pick an exercise for work/rest rounds (20 s on, 10 s off, 8 rounds to start)."""
        def add(exercise_id: str) -> None:
            self.selected = self.draft.insert(self._anchor(), {"interval": {
                "work": "20s", "rest": "10s", "rounds": 8, "exercises": [exercise_id]}})
            self._changed()

        self._pick(add, "Intervals of which exercise? (more can be added by id)")

    def action_duplicate(self) -> None:
        """A copy of the selected step after it."""
        if self.selected != ROUTINE:
            self.selected = self.draft.duplicate(self.selected)
            self._changed()

    def action_delete(self) -> None:
        """Delete the selected step (u brings it back)."""
        if self.selected != ROUTINE:
            self.selected = self.draft.delete(self.selected) or ROUTINE
            self._changed()
            self.notify("Deleted (u undoes)", timeout=2)

    def action_undo(self) -> None:
        """Undo the last change."""
        if self.draft.undo():
            self._changed()
        else:
            self.notify("Nothing to undo", timeout=2)

    def action_redo(self) -> None:
        """Redo what was undone."""
        if self.draft.redo():
            self._changed()
        else:
            self.notify("Nothing to redo", timeout=2)

    def action_move(self, delta: int) -> None:
        """Move the selected step up or down among its neighbours."""
        if self.selected != ROUTINE:
            self.selected = self.draft.move(self.selected, delta)
            self._changed()

    def action_scale(self) -> None:
        """Scale the routine, or the selected block, by a factor."""
        block = self.selected != ROUTINE and step_kind(
            self.draft.step(self.selected)) == "block"
        path = self.selected if block else ROUTINE
        what = "this block" if block else "the whole routine"

        def scale(factor: float | None) -> None:
            if factor is None:
                return
            changed = self.draft.scale(factor, self.library.exercises, path)
            self._changed()
            self.notify(f"Scaled {changed} value{'s' * (changed != 1)} by {factor} "
                        "(u undoes)", timeout=3)

        self.app.push_screen(ScaleScreen(what), scale)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Step keys work from the tree; typing in a field is typing."""
        letters = {"add_step", "add_block", "add_rest", "add_intervals", "duplicate", "delete",
                   "undo", "move", "scale", "try_it"}
        return not (action in letters and isinstance(self.focused, Input))

    def action_try_it(self) -> None:
        """Run the routine as it is now, unsaved and unrecorded; back here afterwards."""
        from trainer.session.prepared import prepare_timeline
        from trainer.session.timeline import LimitError, build_timeline
        from trainer.ui.screens.session import SessionScreen

        routine = self.draft.model()
        if self.problems or routine is None:
            self._refuse("try it")
            return
        try:
            timeline = build_timeline(routine, self.library.exercises)
        except (LimitError, KeyError) as exc:
            self.notify(printable(f"Cannot run it: {exc}"), severity="error", markup=False)
            return
        prepared = prepare_timeline(timeline, self.library.exercises)
        def back(_result: object) -> None:
            self.query_one(Tree).focus()

        self.app.push_screen(SessionScreen(prepared, record=False), back)

    def _refuse(self, what: str) -> None:
        first = self.problems[0] if self.problems else None
        where = ""
        if first is not None:
            where = f" Step {'.'.join(str(i + 1) for i in first.path)}" if first.path else ""
            where += f" {first.key}:" if first.key else ":"
            where += f" {first.message}"
        count = len(self.problems)
        self.notify(printable(f"Cannot {what} with {count} problem{'s' * (count != 1)}."
                              f"{where}"), severity="error", timeout=6, markup=False)

    def action_save(self) -> None:
        """Save into the user library (refused while there are problems)."""
        from trainer.library import yamledit

        if self.problems:
            self._refuse("save")
            return
        data = self.draft.data
        try:
            if self.source_path is not None:
                doc = yamledit.load_document(self.source_path)
                index = yamledit.find_item(doc, "routines", self.original_id or "")
                yamledit.set_item(doc, "routines", index, data)
                path = self.source_path
            else:
                path = yamledit.new_file_path(self.user_folder, str(data["id"]))
                doc = yamledit.new_document(
                    "routines", data, f"{data.get('name')}: made with trainer's routine editor")
            yamledit.save(path, yamledit.dump(doc))
        except (yamledit.EditError, OSError) as exc:
            self.notify(printable(f"Not saved: {exc}"), severity="error", timeout=8,
                        markup=False)
            return
        self.source_path, self.original_id = path, str(data["id"])
        self.saved_id = self.original_id
        self.draft.mark_saved()
        self._head()
        reload = getattr(self.app, "reload_library", None)
        if callable(reload):
            self.library = reload()
        self.notify(printable(f"Saved {path}"), timeout=4, markup=False)

    @work
    async def action_leave(self) -> None:
        """Back to the library; asks first when there are unsaved changes."""
        from trainer.ui.screens.confirm import ConfirmScreen

        if self.draft.dirty and not await self.app.push_screen_wait(
                ConfirmScreen("Leave without saving your changes?", "Leave", "Keep editing")):
            return
        self.dismiss(self.saved_id)

