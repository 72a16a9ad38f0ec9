"""Prepared routines: kept between runs, used only while nothing they depend on has changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trainer.library.sources import Source
from trainer.session import prepared
from trainer.session.catalog import CatalogLoader

FIXTURES = Path(__file__).parent / "fixtures" / "e2elib"


@pytest.fixture
def library(tmp_path: Path) -> list[Source]:
    """A copy of the end-to-end library to edit."""
    folder = tmp_path / "lib"
    shutil.copytree(FIXTURES, folder)
    return [Source("library", folder)]


def later() -> int:
    """A "now" for the cache a minute ahead: every file written so far has settled."""
    return time.time_ns() + 60 * 10**9


def settled(sources: list[Source]) -> prepared.Key | None:
    """The fingerprint as a run a minute from now would take it."""
    return prepared.fingerprint(sources, later())


def _prepare(sources: list[Source]) -> prepared.Prepared:
    return prepared.prepare(CatalogLoader().load(sources), "e2e")


def test_prepare_keeps_the_timeline_and_facts_of_the_exercises_used(library: list[Source]) -> None:
    lib = CatalogLoader().load(library)
    ready = prepared.prepare(lib, "e2e")
    assert ready.timeline == lib.timeline("e2e")
    assert set(ready.exercises) == {"e2e-hold", "e2e-work"}
    hold = ready.exercises["e2e-hold"]
    assert hold.name == lib.exercises["e2e-hold"].name
    assert list(hold.instructions) == list(lib.exercises["e2e-hold"].instructions)


def test_a_saved_routine_comes_back_while_nothing_changed(library: list[Source]) -> None:
    ready = _prepare(library)
    assert prepared.save(settled(library), ready)
    again = prepared.load(settled(library), "e2e")
    assert again == ready
    assert prepared.load(settled(library), "other") is None


def test_any_change_to_the_library_means_a_full_load(library: list[Source]) -> None:
    prepared.save(settled(library), _prepare(library))
    folder = library[0].path
    (folder / "extra.yaml").write_text("version: 1\n")
    assert prepared.load(settled(library), "e2e") is None  # a file added
    (folder / "extra.yaml").unlink()
    assert prepared.load(settled(library), "e2e") is not None
    target = next(folder.glob("*.yaml"))
    target.write_text(target.read_text().replace("End to end", "End to End"))
    assert prepared.load(settled(library), "e2e") is None  # a file edited
    prepared.save(settled(library), _prepare(library))
    assert prepared.load(settled(library), "e2e") is not None
    assert prepared.load(settled([*library, Source("library", FIXTURES)]), "e2e") is None


def test_a_file_changed_a_moment_ago_is_not_trusted(library: list[Source]) -> None:
    # Its times could still match after another edit within the same timestamp tick.
    ready = _prepare(library)
    assert not prepared.save(prepared.fingerprint(library), ready)  # the copy was written just now
    assert not prepared.cache_file().exists()
    assert prepared.save(settled(library), ready)
    assert prepared.load(prepared.fingerprint(library), "e2e") is None


def test_a_corrupt_cache_is_ignored_and_replaced(library: list[Source]) -> None:
    path = prepared.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05not a pickle")
    assert prepared.load(settled(library), "e2e") is None
    assert prepared.save(settled(library), _prepare(library))
    assert prepared.load(settled(library), "e2e") is not None


def test_an_unwritable_cache_folder_only_means_no_cache(library: list[Source],
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(blocker))
    assert not prepared.save(settled(library), _prepare(library))
    assert prepared.load(settled(library), "e2e") is None


def test_a_prepared_session_is_drawn_without_the_validator(library: list[Source]) -> None:
    # The point of the cache: pydantic (and the library loader) stay out of `trainer run`.
    prepared.save(settled(library), _prepare(library))
    code = (
        "import sys; from trainer.session import prepared; "
        "from trainer.library.sources import Source; "
        "from pathlib import Path; "
        f"sources = [Source('library', Path({str(library[0].path)!r}))]; "
        f"r = prepared.load(prepared.fingerprint(sources, {later()}), 'e2e'); "
        "import trainer.cli.main, trainer.ui.app; "
        "assert r is not None, 'not loaded'; "
        # Nor the history store, the statistics or PyYAML: not needed to draw the session.
        "print(sorted(m for m in ('pydantic', 'trainer.library.model', 'trainer.library.loader', "
        "'trainer.history.store', 'trainer.history.stats', 'sqlite3', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), check=True)
    assert out.stdout.strip() == "[]"
