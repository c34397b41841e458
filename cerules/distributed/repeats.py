"""Repeated record ids across the whole dataset, found where every row of an id meets.

A record repeating the record_id of an earlier row anywhere in the dataset is invalid, whichever
persons the two rows belong to; the ids are gathered by a hash of the id, the repeats found by the
single-machine `duplicate_rows` over the lines of the dataset, and each repeat's problem is sent
to the partition of its person.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from ..inputs.cells import Problem
from ..inputs.normalise import duplicate_rows
from ..inputs.table import Table
from .shuffle import LINE, PARTITION, gathered


def find_repeats(slices: Sequence[pa.Table], partitions: int, display: str) -> list[dict[int, Problem]]:
    """For each person partition, the problems of its repeated records, by line."""
    ids = gathered(slices)
    found: list[dict[int, Problem]] = [{} for _ in range(partitions)]
    if ids.num_rows == 0 or "record_id" not in ids.column_names:
        return found
    lines = ids.column(LINE).to_numpy()
    table = Table(display, {"record_id": ids.column("record_id").combine_chunks()}, lines)
    problems = duplicate_rows(table)
    if not problems:
        return found
    home = ids.column(PARTITION).to_numpy()
    for row, problem in problems.items():
        found[int(home[row])][int(lines[row])] = problem
    return found


def local_repeats(lines: np.ndarray, repeats: Sequence[dict[int, Problem]]) -> dict[int, Problem]:
    """The repeats of one partition, keyed by row position in it (its rows are in line order)."""
    by_line: dict[int, Problem] = {}
    for part in repeats:
        by_line.update(part)
    if not by_line:
        return {}
    wanted = np.fromiter(by_line, dtype=np.int64, count=len(by_line))
    rows = np.searchsorted(lines, wanted)
    return {int(row): by_line[int(line)] for row, line in zip(rows.tolist(), wanted.tolist(), strict=True)}
