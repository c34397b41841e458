"""Outputs are an attack surface: what cerules writes must not run, mislead or destroy.

- CSV cells a spreadsheet would run as a formula are neutralised; the JSON keeps the raw text.
- Controls in ids and messages never reach a terminal or a web page as they are, nor break a
  Word or PDF document.
- `--out` never overwrites an input, respects read-only files, modes and the umask, follows links,
  and is written whole or not at all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

import cerules
from cerules.base.printable import document_text, escape_unsafe, is_unsafe
from cerules.cli.main import main
from cerules.evaluation.batch import ChunkedRun
from cerules.render import html
from cerules.render.csv import csv_bytes, csv_header_line, to_csv, write_csv_stream
from cerules.render.files import OutputError, atomic_output, check_output, write_atomic
from cerules.render.json import to_json
from cerules.render.table import to_table
from tests.conftest import person, record

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "plans" / "health-2023.toml"
SOME = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","y")', "-"]
HARMLESS = ["p1", "中文", "a=b", "'quoted", "a,b", 'say "hi"', "3-1"]


def neutralised(text: str) -> str:
    """What a spreadsheet must be given for a text cell (OWASP): a quote before a formula's first character."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def expected_csv(rows: list[list[str]]) -> bytes:
    """The rule written out: a neutralised cell is quoted, as is one holding a comma, quote or line end."""

    def cell(text: str) -> str:
        safe = neutralised(text)
        if safe != text or any(char in safe for char in ',"\r\n'):
            return '"' + safe.replace('"', '""') + '"'
        return safe

    return "".join(",".join(cell(text) for text in row) + "\n" for row in rows).encode("utf-8")


# --- CSV: formula injection -------------------------------------------------------------------------


def test_a_person_id_a_spreadsheet_would_run_is_neutralised_in_csv_and_kept_raw_in_json(rules):
    ids = FORMULAS + HARMLESS
    persons = [person(i) for i in ids]
    records = [record("public", 3, person_id=i) for i in ids]
    evaluation = cerules.evaluate(rules, persons, records)
    rows = list(csv.reader(io.StringIO(to_csv(evaluation), newline="")))
    assert [row[0] for row in rows[1:]] == [neutralised(i) for i in ids]
    assert [p["person_id"] for p in json.loads(to_json(evaluation))["people"]] == ids
    lines = to_csv(evaluation).splitlines()
    assert lines[1].startswith('"\'=1+2",') and lines[FORMULAS.index("-") + 1].startswith('"\'-",')
    assert lines[len(FORMULAS) + 1].startswith("p1,false,30,3.0,27.0,")  # numbers and verdicts as they were


def test_numbers_the_engine_writes_stay_numbers_and_only_text_columns_are_neutralised():
    table = pa.table(
        {
            "person_id": ["-1", "=x"],
            "public.credited": ["-1.5", "2.0"],  # an amount: a number even when negative
            "public.met": ["true", "false"],
            "public.set_by": ["@draft", "province"],
            "reasons": ["", "cap_exceeded"],
        }
    )
    assert csv_bytes(table, header=False) == b'"\'-1",-1.5,true,"\'@draft",\n"\'=x",2.0,false,province,cap_exceeded\n'


def test_tab_and_carriage_return_first_are_neutralised_too():
    table = pa.table({"person_id": ["\tx", "\r=1", "a\tb"]})
    assert csv_bytes(table, header=False) == b'"\'\tx"\n"\'\r=1"\na\tb\n'


def test_the_header_is_written_like_every_text_cell():
    assert csv_header_line(["=cmd"]).startswith(b'person_id,compliant,"\'=cmd.required","\'=cmd.credited",')
    assert (
        csv_header_line(["public"])
        == (
            ",".join(
                [
                    "person_id",
                    "compliant",
                    *(f"public.{p}" for p in ("required", "credited", "shortfall", "met", "set_by")),
                    "records",
                    "credited_records",
                    "rejected_records",
                    "reasons",
                ]
            )
            + "\n"
        ).encode()
    )


cell_text = st.one_of(
    st.sampled_from(FORMULAS + HARMLESS + ["", "\t", "\r\n", '"', "'"]),
    st.text(alphabet=st.sampled_from(list("=+-@\t\r\n,\"' a1中")), max_size=6),
    st.text(max_size=8),
)


