"""Files written whole or not at all: a half-written report is worse than none."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write the whole file or nothing: a temporary file beside it, renamed into place."""
    with atomic_output(path) as stream:
        stream.write(text.encode("utf-8"))


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream whose file appears at `path` only if the block completes."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
