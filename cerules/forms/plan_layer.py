"""A study plan as the department's rule layer, so that the published plan and the engine cannot disagree.

The plan's part 3 sets the professional-subject hours (and maybe a last day) for the people in its
part 1; as a layer of rank `department`, those are `professional.required_hours` and
`professional.deadline`, scoped to the plan's title series, industries and specialties.
"""

from __future__ import annotations

from decimal import Decimal

from ..plugins.loading import load_rules
from ..rules import RulesError, available_years, provincial_layer
from ..rules.model import CitedValue, Layer, Scope, Text
from ..rules.ruleset import RuleSet
from .framework import FormError
from .plans import CITE_DEPARTMENT, CITE_FLOOR, PlanScope, StudyPlan

_PLAN_KEY_OF_LAYER_PATH = {
    "professional.required_hours": "hours.required",
    "professional.deadline": "hours.deadline",
    "layer.scope": "scope",
    "layer.id": "plan.id",
    "layer.years": "plan.year",
}
"""Where in the plan file a key of its layer comes from, for messages about the layer."""


def provincial_floor(year: int, scope: Scope | None = None) -> tuple[Decimal, str] | None:
    """The provincial professional-subject hours for people in `scope` and its citation, or None
    when no provincial rules ship for the year."""
    if year not in available_years():
        return None
    best: tuple[Decimal, str] | None = None
    scope = scope or Scope()
    layer = provincial_layer(year)
    for value in layer.parameters.get("professional.required_hours", ()):
        if scope.overlaps(layer.scope.intersect(value.when)):
            amount = Decimal(str(value.value))
            if best is None or amount > best[0]:
                best = (amount, value.citation or CITE_FLOOR)
    return best


def layer_scope(plan: StudyPlan) -> Scope:
    """The people the plan covers: each dimension it lists narrows the scope."""
    scope = plan.scope or PlanScope()
    criteria = {"title_series": scope.title_series, "industry": scope.industries, "specialty": scope.specialties}
    return Scope.of({key: [v for v in values if v] for key, values in criteria.items() if any(values)})


def plan_to_layer(plan: StudyPlan) -> Layer:
    """The department layer the plan amounts to: rank `department`, scoped to the plan's title
    series, industries and specialties (each listed dimension narrows it), setting
    `professional.required_hours` (and `professional.deadline` when the plan gives one), each
    value citing the plan and SD-2023 §3(2).

    Raises FormError when the plan lacks what a layer needs (id, year, hours, a scope).
    """
    missing = [
        key
        for key, absent in (
            ("plan.id", plan.id is None),
            ("plan.year", plan.year is None),
            ("scope", not layer_scope(plan)),
            ("hours.required", plan.hours is None or plan.hours.required is None),
        )
        if absent
    ]
    if missing:
        raise FormError("缺少此项，无法由计划生成规则层", "the plan cannot become a rule layer without it", file=plan.file, key=missing[0])
    assert plan.hours is not None and plan.hours.required is not None and plan.year is not None
    required = plan.hours.required
    value: int | float = int(required) if required == required.to_integral_value() else float(required)
    citation = f"{plan.document_name} 三、学时要求（{CITE_DEPARTMENT}）"
    parameters: dict[str, tuple[CitedValue, ...]] = {"professional.required_hours": (CitedValue(value=value, citation=citation),)}
    if plan.hours.deadline is not None:
        parameters["professional.deadline"] = (CitedValue(value=plan.hours.deadline.date.isoformat(), citation=citation),)
    department = plan.department.zh if plan.department else ""
    title = plan.title or Text(f"{plan.id} 专业科目学习计划", f"{plan.id} professional-subject study plan")
    return Layer(
        id=f"plan-{plan.id}",
        rank="department",
        title=title,
        source=" ".join(part for part in (department, plan.document_name) if part),
        version=str(plan.year),
        years=frozenset({plan.year}),
        scope=layer_scope(plan),
        parameters=parameters,
        file=plan.file,
    )


def layer_refusal(plan: StudyPlan, rules: RuleSet | None) -> tuple[str, str, str] | None:
    """Why the engine refuses the plan's layer: (plan key, en, zh), or None when it fits.

    `rules` is the rule set the layer must fit into (default: the provincial rules of the plan's
    year alone).
    """
    try:
        layer = plan_to_layer(plan)
        base = rules if rules is not None else load_rules(plan.year or 0, plugins=False)
        base.with_layer(layer)
    except FormError as exc:
        return _PLAN_KEY_OF_LAYER_PATH.get(exc.key or "plan", exc.key or "plan"), exc.message_en, exc.message_zh
    except RulesError as exc:
        key = exc.key or "plan"
        return _PLAN_KEY_OF_LAYER_PATH.get(key, key), exc.message, f"规则引擎不接受本计划生成的规则层：{exc.message}"
    return None


__all__ = ["layer_refusal", "layer_scope", "plan_to_layer", "provincial_floor"]
