"""The cache folder holds JSON data, never pickles: a crafted file there runs nothing."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, cli_env, run_trainer

from trainer import paths
from trainer.library.sources import Source, default_sources
from trainer.session import prepared
from trainer.session.catalog import CatalogLoader

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "e2elib"


class Touch:
    """Unpickling this runs `touch MARKER`: what a crafted cache file could do before."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return os.system, (f"touch '{self.marker}'",)


def crafted(marker: Path) -> bytes:
    """A pickle that creates `marker` when loaded."""
    return pickle.dumps({"e2e": Touch(marker)}, protocol=pickle.HIGHEST_PROTOCOL)


def run_and_load_config() -> None:
    """A `trainer run` of the e2e routine (which prepares and keeps it) and one that reads the
    settings; without a terminal both stop before any app starts."""
    result = run_trainer("run", "e2e", "--library", str(FIXTURES), cwd=REPO_ROOT)
    assert result.returncode == 2 and "needs a terminal" in result.stderr, result.stderr
    result = run_trainer("sound-test", "--audio", "none", "--no-voice", cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr


def run_key() -> prepared.Key | None:
    """The fingerprint `trainer run e2e --library FIXTURES` keeps its routine under."""
    return prepared.fingerprint(default_sources([FIXTURES]))


def test_the_crafted_pickle_would_run_code_if_unpickled(tmp_path: Path) -> None:
    # The control: the payload the next test plants really does create its file when loaded.
    marker = tmp_path / "control"
    payload = tmp_path / "payload.pickle"
    payload.write_bytes(crafted(marker))
    subprocess.run([sys.executable, "-c", f"import pickle; pickle.loads(open({str(payload)!r},"
                    " 'rb').read())"], check=True, env=cli_env())
    assert marker.exists()


@pytest.mark.parametrize("names", [("routines.pickle", "config.pickle"),
                                   ("routines.json", "config.json")], ids=["old", "new"])
def test_a_crafted_pickle_in_the_cache_folder_runs_nothing_and_is_replaced(
        tmp_path: Path, names: tuple[str, str]) -> None:
    cache = paths.cache_dir()
    cache.mkdir(parents=True)
    markers = [tmp_path / f"ran-{name}" for name in names]
    for name, marker in zip(names, markers, strict=True):
        (cache / name).write_bytes(crafted(marker))
    config = paths.config_dir() / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("volume: 40\n")
    run_and_load_config()
    assert not any(m.exists() for m in markers)
    # A valid cache took its place: JSON, and the routine comes back from it.
    assert sorted(p.name for p in cache.iterdir()) == ["config.json", "routines.json"]
    for name in ("config.json", "routines.json"):
        assert paths.read_cached(cache / name) is not None
        json.loads((cache / name).read_text(encoding="ascii"))
    assert prepared.load(run_key(), "e2e") is not None


def test_the_prepared_cache_from_a_real_run_round_trips_to_an_equal_timeline() -> None:
    run_and_load_config()
    ready = prepared.load(run_key(), "e2e")
    assert ready is not None
    library = CatalogLoader().load(default_sources([FIXTURES]))
    expected = prepared.prepare(library, "e2e")
    assert ready == expected
    assert ready.timeline == library.timeline("e2e")
    assert ready.timeline.fingerprint == library.timeline("e2e").fingerprint  # resume still fits
    assert type(ready.timeline.phases) is tuple and type(ready.timeline.phases[1].cues) is tuple


def test_every_builtin_routine_round_trips_through_its_json_form() -> None:
    library = CatalogLoader().load(default_sources())
    for routine_id in library.routines:
        ready = prepared.prepare(library, routine_id)
        text = json.dumps(prepared.to_json(ready))
        assert prepared.from_json(json.loads(text), routine_id) == ready, routine_id


# -- a cache file in the wrong form is a miss, and the next save replaces it --------------------


def later() -> int:
    """A "now" a minute ahead: every file written so far has settled."""
    return time.time_ns() + 60 * 10**9


@pytest.fixture
def saved() -> tuple[prepared.Key, dict[str, Any]]:
    """The e2e routine kept under its fingerprint, and the cache file's JSON."""
    sources = [Source("library", FIXTURES)]
    key = prepared.fingerprint(sources, later())
    assert key is not None
    assert prepared.save(key, prepared.prepare(CatalogLoader().load(sources), "e2e"))
    return key, json.loads(prepared.cache_file().read_text())


def _entry(doc: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = doc["value"]["routines"]["e2e"]
    return entry


def _rows(doc: dict[str, Any]) -> list[Any]:
    rows: list[Any] = _entry(doc)["timeline"]["phases"]
    return rows


def _set(field: str, value: object) -> Callable[[dict[str, Any]], object]:
    """A mutation setting one field of the second phase."""
    def mutate(doc: dict[str, Any]) -> None:
        fields = _entry(doc)["timeline"]["fields"]
        _rows(doc)[1][fields.index(field)] = value
    return mutate


MUTATIONS: dict[str, Callable[[dict[str, Any]], object]] = {
    "cache version": lambda d: d.update({"trainer-cache": 2}),
    "extra top-level key": lambda d: d.update({"more": 1}),
    "prepared format": lambda d: d["value"].update({"format": 1}),
    "routines not a mapping": lambda d: d["value"].update({"routines": [1, 2]}),
    "entry is a list": lambda d: d["value"]["routines"].update({"e2e": []}),
    "unknown entry key": lambda d: _entry(d).update({"code": "os.system"}),
    "missing exercises": lambda d: _entry(d).pop("exercises"),
    "timeline of another id": lambda d: _entry(d)["timeline"].update({"routine_id": "x"}),
    "countdown as text": lambda d: _entry(d)["timeline"].update({"countdown": "3"}),
    "announce as a number": lambda d: _entry(d)["timeline"].update({"announce": 1}),
    "phase fields renamed": lambda d: _entry(d)["timeline"]["fields"].__setitem__(0, "idx"),
    "no phases": lambda d: _entry(d)["timeline"].update({"phases": []}),
    "phase as an object": lambda d: _rows(d).__setitem__(1, {"index": 1}),
    "phase with an extra value": lambda d: _rows(d)[1].append(None),
    "phase missing a value": lambda d: _rows(d)[1].pop(-2),
    "phase kind unknown": _set("kind", "explode"),
    "phase index out of order": _set("index", 7),
    "phase duration as text": _set("duration", "2"),
    "phase start as a bool": _set("start", True),
    "phase side unknown": _set("side", "up"),
    "phase title an object": _set("title", {"name": "x"}),
    "cues not a list": _set("cues", "countdown"),
    "cue of two items": _set("cues", [[1.0, "countdown"]]),
    "cue kind unknown": _set("cues", [[1.0, "boom", 1]]),
    "cue value a float": _set("cues", [[1.0, "countdown", 1.5]]),
    "phase's exercise missing": lambda d: _entry(d)["exercises"].clear(),
    "instructions as text": lambda d: next(iter(_entry(d)["exercises"].values())).update(
        {"instructions": "do it"}),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_a_json_cache_in_the_wrong_form_is_ignored_and_rewritten(
        saved: tuple[prepared.Key, dict[str, Any]], mutation: str) -> None:
    key, doc = saved
    assert prepared.load(key, "e2e") is not None
    MUTATIONS[mutation](doc)
    path = prepared.cache_file()
    path.write_text(json.dumps(doc))
    assert prepared.load(key, "e2e") is None
    ready = prepared.prepare(CatalogLoader().load([Source("library", FIXTURES)]), "e2e")
    assert prepared.save(key, ready)
    assert prepared.load(key, "e2e") == ready


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[1, 2]", b"null",
                                     b'{"trainer-cache": 1, "value": NaN}',
                                     b'{"trainer-cache": 1, "value": 1e999999}',
                                     b'{"trainer-cache": 1, "value": ' + b"[" * 100_000 + b"}",
                                     b'{"trainer-cache": 1, "value": ' + b"9" * 5000 + b"}"],
                         ids=["empty", "truncated", "not-utf8", "list", "null", "nan", "inf",
                              "deep", "huge-int"])
def test_a_cache_file_that_is_not_ours_reads_as_nothing(content: bytes) -> None:
    path = paths.cache_dir() / "some.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert paths.read_cached(path) is None


def test_a_fifo_symlink_or_huge_file_is_never_read(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = paths.cache_dir()
    folder.mkdir(parents=True)
    good = folder / "good.json"
    assert paths.write_cached(good, {"a": 1})
    os.mkfifo(folder / "fifo.json")
    assert paths.read_cached(folder / "fifo.json") is None  # and did not wait for a writer
    (folder / "link.json").symlink_to(good)
    assert paths.read_cached(folder / "link.json") is None
    assert paths.read_cached(folder) is None
    monkeypatch.setattr(paths, "MAX_CACHE_BYTES", 10)
    assert paths.read_cached(good) is None
    assert not paths.write_cached(folder / "big.json", "x" * 20)
    assert not (folder / "big.json").exists()


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list | tuple):
        assert isinstance(b, list | tuple)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("value", [
    None, True, 0, -1.5, 1e300, -0.0, 2**70, "", "naïve ✓ \x00 \ud800 \"()\"",
    ["text", {"data": [1, 2]}], [[], {}, [[1], [2]]], {"(": [1], "k": ["v", None]},
])
def test_what_is_kept_comes_back_exactly(value: object) -> None:
    path = paths.cache_dir() / "value.json"
    assert paths.write_cached(path, value)
    assert _same(paths.read_cached(path), value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), date(2024, 1, 1), {1, 2},
                                   b"bytes", {1: "int key"}, ("a", "tuple"), {"a": object()}],
                         ids=["nan", "inf", "date", "set", "bytes", "int-key", "tuple",
                              "object"])
def test_what_json_cannot_give_back_is_not_kept(value: object) -> None:
    path = paths.cache_dir() / "value.json"
    assert not paths.write_cached(path, value)
    assert not path.exists()
