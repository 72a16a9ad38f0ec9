"""`trainer serve`: the cue sequence, the browser player, the server's refusals, and the page itself
in a real headless Chromium (the routine started from the page, its cues counted in the page)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, run_trainer
from ptyterm import E2E_LIBRARY, trainer_env

from trainer.audio.browser import (
    OSC_NUMBER,
    SERVED_ENV,
    BrowserPlayer,
    cue_sequence,
    served_folder,
)
from trainer.audio.cues import choose
from trainer.audio.engine import moments
from trainer.audio.pcm import silent
from trainer.audio.players import BellPlayer, NonePlayer, choose_player, make_sound
from trainer.audio.synth import CUE_NAMES
from trainer.cli import serve

SCRIPT = REPO_ROOT / "trainer" / "web" / "static" / "trainer.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHASE_CUES = {"get_ready", "work", "rest", "complete"}


# -- the sequence and the player ------------------------------------------------------------


def test_the_sequence_names_the_cue_and_its_key() -> None:
    assert cue_sequence("work") == f"\x1b]{OSC_NUMBER};trainer;cue=work\x07"
    assert cue_sequence("rest", "0a1b") == f"\x1b]{OSC_NUMBER};trainer;cue=rest;key=0a1b\x07"


@pytest.mark.parametrize(("cue", "key"), [("nope", None), ("work\x07", None), ("work", "ZZ"),
                                          ("work", "ab;cue=x"), ("work", "a" * 65)])
def test_the_sequence_refuses_anything_but_a_cue_name_and_a_hex_key(cue: str,
                                                                    key: str | None) -> None:
    with pytest.raises(ValueError):
        cue_sequence(cue, key)


def test_the_player_writes_each_sound_once_and_names_its_key(tmp_path: Path) -> None:
    sent: list[str] = []
    player = BrowserPlayer(sent.append, tmp_path)
    work, rest = make_sound("work", silent(50)), make_sound("rest", silent(80))
    player.prepare([work])
    assert (tmp_path / f"{work.key}.wav").read_bytes()[:4] == b"RIFF"
    player.play(work)
    player.play(rest)  # not prepared: written on the way
    player.play(rest)
    assert sent == [cue_sequence("work", work.key), cue_sequence("rest", rest.key),
                    cue_sequence("rest", rest.key)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{work.key}.wav", f"{rest.key}.wav"])


def test_without_a_folder_the_page_plays_the_shipped_cue() -> None:
    sent: list[str] = []
    BrowserPlayer(sent.append).play(make_sound("tick", silent(20)))
    assert sent == [cue_sequence("tick")]


def test_a_sound_that_is_not_a_cue_is_never_named() -> None:
    sent: list[str] = []
    BrowserPlayer(sent.append).play(make_sound("\x1b]0;owned\x07", silent(20)))
    assert sent == []


def test_served_folder_is_only_an_absolute_folder(tmp_path: Path) -> None:
    assert served_folder({SERVED_ENV: str(tmp_path)}) == tmp_path
    assert served_folder({SERVED_ENV: "1"}) is None
    assert served_folder({SERVED_ENV: str(tmp_path / "gone")}) is None
    assert served_folder({}) is None


def test_auto_chooses_the_browser_when_served_even_over_ssh(tmp_path: Path) -> None:
    env = {SERVED_ENV: str(tmp_path), "SSH_CONNECTION": "1 2 3 4", "PATH": ""}
    player, reason = choose_player("auto", ring=lambda cue: None, env=env, send=print)
    assert isinstance(player, BrowserPlayer) and player.folder == tmp_path
    assert reason.startswith("browser")


def test_served_without_a_way_to_send_or_with_a_mode_named_keeps_the_usual_players() -> None:
    env = {SERVED_ENV: "1", "PATH": ""}
    assert isinstance(choose_player("auto", ring=print, env=env)[0], BellPlayer)
    assert isinstance(choose_player("bell", ring=print, env=env, send=print)[0], BellPlayer)
    assert isinstance(choose_player("none", ring=print, env=env, send=print)[0], NonePlayer)


def test_the_page_knows_the_same_cues_and_number() -> None:
    script = SCRIPT.read_text()
    listed = re.search(r"const CUES = \[([^\]]*)\]", script)
    assert listed is not None
    assert json.loads(f"[{listed.group(1)}]") == list(CUE_NAMES)
    assert f"const OSC_NUMBER = {OSC_NUMBER};" in script


# -- the command ------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("no-such-host.invalid", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


def test_a_host_others_reach_is_refused_without_public(tmp_path: Path) -> None:
    result = run_trainer("serve", "--host", "0.0.0.0", cwd=tmp_path)
    assert result.returncode == 2
    assert "no login" in result.stderr and "--public" in result.stderr
    assert "ssh -L" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_bad_host_is_shown_safely(tmp_path: Path) -> None:
    result = run_trainer("serve", "--host", "evil\x1b]0;x\x07", cwd=tmp_path)
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


class FakeServer:
    """Stands in for textual-serve's server: remembers what it was made with."""

    made: list[FakeServer] = []

    def __init__(self, command: str, host: str, port: int, rendered: Path, errors: Path,
                 run: Callable[[], None]) -> None:
        self.command, self.host, self.port, self.rendered = command, host, port, rendered
        self.errors = errors
        self.run = run
        self.env_during: str | None = None
        FakeServer.made.append(self)

    def serve(self) -> None:
        self.env_during = os.environ.get(SERVED_ENV)
        self.run()


