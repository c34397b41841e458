"""Specification of cerules.io: reading persons and records files into string columns."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import decimal
import io
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cerules.base.errors import CeruleError
from cerules.inputs.headers import contract_names
from cerules.inputs.reading import InputError, RowProblem, Table, detect_encoding, read_table


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def cells(table: Table) -> dict[str, list[str | None]]:
    return {name: table.cells(name) for name in table.columns}


# --------------------------------------------------------------------------------------------
# InputError


class TestInputError:
    def test_str_is_one_line_naming_file_line_and_column(self) -> None:
        err = InputError("records.csv", "不是数字", "not a number", line=12, column="hours")
        assert str(err) == "records.csv, line 12, column 'hours': not a number"

    def test_parts_that_are_unknown_are_left_out(self) -> None:
        assert str(InputError("a.csv", "文件为空", "file is empty")) == "a.csv: file is empty"
        assert str(InputError("a.csv", "z", "m", line=3)) == "a.csv, line 3: m"
        assert str(InputError("a.csv", "z", "m", column="city")) == "a.csv, column 'city': m"

    def test_localized_chinese(self) -> None:
        err = InputError("records.csv", "不是数字", "not a number", line=12, column="hours")
        assert err.localized("zh") == "records.csv 第 12 行，列 'hours'：不是数字"
        assert err.localized("zh-CN") == err.localized("zh")
        assert InputError("a.csv", "文件为空", "m").localized("zh") == "a.csv：文件为空"

    def test_localized_english_is_str(self) -> None:
        err = InputError("a.csv", "z", "m", line=1)
        assert err.localized("en") == str(err)

    def test_unknown_language_is_refused(self) -> None:
        with pytest.raises(ValueError, match="fr"):
            InputError("a.csv", "z", "m").localized("fr")

    def test_attributes(self) -> None:
        err = InputError("a.csv", "z", "m", line=2, column="c")
        assert (err.path, err.line, err.column, err.message_en, err.message_zh) == ("a.csv", 2, "c", "m", "z")

    def test_a_column_name_with_a_newline_still_gives_one_line(self) -> None:
        err = InputError("a.csv", "z", "m", line=2, column="a\nb")
        assert "\n" not in str(err) and "\n" not in err.localized("zh")

    def test_survives_pickling_with_line_and_column(self) -> None:
        err = pickle.loads(pickle.dumps(InputError("a.csv", "z", "m", line=2, column="c")))
        assert str(err) == "a.csv, line 2, column 'c': m"
        assert err.localized("zh") == "a.csv 第 2 行，列 'c'：z"

    def test_is_a_cerule_error_whose_messages_are_the_located_lines(self) -> None:
        err = InputError("records.csv", "不是数字", "not a number", line=12, column="hours")
        assert isinstance(err, CeruleError) and not isinstance(err, ValueError)
        assert (err.in_lang("zh"), err.in_lang("en")) == (err.localized("zh"), str(err))
        assert (err.text.zh, err.text.en) == (
            "records.csv 第 12 行，列 'hours'：不是数字",
            "records.csv, line 12, column 'hours': not a number",
        )


# --------------------------------------------------------------------------------------------
# Choosing the format; files that do not exist


class TestFileAndFormat:
    def test_suffix_is_case_insensitive(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.CSV", "person_id\np1\n")
        assert cells(read_table(path)) == {"person_id": ["p1"]}

    def test_ndjson_is_json_lines(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.ndjson", '{"person_id": "p1"}\n')
        assert cells(read_table(path)) == {"person_id": ["p1"]}

    def test_accepts_a_str_path_and_keeps_it_for_messages(self, tmp_path: Path) -> None:
        path = str(write(tmp_path, "persons.csv", "person_id\np1\n"))
        assert read_table(path).path == path

    def test_other_suffix_is_refused_naming_the_supported_ones(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.docx", b"PK\x03\x04")
        with pytest.raises(InputError) as info:
            read_table(path)
        assert "'.docx'" in str(info.value)
        for suffix in (".csv", ".jsonl", ".parquet", ".xlsx"):
            assert suffix in str(info.value) and suffix in info.value.localized("zh")

    def test_no_suffix_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no suffix"):
            read_table(write(tmp_path, "persons", "person_id\n"))

    def test_missing_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "nowhere.csv"
        with pytest.raises(InputError) as info:
            read_table(path)
        assert str(info.value) == f"{path}: file not found"
        assert info.value.localized("zh") == f"{path}：文件不存在"

    def test_directory_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "d.csv").mkdir()
        with pytest.raises(InputError, match="directory"):
            read_table(tmp_path / "d.csv")


# --------------------------------------------------------------------------------------------
# Encodings


class TestDetectEncoding:
    def test_utf8_with_bom(self) -> None:
        assert detect_encoding(codecs.BOM_UTF8 + "城市".encode()) == "utf-8-sig"

    def test_utf8(self) -> None:
        assert detect_encoding("城市".encode()) == "utf-8"

    def test_plain_ascii_is_utf8(self) -> None:
        assert detect_encoding(b"person_id,city\n") == "utf-8"

    def test_gbk_and_gb18030_are_gb18030(self) -> None:
        assert detect_encoding("青岛市,济南市".encode("gbk")) == "gb18030"
        assert detect_encoding("青岛市 𠀀".encode("gb18030")) == "gb18030"

    @pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
    def test_utf16_and_utf32_are_refused(self, codec: str) -> None:
        with pytest.raises(ValueError, match="UTF-16|UTF-32"):
            detect_encoding("person_id,city\np1,青岛市\n".encode(codec))

    def test_a_refusal_says_why_in_chinese_and_english(self) -> None:
        with pytest.raises(CeruleError) as info:
            detect_encoding("person_id\n".encode("utf-16"))
        assert isinstance(info.value, ValueError)
        assert info.value.in_lang("zh") == "文件是 UTF-16 编码（有字节顺序标记）"
        assert str(info.value) == "file is UTF-16 encoded (byte-order mark)"

    def test_binary_data_is_refused(self) -> None:
        with pytest.raises(ValueError):
            detect_encoding(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        with pytest.raises(ValueError, match="neither UTF-8 nor GB18030"):
            detect_encoding(b"abc\xff\xfe\x80")

    def test_a_utf8_bom_before_invalid_utf8_is_refused(self) -> None:
        with pytest.raises(ValueError, match="byte-order mark"):
            detect_encoding(codecs.BOM_UTF8 + "青岛".encode("gbk"))

    @given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")))
    def test_any_utf8_text_is_utf8(self, text: str) -> None:
        assume(not text.startswith("\ufeff"))  # text that begins with U+FEFF is, encoded, a file with a byte-order mark
        assert detect_encoding(text.encode()) == "utf-8"
        assert detect_encoding(codecs.BOM_UTF8 + text.encode()) == "utf-8-sig"


class TestCsvEncodings:
    def test_gb18030_file_with_chinese_header_and_values(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", "人员编号,城市,备注\np1,青岛市,新\np2,济南,\n", "gb18030")
        table = read_table(path)  # Chinese names of contract columns read as the contract's (inputs/headers.py)
        assert cells(table) == {"person_id": ["p1", "p2"], "city": ["青岛市", "济南"], "备注": ["新", None]}

    def test_gbk_excel_export(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", "person_id,city\r\np1,青岛市\r\n", "gbk")
        assert cells(read_table(path)) == {"person_id": ["p1"], "city": ["青岛市"]}

    def test_utf8_bom_does_not_stick_to_the_first_column_name(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", "person_id,city\np1,青岛市\n", "utf-8-sig")
        table = read_table(path, required=["person_id"])
        assert list(table.columns) == ["person_id", "city"]

    def test_gb18030_bom_does_not_stick_to_the_first_column_name(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", "\ufeffperson_id\np1\n", "gb18030")
        assert list(read_table(path).columns) == ["person_id"]

    def test_utf16_file_is_refused_naming_the_accepted_encodings(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", "person_id,city\np1,青岛市\n", "utf-16")
        with pytest.raises(InputError) as info:
            read_table(path)
        assert "UTF-16" in str(info.value)
        assert "UTF-8, UTF-8 with BOM, GB18030/GBK" in str(info.value)
        assert "GB18030" in info.value.localized("zh")

    def test_undecodable_bytes_are_refused_with_their_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "persons.csv", b"person_id,city\np1,x\np2,\xff\xff\n")
        with pytest.raises(InputError) as info:
            read_table(path)
        assert info.value.line == 3
        assert "neither UTF-8 nor GB18030" in str(info.value)


# --------------------------------------------------------------------------------------------
# Empty files


class TestEmptyFiles:
    @pytest.mark.parametrize("name", ["persons.csv", "persons.jsonl", "persons.parquet"])
    def test_zero_bytes_is_refused(self, tmp_path: Path, name: str) -> None:
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, name, b""))
        assert str(info.value).endswith(": file is empty")
        assert info.value.localized("zh").endswith("：文件为空")

    @pytest.mark.parametrize("name", ["persons.csv", "persons.jsonl"])
    def test_only_whitespace_is_refused(self, tmp_path: Path, name: str) -> None:
        with pytest.raises(InputError, match="file is empty"):
            read_table(write(tmp_path, name, " \n\r\n\t\n"))

    def test_utf8_bom_alone_is_empty(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="file is empty"):
            read_table(write(tmp_path, "persons.csv", codecs.BOM_UTF8))

    def test_a_header_without_rows_is_an_empty_table(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "persons.csv", "person_id,city\n"), required=["city"])
        assert len(table) == 0
        assert list(table.columns) == ["person_id", "city"]
        assert table.column("city").shape == (0,) and table.lines.shape == (0,)
        assert table.problems == ()


# --------------------------------------------------------------------------------------------
# CSV


class TestCsvHeader:
    def test_header_names_are_stripped(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", " person_id , city\np1,青岛\n"), required=["person_id"])
        assert list(table.columns) == ["person_id", "city"]

    def test_an_empty_column_name_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.csv", "\nperson_id, ,city\np1,x,y\n"))
        assert info.value.line == 2
        assert "column 2 of the header has no name" in str(info.value)

    def test_a_duplicate_column_name_is_refused_naming_it(self, tmp_path: Path) -> None:
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.csv", "person_id,city, city\np1,a,b\n"))
        assert info.value.column == "city" and info.value.line == 1
        assert "more than once" in str(info.value)
        assert "重复" in info.value.localized("zh")


class TestCsvRows:
    def test_cells_are_stripped_and_empty_cells_are_none(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b,c\n  x ,, \u3000\n"))
        assert cells(table) == {"a": ["x"], "b": [None], "c": [None]}

    def test_cells_are_not_interpreted(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "hours,completed_at,approved\n01.50,2023-05-01,TRUE\n"))
        assert cells(table) == {"hours": ["01.50"], "completed_at": ["2023-05-01"], "approved": ["TRUE"]}

    def test_lines_are_source_lines_and_blank_lines_are_skipped(self, tmp_path: Path) -> None:
        text = "\n\nid\n\nr1\n   \nr2\n\n"
        table = read_table(write(tmp_path, "r.csv", text))
        assert list(table.column("id")) == ["r1", "r2"]
        assert list(table.lines) == [5, 7]
        assert table.lines.dtype == np.int64

    def test_a_quoted_empty_cell_is_a_row_not_a_blank_line(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", 'id\n""\nr2\n'))
        assert list(table.column("id")) == [None, "r2"]
        assert list(table.lines) == [2, 3]

    def test_a_row_of_empty_cells_is_kept(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b\n,\nx,y\n"))
        assert cells(table) == {"a": [None, "x"], "b": [None, "y"]}
        assert table.problems == ()

    def test_multi_line_quoted_field_keeps_line_numbers_right(self, tmp_path: Path) -> None:
        text = 'record_id,topic\nr1,"line one\nline two\n\nline four"\nr2,x\n'
        table = read_table(write(tmp_path, "r.csv", text))
        assert cells(table) == {"record_id": ["r1", "r2"], "topic": ["line one\nline two\n\nline four", "x"]}
        assert list(table.lines) == [2, 6]

    @pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
    def test_any_line_ending(self, tmp_path: Path, newline: str) -> None:
        text = newline.join(["id,note", "r1,a", '"r2","b', 'c"', "r3,d", ""])
        table = read_table(write(tmp_path, "r.csv", text))
        assert cells(table) == {"id": ["r1", "r2", "r3"], "note": ["a", f"b{newline}c", "d"]}
        assert list(table.lines) == [2, 3, 5]

    def test_quoted_field_after_a_space(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", 'id, topic\nr1, "a, b"\n'))
        assert cells(table) == {"id": ["r1"], "topic": ["a, b"]}

    def test_more_fields_than_the_header_keeps_the_row_with_a_problem(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b\n1,2\n3,4,5\n6,7\n"))
        assert cells(table) == {"a": ["1", "3", "6"], "b": ["2", "4", "7"]}
        assert table.problems == (RowProblem(1, None, "该行有 3 个字段，表头有 2 个", "row has 3 fields, header has 2"),)

    def test_trailing_empty_extra_fields_are_no_problem(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b\n1,2,,\n"))
        assert cells(table) == {"a": ["1"], "b": ["2"]}
        assert table.problems == ()

    def test_fewer_fields_than_the_header_gives_none_and_a_problem(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b,c\n1\n2,3,4\n"))
        assert cells(table) == {"a": ["1", "2"], "b": [None, "3"], "c": [None, "4"]}
        assert len(table.problems) == 1
        assert table.problems[0].row == 0 and table.problems[0].column is None
        assert table.problems[0].message_en == "row has 1 field, header has 3"

    def test_a_miscounted_multi_line_row_hints_at_quotes(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", 'a,b\n1,"x\n2,y"\n3,z\n'))
        assert len(table) == 2  # the stray quote joined lines 2 and 3 into one row
        assert "x\n2,y" in list(table.column("b"))
        assert table.problems == ()
        broken = read_table(write(tmp_path, "s.csv", 'a,b\n1,"x\n2,y",3\n'))
        assert "spans lines 2-3" in broken.problems[0].message_en

    def test_a_quote_never_closed_is_refused_at_the_row_where_it_opens(self, tmp_path: Path) -> None:
        text = 'id,topic\nr1,ok\nr2,"broken\nr3,x\nr4,y\n'
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.csv", text))
        assert info.value.line == 3
        assert "never closed" in str(info.value)

    def test_a_closed_quote_on_the_last_line_is_fine(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", 'id,topic\nr1,"a\nb"'))
        assert cells(table) == {"id": ["r1"], "topic": ["a\nb"]}

    def test_a_field_over_the_csv_size_limit_is_refused_with_its_line(self, tmp_path: Path) -> None:
        text = 'id,topic\nr1,x\nr2,"' + "x" * (csv.field_size_limit() + 10) + '"\n'
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.csv", text))
        assert info.value.line == 3

    def test_no_row_is_ever_lost(self, tmp_path: Path) -> None:
        text = 'a,b\n1,2\n3\n4,5,6\n,\n"7\n8",9\n'
        table = read_table(write(tmp_path, "r.csv", text))
        assert len(table) == 5
        assert list(table.lines) == [2, 3, 4, 5, 6]
        assert [p.row for p in table.problems] == [1, 2]


# --------------------------------------------------------------------------------------------
# Required columns


class TestRequired:
    def test_missing_required_column_names_it_and_lists_the_columns_found(self, tmp_path: Path) -> None:
        path = write(tmp_path, "records.csv", "record_id,person_id\nr1,p1\n")
        with pytest.raises(InputError) as info:
            read_table(path, required=["record_id", "hours"])
        err = info.value
        assert err.column == "hours" and err.line == 1
        assert str(err) == (f"{path}, line 1, column 'hours': required column is missing; columns found: 'record_id', 'person_id'")
        assert "缺少必需的列" in err.localized("zh")

    def test_present_required_columns_pass(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "hours,record_id\n1,r1\n"), required=("record_id", "hours"))
        assert len(table) == 1

    def test_a_single_string_means_one_column(self, tmp_path: Path) -> None:
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.csv", "h\n1\n"), required="hours")
        assert info.value.column == "hours"

    def test_jsonl_required_column_missing_from_every_line(self, tmp_path: Path) -> None:
        path = write(tmp_path, "r.jsonl", '{"record_id": "r1"}\n{"record_id": "r2", "hours": 1}\n')
        assert len(read_table(path, required=["hours"])) == 2
        with pytest.raises(InputError) as info:
            read_table(path, required=["person_id"])
        assert info.value.column == "person_id" and info.value.line is None

    def test_parquet_required_column(self, tmp_path: Path) -> None:
        path = tmp_path / "r.parquet"
        pq.write_table(pa.table({"record_id": ["r1"]}), path)
        with pytest.raises(InputError) as info:
            read_table(path, required=["hours"])
        assert info.value.column == "hours"
        assert "'record_id'" in str(info.value)


# --------------------------------------------------------------------------------------------
# Table


class TestTable:
    def test_absent_column_is_all_none(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a\n1\n2\n"))
        assert table.cells("platform") == [None, None]

    def test_arrays_are_read_only(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a\n1\n"))
        with pytest.raises(ValueError):
            table.column("a")[0] = "x"
        with pytest.raises(ValueError):
            table.lines[0] = 9

    def test_columns_must_match_the_rows(self) -> None:
        with pytest.raises(ValueError, match="'a'"):
            Table("x.csv", {"a": np.array(["1"], dtype=object)}, np.array([2, 3], dtype=np.int64), ())

    def test_repr_is_short(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b\n1,2\n"))
        assert repr(table) == f"Table(path={table.path!r}, rows=1, columns=['a', 'b'], problems=0)"


# --------------------------------------------------------------------------------------------
# JSON Lines


class TestJsonLines:
    def test_values_become_strings(self, tmp_path: Path) -> None:
        line = '{"s": " x ", "t": true, "f": false, "i": 2, "x": 1.5, "n": null, "e": ""}\n'
        table = read_table(write(tmp_path, "r.jsonl", line))
        assert cells(table) == {
            "s": ["x"],
            "t": ["true"],
            "f": ["false"],
            "i": ["2"],
            "x": ["1.5"],
            "n": [None],
            "e": [None],
        }
        assert all(type(v) is str for v in table.columns.values() for v in v if v is not None)

    def test_numbers_keep_their_source_text(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", '{"h": 0.10}\n{"h": 1e2}\n{"h": 12345678901234567890}\n'))
        assert list(table.column("h")) == ["0.10", "1e2", "12345678901234567890"]

    def test_columns_are_the_union_of_keys_in_first_appearance_order(self, tmp_path: Path) -> None:
        text = '{"b": "1", "a": "2"}\n{"c": "3", "a": "4"}\n'
        table = read_table(write(tmp_path, "r.jsonl", text))
        assert cells(table) == {"b": ["1", None], "a": ["2", "4"], "c": [None, "3"]}

    def test_keys_are_stripped(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", '{" a ": "1"}\n{"a": "2"}\n'))
        assert cells(table) == {"a": ["1", "2"]}

    def test_lines_and_blank_lines(self, tmp_path: Path) -> None:
        text = '\n{"a": "1"}\r\n  \n{"a": "2"}'
        table = read_table(write(tmp_path, "r.jsonl", text))
        assert list(table.column("a")) == ["1", "2"]
        assert list(table.lines) == [2, 4]

    def test_a_raw_line_separator_inside_a_string_is_not_a_line_break(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", '{"a": "x\u2028y"}\n{"a": "z"}\n'))
        assert list(table.column("a")) == ["x\u2028y", "z"]
        assert list(table.lines) == [1, 2]

    def test_nested_value_keeps_the_row_with_that_cell_none(self, tmp_path: Path) -> None:
        text = '{"id": "r1", "tags": ["a"]}\n{"id": "r2", "tags": {"k": 1}}\n{"id": "r3", "tags": "t"}\n'
        table = read_table(write(tmp_path, "r.jsonl", text))
        assert cells(table) == {"id": ["r1", "r2", "r3"], "tags": [None, None, "t"]}
        assert [(p.row, p.column) for p in table.problems] == [(0, "tags"), (1, "tags")]
        assert table.problems[0].message_en == "value is a JSON array, not a single value"

    def test_invalid_json_keeps_the_row_with_all_none(self, tmp_path: Path) -> None:
        text = '{"id": "r1"}\n{"id": "r2",\n{"id": "r3"}\n'
        table = read_table(write(tmp_path, "r.jsonl", text))
        assert list(table.column("id")) == ["r1", None, "r3"]
        assert list(table.lines) == [1, 2, 3]
        (problem,) = table.problems
        assert problem.row == 1 and problem.column is None
        assert problem.message_en.startswith("not valid JSON")

    @pytest.mark.parametrize(("line", "kind"), [("[1, 2]", "array"), ('"r2"', "string"), ("7", "number"), ("null", "null")])
    def test_a_line_that_is_not_an_object_keeps_the_row(self, tmp_path: Path, line: str, kind: str) -> None:
        table = read_table(write(tmp_path, "r.jsonl", f'{{"id": "r1"}}\n{line}\n'))
        assert list(table.column("id")) == ["r1", None]
        assert table.problems == (RowProblem(1, None, table.problems[0].message_zh, f"line is a JSON {kind}, not an object"),)

    def test_an_empty_key_is_a_problem_and_its_value_ignored(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", '{"id": "r1", " ": "x"}\n'))
        assert cells(table) == {"id": ["r1"]}
        assert [p.row for p in table.problems] == [0]

    def test_only_invalid_lines_give_rows_without_columns(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", "oops\n"))
        assert len(table) == 1 and table.columns == {} and len(table.problems) == 1

    def test_utf8_bom_is_accepted(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.jsonl", '{"city": "青岛市"}\n', "utf-8-sig"))
        assert cells(table) == {"city": ["青岛市"]}

    def test_invalid_utf8_is_refused_with_its_line(self, tmp_path: Path) -> None:
        data = '{"a": "1"}\n\n{"city": "青岛市"}\n'.encode("gb18030")
        with pytest.raises(InputError) as info:
            read_table(write(tmp_path, "r.jsonl", data))
        assert info.value.line == 3
        assert "UTF-8" in str(info.value)

    def test_utf16_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="UTF-16"):
            read_table(write(tmp_path, "r.jsonl", '{"a": "1"}\n', "utf-16"))


# --------------------------------------------------------------------------------------------
# Parquet


class TestParquet:
    def test_round_trip_of_typed_columns(self, tmp_path: Path) -> None:
        shanghai = dt.timezone(dt.timedelta(hours=8))
        data = pa.table(
            {
                "record_id": pa.array([" r1 ", "r2", ""]),
                "hours": pa.array([1.5, 2.0, None]),
                "count": pa.array([2, None, -3], pa.int32()),
                "credits": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("2")], pa.decimal128(5, 2)),
                "approved": pa.array([True, False, None]),
                "day": pa.array([dt.date(2023, 5, 1), None, dt.date(2023, 12, 31)]),
                "at": pa.array(
                    [dt.datetime(2023, 5, 1, 8, tzinfo=shanghai), None, dt.datetime(2023, 5, 1, 8, 0, 1, 500000, tzinfo=shanghai)],
                    pa.timestamp("us", tz="Asia/Shanghai"),
                ),
                "naive": pa.array([dt.datetime(2023, 5, 1, 8), None, None], pa.timestamp("ms")),
                "city": pa.array(["青岛市", "济南", "青岛市"]).dictionary_encode(),
                "big": pa.array(["x", None, "z"], pa.large_string()),
                "nothing": pa.nulls(3),
            }
        )
        path = tmp_path / "records.parquet"
        pq.write_table(data, path)
        table = read_table(path)
        assert cells(table) == {
            "record_id": ["r1", "r2", None],
            "hours": ["1.5", "2", None],
            "count": ["2", None, "-3"],
            "credits": ["1.50", None, "2.00"],
            "approved": ["true", "false", None],
            "day": ["2023-05-01", None, "2023-12-31"],
            "at": ["2023-05-01T08:00:00+08:00", None, "2023-05-01T08:00:01.5+08:00"],
            "naive": ["2023-05-01T08:00:00", None, None],
            "city": ["青岛市", "济南", "青岛市"],
            "big": ["x", None, "z"],
            "nothing": [None, None, None],
        }
        assert list(table.lines) == [1, 2, 3]
        assert table.problems == ()

    def test_utc_timestamps_carry_their_offset(self, tmp_path: Path) -> None:
        path = tmp_path / "r.parquet"
        at = dt.datetime(2023, 5, 1, tzinfo=dt.UTC)
        pq.write_table(pa.table({"at": pa.array([at], pa.timestamp("s", tz="UTC"))}), path)
        assert read_table(path).cells("at") == ["2023-05-01T00:00:00+00:00"]

    def test_nested_values_keep_the_row_with_that_cell_none(self, tmp_path: Path) -> None:
        path = tmp_path / "r.parquet"
        pq.write_table(pa.table({"id": ["r1", "r2"], "tags": pa.array([["a"], None])}), path)
        table = read_table(path)
        assert cells(table) == {"id": ["r1", "r2"], "tags": [None, None]}
        assert [(p.row, p.column) for p in table.problems] == [(0, "tags")]

    def test_a_file_that_is_not_parquet_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="not a readable Parquet file"):
            read_table(write(tmp_path, "r.parquet", "record_id\nr1\n"))

    def test_duplicate_column_names_are_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "r.parquet"
        pq.write_table(pa.table([pa.array(["1"]), pa.array(["2"])], names=["a", " a"]), path)
        with pytest.raises(InputError) as info:
            read_table(path)
        assert info.value.column == "a"


# --------------------------------------------------------------------------------------------
# Properties: whatever is written comes back, cell for cell and line for line

cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
header_name = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=8)


@st.composite
def string_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[int]]:
    """A header ("备注" first, so that GB18030 bytes are never also UTF-8), rows, and how many
    blank lines to put before each row."""
    names = ["备注", *draw(st.lists(header_name, min_size=1, max_size=4, unique=True).filter(lambda n: "备注" not in n))]
    rows = draw(st.lists(st.lists(cell_text, min_size=len(names), max_size=len(names)), max_size=8))
    blanks = draw(st.lists(st.integers(0, 2), min_size=len(rows), max_size=len(rows)))
    return names, rows, blanks


def expected_cell(value: str) -> str | None:
    return value.strip() or None


def physical_lines(text: str) -> int:
    return len(re.findall(r"\r\n|\r|\n", text))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=string_tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    newline=st.sampled_from(["\r\n", "\n"]),
)
def test_csv_reads_back_what_was_written(tmp_path: Path, table, encoding: str, quoting: int, newline: str) -> None:
    names, rows, blanks = table
    # csv.writer quotes a lone CR only when CR is in its line terminator; unquoted it is a line end.
    assume(newline == "\r\n" or not any("\r" in value for row in rows for value in row))
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=newline)
    writer.writerow(names)
    lines, line = [], 1 + physical_lines(out.getvalue())
    for row, blank in zip(rows, blanks, strict=False):
        out.write(newline * blank)
        line += blank
        lines.append(line)
        before = len(out.getvalue())
        writer.writerow(row)
        line += physical_lines(out.getvalue()[before:])
    path = write(tmp_path, "t.csv", out.getvalue(), encoding)

    read_as = contract_names(names)  # a Chinese name of a contract column reads as the contract's
    assume(len(set(read_as)) == len(read_as))
    result = read_table(path, required=read_as)

    # Rows of only empty or blank cells after the last row holding anything are a spreadsheet's, not data.
    while rows and not any(value.strip() for value in rows[-1]):
        rows, lines = rows[:-1], lines[:-1]
    assert len(result) == len(rows)
    assert cells(result) == {name: [expected_cell(row[j]) for row in rows] for j, name in enumerate(read_as)}
    assert list(result.lines) == lines
    assert result.problems == ()


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=string_tables(), ensure_ascii=st.booleans(), bom=st.booleans())
def test_jsonl_reads_back_what_was_written(tmp_path: Path, table, ensure_ascii: bool, bom: bool) -> None:
    names, rows, blanks = table
    text, lines, line = "", [], 0
    for row, blank in zip(rows, blanks, strict=False):
        text += "\n" * blank
        line += blank + 1
        lines.append(line)
        text += json.dumps(dict(zip(names, row, strict=False)), ensure_ascii=ensure_ascii) + "\n"
    assume(rows)
    path = write(tmp_path, "t.jsonl", text, "utf-8-sig" if bom else "utf-8")

    result = read_table(path)

    assert cells(result) == {name: [expected_cell(row[j]) for row in rows] for j, name in enumerate(names)}
    assert list(result.lines) == lines
    assert result.problems == ()


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=string_tables())
def test_parquet_reads_back_what_was_written(tmp_path: Path, table) -> None:
    names, rows, _ = table
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({name: pa.array([row[j] for row in rows], pa.string()) for j, name in enumerate(names)}), path)

    result = read_table(path)

    assert cells(result) == {name: [expected_cell(row[j]) for row in rows] for j, name in enumerate(names)}
    assert list(result.lines) == list(range(1, len(rows) + 1))


def test_a_large_gb18030_csv_reads_every_row_with_its_line(tmp_path: Path) -> None:
    header = "record_id,person_id,subject,hours,completed_at,platform,course_id\n"
    row = "r{0},p{0},专业科目,1.5,2023-05-01T08:00:00+08:00,sdou,c{0}\n"
    path = write(tmp_path, "r.csv", header + "".join(row.format(i) for i in range(100_000)), "gb18030")
    table = read_table(path, required=["record_id"])
    assert len(table) == 100_000 and table.lines[-1] == 100_001
    assert table.cells("subject")[-1] == "专业科目"


# --------------------------------------------------------------------------------------------
# What reading costs


def test_reading_a_csv_or_json_lines_file_does_not_load_numba(tmp_path: Path) -> None:
    # The compiled scans are loaded where they run (Parquet, Arrow tables, normalising), so a
    # script that only reads a CSV file starts without numba's half second.
    csv_path, jsonl_path = write(tmp_path, "p.csv", "person_id,city\np1,青岛\n"), write(tmp_path, "p.jsonl", '{"person_id": "p1"}\n')
    probe = (
        "import sys\nfrom cerules.inputs.reading import read_table\n"
        f"read_table({str(csv_path)!r}), read_table({str(jsonl_path)!r})\n"
        "print('numba' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------
# What spreadsheets and hostile writers add


class TestWhatSpreadsheetsAdd:
    def test_rows_of_only_commas_after_the_data_are_not_rows(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b,c\n1,2,3\n,,\n,\n , ,\n,,,,\n"))
        assert cells(table) == {"a": ["1"], "b": ["2"], "c": ["3"]}
        assert list(table.lines) == [2] and table.problems == ()

    def test_rows_of_only_commas_between_rows_stay(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b\n1,2\n,\n3,4\n,\n"))
        assert cells(table) == {"a": ["1", None, "3"], "b": ["2", None, "4"]}
        assert list(table.lines) == [2, 3, 4]

    def test_unnamed_columns_at_the_end_of_the_header_are_dropped(self, tmp_path: Path) -> None:
        table = read_table(write(tmp_path, "r.csv", "a,b,,\n1,2,,\n3,4,x,\n"))
        assert list(table.columns) == ["a", "b"]
        assert [p.row for p in table.problems] == [1]  # data under an unnamed column is a problem, as any extra field

    def test_a_header_of_only_commas_is_still_refused(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="column 1 of the header has no name"):
            read_table(write(tmp_path, "r.csv", ",,\n1,2,3\n"))


class TestHostileJsonLines:
    def test_a_line_nested_too_deeply_is_a_row_with_a_problem(self, tmp_path: Path) -> None:
        deep = "[" * 100_000 + "]" * 100_000
        table = read_table(write(tmp_path, "r.jsonl", '{"a": "1"}\n' + deep + "\n" + '{"a": "3"}\n'))
        assert cells(table) == {"a": ["1", None, "3"]} and list(table.lines) == [1, 2, 3]
        assert table.problems == (RowProblem(1, None, "JSON 嵌套层数过多，无法读取", "JSON nested too deeply to read"),)

    def test_a_lone_surrogate_empties_its_cell_or_drops_its_key(self, tmp_path: Path) -> None:
        text = '{"a": "x\\ud800", "b": "ok"}\n{"\\udc00": "y", "a": "\\ud83d\\ude00"}\n'
        table = read_table(write(tmp_path, "r.jsonl", text))
        assert cells(table) == {"a": [None, "\U0001f600"], "b": ["ok", None]}  # a surrogate pair is one character
        assert [(p.row, p.column) for p in table.problems] == [(0, "a"), (1, None)]
        assert "lone surrogate" in table.problems[0].message_en and "a:" in table.problems[0].message_en


class TestHostileParquet:
    def test_nan_is_a_missing_value_and_other_numbers_keep_their_text(self, tmp_path: Path) -> None:
        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"h": pa.array([1e300, float("nan"), float("inf"), 2.5]), "i": pa.array([2**63 - 1, 0, -1, 2])}), path)
        assert cells(read_table(path)) == {"h": ["1e+300", None, "inf", "2.5"], "i": ["9223372036854775807", "0", "-1", "2"]}

    def test_dates_outside_the_years_python_holds_are_row_problems(self, tmp_path: Path) -> None:
        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"d": pa.array([19509, 2**31 - 1, -(2**31)], pa.date32())}), path)
        table = read_table(path)
        assert table.cells("d") == ["2023-06-01", None, None]
        assert [(p.row, p.column) for p in table.problems] == [(1, "d"), (2, "d")]

    def test_string_data_that_is_not_utf8_is_refused_naming_row_and_column(self, tmp_path: Path) -> None:
        offsets = pa.py_buffer(np.array([0, 1, 3], np.int32).tobytes())
        path = tmp_path / "t.parquet"
        pq.write_table(pa.table({"s": pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"a\xff\xfe")])}), path)
        with pytest.raises(InputError) as info:
            read_table(path)
        assert (info.value.line, info.value.column) == (2, "s") and "not valid UTF-8" in str(info.value)


class TestFilesThatAreNoFiles:
    def test_a_named_pipe_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "r.csv"
        os.mkfifo(path)
        with pytest.raises(InputError, match="not a regular file"):
            read_table(path)

    def test_a_file_that_fails_when_read_is_refused_naming_why(self, tmp_path: Path) -> None:
        path = tmp_path / "r.jsonl"
        path.symlink_to("/proc/self/mem")  # a regular file whose first page no one can read
        with pytest.raises(InputError, match="cannot open the file"):
            read_table(path)
