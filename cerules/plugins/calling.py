"""Calling a hook through pluggy while knowing which plugin gave what, and which one failed.

The host makes one call, `manager.hook.register_layers(register=..., year=...)`, so pluggy does
what it promises: each implementation receives the subset of the arguments it names,
`tryfirst`/`trylast` and wrappers apply, and hook-call monitoring sees the call.

Which plugin called `register`? The callback looks up its own call stack for the frame of one of
the hook's implementations (`get_hookimpls()`): the innermost frame that runs the code of an
implementation is the implementation calling (directly or through a helper). A code object alone
is not exact, since closures made by one factory, or methods of one class, share their code
while being different implementations; so a frame is matched on everything that tells two
function objects with the same code apart: the globals, the bound instance (`self`), and the
contents of the closure's cells. Implementations that agree on all of these are the same function
under two names; `register` then refuses to guess and says so, naming both plugins.

A plugin whose implementation raises is found the same way, from the frames of the traceback (the
innermost implementation frame, where the error arose, not a wrapper it passed through), and
reported through `on_failure`, which stops the load (the default) or lets the hook be called again
without it through `subset_hook_caller` (for listings): the manager is shared by the whole
process, so a plugin failing for one year is left out of that call, never blocked for good.
"Raises" means any exception, `SystemExit` from `sys.exit()` included (a plugin must not end the
run, least of all with status 0 and no output); only `KeyboardInterrupt` goes through. An error
whose plugin cannot be told is still contained, naming the hook's plugins.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Sequence
from types import CodeType, FrameType, TracebackType
from typing import Any

import attrs
import pluggy

from ..base.errors import CeruleError
from .errors import PluginError
from .installed import describe_error

_MISSING = object()

OnFailure = Callable[[str, str, BaseException], None]
"""`on_failure(plugin_name, hook_name, error)`: report a failing implementation (it may raise)."""


@attrs.frozen(eq=False)
class _Target:
    """What a frame must show to be running one hook implementation."""

    implementation: pluggy.HookImpl
    code: CodeType
    globals: dict[str, Any]
    bound: Any
    closure: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, implementation: pluggy.HookImpl) -> _Target | None:
        function: Any = implementation.function
        bound = _MISSING
        if inspect.ismethod(function):
            bound, function = function.__self__, function.__func__
        function = inspect.unwrap(function)
        code = getattr(function, "__code__", None)
        if code is None:  # not a Python function: it cannot be told apart, nor call register
            return None
        closure = tuple(zip(code.co_freevars, function.__closure__ or (), strict=True))
        return cls(implementation, code, function.__globals__, bound, closure)

    def runs_in(self, frame: FrameType) -> bool:
        if frame.f_code is not self.code or frame.f_globals is not self.globals:
            return False
        if self.bound is _MISSING and not self.closure:
            return True
        local = frame.f_locals
        if self.bound is not _MISSING:
            first = self.code.co_varnames[0] if self.code.co_argcount else None
            if first is None or local.get(first, _MISSING) is not self.bound:
                return False
        return all(local.get(name, _MISSING) is _contents(cell) for name, cell in self.closure)


def _contents(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell: the name is not bound in the frame either
        return _MISSING


class Implementations:
    """The implementations of one hook call, found from frames."""

    def __init__(self, hook: str, implementations: Sequence[pluggy.HookImpl]) -> None:
        self.hook = hook
        self._targets: dict[CodeType, list[_Target]] = {}
        for implementation in implementations:
            target = _Target.of(implementation)
            if target is not None:
                self._targets.setdefault(target.code, []).append(target)

    def running_in(self, frame: FrameType) -> pluggy.HookImpl | None:
        """The implementation this frame runs, if it runs one."""
        matches = [target.implementation for target in self._targets.get(frame.f_code, ()) if target.runs_in(frame)]
        if len(matches) > 1:
            names = ", ".join(sorted(implementation.plugin_name for implementation in matches))
            raise PluginError(
                names,
                f"无法区分这些插件的钩子 {self.hook}：它们是同一个函数；请让每个插件有自己的钩子函数",
                f"cannot tell these plugins' {self.hook} apart: they are one and the same function; give each plugin its own",
            )
        return matches[0] if matches else None

    def calling(self, frame: FrameType | None) -> pluggy.HookImpl | None:
        """The innermost implementation on the stack from `frame` up."""
        for each in _outwards(frame):
            found = self.running_in(each)
            if found is not None:
                return found
        return None

    def raising(self, traceback: TracebackType | None) -> pluggy.HookImpl | None:
        """The innermost implementation among a traceback's frames: the one where the error arose."""
        found = None
        while traceback is not None:
            try:
                found = self.running_in(traceback.tb_frame) or found
            except PluginError:
                return None
            traceback = traceback.tb_next
        return found


def _outwards(frame: FrameType | None) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


class Register:
    """The `register` callback of one hook call: each item is kept with the plugin that gave it."""

    def __init__(self, implementations: Implementations) -> None:
        self.implementations = implementations
        self.given: list[tuple[str, Any]] = []

    def __call__(self, item: Any) -> None:
        implementation = self.implementations.calling(sys._getframe(1))
        if implementation is None:
            hook = self.implementations.hook
            raise PluginError(
                "?",
                f"register() 只能在钩子 {hook} 的实现运行时调用",
                f"register() was called outside an implementation of {hook} while it ran",
            )
        self.given.append((implementation.plugin_name, item))

    def __repr__(self) -> str:
        return "register"


def call_hook(manager: pluggy.PluginManager, hook: str, on_failure: OnFailure, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call `hook` once through pluggy; what each plugin registered, sorted by plugin name.

    An implementation that raises is reported through `on_failure` and the hook called again
    without its plugin, so the other plugins' results still come.
    """
    left_out: set[object] = set()
    while True:
        caller = manager.subset_hook_caller(hook, left_out)
        register = Register(Implementations(hook, caller.get_hookimpls()))
        try:
            caller(register=register, **kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plugin's hook may raise anything, sys.exit() included
            failing = register.implementations.raising(exc.__traceback__)
            if failing is None or failing.plugin in left_out:
                if isinstance(exc, CeruleError):
                    raise
                names = ", ".join(sorted({implementation.plugin_name for implementation in caller.get_hookimpls()}))
                reason = describe_error(exc)
                raise PluginError(
                    names,
                    f"钩子 {hook} 出错（无法判断是哪个插件）：{reason}",
                    f"hook {hook} raised {reason} (which plugin could not be told)",
                ) from None
            on_failure(failing.plugin_name, hook, exc)
            left_out.add(failing.plugin)
            continue
        return sorted(register.given, key=lambda pair: pair[0])
