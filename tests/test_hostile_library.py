"""No value, file or folder can break loading the library: each is a problem at file:line:col.

Every case sits next to a good file and asserts what a user sees: the problem, where it is, and
that the good exercises and routines still load. FIFOs are only ever opened by a subprocess with
a timeout, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import WriteYaml, cli_env

from trainer.library import sources
from trainer.library.problems import QUOTE_LIMIT, Problem
from trainer.library.sources import Source
from trainer.session.catalog import Catalog, CatalogLoader

GOOD = """
version: 1
exercises:
  - {id: cat-stretch, name: Cat stretch, category: stretch, hold: 20s}
  - {id: wall-push, name: Wall push-up, category: strength, reps: 10}
routines:
  - id: good-routine
    name: Good routine
    steps: [cat-stretch, {exercise: wall-push, sets: 2}]
"""
EX = "version: 1\nexercises:\n  - id: x\n    name: X\n    category: stretch\n"
ROUTINE = "version: 1\nroutines:\n  - id: r\n    name: R\n    steps:\n"
ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
POSIX = sys.platform != "win32"


@pytest.fixture
def folder(tmp_path: Path, write_yaml: WriteYaml) -> Path:
    """A library folder with one good file, good.yaml."""
    lib = tmp_path / "lib"
    write_yaml("good.yaml", GOOD, lib)
    return lib


def load(folder: Path) -> Catalog:
    """The folder as the only library."""
    return CatalogLoader().load([Source("library", folder)])


def only_problem(lib: Catalog, path: Path) -> Problem:
    """The one problem in the library, which must be about `path`."""
    assert [p.path for p in lib.problems] == [str(path)], [str(p) for p in lib.problems]
    return lib.problems[0]


def assert_good_loaded(lib: Catalog) -> None:
    """The good file's exercises and routine are all there."""
    assert {"cat-stretch", "wall-push"} <= set(lib.exercises)
    assert "good-routine" in lib.routines


def trainer(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """`python -m trainer ARGS`, killed (and the test failed) if it takes over `timeout` s."""
    return subprocess.run([sys.executable, "-m", "trainer", *args], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


def validate(target: Path, cwd: Path) -> tuple[int, list[str], str]:
    """`trainer validate TARGET`: exit status, problem lines, stderr (never a traceback)."""
    result = trainer("validate", str(target), cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines(), result.stderr


# -- 1, 2: numbers too big to convert --------------------------------------------------------


@pytest.mark.parametrize("digits", [400, 4301, 100_000])
def test_a_huge_integer_is_a_problem_at_its_position(folder: Path, write_yaml: WriteYaml,
                                                     digits: int) -> None:
    # 400 digits overflowed float() in the durations; past 4,300, PyYAML's int() raised.
    bad = write_yaml("bad.yaml", EX + "    hold: " + "9" * digits + "\n", folder)
    started = time.perf_counter()
    lib = load(folder)
    assert time.perf_counter() - started < 2
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col) == (6, 11)
    assert problem.message == f"hold: a number of {digits} digits is far too long"
    assert len(str(problem)) < 200 + len(str(bad))
    assert_good_loaded(lib)


def test_a_huge_integer_anywhere_is_a_problem(folder: Path, write_yaml: WriteYaml) -> None:
    big = "1" * 5000
    bad = write_yaml("bad.yaml", ROUTINE
                     + f"      - {{block: B, repeat: {big}, steps: [cat-stretch]}}\n"
                     + f"      - {{rest: {big}}}\n", folder)
    lib = load(folder)
    assert [(p.path, p.line, p.col) for p in lib.problems] == [(str(bad), 6, 28),
                                                               (str(bad), 7, 16)]
    assert_good_loaded(lib)


def test_a_huge_number_does_not_break_the_commands(folder: Path, write_yaml: WriteYaml,
                                                   tmp_path: Path) -> None:
    bad = write_yaml("bad.yaml", EX + "    hold: " + "9" * 400 + "\n", folder)
    listed = trainer("list", "--library", str(folder), cwd=tmp_path)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert "good-routine" in listed.stdout and "1 problem in the library" in listed.stderr
    status, lines, _ = validate(folder, tmp_path)
    assert status == 1
    assert lines == [f"{bad}:6:11: hold: a number of 400 digits is far too long "
                     "(no value here needs more than 20 digits)"]


def test_durations_written_as_long_text_are_bounded(folder: Path, write_yaml: WriteYaml) -> None:
    bad = write_yaml("bad.yaml", EX + "    hold: '" + "9" * 400 + "s'\n", folder)
    problem = only_problem(load(folder), bad)
    assert (problem.line, problem.col) == (6, 11)
    assert "longer than the 3h limit" in problem.message
    assert len(problem.message) < 120


# -- 3: YAML 1.1 numbers and booleans --------------------------------------------------------


@pytest.mark.parametrize(("value", "message"), [
    ("010", "hold: got 8 (YAML reads 010 as octal)"),
    ("0x10", "hold: got 16 (YAML reads 0x10 as hexadecimal)"),
    ("0b101", "hold: got 5 (YAML reads 0b101 as binary)"),
    ("-0x1f", "hold: got -31 (YAML reads -0x1f as hexadecimal)"),
])
def test_octal_hex_and_binary_are_problems(folder: Path, write_yaml: WriteYaml, value: str,
                                           message: str) -> None:
    bad = write_yaml("bad.yaml", EX + f"    hold: {value}\n", folder)
    lib = load(folder)
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col, problem.message) == (6, 11, message)
    assert problem.hint == "write it in decimal, or quote it to make it text"
    assert "x" not in lib.exercises
    assert_good_loaded(lib)


def test_a_leading_zero_count_is_a_problem_unless_it_reads_the_same(
        folder: Path, write_yaml: WriteYaml) -> None:
    bad = write_yaml("bad.yaml", EX + "    reps: 012\n", folder)
    ok = write_yaml("ok.yaml", EX.replace("id: x", "id: y") + "    reps: 07\n", folder)
    lib = load(folder)
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col) == (6, 11)
    assert problem.message == "reps: got 10 (YAML reads 012 as octal)"
    assert lib.exercises["y"].reps == 7  # 07 is 7 in octal and in decimal
    assert ok.exists()


