"""cerules: continuing-education rules for Shandong's professional and technical personnel.

>>> import cerules
>>> rules = cerules.load_rules(2023)
>>> result = cerules.evaluate_person(rules, {"person_id": "p1", "city": "青岛"}, [
...     {"record_id": "r1", "person_id": "p1", "subject": "public", "hours": 30, "completed_at": "2023-05-01"},
... ])
>>> result.requirement("public").met, result.compliant
(True, False)

The names below are the public API. They are loaded on first use (PEP 562), so `import cerules`
costs nothing until a feature is used: reading rules does not load numba, a CLI call that only
lints TOML never loads pyarrow, and the widgets load ipywidgets only when asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .base.version import __version__ as __version__

_PUBLIC: dict[str, str] = {
    # rules
    "Layer": "cerules.rules",
    "Profile": "cerules.rules",
    "RuleSet": "cerules.rules",
    "RulesError": "cerules.rules",
    "load_layer": "cerules.rules",
    "parse_layer": "cerules.rules",
    "provincial_layer": "cerules.rules",
    # plugins
    "hookimpl": "cerules.plugins.hookspecs",
    "load_rules": "cerules.plugins.loading",
    # inputs
    "InputError": "cerules.inputs.table",
    "Table": "cerules.inputs.table",
    "read_table": "cerules.inputs.reading",
    # evaluate
    "Evaluation": "cerules.evaluation.cohort",
    "evaluate": "cerules.evaluation.cohort",
    "evaluate_files": "cerules.evaluation.cohort",
    "evaluate_person": "cerules.evaluation.cohort",
    "History": "cerules.evaluation.history",
    "history": "cerules.evaluation.history",
    "PersonResult": "cerules.evaluation.explain",
    "RecordOutcome": "cerules.evaluation.explain",
    "RequirementOutcome": "cerules.evaluation.explain",
    # what-if
    "Baseline": "cerules.whatif.impact",
    "Impact": "cerules.whatif.impact",
    "Change": "cerules.whatif.diff",
    "Draft": "cerules.whatif.draft",
    "DraftError": "cerules.whatif.problems",
    "diff": "cerules.whatif.diff",
    # forms
    "check_bid": "cerules.forms.call_checks",
    "check_posting": "cerules.forms.call_checks",
    "load_call": "cerules.forms.calls",
    "check_plan": "cerules.forms.plan_checks",
    "load_plan": "cerules.forms.plans",
    "plan_to_layer": "cerules.forms.plan_layer",
    "check_uscc": "cerules.forms.uscc",
}
"""Each public name and the module that defines it."""

_ALIASES: dict[str, tuple[str, str]] = {
    "REASON_CODES": ("cerules.kernel.reasons", "NAMES"),
}

_MODULES: dict[str, str] = {
    "widgets": "cerules.widgets",
    "batch": "cerules.evaluation.batch",
}
"""Public submodules under a short name (`cerules.widgets.explore(...)`)."""

__all__ = sorted([*_PUBLIC, *_ALIASES, *_MODULES, "__version__"])


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _ALIASES:
        module, attribute = _ALIASES[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'cerules' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what type checkers and editors see; nothing here runs
    from . import widgets  # noqa: F401
    from .evaluation import batch  # noqa: F401
    from .evaluation.cohort import Evaluation, evaluate, evaluate_files, evaluate_person  # noqa: F401
    from .evaluation.explain import PersonResult, RecordOutcome, RequirementOutcome  # noqa: F401
    from .evaluation.history import History, history  # noqa: F401
    from .forms.call_checks import check_bid, check_posting  # noqa: F401
    from .forms.calls import load_call  # noqa: F401
    from .forms.plan_checks import check_plan  # noqa: F401
    from .forms.plan_layer import plan_to_layer  # noqa: F401
    from .forms.plans import load_plan  # noqa: F401
    from .forms.uscc import check_uscc  # noqa: F401
    from .inputs.reading import read_table  # noqa: F401
    from .inputs.table import InputError, Table  # noqa: F401
    from .kernel.reasons import NAMES as REASON_CODES  # noqa: F401
    from .plugins.hookspecs import hookimpl  # noqa: F401
    from .plugins.loading import load_rules  # noqa: F401
    from .rules import Layer, Profile, RulesError, RuleSet, load_layer, parse_layer, provincial_layer  # noqa: F401
    from .whatif.diff import Change, diff  # noqa: F401
    from .whatif.draft import Draft  # noqa: F401
    from .whatif.impact import Baseline, Impact  # noqa: F401
    from .whatif.problems import DraftError  # noqa: F401
