"""tmux command lines for a reminder: a popup on each attached client, a window for the routine.

Every command is a list of arguments (no shell). Where tmux itself wants a shell command (the
popup's and the new window's), that one string is made with shlex.join from arguments, so a
path or a routine id can never become shell syntax. The popup runs `trainer remind --prompt`,
a plain-terminal question: Enter starts the routine in a new window of that client's session,
s snoozes, k or Esc skips; the answer goes into the history, where the loop reads it.
"""

from __future__ import annotations

import re
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The environment a popup must share with the loop: the same history, settings and library.
PASSED_ON = ("TRAINER_CONFIG_DIR", "TRAINER_DATA_DIR", "TRAINER_CACHE_DIR", "TRAINER_LIBRARY")
WIDTH, HEIGHT = 56, 10
LIST_FORMAT = "#{client_name}\t#{session_id}\t#{client_control_mode}"
_SESSION_ID = re.compile(r"\$\d{1,9}")
_CLIENT = re.compile(r"[^\t\n\x00-\x1f]{1,200}")


@dataclass(frozen=True)
class Client:
    """An attached tmux client: its name (its tty) and the id of the session it shows."""

    name: str
    session: str


def list_clients_command() -> list[str]:
    """`tmux list-clients` printing each client's name, session id and control-mode flag."""
    return ["tmux", "list-clients", "-F", LIST_FORMAT]


def parse_clients(output: str) -> list[Client]:
    """The clients a popup can be shown on (control-mode clients, as iTerm2's, cannot)."""
    clients = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[2] == "1":
            continue
        name, session = parts[0], parts[1]
        if _CLIENT.fullmatch(name) and _SESSION_ID.fullmatch(session):
            clients.append(Client(name, session))
    return clients


def trainer_command(args: Sequence[str], env: Mapping[str, str],
                    python: str | None = None) -> str:
    """A shell command running `python -m trainer ARGS` with trainer's folders passed on."""
    assignments = [f"{key}={env[key]}" for key in PASSED_ON if env.get(key)]
    words = (["env", *assignments] if assignments else []) + [
        python or sys.executable, "-m", "trainer", *args]
    return shlex.join(words)


def prompt_args(reminder_id: int, routine: str, name: str, session: str | None) -> list[str]:
    """The arguments of `trainer remind --prompt` for one reminder."""
    args = ["remind", "--prompt", str(reminder_id), "--routine", routine, "--name", name]
    if session is not None:
        args += ["--session", session]
    return args


def popup_command(client: Client, reminder_id: int, routine: str, name: str,
                  env: Mapping[str, str], python: str | None = None) -> list[str]:
    """`tmux display-popup` on one client, asking what to do about the reminder."""
    shell = trainer_command(prompt_args(reminder_id, routine, name, client.session), env, python)
    return ["tmux", "display-popup", "-c", client.name, "-E", "-T", " trainer ",
            "-w", str(WIDTH), "-h", str(HEIGHT), shell]


def close_popup_command(client: Client) -> list[str]:
    """Close the popup on a client (another client answered first)."""
    return ["tmux", "display-popup", "-C", "-c", client.name]


def new_window_command(session: str, routine: str, env: Mapping[str, str],
                       python: str | None = None) -> list[str]:
    """`tmux new-window` in a session, running the routine in the app."""
    if not _SESSION_ID.fullmatch(session):
        raise ValueError("a tmux session id looks like $3")
    return ["tmux", "new-window", "-t", f"{session}:", "-n", "trainer",
            trainer_command(["run", routine], env, python)]


def valid_session(session: str) -> bool:
    """True for a tmux session id ($3), the only target the prompt accepts."""
    return bool(_SESSION_ID.fullmatch(session))
