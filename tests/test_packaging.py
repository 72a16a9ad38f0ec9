"""The wheel carries the built-in library, and an installed trainer finds it from anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_trainer


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from this checkout without network or build isolation."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(REPO_ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [built] = out.glob("trainer-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unzipped, as an installer would lay it out in site-packages."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_contains_the_built_in_library(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = {n.removeprefix("trainer/_data/exercises/") for n in names
               if n.startswith("trainer/_data/exercises/") and n.endswith(".yaml")}
    in_repo = {p.relative_to(REPO_ROOT / "exercises").as_posix()
               for p in (REPO_ROOT / "exercises").rglob("*.yaml")}
    assert shipped
    assert shipped == in_repo
    assert "trainer/cli/main.py" in names
    assert "trainer/__main__.py" in names


def test_wheel_declares_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        [entry_points] = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "trainer = trainer.startup:main" in text


def test_installed_trainer_validates_its_library_from_another_folder(unpacked: Path,
                                                                     tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_trainer("validate", cwd=elsewhere, env={"PYTHONPATH": str(unpacked)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")
    assert "Traceback" not in result.stderr


def test_installed_trainer_reads_the_library_inside_the_wheel(unpacked: Path,
                                                              tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(unpacked)}
    result = run_trainer("list", "routines", "--json", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    routines = {r["id"]: r for r in json.loads(result.stdout)}
    assert "quick-test" in routines
    data_dir = unpacked / "trainer" / "_data" / "exercises"
    for routine in routines.values():
        assert Path(routine["file"]).is_relative_to(data_dir), routine["file"]
    shown = run_trainer("show", "quick-test", "--json", cwd=elsewhere, env=env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["routine"] == "quick-test"
    where = subprocess.run(
        [sys.executable, "-c", "import trainer; print(trainer.__file__)"], cwd=elsewhere,
        env={"PYTHONPATH": str(unpacked), "PATH": ""}, capture_output=True, text=True,
        timeout=60, check=True)
    assert Path(where.stdout.strip()).is_relative_to(unpacked)
