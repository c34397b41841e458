"""cerules: continuing-education rules for Shandong's professional and technical personnel.

>>> import cerules
>>> rules = cerules.load_rules(2023)
>>> result = cerules.evaluate_person(rules, {"person_id": "p1", "city": "青岛"}, [
...     {"record_id": "r1", "person_id": "p1", "subject": "public", "hours": 30, "completed_at": "2023-05-01"},
... ])
>>> result.requirement("public").met, result.compliant
(True, False)
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import widgets
from .api import load_rules
from .calls import check_bid, check_posting, load_call
from .evaluation import Evaluation, evaluate, evaluate_files, evaluate_person
from .explain import PersonResult, RecordOutcome, RequirementOutcome
from .hookspecs import hookimpl
from .impact import Baseline, Impact
from .io import InputError, Table, read_table
from .plans import check_plan, load_plan, plan_to_layer
from .reasons import NAMES as REASON_CODES
from .rules import Layer, Profile, RulesError, RuleSet, load_layer, parse_layer, provincial_layer
from .scenario import Change, Draft, DraftError, diff
from .uscc import check_uscc

__all__ = [
    "REASON_CODES",
    "Baseline",
    "Change",
    "Draft",
    "DraftError",
    "Impact",
    "diff",
    "widgets",
    "Evaluation",
    "InputError",
    "Layer",
    "PersonResult",
    "Profile",
    "RecordOutcome",
    "RequirementOutcome",
    "RuleSet",
    "RulesError",
    "Table",
    "__version__",
    "evaluate",
    "evaluate_files",
    "evaluate_person",
    "check_bid",
    "check_plan",
    "check_posting",
    "check_uscc",
    "load_call",
    "load_plan",
    "plan_to_layer",
    "hookimpl",
    "load_layer",
    "load_rules",
    "parse_layer",
    "provincial_layer",
    "read_table",
]
