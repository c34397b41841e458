#!/usr/bin/env python3
"""Write the bundled 2023 example cohort of cerules and its expected verdicts.

    python examples/generate.py

Writes, next to this file: persons.csv, persons-gbk.csv (the same persons in GB18030 with CRLF,
as Excel exports them here), records.csv, expected.csv and expected-with-plugins.csv.
Deterministic (random.Random(2023)), standard library only. `reference()` at the bottom is a test
oracle written straight from the 2023 provincial rules and, with `plugins=True`, from the four
bundled plugin layers (cities/qingdao, cities/jining, cities/jinan, plugins/health; see
README.md); it shares no code with the engine. examples/README.md is written by hand: keep its
record ids and counts in step with what this prints.
"""

import csv
import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEAR = 2023
SHANGHAI = timezone(timedelta(hours=8))  # China has no daylight saving time
PERSON_COLS = ["person_id", "city", "unit_level", "title_series", "industry", "specialty"]
RECORD_COLS = [
    "record_id",
    "person_id",
    "subject",
    "hours",
    "completed_at",
    "platform",
    "mode",
    "topic",
    "course_id",
    "role",
    "quality_course",
    "source",
    "approved",
    "kind",
    "credits",
]
Row = dict[str, str]

# ---- the rules (SD-2023 and the platform help pages), as the oracle reads them ----
REQUIRED = {"public": Decimal(30), "professional": Decimal(60)}
SUBJECTS = {"public": "public", "公需科目": "public", "professional": "professional", "专业科目": "professional"}
PROVINCE_LEVELS = {"province", "省直"}
PROVINCE_PUBLIC_PLATFORMS = {"sdou", "xkyx", "zjzd"}  # 山东开放大学, 蟹壳云学, 专技知到
PUBLIC_TOPICS = {
    "xi-thought": "习近平新时代中国特色社会主义思想",
    "congress-20": "党的二十大精神",
    "yellow-river": "黄河流域生态保护和高质量发展",
    "ethics": "专业技术人员职业道德和能力建设",
    "digital": "数字技术",
    "ip": "知识产权",
    "cybersecurity": "网络安全",
    "emergency": "应急管理",
    "health-care": "医养健康",
    "talent-intl": "人才国际化",
    "science-spirit": "科学精神培育",
    "teamwork": "团队合作建设",
    "humanities": "人文素养",
}
ACCEPTED_TOPICS = set(PUBLIC_TOPICS) | set(PUBLIC_TOPICS.values())
DAILY_DECLARED_CAP = Decimal(8)

# ---- the bundled plugin layers, as the oracle reads them (their TOML files and READMEs) ----
# City layers govern the public subjects of a city's city-level staff (an empty unit level is city
# level): online public records count only on the city's platform (offline ones always count),
# and Jining's public records must be completed by 2023-10-31, Shanghai time (online or offline).
# city code: (layer id, accepted online public platforms, last day of public learning, title series left out)
CITY_LAYERS: dict[str, tuple[str, set[str], date | None, set[str]]] = {
    "370200": ("qingdao", {"qdjxjy"}, None, set()),
    "370800": ("jining", {"jnrsw"}, date(2023, 10, 31), set()),
    "370100": ("jinan", {"jnjxjy"}, None, {"中小学教师"}),
}
# The health department layer: everyone in the 卫生 title series needs 25 CME credits a year, made
# of class I (kind cme-1; at least 5, at most 10 count) and class II (kind cme-2; at least 15, at
# most 20 count). A credited professional record counts with its `credits`; a class I record
# without credits counts its credited hours at 6 hours a credit; class II has no conversion.
CME_SERIES = "卫生"
CME_REQUIRED = Decimal(25)
CME_CLASSES = {"cme-1": (Decimal(5), Decimal(10)), "cme-2": (Decimal(15), Decimal(20))}  # kind: (at least, at most counted)
CME_HOURS_PER_CREDIT = {"cme-1": Decimal(6)}

