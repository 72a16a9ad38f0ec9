"""Shared fixtures: a fake clock, isolated config/data folders, and YAML files in tmp dirs."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

WriteYaml = Callable[..., Path]


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move time forward and return the new time."""
        assert seconds >= 0, "a monotonic clock never goes back"
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point config, data and cache at temp folders so no test touches the real home."""
    base = tmp_path_factory.mktemp("home")
    dirs = {"config": base / "config", "data": base / "data", "cache": base / "cache"}
    monkeypatch.setenv("TRAINER_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("TRAINER_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("TRAINER_CACHE_DIR", str(dirs["cache"]))
    monkeypatch.delenv("TRAINER_LIBRARY", raising=False)
    return dirs


@pytest.fixture
def write_yaml(tmp_path: Path) -> WriteYaml:
    """Write dedented YAML text (or bytes) to a file under tmp_path; returns its path."""

    def write(name: str, content: str | bytes, folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return path

    return write


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a `python -m trainer` subprocess: the test's isolated dirs."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRAINER_LIBRARY", "PYTHONPATH")}
    env.update(extra or {})
    return env


def run_trainer(*args: str, cwd: Path, env: Mapping[str, str] | None = None,
                **kwargs: Any) -> Any:
    """Run `python -m trainer ARGS` in a subprocess and capture its output."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "trainer", *args], cwd=cwd, env=cli_env(env),
        capture_output=True, text=True, timeout=60, check=False, **kwargs,
    )
