"""People grouped by an attribute (city, unit level, title series), and how many of each group are compliant.

One computation for every view that counts compliance by group: the terminal table's summary by
city and the report page's charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np


@attrs.frozen
class Group:
    """People of one city, series or unit level, and how many of them are compliant."""

    name: str
    people: int
    compliant: int

    @property
    def rate(self) -> float:
        return self.compliant / self.people if self.people else 0.0


def distinct_codes(values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct values of an attribute column (sorted, blank for missing) and each row's index among them."""
    text = np.array(["" if value is None else str(value) for value in values], dtype=object)
    distinct, index = np.unique(text.astype(str), return_inverse=True)
    return [str(value) for value in distinct], index.astype(np.int64)


def compliance_groups(names: Sequence[str], index: np.ndarray, compliant: np.ndarray) -> list[Group]:
    """Each named group that has people, in the order of `names`: its people and its compliant people."""
    people = np.bincount(index, minlength=len(names))
    passed = np.bincount(index, weights=compliant.astype(np.int64), minlength=len(names)).astype(np.int64)
    return [Group(name, int(people[i]), int(passed[i])) for i, name in enumerate(names) if people[i]]


__all__ = ["Group", "compliance_groups", "distinct_codes"]