# ---- the cohort's world ----
CITIES = {
    "370100": "济南",
    "370200": "青岛",
    "370300": "淄博",
    "370500": "东营",
    "370600": "烟台",
    "370700": "潍坊",
    "370800": "济宁",
    "371000": "威海",
    "371100": "日照",
    "371300": "临沂",
    "371400": "德州",
    "371700": "菏泽",
}
CITY_PLATFORMS = {"370100": "jnjxjy", "370200": "qdjxjy", "370800": "jnrsw"}
COURSE_PREFIX = {"sdou": "SDOU", "xkyx": "XKYX", "zjzd": "ZJZD", "qdjxjy": "QDJX", "jnjxjy": "JNJX", "jnrsw": "JNRS", "": "PX"}
SERIES = {  # title series: (industry, specialties, professional-subject topics)
    "卫生": ("医疗卫生", ["内科", "护理", "医学影像"], ["临床路径管理", "院感防控新进展", "合理用药"]),
    "工程": ("建筑业", ["结构工程", "给排水", "电气自动化"], ["BIM技术应用", "装配式建筑", "安全生产标准化"]),
    "中小学教师": ("基础教育", ["初中数学", "小学语文", "高中物理"], ["新课标教学设计", "作业设计与评价"]),
    "会计": ("财务会计", ["管理会计", "审计"], ["新收入准则", "政府会计制度", "内部控制"]),
    "经济": ("统计", ["统计", "金融"], ["数字经济统计", "宏观经济形势分析"]),
    "农业": ("农业农村", ["作物栽培", "畜牧兽医"], ["设施农业技术", "高标准农田建设"]),
}
PUBLIC_HOURS = ["1.5", "2", "3", "4", "4.5", "6", "6", "8", "8"]
PROFESSIONAL_HOURS = ["4", "6", "7.5", "8", "8", "8", "8"]
CITY_CODE = {spelling: code for code, name in CITIES.items() for spelling in (code, name, name + "市")}


def city_layer(code: str, level: str, series: str) -> str | None:
    """The city layer governing this person's public subjects, if any."""
    if level in PROVINCE_LEVELS or code not in CITY_LAYERS or series in CITY_LAYERS[code][3]:
        return None
    return CITY_LAYERS[code][0]


class Cohort:
    def __init__(self) -> None:
        self.rng = random.Random(2023)
        self.persons: list[Row] = []
        self.records: list[Row] = []
        self.info: dict[str, tuple[str, str, str]] = {}  # person_id -> (city code, unit level, series)
        self.courses: dict[str, set[str]] = defaultdict(set)
        self.provided: list[Row] = []  # the filler records written by provider(), in order

    def person(self, pid: str, code: str, level: str, series: str, spelling: str = "") -> None:
        industry, specialties, _ = SERIES[series]
        city = {"code": code, "name": CITIES[code], "市": CITIES[code] + "市"}[spelling or self.rng.choice(["code", "name", "市"])]
        self.persons.append(
            {
                "person_id": pid,
                "city": city,
                "unit_level": level,
                "title_series": series,
                "industry": industry,
                "specialty": self.rng.choice(specialties),
            }
        )
        self.info[pid] = (code, level, series)

    def course_id(self, pid: str, platform: str) -> str:
        while (cid := f"{COURSE_PREFIX[platform]}-2023-{self.rng.randint(1, 1800):04d}") in self.courses[pid]:
            pass
        self.courses[pid].add(cid)
        return cid

    def when(self, start: date = date(2023, 1, 4), end: date = date(2023, 12, 27)) -> datetime:
        day = start + timedelta(days=self.rng.randrange((end - start).days + 1))
        hour = self.rng.choice([9, 10, 14, 15, 16, 20, 21, 22, 23])  # evenings are common online
        return datetime.combine(day, time(hour, self.rng.randrange(60), self.rng.randrange(60)), SHANGHAI)

    def add(self, pid: str, subject: str, hours: str, completed_at: str, **fields: str) -> Row:
        row = {c: "" for c in RECORD_COLS} | {"person_id": pid, "subject": subject, "hours": hours, "completed_at": completed_at} | fields
        self.records.append(row)
        self.courses[pid].add(row["course_id"])
        return row

    def fill(self, pid: str, subject: str, total: str, until: date = date(2023, 12, 27), hours: list[str] | None = None) -> None:
        """Provider records of `subject` for `pid` summing exactly to `total` hours, in time order."""
        rest, amounts = Decimal(total), []
        for h in hours or []:
            amounts.append(Decimal(h))
            rest -= Decimal(h)
        while rest > 8:
            choice = Decimal(self.rng.choice(PUBLIC_HOURS if subject == "public" else PROFESSIONAL_HOURS))
            if rest - choice >= Decimal("0.5"):
                amounts.append(choice)
                rest -= choice
        if rest > 0:
            amounts.append(rest)
        for h, dt in zip(amounts, sorted(self.when(end=until) for _ in amounts), strict=False):
            self.provider(pid, subject, str(h), dt)

    def provider(self, pid: str, subject: str, hours: str, dt: datetime) -> None:
        rng, (code, level, series) = self.rng, self.info[pid]
        if subject == "public":
            options = (
                ["sdou", "xkyx", "zjzd", ""]
                if level in PROVINCE_LEVELS or code not in CITY_PLATFORMS
                else [CITY_PLATFORMS[code]] * 3 + ["", "zjzd"]
            )
            platform = rng.choice(options)
            if platform == "zjzd" and city_layer(code, level, series):
                # Staff under a city layer learn public subjects online on their city's platform.
                # (Drawn, then replaced, so that the random stream and every other record stay
                # as they were before the city layers; Jinan's school teachers keep zjzd.)
                platform = CITY_PLATFORMS[code]
            topic = rng.choice([rng.choice(list(PUBLIC_TOPICS)), rng.choice(list(PUBLIC_TOPICS.values())), ""])
        else:
            platform = rng.choice(["", "", "", "zjzd", "xkyx"])
            topic = rng.choice(SERIES[series][2])
        if platform:
            stamp, mode = fmt(dt, rng.choice(["offset", "offset", "naive", "utc"])), rng.choice(["", "online"])
        else:
            stamp = fmt(dt.replace(hour=17, minute=30, second=0), rng.choice(["date", "naive"]))
            mode = rng.choice(["offline", "offline", ""])
        shown = rng.choice([subject] * 9 + [{"public": "公需科目", "professional": "专业科目"}[subject]])
        row = self.add(
            pid,
            shown,
            hours,
            stamp,
            platform=platform,
            mode=mode,
            topic=topic,
            course_id=self.course_id(pid, platform),
            role=rng.choice(["", "", "learner"]),
            source=rng.choice(["", "", "provider"]),
        )
        self.provided.append(row)