@SOME
@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=8))
def test_text_columns_are_neutralised_cell_by_cell_and_read_back_by_the_csv_module(rows):
    table = pa.table({"person_id": [a for a, _ in rows], "x.set_by": [b for _, b in rows]})
    assert csv_bytes(table, header=False) == expected_csv([[a, b] for a, b in rows])
    read = list(csv.reader(io.StringIO(csv_bytes(table, header=False).decode("utf-8"), newline="")))
    assert read == [[neutralised(a), neutralised(b)] for a, b in rows]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FORMULAS + HARMLESS), min_size=1, max_size=6, unique=True), st.integers(1, 4))
def test_the_streamed_csv_is_byte_for_byte_the_whole_one_with_neutralised_cells(rules, ids, chunk_records):
    persons = [person(i) for i in ids]
    records = [record("public", 2, person_id=i) for i in ids for _ in range(2)]
    buffer = io.BytesIO()
    write_csv_stream(ChunkedRun(rules, persons, records, chunk_records=chunk_records), buffer)
    assert buffer.getvalue().decode("utf-8") == to_csv(cerules.evaluate(rules, persons, records))


# --- controls in the terminal table, HTML, Word and PDF ------------------------------------------------

HOSTILE = ["\x1b[2J\x1b[31mp1", "bell\x07", "a\u2028b", "\u202eevil", "nul\x00", "c1\x9b31m", "non\ufffe"]


def test_controls_are_shown_escaped_the_way_python_writes_them():
    assert escape_unsafe("\x1b[31mred") == "\\x1b[31mred"
    assert escape_unsafe("青岛\x07") == "青岛\\x07"
    assert escape_unsafe("a\u2028b\u2029c") == "a\\u2028b\\u2029c"
    assert escape_unsafe("\u202e\ufffe\U000e0001\ud800") == "\\u202e\\ufffe\\U000e0001\\ud800"
    assert escape_unsafe("line\nnext\ttab", keep="\n") == "line\nnext\\x09tab"
    assert escape_unsafe("e\u0301　全角") == "e\u0301　全角"  # a combining accent and an ideographic space are text


def test_the_table_escapes_controls_in_ids_and_messages_and_keeps_columns_aligned(rules):
    ids = ["青岛人", "\x1b[31m红", "bell\x07", "e\u0301", "a\u2028b"]
    persons = [person(i) for i in ids]
    records = [record("public", 30, person_id=i) for i in ids]
    records += [record("public", 2, person_id="ghost\x1b]0;title\x07", record_id="r\x1bX"), record("public", "\x1b[5m", person_id=ids[0])]
    text = to_table(cerules.evaluate(rules, persons, records), "en")
    assert not any(is_unsafe(char) for char in text.replace("\n", ""))
    assert "\\x1b[31m红" in text and "bell\\x07" in text and "a\\u2028b" in text and "r\\x1bX" in text and "ghost\\x1b]0;title" in text
    rows = [line for line in text.splitlines() if " FAIL " in line]  # everyone fails (no professional hours)
    ends = {cell_len(line.rsplit(" FAIL ", 1)[0]) for line in rows}  # measured as rich lays the table out
    assert len(ends) == 1 and len(rows) == len(ids)


@SOME
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and s))
def test_no_id_can_put_a_control_on_the_terminal(rules, person_id):
    evaluation = cerules.evaluate(rules, [person(person_id), person("参照")], [record("public", 1, person_id=person_id)])
    assume(len(evaluation.ledger.persons) == 2)  # an id the reader trims to nothing, or to 参照, is a rejected person
    text = to_table(evaluation, "en")
    assert not any(is_unsafe(char) for char in text.replace("\n", ""))
    data = [line for line in text.splitlines() if " FAIL " in line]  # both fail: no professional hours
    assert len(data) == 2 and len({cell_len(line.rsplit(" FAIL ", 1)[0]) for line in data}) == 1


def test_html_views_escape_markup_and_controls(rules):
    evaluation = cerules.evaluate(rules, [person("<b>\x1b[31m")], [record("public", 2, person_id="<b>\x1b[31m")])
    card = html.person_html(next(iter(evaluation)))
    overview = html.evaluation_html(evaluation)
    for page in (card, overview):
        assert "\x1b" not in page and "&lt;b&gt;\\x1b[31m" in page and "<b>\\x1b" not in page
    assert html.toml_html("a = 1\nb = 'x\x07'\n") == "<pre>a = 1\nb = &#x27;x\\x07&#x27;\n</pre>"


