"""The one TOML reader: a file that cannot be read says which file, and where, in zh and en."""

from __future__ import annotations

import pytest

from cerules.base.errors import CeruleError
from cerules.base.toml_file import TomlError, parse_toml, read_toml, read_toml_text


def test_a_file_reads_to_its_tables(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nid = "x"\nyear = 2023\n', encoding="utf-8")
    assert read_toml(path) == {"plan": {"id": "x", "year": 2023}}


def test_text_reads_to_its_tables():
    assert parse_toml("a = 1\n[b]\nc = 'd'\n") == {"a": 1, "b": {"c": "d"}}


def test_a_syntax_error_names_file_line_and_column():
    with pytest.raises(TomlError) as caught:
        parse_toml("a = 1\nb c\n", file="bad.toml")
    error = caught.value
    assert isinstance(error, CeruleError)
    assert (error.file, error.line, error.column) == ("bad.toml", 2, 3)
    assert str(error) == "bad.toml: not valid TOML: Expected '=' after a key in a key/value pair (at line 2, column 3)"
    assert error.problem.en == "not valid TOML: Expected '=' after a key in a key/value pair (at line 2, column 3)"
    assert error.in_lang("zh") == "bad.toml：不是有效的 TOML：第 2 行第 3 列：Expected '=' after a key in a key/value pair"


def test_an_error_at_the_end_of_the_text_is_placed_after_its_last_character():
    with pytest.raises(TomlError) as caught:
        parse_toml('a = 1\nb = "open', file="cut.toml")
    assert (caught.value.line, caught.value.column) == (2, 10)
    assert str(caught.value) == "cut.toml: not valid TOML: Unterminated string (at end of document)"


def test_text_without_a_name_is_called_string():
    with pytest.raises(TomlError, match=r"^<string>: not valid TOML"):
        parse_toml("[")


def test_a_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(TomlError) as caught:
        read_toml(path)
    assert str(caught.value) == f"{path}: file not found"
    assert caught.value.in_lang("zh") == f"{path}：文件不存在"
    assert (caught.value.file, caught.value.line, caught.value.column) == (str(path), None, None)


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(TomlError) as caught:
        read_toml(tmp_path)
    assert caught.value.problem.en == "is a folder, not a file"
    assert caught.value.problem.zh == "这是文件夹，不是文件"


def test_bytes_that_are_not_utf8_name_the_byte_line_and_column(tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('a = 1\ntitle = "计划"\n'.encode("gbk"))
    with pytest.raises(TomlError) as caught:
        read_toml(path)
    error = caught.value
    assert error.problem.en == "not UTF-8 text (invalid start byte at byte 15)"
    assert (error.line, error.column) == (2, 10)
    assert "第 15 字节" in error.in_lang("zh")


def test_the_name_shown_may_differ_from_the_path(tmp_path):
    path = tmp_path / "data.toml"
    path.write_text("[", encoding="utf-8")
    with pytest.raises(TomlError, match=r"^cerules/forms/data/x\.toml: not valid TOML") as caught:
        read_toml(path, file="cerules/forms/data/x.toml")
    assert caught.value.file == "cerules/forms/data/x.toml"


def test_windows_line_ends_read_as_python_reads_text(tmp_path):
    path = tmp_path / "crlf.toml"
    path.write_bytes(b'a = """x\r\ny"""\r\n')
    assert read_toml_text(path) == 'a = """x\ny"""\n'
    assert read_toml(path) == {"a": "x\ny"}