def fmt(dt: datetime, style: str) -> str:
    """A Shanghai time written as a platform might: +08:00, no offset (Shanghai), UTC `Z`, or a date."""
    if style == "date":
        return dt.date().isoformat()
    if style == "utc":
        return dt.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return dt.replace(tzinfo=None).isoformat() if style == "naive" else dt.isoformat()


# ---- hand-written scenarios ----
# person_id: city, unit_level, title series, city spelling, filler public / professional hours,
# and what the scenario is written to show: (compliant, reasons). Extra records are in scenarios().
SCENARIOS: dict[str, tuple[str, str, str, str, str, str, bool, str]] = {
    "P001": ("370100", "city", "中小学教师", "市", "24", "62", False, ""),  # public short
    "P002": ("370300", "", "工程", "code", "32", "52.5", False, ""),  # professional short
    "P003": ("370100", "省直", "经济", "name", "18", "64", False, "platform_not_accepted"),
    "P004": ("370200", "city", "卫生", "code", "28", "62", False, "out_of_year"),  # late at year end
    "P005": ("370600", "city", "会计", "市", "22.5", "63", False, "duplicate_course"),
    "P006": ("371300", "city", "工程", "name", "31", "52", False, "not_approved"),
    "P007": ("371400", "", "农业", "市", "33", "50", False, "cap_exceeded"),  # 12 h declared in a day
    "P008": ("371000", "city", "经济", "code", "26", "61", False, "topic_not_accepted"),
    "P009": ("371700", "city", "中小学教师", "name", "0", "0", False, ""),  # no records at all
    "P010": ("370800", "市属", "中小学教师", "市", "22", "65", False, ""),  # teacher, course not selected
    "P011": ("370200", "city", "卫生", "市", "23", "60", False, ""),  # learner of a selected course
    "P012": ("370300", "city", "会计", "市", "30", "56", False, "invalid_record"),
    "P013": ("370500", "city", "工程", "code", "24", "72", False, ""),  # 96 h, public short
    "P014": ("370200", "", "工程", "name", "26", "61", True, "out_of_year"),  # early at year start
    "P015": ("370600", "city", "卫生", "name", "20", "64", True, ""),  # quality-course teacher
    "P016": ("370700", "市属", "会计", "市", "30", "60", True, ""),  # exactly 30 + 60
    "P017": ("370100", "province", "卫生", "code", "10", "66", True, ""),  # 省直, offline public
    "P018": ("370200", "市属", "工程", "code", "0", "60", True, ""),  # city platform, city staff
    "P019": ("371300", "city", "经济", "name", "34", "55", True, "cap_exceeded"),  # 5 + 5 declared -> 5 + 3
}


