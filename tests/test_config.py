"""Settings in config.yaml: read back, edited by hand, broken, and the parse kept between runs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FakeClock
from pilot_helpers import Notices, load_fixture_library, make_app

from trainer import paths
from trainer.config import Config, load_config, parse_reminders, save_config, unknown_key_ids
from trainer.ui.app import TrainerApp
from trainer.ui.screens.library import LibraryScreen
from trainer.ui.screens.safety import SafetyScreen


def config_file() -> Path:
    return paths.config_dir() / "config.yaml"


def test_no_file_means_the_defaults() -> None:
    config = load_config()
    assert config == Config()
    assert config.problems == []


def test_saved_settings_come_back() -> None:
    config = load_config()
    config.acknowledged_safety, config.theme, config.volume = True, "nord", 35
    config.keys = {"session.pause": "k"}
    assert save_config(config) is None
    assert "theme: nord" in config_file().read_text()  # plain YAML a person can edit
    again = load_config()
    assert (again.acknowledged_safety, again.theme, again.volume, again.keys) == (
        True, "nord", 35, {"session.pause": "k"})


def test_an_edit_by_hand_is_read_even_after_a_kept_parse() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("volume: 40\n")
    assert load_config().volume == 40
    assert load_config().volume == 40  # from the kept parse
    config_file().write_text("volume: 60\nmuted: true\n")
    edited = load_config()
    assert (edited.volume, edited.muted) == (60, True)


def test_broken_yaml_gives_the_defaults_and_says_so() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("theme: [unclosed\n")
    for _ in range(2):  # a broken file is never remembered as good
        config = load_config()
        assert config.theme is None
        [problem] = config.problems
        assert problem.startswith(f"{config_file()}:2:1: YAML syntax")
        assert problem.endswith("using the defaults, and leaving the file as it is until it is "
                                "fixed")


def test_a_corrupt_kept_parse_is_ignored() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("acknowledged_safety: true\n")
    load_config()
    (paths.cache_dir() / "config.json").write_bytes(b"\x80\x05 not json")
    assert load_config().acknowledged_safety
    (paths.cache_dir() / "config.json").write_text('["acknowledged_safety: true\\n", 5]')
    assert load_config().acknowledged_safety


def test_unchanged_settings_are_read_without_pyyaml() -> None:
    # PyYAML's import is ~20 ms of every start; the kept parse spares it.
    config_file().parent.mkdir(parents=True)
    config_file().write_text("acknowledged_safety: true\ntheme: nord\n")
    load_config()
    code = ("import sys; from trainer.config import load_config; c = load_config(); "
            "print(c.theme, 'yaml' in sys.modules, 'ruamel.yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), check=True)
    assert out.stdout.split() == ["nord", "False", "False"]  # ruamel: only when saving


def test_each_unusable_setting_is_a_problem_at_its_line_and_the_rest_still_apply() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("theme: nord\nvolume: 150\naudio: loud\nmuted: yes\n"
                             "colour: red\nsounds: [tick.wav]\nvoice: false\n")
    config = load_config()
    assert (config.theme, config.voice, config.volume, config.audio, config.muted) == (
        "nord", False, 80, "auto", False)
    where = [p.removeprefix(f"{config_file()}:").split(": ")[0] for p in config.problems]
    assert where == ["2:9", "3:8", "4:8", "5:1", "6:9"], config.problems
    assert any("volume: expected a whole number 0-100, got 150" in p for p in config.problems)
    assert any("unknown setting 'colour'" in p for p in config.problems)


def test_hostile_config_files_are_refused_quickly_with_a_reason() -> None:
    config_file().parent.mkdir(parents=True)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    cases = {
        "alias bomb": bomb,
        "deep nesting": "theme: " + "[" * 20000 + "]" * 20000 + "\n",
        "huge file": "# padding\n" * 1_200_000,
        "huge integer": "volume: " + "9" * 5000 + "\n",
        "not UTF-8": b"theme: caf\xe9\n",
    }
    for name, text in cases.items():
        if isinstance(text, bytes):
            config_file().write_bytes(text)
        else:
            config_file().write_text(text)
        config = load_config()
        assert config.problems, name
        assert config.volume == 80 and config.theme is None, name


def test_a_pipe_in_place_of_config_yaml_does_not_hang_the_start() -> None:
    config_file().parent.mkdir(parents=True)
    os.mkfifo(config_file())
    config = load_config()  # would block forever opening the pipe for reading
    [problem] = config.problems
    assert "not a regular file" in problem


# -- saving: only what changed, into the file as the person left it ----------------------------

HAND_WRITTEN = """\
# my trainer settings
volume: loud      # fix this later
keys:
  session.pause: p   # p for pause
