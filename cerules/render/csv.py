"""One CSV row per person: the verdict and, per requirement, required/credited/shortfall/met/set_by.

Built column-wise with Arrow (each distinct amount formatted once), so a province streams in
chunks at the speed of the kernel; the bytes are what Python's csv module would write, except that
a text cell a spreadsheet would run as a formula is neutralised (`_csv_cell`, docs/decisions.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..inputs.columns import utf8_buffers
from ..kernel import reasons as R
from ..kernel.decide import NOT_APPLICABLE
from ..kernel.ledger import Ledger

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import Evaluation


CSV_RECORD_COLUMNS = ("records", "credited_records", "rejected_records", "reasons")


def csv_header(requirement_ids: Sequence[str]) -> list[str]:
    header = ["person_id", "compliant"]
    for requirement_id in requirement_ids:
        header += [f"{requirement_id}.{part}" for part in ("required", "credited", "shortfall", "met", "set_by")]
    return header + list(CSV_RECORD_COLUMNS)


_FRACTIONS = np.array([".0" if f == 0 else f".{f // 10}" if f % 10 == 0 else f".{f:02d}" for f in range(100)], dtype=object)


def _format_each_distinct(values: np.ndarray, form: Callable[[int], str]) -> pa.Array:
    """Text of each value, formatting each distinct value once (amounts repeat a great deal; found by hashing)."""
    encoded = pa.array(values, type=pa.int64()).dictionary_encode()
    words = pa.array([form(value) for value in encoded.dictionary.to_pylist()], type=pa.string())
    return words.take(encoded.indices)


def _true_false(flags: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(flags, type=pa.bool_()), "true", "false")


def _decimal(hundredths: int) -> str:
    return f"{hundredths // 100}{_FRACTIONS[hundredths % 100]}"


def _decimal_text(hundredths: np.ndarray) -> pa.Array:
    """Hundredths as the contract's decimals (`30.0`, `43.5`, `0.07`)."""
    return _format_each_distinct(hundredths, _decimal)