def scenarios(c: Cohort) -> None:
    P, Q = "public", "professional"
    for pid, (code, level, series, spelling, *_) in SCENARIOS.items():
        c.person(pid, code, level, series, spelling)
    # The records each scenario is about come first (so filler course ids avoid theirs), then filler.
    c.add("P005", P, "4.5", "2023-03-08T20:30:00+08:00", platform="sdou", topic="ip", course_id="SDOU-2023-0412")
    c.add("P014", P, "3", "2022-12-31T23:50:00", platform="qdjxjy", topic="xi-thought", course_id="QDJX-2022-0988")
    c.add("P014", P, "2", "2022-12-31T16:30:00Z", platform="qdjxjy", topic="congress-20", course_id="QDJX-2023-0003")
    c.add("P014", P, "2", "2023-01-01T00:10:00+08:00", platform="qdjxjy", topic="ethics", course_id="QDJX-2023-0004")
    c.add(
        "P015",
        P,
        "6",
        "2023-06-30T10:00:00+08:00",
        platform="zjzd",
        topic="医养健康",
        course_id="ZJZD-2023-0618",
        role="teacher",
        quality_course="true",
    )
    for cid, day in [("0318", "2023-09-12T21:40:00"), ("0322", "2023-09-13T22:05:00"), ("0347", "2023-09-20T20:15:00")]:
        c.add("P003", P, "4", day, platform="jnjxjy", mode="online", topic="数字技术", course_id=f"JNJX-2023-{cid}")
    c.add("P004", P, "3", "2023-12-31T16:30:00Z", platform="qdjxjy", topic="emergency", course_id="QDJX-2023-1290")
    c.add("P004", Q, "4", "2024-01-01T00:30:00+08:00", platform="zjzd", topic="院感防控新进展", course_id="ZJZD-2023-1502")
    c.add("P005", P, "4.5", "2023-11-26T21:10:00+08:00", platform="sdou", topic="ip", course_id="SDOU-2023-0412")
    c.add("P006", Q, "4", "2023-06-17", mode="offline", topic="学术会议：装配式建筑论坛", source="declared")
    c.add("P006", Q, "6", "2023-10-14", mode="offline", topic="企业技术攻关项目", source="declared", approved="false")
    c.add("P007", Q, "12", "2023-08-05", mode="offline", topic="高标准农田建设现场观摩", source="declared", approved="true")
    c.add("P008", P, "4", "2023-07-19T21:20:00+08:00", platform="zjzd", topic="股票投资技巧", course_id="ZJZD-2023-0950")
    c.add("P010", P, "6", "2023-05-10T16:00:00+08:00", platform="jnrsw", topic="teamwork", course_id="JNRS-2023-0077", role="teacher")
    c.add(
        "P011",
        P,
        "6",
        "2023-04-22T20:00:00+08:00",
        platform="qdjxjy",  # a Qingdao city doctor learns public subjects online on Qingdao's platform
        topic="health-care",
        course_id="QDJX-2023-0101",
        role="learner",
        quality_course="true",
    )
    for subject, hours, stamp in [
        (Q, "abc", "2023-03-02"),
        (P, "-2", "2023-04-11T20:00:00+08:00"),
        (Q, "0", "2023-05-06"),
        ("选修", "4", "2023-06-09"),
        (Q, "6", "2023-13-45"),
    ]:
        c.add("P012", subject, hours, stamp, mode="offline", topic="内部控制", course_id=c.course_id("P012", ""))
    c.add("P017", P, "8", "2023-04-15", mode="offline", topic="黄河流域生态保护和高质量发展", course_id="PX-2023-0415")
    c.add("P017", P, "8", "2023-04-16", topic="yellow-river", course_id="PX-2023-0416")
    c.add("P017", P, "6", "2023-09-23", platform="jnjxjy", mode="offline", topic="emergency", course_id="JNJX-2023-0923")
    for h, day in [("8", "03-11"), ("8", "05-20"), ("6", "07-08"), ("6", "09-16"), ("5", "11-04")]:
        c.add("P018", P, h, f"2023-{day}T21:00:00+08:00", platform="qdjxjy", topic="digital", course_id=c.course_id("P018", "qdjxjy"))
    c.add("P019", Q, "5", "2023-05-21", mode="offline", topic="学术会议：区域经济论坛", source="declared")
    c.add("P019", Q, "5", "2023-05-21T19:30:00+08:00", mode="offline", topic="课题结题评审", source="declared")
    for pid, (_, _, _, _, public, professional, *_) in SCENARIOS.items():
        until = date(2023, 12, 20) if pid == "P004" else date(2023, 10, 31) if pid == "P010" else date(2023, 12, 27)
        hours = {"P016": (["2.7"] * 10, ["7.3"] * 8), "P017": (["4", "6"], [])}.get(pid, ([], []))
        c.fill(pid, P, public, until, hours[0])
        c.fill(pid, Q, professional, until, hours[1])


