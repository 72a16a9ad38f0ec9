"""`trainer serve`: the app in a web browser through textual-serve, the cues played by the page.

Each browser tab gets its own `python -m trainer` (textual-serve starts one per connection) with
TRAINER_SERVED naming a temporary folder: the app then sends each cue to the page as a private
escape sequence (trainer.audio.browser) and writes its rendered sounds there for the page to
fetch. The page (trainer/web/) is textual-serve's own, with a script that plays them.

There is no login: anyone who reaches the port drives the app and its history. So only a
loopback address is served unless `--public` says otherwise; from another machine, tunnel:
`ssh -L 8000:127.0.0.1:8000 server`, then open http://127.0.0.1:8000 there.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import re
import shlex
import signal
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainer.safe_text import printable

if TYPE_CHECKING:
    from textual_serve.server import Server

__all__ = ["INSTALL_HINT", "WEB_DIR", "app_command", "cmd_serve", "is_loopback", "served"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
INSTALL_HINT = "pip install 'trainer[serve]'"
_SOUND_FILE = re.compile(r"([a-z_]{1,32})\.wav")
_RENDERED_FILE = re.compile(r"[0-9a-f]{1,64}\.wav")
ERRORS_LOG = "serve.log"  # in the data folder: what served apps wrote on stderr
QUIT_TIMEOUT = 5.0  # seconds an app has to quit when the server stops


def served() -> bool:
    """True in an app that `trainer serve` started (its terminal is a web page)."""
    from trainer.audio.browser import SERVED_ENV

    return bool(os.environ.get(SERVED_ENV))


def is_loopback(host: str) -> bool:
    """True when every address the host names is this machine's loopback."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False  # unknown: treated as reachable from elsewhere
    addresses = {info[4][0] for info in found}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses)


def app_command(extra: Sequence[Path], audio: str | None, voice: bool,
                errors: Path | None = None, *, notify: str | None = None,
                notify_always: bool = False) -> str:
    """The shell command textual-serve runs for each page: this same trainer.

    The app's stderr goes to `errors` when given: textual-serve would print it, tracebacks and
    all, on the server's terminal.
    """
    argv = [sys.executable, "-m", "trainer"]
    for folder in extra:
        argv += ["--library", str(folder.resolve())]
    if audio is not None:
        argv += ["--audio", audio]
    if not voice:
        argv.append("--no-voice")
    if notify is not None:
        argv += ["--notify", notify]
    if notify_always:
        argv.append("--notify-always")
    command = shlex.join(argv)
    return f"{command} 2>>{shlex.quote(str(errors))}" if errors is not None else command


def cmd_serve(host: str, port: int, *, public: bool = False, extra: Sequence[Path] = (),
              audio: str | None = None, voice: bool = True, notify: str | None = None,
              notify_always: bool = False) -> int:
    """`trainer serve`: serve the app until Ctrl+C (exit 0)."""
    shown = printable(host)
    if not 0 < port < 65536:
        print(f"trainer: --port {port} is not a port (1-65535)", file=sys.stderr)
        return 2
    loopback = is_loopback(host)
    if not loopback and not public:
        print(f"trainer: {shown} can be reached from other machines, and `trainer serve` has "
              f"no login. Serve 127.0.0.1 and use an SSH tunnel (ssh -L {port}:127.0.0.1:{port} "
              "HOST), or add --public behind a proxy with authentication.", file=sys.stderr)
        return 2
    try:
        make = _server_factory()
    except ImportError:
        print(f"trainer: `trainer serve` needs textual-serve: {INSTALL_HINT}", file=sys.stderr)
        return 1
    if not loopback:
        print(f"trainer: warning: serving on {shown} with no login: anyone who reaches port "
              f"{port} can use trainer as you. Keep it behind an SSH tunnel or a reverse proxy "
              "with authentication.", file=sys.stderr)
    from trainer.audio.browser import SERVED_ENV
    from trainer.paths import data_dir

    errors = data_dir() / ERRORS_LOG
    try:
        errors.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"trainer: cannot make {printable(str(errors.parent))} ({exc.strerror or exc})",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="trainer-serve-") as folder:
        # Inherited by every app textual-serve starts (it copies os.environ).
        os.environ[SERVED_ENV] = folder
        command = app_command(extra, audio, voice, errors, notify=notify,
                              notify_always=notify_always)
        server = make(command, host, port, Path(folder), errors)
        try:
            server.serve()
        except KeyboardInterrupt:  # Ctrl+C before the signal handler was in place
            pass
        except OSError as exc:
            print(f"trainer: cannot serve on {shown}:{port} ({exc.strerror or exc})",
                  file=sys.stderr)
            return 1
        finally:
            os.environ.pop(SERVED_ENV, None)
    return 0


