"""Synthetic cohorts: realistic persons and records for tests, notebooks and benchmarks.

Everything is drawn with numpy from one seed, column by column, so a million people and twenty
million records take seconds and the same seed always gives the same files. The mix follows
what the rules distinguish: the 16 cities with plausible weights, both unit levels, title
series, the provincial and city platforms, focus and self-chosen topics, quality courses and
their teachers, declarations (some unapproved, some over the daily cap), CME credits for health
staff, repeated courses, records just outside the year, invalid rows and unknown persons at
small rates.
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..rules.shipped import default_regions

# Relative sizes of the cities' professional workforces: plausible, not official.
CITY_WEIGHTS = {
    "370100": 10, "370200": 11, "370300": 5, "370400": 4, "370500": 2.5, "370600": 7, "370700": 9,
    "370800": 8, "370900": 5, "371000": 3, "371100": 3, "371300": 10, "371400": 5.5, "371500": 5.5,
    "371600": 3.5, "371700": 8,
}  # fmt: skip
SERIES = {  # title series: weight, industry
    "中小学教师": (30, "基础教育"), "卫生": (25, "医疗卫生"), "工程": (18, "建筑业"), "会计": (8, "财务"),
    "经济": (7, "金融"), "农业": (5, "农业技术"), "高校教师": (4, "高等教育"), "新闻": (3, "新闻出版"),
}  # fmt: skip
CITY_PLATFORMS = {"370200": "qdjxjy", "370800": "jnrsw", "370100": "jnjxjy"}
OTHER_PLATFORMS = np.array(["sdou", "xkyx", "zjzd", "qdjxjy", "jnrsw", "jnjxjy", "sdrsw"])
PUBLIC_TOPICS = np.array(
    ["xi-thought", "congress-20", "yellow-river", "ethics", "digital", "ip", "cybersecurity", "emergency",
     "health-care", "talent-intl", "science-spirit", "teamwork", "humanities", "", ""]
)  # fmt: skip
PROFESSIONAL_TOPICS = np.array(["新技术", "新方法", "行业标准", "案例研讨", "前沿进展", ""])
HOURS = np.array([100, 150, 200, 250, 300, 400, 600, 800])  # hundredths
HOUR_WEIGHTS = np.array([1, 1, 3, 1, 6, 16, 32, 40], dtype=float)
YEAR_START = np.datetime64("2023-01-01T00:00:00")


@attrs.frozen
class Cohort:
    """A synthetic cohort as Arrow tables of strings, as files would hold them."""

    persons: pa.Table
    records: pa.Table

    def write(self, directory: str | os.PathLike[str], fmt: str = "parquet", *, parts: int | None = None) -> tuple[Path, Path]:
        """Write `persons.<fmt>` and `records.<fmt>` (parquet or csv) into a directory.

        With `parts` (Parquet only), `persons/` and `records/` are datasets of that many part files
        (`part-00000.parquet` …), each a run of consecutive rows, as pandas or Spark write them.
        """
        if fmt not in ("parquet", "csv"):
            raise ValueError(f"unknown format {fmt!r}; expected parquet or csv")
        if parts is not None and (fmt != "parquet" or parts < 1):
            raise ValueError("parts: a positive number of Parquet part files")
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        if parts is not None:
            return write_parts(self.persons, folder / "persons", parts), write_parts(self.records, folder / "records", parts)
        paths = folder / f"persons.{fmt}", folder / f"records.{fmt}"
        for table, path in zip((self.persons, self.records), paths, strict=True):
            if fmt == "parquet":
                pq.write_table(table, path, compression="zstd")
            else:
                pacsv.write_csv(table, path)
        return paths

    def typed(self) -> Cohort:
        """The same cohort with typed columns, as a database export holds it (see `typed`)."""
        return Cohort(typed(self.persons), typed(self.records))


def write_parts(table: pa.Table, folder: Path, parts: int) -> Path:
    """A Parquet dataset: `parts` files of consecutive rows, in order, named so that name order is row order."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("part-*.parquet"):
        stale.unlink()
    bounds = np.linspace(0, table.num_rows, parts + 1).round().astype(np.int64)
    for index, (start, stop) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)):
        pq.write_table(table.slice(start, stop - start), folder / f"part-{index:05d}.parquet", compression="zstd")
    return folder


NUMBER_COLUMNS = ("hours", "credits", "minutes")
INSTANT_COLUMNS = ("completed_at",)
FLAG_COLUMNS = ("quality_course", "approved")
CODE_COLUMNS = ("subject", "platform", "mode", "topic", "course_id", "role", "source", "kind")
ID_COLUMNS = ("person_id", "record_id")
TIME_ZONE = "Asia/Shanghai"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_TRUE_WORDS = pa.array(["true", "1"])
_FLAG_WORDS = pa.array(["true", "false", "1", "0"])