def random_people(c: Cohort, first: int, last: int) -> None:
    rng = c.rng
    for n in range(first, last + 1):
        pid = f"P{n:03d}"
        code = rng.choice(list(CITIES))
        level = rng.choice(["city", "city", "市属", "", "", "province", "省直"])
        series = rng.choice(list(SERIES))
        c.person(pid, code, level, series)
        until = date(2023, 10, 31) if code == "370800" else date(2023, 12, 27)  # Jining: public by 10-31
        public, professional = Decimal(rng.choice(["30", "31", "32", "33.5", "36"])), Decimal(rng.randint(60, 68))
        if rng.random() < 0.25:  # a selected quality course, taken as a learner: no doubling
            c.add(
                pid,
                "public",
                "3",
                fmt(c.when(end=until), "offset"),
                platform=(platform := CITY_PLATFORMS[code] if city_layer(code, level, series) else "sdou"),
                topic="science-spirit",
                course_id=c.course_id(pid, platform),
                quality_course="true",
            )
            public -= 3
        if rng.random() < 0.3:  # an approved declaration (conference, project)
            h = rng.choice(["4", "6", "8"])
            c.add(
                pid,
                "professional",
                h,
                fmt(c.when(), "date"),
                mode="offline",
                source="declared",
                topic="学术会议",
                approved=rng.choice(["", "true"]),
            )
            professional -= Decimal(h)
        c.fill(pid, "public", str(public), until=until)
        c.fill(pid, "professional", str(professional))


# ---- plugin scenarios: compliant under the provincial rules alone, each showing one plugin rule ----
# person_id: city, unit_level, title series, city spelling, filler public / professional hours, and
# what the scenario is written to show WITH the plugins: (compliant, reasons). Extra records are
# in plugin_scenarios().
PLUGIN_SCENARIOS: dict[str, tuple[str, str, str, str, str, str, bool, str]] = {
    "P040": ("370800", "市属", "工程", "市", "22", "62", False, "past_deadline"),  # Jining: public after 10-31
    "P041": ("370200", "city", "会计", "code", "20", "61", False, "platform_not_accepted"),  # Qingdao city staff on sdou
    "P042": ("370700", "city", "卫生", "name", "30", "10", False, ""),  # CME: class I 14 (10 count), class II 12
    "P043": ("371100", "省直", "卫生", "市", "31", "22.5", True, ""),  # CME: 5.25 + 21 (20 count), by conversion
    "P044": ("370100", "city", "中小学教师", "name", "20", "60", True, ""),  # Jinan teacher on sdou: not in Jinan's layer
    "P045": ("370100", "市属", "工程", "code", "25", "63", False, "platform_not_accepted"),  # Jinan engineer on sdou
}


