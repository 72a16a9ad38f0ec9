"""Textual's Linux driver, hardened: unreadable input is dropped, a lost terminal never hangs.

Textual 8.2 reads the terminal in `LinuxDriver.run_input_thread`
(textual/drivers/linux_driver.py) through a strict UTF-8 incremental decoder, and its
`XTermParser._parse_extended_key` (textual/_xterm_parser.py) calls int() and chr() on whatever a
kitty `CSI ... u` sequence holds. So one 0xFF byte, Latin-1 text from a mismatched SSH client,
`ESC [ 1114112 u` (no such code point) or `ESC [ 1:2 u` raises in the input thread, and
`LinuxDriver._run_input_thread` turns that into a panic: the app ends mid-session, exit status 0.

Here bytes are decoded with errors="replace" (a bad byte is one U+FFFD key, bound to nothing),
and a key sequence that does not parse, or names a surrogate, is ignored the way Textual
ignores sequences it knows to be noise. In-band resize reports (`CSI 48 ; ... t`) of impossible
sizes are dropped: at 99999 x 99999 Textual lays out billions of cells and hangs; at 0 x 0 it
shows nothing until the terminal is resized, and the next mouse event divides by zero.
Anything else the thread raises is raised again on the app's loop: an ordinary unhandled
exception (status 1, logged by trainer.ui.crash_log).

When the terminal goes away (a dropped SSH connection closes the pty), the kernel sends SIGHUP
and SIGCONT together. Textual's SIGCONT handler, meant for coming back from Ctrl+Z, starts
application mode again in a running app: a second writer thread replaces the first, its first
write fails with EIO and the thread dies, and once its queue of 30 writes fills the exit blocks
forever in `WriterThread.stop`, leaving a process behind on the server. Here SIGCONT restarts
only what SIGTSTP stopped, and writes to a terminal that is gone are dropped, so no writer
thread dies and the exit cannot block.

Upstream's input thread also wakes every 0.1 s to see whether input has been stopped (10
wakeups a second, ~1.7 ms of CPU, on a screen where nothing happens). Here it sleeps until a
key comes, the parser's wait for the rest of a sequence runs out (a lone Escape), or the exit
event is set, which writes to a pipe the thread also waits on (WakingEvent).

Upstream, errors="replace" on that decoder, `(ValueError, OverflowError)` caught around the
int()/chr() calls in _parse_extended_key (the sequence then ignored), a bound on in-band resize
sizes, a non-zero status from `_run_input_thread`'s panic, SIGCONT resuming only after SIGTSTP
and a writer thread that survives EIO would make this module unnecessary:
`TrainerApp.run_guarded` would stop swapping the driver in.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import sys
import threading
from codecs import getincrementaldecoder
from collections.abc import Callable, Generator, Iterable
from typing import Any

from textual import events
from textual._parser import ParseError, Peek1, Read1
from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.keys import Keys
from textual.message import Message

# Larger than any real terminal (an 8K screen in a 5-pixel font is ~1,500 columns), far below
# what would stall the app.
MAX_COLUMNS = 4000
MAX_ROWS = 1000
READ_SIZE = 4096  # as upstream
POLL = 0.1  # upstream's wait, in seconds, where no better one is known
_UNKNOWN = object()  # a parser that does not say when its wait runs out
Ready = list[tuple[selectors.SelectorKey, int]]


class GuardedParser(XTermParser):
    """Textual's parser, ignoring key sequences it cannot turn into a real character."""

    def parse(self, token_callback: Callable[[Message], None]
              ) -> Generator[Read1 | Peek1, str, None]:
        # The parser keeps each in-band size, in cells and pixels, to scale mouse positions
        # by: a size of 0 would divide by zero at the next mouse event. So an impossible size
        # is undone here, where the parser hands the resize on, and never reaches the app.
        kept = (self.terminal_size, self.terminal_pixel_size, self.mouse_pixels)

        def on_token(token: Message) -> None:
            nonlocal kept
            if isinstance(token, events.Resize):
                if not _possible(token):
                    self.terminal_size, self.terminal_pixel_size, self.mouse_pixels = kept
                    return
                kept = (self.terminal_size, self.terminal_pixel_size, self.mouse_pixels)
            token_callback(token)

        return super().parse(on_token)

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        try:
            keys = list(super()._sequence_to_key_events(sequence, alt))
        except (ValueError, OverflowError):  # int("1:2"), chr(0x110000), chr(10**11)
            return [events.Key(Keys.Ignore, sequence)]
        if any(_has_surrogate(key.character) for key in keys):
            # `ESC [ 55296 u`: not a character, and SQLite or the terminal would choke on it.
            return [events.Key(Keys.Ignore, sequence)]
        return keys


def _has_surrogate(text: str | None) -> bool:
    return text is not None and any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _possible(resize: events.Resize) -> bool:
    """A size some terminal could have, in cells and (when given) in pixels."""
    width, height = resize.size
    if not (1 <= width <= MAX_COLUMNS and 1 <= height <= MAX_ROWS):
        return False
    return resize.pixel_size is None or min(resize.pixel_size) >= 1


