"""Opening an editor: where the item comes from, and whether it is saved in place or as a copy.

A routine or exercise in the user's own library is edited in its file. One from anywhere else
(the built-in library, a `--library` folder) is edited as a copy saved into the user library:
keeping its id makes the copy replace the original, as a file of the person's own can.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from textual.screen import Screen

from trainer.library.ids import free_id, slug
from trainer.library.routine_draft import RoutineDraft
from trainer.paths import user_library_dir
from trainer.safe_text import printable

KINDS = {"routine": "routines", "exercise": "exercises"}


def _item(path: Path, kind: str, item_id: str) -> dict[str, Any] | None:
    """The item as its file has it (durations as written), or None if it cannot be read."""
    from trainer.library import yamledit

    try:
        doc = yamledit.load_document(path)
        index = yamledit.find_item(doc, KINDS[kind], item_id)  # type: ignore[arg-type]
    except yamledit.EditError:
        return None
    if index is None:
        return None
    item = yamledit.plain(doc[KINDS[kind]][index])
    return item if isinstance(item, dict) else None


async def open_editor(screen: Screen[Any], kind: str, item_id: str | None,
                      how: str) -> str | None:
    """Edit (`how`: edit, new, duplicate) a routine or exercise; the id saved, or None."""
    from trainer.ui.screens.confirm import ConfirmScreen

    app = screen.app
    library = app.library  # type: ignore[attr-defined]
    items = library.routines if kind == "routine" else library.exercises
    taken = set(items)
    source: Path | None = None
    original: str | None = None
    note = ""
    data: dict[str, Any]
    if how == "new" or item_id is None:
        data = {"id": "", "name": "", "steps": []} if kind == "routine" else {}
    else:
        origin = library.origins.get((kind, item_id))
        found = _item(Path(origin.path), kind, item_id) if origin is not None else None
        if found is None:
            screen.notify(printable(f"Cannot open {item_id}: its file could not be read"),
                          severity="error", markup=False)
            return None
        data = copy.deepcopy(found)
        name = str(data.get("name") or item_id)
        if how == "duplicate":
            data["id"] = free_id(slug(f"{item_id}-copy"), taken)
            data["name"] = f"{name} (copy)"[:80]
        elif origin is not None and origin.source == "user":
            source, original = Path(origin.path), item_id
        else:
            where = "built-in" if origin is None or origin.source == "built-in" else "library"
            keep = await app.push_screen_wait(ConfirmScreen(
                f"{name} is a {where} {kind}. Your edits are saved as your own copy in "
                f"{user_library_dir()}.\nKeep its id (your copy replaces the {where} one) or "
                "give the copy a new id?", "Keep the id", "New id"))
            if not keep:
                data["id"] = free_id(slug(f"{item_id}-mine"), taken)
            note = (f"A copy of the {where} {kind} '{item_id}', saved into your library"
                    + (" under the same id: it replaces the original." if keep else "."))
    if kind == "routine":
        from trainer.ui.screens.routine_editor import RoutineEditorScreen

        editor: Screen[str | None] = RoutineEditorScreen(
            RoutineDraft(data), library, source_path=source, user_folder=user_library_dir(),
            original_id=original, copy_note=note)
    else:
        from trainer.ui.screens.exercise_editor import ExerciseEditorScreen

        editor = ExerciseEditorScreen(data or None, source, user_library_dir(),
                                      taken - ({original} if original else set()), note)
    saved: str | None = await app.push_screen_wait(editor)
    return saved
