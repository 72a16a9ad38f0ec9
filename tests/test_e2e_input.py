"""Typed junk never ends a session: a real `trainer run` in a pty, fed bytes no keyboard sends.

Invalid UTF-8, out-of-range and malformed key sequences and a stream of seeded random bytes go
into a running session; it carries on, reaches its summary, and exits 0 on ctrl+q. And when
the input thread does break (a bug planted by the test), the app still ends with status 1, the
terminal restored and the crash logged. See trainer.ui.terminal_guard.
"""

from __future__ import annotations

import contextlib
import os
import random
import select
import sys
import termios
import time
from pathlib import Path

import pytest
from ptyterm import Terminal, trainer_env
from textual import events

from trainer.ui.terminal_guard import POLL, GuardedParser, _wait

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

LIBRARY = Path(__file__).parent / "fixtures" / "inputlib"  # 1 s lead-in, then 10 min phases
# 1 MiB passes too, but Textual handles ~10,000 keys a second: a minute and a half.
JUNK_BYTES = int(os.environ.get("TRAINER_TEST_JUNK_BYTES", 192 * 1024))

BAD_UTF8 = [b"\xff", b"\xc3x", b"caf\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
            b"\xfe\xfe\xff\xff", b"\xc3"]
BAD_SEQUENCES = [
    b"\x1b[1114112u", b"\x1b[99999999999u", b"\x1b[1:2u", b"\x1b[:u", b"\x1b[;;u",
    b"\x1b[55296u", b"\x1b[97;1;1114112u", b"\x1b[97;1;99999999999u", b"\x1b[97;5:3;1:2u",
    b"\x1b[1;99999999999~", b"\x1b[9999999999999999999999999999~", b"\x1b[" + b"9" * 40 + b"u",
    b"\x1b[48;99999;99999;1;1t", b"\x1b[48;0;0;0;0t",  # in-band resizes no terminal sends
    b"\x1b[<0;99999999;99999999M", b"\x1b[<35;-5;-5M", b"\x1b[M\xff\xff\xff",
    b"\x1b[?2026;9$y", b"\x1b[?2048;9$y", b"\x1b[99999999999;99999999999R",
    # Textual reads what a DCS holds as typed keys: its payload holds no command letters.
    b"\x1b[200~caf\xe9\xff\x1b[1114112u\x1b[201~", b"\x1b]0;title\x07", b"\x1bPxyz\x1b\\",
]
# Bytes that are commands somewhere a session passes (trainer/ui/screens/session.py,
# summary.py, Textual's App): quit (q, Esc, ctrl+q, ctrl+c), the palette (ctrl+p), ctrl+z,
# run again (ctrl+r), and the session keys that pause, skip, go back, extend, end a phase or
# change and save a setting (so would not let the session run its course, or fill the screen
# with notices). ESC starts every escape sequence: the sequences above stand for those.
COMMANDS = frozenset(b"\x1bq\x11\x03\x10\x1a\x12 np+=-_\r\nm[]")


