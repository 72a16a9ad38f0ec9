"""`trainer new` and `trainer edit`: templates, copies, the editor loop and its prompt."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_trainer

from trainer.cli import authoring
from trainer.cli.output import safe_output
from trainer.library.loader import read_text
from trainer.paths import builtin_library_dir, user_library_dir

BUILTIN_ROUTINE = builtin_library_dir() / "routines" / "back-knee-relief.yaml"
MISTAKE = "hold: abc"


def _problems(path: Path) -> list[str]:
    return [str(p) for p in read_text(str(path), path.read_bytes()).problems]


def _fake_editor(tmp_path: Path, *, mistake_runs: int = 1, status: int = 0) -> Path:
    """An editor that writes `hold: abc` over the first hold on its first runs, then fixes it."""
    script = tmp_path / "fake-editor.py"
    count = tmp_path / "editor-runs"
    script.write_text(textwrap.dedent(f"""\
        import pathlib, re, sys
        count = pathlib.Path({str(count)!r})
        runs = int(count.read_text()) + 1 if count.exists() else 1
        count.write_text(str(runs))
        path = pathlib.Path(sys.argv[-1])
        text = path.read_text()
        if runs <= {mistake_runs}:
            text = re.sub(r"hold: [^,}}\\n]+", {MISTAKE!r}, text, count=1)
        else:
            text = text.replace({MISTAKE!r}, "hold: 25s")
        path.write_text(text)
        sys.exit({status})
        """))
    return script


def _editor_env(script: Path) -> dict[str, str]:
    # Split with shlex: the interpreter and the script are two words.
    return {"EDITOR": f"{sys.executable} {script}", "VISUAL": ""}


def _runs(tmp_path: Path) -> int:
    return int((tmp_path / "editor-runs").read_text())


# --- new ---------------------------------------------------------------------------------------


def test_new_routine_writes_a_template_that_validates(tmp_path: Path) -> None:
    result = run_trainer("new", "routine", "my-pt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = user_library_dir() / "my-pt.yaml"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert "docs/format.md" in text and "id: my-pt" in text
    assert _problems(path) == []
    validate = run_trainer("validate", cwd=tmp_path)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    show = run_trainer("show", "my-pt", cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    assert "My pt (my-pt)" in show.stdout


def test_new_exercise_writes_a_template_that_validates(tmp_path: Path) -> None:
    result = run_trainer("new", "exercise", "wall-sit", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = user_library_dir() / "wall-sit.yaml"
    assert _problems(path) == []
    assert "category:" in path.read_text(encoding="utf-8")
    listing = run_trainer("list", "exercises", cwd=tmp_path)
    assert "wall-sit" in listing.stdout
    assert run_trainer("validate", cwd=tmp_path).returncode == 0


def test_new_from_copies_an_item_renamed(tmp_path: Path) -> None:
    result = run_trainer("new", "routine", "my-knees", "--from", "back-knee-relief", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = user_library_dir() / "my-knees.yaml"
    assert _problems(path) == []
    shown = run_trainer("show", "my-knees", "--json", cwd=tmp_path)
    original = run_trainer("show", "back-knee-relief", "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.replace("my-knees", "back-knee-relief") == original.stdout
    text = path.read_text(encoding="utf-8")
    assert "id: my-knees" in text and "back-knee-relief" not in text.split("version: 1")[1]
    assert "{exercise: knee-to-chest, hold: 20s}" in text  # durations as written
    assert run_trainer("validate", cwd=tmp_path).returncode == 0


def test_new_from_an_unknown_item_suggests_one(tmp_path: Path) -> None:
    result = run_trainer("new", "routine", "mine", "--from", "back-knee-relif", cwd=tmp_path)
    assert result.returncode == 1
    assert "back-knee-relief" in result.stderr
    assert not (user_library_dir() / "mine.yaml").exists()


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    path = user_library_dir() / "my-pt.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("# mine\n", encoding="utf-8")
    result = run_trainer("new", "routine", "my-pt", cwd=tmp_path)
    assert result.returncode == 1
    assert "already exists" in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_text(encoding="utf-8") == "# mine\n"


def test_new_refuses_an_id_defined_in_your_library_elsewhere(tmp_path: Path) -> None:
    assert run_trainer("new", "exercise", "wall-sit", cwd=tmp_path).returncode == 0
    (user_library_dir() / "wall-sit.yaml").rename(user_library_dir() / "mine.yaml")
    result = run_trainer("new", "exercise", "wall-sit", cwd=tmp_path)
    assert result.returncode == 1 and "already defined" in result.stderr
    assert not (user_library_dir() / "wall-sit.yaml").exists()


@pytest.mark.parametrize("bad", ["My-PT", "my_pt", "x-", "a--b", "caf\u00e9", "x" * 65])
def test_new_refuses_a_bad_id(tmp_path: Path, bad: str) -> None:
    result = run_trainer("new", "routine", bad, cwd=tmp_path)
    assert result.returncode == 1
    assert "not a valid id" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not user_library_dir().exists()


def test_new_files_start_with_the_schema_modeline_once_when_installed(tmp_path: Path) -> None:
    from trainer.library import schema

    schema.install()
    line = schema.modeline()
    assert line.startswith("# yaml-language-server: $schema=")
    with safe_output():
        assert authoring.cmd_new("routine", "a", None, []) == 0
        assert authoring.cmd_new("exercise", "b", "standing-hamstring-stretch", []) == 0
    for name in ("a", "b"):
        text = (user_library_dir() / f"{name}.yaml").read_text(encoding="utf-8")
        assert text.startswith(line + "#") and text.count("yaml-language-server") == 1
        assert _problems(user_library_dir() / f"{name}.yaml") == []


# --- edit --------------------------------------------------------------------------------------


def test_editor_command_order_and_fallback(tmp_path: Path) -> None:
    assert authoring.editor_command({"VISUAL": "code -w", "EDITOR": "vi"}) == ["code", "-w"]
    assert authoring.editor_command({"VISUAL": " ", "EDITOR": "'my ed' -x"}) == ["my ed", "-x"]
    (tmp_path / "nano").write_text("#!/bin/sh\n")
    (tmp_path / "nano").chmod(0o755)
    assert authoring.editor_command({"PATH": str(tmp_path)}) == [str(tmp_path / "nano")]
    assert authoring.editor_command({"PATH": str(tmp_path / "none")}) is None


def test_edit_a_builtin_copies_it_first_and_leaves_the_builtin(tmp_path: Path) -> None:
    before = BUILTIN_ROUTINE.read_bytes()
    script = _fake_editor(tmp_path, mistake_runs=0)
    result = run_trainer("edit", "back-knee-relief", cwd=tmp_path, env=_editor_env(script))
    assert result.returncode == 0, result.stdout + result.stderr
    copy = user_library_dir() / "back-knee-relief.yaml"
    assert f"Copied the built-in routine 'back-knee-relief' to {copy}" in result.stdout
    assert result.stdout.splitlines()[-1] == f"ok: {copy}"
    assert BUILTIN_ROUTINE.read_bytes() == before
    assert "id: back-knee-relief" in copy.read_text(encoding="utf-8")
    # The second time, it is your own file that opens: no second copy.
    again = run_trainer("edit", "routine", "back-knee-relief", cwd=tmp_path,
                        env=_editor_env(script))
    assert again.returncode == 0 and "Copied" not in again.stdout
    assert sorted(p.name for p in user_library_dir().iterdir()) == ["back-knee-relief.yaml"]


def test_edit_without_a_terminal_prints_problems_and_does_not_prompt(tmp_path: Path) -> None:
    assert run_trainer("new", "exercise", "wall-sit", cwd=tmp_path).returncode == 0
    path = user_library_dir() / "wall-sit.yaml"
    script = _fake_editor(tmp_path)
    result = run_trainer("edit", "wall-sit", cwd=tmp_path, env=_editor_env(script), input="\n")
    assert result.returncode == 1
    assert "Edit again" not in result.stdout + result.stderr
    assert f"{path}:" in result.stdout and "abc" in result.stdout
    assert _runs(tmp_path) == 1
    assert MISTAKE in path.read_text(encoding="utf-8")  # kept as the editor left it


def test_edit_answer_no_keeps_the_file_exactly(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with safe_output():
        assert authoring.cmd_new("exercise", "wall-sit", None, []) == 0
    path = user_library_dir() / "wall-sit.yaml"
    script = _fake_editor(tmp_path)
    for key, value in _editor_env(script).items():
        monkeypatch.setenv(key, value)
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return "n"

    with safe_output():
        status = authoring.cmd_edit("wall-sit", None, [], interactive=True, ask=answer)
    assert status == 1
    assert asked == ["Edit again? [Y/n] "]
    assert _runs(tmp_path) == 1
    written = path.read_text(encoding="utf-8")
    assert MISTAKE in written
    assert f"{path}:" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == written


def test_edit_an_editor_that_fails_stops_with_its_status(tmp_path: Path) -> None:
    assert run_trainer("new", "routine", "my-pt", cwd=tmp_path).returncode == 0
    script = tmp_path / "fail.py"
    script.write_text("import sys\nsys.exit(3)\n")
    path = user_library_dir() / "my-pt.yaml"
    before = path.read_bytes()
    result = run_trainer("edit", "my-pt", cwd=tmp_path, env=_editor_env(script))
    assert result.returncode == 3
    assert "exited with status 3" in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_bytes() == before


def test_edit_missing_editor_and_unknown_id(tmp_path: Path) -> None:
    assert run_trainer("new", "routine", "my-pt", cwd=tmp_path).returncode == 0
    result = run_trainer("edit", "my-pt", cwd=tmp_path,
                         env={"EDITOR": "no-such-editor-here", "VISUAL": ""})
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "no-such-editor-here" in result.stderr
    none = run_trainer("edit", "my-pt", cwd=tmp_path,
                       env={"EDITOR": "", "VISUAL": "", "PATH": str(tmp_path / "empty")})
    assert none.returncode == 1 and "no editor found" in none.stderr
    unknown = run_trainer("edit", "my-pz", cwd=tmp_path, env={"EDITOR": "true", "VISUAL": ""})
    assert unknown.returncode == 1 and "my-pt" in unknown.stderr


def test_edit_in_a_terminal_asks_again_until_it_is_right(tmp_path: Path) -> None:
    from ptyterm import Terminal, trainer_env

    env = trainer_env(tmp_path / "home", **_editor_env(_fake_editor(tmp_path)))
    made = run_trainer("new", "exercise", "wall-sit", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    path = Path(env["TRAINER_CONFIG_DIR"]) / "library" / "wall-sit.yaml"
    term = Terminal([sys.executable, "-m", "trainer", "edit", "wall-sit"], env, size=(200, 24))
    try:
        term.wait_for("Edit again? [Y/n]")
        assert "abc" in term.text()
        term.child.send("\r")  # Enter: yes
        term.wait_for(f"ok: {path}")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert _runs(tmp_path) == 2
    text = path.read_text(encoding="utf-8")
    assert "hold: 25s" in text and MISTAKE not in text
    assert _problems(path) == []


def test_the_module_is_documented() -> None:
    assert "authoring.py" in (REPO_ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert os.path.exists(REPO_ROOT / "trainer" / "cli" / "authoring.py")


def test_ctrl_c_in_the_editor_is_the_editor_s(tmp_path: Path) -> None:
    assert run_trainer("new", "routine", "my-pt", cwd=tmp_path).returncode == 0
    script = tmp_path / "interrupted.py"
    # A terminal sends Ctrl-C to the whole foreground group, trainer included.
    script.write_text("import os, signal\nos.kill(os.getppid(), signal.SIGINT)\n")
    result = run_trainer("edit", "my-pt", cwd=tmp_path, env=_editor_env(script),
                         start_new_session=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"ok: {user_library_dir() / 'my-pt.yaml'}"
