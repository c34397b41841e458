"""Impact of a draft: the baseline rules and the draft rules on the same cohort, side by side.

    baseline = Baseline(rules, cohort)          # evaluated once; inputs normalised once
    result = baseline.impact(draft.apply(rules))  # only the draft is evaluated
    result.summary()                            # compliant people before and after, flips…
    result.by("city"); result.flips; result.shortfall; result.changed_records
    result.chart()                              # compliance by city, before and after

`impact(baseline_rules, draft_rules, cohort)` does the same in one call. Each table is an
`ImpactTable` (HTML in notebooks, `to_pandas()`, `to_arrow()`); the impact itself renders as
HTML and gives one row per person with `to_pandas()`.

For speed the inputs are normalised once and kept: a draft that leaves the catalogues
(subjects, platforms, topics, course lists) alone is evaluated straight from the kept typed
columns by the kernel the batch path uses, one pass over the cohort, so a change to a 100,000
person cohort shows in well under a second (see benchmarks/bench_impact.py). A draft that adds
catalogue entries has its records normalised again (and kept too).
"""

from __future__ import annotations

import html
import io
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pyarrow as pa

from ..evaluation.batch import BatchResult, PreparedCohort, evaluate_batch
from ..inputs.columns import as_arrow
from ..inputs.normalise import RecordColumns, normalise_records
from ..kernel import reasons as R
from ..kernel.engine import NOT_APPLICABLE, evaluate_columns
from ..rules.model import Catalog, Layer, Profile
from ..rules.regions import CITIES, city_name
from ..rules.ruleset import RuleSet

NONE_LABEL = "—"
"""The group of people without a value (no title series, no department layer)."""

DIMENSIONS = ("city", "unit_level", "department", "title_series")
"""What impacts break down by."""

CACHE_RECORDS_UP_TO = 6_000_000
"""Cohorts with at most this many records keep their typed record columns between evaluations."""

SHORTFALL_BINS: tuple[tuple[str, float, float], ...] = (
    ("0", 0, 0),
    ("0–5", 0, 5),
    ("5–10", 5, 10),
    ("10–20", 10, 20),
    ("20–30", 20, 30),
    ("30–60", 30, 60),
    ("> 60", 60, float("inf")),
)
"""Shortfall bins in hours: exactly 0, then (low, high]."""

_UNIT_LEVEL_NAMES = {"city": "市属 city units", "province": "省直 provincial units"}
_HEADERS = {
    "city": "城市 city",
    "unit_level": "单位层级 unit level",
    "department": "行业部门 department",
    "title_series": "职称系列 title series",
    "name": "名称 name",
    "people": "人数 people",
    "compliant_before": "达标·现行 compliant before",
    "compliant_after": "达标·草案 compliant after",
    "rate_before": "达标率·现行 rate before",
    "rate_after": "达标率·草案 rate after",
    "change": "变化 change",
    "pass_to_fail": "达标→未达标 pass→fail",
    "fail_to_pass": "未达标→达标 fail→pass",
    "person_id": "人员 person",
    "direction": "变化 flip",
    "shortfall_before": "缺口·现行 shortfall before (h)",
    "shortfall_after": "缺口·草案 shortfall after (h)",
    "shortfall_hours": "学时缺口 shortfall (h)",
    "people_before": "人数·现行 people before",
    "people_after": "人数·草案 people after",
    "record_id": "记录 record",
    "status_before": "状态·现行 status before",
    "reason_before": "原因·现行 reason before",
    "credited_before": "认定·现行 credited before (h)",
    "status_after": "状态·草案 status after",
    "reason_after": "原因·草案 reason after",
    "credited_after": "认定·草案 credited after (h)",
}


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas() needs pandas: pip install pandas (or cerules[dev])") from None
    return pandas


# --- tables -----------------------------------------------------------------------------------


def _percent(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value * 100:.1f}%"


def _points(value: Any) -> str:
    return "—" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value * 100:+.1f} pp"


