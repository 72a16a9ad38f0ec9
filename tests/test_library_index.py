"""The library screen's index: built from a library, kept as checked JSON, searched."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pilot_helpers import FIXTURES, load_fixture_library

from trainer import paths
from trainer.cli.main import _library_for_app
from trainer.library.sources import Source
from trainer.session import library_index
from trainer.session.catalog import Catalog, CatalogLoader
from trainer.session.library_index import IndexedLibrary, LibraryIndex, build, matching

SOURCES = [Source("test", FIXTURES)]
LATER = 2 * 10**18  # long after every file's change time: none is still settling


def saved_index() -> tuple[LibraryIndex, Any]:
    """The fixture library's index, saved under its fingerprint."""
    index = build(load_fixture_library())
    key = library_index.fingerprint(SOURCES, LATER)
    assert key is not None
    assert library_index.save(key, SOURCES, index)
    return index, key


def test_rows_are_in_the_lists_order_with_what_they_show() -> None:
    lib = load_fixture_library()
    index = build(lib)
    assert [r.id for r in index.routines] == ["tiny", "other"]  # beginner before intermediate
    tiny = index.routines[0]
    assert tiny.seconds == lib.timeline("tiny").total and tiny.origin == "test"
    assert tiny.mix == "strength, stretch"
    assert "every phase kind" in tiny.search and "strength stretch" in tiny.search
    categories = [(e.category, e.level) for e in index.exercises]
    assert categories == sorted(categories, key=lambda c: (c[0], ["beginner", "intermediate",
                                                                   "advanced"].index(c[1])))
    assert index.problems == 0


def test_the_filter_wants_every_word_anywhere_in_the_row() -> None:
    texts = ["hamstring stretch beginner", "calf stretch advanced", "march beginner"]
    assert matching(texts, "") == [0, 1, 2]
    assert matching(texts, "STRETCH") == [0, 1]
    assert matching(texts, "stretch  beg") == [0]
    assert matching(texts, "nothing") == []


def test_a_saved_index_comes_back_equal_while_nothing_changed() -> None:
    index, key = saved_index()
    assert library_index.load(key, SOURCES) == index
    assert library_index.load(library_index.fingerprint(SOURCES, LATER), SOURCES) == index
    other = [Source("other", FIXTURES)]
    assert library_index.load(key, other) is None  # another set of sources: another file
    assert library_index.load(None, SOURCES) is None  # a file still settling


def _rewrite(change: Any) -> None:
    """Edit the saved index's JSON value in place."""
    path = library_index.cache_file(SOURCES)
    value = paths.read_cached(path)
    assert isinstance(value, dict)
    change(value)
    assert paths.write_cached(path, value)


@pytest.mark.parametrize("change", [
    lambda v: v.update(format=99),
    lambda v: v.update(key=[1, 2, 3]),
    lambda v: v.update(problems=True),
    lambda v: v.update(extra=1),
    lambda v: v["routines"].append(["x", "X", "beginner", "built-in", "x"]),  # a field short
    lambda v: v["routines"][0].__setitem__(5, True),  # a bool is not a number of seconds
    lambda v: v["routines"][0].__setitem__(2, "expert"),  # no such level
    lambda v: v["exercises"][0].__setitem__(1, None),
    lambda v: v.update(exercises={}),
], ids=["format", "key", "problems", "extra key", "short row", "bool seconds", "level",
        "null name", "not a list"])
def test_an_index_not_as_written_is_ignored(change: Any) -> None:
    _, key = saved_index()
    _rewrite(change)
    assert library_index.load(key, SOURCES) is None


def test_a_corrupt_or_foreign_cache_file_is_ignored() -> None:
    _, key = saved_index()
    path = library_index.cache_file(SOURCES)
    path.write_bytes(b"\x80not json")
    assert library_index.load(key, SOURCES) is None
    path.write_text(json.dumps({"trainer-cache": 1, "value": [1, 2]}))
    assert library_index.load(key, SOURCES) is None
    path.unlink()
    path.mkdir()  # not a regular file
    assert library_index.load(key, SOURCES) is None


def test_an_edited_library_file_or_validator_means_a_full_load(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    for path in FIXTURES.glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    sources = [Source("test", folder)]
    later = LATER
    key = library_index.fingerprint(sources, later)
    assert key is not None
    assert library_index.save(key, sources, build(CatalogLoader().load(sources)))
    assert library_index.load(library_index.fingerprint(sources, later), sources) is not None
    edited = next(folder.glob("*.yaml"))
    edited.write_bytes(edited.read_bytes() + b"\n# edited\n")
    assert library_index.load(library_index.fingerprint(sources, later), sources) is None
    # What loads is the validator's to say: its code is in the fingerprint too.
    assert any(part[0] == "loader.py" for part in key if isinstance(part, tuple))


def test_trainer_loads_the_library_once_then_starts_from_the_index(
        monkeypatch: pytest.MonkeyPatch) -> None:
    taken = library_index.fingerprint
    monkeypatch.setattr(library_index, "fingerprint", lambda sources: taken(sources, LATER))
    first = _library_for_app(SOURCES, lambda: CatalogLoader().load(SOURCES))
    assert isinstance(first, Catalog)  # a full load, which saved the index
    loads: list[int] = []

    def load() -> Catalog:
        loads.append(1)
        return CatalogLoader().load(SOURCES)

    second = _library_for_app(SOURCES, load)
    assert isinstance(second, IndexedLibrary) and loads == []  # not loaded for the first frame
    assert second.index == build(first)
    assert isinstance(second(), Catalog) and loads == [1]


def test_the_index_keeps_text_as_written_for_the_screen_to_make_safe() -> None:
    index = build(load_fixture_library())
    hostile = replace(index.routines[0], name="\x1b]52;c;aGk=\x07Evil")
    index = replace(index, routines=(hostile, *index.routines[1:]))
    _, key = saved_index()
    library_index.save(key, SOURCES, index)
    back = library_index.load(key, SOURCES)
    assert back is not None and back.routines[0].name == hostile.name  # data, shown by printable