@pytest.mark.parametrize(("line", "col", "key", "word"), [
    (5, 15, "category", "yes"), (6, 12, "sides", "no"), (7, 12, "level", "on"),
    (8, 14, "summary", "off"), (9, 11, "hold", "YES"),
])
def test_yaml_11_booleans_where_a_word_is_expected(folder: Path, write_yaml: WriteYaml,
                                                   line: int, col: int, key: str,
                                                   word: str) -> None:
    text = ("version: 1\nexercises:\n  - id: x\n    name: X\n    category: stretch\n"
            "    sides: each\n    level: beginner\n    summary: Fine.\n    hold: 5s\n")
    bad = write_yaml("bad.yaml", text.replace(text.splitlines()[line - 1],
                                              f"    {key}: {word}"), folder)
    lib = load(folder)
    problem = only_problem(lib, bad)
    meaning = "true" if word.lower() in ("yes", "on") else "false"
    assert (problem.line, problem.col) == (line, col)
    assert problem.message == f"{key}: got {meaning} (YAML reads {word} as {meaning})"
    assert problem.hint == f"quote it ('{word}') to make it text, or write true or false"
    assert_good_loaded(lib)


def test_announce_takes_true_and_false_but_not_yes(folder: Path, write_yaml: WriteYaml) -> None:
    head = ROUTINE.replace("id: r", "id: {id}") + "      - cat-stretch\n"
    write_yaml("true.yaml", head.format(id="t") + "    defaults: {announce: false}\n", folder)
    bad = write_yaml("yes.yaml", head.format(id="y") + "    defaults: {announce: yes}\n", folder)
    lib = load(folder)
    assert lib.routines["t"].defaults.announce is False
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col) == (7, 26)
    assert problem.message == "announce: got true (YAML reads yes as true)"
    assert "write true or false" in problem.hint
    assert "y" not in lib.routines


def test_quoted_yes_and_numbers_are_text(folder: Path, write_yaml: WriteYaml) -> None:
    write_yaml("quoted.yaml", EX.replace("name: X", "name: 'yes'") + "    hold: '010'\n", folder)
    lib = load(folder)
    assert lib.problems == []
    assert (lib.exercises["x"].name, lib.exercises["x"].hold) == ("yes", 10.0)


