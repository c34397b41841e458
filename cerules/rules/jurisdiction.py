"""What each rank of layer may set, checked when rules are loaded.

The notice gives the jurisdictions: a city bureau sets the public-subject rules of its own
city-level staff (§2(2)); a provincial industry department sets professional-subject rules for
the people of its field (§3(2)); neither may go below the provincial floor; a draft may set
anything. Two layers of the same rank that set the same value for the same people are a
conflict: an error naming both, never "whichever loaded last".
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from .files import RulesError
from .model import Layer
from .schema import requirement_of

SUBJECT_OF_RANK = {"city": "public", "department": "professional"}
FIELD_KEYS = ("title_series", "industry", "specialty")


def describe(layer: Layer) -> str:
    """`'qingdao' (plugin cerules-qingdao, /path/qingdao-2023.toml)`."""
    return f"'{layer.id}' (plugin {layer.plugin or '-'}, {layer.file})"


def check_layers(layers: Sequence[Layer]) -> None:
    """Refuse layers that step outside their jurisdiction, lower a floor or conflict."""
    provincial = [layer for layer in layers if layer.rank == "province"]
    for layer in layers:
        check_jurisdiction(layer)
        check_floors(layer, provincial)
    check_conflicts(layers)


def check_jurisdiction(layer: Layer) -> None:
    subject = SUBJECT_OF_RANK.get(layer.rank)
    if subject is None:
        return
    if layer.rank == "city":
        if not layer.scope.get("city") or layer.scope.get("unit_level") != {"city"}:
            raise RulesError(
                layer.file,
                "layer.scope",
                f"city layer {describe(layer)} must be scoped to its city's city-level staff, "
                'e.g. scope = { city = ["370200"], unit_level = ["city"] } (SD-2023 §2(2))',
            )
    elif not any(layer.scope.get(key) for key in FIELD_KEYS):
        raise RulesError(
            layer.file,
            "layer.scope",
            f"department layer {describe(layer)} must name the people of its field: title_series, industry or specialty (SD-2023 §3(2))",
        )
    for path in layer.parameters:
        if path.split(".")[0] != subject:
            raise RulesError(
                layer.file,
                path,
                f"a {layer.rank} layer sets {subject} subjects only; {describe(layer)} may not set '{path}'",
            )
        if path == f"{subject}.required":
            raise RulesError(
                layer.file,
                path,
                f"the {subject} requirement is measured in hours; add a requirement of another unit "
                f"under it (e.g. '{subject}.cme') instead",
            )
    for code, course in layer.catalog.entries("courses").items():
        if course.subject != subject:
            raise RulesError(layer.file, f"catalog.courses.{code}.subject", f"a {layer.rank} layer lists {subject}-subject courses only")


def check_floors(layer: Layer, provincial: Sequence[Layer]) -> None:
    """A city or department layer may raise the provincial hours, never lower them."""
    if layer.rank not in SUBJECT_OF_RANK:
        return
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
                            f"{describe(layer)} may not lower the provincial floor of {floor.value} ({floor.citation}) to {variant.value}",
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
                            f"conflict: layers {describe(first)} and {describe(second)} of rank {first.rank} "
                            f"both set '{path}' for the same people; narrow one layer's scope or merge them",
                        )
        courses = set(first.catalog.entries("courses")) & set(second.catalog.entries("courses"))
        if courses and first.scope.overlaps(second.scope):
            code = sorted(courses)[0]
            raise RulesError(
                second.file,
                f"catalog.courses.{code}",
                f"conflict: layers {describe(first)} and {describe(second)} both list course '{code}' for the same people",
            )
