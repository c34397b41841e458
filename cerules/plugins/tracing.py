"""`CERULES_TRACE_PLUGINS=1`: each hook call on standard error, with what each plugin registered.

Installed on every plugin manager through pluggy's `add_hookcall_monitoring`; the variable is read
at each call, so it can be switched on in a running notebook. A line per call names the hook, its
arguments and the implementations in the order pluggy calls them; then a line per registered item
names its plugin; a call that raised says so (the call is then made again without that plugin).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pluggy

from ..rules import Layer
from ..rules.packs import Pack

TRACE_ENVIRONMENT = "CERULES_TRACE_PLUGINS"


def tracing() -> bool:
    """Whether hook calls are traced now (`CERULES_TRACE_PLUGINS` set, and not to 0)."""
    return os.environ.get(TRACE_ENVIRONMENT, "") not in ("", "0")


def trace_hook_calls(manager: pluggy.PluginManager, label: Callable[[str], str]) -> Callable[[], None]:
    """Monitor every hook call of `manager`; `label` names a plugin. Returns the undo function."""

    def before(hook: str, implementations: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        if tracing():
            arguments = ", ".join(name if name == "register" else f"{name}={value!r}" for name, value in kwargs.items())
            # pluggy calls the list from its end: tryfirst last, trylast first
            order = ", ".join(label(impl.plugin_name) for impl in reversed(implementations)) or "no implementation"
            _say(f"{hook}({arguments}) calls {order}")

    def after(outcome: pluggy.Result[Any], hook: str, implementations: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
        if not tracing():
            return
        for name, item in getattr(kwargs.get("register"), "given", ()):
            _say(f"  {label(name)} registered {_describe(item)}")
        if outcome.exception is not None:
            _say(f"  {hook} raised {type(outcome.exception).__name__}: {outcome.exception}")

    return manager.add_hookcall_monitoring(before, after)


def _describe(item: Any) -> str:
    if isinstance(item, Layer):
        return f"layer {item.id!r} ({item.rank}, {item.file})"
    if isinstance(item, Pack):
        return f"pack {item.id!r} ({item.folder}; years {item.years_text})"
    return str(item)


def _say(line: str) -> None:
    print(f"cerules: trace: {line}", file=sys.stderr)
