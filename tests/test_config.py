"""Settings in config.yaml: read back, edited by hand, broken, and the parse kept between runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trainer import paths
from trainer.config import Config, load_config, save_config


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
        assert problem.endswith("using the defaults")


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
            "print(c.theme, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=os.environ.copy(), check=True)
    assert out.stdout.split() == ["nord", "False"]


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
