"""What a draft changes: resolved values that differ between two rule sets, for whom, and who set them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import product
from typing import Any

import attrs

from ..render.html import changes_html
from ..render.table import change_text, changes_text
from ..rules.model import SCOPE_KEYS, Profile, Provenance, Scope
from ..rules.ruleset import RuleSet
from .paths import scope_words
from .problems import DraftError, DraftProblem


@attrs.frozen
class Change:
    """One resolved value that differs between two rule sets, for some profiles."""

    path: str
    before: Any
    """The value before (None when the baseline does not set it)."""
    after: Any
    """The value after (None when the draft rules do not set it)."""
    provenance: Provenance | None
    """Where the value after comes from (layer, file, citation); None when removed."""
    before_provenance: Provenance | None
    profiles: tuple[Profile, ...]
    """The profiles compared for which this change holds."""

    def text(self, lang: str = "en") -> str:
        return change_text(self, lang)

    def to_dict(self) -> dict[str, Any]:
        """The change as plain data (JSON): the path, both values, who set each, and for whom."""

        def provenance(p: Provenance | None) -> dict[str, Any] | None:
            return None if p is None else {"layer": p.layer, "rank": p.rank, "file": p.file, "citation": p.citation, "plugin": p.plugin}

        return {
            "path": self.path,
            "before": shown_value(self.before),
            "after": shown_value(self.after),
            "set_by": provenance(self.provenance),
            "before_set_by": provenance(self.before_provenance),
            "profiles": [{key: profile.get(key) for key in SCOPE_KEYS if profile.get(key) is not None} for profile in self.profiles],
        }


class Changes(list[Change]):
    """Changes of resolved values, shown as text (`str`) or a table in notebooks."""

    def text(self, lang: str = "en") -> str:
        return changes_text(self, lang)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return changes_html(self)


def shown_value(value: Any) -> Any:
    """A resolved value as drafts and diffs give it back: lists, not tuples."""
    return list(value) if isinstance(value, tuple) else value


def profiles_of(scope: Scope | Mapping[str, Iterable[str]] | None) -> tuple[Profile, ...]:
    """Representative profiles of a scope: every combination of the values it lists.

    Attributes the scope does not list are left open (no city, no title series…), except the
    unit level, which takes both `city` and `province` since the provincial rules tell them apart.
    """
    if scope is None:
        scope = Scope()
    if not isinstance(scope, Scope):
        problems: list[DraftProblem] = []
        words = scope_words(dict(scope), "scope", problems)
        if problems:
            raise DraftError(problems)
        excluded = words.pop("except", None)
        scope = Scope.of(words, excluded)
    excluded = dict(scope.excluded)
    choices: list[list[str | None]] = []
    for key in SCOPE_KEYS:
        listed = scope.get(key)
        if listed is None:
            options: list[str | None] = ["city", "province"] if key == "unit_level" else [None]
        else:
            options = sorted(listed - excluded.get(key, frozenset()))
        choices.append([o for o in options if o is None or o not in excluded.get(key, frozenset())])
    profiles = [Profile(**dict(zip(SCOPE_KEYS, combo, strict=True))) for combo in product(*choices)]  # type: ignore[arg-type]
    return tuple(p for p in profiles if scope.matches(p))


def _target_profiles(baseline: RuleSet, draft_rules: RuleSet, target: Any) -> tuple[Profile, ...]:
    if isinstance(target, Profile):
        return (target,)
    if isinstance(target, (Scope, Mapping)):
        return profiles_of(target)
    if target is not None:
        return tuple(target)
    known = {id(layer) for layer in baseline.layers}
    found: dict[Profile, None] = {}
    for layer in draft_rules.layers:
        if id(layer) in known:
            continue
        scopes = [layer.scope.intersect(value.when) for _, value in layer.cited_values()] or [layer.scope]
        for scope in scopes:
            found.update(dict.fromkeys(profiles_of(scope)))
    return tuple(found) or profiles_of(None)


def diff(baseline: RuleSet, draft_rules: RuleSet, target: Any = None) -> Changes:
    """Resolved values that differ between two rule sets, with where the new value comes from.

    `target` says for whom to compare: a Profile, a scope (a Scope or a mapping such as
    `{"city": ["青岛"], "unit_level": ["市属"]}`, compared for each combination it lists), a
    sequence of profiles, or None for the people the draft layers cover. A change that holds
    for several of the profiles is listed once, with all of them.
    """
    merged: dict[tuple[str, Any, Any, Provenance | None], list[Profile]] = {}
    order: list[tuple[str, Any, Any, Provenance | None]] = []
    before_of: dict[tuple[str, Any, Any, Provenance | None], Provenance | None] = {}
    for profile in _target_profiles(baseline, draft_rules, target):
        old, new = baseline.resolve(profile).values, draft_rules.resolve(profile).values
        for path in sorted(set(old) | set(new)):
            was, now = old.get(path), new.get(path)
            if was is not None and now is not None and was.value == now.value and was.provenance == now.provenance:
                continue
            before = None if was is None else shown_value(was.value)
            after = None if now is None else shown_value(now.value)
            if before == after and (was is None) == (now is None):
                continue  # the same value restated by another layer: not a change people feel
            key = (path, _hashable(before), _hashable(after), now.provenance if now else None)
            if key not in merged:
                merged[key] = []
                order.append(key)
                before_of[key] = was.provenance if was else None
            merged[key].append(profile)
    changes = Changes()
    for key in sorted(order, key=lambda k: (k[0], order.index(k))):
        path, before, after, provenance = key
        changes.append(Change(path, _unhashable(before), _unhashable(after), provenance, before_of[key], tuple(merged[key])))
    return changes


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _unhashable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


__all__ = ["Change", "Changes", "diff", "profiles_of"]
