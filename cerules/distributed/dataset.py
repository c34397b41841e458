"""A Parquet dataset as pieces of work: its part files in name order, each (or each run of row
groups) read by one task, with the rows before it so that line numbers are those of one file.

A dataset is a `.parquet` file or a folder of them (as Spark, pandas or `cerules synth --parts`
write them); files and folders whose names start with `_` or `.` (`_SUCCESS`, temporary files)
are not data. Row `i` of the dataset, counted over the files in name order, is line `i + 1`, as
if the dataset were one Parquet file.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from ..inputs.table import InputError, check_required
from ..inputs.typed import WORD_COLUMNS

UNIT_ROWS = 1_000_000
"""About this many rows are read by one task (whole row groups; a part file is never shared)."""


@attrs.frozen
class Unit:
    """Rows of a dataset read by one task: a file's row groups, or a DataFrame partition (a future)."""

    source: str | None  # a file path; None for a DataFrame partition, given to the task beside the unit
    row_groups: tuple[int, ...] | None
    rows: int
    offset: int  # rows of the dataset before these


@attrs.frozen
class Dataset:
    """The pieces of one input, in order, and the columns they hold."""

    display: str
    units: tuple[Unit, ...]
    columns: tuple[str, ...]
    frames: tuple[Any, ...] = ()  # futures of the DataFrame partitions, one per unit (none for files)

    def frame(self, index: int) -> Any:
        return self.frames[index] if self.frames else None

    @property
    def rows(self) -> int:
        return sum(unit.rows for unit in self.units)


def part_files(path: str | os.PathLike[str]) -> list[Path]:
    """The Parquet files of a dataset, in name order (a file is a dataset of one)."""
    root = Path(path)
    if not root.exists():
        raise InputError(os.fspath(path), "文件或文件夹不存在", "no such file or folder")
    if root.is_file():
        return [root]
    files = [
        found
        for found in root.rglob("*.parquet")
        if found.is_file() and not any(part.startswith(("_", ".")) for part in found.relative_to(root).parts)
    ]
    if not files:
        raise InputError(os.fspath(path), "文件夹中没有 Parquet 文件", "the folder holds no Parquet files")
    return sorted(files, key=lambda found: found.relative_to(root).as_posix())


def parquet_dataset(path: str | os.PathLike[str], required: Sequence[str], *, unit_rows: int = UNIT_ROWS) -> Dataset:
    """The dataset's pieces, from the files' footers alone (no data is read here)."""
    display = os.fspath(path)
    units: list[Unit] = []
    names: dict[str, None] = {}
    offset = 0
    for file in part_files(path):
        try:
            metadata = pq.ParquetFile(file).metadata
            schema = pq.read_schema(file)
        except (pa.ArrowException, OSError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(os.fspath(file), f"不是可读取的 Parquet 文件（{reason}）", f"not a readable Parquet file ({reason})") from None
        check_required(os.fspath(file), [name.strip() for name in schema.names], required)
        names.update(dict.fromkeys(name.strip() for name in schema.names))
        group: list[int] = []
        rows = 0
        for index in range(metadata.num_row_groups):
            group.append(index)
            rows += metadata.row_group(index).num_rows
            if rows >= unit_rows:
                units.append(Unit(os.fspath(file), tuple(group), rows, offset))
                offset, group, rows = offset + rows, [], 0
        if group or metadata.num_row_groups == 0:
            units.append(Unit(os.fspath(file), tuple(group), rows, offset))
            offset += rows
    return Dataset(display, tuple(units), tuple(names))


def frame_dataset(client: Any, frame: Any, display: str, required: Sequence[str]) -> Dataset:
    """A dask DataFrame's partitions as pieces: computed on the cluster, only their lengths come back."""
    names = [str(name).strip() for name in frame.columns]
    check_required(display, names, required)
    parts = client.compute(frame.to_delayed())
    lengths = client.gather(client.map(len, parts))
    units, offset = [], 0
    for rows in lengths:
        units.append(Unit(None, None, int(rows), offset))
        offset += int(rows)
    return Dataset(display, tuple(units), tuple(names), tuple(parts))


def read_unit(unit: Unit, display: str, frame: Any = None, columns: Collection[str] | None = None) -> pa.Table:
    """The unit's rows (or the DataFrame partition `frame`) as Arrow, columns as stored (typed or text):
    turned into cells later, as one file would be. Of a file, only the named `columns` are read (all
    when None), the columns of few words dictionary-encoded (`inputs.typed.WORD_COLUMNS`), as
    `read_parquet` reads them: each word crosses the network once a slice."""
    if unit.source is None:
        return _from_pandas(frame, display)
    try:
        reader = pq.ParquetFile(unit.source)
        names = [name for name in reader.schema_arrow.names if columns is None or name.strip() in columns]
        schema = reader.schema_arrow
        words = [name for name in names if name.strip() in WORD_COLUMNS and pa.types.is_string(schema.field(name).type)]
        reader = pq.ParquetFile(unit.source, read_dictionary=words)
        if unit.row_groups is None or reader.metadata.num_row_groups == 0:
            return reader.read(columns=names, use_threads=False)
        return reader.read_row_groups(list(unit.row_groups), columns=names, use_threads=False)
    except (pa.ArrowException, OSError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(unit.source, f"不是可读取的 Parquet 文件（{reason}）", f"not a readable Parquet file ({reason})") from None


def _from_pandas(frame: Any, display: str) -> pa.Table:
    """A DataFrame partition as Arrow, as `evaluate` reads a DataFrame (a column mixing kinds: cell by cell)."""
    from ..evaluation.cohort import as_table
    from ..inputs.columns import as_arrow

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        table = as_table(frame, display)
        return pa.table({name: as_arrow(values) for name, values in table.columns.items()})
