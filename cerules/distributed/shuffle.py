"""Splitting the input by a hash of person_id, so that each person and all their records meet in one task.

Each piece of input is read once; its rows get their line in the dataset and go, as Arrow slices
with the columns as stored, to the partition of their person. Records also send their record_id,
line and partition to a partition of their record_id, where repeats are found across the whole
dataset (see `repeats`). The key columns are read as cells exactly as the single-machine path reads
them (trimmed, blank is missing), so `" P1"` and `"P1"` meet; a missing key goes to partition 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..inputs.columns import as_arrow, utf8_buffers, valid_mask
from ..inputs.normalise import PERSON_COLUMNS, RECORD_COLUMNS
from ..inputs.parquet_file import table_from_arrow
from .dataset import Unit, read_unit

LINE = "__cerules_line"
"""The row's line in its dataset (1-based, as if one Parquet file)."""
PARTITION = "__cerules_partition"
"""The partition of the record's person (in the record-id slices)."""


def key_cells(raw: pa.Table, name: str, display: str) -> pa.Array:
    """One key column as the cells the single-machine path reads (a missing column: all missing)."""
    for position, found in enumerate(raw.column_names):
        if found.strip() == name:
            table = table_from_arrow(pa.table({name: raw.column(position)}), display)
            return as_arrow(table.column(name))
    return pa.nulls(raw.num_rows, pa.string())


def partition_of(cells: pa.Array, partitions: int) -> np.ndarray:
    """A partition for each cell, the same in every process (FNV-1a of the UTF-8 bytes, mixed)."""
    from ..inputs.scan import hash_cells

    if len(cells) == 0:
        return np.zeros(0, dtype=np.int64)
    raw, bounds = utf8_buffers(cells)
    hashes = hash_cells(raw, bounds, valid_mask(cells))
    hashes ^= hashes >> np.uint64(33)
    hashes *= np.uint64(0xFF51AFD7ED558CCD)
    hashes ^= hashes >> np.uint64(33)
    return (hashes % np.uint64(partitions)).astype(np.int64)


def _split(table: pa.Table, partition: np.ndarray, partitions: int) -> list[pa.Table]:
    """The table's rows by partition, each slice in the table's order."""
    order = np.argsort(partition, kind="stable")
    edges = np.searchsorted(partition[order], np.arange(partitions + 1))
    ordered = table.take(pa.array(order))
    return [ordered.slice(int(edges[p]), int(edges[p + 1] - edges[p])) for p in range(partitions)]


def split_persons(unit: Unit, display: str, partitions: int, frame: Any = None) -> list[pa.Table]:
    """A piece of the persons: its rows, with their lines, by the partition of their person_id."""
    raw = _with_lines(read_unit(unit, display, frame, PERSON_COLUMNS), unit)
    return _split(raw, partition_of(key_cells(raw, "person_id", display), partitions), partitions)


def split_records(unit: Unit, display: str, partitions: int, frame: Any = None) -> tuple[list[pa.Table], list[pa.Table]]:
    """A piece of the records: (its rows by the partition of their person_id, their ids by the partition of the id)."""
    raw = _with_lines(read_unit(unit, display, frame, RECORD_COLUMNS), unit)
    home = partition_of(key_cells(raw, "person_id", display), partitions)
    ids = key_cells(raw, "record_id", display)
    keyed = pa.table({"record_id": ids, LINE: raw.column(LINE), PARTITION: pa.array(home)})
    present = valid_mask(ids)
    keyed = keyed.filter(pa.array(present)) if not present.all() else keyed  # a missing id repeats nothing
    return _split(raw, home, partitions), _split(keyed, partition_of(keyed.column("record_id").combine_chunks(), partitions), partitions)


def _with_lines(raw: pa.Table, unit: Unit) -> pa.Table:
    lines = np.arange(unit.offset + 1, unit.offset + 1 + raw.num_rows, dtype=np.int64)
    return raw.append_column(LINE, pa.array(lines))


def gathered(slices: Sequence[pa.Table]) -> pa.Table:
    """The slices of one partition from every piece, as one table in line order."""
    present = [piece for piece in slices if piece.num_rows] or list(slices[:1])
    if not present:
        return pa.table({LINE: pa.array([], pa.int64())})
    table = pa.concat_tables(present, promote_options="permissive") if len(present) > 1 else present[0]
    lines = table.column(LINE)
    if len(present) > 1 and not _ascending(lines):
        table = table.take(pc.sort_indices(lines))
    return table.combine_chunks()


def _ascending(lines: pa.ChunkedArray) -> bool:
    values = lines.to_numpy()
    return bool(np.all(values[1:] > values[:-1]))
