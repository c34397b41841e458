"""A real `cerules serve` process on a free port, for tests that speak HTTP to it (httpx)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cli_environment(**more: str) -> dict[str, str]:
    """The environment of the server and of the CLI runs compared with it: the installed plugins loaded."""
    environment = {key: value for key, value in os.environ.items() if key not in ("CERULES_LOAD_PLUGINS", "CERULES_SERVICE_TOKEN")}
    return environment | more


class LiveServer:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **options)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def signal(self, number: int = signal.SIGHUP) -> None:
        self.process.send_signal(number)


@contextmanager
def live_server(tmp: Path, *options: str, environment: dict[str, str] | None = None, wait: float = 120) -> Iterator[LiveServer]:
    """Start `cerules serve` with `options`, wait until /readyz answers 200, stop it afterwards."""
    port = free_port()
    log = tmp / f"serve-{port}.log"
    command: Sequence[str] = [sys.executable, "-m", "cerules.cli.main", "serve", "--port", str(port), *options]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment or cli_environment(), stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    server = LiveServer(process, url, log)
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"cerules serve exited with {process.returncode}:\n{server.log_text()}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"cerules serve not ready after {wait} s:\n{server.log_text()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
