"""Words for coded values, read from the rules' own tables rather than written again in each view.

Unit levels come from `rules.vocabulary.UNIT_LEVELS` and cities from `rules.regions`; subjects and
units are named by the rules themselves (`RuleSet.subject_name`, `rules.schema.unit_name`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..rules.model import Profile, Provenance, Text
from ..rules.shipped import city_name
from ..rules.vocabulary import UNIT_LEVELS

if TYPE_CHECKING:
    from ..kernel.compile import CompiledPolicies

UNIT_LEVEL_ORDER = ("city", "province")
"""The order unit levels are listed in: city units, then provincial units."""


def unit_level_name(code: str | None, lang: str = "zh", *, plural: bool = False) -> str:
    """A unit level as people read it (`市属`, `city unit`, `city units`); the code itself when unknown."""
    label = UNIT_LEVELS.get(code) if code is not None else None
    if label is None:
        return str(code)
    if lang == "zh":
        return label.zh
    return label.en + "s" if plural else label.en


def unit_level_choice(code: str) -> str:
    """A unit level in both languages, as a chooser offers it (`市属 city units`)."""
    return f"{unit_level_name(code)} {unit_level_name(code, 'en', plural=True)}"


def layer_name(provenance: Provenance) -> str:
    """The layer that set a value, and its plugin when a plugin gave it (`qingdao [cerules-qingdao]`)."""
    return provenance.layer + (f" [{provenance.plugin}]" if provenance.plugin else "")


def profile_name(profile: Profile, lang: str = "en") -> str:
    """Whom a profile stands for: city (or the whole province), unit level, then any other attributes."""
    parts = [city_name(profile.city, lang) if profile.city else ("全省" if lang == "zh" else "any city")]
    parts.append(unit_level_name(profile.unit_level, lang, plural=True))
    parts += [str(value) for value in (profile.title_series, profile.industry, profile.specialty) if value]
    return " ".join(parts) if lang == "zh" else ", ".join(parts)


def requirement_names(compiled: CompiledPolicies, first: Iterable[int] = ()) -> dict[str, tuple[Text, str]]:
    """Each requirement id with its label and unit as the rules give them (`公需科目`, `hours`): from the
    policies of the profiles in `first`, then from any policy that has it."""
    found: dict[str, tuple[Text, str]] = {}
    for profile in [*first, *range(len(compiled.policies))]:
        for requirement in compiled.policies[profile].requirements:
            found.setdefault(requirement.id, (requirement.label, requirement.unit))
    return found
