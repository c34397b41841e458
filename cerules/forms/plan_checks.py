"""Checking a study plan against Annex 1 and the notice: every `Finding`, each with its key and clause.

Parts missing, hours below the provincial floor, bad site addresses, a scope the engine does not
know, a late submission, and finally whether the engine accepts the plan's rule layer.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import attrs

from ..rules import available_years
from ..rules.ruleset import RuleSet
from .framework import Finding, FindingList, FormError, Moment, has_errors
from .plan_layer import layer_refusal, layer_scope, provincial_floor
from .plans import CITE_DEADLINE, CITE_DEPARTMENT, CITE_FLOOR, CITE_PART, PART_NAMES, PARTS, StudyPlan, Vocabulary, submission_deadline
from .validators import url_problem

_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
_PART_EN = {
    "scope": "the scope",
    "content": "the content",
    "hours": "the hours",
    "form": "the form of study",
    "other": PART_NAMES["other"].en,
}
_ORDINALS = "一二三四五"
_ORGANISATION_CHOICES = (("province-wide", "全省统一组织"), ("level-by-level", "分级组织"))
_MODE_CHOICES = (("online", "远程"), ("offline", "线下"))
_SITE_KIND_CHOICES = (("recommended", "推荐"), ("self-built", "自建"))


def check_plan(
    plan: StudyPlan,
    *,
    submitted_at: Any = None,
    known: Vocabulary | None = None,
    rules: RuleSet | None = None,
) -> list[Finding]:
    """Every problem in a plan, errors first in the order of the file, then warnings.

    `submitted_at` (a date-time, ISO text or `Moment`; naive means Shanghai time) is checked
    against the end-of-April deadline; without it, the plan's own `plan.submitted_at`, if any.
    `known` is the vocabulary of title series and industries (default: the shipped one).
    `rules` is the rule set the plan's layer must fit into (default: the provincial rules of the
    plan's year alone).
    """
    known = known or Vocabulary.default()
    found = FindingList(plan.file)
    _check_meta(plan, found)
    if _part_present(plan, found, "scope"):
        _check_scope(plan, found, known)
    if _part_present(plan, found, "content"):
        _check_content(plan, found)
    floor_known = _part_present(plan, found, "hours") and _check_hours(plan, found)
    if _part_present(plan, found, "form"):
        _check_form(plan, found)
    if _part_present(plan, found, "other") and not plan.other:
        found.missing(
            "other.text",
            "plan.other.text",
            "the text of the other matters (write 无 when there are none)",
            "其他事项的内容（没有可写“无”）",
            CITE_PART["other"],
        )
    _check_deadline(plan, found, submitted_at)
    if not has_errors(found) and floor_known and (refusal := layer_refusal(plan, rules)):
        key, en, zh = refusal
        found.error(key, "plan.layer", f"the engine refuses the plan's rule layer: {en}", zh, CITE_DEPARTMENT)
    return found.in_order()


def _part_present(plan: StudyPlan, found: FindingList, part: str) -> bool:
    """True when the plan has the part; otherwise a `plan.part-missing` error naming it."""
    present = plan.other_present if part == "other" else getattr(plan, part) is not None
    if not present:
        number = PARTS.index(part)
        what_en = f"part {number + 1}, {_PART_EN[part]} ([{part}])"
        found.missing(part, "plan.part-missing", what_en, f"第{_ORDINALS[number]}部分“{PART_NAMES[part].zh}”（[{part}]）", CITE_PART[part])
    return present


def _check_meta(plan: StudyPlan, found: FindingList) -> None:
    if plan.id is None:
        found.missing("plan.id", "plan.meta", "the plan's id (e.g. health-2023)", "计划标识 id（如 health-2023）", None)
    elif not _ID.fullmatch(plan.id):
        en = f"an id is lower-case letters, digits, - and _, got {plan.id!r}"
        found.error("plan.id", "plan.meta", en, f"标识只能由小写字母、数字、- 和 _ 组成，实为 {plan.id!r}")
    if plan.year is None:
        found.missing("plan.year", "plan.meta", "the year the plan is for", "计划所属年度 year", None)
    elif not 2000 <= plan.year <= 2100:
        found.error("plan.year", "plan.meta", f"expected a year such as 2023, got {plan.year}", f"年度应如 2023，实为 {plan.year}")
    if plan.department is None:
        what_zh = "制定计划的省级行业主管部门 department"
        found.missing("plan.department", "plan.meta", "the department that issues the plan", what_zh, CITE_DEPARTMENT)
    if plan.title is None:
        found.missing("plan.title", "plan.meta", "the plan's title", "计划名称 title", None)
    if plan.published_url is not None:
        found.problem("plan.published_url", "plan.url", url_problem(plan.published_url), CITE_DEPARTMENT)


def _check_scope(plan: StudyPlan, found: FindingList, known: Vocabulary) -> None:
    assert plan.scope is not None
    scope = plan.scope
    cite = CITE_PART["scope"]
    if not (scope.title_series or scope.industries or scope.specialties):
        found.error(
            "scope",
            "plan.scope.empty",
            "the scope names no title series, industry or specialty: the plan would cover nobody in particular",
            "范围未列出任何职称系列、行业或专业，计划无法确定适用人员",
            f"{cite}; {CITE_DEPARTMENT}",
        )
    for key, values in attrs.asdict(scope, recurse=False).items():
        seen: set[str] = set()
        for index, value in enumerate(values):
            where = f"scope.{key}[{index}]"
            if not value:
                found.error(where, "plan.scope.blank", "an empty entry", "空白条目", cite)
            elif value in seen:
                found.warning(where, "plan.scope.duplicate", f"{value!r} is listed twice", f"{value!r} 重复列出", cite)
            seen.add(value)
    names = "、".join(sorted(known.title_series))
    for index, series in enumerate(scope.title_series):
        if series and series not in known.title_series:
            alias = known.aliases.get(series)
            found.error(
                f"scope.title_series[{index}]",
                "plan.scope.title-series",
                f"unknown title series {series!r}; the engine knows {names}"
                + (f"; write {alias!r}, the engine's word for it" if alias is not None else ""),
                f"未知的职称系列 {series!r}；引擎已知：{names}" + (f"；应写作引擎使用的名称 {alias!r}" if alias is not None else ""),
                cite,
            )
    names = "、".join(sorted(known.industries))
    for index, industry in enumerate(scope.industries):
        if industry and industry not in known.industries:
            found.warning(
                f"scope.industries[{index}]",
                "plan.scope.industry",
                f"industry {industry!r} is not one the engine knows ({names}); only people whose data uses this word will be covered",
                f"行业 {industry!r} 不在引擎已知行业中（{names}）；只有数据中行业填写相同的人员才适用本计划",
                cite,
            )


def _check_content(plan: StudyPlan, found: FindingList) -> None:
    assert plan.content is not None
    cite = CITE_PART["content"]
    if not plan.content.summary:
        found.missing("content.summary", "plan.content.summary", "a summary of what is to be learnt", "学习内容概述 summary", cite)
    for index, topic in enumerate(plan.content.topics):
        if not topic:
            found.error(f"content.topics[{index}]", "plan.content.topics", "an empty topic", "空白的学习专题", cite)


def _check_hours(plan: StudyPlan, found: FindingList) -> bool:
    """Check part 3; True when the provincial floor was known (so the layer can be checked)."""
    assert plan.hours is not None
    cite = CITE_PART["hours"]
    required = plan.hours.required
    if required is None:
        found.missing("hours.required", "plan.hours.required", "the professional-subject hours a year", "每年专业科目学时 required", cite)
    elif required <= 0 or required != required.quantize(Decimal("0.01")):
        en = f"expected a number of hours > 0 with at most two decimals, got {required}"
        found.error("hours.required", "plan.hours.required", en, f"学时应为大于 0、至多两位小数的数，实为 {required}", cite)
    floor_known = True
    if plan.year is not None and 2000 <= plan.year <= 2100:
        floor = provincial_floor(plan.year, layer_scope(plan))
        if floor is None:
            floor_known = False
            shipped = ", ".join(map(str, available_years()))
            found.warning(
                "plan.year",
                "plan.hours.no-floor",
                f"no provincial rules for {plan.year} ship with this engine ({shipped}): hours and layer are not checked against them",
                f"本引擎没有 {plan.year} 年度全省规则（已有：{shipped}），未能核对学时下限和规则层",
                CITE_FLOOR,
            )
        elif required is not None and required < floor[0]:
            hours, least = _plain(required), _plain(floor[0])
            en = f"{hours} hours are below the provincial professional-subject floor of {least} hours"
            found.error("hours.required", "plan.hours.floor", en, f"{hours} 学时低于全省专业科目每年不少于 {least} 学时的要求", floor[1])
    deadline = plan.hours.deadline
    if deadline is not None and plan.year is not None and deadline.date.year != plan.year:
        en = f"the last day for learning ({deadline}) is not in the plan's year {plan.year}"
        found.error("hours.deadline", "plan.hours.deadline", en, f"学习截止日期（{deadline}）不在计划年度 {plan.year} 内", cite)
    return floor_known


def _check_form(plan: StudyPlan, found: FindingList) -> None:
    assert plan.form is not None
    cite = CITE_PART["form"]
    form = plan.form
    if form.organisation is None:
        found.missing(
            "form.organisation",
            "plan.form.organisation",
            'how it is organised: "province-wide" or "level-by-level"',
            "组织方式：全省统一组织（province-wide）或分级组织（level-by-level）",
            cite,
        )
    else:
        found.one_of("form.organisation", "plan.form.organisation", form.organisation, _ORGANISATION_CHOICES, "组织方式", cite)
    if not form.modes:
        found.missing(
            "form.modes",
            "plan.form.modes",
            'the modes of study: "online" (remote), "offline" or both',
            "学习方式：远程（online）、线下（offline）或两者",
            cite,
        )
    for index, mode in enumerate(form.modes):
        found.one_of(f"form.modes[{index}]", "plan.form.modes", mode, _MODE_CHOICES, "学习方式", cite)
    urls: dict[str, int] = {}
    for index, site in enumerate(form.sites):
        where = f"form.sites[{index}]"
        if not site.name:
            found.missing(f"{where}.name", "plan.form.site-name", "the site's name", "学习网站名称 name", cite)
        if not site.url:
            found.missing(f"{where}.url", "plan.form.site-url", "the site's web address", "学习网站网址 url", cite)
        elif problem := url_problem(site.url):
            found.error(f"{where}.url", "plan.form.site-url", f"{site.url!r}: {problem[0]}", f"{site.url!r}：{problem[1]}", cite)
        elif site.url in urls:
            first = f"form.sites[{urls[site.url]}]"
            found.warning(f"{where}.url", "plan.form.site-url", f"the same address as {first}", f"与 {first} 网址相同", cite)
        else:
            urls[site.url] = index
        if site.kind is None:
            found.missing(
                f"{where}.kind",
                "plan.form.site-kind",
                'whether the site is "recommended" (推荐) or "self-built" (自建)',
                "网站类别：推荐（recommended）或自建（self-built）",
                cite,
            )
        else:
            found.one_of(f"{where}.kind", "plan.form.site-kind", site.kind, _SITE_KIND_CHOICES, "网站类别", cite)
    if "online" in form.modes and not form.sites:
        found.warning(
            "form.sites",
            "plan.form.no-site",
            "remote learning is planned but no learning site is given: learners cannot tell where to study",
            "计划采用远程学习，但未给出学习网站网址，学员无从得知在何处学习",
            f"{cite}; {CITE_DEPARTMENT}",
        )


def _check_deadline(plan: StudyPlan, found: FindingList, submitted_at: Any) -> None:
    key = "plan.submitted_at"
    moment = plan.submitted_at
    if submitted_at is not None:
        key = "--submitted-at"
        try:
            moment = Moment.of(submitted_at)
        except (TypeError, ValueError) as exc:
            raise FormError(getattr(exc, "zh", str(exc)), str(exc), file=plan.file, key=key) from None
    if moment is None or plan.year is None:
        return
    if moment.last >= submission_deadline(plan.year):
        shown = moment.start.format("YYYY-MM-DD HH:mm:ss") if not moment.date_only else moment.iso()
        found.error(
            key,
            "plan.deadline",
            f"submitted {shown} (Asia/Shanghai), after the deadline: plans are due by the end of April {plan.year}",
            f"报送时间 {shown}（北京时间）晚于截止时间：学习计划应于 {plan.year} 年 4 月底前报送",
            CITE_DEADLINE,
        )


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


__all__ = ["check_plan"]
