"""Output files written whole or not at all, never over an input, with the permissions people expect.

A report half written is worse than none, and a report written over its own input destroys the
data it was made from. So an output:

- is written to a temporary file beside the target and renamed into place; when writing fails,
  the old file stays and nothing is left behind;
- follows symbolic links: the link stays, the file it points to is replaced;
- is refused (`OutputError`) when it is one of the inputs (the same file, by any path, link or
  hard link), a read-only file, or a folder;
- gets, when new, the mode the umask gives (0666 less the umask, as a shell redirection does);
  when it replaces a file, that file's mode (and, where allowed, its owner);
- is written straight into a special file (a terminal, a pipe, /dev/null): there is nothing to
  rename onto it, and replacing a device would be wrong.

`render` (reports) and `forms` (Word, PDF and TOML documents) both write through here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .errors import CeruleError
from .printable import escape_unsafe

PathLike = str | os.PathLike[str]


class OutputError(CeruleError):
    """An output that must not or cannot be written. Fatal on the command line (exit 2)."""

    def __init__(self, path: PathLike, zh: str, en: str) -> None:
        self.path = os.fspath(path)
        where = escape_unsafe(self.path)
        super().__init__(f"{where}：{zh}", f"{where}: {en}")


def _cannot_write(path: PathLike, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(path, f"无法写入：{reason}", f"cannot write: {reason}")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _destination(path: PathLike, inputs: Iterable[PathLike]) -> tuple[str, os.stat_result | None]:
    """The file to write (links followed) and its status (None when it does not exist yet).

    Raises `OutputError` for an input, a read-only file or a folder.
    """
    given = os.fspath(path)
    try:
        status: os.stat_result | None = os.stat(given)
    except FileNotFoundError:
        status = None
    except OSError as exc:  # a loop of links, a path through a file, no permission to look
        raise _cannot_write(given, exc) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise OutputError(given, "是文件夹，不是文件", "is a folder, not a file")
    if status is not None and not stat.S_ISREG(status.st_mode):
        return given, status  # a terminal, a pipe, a device: written as it is
    target = os.path.realpath(given)
    if status is None:
        return target, None
    for source in inputs:
        try:
            seen = os.stat(source)
        except OSError:
            continue  # an input that cannot be read is reported by the reader
        if _same_file(seen, status):
            shown = escape_unsafe(os.fspath(source))
            raise OutputError(given, f"就是输入文件 {shown}，不能覆盖输入", f"is the input file {shown}: refusing to overwrite an input")
    if not status.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise OutputError(given, "文件只读，未覆盖", "the file is read-only: not replaced")
    return target, status


def check_output(path: PathLike, inputs: Iterable[PathLike] = ()) -> None:
    """Refuse an output that is an input, read-only or a folder, before any work is done (`OutputError`)."""
    _destination(path, inputs)


def _create_beside(target: str) -> tuple[int, str]:
    """A new, empty temporary file in the target's folder, created with mode 0666 so the umask applies."""
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = os.path.join(folder, f".{name[:200]}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", folder)  # pragma: no cover - 100 random names taken


def _keep_owner_and_mode(temporary: str, descriptor: int, status: os.stat_result) -> None:
    """Give the replacement the replaced file's owner (where allowed) and then its mode."""
    if hasattr(os, "fchown") and (status.st_uid, status.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(descriptor, status.st_uid, status.st_gid)
    os.chmod(temporary, stat.S_IMODE(status.st_mode) & 0o777)


@contextlib.contextmanager
def atomic_output(path: PathLike, *, inputs: Iterable[PathLike] = ()) -> Iterator[BinaryIO]:
    """A binary stream whose file appears at `path` only if the block completes (see the module)."""
    target, status = _destination(path, inputs)
    if status is not None and not stat.S_ISREG(status.st_mode):
        with open(target, "wb") as stream:
            yield stream
        return
    try:
        descriptor, temporary = _create_beside(target)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if status is not None:
                _keep_owner_and_mode(temporary, descriptor, status)
            yield stream
            stream.flush()
            os.fsync(descriptor)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomic(path: PathLike, text: str, *, inputs: Iterable[PathLike] = ()) -> None:
    """Write the whole text (UTF-8) or nothing, under the rules of `atomic_output`."""
    with atomic_output(path, inputs=inputs) as stream:
        stream.write(text.encode("utf-8"))


__all__ = ["OutputError", "atomic_output", "check_output", "write_atomic"]