def test_one_thirty_is_still_a_duration_but_not_a_count(folder: Path,
                                                        write_yaml: WriteYaml) -> None:
    # YAML 1.1 reads 1:30 as the number 90: right for a duration, a misreading for a count.
    write_yaml("clock.yaml", EX + "    hold: 1:30\n", folder)
    bad = write_yaml("count.yaml", EX.replace("id: x", "id: y") + "    reps: 1:30\n", folder)
    lib = load(folder)
    assert lib.exercises["x"].hold == 90.0
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col) == (6, 11)
    assert problem.message == "reps: expected a whole number, got '1:30'"


@pytest.mark.parametrize(("tag", "message"), [
    ("!!int abc", "hold: 'abc' is not a whole number"),
    ("!!float abc", "hold: 'abc' is not a valid float"),
    ("!!bool maybe", "hold: 'maybe' is not true or false"),
])
def test_an_explicit_tag_on_the_wrong_text_is_a_problem(folder: Path, write_yaml: WriteYaml,
                                                        tag: str, message: str) -> None:
    bad = write_yaml("bad.yaml", EX + f"    hold: {tag}\n", folder)
    problem = only_problem(load(folder), bad)
    assert (problem.line, problem.col, problem.message) == (6, 11, message)


# -- 4: control, bidi and invisible characters in ids and names ---------------------------------


@pytest.mark.parametrize(("text", "line", "col", "message"), [
    (EX.replace("name: X", 'name: "X \\e]0;pwned\\a"') + "    hold: 5s\n", 4, 11,
     "name contains a control character (^[)"),
    (EX.replace("name: X", 'name: "X \\u202eeman"') + "    hold: 5s\n", 4, 11,
     "name contains an invisible or bidi character (<U+202E>)"),
    (EX.replace("name: X", 'name: "X\\u200b"') + "    hold: 5s\n", 4, 11,
     "name contains an invisible or bidi character (<U+200B>)"),
    (EX.replace("name: X", 'name: "two\\nlines"') + "    hold: 5s\n", 4, 11,
     "name contains a line break or tab (\\n)"),
    (EX.replace("id: x", 'id: "x\\e[2J"') + "    hold: 5s\n", 3, 9,
     "id contains a control character (^[)"),
    (ROUTINE.replace("id: r", 'id: "r\\u2066"') + "      - cat-stretch\n", 3, 9,
     "id contains an invisible or bidi character (<U+2066>)"),
    (ROUTINE.replace("name: R", 'name: "R\\x9b31m"') + "      - cat-stretch\n", 4, 11,
     "name contains a control character (<U+009B>)"),
    (ROUTINE + '      - {block: "B\\e]52;c;eA==\\a", steps: [cat-stretch]}\n', 6, 17,
     "block contains a control character (^[)"),
    (ROUTINE + '      - {exercise: "cat-stretch\\e[0m"}\n', 6, 20,
     "exercise contains a control character (^[)"),
])
def test_ids_and_names_refuse_control_bidi_and_invisible_characters(
        folder: Path, write_yaml: WriteYaml, text: str, line: int, col: int,
        message: str) -> None:
    bad = write_yaml("bad.yaml", text, folder)
    lib = load(folder)
    problem = only_problem(lib, bad)
    assert (problem.line, problem.col, problem.message) == (line, col, message)
    assert "\x1b" not in str(problem) and "\u202e" not in str(problem)
    assert set(lib.exercises) == {"cat-stretch", "wall-push"}
    assert set(lib.routines) == {"good-routine"}


def test_free_text_keeps_its_characters(folder: Path, write_yaml: WriteYaml) -> None:
    # Summaries, instructions, cues, safety and say lines are shown through printable() by the
    # faces; they load as written.
    write_yaml("text.yaml", EX + '    hold: 5s\n    summary: "Bidi \\u202eok"\n'
               '    cues: ["tab\\there"]\n', folder)
    lib = load(folder)
    assert lib.problems == []
    assert lib.exercises["x"].summary == "Bidi \u202eok"


# -- 5: what is in the folder ----------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_a_problem_not_a_hang(folder: Path, tmp_path: Path) -> None:
    pipe = folder / "pipe.yaml"
    os.mkfifo(pipe)
    status, lines, stderr = validate(folder, tmp_path)
    assert status == 1
    assert lines == [f"{pipe}:1:1: not a regular file (a named pipe), not read"]
    assert "1 problem in 1 file" in stderr
    listed = trainer("list", "--library", str(folder), cwd=tmp_path)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    assert "good-routine" in listed.stdout
    assert "1 problem in the library" in listed.stderr
    # Named on the command line, it is refused the same way.
    status, lines, _ = validate(pipe, tmp_path)
    assert (status, lines) == (1, [f"{pipe}:1:1: not a regular file (a named pipe), not read"])


