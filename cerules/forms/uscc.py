"""The unified social credit code (统一社会信用代码, GB 32100-2015) and its check character.

A code has 18 characters: [1] the registering authority (1 机构编制, 5 民政, 9 工商, Y other…),
[2] the entity type, [3–8] the GB/T 2260 administrative division (digits), [9–17] the
organisation code, [18] the check character. Every character comes from the 31-character
alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z), read as the values 0–30.

The check character: weigh positions 1–17 by 3^(i−1) mod 31, add up value × weight, and take
31 − (sum mod 31), with 31 written as 0.

Some early pilot codes are legal yet fail the check, so `check_uscc(code, lenient=True)` reports
a wrong check character as a warning instead of an error.

>>> check_uscc("91310110666007217T").valid
True
>>> check_character("91310115591693856")
'A'
"""

from __future__ import annotations

import attrs

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may use, in the order of their values 0–30."""

WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
"""Weights of positions 1–17: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28."""

LENGTH = 18

REGISTERING_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "institutional establishment (机构编制)"),
    "5": ("民政", "civil affairs (民政)"),
    "9": ("工商", "industry and commerce (工商)"),
    "Y": ("其他", "other"),
}
"""The registering authorities the project's sources name (research.md); GB 32100 has more."""

_VALUES = {character: value for value, character in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The check character of a 17-character body from the alphabet.

    Raises ValueError when the body has another length or a character outside the alphabet.
    """
    if len(body) != LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(body)}")
    try:
        total = sum(_VALUES[character] * weight for character, weight in zip(body, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the alphabet {ALPHABET}") from None
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


@attrs.frozen
class UsccProblem:
    """One thing wrong with a code: `reason` is `length`, `alphabet`, `division` or `check`."""

    reason: str
    severity: str
    message_en: str
    message_zh: str

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh


@attrs.frozen
class UsccResult:
    """The verdict on one code: `valid` when nothing is an error (in lenient mode a wrong check
    character is only a warning)."""

    code: str
    problems: tuple[UsccProblem, ...] = ()
    expected_check: str | None = None
    """The check character the first 17 characters call for, when they can be read."""

    @property
    def errors(self) -> tuple[UsccProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[UsccProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def check_ok(self) -> bool:
        """True when the check character is the one GB 32100 computes."""
        return self.expected_check is not None and self.code[-1:] == self.expected_check

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(p.reason for p in self.problems)

    @property
    def registering_authority(self) -> str | None:
        """The name of the registering authority (position 1), when the sources name it."""
        known = REGISTERING_AUTHORITIES.get(self.code[:1])
        return known[0] if known else None

    @property
    def division(self) -> str | None:
        """The GB/T 2260 administrative division code (positions 3–8), when well-formed."""
        part = self.code[2:8]
        return part if len(part) == 6 and part.isascii() and part.isdigit() else None


def check_uscc(code: str, *, lenient: bool = False) -> UsccResult:
    """Check a unified social credit code: length, alphabet, division digits, check character.

    The code is taken as given (no trimming, no change of case: a lower-case letter is not in
    the alphabet). With `lenient`, a wrong check character is a warning, not an error.
    """
    problems: list[UsccProblem] = []

    def problem(reason: str, en: str, zh: str, severity: str = "error") -> None:
        problems.append(UsccProblem(reason, severity, en, zh))

    if len(code) != LENGTH:
        problem(
            "length",
            f"a unified social credit code has 18 characters, this one has {len(code)}",
            f"统一社会信用代码应为18位，此代码为{len(code)}位",
        )
    bad = sorted({c for c in code if c not in _VALUES}, key=code.index)
    if bad:
        shown = "".join(bad)
        hint_en = " (letters are upper case)" if any(c.upper() in _VALUES for c in bad) else ""
        hint_zh = "（字母应为大写）" if hint_en else ""
        problem(
            "alphabet",
            f"characters {shown!r} are not used in codes (GB 32100 uses {ALPHABET}: no I, O, S, V, Z){hint_en}",
            f"代码中不应出现字符 {shown!r}（GB 32100 仅用 {ALPHABET}，不含 I、O、S、V、Z）{hint_zh}",
        )
    division = code[2:8]
    if len(code) >= 8 and not (len(division) == 6 and division.isascii() and division.isdigit()):
        problem(
            "division",
            f"characters 3–8 are the administrative division code (6 digits, GB/T 2260), got {division!r}",
            f"第3—8位应为登记管理机关行政区划码（6位数字，GB/T 2260），实为 {division!r}",
        )
    expected = None
    if len(code) == LENGTH and not bad:
        expected = check_character(code[:17])
        if code[17] != expected:
            problem(
                "check",
                f"the check character is {code[17]!r} but GB 32100 computes {expected!r} from the first 17 characters"
                + (" (accepted as an early legal code)" if lenient else ""),
                f"校验码为 {code[17]!r}，按 GB 32100 由前17位计算应为 {expected!r}" + ("（按早期合法代码放行）" if lenient else ""),
                "warning" if lenient else "error",
            )
    return UsccResult(code=code, problems=tuple(problems), expected_check=expected)


def is_valid_uscc(code: str, *, lenient: bool = False) -> bool:
    """True when `check_uscc` finds no error."""
    return check_uscc(code, lenient=lenient).valid


__all__ = ["ALPHABET", "WEIGHTS", "UsccProblem", "UsccResult", "check_character", "check_uscc", "is_valid_uscc"]
