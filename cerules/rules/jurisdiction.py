"""What each rank of layer may set, checked when rules are loaded.

The notice gives the jurisdictions: a city bureau sets the public-subject rules of its own
city-level staff (§2(2)); a provincial industry department sets professional-subject rules for
the people of its field (§3(2)); neither may go below the provincial floor; a draft may set
anything. Two layers of the same rank that set the same value for the same people are a
conflict: an error naming both, never "whichever loaded last".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

from ..base.text import Text
from .files import RulesError
from .model import Layer
from .schema import PROFESSIONAL, PUBLIC, requirement_of, unit_name

SUBJECT_OF_RANK = {"city": PUBLIC, "department": PROFESSIONAL}
RANK_ZH = {"province": "省级", "city": "市级", "department": "行业部门", "draft": "草案"}
FIELD_KEYS = ("title_series", "industry", "specialty")


def describe(layer: Layer) -> str:
    """`'qingdao' (plugin cerules-qingdao, /path/qingdao-2023.toml)`."""
    return f"'{layer.id}' (plugin {layer.plugin or '-'}, {layer.file})"


def describe_zh(layer: Layer) -> str:
    """`'qingdao'（插件 cerules-qingdao，/path/qingdao-2023.toml）`."""
    return f"'{layer.id}'（插件 {layer.plugin or '-'}，{layer.file}）"


def check_layers(layers: Sequence[Layer]) -> None:
    """Refuse layers that step outside their jurisdiction, lower a floor or conflict."""
    provincial = [layer for layer in layers if layer.rank == "province"]
    subjects = {code: entry.name for layer in layers for code, entry in layer.catalog.entries("subjects").items()}
    for layer in layers:
        check_jurisdiction(layer, subjects)
        check_floors(layer, provincial)
    check_conflicts(layers)
    check_units(layers)


def check_jurisdiction(layer: Layer, subjects: Mapping[str, Text] | None = None) -> None:
    """A city layer sets its city staff's public subjects, a department its field's professional ones.

    `subjects` names the subjects in messages (the rule catalogue's names; the code otherwise).
    """
    subject = SUBJECT_OF_RANK.get(layer.rank)
    if subject is None:
        return
    if layer.rank == "city":
        if not layer.scope.get("city") or layer.scope.get("unit_level") != {"city"}:
            raise RulesError(
                layer.file,
                "layer.scope",
                f"市级规则层 {describe_zh(layer)} 的范围须为本市的市属单位人员，"
                '例如 scope = { city = ["370200"], unit_level = ["city"] }（SD-2023 §2(2)）',
                f"city layer {describe(layer)} must be scoped to its city's city-level staff, "
                'e.g. scope = { city = ["370200"], unit_level = ["city"] } (SD-2023 §2(2))',
            )
    elif not any(layer.scope.get(key) for key in FIELD_KEYS):
        raise RulesError(
            layer.file,
            "layer.scope",
            f"行业部门规则层 {describe_zh(layer)} 须指明本行业的人员：title_series、industry 或 specialty（SD-2023 §3(2)）",
            f"department layer {describe(layer)} must name the people of its field: title_series, industry or specialty (SD-2023 §3(2))",
        )
    rank_zh = RANK_ZH[layer.rank]
    subject_zh = (subjects or {}).get(subject, Text(subject, subject)).zh
    for path in layer.parameters:
        if path.split(".")[0] != subject:
            raise RulesError(
                layer.file,
                path,
                f"{rank_zh}规则层只能设定{subject_zh}；{describe_zh(layer)} 不能设定 '{path}'",
                f"a {layer.rank} layer sets {subject} subjects only; {describe(layer)} may not set '{path}'",
            )
        if path == f"{subject}.required":
            raise RulesError(
                layer.file,
                path,
                f"{subject_zh}要求按学时计；其他单位的要求请设在其下（例如 '{subject}.cme'）",
                f"the {subject} requirement is measured in hours; add a requirement of another unit "
                f"under it (e.g. '{subject}.cme') instead",
            )
    for code, course in layer.catalog.entries("courses").items():
        if course.subject != subject:
            raise RulesError(
                layer.file,
                f"catalog.courses.{code}.subject",
                f"{rank_zh}规则层只能列出{subject_zh}课程",
                f"a {layer.rank} layer lists {subject}-subject courses only",
            )


def check_floors(layer: Layer, provincial: Sequence[Layer]) -> None:
    """A city or department layer may raise the provincial hours, never lower them; nor may it
    lower them by counting a provincial requirement over a longer window or another cycle."""
    if layer.rank not in SUBJECT_OF_RANK:
        return
    _check_windows(layer, provincial)
    for path, variants in layer.parameters.items():
        requirement = requirement_of(path)
        if requirement is None or "." in requirement:
            continue  # further requirements are additions, not floors
        for variant in variants:
            people = layer.scope.intersect(variant.when)
            for province in provincial:
                for floor in province.parameters.get(path, ()):
                    if people.overlaps(province.scope.intersect(floor.when)) and variant.value < floor.value:
                        raise RulesError(
                            layer.file,
                            path,
                            f"{describe_zh(layer)} 不能把省级下限 {floor.value}（{floor.citation}）降低为 {variant.value}",
                            f"{describe(layer)} may not lower the provincial floor of {floor.value} ({floor.citation}) to {variant.value}",
                        )


def _check_windows(layer: Layer, provincial: Sequence[Layer]) -> None:
    """The window of a requirement the province sets stays the province's (a wider one lowers the hours)."""
    for path, variants in layer.parameters.items():
        requirement, _, name = path.rpartition(".")
        if name not in ("window_years", "cycle_start") or "." in requirement:
            continue
        for province in provincial:
            if not any(requirement_of(key) == requirement for key in province.parameters):
                continue
            floor = province.parameters.get(path, ())
            same = (
                all(any(value.value == given.value for value in floor) for given in variants)
                if floor
                else name == "window_years" and all(given.value == 1 for given in variants)
            )
            if not same:
                raise RulesError(
                    layer.file,
                    path,
                    f"{describe_zh(layer)} 不能改变省级要求 '{requirement}' 的计算期（更长的计算期即降低了年度下限）",
                    f"{describe(layer)} may not change the window of the provincial requirement '{requirement}' "
                    "(a longer window lowers the yearly floor)",
                )


def _measures(layer: Layer) -> dict[str, tuple[str | None, str, str]]:
    """Each requirement a layer measures: id → (unit, the key that says so, the amount key). The
    unit is None for `required` without a `unit` in this layer: it keeps the unit set below."""
    found: dict[str, tuple[str | None, str, str]] = {}
    for path in layer.parameters:
        requirement = requirement_of(path)
        if requirement is None:
            continue
        amount = path.rpartition(".")[2]
        if requirement in found and found[requirement][2] != amount:
            raise RulesError(
                layer.file,
                path,
                f"要求 '{requirement}' 只能用 required_hours 或 required（加 unit）之一来设定，不能两者都用",
                f"the requirement '{requirement}' is set by required_hours or by required (with a unit), never both",
            )
        if amount == "required_hours":
            found[requirement] = ("hours", path, amount)
        else:
            unit = layer.units.get(requirement)
            found[requirement] = (unit, f"{requirement}.unit" if unit else path, amount)
    for requirement, unit in layer.units.items():
        if requirement in found:
            if found[requirement][2] == "required_hours" and unit != "hours":
                raise RulesError(
                    layer.file,
                    f"{requirement}.unit",
                    f"要求 '{requirement}' 由 required_hours 设定，按学时计，不能是 {unit}",
                    f"the requirement '{requirement}' is set by required_hours, so it is counted in hours, not {unit}",
                )
        else:
            found[requirement] = (unit, f"{requirement}.unit", "")
    return found


def check_units(layers: Sequence[Layer]) -> None:
    """A requirement keeps its unit and its amount key (`required_hours` or `required`) through every
    layer: a higher layer may change how much is required, never what it is counted in (a draft
    setting `public.required` in credits beside the province's `public.required_hours` would
    report credits as hours)."""
    first: dict[str, tuple[Layer, tuple[str, str, str]]] = {}
    for layer in layers:
        for requirement, measure in _measures(layer).items():
            if requirement not in first:
                first[requirement] = (layer, (measure[0] or "hours", measure[1], measure[2]))
                continue
            earlier, (unit, key, amount) = first[requirement]
            if measure[0] is not None and measure[0] != unit:
                unit_zh, other_zh = unit_name(unit).zh, unit_name(measure[0]).zh
                key = f"{requirement}.{amount}" if amount else key
                raise RulesError(
                    layer.file,
                    measure[1],
                    f"要求 '{requirement}' 由 {describe_zh(earlier)} 以 '{key}' 设定，按{unit_zh}计；"
                    f"{describe_zh(layer)} 不能改为以 '{measure[1]}' 按{other_zh}计，请设定 '{key}'",
                    f"the requirement '{requirement}' is counted in {unit} as {describe(earlier)} sets it ('{key}'); "
                    f"{describe(layer)} may not count it in {measure[0]} through '{measure[1]}': set '{key}' instead",
                )
            if amount and measure[2] and measure[2] != amount:
                key = f"{requirement}.{amount}"
                raise RulesError(
                    layer.file,
                    measure[1],
                    f"要求 '{requirement}' 由 {describe_zh(earlier)} 以 '{key}' 设定；"
                    f"{describe_zh(layer)} 须同样设定 '{key}'，不能用 '{measure[1]}'",
                    f"the requirement '{requirement}' is set through '{key}' by {describe(earlier)}; "
                    f"{describe(layer)} must set '{key}' too, not '{measure[1]}'",
                )


def check_conflicts(layers: Sequence[Layer]) -> None:
    """Two layers of one rank may not set the same value, or list one course, for the same people."""
    for first, second in combinations(sorted(layers, key=lambda layer: layer.id), 2):
        if first.rank != second.rank:
            continue
        for path in sorted(set(first.parameters) & set(second.parameters)):
            for a in first.parameters[path]:
                for b in second.parameters[path]:
                    if first.scope.intersect(a.when).overlaps(second.scope.intersect(b.when)):
                        raise RulesError(
                            second.file,
                            path,
                            f"冲突：同为{RANK_ZH[first.rank]}的规则层 {describe_zh(first)} 和 {describe_zh(second)} "
                            f"都为同一批人设定了 '{path}'；请缩小其中一层的范围或将两层合并",
                            f"conflict: layers {describe(first)} and {describe(second)} of rank {first.rank} "
                            f"both set '{path}' for the same people; narrow one layer's scope or merge them",
                        )
        courses = set(first.catalog.entries("courses")) & set(second.catalog.entries("courses"))
        if courses and first.scope.overlaps(second.scope):
            code = sorted(courses)[0]
            raise RulesError(
                second.file,
                f"catalog.courses.{code}",
                f"冲突：规则层 {describe_zh(first)} 和 {describe_zh(second)} 都为同一批人列出了课程 '{code}'",
                f"conflict: layers {describe(first)} and {describe(second)} both list course '{code}' for the same people",
            )
