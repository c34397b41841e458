"""One person under the draft and under the baseline: what a policy-maker opens to see why somebody flips.

Only that person's rows are evaluated (the kernel on a cohort of one), so looking somebody up costs the
same in a cohort of 40 as in one of 400,000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..evaluation.cohort import evaluate
from ..inputs.columns import as_arrow
from ..inputs.table import Table
from ..render.html import e

if TYPE_CHECKING:
    from ..rules.ruleset import RuleSet
    from ..whatif.impact import Baseline, Impact

CHOICES = 500
"""People offered by name in the person box (those whose verdict changes first); any other id can be typed."""


def _rows_of(table: Table, person_id: str) -> Table:
    """The rows of a table that belong to one person, with their source lines."""
    ids = pc.utf8_trim_whitespace(as_arrow(table.column("person_id")))
    rows = np.flatnonzero(pc.fill_null(pc.equal(ids, person_id), False).to_numpy(zero_copy_only=False))
    taken = pa.array(rows, type=pa.int64())
    columns = {name: column.take(taken) if isinstance(column, pa.Array) else column[rows] for name, column in table.columns.items()}
    return Table(table.path, columns, table.lines[rows])


def person_choices(impact: Impact) -> list[str]:
    """Ids to offer: the people whose verdict changes, then the others, at most `CHOICES`."""
    flipped = impact.before != impact.after
    first = impact.person_id[flipped][:CHOICES]
    rest = impact.person_id[~flipped][: CHOICES - len(first)]
    return [str(person_id) for person_id in (*first, *rest)]


def person_cards_html(baseline: Baseline, rules: RuleSet, draft_rules: RuleSet, person_id: str) -> str:
    """The person's card under the draft, then under the baseline (`cerules.render.html.person_html`)."""
    person_id = person_id.strip()
    if not person_id:
        return ""
    persons = _rows_of(baseline.person_table, person_id)
    if len(persons) == 0:
        return f"<p>没有编号为 <code>{e(person_id)}</code> 的人员 · no person with the id <code>{e(person_id)}</code></p>"
    records = _rows_of(baseline.record_table, person_id)
    cards: list[Any] = []
    for title, chosen in (("草案 draft", draft_rules), ("现行规则 baseline", rules)):
        try:
            card = evaluate(chosen, persons, records).person(person_id)._repr_html_()
        except KeyError:  # a row that could not be used (a bad city, say): the evaluation says why elsewhere
            card = f"<p>无法评估此人员 · this person cannot be evaluated: <code>{e(person_id)}</code></p>"
        cards.append(f"<div class='cerules-person-under'><p><b>{title}</b></p>{card}</div>")
    return "".join(cards)
