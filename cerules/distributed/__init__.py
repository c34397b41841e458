"""A partitioned cohort evaluated on a Dask cluster (the optional `distributed` extra).

Persons and records are split by a hash of person_id, so that each person and all their records
are decided in one task by the single-machine code; what is global in that path (repeated record
ids, line numbers, the data-quality counts, the summary) is worked out over the whole dataset and
given to the tasks. See docs/distributed.md. Importing this package loads no dask: the modules
that need it import it when they run.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DatasetResult", "DistributedUnavailable", "evaluate_dataset"]


def __getattr__(name: str) -> Any:
    if name in ("DatasetResult", "evaluate_dataset"):
        from . import run

        return getattr(run, name)
    if name == "DistributedUnavailable":
        from .cluster import DistributedUnavailable

        return DistributedUnavailable
    raise AttributeError(name)
