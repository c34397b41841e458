"""Hypothesis strategies: small cohorts with every kind of record the rules distinguish."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

CITIES = ["370100", "青岛", "济宁市", "370600"]
PLATFORMS = [None, "sdou", "xkyx", "zjzd", "qdjxjy", "jnjxjy"]
TOPICS = [None, "ethics", "数字技术", "股票投资技巧", "新收入准则"]
TIMES = [
    "2023-01-01T00:10:00+08:00",
    "2023-03-15T09:00:00",
    "2023-03-15T20:00:00",
    "2023-06-30",
    "2023-12-31T15:59:59Z",
    "2023-12-31T16:30:00Z",
    "2022-12-31T23:50:00",
    "2024-01-01T00:30:00+08:00",
]
HOURS = ["0.1", "0.5", "1", "1.5", "2.25", "3", "4", "6", "8", "12", "0", "-1", "abc"]


@st.composite
def persons(draw: st.DrawFn, min_size: int = 1, max_size: int = 4) -> list[dict[str, Any]]:
    count = draw(st.integers(min_size, max_size))
    return [
        {
            "person_id": f"p{i}",
            "city": draw(st.sampled_from(CITIES)),
            "unit_level": draw(st.sampled_from(["province", "city", "省直", None])),
            "title_series": draw(st.sampled_from([None, "卫生", "工程", "会计"])),
        }
        for i in range(count)
    ]


def record_fields(person_ids: list[str], *, valid: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """One record's fields (without record_id); `valid` keeps it valid, in 2023 and provider-reported."""
    hours = st.sampled_from(HOURS[:10]) if valid else st.sampled_from(HOURS)
    times = st.sampled_from(TIMES[:5]) if valid else st.sampled_from(TIMES)
    return st.fixed_dictionaries(
        {
            "person_id": st.sampled_from(person_ids if valid else [*person_ids, "ghost"]),
            "subject": st.sampled_from(["public", "professional", "专业科目"] if valid else ["public", "professional", "选修"]),
            "hours": hours,
            "completed_at": times,
            "platform": st.sampled_from(PLATFORMS),
            "topic": st.sampled_from(TOPICS),
            "course_id": st.sampled_from([None, "C1", "C2", "C3"]),
            "role": st.sampled_from([None, "teacher"]),
            "quality_course": st.sampled_from([None, "true"]),
            "source": st.just(None) if valid else st.sampled_from([None, None, "declared"]),
            "approved": st.just(None) if valid else st.sampled_from([None, "false"]),
        }
    )


@st.composite
def cohorts(draw: st.DrawFn, max_records: int = 25) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people = draw(persons())
    ids = [p["person_id"] for p in people]
    fields = draw(st.lists(record_fields(ids), max_size=max_records))
    return people, [{"record_id": f"r{i}", **f} for i, f in enumerate(fields)]
