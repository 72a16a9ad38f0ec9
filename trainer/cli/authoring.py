"""`trainer new` and `trainer edit`: the person's own routines and exercises, written and checked.

`new routine|exercise ID [--from ID]` writes `<ID>.yaml` into the user library: a commented
template that validates as written, or a copy of an existing item renamed to ID. It never
overwrites a file.

`edit [routine|exercise] ID` opens the file defining ID in $VISUAL, else $EDITOR, else the first
of sensible-editor, editor, nano, vi found on PATH. A built-in item (or one from --library) is
first copied into the user library as `<ID>.yaml`, keeping its id so the copy replaces it. When the
editor exits the file is checked with the whole library; on problems it asks "Edit again? [Y/n]"
as `crontab -e` and `visudo` do (in a terminal; otherwise it prints them and exits 1). What the
person wrote is never reverted or removed. Without a kind, a routine is preferred over an
exercise of the same id.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from trainer.library import yamledit
from trainer.library.model import SLUG_PATTERN
from trainer.library.problems import Problem, did_you_mean
from trainer.library.sources import Source, default_sources
from trainer.paths import user_library_dir
from trainer.session.catalog import Catalog, CatalogLoader

Kind = Literal["routine", "exercise"]
_PLURAL: dict[Kind, yamledit.Kind] = {"routine": "routines", "exercise": "exercises"}
FALLBACK_EDITORS = ("sensible-editor", "editor", "nano", "vi")
_FORMAT_DOC = "docs/format.md"

ROUTINE_TEMPLATE = """\
# A routine of your own, made by `trainer new routine`. Every field is described in
# {doc} ("Routines" and "Steps"). `trainer edit {id}` opens this file and checks it
# when the editor closes; `trainer show {id}` prints its timeline.
version: 1                      # the format version: always 1
routines:
  # id: lower-case letters, digits and dashes (`trainer run {id}` starts it);
  # name: what the app shows, up to 80 characters.
  - id: {id}
    name: {name}
    level: beginner             # beginner | intermediate | advanced
    summary: What this routine is for, in a sentence or two.
    # Timing for the whole routine (durations: 45, 45s, 2m, 1m30s or 1:30; 0 for none).
    defaults: {{get_ready: 10s, rest: 15s, set_rest: 30s, switch: 5s, countdown: 3, announce: true}}
    steps:                      # at least one; `trainer list exercises` shows the ids
      - standing-hamstring-stretch                         # a bare id: the exercise's own timing
      - {{exercise: knee-to-chest, hold: 20s}}               # or its timing changed for this step
      - {{exercise: glute-bridge, sets: 2, reps: 10, tempo: 3s}}   # reps with a tempo are timed
      - {{rest: 30s, say: Well done.}}                       # a plain rest, with a line to say
      # A named group of steps, repeated:
      # - block: Stretch
      #   repeat: 2
      #   rest_between: 30s
      #   steps:
      #     - standing-hamstring-stretch
      # Work/rest rounds, the exercises taking turns:
      # - interval: {{work: 20s, rest: 10s, rounds: 4, exercises: [march-in-place, step-jacks]}}
"""

EXERCISE_TEMPLATE = """\
# An exercise of your own, made by `trainer new exercise`. Every field is described in
# {doc} ("Exercises"). `trainer edit {id}` opens this file and checks it when the
# editor closes. Use it in a routine's steps by its id.
version: 1                      # the format version: always 1
exercises:
  # id: lower-case letters, digits and dashes (routines name it by this);
  # name: what the app shows, up to 80 characters.
  - id: {id}
    name: {name}
    category: stretch           # stretch | aerobic | strength | mobility | posture
    level: beginner             # beginner | intermediate | advanced
    sides: none                 # none | each (left, a switch, then right) | alternate
    # Its usual timing: exactly one of hold, duration or reps (durations: 45, 45s, 2m, 1m30s, 1:30).
    hold: 30s                   # a held position
    # duration: 1m              # timed work
    # reps: 10                  # repetitions: self-paced (Enter when done) ...
    # tempo: 3s                 # ... or timed, this long a rep
    # sets: 1                   # how many sets, 1-20
    muscles: [hamstrings]       # free words: what it works
    equipment: []               # what it needs, e.g. [mat, low step]
    summary: One line on what it does.
    instructions:               # shown while it runs, one step a line
      - How to get into position.
      - What to do, and how it should feel.
    cues: [Breathe steadily]    # short reminders shown (and spoken) during it
    safety: Stop if it hurts.   # shown with the instructions