if sys.platform != "win32":  # Textual reads a Windows console another way
    from textual.drivers.linux_driver import LinuxDriver

    class GuardedLinuxDriver(LinuxDriver):
        """LinuxDriver whose input survives any bytes, and whose exit survives a lost terminal."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._stopped = False  # by SIGTSTP (Ctrl+Z), so a SIGCONT should bring it back
            self._file = DroppingOutput(self._file)  # type: ignore[assignment]
            self.exit_event: WakingEvent = WakingEvent()

        def _sigtstp_application(self, *args: Any) -> None:
            self._stopped = self._auto_restart
            super()._sigtstp_application(*args)

        def _sigcont_application(self, *args: Any) -> None:
            # A hangup sends SIGCONT too: only a process that was stopped is resumed.
            if self._stopped:
                self._stopped = False
                super()._sigcont_application(*args)

        def run_input_thread(self) -> None:
            """Upstream's loop (Textual 8.2), with a forgiving decoder and the guarded parser,
            asleep until a key comes, a lone Escape is due, or the input is stopped."""
            selector = selectors.SelectSelector()
            selector.register(self.fileno, selectors.EVENT_READ)
            exit_event = self.exit_event
            wake = exit_event.open()
            selector.register(wake, selectors.EVENT_READ)
            parser = GuardedParser(self._debug)
            decode = getincrementaldecoder("utf-8")(errors="replace").decode

            def process(ready: Ready, final: bool = False) -> None:
                keys = [(key, mask) for key, mask in ready if key.fd == self.fileno]
                for number, (_key, mask) in enumerate(keys, 1):
                    if mask & selectors.EVENT_READ:
                        last = final and number == len(keys)
                        data = os.read(self.fileno, READ_SIZE)
                        if not data and not final:
                            # The end of the input (a closed pty): readable for ever after,
                            # so no longer watched; the exit event still ends the thread.
                            selector.unregister(self.fileno)
                        text = decode(data, final=last)
                        if not text:  # half a character so far, or a pipe's end
                            break
                        for message in parser.feed(text):
                            self.process_message(message)
                for message in parser.tick():
                    self.process_message(message)

            try:
                while not exit_event.is_set():
                    process(selector.select(_wait(parser)))
                if self.fileno in selector.get_map():
                    selector.unregister(self.fileno)
                selector.unregister(wake)
                process(selector.select(POLL), final=True)
            finally:
                selector.close()
                exit_event.close(wake)
                with contextlib.suppress(EOFError, ParseError):
                    for _message in parser.feed(""):
                        pass

        def _run_input_thread(self) -> None:
            # Upstream panics here, and the app exits with status 0 as if all went well.
            try:
                self.run_input_thread()
            except Exception as error:
                self._app.call_later(_raise, error)


class WakingEvent(threading.Event):
    """The input thread's exit event: setting it also wakes the thread from its wait."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()  # the write end is never used once closed (nor reused)
        self._wake: int | None = None

    def open(self) -> int:
        """A new pipe for a thread to wait on; returns its read end."""
        read, write = os.pipe()
        with self._lock:
            self._wake = write
        return read

    def close(self, read: int) -> None:
        """The thread is done with its pipe."""
        with self._lock:
            write, self._wake = self._wake, None
        os.close(read)
        if write is not None:
            os.close(write)

    def set(self) -> None:
        """Set, and wake the waiting thread."""
        super().set()
        with self._lock:
            if self._wake is not None:
                with contextlib.suppress(OSError):
                    os.write(self._wake, b"x")


def _wait(parser: XTermParser) -> float | None:
    """How long the input thread may sleep: until a pending lone Escape is due, or for ever."""
    # Textual's Parser keeps when its wait for the rest of a key sequence times out (a lone
    # Escape is then a key); a parser without it is polled as upstream polls.
    due = getattr(parser, "_timeout_time", _UNKNOWN)
    if due is None:
        return None
    if not isinstance(due, float):
        return POLL
    return max(0.0, due - get_time())


class DroppingOutput:
    """The terminal's output stream; once the terminal is gone (EIO, EPIPE), writes are dropped."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> None:
        """Write, unless the terminal is gone; never raises."""
        self._call(self._file.write, text)

    def flush(self) -> None:
        """Flush, unless the terminal is gone; never raises."""
        self._call(self._file.flush)

    def _call(self, method: Callable[..., object], *args: str) -> None:
        if self.gone:
            return
        try:
            method(*args)
        except (OSError, ValueError):  # ValueError: the stream was closed
            self.gone = True

    def fileno(self) -> int:
        """The terminal's file descriptor."""
        return int(self._file.fileno())

    def isatty(self) -> bool:
        """Whether it is (still) a terminal."""
        return bool(self._file.isatty())


def _raise(error: Exception) -> None:
    """Raise `error` on the app's loop: Textual's path for an unhandled exception."""
    raise error


def guarded(driver_class: type[Driver]) -> type[Driver]:
    """The guarded driver in place of Textual's Linux driver; any other driver as it is."""
    if sys.platform == "win32" or driver_class is not LinuxDriver:
        return driver_class
    return GuardedLinuxDriver
