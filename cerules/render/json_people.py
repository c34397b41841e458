"""The JSON document's `people` and `rejected_input`, built column-wise from a ledger.

Each person's entry is the text `json.dumps(entry, ensure_ascii=False, indent=2)` gives it where
it stands in the document, byte for byte, but it is put together with Arrow from fragments: each
distinct requirement outcome, record disposition (status, hours, reason and message) and set of
assumed values is worded and dumped by Python once, ids are quoted column-wise (only those that
need escaping go through `json.dumps`), each person's requirements are joined as a list, and
the text is written in blocks of records, each record with its person's head before it or the
close of the list after it. A province's document is then written at about the speed of its CSV.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..base.hours import to_float, to_number
from ..inputs.columns import utf8_buffers
from ..kernel import reasons as R
from ..kernel.arrays import NOT_APPLICABLE
from ..kernel.ledger import Ledger, counts
from .record_messages import PER_RECORD, record_message

TEXT = pa.large_string()
PERSON = "    "  # a person's entry stands in the document's `people` list, itself inside the document
NEEDS_ESCAPE = r'[\x00-\x1f"\\]'
"""What `json.dumps(..., ensure_ascii=False)` escapes in a string: quotes, backslashes, control characters."""
dump = json.JSONEncoder(ensure_ascii=False).encode
"""`json.dumps(value, ensure_ascii=False)`, without making an encoder at each call."""


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, TEXT)


def _join(*parts: pa.Array | str) -> pa.Array:
    """Texts joined element-wise (constant parts given as str)."""
    return pc.binary_join_element_wise(*(_text(p) if isinstance(p, str) else p for p in parts), _text(""))


def flat_object(entry: dict[str, Any], prefix: str) -> str:
    """`json.dumps(entry, ensure_ascii=False, indent=2)` of a dict of plain values (text, numbers,
    booleans, None) as it stands nested under `prefix`, each value dumped alone (the indenting
    encoder is pure Python and slow; a single value is dumped by C)."""
    if not entry:
        return "{}"
    items = ",\n".join(f"{prefix}  {dump(key)}: {dump(value)}" for key, value in entry.items())
    return "{\n" + items + "\n" + prefix + "}"


def json_strings(values: pa.Array) -> pa.Array:
    """Each value as `json.dumps(value, ensure_ascii=False)` writes it: a quoted string, or `null`.

    Only the values holding a quote, a backslash or a control character go through Python.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    values = values.cast(TEXT)
    quoted = _join('"', values, '"')
    needs = pc.fill_null(pc.match_substring_regex(values, NEEDS_ESCAPE), False)
    if pc.any(needs).as_py():
        escaped = [dump(value) for value in pc.filter(values, needs).to_pylist()]
        quoted = pc.replace_with_mask(quoted, needs, pa.array(escaped, type=TEXT))
    return pc.fill_null(quoted, _text("null"))


