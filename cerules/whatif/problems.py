"""A draft refused whole: every bad path, each with what was expected there."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ..rules.files import RulesError


@attrs.frozen
class DraftProblem:
    """One bad path of a draft and what was expected there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DraftError(RulesError):
    """A draft refused whole: every bad path, each with what was expected. Nothing was applied."""

    def __init__(self, problems: Sequence[DraftProblem], file: str = "<draft>") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        listing = "\n".join(f"  key '{problem.path}': {problem.message}" for problem in self.problems)
        noun = "problem" if count == 1 else "problems"
        listing_zh = "\n".join(f"  键 '{problem.path}'：{problem.message}" for problem in self.problems)
        en = f"draft refused, nothing applied ({count} {noun}; 草案未采用):\n{listing}"
        super().__init__(file, None, f"草案未采用，未作任何更改（{count} 个问题）：\n{listing_zh}", en)

    @property
    def paths(self) -> tuple[str, ...]:
        """The bad paths, in the order found."""
        return tuple(problem.path for problem in self.problems)


def problem_of(exc: RulesError, path: str) -> DraftProblem:
    """A rules error as a problem of the draft, at the key it names (else at `path`)."""
    return DraftProblem(exc.key or path, exc.message)