def fake_factory(run: Callable[[], None] = lambda: None) -> Callable[[], Any]:
    FakeServer.made.clear()
    return lambda: (lambda *args: FakeServer(*args, run=run))


def test_public_warns_and_serves(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(serve, "_server_factory", fake_factory())
    assert serve.cmd_serve("0.0.0.0", 8123, public=True) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "no login" in err and "SSH tunnel" in err
    [server] = FakeServer.made
    assert (server.host, server.port) == ("0.0.0.0", 8123)
    # The apps it starts are told they are served, and where their sounds go; it ends with it.
    assert server.env_during == str(server.rendered)
    assert not server.rendered.exists()
    assert SERVED_ENV not in os.environ


def test_ctrl_c_ends_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(serve, "_server_factory", fake_factory(interrupted))
    assert serve.cmd_serve("127.0.0.1", 8123) == 0


def test_a_port_in_use_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    def in_use() -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(serve, "_server_factory", fake_factory(in_use))
    assert serve.cmd_serve("127.0.0.1", 8123) == 1
    assert "cannot serve on 127.0.0.1:8123 (Address already in use)" in capsys.readouterr().err


def test_without_the_extra_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("textual_serve", "textual_serve.server", "textual_serve.app_service"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    assert serve.cmd_serve("127.0.0.1", 8123) == 1
    assert "pip install 'trainer[serve]'" in capsys.readouterr().err


def test_the_app_command_is_this_trainer_with_the_options_passed_on(tmp_path: Path) -> None:
    folder = tmp_path / "my lib"
    command = serve.app_command([folder], "bell", False, tmp_path / "serve.log")
    assert command.startswith(f"{sys.executable} -m trainer ")
    assert f"--library '{folder}'" in command
    assert "--audio bell --no-voice" in command
    assert command.endswith(f"2>>{tmp_path / 'serve.log'}")
    assert serve.app_command([], None, True) == f"{sys.executable} -m trainer"
    assert serve.app_command([], None, True, notify="osc777", notify_always=True).endswith(
        " -m trainer --notify osc777 --notify-always")


async def test_the_server_serves_only_cue_sounds_and_rendered_keys(tmp_path: Path) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    (tmp_path / "abc123.wav").write_bytes(b"RIFF....")
    (tmp_path / "notes.txt").write_text("private")
    server = serve._server_factory()("true", "127.0.0.1", 8000, tmp_path, tmp_path / "log")
    async with TestClient(TestServer(await server._make_app())) as client:
        ok = await client.get("/trainer/sounds/work.wav")
        assert ok.status == 200 and ok.headers["Content-Type"] == "audio/wav"
        assert (await client.get("/trainer/rendered/abc123.wav")).status == 200
        for bad in ("/trainer/sounds/nope.wav", "/trainer/sounds/make_sounds.py",
                    "/trainer/sounds/..%2Fpyproject.toml", "/trainer/rendered/notes.txt",
                    "/trainer/rendered/..%2F..%2Fetc%2Fpasswd", "/trainer/rendered/beef.wav"):
            assert (await client.get(bad)).status == 404, bad
        page = await (await client.get("/")).text()
        assert "press any key to enable sound" in page
        assert 'src="trainer/static/trainer.js"' in page and "googleapis" not in page
        assert (await client.get("/trainer/static/trainer.js")).status == 200


# -- in a real browser --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _descendants(pid: int) -> set[int]:
    """Every living process under pid (from /proc)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for child, of in parents.items():
            if of == parent and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


async def _wait(what: str, check: Callable[[], Awaitable[Any]], timeout: float,
                info: Callable[[], Awaitable[str]]) -> Any:
    """Poll until check() is truthy (the page's own pace, not a sleep to pass time)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{await info()}")
        await asyncio.sleep(0.05)


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The server's first line (where to point the browser)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the server said nothing"
    return process.stdout.readline().decode()


class Tab:
    """One Chromium tab driven over the DevTools protocol (CDP), on aiohttp's websocket."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.last_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its answer (no events are enabled, so none arrive)."""
        self.last_id += 1
        await self.socket.send_json({"id": self.last_id, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json(timeout=30)
            if message.get("id") == self.last_id:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    async def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = await self.call("Runtime.evaluate", expression=expression,
                                 returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    async def type(self, text: str) -> None:
        """Key presses, as a person makes them (trusted events: they unlock sound)."""
        for char in text:
            if char == "\n":
                # As chromedriver sends Enter: a raw key down (xterm.js reads its key code),
                # then the character.
                key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13,
                       "nativeVirtualKeyCode": 13}
                await self.call("Input.dispatchKeyEvent", type="rawKeyDown", **key)
                await self.call("Input.dispatchKeyEvent", type="char", text="\r", **key)
            else:
                key = {"key": char}
                await self.call("Input.dispatchKeyEvent", type="keyDown", text=char, **key)
            await self.call("Input.dispatchKeyEvent", type="keyUp", **key)


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Tab]:
    """Headless Chromium from the distribution, with a fresh profile; killed on the way out."""
    import aiohttp

    assert CHROMIUM is not None
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--window-size=1100,700", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        # Chromium writes the port it chose into the profile.
        port_file = profile / "DevToolsActivePort"
        await _wait("Chromium's DevTools port", _async(lambda: port_file.is_file() and
                                                       port_file.read_text().count("\n") >= 1),
                    30, _async(lambda: "no DevToolsActivePort"))
        port = port_file.read_text().split()[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            [target] = [t for t in targets if t["type"] == "page"]
            async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Tab(ws)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)
        browser.wait(10)


def _async(function: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    """A plain callable as one _wait can await."""
    async def call() -> Any:
        return function()
    return call


@pytest.fixture
def fake_players(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Local player programs first on PATH that leave a mark if anything runs them."""
    folder = tmp_path / "bin"
    folder.mkdir()
    mark = tmp_path / "local-player-ran"
    for name in ("pw-play", "paplay", "aplay", "afplay", "ffplay"):
        script = folder / name
        script.write_text(f"#!/bin/sh\necho {name} >> '{mark}'\n")
        script.chmod(0o755)
    yield folder, mark


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for the server's children")
@pytest.mark.skipif(CHROMIUM is None,
                    reason="needs Chromium from the distribution (apt-get install chromium; "
                           ".ci/run does)")
async def test_a_routine_started_in_the_browser_plays_its_cues_in_the_page(
        tmp_path: Path, fake_players: tuple[Path, Path]) -> None:
    pytest.importorskip("textual_serve", reason="needs the serve extra: pip install '.[serve]'")
    from trainer.library.sources import default_sources
    from trainer.session.catalog import CatalogLoader

    bin_dir, mark = fake_players
    env = trainer_env(tmp_path / "home", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "trainer", "serve", "--port", str(port), "--library",
         str(E2E_LIBRARY)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True)
    children: set[int] = set()
    left: set[int] = set()
    try:
        assert f"http://127.0.0.1:{port}" in _read_line(server, 30)
        async with chromium(tmp_path / "chromium") as tab:
            await tab.call("Page.navigate", url=f"http://127.0.0.1:{port}/")

            async def shown(text: str) -> bool:
                return text in await tab.eval("window.trainerScreen ? trainerScreen() : ''")

            async def info() -> str:
                return (f"screen:\n{await tab.eval('trainerScreen()')}\n"
                        f"cues: {await tab.eval('trainerCues')}")

            await _wait("the library in the page", lambda: shown("Routines ("), 30, info)
            assert await tab.eval("window.trainerHooked") is True
            banner = "document.getElementById('trainer-sound')"
            assert await tab.eval(f"{banner}.hidden") is False
            assert await tab.eval(f"{banner}.textContent") == "press any key to enable sound"
            assert await tab.eval("trainerAudioState()") == "locked"
            await tab.eval("document.querySelector('.xterm-helper-textarea').focus()")
            # The shortest routine comes first in the list, highlighted: the e2e one.
            await _wait("the routine's preview", lambda: shown("▊ End to end"), 10, info)
            await tab.type("\n")  # the first key: it allows sound, and starts the routine
            await _wait("the banner to go", lambda: tab.eval(f"{banner}.hidden"), 5, info)
            await _wait("the session", lambda: shown("GET READY"), 15, info)
            children = _descendants(server.pid)
            await _wait("the last cue", lambda: tab.eval("trainerCues.includes('complete')"),
                        30, info)
            await _wait("the summary", lambda: shown("Completed: End to end"), 10, info)
            cues: list[str] = await tab.eval("trainerCues")
            played: list[str] = await _wait(
                "each cue played", lambda: tab.eval(
                    "trainerAudioState() !== 'running' || "
                    "trainerPlayed.length >= trainerCues.length ? trainerPlayed : null"),
                10, info)
            audio_state = await tab.eval("trainerAudioState()")
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)  # Ctrl+C, as a person stops it
        try:
            status = server.wait(20)
            left = {child for child in children if _alive(child)}
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)  # whatever is left of its group
        output = server.stdout.read().decode() if server.stdout else ""
        if server.stdout:
            server.stdout.close()
    runtime = time.monotonic() - started

    catalog = CatalogLoader().load(default_sources([E2E_LIBRARY]))
    expected = [pick[1] for _, events in moments(catalog.timeline("e2e"))
                if (pick := choose(events)) is not None]
    # Phase changes exactly, in order; ticks may be fewer on a loaded machine (a late tick is
    # not replayed), never others.
    assert [c for c in cues if c in PHASE_CUES] == [c for c in expected if c in PHASE_CUES]
    assert set(cues) <= set(expected), cues
    assert "bell" not in cues  # the browser player, not the bell fallback
    assert not mark.exists(), mark.read_text()  # no local player ran
    if audio_state == "running":  # this Chromium decodes and plays: each cue was played
        assert len(played) == len(cues), played
        assert all(url.startswith(("trainer/rendered/", "trainer/sounds/")) for url in played)
    assert status == 0, output
    assert "Traceback" not in output, output
    assert children and not left, f"apps left behind: {left}"
    history = run_trainer("history", "--json", cwd=tmp_path, env=env)
    [session] = json.loads(history.stdout)["sessions"]  # the served app keeps the history
    assert session["routine_id"] == "e2e" and session["status"] == "completed", session
    print(f"browser test: {runtime:.1f} s; cues {cues}; audio {audio_state}; played {played}")


def test_the_page_and_its_script_ship_in_the_wheel(tmp_path: Path) -> None:
    out = tmp_path / "wheel"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(REPO_ROOT)],
        capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = out.glob("trainer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert {"trainer/web/templates/app_index.html", "trainer/web/static/trainer.js"} <= names
    assert "Provides-Extra: serve" in metadata
    assert re.search(r"Requires-Dist: textual-serve[<>=,.\d]*; extra == 'serve'", metadata)


def test_a_served_app_needs_no_terminal_of_its_own(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    from trainer.cli import main

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)  # textual-serve's pipes
    monkeypatch.delenv(SERVED_ENV, raising=False)
    assert main._needs_terminal() is True
    monkeypatch.setenv(SERVED_ENV, str(tmp_path))
    assert main._needs_terminal() is False
