"""Joining records to persons: each record's person found by id, runs of one person's records looked up once."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from cerules.kernel.run import lookup

ids = st.sampled_from(["P1", "P2", "P3", "p1", "P1 ", "", "张三", "X9"])


@given(keys=st.lists(ids, unique=True), runs=st.lists(st.tuples(st.one_of(ids, st.none()), st.integers(1, 5)), max_size=30))
def test_each_value_is_found_at_its_key_or_not_at_all(keys: list[str], runs: list[tuple[str | None, int]]) -> None:
    """Grouped or scattered, each record gets the position of its id among the keys, -1 when absent or missing."""
    values = [value for value, length in runs for _ in range(length)]
    found = lookup(np.array(keys, dtype=object), pa.array(values, pa.string()))
    expected = [keys.index(value) if value in keys else -1 for value in values]
    assert found.tolist() == expected
    assert found.dtype == np.int64