def _server_factory() -> Any:
    """The server class, made once textual-serve is known to be installed (ImportError if not)."""
    import aiohttp_jinja2
    from aiohttp import WSCloseCode, web
    from aiohttp.web_runner import GracefulExit
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    from trainer.audio.synth import CUE_NAMES
    from trainer.paths import builtin_sounds_dir

    class TrainerServer(Server):
        """textual-serve's server with trainer's page, its script and the sounds it plays.

        It also keeps its sessions, so that on Ctrl+C every app is told to quit and waited for
        (textual-serve's own server leaves them running past its exit).
        """

        def __init__(self, command: str, host: str, port: int, rendered: Path,
                     errors: Path) -> None:
            super().__init__(command, host=host, port=port, title="trainer",
                             templates_path=WEB_DIR / "templates")
            self.rendered = rendered
            self.errors = errors
            self.url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
            self.sessions: dict[AppService, web.WebSocketResponse] = {}

        async def _make_app(self) -> web.Application:
            """textual-serve's routes, and trainer's script and sounds."""
            app = await super()._make_app()
            app.add_routes([
                web.static("/trainer/static", WEB_DIR / "static", name="trainer-static"),
                web.get("/trainer/sounds/{file}", self.handle_sound),
                web.get("/trainer/rendered/{file}", self.handle_rendered),
            ])
            return app

        async def handle_sound(self, request: web.Request) -> web.StreamResponse:
            """A shipped cue sound, by its cue name only."""
            match = _SOUND_FILE.fullmatch(request.match_info["file"])
            if match is None or match.group(1) not in CUE_NAMES:
                raise web.HTTPNotFound()
            return _wav(builtin_sounds_dir() / match.group(0))

        async def handle_rendered(self, request: web.Request) -> web.StreamResponse:
            """A sound an app rendered (a cue at its volume, with its spoken line), by its key."""
            name = request.match_info["file"]
            if _RENDERED_FILE.fullmatch(name) is None:
                raise web.HTTPNotFound()
            return _wav(self.rendered / name)

        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request: web.Request) -> dict[str, Any]:
            """The page: URLs relative to it, so it works through a tunnel or a proxy's path."""
            font_size = max(6, min(48, to_int(request.query.get("fontsize", "16"), 16)))
            # The websocket's URL is made in the page from its own address (trainer.js).
            return {"font_size": font_size, "app_websocket_url": "ws",
                    "config": {"static": {"url": "static/"}},
                    "application": {"name": "trainer"}}

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """One page's session: an app started for it, stopped and reaped when it ends."""
            # As textual-serve's own, with the session kept and its process waited for.
            websocket = web.WebSocketResponse(heartbeat=15)
            width = max(1, min(1000, to_int(request.query.get("width", "80"), 80)))
            height = max(1, min(1000, to_int(request.query.get("height", "24"), 24)))
            service: AppService | None = None
            try:
                await websocket.prepare(request)

                async def close() -> None:
                    await websocket.close()

                service = AppService(self.command, write_bytes=websocket.send_bytes,
                                     write_str=websocket.send_str, close=close,
                                     download_manager=self.download_manager, debug=self.debug)
                self.sessions[service] = websocket
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as exc:  # one page's failure: said in a line, the server goes on
                print(f"trainer serve: a session ended: {printable(str(exc))}", file=sys.stderr)
            finally:
                if service is not None:
                    await _end(service)
                    self.sessions.pop(service, None)
            return websocket

        async def on_startup(self, app: web.Application) -> None:
            """Say where to point the browser (in place of textual-serve's banner)."""
            print(f"trainer serve: open {printable(self.url)} in a browser (Ctrl+C stops)",
                  flush=True)

        async def on_shutdown(self, app: web.Application) -> None:
            """Every app told to quit and waited for, then its page's connection closed."""
            sessions = list(self.sessions.items())
            await asyncio.gather(*(_end(service) for service, _ in sessions))
            for _, websocket in sessions:
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

        def serve(self, debug: bool = False) -> None:
            """Serve until SIGINT or SIGTERM; no per-request log lines, no tracebacks."""
            self.debug = debug
            _quiet_logging(self.errors)
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)

            def request_exit() -> None:
                raise GracefulExit()

            for signum in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signum, request_exit)
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False,
                        loop=loop, print=None, access_log=None, shutdown_timeout=5.0)

    async def _end(service: AppService) -> None:
        """Tell the app to quit and wait for its process (killed if it will not go)."""
        # stop() sends "quit" and waits for the app's output to end; it does nothing twice.
        with contextlib.suppress(OSError, RuntimeError):
            await service.stop()
        process = service._process  # textual-serve keeps it; reaped here, before the loop ends
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), QUIT_TIMEOUT)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    def _wav(path: Path) -> web.StreamResponse:
        """A WAV file, or 404; never a listing or anything else."""
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Content-Type": "audio/wav",
                                               "X-Content-Type-Options": "nosniff"})

    def make(command: str, host: str, port: int, rendered: Path, errors: Path) -> Server:
        return TrainerServer(command, host, port, rendered, errors)

    return make


class _NoTraceback(logging.Filter):
    """Log records as one line: a traceback is for the log file, not for the person."""

    def __init__(self, errors: Path) -> None:
        super().__init__()
        self.errors = errors

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the exception's traceback, keep the message; say where an app's errors are."""
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]}"
            record.args = ()
        if record.name == "textual-serve" and record.getMessage().startswith("Application"):
            record.msg = f"{record.getMessage()} (its errors: {self.errors})"
            record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True


def _quiet_logging(errors: Path) -> None:
    """textual-serve's and aiohttp's warnings and errors, each one safe line on stderr."""
    handler = logging.StreamHandler(sys.stderr)  # SafeStream: made printable on its way out
    handler.setFormatter(logging.Formatter("trainer serve: %(message)s"))
    handler.addFilter(_NoTraceback(errors))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