def plugin_scenarios(c: Cohort) -> None:
    P, Q = "public", "professional"
    for pid, (code, level, series, spelling, *_) in PLUGIN_SCENARIOS.items():
        c.person(pid, code, level, series, spelling)
    # Jining: the last second of 31 October counts; 16:00 UTC that day is 1 November in Shanghai;
    # the deadline holds offline too.
    c.add("P040", P, "2", "2023-10-31T23:59:59+08:00", platform="jnrsw", topic="cybersecurity", course_id="JNRS-2023-1031")
    c.add("P040", P, "3", "2023-10-31T16:00:00Z", platform="jnrsw", topic="数字技术", course_id="JNRS-2023-1101")
    c.add("P040", P, "4", "2023-12-09", mode="offline", topic="应急管理", course_id="PX-2023-1209")
    # Qingdao: offline training counts whatever platform it names; online public courses on sdou do not.
    c.add("P041", P, "4", "2023-05-13", platform="sdou", mode="offline", topic="ethics", course_id="SDOU-2023-0513")
    c.add("P041", P, "4", "2023-07-02T20:40:00+08:00", platform="sdou", mode="online", topic="ip", course_id="SDOU-2023-0702")
    c.add("P041", P, "4", "2023-09-24T21:15:00+08:00", platform="sdou", mode="online", topic="digital", course_id="SDOU-2023-0924")
    # Health: class I 4 + 5 + 5 = 14 credits (national projects), of which 10 count; class II
    # 4 x 3 = 12 credits, short of 15: 22 in all. Class I does not make up class II.
    for hours, day, credits in [("12", "2023-04-14", "4"), ("15", "2023-06-23", "5"), ("15", "2023-09-15", "5")]:
        c.add("P042", Q, hours, day, mode="offline", topic="国家级继续医学教育项目", course_id=c.course_id("P042", ""),
              kind="cme-1", credits=credits)  # fmt: skip
    for day in ["2023-03-09", "2023-05-18", "2023-08-10", "2023-11-16"]:
        c.add("P042", Q, "3", day, mode="offline", topic="院内学术讲座", kind="cme-2", credits="3")
    # Health, passing: class I 3 credits (national) + 6 h and 7.5 h of provincial projects
    # without credits (6 hours a credit: 1 + 1.25) = 5.25; class II 5 + 5 + 6 + 5 = 21, of which
    # 20 count: 25.25. Without the conversion class I would be 3, short of 5.
    c.add("P043", Q, "9", "2023-03-24", mode="offline", topic="国家级继续医学教育项目", course_id="PX-2023-0324", kind="cme-1", credits="3")
    c.add("P043", Q, "6", "2023-05-12", mode="offline", topic="省级继续医学教育项目", course_id="PX-2023-0512", kind="cme-1")
    c.add("P043", Q, "7.5", "2023-10-20", mode="offline", topic="省级继续医学教育项目", course_id="PX-2023-1020", kind="cme-1")
    for hours, day, credits in [("4", "2023-02-23", "5"), ("4", "2023-06-08", "5"), ("6", "2023-09-07", "6"), ("4", "2023-12-14", "5")]:
        c.add("P043", Q, hours, day, mode="offline", topic="院内病例讨论与学术讲座", kind="cme-2", credits=credits)
    # Jinan: school teachers are outside Jinan's layer, so their public courses on sdou count;
    # the layer's other city staff learn online public courses on jnjxjy only.
    for cid, day in [("0311", "2023-03-11T20:00:00+08:00"), ("0617", "2023-06-17T21:30:00+08:00"), ("1028", "2023-10-28T20:10:00+08:00")]:
        c.add("P044", P, "4", day, platform="sdou", topic="xi-thought", course_id=f"SDOU-2023-{cid}")
    c.add("P045", P, "6", "2023-08-19T21:05:00+08:00", platform="sdou", topic="congress-20", course_id="SDOU-2023-0819")
    for pid, (_, _, _, _, public, professional, *_) in PLUGIN_SCENARIOS.items():
        c.fill(pid, P, public, date(2023, 10, 30) if pid == "P040" else date(2023, 12, 27))
        c.fill(pid, Q, professional)


