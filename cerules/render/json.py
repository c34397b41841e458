"""The contract's JSON document: as one text (`to_json`, the reference), or written column-wise with
the same bytes, from one evaluation (`write_json`) or chunk by chunk (`write_json_stream`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from ..base.version import __version__

if TYPE_CHECKING:  # rendered, never imported: the evaluation layer sits above this one
    from ..evaluation.batch import ChunkedRun
    from ..evaluation.cohort import Evaluation
    from ..evaluation.quality import DataQuality
    from ..inputs.normalise import RejectedPerson
    from ..rules.ruleset import RuleSet


def to_json(evaluation: Evaluation, lang: str = "zh") -> str:
    """The contract's JSON document as text (UTF-8, Chinese kept readable)."""
    return json.dumps(evaluation.to_document(lang), ensure_ascii=False, indent=2) + "\n"


def _indented(value: Any, prefix: str) -> str:
    """`json.dumps(value, indent=2)` as it stands nested under `prefix` in a larger document."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)


def write_json_stream(run: ChunkedRun, stream: BinaryIO, lang: str = "zh", **options: Any) -> dict[str, int]:
    """Write the contract's JSON document chunk by chunk; the bytes equal `to_json` of the whole.

    Each chunk's people and records are rendered column-wise (`json_people`). Returns the summary.
    Options go to `ChunkedRun.chunks` (workers, progress).
    """
    evaluations = (chunk.evaluation for chunk in run.chunks(**options))
    return _write_document(run.rules, evaluations, lambda: (run.rejected_persons, run.data_quality()), stream, lang)


def write_json(evaluation: Evaluation, stream: BinaryIO, lang: str = "zh") -> dict[str, int]:
    """Write one evaluation's JSON document, rendered column-wise: the bytes of `to_json(evaluation)`, sooner."""
    return _write_document(evaluation.rules, [evaluation], lambda: (evaluation.rejected_persons, evaluation.data_quality()), stream, lang)


def _write_document(
    rules: RuleSet,
    evaluations: Iterable[Evaluation],
    after: Callable[[], tuple[Sequence[RejectedPerson], DataQuality]],
    stream: BinaryIO,
    lang: str,
) -> dict[str, int]:
    """The document of evaluations of parts of a cohort, in order; `after` gives the rejected persons
    and the data-quality report once every part is done. Returns the summary."""
    import numpy as np
    import pyarrow as pa

    from .json_people import listed_bytes, people_json, rejected_input_json

    def put(text: str) -> None:
        stream.write(text.encode("utf-8"))

    put("{\n")
    put(f'  "year": {rules.year},\n')
    put(f'  "rules": {_indented(rules.document_entry(), "  ")},\n')
    put(f'  "engine": {_indented({"name": "cerules", "version": __version__}, "  ")},\n')
    put('  "people": [')
    totals: Counter[str] = Counter()
    lines: list[np.ndarray] = []
    rejected_entries: list[pa.Array] = []
    first = True
    for evaluation in evaluations:
        ledger = evaluation.ledger
        totals.update(evaluation.summary())
        for people in people_json(ledger, lang):
            stream.write(listed_bytes(people, first=first))
            first = False
        part_lines, entries = rejected_input_json(ledger, lang)
        lines.append(part_lines)
        rejected_entries.append(entries)
    put("\n  ],\n" if not first else "],\n")
    put('  "rejected_input": [')
    if sum(len(entries) for entries in rejected_entries):
        in_order = np.argsort(np.concatenate(lines), kind="stable")
        stream.write(listed_bytes(pa.concat_arrays(rejected_entries).take(pa.array(in_order)), first=True))
        put("\n  ],\n")
    else:
        put("],\n")
    rejected_persons, quality = after()
    put(f'  "summary": {_indented(dict(totals), "  ")}')
    if rejected_persons:
        put(f',\n  "rejected_persons": {_indented([rejected.to_dict(lang) for rejected in rejected_persons], "  ")}')
    put(f',\n  "data_quality": {_indented(quality.to_dict(), "  ")}')
    put("\n}\n")
    return dict(totals)