@pytest.mark.skipif(not POSIX, reason="sockets in the file system")
def test_a_socket_is_a_problem(folder: Path) -> None:
    import socket

    path = folder / "sock.yaml"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        lib = load(folder)
    assert only_problem(lib, path).message == "not a regular file (a socket), not read"
    assert_good_loaded(lib)


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_a_symlink_out_of_the_folder_is_reported_and_not_read(folder: Path,
                                                              tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:SECRET-HASH:19000:0:99999:7:::\n")
    link = folder / "x.yaml"
    link.symlink_to(secret)
    lib = load(folder)
    problem = only_problem(lib, link)
    assert problem.message == (f"symlink to a file outside the library folder ({secret}), "
                               "not read")
    assert "SECRET" not in problem.message + problem.hint
    assert_good_loaded(lib)
    status, lines, stderr = validate(folder, tmp_path)
    assert status == 1 and len(lines) == 1 and lines[0].startswith(f"{link}:1:1: symlink to")
    assert "SECRET" not in "\n".join(lines) + stderr


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_a_symlinked_folder_out_of_the_library_is_reported(folder: Path,
                                                           tmp_path: Path,
                                                           write_yaml: WriteYaml) -> None:
    elsewhere = tmp_path / "elsewhere"
    write_yaml("more.yaml", EX + "    hold: 5s\n", elsewhere)
    link = folder / "shared"
    link.symlink_to(elsewhere, target_is_directory=True)
    lib = load(folder)
    problem = only_problem(lib, link)
    assert problem.message.startswith("symlink to a folder outside the library folder")
    assert "--library" in problem.hint
    assert "x" not in lib.exercises


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_symlinks_inside_the_folder_are_followed_and_read_once(folder: Path, tmp_path: Path,
                                                               write_yaml: WriteYaml) -> None:
    write_yaml(".drafts/extra.yml", EX + "    hold: 5s\n", folder)
    (folder / "extra.yaml").symlink_to(folder / ".drafts" / "extra.yml")
    (folder / "again.yaml").symlink_to("good.yaml")  # the same file as good.yaml
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)  # read where it is
    lib = load(folder)
    assert lib.problems == [], [str(p) for p in lib.problems]
    assert "x" in lib.exercises
    assert_good_loaded(lib)
    assert lib.files == [str(folder / "extra.yaml"), str(folder / "good.yaml")]
    # validate sees the same: a folder of symlinked files is not "ok" by accident, nor broken.
    status, lines, _ = validate(folder, tmp_path)
    assert (status, lines) == (0, [lines[0]]) and lines[0].startswith("ok: ")
    assert "in 2 files" in lines[0]


@pytest.mark.skipif(not POSIX, reason="symlinks")
def test_symlink_loops_and_dangling_links_are_problems(folder: Path, tmp_path: Path) -> None:
    loop = folder / "loop.yaml"
    loop.symlink_to(loop)
    dangling = folder / "gone.yaml"
    dangling.symlink_to(folder / "nothing-here.yaml")
    lib = load(folder)
    assert [(p.path, p.message) for p in lib.problems] == [
        (str(dangling), f"symlink to {folder / 'nothing-here.yaml'}, which does not exist"),
        (str(loop), "symlink loop"),
    ]
    assert_good_loaded(lib)
    # `validate PATH` of the loop itself crashed with RuntimeError (Path.resolve on 3.11).
    status, lines, _ = validate(loop, tmp_path)
    assert (status, lines) == (1, [f"{loop}:1:1: symlink loop (the link leads back to itself)"])


@pytest.mark.skipif(not POSIX or ROOT, reason="permissions do not stop root")
def test_unreadable_files_and_folders_are_problems(folder: Path, tmp_path: Path,
                                                   write_yaml: WriteYaml) -> None:
    locked_file = write_yaml("locked.yaml", EX + "    hold: 5s\n", folder)
    locked_dir = folder / "private"
    write_yaml("inside.yaml", EX.replace("id: x", "id: y") + "    hold: 5s\n", locked_dir)
    locked_file.chmod(0)
    locked_dir.chmod(0)
    try:
        lib = load(folder)
        status, lines, _ = validate(folder, tmp_path)
    finally:
        locked_dir.chmod(0o755)
        locked_file.chmod(0o644)
    assert [(p.path, p.message) for p in lib.problems] == [
        (str(locked_file), "cannot read: Permission denied"),
        (str(locked_dir), "cannot read the folder: Permission denied"),
    ]
    assert_good_loaded(lib)
    assert status == 1 and lines == [str(p) for p in lib.problems]