def cme(c: Cohort, pids: list[str]) -> None:
    """Make health staff's filler professional records CME activities (kind, credits).

    The hours stay as they are, so no provincial verdict moves, and a random stream of its own
    keeps the rest of the cohort as it was. Class I first: national projects give their credits
    (3 hours a credit, whole credits), provincial projects (at most two) none (the layer converts 6 hours
    to a credit; chosen only where that is exact to the hundredth), until class I reaches a goal of
    5 or 6; then class II activities, each with whole credits, until class I (at most 10) and
    class II make 25. Records left over are ordinary professional courses.
    """
    rng = random.Random("cme-2023")
    for pid in pids:
        rows = iter(r for r in c.provided if r["person_id"] == pid and SUBJECTS[r["subject"]] == "professional")
        class1, class2, goal, converted = Decimal(0), Decimal(0), Decimal(rng.choice([5, 5, 6])), 0
        for row in rows:
            hours = Decimal(row["hours"])
            row["kind"] = "cme-1"
            if converted < 2 and exact(hours / CME_HOURS_PER_CREDIT["cme-1"]) and rng.random() < 0.5:
                class1 += hours / CME_HOURS_PER_CREDIT["cme-1"]
                converted += 1
            else:
                row["credits"] = str(max(hours // 3, Decimal(1)))
                class1 += Decimal(row["credits"])
            if class1 >= goal:
                break
        need = max(CME_CLASSES["cme-2"][0], CME_REQUIRED - min(class1, CME_CLASSES["cme-1"][1])) + rng.choice([0, 0, 1])
        for row in rows:
            if class2 >= need:
                break
            row["kind"], row["credits"] = "cme-2", str(rng.choice([4, 5, 6, 6]))
            class2 += Decimal(row["credits"])
        assert class1 >= CME_CLASSES["cme-1"][0] and class2 >= need, (pid, class1, class2, need)


def exact(amount: Decimal) -> bool:
    """Whether an amount is exact to the hundredth (the data's credits and hours all are)."""
    return amount == amount.quantize(Decimal("0.01"))


# ---- reference calculation (the test oracle) ----
def parse_time(text: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return dt.replace(tzinfo=SHANGHAI) if dt.tzinfo is None else dt.astimezone(SHANGHAI)


def public_rules(person: Row, plugins: bool) -> tuple[set[str] | None, date | None]:
    """The accepted online public platforms (None: any) and the last day of public learning."""
    level, code = person["unit_level"], CITY_CODE[person["city"]]
    if plugins and city_layer(code, level, person["title_series"]):
        _, platforms, deadline, _ = CITY_LAYERS[code]
        return platforms, deadline
    return (PROVINCE_PUBLIC_PLATFORMS if level in PROVINCE_LEVELS else None), None


def rejections(r: Row, person: Row, plugins: bool) -> list[str]:
    """Every reason decided by the record and its person alone (invalid_record excludes the rest)."""
    subject = SUBJECTS.get(r["subject"].strip())
    try:
        hours, when = Decimal(r["hours"]), parse_time(r["completed_at"])
    except InvalidOperation:
        return ["invalid_record"]
    if subject is None or not hours.is_finite() or hours <= 0 or when is None:
        return ["invalid_record"]
    platforms, deadline = public_rules(person, plugins)
    mode = r["mode"] or ("online" if r["platform"] else "offline")
    found = []
    if when.year != YEAR:
        found.append("out_of_year")
    if subject == "public" and deadline is not None and when.date() > deadline:
        found.append("past_deadline")
    if subject == "public" and r["topic"] and r["topic"] not in ACCEPTED_TOPICS:
        found.append("topic_not_accepted")
    if subject == "public" and platforms is not None and mode == "online" and r["platform"] not in platforms:
        found.append("platform_not_accepted")
    if r["source"] == "declared" and r["approved"].lower() == "false":
        found.append("not_approved")
    return found


def cme_credits(r: Row, credited_hours: Decimal) -> tuple[str, Decimal] | None:
    """The CME class and credits a credited professional record brings, if it is a CME record."""
    if r["kind"] not in CME_CLASSES or credited_hours <= 0:
        return None
    if r["credits"]:
        return r["kind"], Decimal(r["credits"])
    if r["kind"] not in CME_HOURS_PER_CREDIT:
        return r["kind"], Decimal(0)  # class II has no conversion: without credits it brings none
    credits = credited_hours / CME_HOURS_PER_CREDIT[r["kind"]]
    assert exact(credits), (r, credits)  # the data convert exactly, so no rounding rule is needed
    return r["kind"], credits


def reference(persons: list[Row], records: list[Row], plugins: bool = False) -> tuple[list[Row], list[tuple[str, int]]]:
    """Every person's verdict under the provincial rules, or with `plugins` under the provincial
    rules and the four bundled plugin layers."""
    people = {p["person_id"]: p for p in persons}
    credited = {pid: {"public": Decimal(0), "professional": Decimal(0)} for pid in people}
    credits = {pid: dict.fromkeys(CME_CLASSES, Decimal(0)) for pid in people}
    reasons: dict[str, set[str]] = {pid: set() for pid in people}
    rejected_input: list[tuple[str, int]] = []
    survivors = []
    for line, r in enumerate(records, start=2):  # line 1 is the header
        pid = r["person_id"]
        if pid not in people:
            rejected_input.append((r["record_id"], line))
        elif found := rejections(r, people[pid], plugins):
            assert len(found) == 1, (r, found)  # no record has two reasons, so their order never matters
            reasons[pid].add(found[0])
        else:
            survivors.append((parse_time(r["completed_at"]), line, r))
    seen: set[tuple[str, str]] = set()
    declared_today: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for when, _, r in sorted(survivors, key=lambda s: (s[0], s[1])):  # time order, then file order
        pid, hours, subject = r["person_id"], Decimal(r["hours"]), SUBJECTS[r["subject"].strip()]
        if r["course_id"]:
            if (pid, r["course_id"]) in seen:
                reasons[pid].add("duplicate_course")
                continue
            seen.add((pid, r["course_id"]))
        if r["role"] == "teacher" and r["quality_course"].lower() == "true":
            hours *= 2
        if r["source"] == "declared":
            room = DAILY_DECLARED_CAP - declared_today[pid, when.date()]
            if hours > room:
                reasons[pid].add("cap_exceeded")
                hours = max(room, Decimal(0))
            declared_today[pid, when.date()] += hours
        credited[pid][subject] += hours
        if plugins and subject == "professional" and people[pid]["title_series"] == CME_SERIES and (brought := cme_credits(r, hours)):
            credits[pid][brought[0]] += brought[1]
    rows = []
    for pid, person in people.items():
        got = credited[pid]
        ok = all(got[s] >= REQUIRED[s] for s in REQUIRED)
        row = {
            "person_id": pid,
            "compliant": "",
            "public_credited_hours": f"{got['public']:.2f}",
            "professional_credited_hours": f"{got['professional']:.2f}",
        }
        if plugins:
            row["cme_credits"] = ""
            if person["title_series"] == CME_SERIES:
                counted = {kind: min(credits[pid][kind], most) for kind, (_, most) in CME_CLASSES.items()}
                total = sum(counted.values(), Decimal(0))
                ok = ok and total >= CME_REQUIRED and all(counted[kind] >= least for kind, (least, _) in CME_CLASSES.items())
                row["cme_credits"] = f"{total:.2f}"
        row["compliant"] = str(ok).lower()
        row["reasons"] = ";".join(sorted(reasons[pid]))
        rows.append(row)
    return rows, rejected_input


def write(path: Path, cols: list[str], rows: list[Row], encoding: str = "utf-8", newline: str = "\n") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=cols, lineterminator=newline)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    c = Cohort()
    scenarios(c)
    random_people(c, 20, 36)
    plugin_scenarios(c)
    cme(c, [pid for pid, (_, _, series) in c.info.items() if series == CME_SERIES and pid not in PLUGIN_SCENARIOS])
    c.add(
        "P099", "public", "3", "2023-08-08T20:00:00+08:00", platform="sdou", topic="digital", course_id="SDOU-2023-0808"
    )  # a person who is not in persons.csv
    c.records.sort(key=lambda r: r["person_id"])  # stable: each person's rows stay in written order
    for i, r in enumerate(c.records, start=1):
        r["record_id"] = f"R{i:04d}"
    expected, rejected_input = reference(c.persons, c.records)
    with_plugins, _ = reference(c.persons, c.records, plugins=True)
    for row, plugged in zip(expected, with_plugins, strict=True):  # the oracle must agree with what each scenario shows
        pid = row["person_id"]
        if pid in SCENARIOS:
            *_, compliant, reasons = SCENARIOS[pid]
            assert (row["compliant"], row["reasons"]) == (str(compliant).lower(), reasons), row
        else:
            assert row["compliant"] == "true" and not row["reasons"], row
        if pid in PLUGIN_SCENARIOS:
            *_, compliant, reasons = PLUGIN_SCENARIOS[pid]
            assert (plugged["compliant"], plugged["reasons"]) == (str(compliant).lower(), reasons), plugged
        else:  # everyone else means the same with the plugins, and health staff have their 25 credits
            assert {k: v for k, v in plugged.items() if k != "cme_credits"} == row, (row, plugged)
            assert (plugged["cme_credits"] != "") == (c.info[pid][2] == CME_SERIES), plugged
            assert plugged["cme_credits"] == "" or Decimal(plugged["cme_credits"]) >= CME_REQUIRED, plugged
    assert any(r["kind"] == "cme-1" and not r["credits"] for r in c.provided)  # the 6-hour conversion is used
    assert rejected_input == [(f"R{len(c.records):04d}", len(c.records) + 1)]
    write(HERE / "persons.csv", PERSON_COLS, c.persons)
    write(HERE / "persons-gbk.csv", PERSON_COLS, c.persons, encoding="gb18030", newline="\r\n")
    write(HERE / "records.csv", RECORD_COLS, c.records)
    write(HERE / "expected.csv", list(expected[0]), expected)
    write(HERE / "expected-with-plugins.csv", list(with_plugins[0]), with_plugins)
    failing = sum(r["compliant"] == "false" for r in expected)
    failing_with_plugins = sum(r["compliant"] == "false" for r in with_plugins)
    print(
        f"{len(c.persons)} persons ({failing} not compliant, {failing_with_plugins} with the plugins), "
        f"{len(c.records)} records, rejected_input: {rejected_input}"
    )


if __name__ == "__main__":
    main()