def typed(table: pa.Table) -> pa.Table:
    """Text columns as a database export would type them, for the typed-input path.

    Amounts (hours, credits, minutes) become float64 and a text that is not a number null;
    `completed_at` a timestamp in Asia/Shanghai (text without an offset is Shanghai time, a bare
    date the start of its day, text that is not an ISO instant null); `quality_course` and
    `approved` booleans (true/false/1/0, else null); ids stay text; every other column, a code
    with few distinct values, is dictionary-encoded text.
    """
    columns: dict[str, pa.Array] = {}
    for name in table.column_names:
        values = table.column(name).combine_chunks()
        if name in NUMBER_COLUMNS:
            columns[name] = _numbers(values)
        elif name in INSTANT_COLUMNS:
            columns[name] = _instants(values)
        elif name in FLAG_COLUMNS:
            columns[name] = _flags(values)
        elif name in ID_COLUMNS or not pa.types.is_string(values.type):
            columns[name] = values
        else:
            columns[name] = values.dictionary_encode()
    return pa.table(columns)


def _numbers(text: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(text)
    number = pc.fill_null(pc.match_substring_regex(trimmed, _NUMBER), False)
    return pc.if_else(number, pc.cast(pc.if_else(number, trimmed, "0"), pa.float64()), pa.scalar(None, pa.float64()))


def _instants(text: pa.Array) -> pa.Array:
    """ISO instants as the text path reads them (no spreadsheet serials), in microseconds."""
    from .columns import parse_instants

    micros, _, _, present, failures = parse_instants(text, excel_serials=False)
    usable = present.copy()
    usable[list(failures)] = False
    moments = pa.array(micros, type=pa.int64(), mask=~usable).cast(pa.timestamp("us", tz="UTC"))
    return moments.cast(pa.timestamp("us", tz=TIME_ZONE))


def _flags(text: pa.Array) -> pa.Array:
    words = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    known = pc.is_in(words, value_set=_FLAG_WORDS)
    return pc.if_else(known, pc.is_in(words, value_set=_TRUE_WORDS), pa.scalar(None, pa.bool_()))


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, count + 1)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _pick(rng: np.random.Generator, choices: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    p = None if weights is None else weights / weights.sum()
    return choices[rng.choice(len(choices), size=size, p=p)]


def _text(values: np.ndarray) -> pa.Array:
    """Strings with '' as missing."""
    array = pa.array(values, type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _iso(moments: pa.Array) -> pa.Array:
    """`2023-05-01T08:00:00` (a cast and a replace: much faster than strftime)."""
    return pc.replace_substring(pc.cast(moments, pa.string()), " ", "T")


def _coded(words: np.ndarray, codes: np.ndarray) -> pa.Array:
    """`words[codes]` as an Arrow string column, '' as missing, built without Python per row."""
    dictionary = pa.array(words.tolist(), type=pa.string())
    column = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), dictionary).cast(pa.string())
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def generate(people: int, *, seed: int = 2023, records_per_person: float = 20.0) -> Cohort:
    """A cohort of `people` with about `records_per_person` records each, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    codes = np.array(list(CITY_WEIGHTS))
    city = _pick(rng, codes, people, np.array(list(CITY_WEIGHTS.values()), dtype=float))
    series_names = np.array(list(SERIES))
    weights = np.array([weight for weight, _ in SERIES.values()], dtype=float)
    chosen = rng.choice(len(series_names), size=people, p=weights / weights.sum())
    series = series_names[chosen]
    industry = np.array([industry for _, industry in SERIES.values()])[chosen]
    provincial = rng.random(people) < 0.12
    level_words = np.where(
        provincial, np.where(rng.random(people) < 0.2, "省直", "province"), np.where(rng.random(people) < 0.2, "", "city")
    )
    name_form = rng.random(people)
    city_names = np.array([default_regions().cities[c].zh for c in codes])[np.searchsorted(codes, city)]
    city_text = np.where(name_form < 0.85, city, city_names)
    persons = pa.table(
        {
            "person_id": _ids("P", people, 8),
            "city": pa.array(city_text, type=pa.string()),
            "unit_level": _text(level_words),
            "title_series": pa.array(series, type=pa.string()),
            "industry": pa.array(industry, type=pa.string()),
        }
    )

    spread = 8  # most people do about the same amount of learning: mean ± 2
    per_person = np.maximum(0, int(round(records_per_person)) - spread // 2 + rng.binomial(spread, 0.5, people))
    n = int(per_person.sum())
    owner = np.repeat(np.arange(people), per_person)
    owner_city = city[owner]
    owner_provincial = provincial[owner]
    health = series[owner] == "卫生"
    public = rng.random(n) < 0.4
    hours = _pick(rng, HOURS, n, HOUR_WEIGHTS)
    seconds = rng.integers(0, 365 * 86400, n)
    stray = rng.random(n)
    seconds = np.where(stray < 0.004, -rng.integers(1, 20 * 86400, n), seconds)  # December 2022
    seconds = np.where(stray > 0.996, 365 * 86400 + rng.integers(0, 20 * 86400, n), seconds)  # January 2024
    style = rng.random(n)
    local = pa.array(YEAR_START + seconds.astype("timedelta64[s]"), type=pa.timestamp("s"))
    utc = pa.array(YEAR_START + (seconds - 8 * 3600).astype("timedelta64[s]"), type=pa.timestamp("s"))
    naive_text = _iso(local)
    completed = pc.case_when(
        pc.make_struct(pa.array(style > 0.97), pa.array(style < 0.55), pa.array(style < 0.85)),
        pc.utf8_slice_codeunits(naive_text, 0, 10),
        pc.binary_join_element_wise(naive_text, "+08:00", ""),
        naive_text,
        pc.binary_join_element_wise(_iso(utc), "Z", ""),
    )

    platforms = np.array(["", *OTHER_PLATFORMS])
    platform = rng.integers(1, len(platforms), n)
    city_platform = np.array([list(platforms).index(CITY_PLATFORMS.get(c, "")) for c in codes])[np.searchsorted(codes, owner_city)]
    on_city_platform = public & ~owner_provincial & (city_platform > 0) & (rng.random(n) < 0.97)
    platform = np.where(on_city_platform, city_platform, platform)
    on_provincial = public & owner_provincial & (rng.random(n) < 0.97)
    platform = np.where(on_provincial, rng.integers(1, 4, n), platform)  # sdou, xkyx, zjzd
    offline = rng.random(n) < 0.18
    platform = np.where(offline, 0, platform)
    mode = np.where(offline & (rng.random(n) < 0.5), 1, 0)

    topics = np.array([*PUBLIC_TOPICS, *PROFESSIONAL_TOPICS, "股票投资技巧"])
    topic = np.where(public, rng.integers(0, len(PUBLIC_TOPICS), n), len(PUBLIC_TOPICS) + rng.integers(0, len(PROFESSIONAL_TOPICS), n))
    topic = np.where(public & (rng.random(n) < 0.003), len(topics) - 1, topic)
    prefixes = np.array(["PX", *(code.upper() for code in OTHER_PLATFORMS)])
    course = pc.binary_join_element_wise(_coded(prefixes, platform), "-2023-", pc.cast(pa.array(rng.integers(1, 4000, n)), pa.string()), "")
    course = pc.if_else(pa.array(rng.random(n) < 0.1), pa.scalar(None, pa.string()), course)
    teacher = rng.random(n) < 0.01
    quality = public & (rng.random(n) < 0.08)
    declared = (rng.random(n) < 0.05) & offline
    hours = np.where(declared & (rng.random(n) < 0.3), hours + 400, hours)
    unapproved = declared & (rng.random(n) < 0.1)

    cme = health & ~public & (rng.random(n) < 0.7)
    cme_class = np.where(rng.random(n) < 0.35, 1, 2)
    kind = np.where(cme, cme_class, 0)
    credit_texts = np.array(["", "2", "3", "3.5", "4", "5", "6"])
    credits = np.where(cme, rng.integers(1, len(credit_texts), n), 0)
    credits = np.where(cme & (cme_class == 1) & (rng.random(n) < 0.2), 0, credits)

    hour_values, hour_codes = np.unique(hours, return_inverse=True)
    hour_texts = np.array([f"{value / 100:g}" for value in hour_values] + ["abc", "0", "-2"])
    broken = rng.random(n)
    hour_codes = np.where(
        broken < 0.0005,
        len(hour_values),
        np.where(broken < 0.0008, len(hour_values) + 1, np.where(broken < 0.001, len(hour_values) + 2, hour_codes)),
    )
    completed = pc.if_else(pa.array((broken > 0.001) & (broken < 0.0015)), "2023-13-45", completed)
    person_id = _ids("P", people, 8).take(pa.array(owner))
    ghosts = rng.random(n) < 0.0005
    person_id = pc.if_else(pa.array(ghosts), pa.scalar("P99999999"), person_id)
    subject_words = np.array(["professional", "public", "专业科目", "公需科目"])
    subject = public.astype(np.int64) + 2 * (rng.random(n) < 0.05)

    records = pa.table(
        {
            "record_id": _ids("R", n, 10),
            "person_id": person_id,
            "subject": _coded(subject_words, subject),
            "hours": _coded(hour_texts, hour_codes),
            "completed_at": completed,
            "platform": _coded(platforms, platform),
            "mode": _coded(np.array(["", "offline"]), mode),
            "topic": _coded(topics, topic),
            "course_id": course,
            "role": _coded(np.array(["", "teacher"]), teacher.astype(np.int64)),
            "quality_course": _coded(np.array(["", "true"]), quality.astype(np.int64)),
            "source": _coded(np.array(["", "declared"]), declared.astype(np.int64)),
            "approved": _coded(np.array(["", "false"]), unapproved.astype(np.int64)),
            "kind": _coded(np.array(["", "cme-1", "cme-2"]), kind),
            "credits": _coded(credit_texts, credits),
        }
    )
    return Cohort(persons, records)
