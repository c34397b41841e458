"""Connecting to a Dask cluster: a local one on this machine's cores, or a scheduler's address."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from ..base.errors import CeruleError

INSTALL_HINT = "pip install 'cerules[distributed]'"


class DistributedUnavailable(CeruleError):
    """Dask is not installed: the `distributed` extra is optional."""


def require_dask() -> None:
    """Refuse, saying how to install it, when dask's distributed scheduler is not installed."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DistributedUnavailable(
            f"分布式评估需要 dask（{exc.name or exc}）：请安装 {INSTALL_HINT}",
            f"distributed evaluation needs dask ({exc.name or exc}): install it with {INSTALL_HINT}",
        ) from None


class SchedulerError(CeruleError):
    """The scheduler named cannot be reached."""


@contextlib.contextmanager
def connect(scheduler: str, *, workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client`: `local` starts a LocalCluster of worker processes (the machine's cores,
    or `workers`), one thread each; an address (`tcp://HOST:PORT`) joins a running scheduler."""
    require_dask()
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cores = os.cpu_count() or 1
        count = workers or cores
        share = {"NUMBA_NUM_THREADS": str(max(1, cores // count))}  # each worker's compiled code on its share of the cores
        with (
            LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None, env=share) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"无法连接调度器 {scheduler}：{exc}", f"cannot reach the scheduler {scheduler}: {exc}") from None
    with client:
        if workers:
            client.wait_for_workers(workers, timeout=120)
        yield client
