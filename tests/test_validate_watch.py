"""`trainer validate --watch`: checked again on every save, in a pane beside the editor."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest
from ptyterm import Terminal, trainer_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

GOOD = "version: 1\nroutines:\n  - id: mine\n    name: Mine\n    steps: [e2e-hold]\n"


def test_every_save_is_checked_again_and_ctrl_c_ends_it(tmp_path: Path) -> None:
    env = trainer_env(tmp_path)
    folder = tmp_path / "config" / "library"
    folder.mkdir(parents=True)
    routine = folder / "mine.yaml"
    routine.write_text(GOOD)
    term = Terminal.trainer("validate", "--watch", env=env, size=(200, 30))
    try:
        term.wait_for("no problems")
        term.wait_for("Ctrl+C ends")
        routine.write_text(GOOD.replace("e2e-hold", "e2e-nope"))
        term.wait_for("mine.yaml:5:13: unknown exercise 'e2e-nope'")
        term.wait_for("1 problem in")
        routine.write_text(GOOD)  # fixed: the next run says so
        deadline = time.monotonic() + 10
        while term.text().count("no problems") < 2:
            assert time.monotonic() < deadline, term.text()
            term._read()
        term.child.kill(signal.SIGINT)
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert term.stray() == []


def test_a_save_made_while_the_watch_was_being_set_up_is_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import watchfiles

    from trainer.cli.library import cmd_validate_watch

    folder = tmp_path / "mine"
    folder.mkdir()
    routine = folder / "mine.yaml"
    routine.write_text(GOOD)
    monkeypatch.setenv("TRAINER_LIBRARY", str(Path(__file__).parent / "fixtures" / "e2elib"))

    def watch(*_folders: object, yield_on_timeout: bool = False, **_options: object) -> object:
        # The save lands after the first check and before the watches are in place: inotify
        # never reports it; only a timeout's empty yield (if asked for) comes, then Ctrl+C.
        routine.write_text(GOOD.replace("e2e-hold", "e2e-nope") + "# saved\n")
        if yield_on_timeout:
            yield set()
        raise KeyboardInterrupt

    monkeypatch.setattr(watchfiles, "watch", watch)
    assert cmd_validate_watch([folder], []) == 0
    out = capsys.readouterr()
    assert "no problems" in out.out
    assert "unknown exercise 'e2e-nope'" in out.out
