"""Serving the explorer with Voilà: a copy of the template notebook in a temporary folder, a token, 127.0.0.1 only.

Voilà runs as a child process in a session of its own (Ctrl+C at the terminal reaches `cerules explore`,
which then stops Voilà and its kernels; Voilà never asks "Shutdown this server?"). The token travels in the
child's environment (`JUPYTER_TOKEN`), never on a command line that other users of the machine could list.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

import attrs

from ...base.errors import CeruleError
from . import session

HOST = "127.0.0.1"
NOTEBOOK = "cerules-explorer.ipynb"
TEMPLATE = "cerules"
"""Voilà's lab template without its CDN stylesheets: `jupyter/voila/templates/cerules` in this package."""
STARTUP_SECONDS = 120.0
"""How long Voilà may take to answer before `cerules explore` gives up."""


class AppError(CeruleError):
    """The app cannot be served: Voilà missing, the port taken, the server stopped early."""


def voila_installed() -> bool:
    return importlib.util.find_spec("voila") is not None


def require_voila() -> None:
    if not voila_installed():
        raise AppError("cerules explore 需要 Voilà：pip install 'cerules[app]'", "cerules explore needs Voilà: pip install 'cerules[app]'")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nobody listens on now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@attrs.frozen
class App:
    """What to serve: the cohort's files (absolute), the year, the language, the plugins, the port."""

    persons: Path
    records: Path
    year: int = 2023
    lang: str = "zh"
    plugins: bool = True
    port: int = 8866
    token: str = attrs.field(factory=lambda: secrets.token_urlsafe(24))
    folder: Path = attrs.field(factory=Path.cwd)
    """Where the draft is exported by default: the folder `cerules explore` was started in."""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?token={self.token}"

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The child's environment: the caller's, the token, and what `session.explorer_from_environment` reads."""
        env = dict(os.environ if base is None else base)
        env.update(
            {
                "JUPYTER_TOKEN": self.token,
                session.PERSONS: str(self.persons),
                session.RECORDS: str(self.records),
                session.YEAR: str(self.year),
                session.LANG: self.lang,
                session.PLUGINS: "1" if self.plugins else "0",
                session.FOLDER: str(self.folder),
            }
        )
        env.pop("JUPYTER_TOKEN_FILE", None)
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(data_folder()), env.get("JUPYTER_PATH")]))
        return env

    def command(self, notebook: Path) -> list[str]:
        """Voilà on one notebook: no browser (we open it once the server answers), this host and port only,
        a token required (`--token`: taken from JUPYTER_TOKEN), no source shown, no traceback sent to the page,
        nothing fetched from the internet (the `cerules` template)."""
        ipc = ["--KernelManager.transport=ipc"] if os.name == "posix" else []  # the kernel's sockets as private files, not ports
        return [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            "--token",
            f"--port={self.port}",
            f"--Voila.ip={HOST}",
            "--Voila.port_retries=0",
            f"--template={TEMPLATE}",
            "--strip_sources=True",
            "--VoilaConfiguration.show_tracebacks=False",
            "--Voila.log_level=ERROR",
            *ipc,
        ]


def data_folder() -> Path:
    """The Jupyter data folder shipped in the package (it holds the `cerules` Voilà template)."""
    return Path(str(resources.files(__package__).joinpath("jupyter")))


def template() -> bytes:
    """The notebook the app serves, as shipped in the package."""
    return resources.files(__package__).joinpath("explorer.ipynb").read_bytes()


@contextlib.contextmanager
def prepared_notebook() -> Iterator[Path]:
    """A copy of the template in a new temporary folder, removed afterwards (the package is never written to)."""
    folder = Path(tempfile.mkdtemp(prefix="cerules-explore-"))
    try:
        notebook = folder / NOTEBOOK
        notebook.write_bytes(template())
        yield notebook
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wait_until_answering(process: subprocess.Popen[bytes], port: int, seconds: float = STARTUP_SECONDS) -> None:
    """Return once something accepts connections on the port; AppError if Voilà ends or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppError(f"Voilà 已退出（状态 {process.returncode}）", f"Voilà stopped (status {process.returncode})")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise AppError(f"Voilà 在 {seconds:.0f} 秒内未响应", f"Voilà did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes], seconds: float = 15) -> None:
    """Ask Voilà to stop (it shuts its kernels down), then insist."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP (a closed terminal) end the command as Ctrl+C does, so that Voilà is
    stopped and its folder removed; the previous handlers come back afterwards."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


@contextlib.contextmanager
def running(app: App) -> Iterator[subprocess.Popen[bytes]]:
    """Voilà serving the app, answering on its port, until the block ends."""
    require_voila()
    if not port_is_free(app.port):
        raise AppError(f"端口 {app.port} 已被占用，请用 --port 另选一个", f"port {app.port} is in use: choose another with --port")
    with prepared_notebook() as notebook:
        process = subprocess.Popen(
            app.command(notebook), env=app.environment(), cwd=notebook.parent, stdin=subprocess.DEVNULL, start_new_session=True
        )
        try:
            wait_until_answering(process, app.port)
            yield process
        finally:
            stop(process)