"""


def _error(message: str) -> int:
    """One line on stderr; exit status 1."""
    print(f"trainer: {message}", file=sys.stderr)
    return 1


def _modeline() -> str:
    """The schema modeline for a new file, when `trainer schema --install` has put one in place."""
    from trainer.library.schema import modeline

    return modeline()


def _load(extra: Sequence[Path]) -> Catalog:
    """The whole library, as every command loads it."""
    return CatalogLoader().load(default_sources(extra))


def _valid_id(item_id: str) -> bool:
    """True for a slug the format accepts as an id."""
    import re

    return len(item_id) <= 64 and re.fullmatch(SLUG_PATTERN, item_id) is not None


def _copied(kind: Kind, item_id: str, origin_path: str, new_id: str, comment: str) -> str:
    """The YAML text of a new file holding a copy of one item (durations as written), as new_id."""
    plural = _PLURAL[kind]
    doc = yamledit.load_document(Path(origin_path))
    index = yamledit.find_item(doc, plural, item_id)
    if index is None:
        raise yamledit.EditError(f"{origin_path}: no {kind} '{item_id}' in it any more")
    item = yamledit.plain(doc[plural][index])
    item["id"] = new_id
    return yamledit.dump(yamledit.new_document(plural, item, comment))  # modeline included


def cmd_new(kind: Kind, item_id: str, source_id: str | None, extra: Sequence[Path]) -> int:
    """`trainer new routine|exercise ID [--from ID]`: a template or a copy in the user library."""
    if not _valid_id(item_id):
        return _error(f"'{item_id}' is not a valid id: lower-case letters, digits and single "
                      "dashes, like my-routine")
    folder = user_library_dir()
    path = folder / f"{item_id}.yaml"
    if os.path.lexists(path):
        return _error(f"{path} already exists; not overwritten (`trainer edit {item_id}` "
                      "opens what defines it)")
    lib = _load(extra)
    existing = lib.origins.get((kind, item_id))
    if existing is not None and existing.source == "user":
        return _error(f"{kind} '{item_id}' is already defined at {existing}")
    if source_id is not None:
        origin = lib.origins.get((kind, source_id))
        if origin is None:
            known = lib.routines if kind == "routine" else lib.exercises
            hint = did_you_mean(source_id, known)
            return _error(f"no {kind} '{source_id}' to copy{'; ' + hint if hint else ''}")
        comment = (f"A copy of the {origin.source} {kind} '{source_id}', made by `trainer new "
                   f"{kind}`, from\n{origin.path}\nThe format: {_FORMAT_DOC}.")
        try:
            text = _copied(kind, source_id, origin.path, item_id, comment)
        except yamledit.EditError as exc:
            return _error(str(exc))
    else:
        template = ROUTINE_TEMPLATE if kind == "routine" else EXERCISE_TEMPLATE
        name = item_id.replace("-", " ").capitalize()
        text = _modeline() + template.format(id=item_id, name=name, doc=_FORMAT_DOC)
    try:
        if os.path.lexists(path):  # made meanwhile: still never overwritten
            return _error(f"{path} already exists; not overwritten")
        yamledit.save(path, text)
    except yamledit.EditError as exc:
        return _error(str(exc))
    if existing is not None:
        print(f"note: it replaces the {existing.source} {kind} '{item_id}' at {existing}")
    print(path)
    return 0


# --- edit ------------------------------------------------------------------------------------


def editor_command(environ: dict[str, str] | None = None) -> list[str] | None:
    """The editor to run, split as a shell would: $VISUAL, $EDITOR, else the first on PATH."""
    env = os.environ if environ is None else environ
    for variable in ("VISUAL", "EDITOR"):
        value = env.get(variable, "").strip()
        if value:
            return shlex.split(value)  # ValueError on unbalanced quotes
    for name in FALLBACK_EDITORS:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return [found]
    return None


def _find(lib: Catalog, item_id: str, kind: Kind | None) -> Kind | None:
    """Which kind of item `item_id` is (a routine if both); says so on stderr if it is neither."""
    kinds: tuple[Kind, ...] = (kind,) if kind else ("routine", "exercise")
    found = [k for k in kinds if (k, item_id) in lib.origins]
    if found:
        if kind is None and len(found) == 2:
            print(f"note: '{item_id}' is a routine and an exercise; editing the routine "
                  f"(`trainer edit exercise {item_id}` edits the exercise)", file=sys.stderr)
        return found[0]
    names = [i for (k, i) in lib.origins if k in kinds]
    hint = did_you_mean(item_id, names)
    what = kind or "routine or exercise"
    listing = f"`trainer list {kind}s`" if kind else "`trainer list`"
    _error(f"no {what} '{item_id}'{'; ' + hint if hint else ''} ({listing} shows them)")
    return None


def _file_to_edit(lib: Catalog, kind: Kind, item_id: str) -> Path | None:
    """The user-library file defining the item, copying it there first if it is not yours."""
    origin = lib.origins[(kind, item_id)]
    if origin.source == "user":
        return Path(origin.path)
    # A --library item may also be defined in the user library (overridden by it): edit that one.
    mine = CatalogLoader().load([Source("user", user_library_dir(), required=False)])
    own = mine.origins.get((kind, item_id))
    if own is not None:
        print(f"note: editing your own {kind} at {own}; the one at {origin} overrides it "
              "while that folder is loaded", file=sys.stderr)
        return Path(own.path)
    path = yamledit.new_file_path(user_library_dir(), item_id)
    comment = (f"Your copy of the {origin.source} {kind} '{item_id}', made by `trainer edit`, from"
               f"\n{origin.path}\nIt keeps the id, so it replaces that one. The format: "
               f"{_FORMAT_DOC}.")
    try:
        yamledit.save(path, _copied(kind, item_id, origin.path, item_id, comment))
    except yamledit.EditError as exc:
        _error(str(exc))
        return None
    print(f"Copied the {origin.source} {kind} '{item_id}' to {path}; editing the copy "
          "(it replaces the original, which is left as it was)")
    return path


def _same_file(name: str, path: Path) -> bool:
    """True if a problem's path names the file at `path`."""
    return os.path.abspath(name) == os.path.abspath(path) or \
        os.path.realpath(name) == os.path.realpath(path)