def test_files_past_the_limit_are_reported(folder: Path, write_yaml: WriteYaml,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_FILES", 3)
    for n in range(5):
        write_yaml(f"more/f{n}.yaml", "# empty\n", folder)
    lib = load(folder)
    problem = only_problem(lib, folder)
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message == "3 files past the limit of 3 not read"
    assert lib.files == [str(folder / "good.yaml"), *(str(folder / f"more/f{n}.yaml")
                                                      for n in range(2))]
    assert_good_loaded(lib)


def test_a_huge_folder_is_not_walked_for_ever(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                              write_yaml: WriteYaml) -> None:
    monkeypatch.setattr(sources, "MAX_ENTRIES", 10)
    for n in range(20):
        (folder / f"note-{n}.txt").write_text("")
    lib = load(folder)
    assert [p.message for p in lib.problems] == [
        "more than 10 files and folders: stopped looking"]


# -- 6: validate DIR sees what list --library DIR sees ---------------------------------------


def test_validate_reports_what_list_loads(folder: Path, tmp_path: Path) -> None:
    # 10,001 files in all: one past the real limit, reported by both commands the same way.
    more = folder / "more"
    more.mkdir()
    empty = more / "empty-0.yaml"
    empty.write_bytes(b"")
    for n in range(1, 10_000):
        os.link(empty, more / f"empty-{n}.yaml")
    if POSIX:
        (folder / "outside.yaml").symlink_to(tmp_path / "secret.txt")
        (tmp_path / "secret.txt").write_text("a: b\n")
    listed = trainer("list", "--library", str(folder), cwd=tmp_path)
    status, lines, _ = validate(folder, tmp_path)
    expected = 2 if POSIX else 1
    assert f"{expected} problems in the library" in listed.stderr
    assert status == 1 and len(lines) == expected, lines
    assert f"{folder}:1:1: 1 file past the limit of 10,000 not read" in lines[0]
    assert "good-routine" in listed.stdout


# -- 7: problems stay short ------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    EX + "    hold: 5s\n    sides: " + "e" * 100_000 + "\n",
    EX + "    hold: '" + "x" * 100_000 + "'\n",
    EX + "    hold: 5s\n    " + "k" * 100_000 + ": 1\n",
    EX + "    hold: 5s\n    muscles: [" + "m" * 300 + "]\n",
    "version: '" + "v" * 100_000 + "'\n",
    "version: 1\n" + "k" * 100_000 + ": 1\n",
    ROUTINE + "      - " + "e" * 100_000 + "\n",
    "version: 1\nexercises:\n  - !" + "t" * 100_000 + " {}\n",
    "a: 1\na: 2\n".replace("a", "a" * 100_000),
    EX + "    hold: 5s\n    " + "\x1b[2J" * 1000 + ": 1\n",
], ids=["literal", "duration", "key", "list-item", "version", "top-key", "step", "tag",
        "duplicate-key", "escapes-in-key"])
def test_a_problem_quotes_a_bounded_part_of_a_value(folder: Path, write_yaml: WriteYaml,
                                                    text: str) -> None:
    bad = write_yaml("bad.yaml", text, folder)
    lib = load(folder)
    found = [p for p in lib.problems if p.path == str(bad)]
    assert found
    for problem in found:
        assert len(problem.message) <= 2 * QUOTE_LIMIT + 60, problem.message
        assert len(problem.hint) <= 2 * QUOTE_LIMIT + 60, problem.hint
        assert "\x1b" not in problem.message + problem.hint
    assert_good_loaded(lib)


def test_a_problem_never_grows_past_its_bound() -> None:
    problem = Problem("a.yaml", 1, 1, "x" * 10_000, "y\x1b" * 10_000)
    assert len(problem.message) <= 400 and problem.message.endswith("...")
    assert "\x1b" not in problem.hint and len(problem.hint) <= 400