def _whole_or_decimal_text(hundredths: np.ndarray) -> pa.Array:
    """Whole numbers without a fraction (`30`), others as decimals (`7.5`)."""
    return _format_each_distinct(hundredths, lambda h: str(h // 100) if h % 100 == 0 else _decimal(h))


def csv_rows(ledger: Ledger, requirement_ids: Sequence[str]) -> pa.Table:
    """One row per person of a ledger, as text columns in `csv_header` order (vectorised)."""
    n = len(ledger.persons)
    columns: dict[str, pa.Array] = {
        "person_id": pa.array(ledger.persons.person_id, type=pa.string()),
        "compliant": _true_false(ledger.compliant),
    }
    own = {requirement_id: r for r, requirement_id in enumerate(ledger.compiled.requirement_ids)}
    for requirement_id in requirement_ids:
        r = own.get(requirement_id)
        required = ledger.required[:, r] if r is not None else np.full(n, NOT_APPLICABLE, dtype=np.int64)
        achieved = ledger.achieved[:, r] if r is not None else np.zeros(n, dtype=np.int64)
        applies = required != NOT_APPLICABLE
        setter_by_profile = pa.array(
            [next((q.provenance.layer for q in policy.requirements if q.id == requirement_id), "") for policy in ledger.compiled.policies],
            type=pa.string(),
        )
        parts = {
            "required": _whole_or_decimal_text(np.maximum(required, 0)),
            "credited": _decimal_text(achieved),
            "shortfall": _decimal_text(np.maximum(required - achieved, 0)),
            "met": _true_false(achieved >= required),
            "set_by": setter_by_profile.take(pa.array(ledger.persons.profile, type=pa.int32())) if n else pa.array([], pa.string()),
        }
        for part, values in parts.items():
            columns[f"{requirement_id}.{part}"] = pc.if_else(pa.array(applies), values, "")
    owner = ledger.person_index
    known = owner >= 0
    credited = ledger.status_credited
    records = np.bincount(owner[known], minlength=n)
    credited_records = np.bincount(owner[known & credited], minlength=n)
    mask = np.zeros(n, dtype=np.int64)
    for code in range(1, len(R.NAMES)):
        hit = known & (ledger.reason == code)
        if hit.any():
            mask |= (np.bincount(owner[hit], minlength=n) > 0).astype(np.int64) << code
    distinct, inverse = np.unique(mask, return_inverse=True)
    words = np.array([";".join(sorted(R.NAMES[c] for c in range(1, len(R.NAMES)) if m >> c & 1)) for m in distinct.tolist()], dtype=object)
    columns["records"] = pc.cast(pa.array(records), pa.string())
    columns["credited_records"] = pc.cast(pa.array(credited_records), pa.string())
    columns["rejected_records"] = pc.cast(pa.array(records - credited_records), pa.string())
    columns["reasons"] = pa.array(words[inverse] if n else np.zeros(0, dtype=object), type=pa.string())
    return pa.table(columns)


FORMULA_START = r"^[=+\-@\t\r]"
"""Cells a spreadsheet would run as a formula begin with one of these (OWASP, CSV injection)."""


def _csv_cell(values: pa.Array) -> pa.Array:
    """A text column as CSV cells: quoted (quotes doubled) only where a comma, quote or line end needs it.

    A cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, carriage return
    first) is neutralised: a single quote before it, and quoted. The JSON document keeps the raw text.
    """
    values = pc.fill_null(values, "")
    formula = pc.match_substring_regex(values, FORMULA_START)
    neutralise = bool(pc.any(formula).as_py())
    if neutralise:
        values = pc.if_else(formula, pc.binary_join_element_wise("'", values, ""), values)
    needs = pc.match_substring_regex(values, '[",\r\n]')
    if neutralise:
        needs = pc.or_(needs, formula)
    if not pc.any(needs).as_py():
        return values  # the usual column: nothing to quote
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(values, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, values)


def _header_bytes(names: Sequence[str]) -> bytes:
    """A header row, its cells written like every text cell (requirement ids come from rule files)."""
    return (",".join(_csv_cell(pa.array(list(names), type=pa.string())).to_pylist()) + "\n").encode("utf-8")


def csv_header_line(requirement_ids: Sequence[str]) -> bytes:
    """The header row of the CSV output for these requirements."""
    return _header_bytes(csv_header(requirement_ids))


_PLAIN = (".required", ".credited", ".shortfall", ".met", "compliant", "records", "reasons")
"""Columns the engine writes itself (numbers, true/false, reason codes): never quoted nor neutralised,
so a number stays a number. Every other column (person ids, layer ids) is text read from outside."""


def csv_bytes(table: pa.Table, *, header: bool) -> bytes:
    """CSV text of a table of text columns, the way Python's csv module writes it, built column-wise."""
    head = _header_bytes(table.column_names) if header else b""
    if table.num_rows == 0:
        return head
    cells = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        cells.append(pc.fill_null(values, "") if name.endswith(_PLAIN) else _csv_cell(values))
    joined = pc.binary_join_element_wise(pc.binary_join_element_wise(*cells, ","), "", "\n")
    raw, bounds = utf8_buffers(joined)
    body = raw[int(bounds[0]) : int(bounds[-1])].tobytes()
    return head + body


def to_csv(evaluation: Evaluation) -> str:
    """One row per person: the verdict and, per requirement, required/credited/shortfall/met/set_by."""
    ids = evaluation.ledger.compiled.requirement_ids
    rows = csv_rows(evaluation.ledger, ids)
    return (csv_header_line(ids) + csv_bytes(rows, header=False)).decode("utf-8")


def write_csv_stream(run: ChunkedRun, stream: BinaryIO, **options: Any) -> dict[str, int]:
    """Write one CSV row per person, chunk by chunk. Returns the summary."""
    totals: Counter[str] = Counter()
    stream.write(csv_header_line(run.requirement_ids))
    for chunk in run.chunks(**options):
        totals.update(chunk.evaluation.summary())
        rows = csv_rows(chunk.evaluation.ledger, run.requirement_ids)
        if rows.num_rows:
            stream.write(csv_bytes(rows, header=False))
    return dict(totals)
