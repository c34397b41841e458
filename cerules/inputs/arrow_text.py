"""Typed Arrow values as the text a CSV would hold: one meaning for a typed cell and its text.

A column of a type the engine reads as it is (`typed`) still has a text, for messages and for the
few cells the typed readers leave to the text parsers; any other typed column is read as this
text. ``true``/``false``, ISO 8601 instants (with the zone's offset when the type has a zone),
numbers as Arrow writes them; mostly without Python per cell.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["arrow_text"]

Column = pa.Array | pa.ChunkedArray


def _timestamp_text(values: Column) -> Column:
    """ISO 8601 text: local wall time, with ``+08:00``-style offset when the type has a zone.

    Fractional seconds are shown only when non-zero, without trailing zeros.
    """
    fmt = "%Y-%m-%dT%H:%M:%S" + ("%Ez" if values.type.tz is not None else "")
    text = pc.strftime(values, format=fmt)
    text = pc.replace_substring_regex(text, r"(\.\d*?)0+(\+|-|$)", r"\1\2")
    return pc.replace_substring_regex(text, r"\.(\+|-|$)", r"\1")


def _python_text(values: Column) -> pa.Array:
    """Per-cell fallback for types pyarrow cannot format (e.g. no time-zone database)."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    return pa.array([text(v) for v in values.to_pylist()], pa.string())


def arrow_text(values: Column) -> Column:
    """A column that is not nested as strings; a floating-point NaN is a missing value (as pandas means it).

    Binary data is taken as UTF-8 (an error if it is not: the Parquet reader words it).
    """
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    if pa.types.is_dictionary(kind):
        return arrow_text(values.cast(kind.value_type))
    if pa.types.is_null(kind):
        return values.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "true", "false")
    if pa.types.is_floating(kind):
        values = pc.if_else(pc.is_nan(values), pa.scalar(None, kind), values)
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        return values.cast(pa.binary()).cast(pa.string())
    try:
        if pa.types.is_timestamp(kind):
            return _timestamp_text(values)
        return values.cast(pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return _python_text(values)
