"""The yardstick: the core 30/60 rule alone, in polars, on the same Parquet files `cerules evaluate` reads.

    python benchmarks/polars_core_rule.py PERSONS.parquet RECORDS.parquet OUT.csv

Records of the year (Shanghai time) are summed per person and subject; a person is compliant with
30 hours of public and 60 of professional subjects. None of the rest: no platforms, topics, course
lists, caps, repeats, windows, invalid rows or reasons. Text columns are parsed; typed ones are
taken as they are.
"""

from __future__ import annotations

import sys

import polars as pl


def main(persons_path: str, records_path: str, out: str) -> None:
    records = pl.scan_parquet(records_path).select("person_id", "subject", "hours", "completed_at")
    schema = records.collect_schema()
    hours = pl.col("hours").cast(pl.Float64, strict=False) if schema["hours"] == pl.String else pl.col("hours").cast(pl.Float64)
    if schema["completed_at"] == pl.String:
        moment = pl.col("completed_at").str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)
    else:
        moment = pl.col("completed_at").dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None)
    subject = pl.col("subject").cast(pl.String)
    totals = (
        records.with_columns(hours=hours, year=moment.dt.year(), subject=subject)
        .filter((pl.col("year") == 2023) & pl.col("hours").is_not_null())
        .group_by("person_id")
        .agg(
            public=pl.col("hours").filter(pl.col("subject") == "public").sum(),
            professional=pl.col("hours").filter(pl.col("subject") == "professional").sum(),
        )
    )
    people = pl.scan_parquet(persons_path).select("person_id").join(totals, on="person_id", how="left").fill_null(0.0)
    result = people.with_columns(compliant=(pl.col("public") >= 30) & (pl.col("professional") >= 60))
    result.sink_csv(out)


if __name__ == "__main__":
    main(*sys.argv[1:4])
