"""Synthetic residents: households, ages, ID numbers, phones and vulnerabilities.

Ages follow the shape of China's 2020 census pyramid (5-year bands). A household is drawn
from a small set of types (one person, couple, parents with children, three generations,
grandparents raising a grandchild, one parent with a child) whose weights give about 2.6
people per household, the census average; ages within a household are derived from the
head's, so parents are 22-36 years older than their children.

Vulnerability rules (each applied independently per person) and the band of all people
that each kind is expected to fall in (``RATE_BANDS``, checked by the tests):

==================  ==============================================  ==============
kind                rule                                            band (all)
==================  ==============================================  ==============
elderly_alone       aged 70+ and living in a one-person household   0.5% - 2.5%
                    (about 10-20% of people aged 70+)
infant              under 1 year                                    0.3% - 2.5%
pregnant            5% of women aged 20-40                          0.2% - 1.5%
bedridden           4% of 80+, 1.5% of 70-79, 0.05% of other adults 0.05% - 0.6%
disabled            3% of 60+, 1% of the others                     0.8% - 2.5%
dialysis            0.1% of 40+                                     0% - 0.25%
chemo               0.4% of 50+, 0.08% of 18-49                     0.02% - 0.6%
chronic_medication  45% of 65+, 15% of 45-64, 1% of 18-44           6% - 16%
mental_illness      0.4% of adults (severe, registered cases)       0.1% - 0.8%
unguarded_minor     0.1% of children aged 6-17 (parents isolated)   0% - 0.1%
==================  ==============================================  ==============
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from lifeline.core.personal import id_number_check_digit
from lifeline.demo.generator import names
from lifeline.registry.vocab import Relation

# Share of the population (%) in each 5-year band from 0-4 to 95-99.
AGE_PYRAMID = (
    5.5,
    6.4,
    6.1,
    5.2,
    5.3,
    6.6,
    8.8,
    6.9,
    6.6,
    8.3,
    8.6,
    7.2,
    5.2,
    5.5,
    3.8,
    2.4,
    1.6,
    0.8,
    0.3,
    0.1,
)

RATE_BANDS: dict[str, tuple[float, float]] = {
    "elderly_alone": (0.005, 0.025),
    "infant": (0.003, 0.025),
    "pregnant": (0.002, 0.015),
    "bedridden": (0.0005, 0.006),
    "disabled": (0.008, 0.025),
    "dialysis": (0.0, 0.0025),
    "chemo": (0.0002, 0.006),
    "chronic_medication": (0.06, 0.16),
    "mental_illness": (0.001, 0.008),
    "unguarded_minor": (0.0, 0.001),
}

HOUSEHOLD_TYPES = (
    ("single", 0.25),
    ("couple", 0.21),
    ("nuclear", 0.31),
    ("three_gen", 0.13),
    ("grandparents", 0.05),
    ("single_parent", 0.05),
)
_TYPE_NAMES = tuple(t for t, _ in HOUSEHOLD_TYPES)
_TYPE_CUM = tuple(accumulate(w for _, w in HOUSEHOLD_TYPES))

_NOTES = {
    "elderly_alone": ("独居，子女在外地", "独居，每日电话问候", "独居，行动不便需代购"),
    "infant": ("需配方奶粉和尿不湿", "按时接种疫苗", "母乳喂养"),
    "pregnant": ("孕{w}周，市中心医院建档", "孕{w}周，需定期产检"),
    "bedridden": ("中风后卧床，需送餐上门", "长期卧床，需上门采样", "骨折卧床，行动不便"),
    "disabled": (
        "肢体残疾二级，需送餐",
        "视力残疾一级",
        "听力残疾，需短信联系",
        "智力残疾，由家人照看",
    ),
    "dialysis": ("每周三次血液透析", "腹膜透析，需透析液"),
    "chemo": ("化疗中，定点医院随访", "放疗疗程中"),
    "chronic_medication": (
        "高血压，每日服药",
        "糖尿病，需胰岛素",
        "冠心病，长期服药",
        "慢阻肺，需吸入剂",
        "高血压、糖尿病",
    ),
    "mental_illness": ("严重精神障碍在册管理，按时服药",),
    "unguarded_minor": ("父母均在集中隔离点，由社区代为照看",),
}


@dataclass(frozen=True, slots=True)
class Member:
    relation: str
    sex: str
    age: int


def sample_age(rng: random.Random, lo: int, hi: int) -> int:
    """An age in [lo, hi] drawn from the census pyramid."""
    first, last = lo // 5, min(hi // 5, len(AGE_PYRAMID) - 1)
    band = rng.choices(range(first, last + 1), weights=AGE_PYRAMID[first : last + 1])[0]
    return rng.randint(max(lo, band * 5), min(hi, band * 5 + 4))


def _child_age(rng: random.Random, parent_age: int) -> int:
    gap = rng.randint(22, 36)
    if gap > parent_age:  # a young parent: the child is small, not a newborn by default
        gap = rng.randint(min(20, parent_age), parent_age)
    return parent_age - gap


def _spouse(rng: random.Random, head: Member) -> Member:
    age = max(18, min(100, head.age + rng.randint(-4, 3)))
    return Member(Relation.SPOUSE, "F" if head.sex == "M" else "M", age)


def _sex(rng: random.Random) -> str:
    return "M" if rng.random() < 0.51 else "F"


def household_members(rng: random.Random) -> list[Member]:
    """One household: the head first, then the others with their relation to the head."""
    kind = rng.choices(_TYPE_NAMES, cum_weights=_TYPE_CUM)[0]
    if kind == "single":
        age = sample_age(rng, 18, 99)
        # Widows outnumber widowers among the old.
        sex = ("F" if rng.random() < 0.65 else "M") if age >= 70 else _sex(rng)
        return [Member(Relation.HEAD, sex, age)]
    head = Member(
        Relation.HEAD,
        "M" if rng.random() < 0.6 else "F",
        sample_age(
            rng,
            {"couple": 22, "nuclear": 24, "three_gen": 28, "grandparents": 55, "single_parent": 25}[
                kind
            ],
            {"couple": 99, "nuclear": 55, "three_gen": 55, "grandparents": 78, "single_parent": 55}[
                kind
            ],
        ),
    )
    members = [head]
    if kind != "single_parent":
        members.append(_spouse(rng, head))
    if kind in ("nuclear", "single_parent", "three_gen"):
        for _ in range(2 if kind == "nuclear" and rng.random() < 0.4 else 1):
            members.append(Member(Relation.CHILD, _sex(rng), _child_age(rng, head.age)))
    if kind == "three_gen":
        for sex in ("M", "F")[: 1 if rng.random() < 0.4 else 2]:
            members.append(Member(Relation.PARENT, sex, min(100, head.age + rng.randint(22, 34))))
    if kind == "grandparents":
        child = Member(Relation.CHILD, _sex(rng), _child_age(rng, head.age))
        members.append(child)
        members.append(Member(Relation.GRANDCHILD, _sex(rng), rng.randint(0, min(15, child.age))))
    return members[:5]


def birth_date(rng: random.Random, age: int, today: dt.date) -> dt.date:
    """A birth date giving ``age`` full years on ``today``."""
    latest = (
        today.replace(year=today.year - age)
        if not (today.month == 2 and today.day == 29)
        else dt.date(today.year - age, 2, 28)
    )
    return latest - dt.timedelta(days=rng.randint(0, 364))


class IdNumberAllocator:
    """Unique 18-digit ID numbers: region + birth date + sequence (odd for men) + check."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[tuple[str, dt.date, str], int] = {}

    def allocate(self, region: str, birth: dt.date, sex: str) -> str:
        key = (region, birth, sex)
        seq = self._next.get(key)
        if seq is None:
            # Start at a random point so sequences do not all read 001, 003, ...
            seq = self._rng.randrange(0, 300) * 2 + (1 if sex == "M" else 0)
        if seq > 999:
            raise RuntimeError(f"ID sequence space exhausted for {region} {birth}")
        self._next[key] = seq + 2
        # Plain integer formatting: strftime costs more than the rest of this method.
        first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{seq:03d}"
        return first17 + id_number_check_digit(first17)


