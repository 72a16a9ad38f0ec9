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
    assert config.problem is None


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
        assert config.problem == f"{config_file()} is not valid YAML; using the defaults"


def test_a_corrupt_kept_parse_is_ignored() -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text("acknowledged_safety: true\n")
    load_config()
    (paths.cache_dir() / "config.pickle").write_bytes(b"\x80\x05 not a pickle")
    assert load_config().acknowledged_safety
    (paths.cache_dir() / "config.pickle").write_bytes(b"")
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