def _hours(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return f"{value:g}"


_FORMATS: dict[str, Callable[[Any], str]] = {
    "rate_before": _percent,
    "rate_after": _percent,
    "change": _points,
    "shortfall_before": _hours,
    "shortfall_after": _hours,
    "credited_before": _hours,
    "credited_after": _hours,
}


class ImpactTable:
    """A small table of results: HTML in notebooks, text in a terminal, `to_pandas()`, `to_arrow()`."""

    def __init__(self, title: str, columns: Mapping[str, Sequence[Any] | np.ndarray | pa.Array], *, note: str = "") -> None:
        self.title = title
        self._columns = dict(columns)  # kept as given (numpy, Arrow or lists): rows become Python only when shown
        self.note = note

    def __len__(self) -> int:
        return len(next(iter(self._columns.values()), []))

    @property
    def names(self) -> list[str]:
        return list(self._columns)

    def _values(self, name: str, limit: int | None = None) -> list[Any]:
        values = self._columns[name]
        if limit is not None:
            values = values[:limit]
        if isinstance(values, (np.ndarray, pa.Array, pa.ChunkedArray)):
            return values.to_pylist() if isinstance(values, (pa.Array, pa.ChunkedArray)) else values.tolist()
        return list(values)

    def column(self, name: str) -> list[Any]:
        """One column as a list of Python values."""
        return self._values(name)

    @property
    def columns(self) -> dict[str, list[Any]]:
        return {name: self._values(name) for name in self._columns}

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        columns = [self._values(name, limit) for name in self._columns]
        return [dict(zip(self._columns, values, strict=True)) for values in zip(*columns, strict=True)]

    def to_arrow(self) -> pa.Table:
        return pa.table(
            {
                name: values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
                for name, values in self._columns.items()
            }
        )

    def to_pandas(self) -> Any:
        _pandas()
        return self.to_arrow().to_pandas()

    def _cells(self, limit: int | None) -> tuple[list[str], list[list[str]]]:
        names = self.names
        shown = [[_FORMATS.get(name, _cell)(row[name]) for name in names] for row in self.rows(limit)]
        return names, shown

    def text(self, limit: int | None = 30) -> str:
        names, rows = self._cells(limit)
        widths = [max(_width(name), *(_width(row[i]) for row in rows)) if rows else _width(name) for i, name in enumerate(names)]
        lines = [self.title, "  ".join(_pad(name, width) for name, width in zip(names, widths, strict=True)).rstrip()]
        lines += ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
        if limit is not None and len(self) > limit:
            lines.append(f"… {len(self) - limit} more rows")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def html(self, limit: int | None = 50) -> str:
        e = html.escape
        names, rows = self._cells(limit)
        head = "".join(f"<th>{e(_HEADERS.get(name, name))}</th>" for name in names)
        body = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
        more = f"<p><small>… 另有 {len(self) - limit} 行 / {len(self) - limit} more rows</small></p>" if limit and len(self) > limit else ""
        note = f"<p><small>{e(self.note)}</small></p>" if self.note else ""
        return (
            f"<div class='cerules-impact-table'><p><b>{e(self.title)}</b></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}{note}</div>"
        )

    def _repr_html_(self) -> str:
        return self.html()


def _width(text: str) -> int:
    """Columns a text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cell(value: Any) -> str:
    if value is None:
        return NONE_LABEL
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# --- the chart --------------------------------------------------------------------------------


class Chart:
    """A matplotlib figure that shows itself in notebooks as SVG, byte for byte the same each run.

    Text is kept as text in the SVG (the browser draws it, Chinese included, whatever fonts
    matplotlib has); PNG and PDF need a CJK font on the machine for Chinese labels.
    """

    def __init__(self, figure: Any, rc: Mapping[str, Any] | None = None) -> None:
        self.figure = figure
        self._rc = dict(rc or {})

    def _render(self, target: Any, **options: Any) -> None:
        import matplotlib

        rc: Any = self._rc
        with matplotlib.rc_context(rc), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # only changes how a name looks
            warnings.filterwarnings("ignore", message="findfont")
            self.figure.savefig(target, **options)

    def to_svg(self) -> str:
        buffer = io.StringIO()
        self._render(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return buffer.getvalue()

    def to_png(self, dpi: int = 100) -> bytes:
        buffer = io.BytesIO()
        self._render(buffer, format="png", dpi=dpi, metadata={"Software": None})
        return buffer.getvalue()

    def save(self, path: str | Any) -> None:
        """Write the chart; the suffix chooses the format (`.svg`, `.png`, `.pdf`)."""
        name = str(path)
        if name.endswith(".svg"):
            with open(name, "w", encoding="utf-8") as handle:
                handle.write(self.to_svg())
        elif name.endswith(".png"):
            with open(name, "wb") as handle:
                handle.write(self.to_png())
        else:
            self._render(name)

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        axes = self.figure.axes[0] if self.figure.axes else None
        return f"<Chart {axes.get_title() if axes else ''!r}>"


_CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei", "PingFang SC"]


def compliance_chart(table: ImpactTable, *, lang: str = "en", title: str | None = None) -> Chart:
    """Grouped horizontal bars: the compliance rate of each group before and after the draft."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import PercentFormatter
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("charts need matplotlib: pip install 'cerules[notebook]'") from None
    names = table.column("name_en" if lang == "en" and "name_en" in table.names else "name")
    before = np.array(table.column("rate_before"), dtype=float) * 100
    after = np.array(table.column("rate_after"), dtype=float) * 100
    zh = lang == "zh"
    rc: Any = {
        "font.family": "sans-serif",
        "font.sans-serif": [*(_CJK_FONTS if zh else []), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.hashsalt": "cerules",
        "svg.fonttype": "none",
    }
    with matplotlib.rc_context(rc):
        high = 0.32 * len(names) + 1.4  # inches: fixed margins, no layout engine (a third of the time to draw)
        figure = Figure(figsize=(7.5, high))
        figure.subplots_adjust(left=0.16, right=0.97, top=1 - 0.75 / high, bottom=0.55 / high)
        axes = figure.add_subplot()
        y = np.arange(len(names))[::-1]
        height = 0.38
        axes.barh(y + height / 2, before, height, color="#afb8c1", label="现行规则 baseline" if zh else "baseline")
        axes.barh(y - height / 2, after, height, color="#0969da", label="草案 draft" if zh else "draft")
        for position, value, old in zip(y, after, before, strict=True):
            delta = value - old
            mark = f"{value:.1f}%" + (f" ({delta:+.1f})" if abs(delta) >= 0.05 else "")
            axes.text(min(value, 100) + 1, position - height / 2, mark, va="center", fontsize=7, color="#24292f")
        axes.set_yticks(y, names, fontsize=8)
        axes.set_xlim(0, 115)
        axes.set_xticks([0, 20, 40, 60, 80, 100])
        axes.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        axes.set_xlabel("达标人数占比" if zh else "share of people compliant")
        axes.set_title(title or ("各市达标率：现行规则与草案" if zh else "Compliance by city: baseline and draft"), fontsize=10, pad=22)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    return Chart(figure, rc)


# --- the cohort, kept ---------------------------------------------------------------------------


def _tables(cohort: Any) -> tuple[Any, Any]:
    if hasattr(cohort, "persons") and hasattr(cohort, "records"):
        return cohort.persons, cohort.records
    if isinstance(cohort, Sequence) and len(cohort) == 2:
        return cohort[0], cohort[1]
    raise TypeError("expected a cohort: a cerules.synth.Cohort, or (persons, records) tables, rows or DataFrames")


def _encode(values: np.ndarray) -> tuple[np.ndarray, list[str | None]]:
    array = pa.array(values, type=pa.string()).dictionary_encode()
    codes = array.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, array.dictionary.to_pylist()


class Baseline:
    """A cohort evaluated under the baseline rules, kept ready to compare drafts against.

    The persons are normalised once and, unless the cohort is very large, the typed record
    columns are kept for each set of catalogues seen, so evaluating a draft is one pass of the
    kernel over the cohort.
    """

    def __init__(self, rules: RuleSet, cohort: Any, *, cache_records: bool | None = None) -> None:
        prepared = PreparedCohort(*_tables(cohort))
        self.rules = rules
        self.person_table, self.record_table = prepared.person_table, prepared.record_table
        self.people, self.rejected_persons = prepared.people, prepared.rejected_persons
        self.cache_records = len(self.record_table) <= CACHE_RECORDS_UP_TO if cache_records is None else cache_records
        self._normalised: list[tuple[Catalog, RecordColumns]] = []
        self._person_index: dict[int, np.ndarray] = {}
        self._groups: dict[str, tuple[np.ndarray, list[str | None]]] = {}
        self.result = self.evaluate(rules)

    @classmethod
    def _sharing(cls, other: Baseline, rules: RuleSet) -> Baseline:
        self = cls.__new__(cls)
        self.__dict__.update({key: value for key, value in other.__dict__.items() if key != "result"})
        self.rules = rules
        self.result = self.evaluate(rules)
        return self

    def with_rules(self, rules: RuleSet) -> Baseline:
        """The same cohort under other baseline rules (other plugins, say), sharing the kept inputs."""
        return self if rules is self.rules else Baseline._sharing(self, rules)

    def __len__(self) -> int:
        return len(self.people)

    def _records(self, rules: RuleSet) -> RecordColumns | None:
        if not self.cache_records:
            return None
        catalog = rules.catalog
        for known, columns in self._normalised:
            if known == catalog:
                return columns
        columns = normalise_records(self.record_table, rules)
        self._normalised.append((catalog, columns))
        return columns

    def evaluate(self, rules: RuleSet) -> BatchResult:
        """The cohort under some rules, as the batch path gives it."""
        columns = self._records(rules)
        if columns is None:
            return evaluate_batch(rules, self.person_table, self.record_table)
        known = self._person_index.get(id(columns))
        ledger = evaluate_columns(rules, self.people, columns, person_index=known)
        self._person_index.setdefault(id(columns), ledger.person_index)  # the join of records to persons, kept
        return BatchResult(
            rules=rules,
            person_id=ledger.persons.person_id,
            requirement_ids=ledger.compiled.requirement_ids,
            required=ledger.required,
            achieved=ledger.achieved,
            met=ledger.met,
            compliant=np.asarray(ledger.compliant, dtype=bool),
            record_id=as_arrow(self.record_table.column("record_id")),
            reason=ledger.reason,
            credited=ledger.credited,
            person_index=ledger.person_index,
            rejected_persons=self.rejected_persons,
        )

    def vocabulary(self, kind: str) -> tuple[str, ...]:
        """The `platforms` or `topics` codes the cohort's records use (as the baseline's catalogues read them)."""
        columns = self._records(self.rules)
        if columns is None:
            return ()
        return tuple(code for code in getattr(columns, kind) if code)

    def groups(self, dimension: str) -> tuple[np.ndarray, list[str | None]]:
        """Per person, the index of their value of a person attribute, and the values."""
        if dimension not in self._groups:
            self._groups[dimension] = _encode(self.people.attributes[dimension])
        return self._groups[dimension]

    def impact(self, draft_rules: Any) -> Impact:
        """The draft rules (a RuleSet, or a Draft applied to the baseline rules) against the baseline."""
        if not isinstance(draft_rules, RuleSet):
            draft_rules = draft_rules.apply(self.rules)
        return Impact(self, self.result, self.evaluate(draft_rules))


def impact(baseline_rules: RuleSet, draft_rules: Any, cohort: Any) -> Impact:
    """Baseline and draft rules on the same cohort (a synth.Cohort, (persons, records), or a Baseline)."""
    if isinstance(cohort, Baseline):
        baseline = cohort.with_rules(baseline_rules)
    else:
        baseline = Baseline(baseline_rules, cohort)
    return baseline.impact(draft_rules)


# --- the impact -------------------------------------------------------------------------------


def _units(rules: RuleSet, profiles: Sequence[Profile], requirement_ids: Sequence[str]) -> list[str]:
    found: dict[str, str] = {}
    for profile in profiles:
        for requirement in rules.resolve(profile).requirements:
            found.setdefault(requirement.id, requirement.unit)
    return [found.get(requirement_id, "hours") for requirement_id in requirement_ids]


def hours_shortfall(result: BatchResult, profiles: Sequence[Profile]) -> np.ndarray:
    """Per person, hundredths of an hour short: for each subject the largest gap among its
    requirements in hours (hours towards a sub-requirement count towards its subject too), added
    over subjects. Requirements in other units (credits) are left out."""
    units = _units(result.rules, profiles, result.requirement_ids)
    total = np.zeros(len(result.person_id), dtype=np.int64)
    subjects: dict[str, list[int]] = {}
    for r, requirement_id in enumerate(result.requirement_ids):
        if units[r] == "hours":
            subjects.setdefault(requirement_id.split(".")[0], []).append(r)
    for columns in subjects.values():
        required = result.required[:, columns]
        gap = np.where(required == NOT_APPLICABLE, 0, np.maximum(required - result.achieved[:, columns], 0))
        total += gap.max(axis=1) if gap.shape[1] else 0
    return total


_REASON_SHOWN = np.array([None if code == R.CREDITED else name for code, name in enumerate(R.NAMES)], dtype=object)
"""Reason codes by number as records show them: none when credited in full."""


def _status(result: BatchResult) -> np.ndarray:
    return result.status_credited


class Impact:
    """What a draft changes for a cohort: compliance before and after, who flips, where, by how much."""

    def __init__(self, baseline: Baseline, before: BatchResult, after: BatchResult) -> None:
        self._cohort = baseline
        self.baseline = before
        """The cohort under the baseline rules (a BatchResult)."""
        self.draft = after
        """The cohort under the draft rules (a BatchResult)."""
        self.before = before.compliant
        """Per person (in input order), compliant under the baseline rules."""
        self.after = after.compliant
        """Per person, compliant under the draft rules."""
        self.person_id = before.person_id

    # --- headline numbers ---

    @property
    def people(self) -> int:
        return len(self.person_id)

    @cached_property
    def pass_to_fail(self) -> np.ndarray:
        """Ids of the people compliant before and not after, in input order."""
        return self.person_id[self.before & ~self.after]

    @cached_property
    def fail_to_pass(self) -> np.ndarray:
        """Ids of the people not compliant before and compliant after, in input order."""
        return self.person_id[~self.before & self.after]

    @cached_property
    def _changed(self) -> np.ndarray:
        before, after = self.baseline, self.draft
        return np.flatnonzero((before.reason != after.reason) | (before.credited != after.credited) | (_status(before) != _status(after)))

    def summary(self) -> dict[str, Any]:
        """People, compliant before and after (counts and rates), flips and records whose disposition changed."""
        people = self.people
        before, after = int(self.before.sum()), int(self.after.sum())
        return {
            "people": people,
            "compliant_before": before,
            "compliant_after": after,
            "rate_before": before / people if people else float("nan"),
            "rate_after": after / people if people else float("nan"),
            "pass_to_fail": int((self.before & ~self.after).sum()),
            "fail_to_pass": int((~self.before & self.after).sum()),
            "records": len(self.baseline.reason),
            "records_changed": len(self._changed),
        }

    def summary_line(self, lang: str = "zh") -> str:
        s = self.summary()
        if lang == "en":
            return (
                f"{s['people']} people: {s['compliant_before']} compliant ({_percent(s['rate_before'])}) under the baseline, "
                f"{s['compliant_after']} ({_percent(s['rate_after'])}) under the draft; "
                f"{s['pass_to_fail']} pass→fail, {s['fail_to_pass']} fail→pass; {s['records_changed']} of {s['records']} records change"
            )
        return (
            f"{s['people']} 人：现行规则下 {s['compliant_before']} 人达标（{_percent(s['rate_before'])}），"
            f"草案下 {s['compliant_after']} 人（{_percent(s['rate_after'])}）；"
            f"达标→未达标 {s['pass_to_fail']} 人，未达标→达标 {s['fail_to_pass']} 人；"
            f"{s['records']} 条记录中 {s['records_changed']} 条认定结果改变"
        )

    def __repr__(self) -> str:
        return f"<Impact {self.summary_line('en')}>"

    # --- per person ---

    @cached_property
    def shortfall_before(self) -> np.ndarray:
        """Per person, hours short under the baseline (see `hours_shortfall`)."""
        return hours_shortfall(self.baseline, self._cohort.people.profiles) / 100

    @cached_property
    def shortfall_after(self) -> np.ndarray:
        return hours_shortfall(self.draft, self._cohort.people.profiles) / 100

    @cached_property
    def _department(self) -> tuple[np.ndarray, list[str]]:
        """Per person, the department layers that apply to them (ids joined), or —."""
        departments: dict[str, Layer] = {}
        for rules in (self.baseline.rules, self.draft.rules):
            for layer in rules.layers:
                if layer.rank == "department":
                    departments.setdefault(layer.id, layer)
        profiles = self._cohort.people.profiles
        labels = [", ".join(sorted(i for i, layer in departments.items() if layer.scope.matches(p))) or NONE_LABEL for p in profiles]
        names = sorted(set(labels), key=lambda label: (label == NONE_LABEL, label))
        index = {label: i for i, label in enumerate(names)}
        per_profile = np.array([index[label] for label in labels], dtype=np.int64)
        return per_profile[self._cohort.people.profile] if len(profiles) else np.zeros(0, np.int64), names

    def _grouping(self, dimension: str) -> tuple[np.ndarray, list[str], list[str], list[str]]:
        """Group index per person, and per group its value, its zh name and its en name, in display order."""
        if dimension == "department":
            codes, names = self._department
            return codes, names, names, names
        if dimension not in ("city", "unit_level", "title_series"):
            raise ValueError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
        codes, values = self._cohort.groups(dimension)
        labels = [NONE_LABEL if v is None else v for v in values]
        if (codes < 0).any():
            labels.append(NONE_LABEL)
            codes = np.where(codes < 0, len(labels) - 1, codes)
        if dimension == "city":
            order = sorted(range(len(labels)), key=lambda i: (labels[i] not in CITIES, labels[i]))
            zh = [city_name(labels[i]) if labels[i] != NONE_LABEL else NONE_LABEL for i in order]
            en = [city_name(labels[i], "en") if labels[i] != NONE_LABEL else NONE_LABEL for i in order]
        elif dimension == "unit_level":
            order = sorted(range(len(labels)), key=lambda i: ({"city": 0, "province": 1}.get(labels[i], 2), labels[i]))
            zh = [_UNIT_LEVEL_NAMES.get(labels[i], labels[i]).split(" ")[0] for i in order]
            en = [_UNIT_LEVEL_NAMES.get(labels[i], labels[i]).split(" ", 1)[-1] for i in order]
        else:
            order = sorted(range(len(labels)), key=lambda i: (labels[i] == NONE_LABEL, labels[i]))
            zh = en = [labels[i] for i in order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[codes] if len(codes) else codes, [labels[i] for i in order], zh, en

    # --- tables ---

    def by(self, dimension: str) -> ImpactTable:
        """Compliance before and after per group of people: `city`, `unit_level`, `department` or `title_series`."""
        group, values, zh, en = self._grouping(dimension)
        n = len(values)
        people = np.bincount(group, minlength=n)
        before = np.bincount(group, weights=self.before, minlength=n).astype(np.int64)
        after = np.bincount(group, weights=self.after, minlength=n).astype(np.int64)
        down = np.bincount(group, weights=self.before & ~self.after, minlength=n).astype(np.int64)
        up = np.bincount(group, weights=~self.before & self.after, minlength=n).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate_before = np.where(people > 0, before / np.maximum(people, 1), np.nan)
            rate_after = np.where(people > 0, after / np.maximum(people, 1), np.nan)
        columns: dict[str, Any] = {dimension: values}
        if dimension in ("city", "unit_level"):
            columns["name"] = zh
            columns["name_en"] = en
        else:
            columns["name"] = values
        columns.update(
            people=people,
            compliant_before=before,
            compliant_after=after,
            rate_before=np.round(rate_before, 6),
            rate_after=np.round(rate_after, 6),
            change=np.round(rate_after - rate_before, 6),
            pass_to_fail=down,
            fail_to_pass=up,
        )
        titles = {
            "city": "按城市 · by city",
            "unit_level": "按单位层级 · by unit level",
            "department": "按行业部门（适用的部门规则层）· by department (the department layers that apply)",
            "title_series": "按职称系列 · by title series",
        }
        return ImpactTable(titles[dimension], columns)

    def breakdowns(self) -> dict[str, ImpactTable]:
        """`by(...)` for every dimension."""
        return {dimension: self.by(dimension) for dimension in DIMENSIONS}

    @property
    def by_city(self) -> ImpactTable:
        return self.by("city")

    @cached_property
    def flips(self) -> ImpactTable:
        """The people whose verdict changes, in input order, with where they are and their shortfall."""
        rows = np.flatnonzero(self.before != self.after)
        columns: dict[str, Any] = {
            "person_id": self.person_id[rows],
            "direction": np.where(self.before[rows], "pass→fail", "fail→pass"),
        }
        for dimension in DIMENSIONS:
            group, values, *_ = self._grouping(dimension)
            columns[dimension] = np.array(values, dtype=object)[group[rows]] if len(values) else np.array([], dtype=object)
        columns["shortfall_before"] = self.shortfall_before[rows]
        columns["shortfall_after"] = self.shortfall_after[rows]
        return ImpactTable("达标结论改变的人员 · people whose verdict changes", columns)

    @cached_property
    def shortfall(self) -> ImpactTable:
        """How many people are how many hours short, before and after."""
        labels: list[str] = []
        before: list[int] = []
        after: list[int] = []
        for label, low, high in SHORTFALL_BINS:
            labels.append(label)
            for values, out in ((self.shortfall_before, before), (self.shortfall_after, after)):
                hit = values == 0 if high == 0 else (values > low) & (values <= high)
                out.append(int(hit.sum()))
        return ImpactTable(
            "学时缺口分布 · shortfall distribution (hours)",
            {"shortfall_hours": labels, "people_before": before, "people_after": after},
            note="每个科目取差得最多的一项要求，各科目相加；以学分计的要求不计入 / per subject the largest gap among its "
            "requirements in hours, added over subjects; requirements in credits are left out",
        )

    @cached_property
    def changed_records(self) -> ImpactTable:
        """The records whose status, reason or credited hours change, in input order."""
        rows = self._changed
        before, after = self.baseline, self.draft
        owner = before.person_index[rows]
        person = np.full(len(rows), None, dtype=object)
        if self.people:
            person[owner >= 0] = self.person_id[owner[owner >= 0]]
        status = np.array(["rejected", "credited"], dtype=object)
        return ImpactTable(
            "认定结果改变的记录 · records whose disposition changes",
            {
                "record_id": before.record_id.take(pa.array(rows, type=pa.int64())),
                "person_id": person,
                "status_before": status[_status(before)[rows].astype(np.int64)],
                "reason_before": _REASON_SHOWN[before.reason[rows]],
                "credited_before": before.credited[rows] / 100,
                "status_after": status[_status(after)[rows].astype(np.int64)],
                "reason_after": _REASON_SHOWN[after.reason[rows]],
                "credited_after": after.credited[rows] / 100,
            },
        )

    @property
    def changed_record_ids(self) -> list[str]:
        return self.baseline.record_id.take(pa.array(self._changed, type=pa.int64())).to_pylist()

    # --- views ---

    def chart(self, lang: str = "en", dimension: str = "city") -> Chart:
        """Compliance rate by city (or another dimension), before and after, as grouped bars."""
        title = None
        if dimension != "city":
            title = f"{'达标率' if lang == 'zh' else 'Compliance'} · {dimension}"
        return compliance_chart(self.by(dimension), lang=lang, title=title)

    def to_pandas(self) -> Any:
        """One row per person: where they are, compliant before and after, and hours short before and after."""
        pandas = _pandas()
        columns: dict[str, Any] = {"person_id": self.person_id}
        for dimension in DIMENSIONS:
            group, values, *_ = self._grouping(dimension)
            columns[dimension] = pandas.Categorical.from_codes(group, categories=values) if len(values) else []
        columns.update(
            compliant_before=self.before,
            compliant_after=self.after,
            shortfall_before=self.shortfall_before,
            shortfall_after=self.shortfall_after,
        )
        frame = pandas.DataFrame(columns)
        frame["flip"] = np.where(self.before == self.after, "", np.where(self.before, "pass→fail", "fail→pass"))
        return frame

    def html(self, *, rows: int = 20) -> str:
        e = html.escape
        s = self.summary()
        head = (
            "<table><thead><tr><th></th><th>现行规则 baseline</th><th>草案 draft</th></tr></thead><tbody>"
            f"<tr><td>达标人数 compliant</td><td>{s['compliant_before']} / {s['people']}</td>"
            f"<td>{s['compliant_after']} / {s['people']}</td></tr>"
            f"<tr><td>达标率 rate</td><td>{_percent(s['rate_before'])}</td><td>{_percent(s['rate_after'])}</td></tr>"
            "</tbody></table>"
            f"<p>达标→未达标 pass→fail: <b>{s['pass_to_fail']}</b> · 未达标→达标 fail→pass: <b>{s['fail_to_pass']}</b> · "
            f"认定结果改变的记录 records changed: <b>{s['records_changed']}</b> / {s['records']}</p>"
        )
        digests = (
            f"<p><small>baseline rules sha256 {self.baseline.rules.sha256[:12]} · "
            f"draft rules sha256 {self.draft.rules.sha256[:12]}</small></p>"
        )
        return (
            f"<div class='cerules-impact'><p>{e(self.summary_line('zh'))}</p>{head}"
            f"{self.by('city').html()}{self.shortfall.html()}{self.flips.html(rows)}{self.changed_records.html(rows)}{digests}</div>"
        )

    def _repr_html_(self) -> str:
        return self.html()


__all__ = ["DIMENSIONS", "Baseline", "Chart", "Impact", "ImpactTable", "compliance_chart", "hours_shortfall", "impact"]