def check_file(path: Path, extra: Sequence[Path], before: frozenset[Problem] = frozenset()
               ) -> list[Problem]:
    """The file's problems within the whole library, and any new ones it caused in other files."""
    lib = _load(extra)
    return [p for p in lib.problems if _same_file(p.path, path) or p not in before]


def _ask(prompt: str) -> str | None:
    """One answer typed at the terminal; None at end of input."""
    print(prompt, end="", flush=True)
    line = sys.stdin.readline()
    return line.strip().lower() if line else None


def _again(ask: Callable[[str], str | None]) -> bool:
    """Edit again? Enter or y: yes; n: no; anything else asks again."""
    while True:
        answer = ask("Edit again? [Y/n] ")
        if answer is None:
            print()
            return False
        if answer in ("", "y", "yes"):
            return True
        if answer in ("n", "no"):
            return False


def _run_editor(command: list[str], path: Path) -> int | None:
    """Run the editor on the file; its exit status (128+N for a signal), None if it cannot run."""
    sys.stdout.flush()
    sys.stderr.flush()
    # Ctrl-C in the editor (vi's "cancel") reaches this process too: as git and crontab do, it
    # is the editor's alone. A handler, unlike SIG_IGN, is reset to the default in the editor.
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGQUIT", None)) if s is not None]
    kept = {}
    try:
        for number in wanted:
            kept[number] = signal.signal(number, _ignore)
    except ValueError:  # not the main thread: nothing to set
        pass
    try:
        status = subprocess.call([*command, str(path)])
    except OSError as exc:
        _error(f"cannot run the editor '{command[0]}': {exc.strerror or exc} "
               "(set VISUAL or EDITOR)")
        return None
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)
    return 128 + signal.Signals(-status).value if status < 0 else status


def _ignore(number: int, frame: object) -> None:
    """A signal meant for the editor."""


def cmd_edit(item_id: str, kind: Kind | None, extra: Sequence[Path], *,
             interactive: bool | None = None,
             ask: Callable[[str], str | None] = _ask) -> int:
    """`trainer edit [routine|exercise] ID`: edit, check, and offer to edit again."""
    try:
        command = editor_command()
    except ValueError as exc:
        return _error(f"cannot read the editor command in VISUAL or EDITOR: {exc}")
    if command is None:
        return _error("no editor found: set VISUAL or EDITOR (for example EDITOR=nano)")
    lib = _load(extra)
    found = _find(lib, item_id, kind)
    if found is None:
        return 1
    path = _file_to_edit(lib, found, item_id)
    if path is None:
        return 1
    if interactive is None:
        interactive = sys.stdin.isatty()
    # Problems other files have now are not this edit's: only new ones there are shown.
    before = frozenset(p for p in lib.problems if not _same_file(p.path, path))
    while True:
        status = _run_editor(command, path)
        if status is None:
            return 1
        if status != 0:
            _error(f"the editor exited with status {status}; {path} left as it is, not checked")
            return status
        if not os.path.lexists(path):
            return _error(f"{path} is gone; nothing to check")
        problems = check_file(path, extra, before)
        if not problems:
            print(f"ok: {path}")
            return 0
        for problem in problems:
            print(problem)
        count = len(problems)
        print(f"{count} problem{'s' * (count != 1)}; the file is kept as you wrote it",
              file=sys.stderr)
        if not interactive or not _again(ask):
            return 1
