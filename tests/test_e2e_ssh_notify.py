"""Over a real SSH hop: a throwaway sshd on 127.0.0.1, and the client gets the notifications.

The client runs in a local pty (what a person's terminal is); the focus-out report typed there
travels to the remote app, and the notification sequences it writes travel back.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import selectors
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from osc_wire import E2E_MOMENTS, PHASE_WORDS, Seen, notifications, run_unfocused
from ptyterm import E2E_LIBRARY, Terminal, trainer_env

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK)
                                else None)
SSH = shutil.which("ssh")
KEYGEN = shutil.which("ssh-keygen")
PRIVSEP = Path("/run/sshd")  # sshd (started as root) insists on its privilege separation folder

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="needs a pty"),
    pytest.mark.skipif(not (SSHD and SSH and KEYGEN),
                       reason="needs OpenSSH: sshd, ssh and ssh-keygen (openssh-server and "
                       "openssh-client)"),
]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def keygen(path: Path) -> None:
    """A fresh ed25519 key without a passphrase."""
    assert KEYGEN is not None
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "trainer-test", "-f",
                    str(path)], check=True, stdin=subprocess.DEVNULL)


def wait_listening(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """Read sshd's log (-e) until it says it listens; fail with the log if it gives up."""
    assert proc.stderr is not None
    log = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while b"Server listening" not in log:
            left = deadline - time.monotonic()
            if left <= 0 or proc.poll() is not None:
                raise AssertionError(f"sshd did not start: {log.decode(errors='replace')}")
            if sel.select(left):
                chunk = os.read(proc.stderr.fileno(), 4096)
                if not chunk:
                    proc.wait(timeout=5)
                    raise AssertionError(f"sshd exited: {log.decode(errors='replace')}")
                log += chunk


@contextlib.contextmanager
def throwaway_sshd(root: Path) -> Iterator[tuple[int, Path]]:
    """An sshd on a free port of 127.0.0.1 for this user's test key: (port, client key)."""
    assert SSHD is not None
    root.mkdir()
    keygen(root / "host_key")
    keygen(root / "client_key")
    (root / "authorized_keys").write_text((root / "client_key.pub").read_text())
    port = free_port()
    config = root / "sshd_config"
    config.write_text("\n".join([
        f"ListenAddress 127.0.0.1:{port}", f"HostKey {root / 'host_key'}",
        f"AuthorizedKeysFile {root / 'authorized_keys'}", f"PidFile {root / 'sshd.pid'}",
        "StrictModes no", "PermitRootLogin yes", "UsePAM no", "PubkeyAuthentication yes",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        f"AllowUsers {getpass.getuser()}",
        "PrintMotd no", "PrintLastLog no", "LogLevel INFO", ""]))
    made_privsep = False
    if os.geteuid() == 0 and not PRIVSEP.exists():
        PRIVSEP.mkdir(mode=0o755)
        made_privsep = True
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config), "-p", str(port)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        wait_listening(proc)
        yield port, root / "client_key"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
        if made_privsep:
            with contextlib.suppress(OSError):
                PRIVSEP.rmdir()


def remote_command(env: dict[str, str], *args: str) -> str:
    """The remote command line: the test's folders passed by `env`, then trainer."""
    keep = ("TERM", "TRAINER_CONFIG_DIR", "TRAINER_DATA_DIR", "TRAINER_CACHE_DIR",
            "TRAINER_LIBRARY", "PATH", "LANG", "LC_ALL")
    pairs = [f"{key}={env[key]}" for key in keep if key in env]
    line = ["env", *pairs, sys.executable, "-m", "trainer", *args]
    return " ".join(shlex.quote(part) for part in line)


def test_over_a_real_ssh_hop_the_client_receives_the_notifications(tmp_path: Path) -> None:
    assert SSH is not None
    if os.geteuid() != 0 and not PRIVSEP.exists():
        pytest.skip("sshd needs /run/sshd, which only root can make")
    env = trainer_env(tmp_path / "home")
    with throwaway_sshd(tmp_path / "sshd") as (port, key):
        command = remote_command(env, "run", "e2e", "--notify", "osc777",
                                 "--library", str(E2E_LIBRARY))
        ssh = [SSH, "-tt", "-q", "-F", "/dev/null", "-i", str(key), "-p", str(port),
               "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
               "127.0.0.1", command]
        term = Terminal(ssh, env, watch=PHASE_WORDS)
        try:
            status = run_unfocused(term)
        finally:
            term.close()
    assert status == 0
    assert notifications(bytes(term.raw)) == [
        Seen("777", f"notify;{title};{body}", "\x1b\\", "") for title, body in E2E_MOMENTS]
    assert term.stray() == []