def test_documents_leave_controls_out_and_turn_separators_into_line_breaks():
    assert document_text("a\x01b\x1bc\ufffed\ud800e\u202ef") == "abcdef"
    assert document_text("one\u2028two\r\nthree\rfour\u2029five") == "one\ntwo\nthree\nfour\nfive"
    assert document_text("tab\tand　全角\u0301") == "tab\tand　全角\u0301"


def xml_char(char: str) -> bool:
    """A character XML 1.0 can hold (what python-docx insists on)."""
    code = ord(char)
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


any_character = st.one_of(
    st.characters(), st.integers(0xD800, 0xDFFF).map(chr), st.sampled_from("\x00\x01\x1b\x85\ufffe\uffff\u2028\u202e\r\n\t")
)


@SOME
@given(st.text(alphabet=any_character, max_size=20))
def test_any_text_becomes_text_xml_and_a_terminal_can_hold(text):
    cleaned = document_text(text)
    assert all(xml_char(char) for char in cleaned) and "\r" not in cleaned
    assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in cleaned if char not in "\t\n")
    assert document_text(cleaned) == cleaned
    shown = escape_unsafe(text)
    assert not any(is_unsafe(char) for char in shown) and escape_unsafe(shown) == shown
    assert shown.encode("utf-8").decode("utf-8") == shown  # a lone surrogate is escaped, so the text can be written


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_a_form_with_controls_exports_as_word_and_pdf(tmp_path, suffix):
    pytest.importorskip("docx")
    pytest.importorskip("reportlab")
    from cerules.forms.calls import Posting
    from cerules.forms.documents import export
    from tests.test_forms import docx_text, pdf_text

    posting = Posting(project="项目\x01一\x1b[31m\ufffe", unit="单位\u2028二部\ud800", description="\u202e简介\x07")
    path = export(posting, tmp_path / f"posting{suffix}")
    if suffix == ".docx":
        text, rows = docx_text(path)
        table = {row[0]: row[1:] for row in rows}
        assert table["项目名称"] == ["项目一[31m"] and table["张榜单位（盖章）"] == ["单位\n二部"] and table["项目简介"] == ["简介"]
    else:
        text = pdf_text(path)
        assert "项目一[31m" in text and "简介" in text and "\x1b" not in text and "\x01" not in text