def mobile_phone(rng: random.Random) -> str:
    return rng.choice(names.PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def has_phone(rng: random.Random, age: int) -> bool:
    if age < 12:
        return False
    return rng.random() < (0.6 if age >= 80 else 0.95)


def vulnerabilities(
    rng: random.Random, member: Member, household_size: int
) -> Iterator[tuple[str, str]]:
    """The (kind, note) pairs for one person, by the rules in the module docstring."""
    age, sex = member.age, member.sex
    r = rng.random
    if age >= 70 and household_size == 1:
        yield "elderly_alone", rng.choice(_NOTES["elderly_alone"])
    if age == 0:
        yield "infant", rng.choice(_NOTES["infant"])
    if sex == "F" and 20 <= age <= 40 and r() < 0.05:
        yield "pregnant", rng.choice(_NOTES["pregnant"]).format(w=rng.randint(6, 39))
    if age >= 18 and r() < (0.04 if age >= 80 else 0.015 if age >= 70 else 0.0005):
        yield "bedridden", rng.choice(_NOTES["bedridden"])
    if r() < (0.03 if age >= 60 else 0.01):
        yield "disabled", rng.choice(_NOTES["disabled"])
    if age >= 40 and r() < 0.001:
        yield "dialysis", rng.choice(_NOTES["dialysis"])
    if age >= 18 and r() < (0.004 if age >= 50 else 0.0008):
        yield "chemo", rng.choice(_NOTES["chemo"])
    if age >= 18 and r() < (0.45 if age >= 65 else 0.15 if age >= 45 else 0.01):
        yield "chronic_medication", rng.choice(_NOTES["chronic_medication"])
    if age >= 18 and r() < 0.004:
        yield "mental_illness", _NOTES["mental_illness"][0]
    if 6 <= age <= 17 and r() < 0.001:
        yield "unguarded_minor", _NOTES["unguarded_minor"][0]


def id_region(rng: random.Random, district_code: str) -> str:
    """Most residents were born in their district; some moved from another one."""
    if rng.random() < 0.85:
        return district_code
    return rng.choice([code for code, *_ in names.DISTRICTS])
