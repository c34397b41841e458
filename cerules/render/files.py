"""Files written whole or not at all: a half-written report is worse than none.

The writing itself lives in `cerules.base.files`, shared with the form documents (which sit beside
render, not above it): a temporary file renamed into place, never over an input, links followed,
permissions and the umask respected.
"""

from __future__ import annotations

from ..base.files import OutputError, atomic_output, check_output, write_atomic

__all__ = ["OutputError", "atomic_output", "check_output", "write_atomic"]
