"""`cerules plan …` and `cerules call …`: exit status, one-line errors naming file and key, JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest
import tomli_w

from cerules.cli.forms import register
from cerules.cli.main import build_parser
from cerules.rules import parse_layer

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "examples" / "plans" / "health-2023.toml"
CALLS = ROOT / "examples" / "calls"


def run(argv: Sequence[str]) -> int:
    """`cerules ARGV` with the plan and call commands registered (whether or not cli.py does it yet)."""
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    if "plan" not in commands.choices:
        register(commands)
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def edited(tmp_path: Path, source: Path, name: str, **tables: dict[str, object]) -> Path:
    document = tomllib.loads(source.read_text(encoding="utf-8"))
    for table, values in tables.items():
        document.setdefault(table, {}).update(values)
    path = tmp_path / name
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    return path


# --- plan check ---------------------------------------------------------------------------------


def test_plan_check_of_a_valid_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "check", str(PLAN)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{PLAN}：学习计划有效（0 个错误，0 个警告）"
    assert run(["plan", "check", str(PLAN), "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"{PLAN}: study plan valid (0 errors, 0 warnings)"


def test_plan_check_reports_each_finding_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = edited(tmp_path, PLAN, "plan.toml", hours={"required": 40}, scope={"industries": ["医疗"]})
    assert run(["plan", "check", str(path), "--lang", "en"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{path}: error: key 'hours.required': 40 hours are below the provincial professional-subject floor of 60 hours (SD-2023 §3(1))"
    )
    assert lines[1].startswith(f"{path}: warning: key 'scope.industries[0]': industry '医疗'")
    assert lines[2] == f"{path}: study plan invalid (1 error, 1 warning)"


@pytest.mark.parametrize(
    ("moment", "status"),
    [("2023-04-30T23:59:59", 0), ("2023-05-01T00:00:00", 1), ("2023-04-30T23:59:59+08:00", 0), ("2023-04-30T16:00:00Z", 1)],
)
def test_plan_check_the_deadline_at_the_shanghai_boundary(moment: str, status: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "check", str(PLAN), "--submitted-at", moment]) == status
    out = capsys.readouterr().out
    assert ("key '--submitted-at'" in out) is bool(status)


def test_plan_check_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(["plan", "check", str(PLAN), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "kind": "plan",
        "file": str(PLAN),
        "valid": True,
        "errors": 0,
        "warnings": 0,
        "id": "health-2023",
        "year": 2023,
        "deadline": "2023-05-01T00:00:00+08:00",
        "findings": [],
    }
    assert run(["plan", "check", str(PLAN), "--json", "--submitted-at", "2023-05-02"]) == 1
    [finding] = json.loads(capsys.readouterr().out)["findings"]
    assert finding["rule"] == "plan.deadline" and finding["citation"] == "SD-2023 §4(1)"
    assert finding["message_zh"] and finding["message_en"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unusable_plan_is_one_line_naming_file_and_key_with_status_2(
    tmp_path: Path, lang: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited(tmp_path, PLAN, "plan.toml", hours={"required": "sixty"})
    assert run(["plan", "check", str(path), "--lang", lang]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    expected = "expected a number, got 'sixty'" if lang == "en" else "应为数字，实为 'sixty'"
    assert line == f"cerules: {path}: key 'hours.required': {expected}"


def test_missing_file_bad_submission_time_and_misuse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "check", str(tmp_path / "nope.toml"), "--lang", "en"]) == 2
    assert capsys.readouterr().err.strip() == f"cerules: {tmp_path / 'nope.toml'}: file not found"
    assert run(["plan", "check", str(PLAN), "--submitted-at", "30/4/2023", "--lang", "en"]) == 2
    assert "key '--submitted-at'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        run(["plan"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        run(["call", "check"])
    assert caught.value.code == 2


# --- plan layer ------------------------------------------------------------------------------------


def test_plan_layer_prints_a_layer_the_engine_loads(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", "layer", str(PLAN)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Department rule layer generated by `cerules plan layer`")
    layer = parse_layer(text, file="layer.toml")
    assert layer.id == "plan-health-2023" and layer.rank == "department"
    assert layer.parameters["professional.required_hours"][0].value == 60


def test_plan_layer_writes_out_only_a_valid_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "layer.toml"
    assert run(["plan", "layer", str(PLAN), "--out", str(out)]) == 0
    assert parse_layer(out.read_text(encoding="utf-8")).id == "plan-health-2023"
    bad = edited(tmp_path, PLAN, "bad.toml", hours={"required": 50})
    out.unlink()
    assert run(["plan", "layer", str(bad), "--out", str(out)]) == 1
    assert not out.exists()
    assert "key 'hours.required'" in capsys.readouterr().err


# --- exports ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "source"), [("plan", PLAN), ("call", CALLS / "posting.toml"), ("call", CALLS / "bid.toml")])
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_export_writes_the_document(tmp_path: Path, command: str, source: Path, suffix: str, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("docx")
    pytest.importorskip("reportlab")
    out = tmp_path / f"form{suffix}"
    assert run([command, "export", str(source), "--out", str(out), "--lang", "en"]) == 0
    assert out.read_bytes()[:4] in (b"PK\x03\x04", b"%PDF")
    assert capsys.readouterr().out.strip() == f"wrote {out}"


def test_export_to_another_format_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["call", "export", str(CALLS / "bid.toml"), "--out", str(tmp_path / "bid.html"), "--lang", "en"]) == 2
    assert "expected .docx or .pdf" in capsys.readouterr().err
    assert run(["plan", "export", str(PLAN), "--out", str(tmp_path / "missing" / "plan.docx")]) == 2
    assert "missing" in capsys.readouterr().err


# --- call check --------------------------------------------------------------------------------------


def test_call_check_of_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["call", "check", str(CALLS / "posting.toml")]) == 0
    assert "张榜申请有效；流程状态：已发布（张榜）" in capsys.readouterr().out
    assert run(["call", "check", str(CALLS / "bid.toml"), "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"{CALLS / 'bid.toml'}: bid valid; call state: agreed (0 errors, 0 warnings)"


def test_call_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["call", "check", str(CALLS / "bid.toml"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["kind"] == "bid" and document["valid"] and document["state"] == "agreed"
    assert document["registry"] == "cerules/forms/data/ce_bases.toml" and document["registry_illustrative"] is True
    assert document["posting_file"] == str(CALLS / "posting.toml")
    assert run(["call", "check", str(CALLS / "posting.toml"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "published"


def test_a_wrong_check_character_fails_unless_lenient(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(CALLS / "posting.toml", tmp_path / "posting.toml")
    wrong = "12370800MB2J3K4L5A"
    path = edited(tmp_path, CALLS / "bid.toml", "bid.toml", unit={"uscc": wrong})
    registry = tmp_path / "bases.toml"
    registry.write_text(
        tomli_w.dumps({"bases": [{"name": "黄河示例医学继续教育学院", "uscc": wrong, "level": "provincial", "city": "370800"}]}),
        encoding="utf-8",
    )
    assert run(["call", "check", str(path), "--registry", str(registry), "--lang", "en"]) == 2  # the registry itself fails the check
    assert f"{registry}: key 'bases[0].uscc'" in capsys.readouterr().err
    assert run(["call", "check", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert f"{path}: error: key 'unit.uscc': the check character is 'A' but GB 32100 computes 'E'" in out
    assert run(["call", "check", str(path), "--registry", str(registry), "--lenient-uscc", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["valid"] and [f["rule"] for f in document["findings"]] == ["call.uscc.check"]
    assert document["findings"][0]["severity"] == "warning"


def test_call_check_a_bid_with_a_posting_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unpublished = edited(tmp_path, CALLS / "posting.toml", "draft.toml")
    document = tomllib.loads(unpublished.read_text(encoding="utf-8"))
    for key in ("published_at", "deadline"):
        del document["posting"][key]
    unpublished.write_text(tomli_w.dumps(document), encoding="utf-8")
    assert run(["call", "check", str(CALLS / "bid.toml"), "--posting", str(unpublished), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "key 'bid.submitted_at'" in out and "bids come only for published postings" in out
    alone = edited(tmp_path, CALLS / "bid.toml", "alone.toml")
    document = tomllib.loads(alone.read_text(encoding="utf-8"))
    del document["bid"]["posting_file"]
    alone.write_text(tomli_w.dumps(document), encoding="utf-8")
    assert run(["call", "check", str(alone), "--lang", "en"]) == 0
    assert "warning: key 'bid.posting_file'" in capsys.readouterr().out


def test_call_check_of_a_file_that_is_neither(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["call", "check", str(PLAN), "--lang", "en"]) == 2
    assert capsys.readouterr().err.startswith(f"cerules: {PLAN}: expected a posting")


def test_register_adds_exactly_the_two_commands() -> None:
    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    before = set(commands.choices)
    if "plan" in before:  # cli.py registers them itself now
        assert "call" in before
        return
    register(commands)
    assert set(commands.choices) - before == {"plan", "call"}