# --- --out ----------------------------------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    persons = tmp_path / "persons.csv"
    persons.write_text("person_id,city,unit_level\np1,370200,city\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("record_id,person_id,subject,hours,completed_at\nr1,p1,public,30,2023-03-01\n", encoding="utf-8")
    return persons, records


def evaluate(capsys, persons: Path, records: Path, out: Path | str, *more: str) -> tuple[int, str]:
    code = main(["evaluate", "--year", "2023", "--persons", str(persons), "--records", str(records), "--out", str(out), *more])
    return code, capsys.readouterr().err


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def test_out_never_overwrites_an_input_by_any_path(capsys, inputs, tmp_path):
    persons, records = inputs
    before = persons.read_bytes(), records.read_bytes()
    (tmp_path / "link.csv").symlink_to(persons)
    os.link(records, tmp_path / "hard.csv")
    (tmp_path / "sub").mkdir()
    draft = tmp_path / "draft.toml"
    draft.write_text("", encoding="utf-8")
    for out, more in [
        (persons, ()),
        (records, ()),
        (tmp_path / "sub" / ".." / "persons.csv", ()),
        (tmp_path / "link.csv", ()),
        (tmp_path / "hard.csv", ()),
        (draft, ("--rules", str(draft))),
    ]:
        code, err = evaluate(capsys, persons, records, out, "--lang", "en", *more)
        assert code == 2 and "refusing to overwrite an input" in err and err.count("\n") == 1, (out, err)
    assert (persons.read_bytes(), records.read_bytes()) == before and (tmp_path / "link.csv").is_symlink()
    code, err = evaluate(capsys, persons, records, persons)
    assert code == 2 and "不能覆盖输入" in err


def test_a_read_only_target_is_not_replaced(capsys, inputs, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o444)
    code, err = evaluate(capsys, *inputs, target, "--lang", "en")
    assert code == 2 and "read-only" in err and str(target) in err
    assert target.read_text(encoding="utf-8") == "old" and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "persons.csv", "records.csv"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_gets_the_umasks(capsys, inputs, tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    assert evaluate(capsys, *inputs, kept)[0] == 0
    assert kept.read_text(encoding="utf-8").startswith("person_id,") and stat.S_IMODE(kept.stat().st_mode) == 0o640
    for mask, mode in [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)]:
        new = tmp_path / f"new-{mask:o}.json"
        with umask(mask):
            assert evaluate(capsys, *inputs, new)[0] == 0
        assert stat.S_IMODE(new.stat().st_mode) == mode


def test_out_through_a_link_replaces_the_file_it_points_to_and_keeps_the_link(capsys, inputs, tmp_path):
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "2023.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(Path("reports") / "2023.csv")
    assert evaluate(capsys, *inputs, link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == os.path.join("reports", "2023.csv")
    assert real.read_text(encoding="utf-8").startswith("person_id,")
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "reports" / "new.json")
    assert evaluate(capsys, *inputs, dangling)[0] == 0
    assert dangling.is_symlink() and json.loads((tmp_path / "reports" / "new.json").read_text(encoding="utf-8"))["year"] == 2023
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["2023.csv", "new.json"]


def test_a_folder_or_a_loop_of_links_as_out_is_one_line_and_exit_2(capsys, inputs, tmp_path):
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    for out in (tmp_path, loop):
        code, err = evaluate(capsys, *inputs, out, "--lang", "en")
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "is a folder" in evaluate(capsys, *inputs, tmp_path, "--lang", "en")[1]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_special_file_is_written_into_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    write_atomic(pipe, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"] and stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


def test_a_failed_write_leaves_the_old_file_and_nothing_beside_it(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "report.csv"
    link = tmp_path / "report.csv"
    link.symlink_to(target)
    write_atomic(link, "first\n")
    for path in (link, target, folder / "new.csv"):
        with pytest.raises(KeyboardInterrupt), atomic_output(path) as stream:
            stream.write(b"half")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "first\n" and [p.name for p in folder.iterdir()] == ["report.csv"]


def test_checks_run_before_any_work_and_errors_speak_both_languages(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("x\n", encoding="utf-8")
    with pytest.raises(OutputError) as refused:
        check_output(source, [tmp_path / "missing.csv", source])
    assert refused.value.in_lang("zh").endswith("不能覆盖输入") and "refusing" in refused.value.in_lang("en")
    check_output(tmp_path / "new.csv", [source])  # a new file: nothing to refuse


def test_form_exports_and_plan_layers_follow_the_same_rules(capsys, tmp_path):
    pytest.importorskip("docx")
    pytest.importorskip("reportlab")
    plan = tmp_path / "plan.toml"
    plan.write_bytes(PLAN.read_bytes())
    before = plan.read_bytes()
    assert main(["plan", "layer", str(plan), "--out", str(plan), "--lang", "en"]) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err and plan.read_bytes() == before
    link = tmp_path / "plan.docx"
    link.symlink_to(plan)
    assert main(["plan", "export", str(plan), "--out", str(link), "--lang", "en"]) == 2
    assert "refusing to overwrite an input" in capsys.readouterr().err and plan.read_bytes() == before
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(b"old")
    locked.chmod(0o444)
    assert main(["plan", "export", str(plan), "--out", str(locked), "--lang", "en"]) == 2
    assert "read-only" in capsys.readouterr().err and locked.read_bytes() == b"old"
    with umask(0o027):
        assert main(["plan", "export", str(plan), "--out", str(tmp_path / "new.docx")]) == 0
        assert main(["plan", "layer", str(plan), "--out", str(tmp_path / "layer.toml")]) == 0
    assert stat.S_IMODE((tmp_path / "new.docx").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "layer.toml").stat().st_mode) == 0o640
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(b"old")
    kept.chmod(0o600)
    (tmp_path / "kept-link.pdf").symlink_to(kept)
    assert main(["plan", "export", str(plan), "--out", str(tmp_path / "kept-link.pdf")]) == 0
    assert kept.read_bytes().startswith(b"%PDF-") and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert (tmp_path / "kept-link.pdf").is_symlink()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_every_category_escaped_is_one_a_terminal_or_xml_cannot_take_as_text():
    for code in (0x00, 0x07, 0x1B, 0x7F, 0x85, 0x9B, 0x200B, 0x202E, 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF, 0x1FFFE, 0xFDD0):
        assert is_unsafe(chr(code)), hex(code)
    for char in "a中　é\u0301'=😀":
        assert not is_unsafe(char), char
    assert all(unicodedata.category(c) != "Cc" for c in escape_unsafe("".join(map(chr, range(0x100)))))
