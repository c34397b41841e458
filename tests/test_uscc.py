"""The unified social credit code (GB 32100-2015): length, alphabet, division digits, check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cerules.forms.uscc import ALPHABET, WEIGHTS, check_character, check_uscc, is_valid_uscc

# The two examples of the project's research notes, and codes printed on well-known companies'
# business licences (public record); each has a known check character.
KNOWN_VALID = [
    "91310110666007217T",
    "91310115591693856A",
    "914403001922038216",  # check character 6
    "91330100799655058B",
    "9144030071526726XG",
    "91110108551385082Q",
]


def test_the_alphabet_and_weights_are_those_of_the_standard() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKLMNPQRTUWXY"
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_codes_with_known_check_characters_are_valid(code: str) -> None:
    result = check_uscc(code)
    assert result.valid and result.check_ok and result.problems == ()
    assert check_character(code[:17]) == code[17]
    assert result.division == code[2:8]


def test_a_check_value_of_31_is_written_as_0() -> None:
    # Σ ≡ 0 (mod 31) gives 31 − 0 = 31, which the standard writes as 0.
    assert check_character("0" * 17) == "0"
    assert check_uscc("0" * 18).valid


def test_the_registering_authority_is_named_when_the_sources_know_it() -> None:
    assert check_uscc("91310110666007217T").registering_authority == "工商"
    assert check_uscc("12370000MB0A12345K").registering_authority == "机构编制"


@pytest.mark.parametrize("code", ["91310110666007217", "91310110666007217TT", ""])
def test_a_code_of_another_length_is_refused(code: str) -> None:
    result = check_uscc(code)
    assert not result.valid
    assert "length" in result.reasons
    assert "18" in result.errors[0].message_en and "18位" in result.errors[0].message_zh


@pytest.mark.parametrize("bad", ["I", "O", "S", "V", "Z", "-", "中"])
def test_characters_outside_the_alphabet_are_refused(bad: str) -> None:
    code = "913101106660072" + bad + "7T"
    result = check_uscc(code)
    assert not result.valid and "alphabet" in result.reasons
    assert result.expected_check is None  # no check character can be computed


def test_lower_case_letters_are_refused_with_a_hint() -> None:
    result = check_uscc("91310110666007217t")
    assert not result.valid and result.reasons == ("alphabet",)
    assert "upper case" in result.errors[0].message_en and "大写" in result.errors[0].message_zh


def test_the_division_code_must_be_six_digits() -> None:
    body = "91AB0110666007217"
    code = body + check_character(body)  # a correct check character, so only the division is wrong
    result = check_uscc(code)
    assert result.reasons == ("division",)
    assert result.division is None


def test_a_wrong_check_character_is_an_error() -> None:
    result = check_uscc("91310110666007217A")
    assert not result.valid and not result.check_ok
    assert result.reasons == ("check",)
    assert result.expected_check == "T"
    assert "'T'" in result.errors[0].message_en


def test_lenient_mode_makes_a_wrong_check_character_a_warning() -> None:
    result = check_uscc("91310110666007217A", lenient=True)
    assert result.valid and not result.check_ok
    assert [(p.reason, p.severity) for p in result.problems] == [("check", "warning")]
    assert is_valid_uscc("91310110666007217A", lenient=True)
    assert not is_valid_uscc("91310110666007217A")


def test_lenient_mode_relaxes_only_the_check_character() -> None:
    assert not check_uscc("9131011066600721", lenient=True).valid
    assert not check_uscc("91310110666007217t", lenient=True).valid


def test_check_character_refuses_a_bad_body() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        check_character("123")
    with pytest.raises(ValueError, match="alphabet"):
        check_character("9131011066600721I")


characters = st.sampled_from(ALPHABET)
digits = st.sampled_from("0123456789")
bodies = st.tuples(
    st.text(characters, min_size=2, max_size=2), st.text(digits, min_size=6, max_size=6), st.text(characters, min_size=9, max_size=9)
).map("".join)


@given(bodies)
def test_any_body_with_its_computed_check_character_is_valid(body: str) -> None:
    assert check_uscc(body + check_character(body)).valid


@given(bodies, st.integers(0, 17), characters)
def test_changing_any_one_character_of_a_valid_code_is_detected(body: str, position: int, replacement: str) -> None:
    code = body + check_character(body)
    if replacement == code[position]:
        replacement = ALPHABET[(ALPHABET.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    assert not check_uscc(changed).valid
    if position < 17:
        # 31 is prime and no weight is 0 mod 31, so any one substitution changes the check.
        assert check_character(changed[:17]) != code[17]