def junk(size: int, seed: int = 11) -> bytes:
    """Seeded random bytes, commands taken out."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += bytes(b for b in rng.randbytes(size) if b not in COMMANDS)
    return bytes(out[:size])


def type_in(term: Terminal, data: bytes, chunk: int = 1024, timeout: float = 120.0) -> None:
    """Write `data` as fast as the app takes it, reading its output all the while."""
    fd = term.child.child_fd
    view, sent = memoryview(data), 0
    deadline = time.monotonic() + timeout
    os.set_blocking(fd, False)
    try:
        while sent < len(data):
            if time.monotonic() > deadline:
                raise AssertionError(f"the app took {sent} of {len(data)} bytes; screen:\n"
                                     f"{term.text()}")
            readable, writable, _ = select.select([fd], [fd], [], 1.0)
            if writable:
                with contextlib.suppress(BlockingIOError):  # full again already
                    sent += os.write(fd, view[sent:sent + chunk])
            if readable:
                term._read()
    finally:
        os.set_blocking(fd, True)


def spawn(args: list[str], root: Path) -> Terminal:
    return Terminal([sys.executable, *args, "--audio", "none", "--library", str(LIBRARY)],
                    trainer_env(root))


def test_bad_bytes_bad_sequences_and_random_junk_leave_the_session_running(
        tmp_path: Path) -> None:
    term = spawn(["-m", "trainer", "run", "input"], tmp_path)
    try:
        term.wait_for("GET READY")
        started = time.monotonic()
        for data in BAD_UTF8 + BAD_SEQUENCES:
            type_in(term, data)
        type_in(term, junk(JUNK_BYTES))
        # The clock ran on through it all: the 1 s lead-in gave way to the hold.
        term.wait_for("HOLD", timeout=30)
        for _ in range(10):  # skip the long phases (so the session is recorded as skipped)
            term.child.send("n")
            try:
                term.wait_for("Mostly skipped: Typing junk", timeout=1.0)
                break
            except AssertionError:
                continue
        term.wait_for("Mostly skipped: Typing junk")
        junk_seconds = time.monotonic() - started
        term.child.send("\x11")  # ctrl+q: the summary's check-in boxes take plain keys
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 0
    assert term.stray() == []
    print(f"{JUNK_BYTES} random bytes and {len(BAD_UTF8 + BAD_SEQUENCES)} bad inputs "
          f"taken in {junk_seconds:.1f} s")


def test_a_bug_in_the_input_thread_ends_the_app_with_status_1_logged_and_the_terminal_restored(
        tmp_path: Path) -> None:
    planted = (
        "import sys\n"
        "from trainer.ui import terminal_guard\n"
        "keys = terminal_guard.GuardedParser._sequence_to_key_events\n"
        "def broken(self, sequence, alt=False):\n"
        "    if sequence == 'x':\n"
        "        raise RuntimeError('planted parser bug')\n"
        "    return keys(self, sequence, alt)\n"
        "terminal_guard.GuardedParser._sequence_to_key_events = broken\n"
        "from trainer.startup import main\n"
        "sys.argv[0] = 'trainer'\n"
        "raise SystemExit(main())\n")
    term = spawn(["-c", planted, "run", "input"], tmp_path)
    try:
        term.wait_for("GET READY")
        term.child.send("x")
        term.wait_for("trainer: crashed")
        modes = termios.tcgetattr(term.child.child_fd)[3]  # the pty's, shared with the child
        status = term.wait_exit()
    finally:
        term.close()
    log = tmp_path / "data" / "crash.log"
    assert status == 1
    assert modes & termios.ECHO and modes & termios.ICANON  # cooked again, echoing
    raw = bytes(term.raw)
    restored = raw.rindex(b"\x1b[?1049l")  # back on the normal screen, then the one line
    said = raw[restored:].split(b"\x1b[?1006l")[-1]
    assert said == f"trainer: crashed (RuntimeError: planted parser bug); details in {log}\r\n"\
        .encode()
    assert b"\x1b[?25h" in raw[restored:]  # the cursor shown
    assert b"Traceback" not in raw
    text = log.read_text(encoding="utf-8")
    assert "run_input_thread" in text and text.endswith("RuntimeError: planted parser bug\n")


def structured_junk(rng: random.Random) -> str:
    """A CSI-like sequence of random numbers: where the parser's int() and chr() calls live."""
    def number() -> str:
        return rng.choice(["", "0", "1", "-1", "55296", "1114112", "4294967296",
                           str(rng.randrange(10 ** rng.randrange(1, 25)))])

    intro = rng.choice(["\x1b[", "\x1b[<", "\x1b[?", "\x1b[48;", "\x1bO", "\x1b[>"])
    fields = [number() + (":" + number() if rng.random() < 0.3 else "")
              for _ in range(rng.randrange(5))]
    return intro + ";".join(fields) + rng.choice("u~ABCDEFHPQRSMmtRy$")


