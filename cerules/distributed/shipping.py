"""The rule set on the workers: sent once, identified by its sha256, rebuilt once per worker process.

A RuleSet is data (layers, citations, the pack's regions), including what plugins contribute, so it
travels as cloudpickle bytes; each worker process unpickles them once and keeps the rule set by its
digest, whose compiled policies are then shared by every task the worker runs.
"""

from __future__ import annotations

import threading

from ..base.errors import CeruleError
from ..rules.ruleset import RuleSet

_CACHE: dict[str, RuleSet] = {}
_LOCK = threading.Lock()


class RulesMismatch(CeruleError):
    """The rule set rebuilt on a worker is not the one sent (different code or data there)."""


def rules_payload(rules: RuleSet) -> bytes:
    """The bytes a worker rebuilds the rule set from."""
    import cloudpickle

    return cloudpickle.dumps(rules)


def rules_key(rules: RuleSet) -> str:
    """The task key of a rule set on a cluster: the same rules, the same key, sent once."""
    return f"cerules-rules-{rules.sha256}"


def payload_task(payload: bytes) -> bytes:
    """The task whose result the workers fetch (recomputed from its spec if every holder is lost)."""
    return payload


def rules_on_worker(sha256: str, payload: bytes) -> RuleSet:
    """The rule set of this digest in this process: unpickled on first use, checked against its digest."""
    import pickle

    with _LOCK:
        found = _CACHE.get(sha256)
        if found is None:
            found = pickle.loads(payload)
            if found.sha256 != sha256:
                raise RulesMismatch(
                    f"工作进程上重建的规则（{found.sha256[:12]}）与发送的规则（{sha256[:12]}）不同："
                    "请在所有工作进程上安装相同版本的 cerules",
                    f"the rules rebuilt on a worker ({found.sha256[:12]}) differ from those sent ({sha256[:12]}): "
                    "install the same cerules on every worker",
                )
            _CACHE[sha256] = found
        return found
