"""The small tables an impact gives (by city, flips, shortfall, changed records): kept as columns,
shown as text or HTML by `cerules.render`, converted with `to_pandas()` or `to_arrow()`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from ..render.html import impact_table_html
from ..render.table import impact_table_text


def pandas_module() -> Any:
    """pandas, or an ImportError that says how to install it."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas() needs pandas: pip install pandas (or cerules[dev])") from None
    return pandas


class ImpactTable:
    """A small table of results: HTML in notebooks, text in a terminal, `to_pandas()`, `to_arrow()`."""

    def __init__(self, title: str, columns: Mapping[str, Sequence[Any] | np.ndarray | pa.Array], *, note: str = "") -> None:
        self.title = title
        self._columns = dict(columns)  # kept as given (numpy, Arrow or lists): rows become Python only when shown
        self.note = note

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()), []))

    @property
    def names(self) -> list[str]:
        return list(self._columns)

    def _values(self, name: str, limit: int | None = None) -> list[Any]:
        values = self._columns[name]
        if limit is not None:
            values = values[:limit]
        if isinstance(values, (np.ndarray, pa.Array, pa.ChunkedArray)):
            return values.to_pylist() if isinstance(values, (pa.Array, pa.ChunkedArray)) else values.tolist()
        return list(values)

    def column(self, name: str) -> list[Any]:
        """One column as a list of Python values."""
        return self._values(name)

    @property
    def columns(self) -> dict[str, list[Any]]:
        return {name: self._values(name) for name in self._columns}

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        columns = [self._values(name, limit) for name in self._columns]
        return [dict(zip(self._columns, values, strict=True)) for values in zip(*columns, strict=True)]

    def to_arrow(self) -> pa.Table:
        return pa.table(
            {
                name: values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
                for name, values in self._columns.items()
            }
        )

    def to_pandas(self) -> Any:
        pandas_module()
        return self.to_arrow().to_pandas()

    def text(self, limit: int | None = 30) -> str:
        return impact_table_text(self, limit)

    def __repr__(self) -> str:
        return self.text()

    def html(self, limit: int | None = 50) -> str:
        return impact_table_html(self, limit)

    def _repr_html_(self) -> str:
        return self.html()


__all__ = ["ImpactTable"]