def test_the_parser_survives_malformed_sequences_of_every_shape() -> None:
    rng = random.Random(7)
    parser = GuardedParser()
    keys = []
    for _ in range(1000):
        keys += [m for m in parser.feed("".join(structured_junk(rng) for _ in range(5)))
                 if isinstance(m, events.Key)]
    assert keys  # some parse as keys; none of those carries a surrogate
    assert not any(0xD800 <= ord(c) <= 0xDFFF for key in keys for c in key.character or "")
    # The parser's own record of the size (for mouse positions) holds no impossible size.
    assert parser.terminal_size is None or min(parser.terminal_size) >= 1


def test_an_impossible_in_band_size_is_dropped_and_the_mouse_keeps_its_scale() -> None:
    parser = GuardedParser()
    [resize] = parser.feed("\x1b[48;24;80;480;800t")  # 24 x 80 cells, 480 x 800 pixels
    assert isinstance(resize, events.Resize) and resize.size == (80, 24)
    assert list(parser.feed("\x1b[48;0;0;0;0t\x1b[48;99999;99999;1;1t\x1b[48;24;80;0;0t")) == []
    # Upstream divides by the last size it was given: 0 would raise in the input thread.
    [click] = parser.feed("\x1b[<0;101;61M")  # pixel 100, 60: cell 10, 3
    assert isinstance(click, events.MouseDown) and (click.x, click.y) == (10, 3)


def wakeups(pid: int) -> int:
    """Times any thread of process `pid` has gone to sleep and woken since it started."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
    return total


def settle(term: Terminal, quiet: float = 0.5, timeout: float = 10.0) -> None:
    """Read until the app has written nothing for `quiet` seconds (done opening a screen)."""
    deadline = time.monotonic() + timeout
    last = (len(term.raw), time.monotonic())
    while time.monotonic() - last[1] < quiet:
        assert time.monotonic() < deadline, "the app never went quiet"
        term._read()
        if len(term.raw) != last[0]:
            last = (len(term.raw), time.monotonic())


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts wakeups in /proc")
def test_an_idle_app_sleeps_until_a_key_and_a_lone_escape_still_arrives(tmp_path: Path) -> None:
    # Textual's input thread wakes ten times a second to see whether the app is ending; the
    # guarded one sleeps until a key comes, a lone Escape is due, or input is stopped.
    env = trainer_env(tmp_path)
    (tmp_path / "config" / "config.yaml").write_text("acknowledged_safety: true\nwatch: false\n")
    term = Terminal([sys.executable, "-m", "trainer", "--audio", "none", "--library",
                     str(LIBRARY)], env)
    try:
        term.wait_for("h History")
        term.child.send("h")
        term.wait_for("No sessions yet")
        settle(term)
        before = wakeups(term.child.pid)
        time.sleep(IDLE_SECONDS)  # real time: waking up over time is the thing measured
        woken = wakeups(term.child.pid) - before
        term.child.send("\x1b")  # a lone Escape: a key only once no sequence follows it
        term.wait_gone("No sessions yet", timeout=5)
        term.child.send("\x11")
        status = term.wait_exit()
    finally:
        term.close()
    assert woken <= 3, f"woken {woken} times in {IDLE_SECONDS} s of nothing"  # Textual's own: 20
    assert status == 0


IDLE_SECONDS = 2.0


def test_the_input_thread_waits_for_ever_only_with_nothing_pending() -> None:
    parser = GuardedParser(False)
    assert _wait(parser) is None  # nothing half-read: sleep until a key or the exit
    list(parser.feed("\x1b"))  # a lone Escape, or the start of a sequence
    assert 0.0 < _wait(parser) <= 1.0  # type: ignore[operator]
    assert _wait(object()) == POLL  # type: ignore[arg-type]  # a parser that does not say
