"""The contract's JSON document: as one text, or streamed chunk by chunk with the same bytes."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any, BinaryIO

from ..base.version import __version__

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import Evaluation


def to_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The contract's JSON document as text (UTF-8, Chinese kept readable)."""
    return json.dumps(evaluation.to_document(lang), ensure_ascii=False, indent=2) + "\n"


def _indented(value: Any, prefix: str) -> str:
    """`json.dumps(value, indent=2)` as it stands nested under `prefix` in a larger document."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)


def write_json_stream(run: ChunkedRun, stream: BinaryIO, lang: str = "zh", **options: Any) -> dict[str, int]:
    """Write the contract's JSON document chunk by chunk; the bytes equal `to_json` of the whole.

    Returns the summary. Options go to `ChunkedRun.chunks` (workers, progress).
    """
    rules = run.rules

    def put(text: str) -> None:
        stream.write(text.encode("utf-8"))

    put("{\n")
    put(f'  "year": {rules.year},\n')
    put(f'  "rules": {_indented(rules.document_entry(), "  ")},\n')
    put(f'  "engine": {_indented({"name": "cerules", "version": __version__}, "  ")},\n')
    put('  "people": [')
    totals: Counter[str] = Counter()
    rejected_input: list[dict[str, Any]] = []
    first = True
    for chunk in run.chunks(**options):
        evaluation = chunk.evaluation
        totals.update(evaluation.summary())
        for person in evaluation:
            put(("\n" if first else ",\n") + "    " + _indented(person.to_dict(lang), "    "))
            first = False
        rejected_input += evaluation.rejected_input_entries(lang)
    put("\n  ],\n" if not first else "],\n")
    put(f'  "rejected_input": {_indented(sorted(rejected_input, key=lambda entry: entry["line"]), "  ")},\n')
    put(f'  "summary": {_indented(dict(totals), "  ")}')
    if run.rejected_persons:
        put(f',\n  "rejected_persons": {_indented([rejected.to_dict(lang) for rejected in run.rejected_persons], "  ")}')
    put(f',\n  "data_quality": {_indented(run.data_quality().to_dict(), "  ")}')
    put("\n}\n")
    return dict(totals)
