"""The explorer's headline figures, shown beside the sliders so that a change and its effect are seen together:
compliant before → after, the flips, the records that change, and the cities whose compliance moves.

The long tables stay in the impact tab (`cerules.render.html.explorer_impact_html`); this is the short view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..render.html import FAIL, PASS, e
from ..render.text import percent

if TYPE_CHECKING:
    from ..whatif.impact import Impact

CITIES_SHOWN = 8
"""Cities listed by name at most; the rest are counted."""


def _signed(number: int) -> str:
    colour = FAIL if number < 0 else PASS if number > 0 else "inherit"
    return f"<span style='color:{colour}'>{number:+d}</span>"


def _moved_cities(impact: Impact) -> list[dict[str, Any]]:
    """Cities where someone flips, most flips first (then in the table's order)."""
    rows = [row for row in impact.by("city").rows() if row["pass_to_fail"] or row["fail_to_pass"]]
    return sorted(rows, key=lambda row: -(row["pass_to_fail"] + row["fail_to_pass"]))


def headline_html(impact: Impact) -> str:
    """The figures that answer "what does this change do?" at a glance, in both languages."""
    s = impact.summary()
    people = s["people"]
    change = s["compliant_after"] - s["compliant_before"]
    compliant = (
        "<div class='cerules-figure'><div class='cerules-figure-name'>达标人数 compliant</div>"
        f"<div class='cerules-figure-value' data-figure='compliant'>{s['compliant_before']} → <b>{s['compliant_after']}</b>"
        f" / {people} ({_signed(change)})</div>"
        f"<div class='cerules-figure-note'>达标率 rate {percent(s['rate_before'])} → {percent(s['rate_after'])}</div></div>"
    )
    flips = (
        "<div class='cerules-figure'><div class='cerules-figure-name'>结论改变 verdicts that change</div>"
        f"<div class='cerules-figure-value' data-figure='flips'>达标→未达标 pass→fail <b style='color:{FAIL}'>{s['pass_to_fail']}</b>"
        f" · 未达标→达标 fail→pass <b style='color:{PASS}'>{s['fail_to_pass']}</b></div>"
        f"<div class='cerules-figure-note'>认定结果改变的记录 records changed: {s['records_changed']} / {s['records']}</div></div>"
    )
    moved = _moved_cities(impact)
    if moved:
        rows = "".join(
            f"<tr><td>{e(row['name'] or row['city'] or '-')} {e(row['name_en'] or '')}</td>"
            f"<td>{row['compliant_before']} → {row['compliant_after']} / {row['people']}</td>"
            f"<td>{_signed(row['compliant_after'] - row['compliant_before'])}</td></tr>"
            for row in moved[:CITIES_SHOWN]
        )
        more = len(moved) - CITIES_SHOWN
        rest = f"<div class='cerules-figure-note'>另有 {more} 个城市 / {more} more cities</div>" if more > 0 else ""
        cities = f"<table class='cerules-cities' data-figure='cities'><tbody>{rows}</tbody></table>{rest}"
    else:
        cities = "<div class='cerules-figure-note' data-figure='cities'>各城市均无变化 · no city changes</div>"
    by_city = f"<div class='cerules-figure'><div class='cerules-figure-name'>按城市 by city</div>{cities}</div>"
    return f"<div class='cerules-headline-figures'>{compliant}{flips}{by_city}</div>"