def factorize(fields: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct rows of some integer columns: each row's number, and one row of each number."""
    n = len(fields[0]) if fields else 0
    key = np.zeros(n, dtype=np.int64)
    if n == 0:
        return key, key
    span = 1
    for field in fields:
        values = np.asarray(field, dtype=np.int64)
        low = int(values.min())
        width = int(values.max()) - low + 1
        if width > n:  # sparse values (amounts, positions): numbered first
            values, width, low = _numbered(values)[0], n, 0
        if span * width >= 2**62:
            key, _ = _numbered(key)
            span = n
        key = key * width + (values - low)
        span *= width
    return _numbered(key)


def _numbered(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value's number among the distinct values (by a hash), and a row holding each."""
    encoded = pc.dictionary_encode(pa.array(key, type=pa.int64()))
    codes = encoded.indices.to_numpy().astype(np.int64)
    first = np.empty(len(encoded.dictionary), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    return codes, first


def _words(rows: np.ndarray, word: Callable[[int], str]) -> pa.Array:
    """`word` of each of some rows (one row of each distinct kind), as text."""
    return pa.array([word(int(row)) for row in rows.tolist()], type=TEXT)


def _fragments(codes: np.ndarray, rows: np.ndarray, word: Callable[[int], str]) -> pa.Array:
    """The text of each row: `word` of one row of its number, once a number."""
    return _words(rows, word).take(pa.array(codes))


def _taken(values: pa.Array, indices: np.ndarray) -> pa.Array:
    """values[i] for each index, null where the index is negative."""
    return values.take(pa.array(indices, mask=indices < 0))


def _lists(entries: pa.Array, offsets: np.ndarray, indent: str) -> pa.Array:
    """Each group of entries (offsets: where each starts) as a JSON list under `indent`: `[]` when empty."""
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()), entries)
    joined = _join("[\n", pc.binary_join(lists, _text(",\n")), "\n" + indent + "]")
    return pc.if_else(pa.array(np.diff(offsets) > 0), joined, _text("[]"))


def listed_bytes(entries: pa.Array, *, first: bool) -> memoryview:
    """The text of entries that each begin with `,\\n` (`listed`), as UTF-8; the list's first without its comma."""
    if len(entries) == 0:
        return memoryview(b"")
    raw, bounds = utf8_buffers(entries)
    return memoryview(raw[int(bounds[0]) + (1 if first else 0) : int(bounds[-1])])


BLOCK = 1 << 16
"""Records (and persons without records) put together at once: the text of a block is a few
megabytes, so a chunk's document is never held whole."""


def people_json(ledger: Ledger, lang: str, *, block: int = BLOCK) -> Iterator[pa.Array]:
    """The `people` entries of a ledger's persons, as the document writes them, each after `,\\n`,
    in blocks of texts whose concatenation is the document's text (`listed_bytes`).

    A text (a slot) is one record of a person, with the person's head (up to the opening of the
    records list) before the first and the close of the list and entry after the last; or a whole
    person without records.
    """
    n = len(ledger.persons)
    if n == 0:
        return
    order, offsets = ledger.records_by_person
    own = np.diff(offsets).astype(np.int64)
    empty = own == 0
    person_id = json_strings(pa.array(ledger.persons.person_id, type=pa.string()))
    verdict = np.where(ledger.compliant, "true", "false")
    middle = pa.array(np.char.add(np.char.add(',\n      "compliant": ', verdict), ',\n      "requirements": '), type=TEXT)
    defaults = _defaults(ledger)
    close = _join("\n" + PERSON + "  ]", defaults, "\n" + PERSON + "}")
    if isinstance(close, pa.Scalar):  # no person's values assumed: the same close for all
        close = pa.repeat(close, n)
    records_list = pc.if_else(pa.array(~empty), _text("["), _join("[]", defaults, "\n" + PERSON + "}"))
    heads = _join(",\n" + PERSON + '{\n      "person_id": ', person_id, middle, _requirements(ledger), ',\n      "records": ', records_list)
    tails, tail_of = _dispositions(ledger, order, lang)
    record_id = json_strings(ledger.records.record_id.take(pa.array(order)))
    indent = PERSON + "    "
    opening = indent + "{\n" + indent + '  "record_id": '
    separators = pa.array(["\n" + opening, ",\n" + opening], type=TEXT)

    empty_before = np.cumsum(empty) - empty
    first_slot = offsets[:-1].astype(np.int64) + empty_before
    slots = len(order) + int(empty.sum())
    record_of = np.full(slots, -1, dtype=np.int64)
    record_of[np.arange(len(order)) + np.repeat(empty_before, own)] = np.arange(len(order))
    head_of = np.full(slots, -1, dtype=np.int64)
    head_of[first_slot] = np.arange(n)
    close_of = np.full(slots, -1, dtype=np.int64)
    close_of[(first_slot + own - 1)[~empty]] = np.flatnonzero(~empty)
    separator = np.where(record_of >= 0, 1, -1)
    separator[first_slot[~empty]] = 0
    tail_of_slot = np.where(record_of >= 0, tail_of[np.maximum(record_of, 0)], -1) if len(order) else record_of
    for start in range(0, slots, block):
        at = slice(start, start + block)
        yield pc.binary_join_element_wise(
            _taken(heads, head_of[at]),
            _taken(separators, separator[at]),
            _taken(record_id, record_of[at]),
            _taken(tails, tail_of_slot[at]),
            _taken(close, close_of[at]),
            _text(""),
            null_handling="replace",
        )


def _requirements(ledger: Ledger) -> pa.Array:
    """Each person's `requirements` list: each distinct outcome (requirement, profile, amounts) dumped once."""
    n, width = ledger.required.shape
    applies = ledger.required != NOT_APPLICABLE
    cells = np.flatnonzero(applies.ravel())
    person, r = cells // max(width, 1), cells % max(width, 1)
    setter = _setters(ledger)[ledger.persons.profile.astype(np.int64)[person], r]
    fields = [r, setter, ledger.required.ravel()[cells], ledger.achieved.ravel()[cells], ledger.met.ravel()[cells]]
    offsets = np.concatenate([[0], np.cumsum(applies.sum(axis=1))]).astype(np.int64)
    if len(cells) == 0:
        return _lists(pa.array([], type=TEXT), offsets, PERSON + "  ")
    codes, rows = factorize(fields)
    indent = PERSON + "    "
    entries = _fragments(codes, rows, lambda k: indent + flat_object(requirement_entry(ledger, int(person[k]), int(r[k])), indent))
    return _lists(entries, offsets, PERSON + "  ")


def _setters(ledger: Ledger) -> np.ndarray:
    """int64 [profile, requirement]: a number for what a requirement entry says of who set it (its unit and provenance)."""
    compiled = ledger.compiled
    numbers: dict[tuple[Any, ...], int] = {}
    setter = np.zeros((len(compiled.policies), len(compiled.requirement_ids)), dtype=np.int64)
    for p, policy in enumerate(compiled.policies):
        found = {q.id: q for q in policy.requirements}
        for r, requirement_id in enumerate(compiled.requirement_ids):
            q = found.get(requirement_id)
            said = None if q is None else (q.unit, q.provenance.layer, q.provenance.citation, q.provenance.plugin, q.provenance.verified)
            setter[p, r] = numbers.setdefault(said, len(numbers))
    return setter


def requirement_entry(ledger: Ledger, person: int, r: int) -> dict[str, Any]:
    """The contract's requirement entry of one person (as `RequirementOutcome.to_dict` gives it)."""
    requirement_id = ledger.compiled.requirement_ids[r]
    policy = ledger.compiled.policies[int(ledger.persons.profile[person])]
    found = next(q for q in policy.requirements if q.id == requirement_id)
    required, credited = int(ledger.required[person, r]), int(ledger.achieved[person, r])
    shortfall = max(required - credited, 0)
    out: dict[str, Any] = {
        "id": requirement_id,
        "unit": found.unit,
        "required": to_number(required),
        "credited": to_float(credited),
        "shortfall": to_float(shortfall),
        "met": bool(ledger.met[person, r]),
        "set_by": found.provenance.layer,
        "citation": found.provenance.citation,
    }
    if found.unit == "hours":
        out |= {"required_hours": to_number(required), "credited_hours": to_float(credited), "shortfall_hours": to_float(shortfall)}
    if found.provenance.plugin:
        out["plugin"] = found.provenance.plugin
    if not found.provenance.verified:
        out["verified"] = False
    return out


KEYED = (
    frozenset(
        {
            R.CREDITED,
            R.OUT_OF_YEAR,
            R.OUT_OF_WINDOW,
            R.PAST_DEADLINE,
            R.NOT_APPROVED,
            R.PLATFORM_NOT_ACCEPTED,
            R.TOPIC_NOT_ACCEPTED,
            R.COURSE_NOT_ACCEPTED,
        }
    )
    - PER_RECORD
)
"""Reasons whose message is told by a few columns of the record and its person's profile (`_disposition_fields`);
any other reason's record is worded on its own."""


def _disposition_fields(ledger: Ledger, positions: np.ndarray) -> list[np.ndarray]:
    """Columns that together tell a record's status, credited hours, reason and message (`record_message`):
    for each reason, only those its message reads, the others zero."""
    rec = ledger.records
    code = ledger.reason[positions].astype(np.int64)
    credited = ledger.credited[positions]
    keyed = np.isin(code, list(KEYED))
    plain = code == R.CREDITED
    doubled = plain & rec.teacher[positions] & rec.quality[positions] & (credited != ledger.hours[positions])
    worded = plain & ~doubled  # `计入… n 学时`
    other_year = worded & (rec.year[positions] != ledger.year)
    with_credits = worded & (rec.credits[positions] >= 0)
    dated = np.isin(code, [R.OUT_OF_YEAR, R.OUT_OF_WINDOW, R.PAST_DEADLINE]) | other_year
    by_policy = keyed & (code != R.OUT_OF_YEAR) & ~(worded & ~other_year)  # `计入… n 学时` reads no policy
    by_subject = keyed & ~np.isin(code, [R.OUT_OF_YEAR, R.NOT_APPROVED]) & ~doubled
    windows = other_year | (code == R.OUT_OF_WINDOW)

    def only(where: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.where(where, values, 0)

    profile = ledger.persons.profile.astype(np.int64)[np.maximum(ledger.person_index[positions], 0)]
    return [
        code,
        credited,
        doubled,
        other_year,
        with_credits,
        only(~keyed, positions + 1),
        only(by_policy, profile),
        only(by_subject, ledger.subject[positions]),
        only(dated, rec.day[positions]),
        only(other_year, rec.year[positions]),
        only(code == R.COURSE_NOT_ACCEPTED, rec.course[positions]),
        only(code == R.PLATFORM_NOT_ACCEPTED, rec.platform[positions]),
        only((code == R.TOPIC_NOT_ACCEPTED) | windows, ledger.topic[positions]),
        only(windows | with_credits, rec.kind[positions]),
        only(with_credits, rec.credits[positions]),
    ]


def _dispositions(ledger: Ledger, order: np.ndarray, lang: str) -> tuple[pa.Array, np.ndarray]:
    """What follows each record's id in its entry (status, credited hours, reason, message, the
    entry's close): each distinct text once, and which is each record's (`order`: the records)."""
    indent = PERSON + "    "
    if len(order) == 0:
        return pa.array([], type=TEXT), np.zeros(0, dtype=np.int64)
    codes, rows = factorize(_disposition_fields(ledger, order))
    status = counts(ledger.reason, ledger.credited)

    def disposition(k: int) -> str:
        position = int(order[k])
        code, credited = int(ledger.reason[position]), int(ledger.credited[position])
        after_id = {
            "status": "credited" if status[position] else "rejected",
            "credited_hours": to_float(credited),
            "reason": None if code == R.CREDITED else R.NAMES[code],
            "message": record_message(ledger, position).in_lang(lang),
        }
        return "," + flat_object(after_id, indent)[1:]  # the entry after its record_id

    return _words(rows, disposition), codes


def _defaults(ledger: Ledger) -> pa.Array | str:
    """Each person's `defaults` (the values assumed for blank cells), `` when none: each distinct set dumped once."""
    persons = ledger.persons
    n = len(persons)
    if not any(mask.any() for mask in persons.defaulted.values()):
        return ""
    fields = []
    for name, mask in persons.defaulted.items():
        code = np.zeros(n, dtype=np.int64)
        rows = np.flatnonzero(mask)
        if len(rows):
            words = pa.array([str(value) for value in persons.attributes[name][rows].tolist()], type=pa.string())
            code[rows] = 1 + pc.dictionary_encode(words).indices.to_numpy().astype(np.int64)
        fields.append(code)
    codes, rows = factorize(fields)

    def assumed(person: int) -> str:
        entry = {name: str(persons.attributes[name][person]) for name, mask in persons.defaulted.items() if mask[person]}
        return f',\n{PERSON}  "defaults": {flat_object(entry, PERSON + "  ")}' if entry else ""

    return _fragments(codes, rows, assumed)


def rejected_input_json(ledger: Ledger, lang: str) -> tuple[np.ndarray, pa.Array]:
    """The `rejected_input` entries of a ledger (records of no person), each after `,\\n`, and their lines, in file order."""
    positions = ledger.rejected_input
    rec = ledger.records
    lines = rec.line[positions].astype(np.int64)
    if len(positions) == 0:
        return lines, pa.array([], type=TEXT)
    code = ledger.reason[positions].astype(np.int64)
    by_person = np.isin(code, [R.UNKNOWN_PERSON, R.INVALID_PERSON])
    person_id = pc.dictionary_encode(rec.person_id.take(pa.array(positions)))
    person_code = pc.fill_null(person_id.indices, -1).to_numpy().astype(np.int64)
    codes, rows = factorize([code, np.where(by_person, person_code, 0), np.where(by_person, 0, positions + 1)])
    indent = "    "

    def reason_and_message(k: int) -> tuple[str, str]:
        position = int(positions[k])
        reason = int(ledger.reason[position])
        return (
            dump(None if reason == R.CREDITED else R.NAMES[reason]),
            dump(record_message(ledger, position).in_lang(lang)),
        )

    said = [reason_and_message(int(k)) for k in rows.tolist()]
    take = pa.array(codes)
    reason = pa.array([s[0] for s in said], type=TEXT).take(take)
    message = pa.array([s[1] for s in said], type=TEXT).take(take)
    record_id = json_strings(rec.record_id.take(pa.array(positions)))
    line = pc.cast(pa.array(lines), TEXT)
    entries = _join(
        ",\n" + indent + "{\n" + indent + '  "record_id": ',
        record_id,
        ",\n" + indent + '  "reason": ',
        reason,
        ",\n" + indent + '  "line": ',
        line,
        ",\n" + indent + '  "message": ',
        message,
        "\n" + indent + "}",
    )
    order = np.argsort(lines, kind="stable")
    return lines[order], entries.take(pa.array(order))