audio: bell
"""


def test_saving_changes_only_the_settings_changed_and_keeps_comments_and_order() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text(HAND_WRITTEN)
    config = load_config()
    assert config.volume == 80 and config.problems  # `loud` is not a volume: the default
    config.acknowledged_safety = True
    assert save_config(config) is None
    config.theme = "nord"
    assert save_config(config) is None
    # `volume: loud` stays as written: the app did not change the volume.
    assert config_file().read_text() == HAND_WRITTEN + "acknowledged_safety: true\ntheme: nord\n"
    config.volume = 30
    assert save_config(config) is None
    assert config_file().read_text().splitlines()[1] == "volume: 30        # fix this later"
    assert load_config().problems == []


def test_a_hand_edit_made_while_the_app_runs_is_kept_when_it_saves() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("theme: nord\n")
    config = load_config()
    config_file().write_text("theme: nord\nvoice: false  # too chatty\n")
    config.muted = True
    assert save_config(config) is None
    assert config_file().read_text() == "theme: nord\nvoice: false  # too chatty\nmuted: true\n"


def test_a_file_of_comments_only_keeps_them_above_the_settings() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("# settings go here\n")
    config = load_config()
    config.acknowledged_safety = True
    assert save_config(config) is None
    assert config_file().read_text() == "# settings go here\nacknowledged_safety: true\n"


def test_a_symlinked_config_stays_a_symlink_and_keeps_its_mode(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "trainer.yaml"
    real.parent.mkdir()
    real.write_text("volume: 40\n")
    real.chmod(0o644)
    config_file().parent.mkdir(parents=True)
    config_file().symlink_to(real)
    config = load_config()
    config.theme = "nord"
    assert save_config(config) is None
    assert config_file().is_symlink()
    assert real.read_text() == "volume: 40\ntheme: nord\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o644


UNREADABLE = {
    "broken YAML": b"theme: [nord\n",
    "duplicate key": b"theme: nord\ntheme: dracula\n",
    "not UTF-8": b"# caf\xe9\ntheme: nord\n",
    "not a mapping": b"- theme: nord\n",
    "too big": b"# padding\n" * 30_000,
}


@pytest.mark.parametrize("content", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_config_that_cannot_be_read_is_never_written_over(content: bytes) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_bytes(content)
    config = load_config()
    assert config.problems and config.locked
    assert config.problems[0].endswith("leaving the file as it is until it is fixed")
    config.acknowledged_safety, config.theme = True, "nord"
    assert save_config(config) is None  # loading has said why already
    assert config_file().read_bytes() == content
    assert (config.acknowledged_safety, config.theme) == (True, "nord")  # kept in memory


def test_a_pipe_or_folder_in_place_of_config_yaml_is_left_alone() -> None:
    config_file().parent.mkdir(parents=True)
    os.mkfifo(config_file())
    config = load_config()
    config.acknowledged_safety = True
    assert save_config(config) is None
    assert stat.S_ISFIFO(os.lstat(config_file()).st_mode)
    os.unlink(config_file())
    config_file().mkdir()
    config = load_config()
    assert "cannot read it (Is a directory)" in config.problems[0]
    config.acknowledged_safety = True
    assert save_config(config) is None
    assert config_file().is_dir() and not any(config_file().iterdir())


def test_a_file_broken_after_loading_is_not_written_over_and_that_is_said() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("theme: nord\n")
    config = load_config()
    config_file().write_text("theme: [nord\n")  # the person is half way through an edit
    config.volume = 30
    problem = save_config(config)
    assert problem is not None and f"{config_file()}:2:1: " in problem
    assert config_file().read_text() == "theme: [nord\n"
    config_file().write_text("theme: nord\n")  # fixed: the change is saved next time
    config.muted = True
    assert save_config(config) is None
    assert config_file().read_text() == "theme: nord\nvolume: 30\nmuted: true\n"


# -- `keys:` entries: where each is, for the app's notice of unknown binding ids --------------

def test_unknown_binding_ids_are_named_with_their_line_from_a_fresh_or_kept_parse() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("theme: nord\nkeys:\n  session.pause: p\n  session.paus: x\n")
    for _ in range(2):  # parsed, then from the kept parse
        config = load_config()
        assert config.problems == []
        assert unknown_key_ids(config, {"session.pause", "session.skip"}) == [
            f"{config_file()}:4:3: keys: no key binding 'session.paus' "
            "(did you mean 'session.pause'?)"]
    assert unknown_key_ids(Config(keys={"zz": "x"}), {"session.pause"}) == [
        f"{config_file()}: keys: no key binding 'zz'; the README lists them"]


# -- the app: what it saves, what it never writes over, what it says ----------------------------

def app_on_file(clock: FakeClock) -> TrainerApp:
    """The app on the settings in config.yaml, saving them as a real run does."""
    return make_app(load_fixture_library(), clock, config=load_config(), save_settings=True,
                    audio="none")


async def acknowledge_safety_note(app: TrainerApp) -> None:
    """Run the app through the first-run note to the library, and change the theme."""
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(pilot.app.screen, SafetyScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, LibraryScreen)
        pilot.app.theme = "nord"
        await pilot.pause()


async def test_the_app_never_writes_over_a_broken_config(clock: FakeClock) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_bytes(b"# mine\nvolume: 40\ntheme: [nord\n")
    notices = Notices()
    app = app_on_file(clock)
    async with app.run_test(message_hook=notices) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the safety note: the defaults did not acknowledge it
        await pilot.pause()
        assert isinstance(pilot.app.screen, LibraryScreen)
        pilot.app.theme = "nord"
        await pilot.pause()
    assert config_file().read_bytes() == b"# mine\nvolume: 40\ntheme: [nord\n"
    assert (app.config.acknowledged_safety, app.config.theme) == (True, "nord")  # in memory
    [notice] = [m for m in notices.messages if "config.yaml" in m]
    assert f"{config_file()}:4:1: YAML syntax" in notice  # the line that is wrong
    assert "leaving the file as it is" in notice


async def test_the_app_saves_keeping_the_persons_comments_order_and_keys(
        clock: FakeClock) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text(HAND_WRITTEN)
    await acknowledge_safety_note(app_on_file(clock))
    assert config_file().read_text() == HAND_WRITTEN + "acknowledged_safety: true\ntheme: nord\n"


async def test_the_app_names_an_unknown_binding_id_once_with_its_line(clock: FakeClock) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("acknowledged_safety: true\nkeys:\n  session.paus: x\n"
                             "  library.filter: f\n")
    notices = Notices()
    async with app_on_file(clock).run_test(message_hook=notices) as pilot:
        await pilot.pause()
        # The key check's worker, if still running (not all: the file watcher runs until the
        # app ends, and an empty list would mean all).
        if keys := [w for w in pilot.app.workers if w.group == "keys"]:
            await pilot.app.workers.wait_for_complete(keys)
        await pilot.pause()
    said = [m for m in notices.messages if "session.paus" in m]
    assert said == [f"{config_file()}:3:3: keys: no key binding 'session.paus' "
                    "(did you mean 'session.pause'?)"]
    assert not any("library.filter" in m for m in notices.messages)  # a real id: not a problem


# -- notify and remind -------------------------------------------------------------------------


def test_notify_and_reminder_settings_are_read_and_each_bad_entry_said_at_its_line() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("notify: osc99\nnotify_focused: true\nremind:\n  every: 2h\n"
                             "  between: 08:30-17:00\n  days: mon,wed-fri\n  evry: 3\n"
                             "  routine: Bad!\n")
    config = load_config()
    assert (config.notify, config.notify_focused) == ("osc99", True)
    reminders, _ = parse_reminders(config.remind)  # as `trainer remind` reads them
    assert reminders.every == 7200
    assert [t.isoformat("minutes") for t in reminders.between or ()] == ["08:30", "17:00"]
    assert reminders.days == {0, 2, 3, 4}
    assert reminders.routine == "posture-check"  # the bad one keeps the default
    assert config.problems == [
        f"{config_file()}:7:3: remind: unknown reminder setting 'evry' (did you mean 'every'?)",
        f"{config_file()}:8:12: remind: routine: expected a routine id such as posture-check"]


def test_a_notify_mode_that_does_not_exist_keeps_auto() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("notify: loud\n")
    config = load_config()
    assert config.notify == "auto"
    assert config.problems == [f"{config_file()}:1:9: notify: 'loud' is not one of auto, osc777, "
                               "osc99, osc9, off"]
